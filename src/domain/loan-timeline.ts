// Loan timeline (DESIGN.md §5: everything as of any date, from the stored history): a loan's as-of state
// as a list of date segments, so that a portfolio report over every loan as of a date D reads one stored
// segment per loan instead of replaying each loan's history. The service recomputes a loan's timeline in
// the transaction that changes its history (a repayment, a reversal, a rescheduling, a write-off).
//
// Within a segment every quantity replayLoan reports is constant, except:
// - days past due, D - oldestUnpaidDueOn (0 when null);
// - penalty and late interest, which accrue on exact amount-days growing linearly with D and are
//   rounded only when asked: round((amountDays + amountPerDay x (D - fromDay)) x rate) - paid, the very
//   rounding replayLoan does (accruedAmountOf), so stateOn agrees with it to the đồng.
//
// Segments are cut from one replay of the whole history (replayHistory) that stops at the end of every
// day the state can change on: the disbursement date, each event date, each version's effective date and
// the day after each due date of the version in force. Adjacent segments whose state continues unchanged
// (the same fields, and amount-days that carry on linearly) are merged. So building a timeline costs
// about one replay, linear in installments + events.
import { formatIsoDate, type DayNumber } from './calendar.js';
import {
  accrualRatesOf,
  accruedAmountOf,
  LoanReplayError,
  replayHistory,
  type AccrualRates,
  type LoanRules,
  type ReplayInput,
  type ReplaySnapshot,
} from './loan-replay.js';

/** A loan's as-of state on every day of [fromDay, toDay): a replay snapshot's fields, held over a run of days. */
export interface TimelineSegment extends Omit<ReplaySnapshot, 'on'> {
  /** Inclusive. The first segment starts on the disbursement date. */
  readonly fromDay: DayNumber;
  /** Exclusive; null for the last segment, which runs on without end. */
  readonly toDay: DayNumber | null;
  /**
   * Principal of the installments of the version in force due before fromDay, or the whole principal once the loan is
   * repaid (the cumulative repayment rate's denominator). A segment never runs past the day after a due date, so this
   * holds on each of its days, an installment paid on time included.
   */
  readonly principalFallenDue: bigint;
}

/** What varies with the day inside a segment, as replayLoan as of that day reports it. */
export interface SegmentState {
  readonly daysPastDue: number;
  /** Collectible penalty: penalty accrued to date, rounded, minus penalty paid (0 once written off). */
  readonly penaltyAccrued: bigint;
  /** Collectible late interest, the same way. */
  readonly lateInterestAccrued: bigint;
  /** Penalty accrued since disbursement, rounded (paid or not). */
  readonly penaltyAccruedToDate: bigint;
  readonly lateInterestAccruedToDate: bigint;
}

type SegmentUnderConstruction = { -readonly [Field in keyof TimelineSegment]: TimelineSegment[Field] };

function segmentFrom(snapshot: ReplaySnapshot, principalFallenDue: bigint): SegmentUnderConstruction {
  // Field by field rather than by rest and spread: this runs on every repayment write, and it is twice as fast.
  return {
    principalFallenDue,
    fromDay: snapshot.on,
    toDay: null,
    version: snapshot.version,
    principalOutstanding: snapshot.principalOutstanding,
    principalPaid: snapshot.principalPaid,
    interestPaid: snapshot.interestPaid,
    penaltyPaid: snapshot.penaltyPaid,
    lateInterestPaid: snapshot.lateInterestPaid,
    overduePrincipal: snapshot.overduePrincipal,
    overdueInterest: snapshot.overdueInterest,
    oldestUnpaidDueOn: snapshot.oldestUnpaidDueOn,
    credit: snapshot.credit,
    closed: snapshot.closed,
    writtenOff: snapshot.writtenOff,
    principalWrittenOff: snapshot.principalWrittenOff,
    penaltyAmountDays: snapshot.penaltyAmountDays,
    penaltyAmountPerDay: snapshot.penaltyAmountPerDay,
    lateInterestAmountDays: snapshot.lateInterestAmountDays,
    lateInterestAmountPerDay: snapshot.lateInterestAmountPerDay,
  };
}

/** True when the state at the end of snapshot.on is what the segment already says of that day. */
function continues(segment: TimelineSegment, snapshot: ReplaySnapshot): boolean {
  const days = BigInt(snapshot.on - segment.fromDay);
  return (
    segment.version === snapshot.version &&
    segment.principalOutstanding === snapshot.principalOutstanding &&
    segment.principalPaid === snapshot.principalPaid &&
    segment.interestPaid === snapshot.interestPaid &&
    segment.penaltyPaid === snapshot.penaltyPaid &&
    segment.lateInterestPaid === snapshot.lateInterestPaid &&
    segment.overduePrincipal === snapshot.overduePrincipal &&
    segment.overdueInterest === snapshot.overdueInterest &&
    segment.oldestUnpaidDueOn === snapshot.oldestUnpaidDueOn &&
    segment.credit === snapshot.credit &&
    segment.closed === snapshot.closed &&
    segment.writtenOff === snapshot.writtenOff &&
    segment.principalWrittenOff === snapshot.principalWrittenOff &&
    segment.penaltyAmountPerDay === snapshot.penaltyAmountPerDay &&
    segment.lateInterestAmountPerDay === snapshot.lateInterestAmountPerDay &&
    // The amount-days carry on linearly: nothing fell overdue and was paid in between.
    segment.penaltyAmountDays + segment.penaltyAmountPerDay * days === snapshot.penaltyAmountDays &&
    segment.lateInterestAmountDays + segment.lateInterestAmountPerDay * days === snapshot.lateInterestAmountDays
  );
}

/**
 * The loan's timeline: segments in date order tiling [disbursedOn, ∞) without gap or overlap, the last
 * open-ended. The segment containing D with stateOn(segment, D) is replayLoan({...input, asOf: D}).
 * Throws (LoanReplayError) what replayLoan as of a date after all of the history would throw.
 */
export function loanTimeline(input: Omit<ReplayInput, 'asOf'>): TimelineSegment[] {
  const segments: SegmentUnderConstruction[] = [];
  const versions = new Map(input.scheduleVersions.map((version) => [version.version, version.installments]));
  // Snapshots come in date order and versions only follow one another, so the sum runs on: each installment is added
  // once, rather than every installment summed again for every snapshot (a repayment rebuilds the timeline).
  let fallen = { version: Number.NaN, next: 0, sum: 0n };
  const fallenDueOn = (snapshot: ReplaySnapshot): bigint => {
    if (snapshot.closed) return input.principal;
    if (fallen.version !== snapshot.version) fallen = { version: snapshot.version, next: 0, sum: 0n };
    const installments = versions.get(snapshot.version) ?? [];
    for (let installment = installments[fallen.next]; installment !== undefined && installment.dueOn < snapshot.on; installment = installments[fallen.next]) {
      fallen.sum += installment.principalDue;
      fallen.next += 1;
    }
    return fallen.sum;
  };
  replayHistory(input, (snapshot) => {
    const last = segments[segments.length - 1];
    // A day after a due date starts a segment even when the installment was paid on time and nothing else changed:
    // the principal fallen due did.
    const fallenDue = fallenDueOn(snapshot);
    if (last !== undefined) {
      if (continues(last, snapshot) && last.principalFallenDue === fallenDue) return;
      last.toDay = snapshot.on;
    }
    segments.push(segmentFrom(snapshot, fallenDue));
  });
  return segments;
}

/** The segment containing `day` (binary search), or undefined before the first one (before disbursement). */
export function segmentOn(segments: readonly TimelineSegment[], day: DayNumber): TimelineSegment | undefined {
  let low = 0;
  let high = segments.length - 1;
  while (low <= high) {
    const middle = (low + high) >>> 1;
    const segment = segments[middle] as TimelineSegment;
    if (day < segment.fromDay) high = middle - 1;
    else if (segment.toDay !== null && day >= segment.toDay) low = middle + 1;
    else return segment;
  }
  return undefined;
}

/**
 * Days past due, penalty and late interest on `day`, inside the segment, exactly as replayLoan as of that
 * day reports them. Pass the AccrualRates of the loan's rules (accrualRatesOf, prepared once per product)
 * when reading many loans: given the rules themselves, they are prepared on every call.
 */
export function stateOn(segment: TimelineSegment, day: DayNumber, rates: AccrualRates | LoanRules): SegmentState {
  if (!Number.isInteger(day) || day < segment.fromDay || (segment.toDay !== null && day >= segment.toDay)) {
    const until = segment.toDay === null ? '' : ` to ${formatIsoDate(segment.toDay)} (exclusive)`;
    throw new LoanReplayError('invalid_input', `day ${String(day)} is outside the segment from ${formatIsoDate(segment.fromDay)}${until}`);
  }
  const accrual = 'annualRatePercent' in rates ? accrualRatesOf(rates) : rates;
  const days = BigInt(day - segment.fromDay);
  const penaltyAccruedToDate = accruedAmountOf(segment.penaltyAmountDays + segment.penaltyAmountPerDay * days, accrual.penalty, accrual.roundingMode);
  const lateInterestAccruedToDate = accruedAmountOf(segment.lateInterestAmountDays + segment.lateInterestAmountPerDay * days, accrual.lateInterest, accrual.roundingMode);
  // A written-off loan is off the books: what was collectible moved to what was written off.
  const penaltyAccrued = segment.writtenOff ? 0n : penaltyAccruedToDate - segment.penaltyPaid;
  const lateInterestAccrued = segment.writtenOff ? 0n : lateInterestAccruedToDate - segment.lateInterestPaid;
  if (penaltyAccrued < 0n || lateInterestAccrued < 0n) {
    // Paid beyond what accrued: the segment was built with other rules than these.
    throw new LoanReplayError('invalid_input', `the segment from ${formatIsoDate(segment.fromDay)} records more penalty or late interest paid than these rules accrue`);
  }
  return {
    daysPastDue: segment.oldestUnpaidDueOn === null ? 0 : day - segment.oldestUnpaidDueOn,
    penaltyAccrued,
    lateInterestAccrued,
    penaltyAccruedToDate,
    lateInterestAccruedToDate,
  };
}
