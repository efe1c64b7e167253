// Loan replay (DESIGN.md §4, §5): repayment allocation, penalty accrual, arrears and payoff as one pure
// function of (frozen schedule versions, dated events, asOf). The service calls it to allocate each
// repayment and to answer "as of" questions; when a backdated repayment arrives it replays and re-posts
// every repayment whose allocation changed. So nothing here reads a clock or depends on anything but
// the input, and the input order of events matters only between events of the same date.
//
// Amounts are bigint minor units throughout. Rates enter once, as exact integer fractions, so that:
// - penalty and late interest accumulate exact "amount-days" (overdue amount x days, a bigint) and are
//   turned into money only when a collectible amount is asked for: round(amountDays x rate / 36500)
//   minus what was paid (multiply before dividing, one rounding per business quantity, DESIGN.md §2);
// - the payoff's interest to date is round(principal x rate x days / 36500), also one rounding.
// No Decimal appears after the rules are read, and every pass over the installments is amortised by
// pointers that only move forward (or, for prepayment, backward), so a replay is linear in
// installments + events (plus the sort of the events).
//
// replayHistory walks the same loop over the whole history and snapshots the state on every day it can
// change, which loan-timeline.ts turns into the stored as-of segments portfolio reports read.
import { formatIsoDate, type DayNumber } from './calendar.js';
import { Decimal, divideRounded, roundingModeNames, type RoundingModeName } from './money.js';

// ---------------------------------------------------------------------------------------------------
// Input

export type OverdueAllocationOrder = 'principal_interest_penalty' | 'penalty_interest_principal';
export type CurrentAllocationOrder = 'interest_principal' | 'principal_interest';
export type OverpaymentRule = 'prepay' | 'hold_credit';

export interface LoanRules {
  /** In-term nominal annual rate in percent, e.g. 9.6. */
  readonly annualRatePercent: Decimal;
  /** Penalty interest on overdue principal = annual rate x multiplier (default 1.30). */
  readonly overdueMultiplier: Decimal;
  /** Annual rate in percent on overdue unpaid interest (default 0). */
  readonly lateInterestAnnualRatePercent: Decimal;
  /** Default principal_interest_penalty (Circular 39/2016 when the contract is silent). */
  readonly overdueOrder: OverdueAllocationOrder;
  /** Default interest_principal. */
  readonly currentOrder: CurrentAllocationOrder;
  readonly overpayment: OverpaymentRule;
  /** Rounds accrued penalty, late interest and the payoff's interest to the minor unit. */
  readonly roundingMode: RoundingModeName;
}

/** The rules of DESIGN.md §4 with their defaults, for a given in-term rate. */
export function defaultLoanRules(annualRatePercent: Decimal): LoanRules {
  return {
    annualRatePercent,
    overdueMultiplier: new Decimal('1.30'),
    lateInterestAnnualRatePercent: new Decimal(0),
    overdueOrder: 'principal_interest_penalty',
    currentOrder: 'interest_principal',
    overpayment: 'prepay',
    roundingMode: 'half_up',
  };
}

export interface ScheduledInstallment {
  readonly number: number;
  readonly dueOn: DayNumber;
  readonly principalDue: bigint;
  readonly interestDue: bigint;
}

export interface ScheduleVersion {
  readonly version: number;
  readonly effectiveOn: DayNumber;
  readonly installments: readonly ScheduledInstallment[];
}

export type LoanEvent =
  | { readonly kind: 'repayment'; readonly id: string; readonly on: DayNumber; readonly amount: bigint }
  | { readonly kind: 'write_off'; readonly id: string; readonly on: DayNumber };

export interface ReplayInput {
  readonly principal: bigint;
  readonly disbursedOn: DayNumber;
  readonly rules: LoanRules;
  /** Version 1 effective on disbursedOn; later ones from a rescheduling (composeRescheduledInstallments). */
  readonly scheduleVersions: readonly ScheduleVersion[];
  /** Any order; replayed by (on, then input order). */
  readonly events: readonly LoanEvent[];
  /** Events and versions after asOf are ignored. */
  readonly asOf: DayNumber;
}

// ---------------------------------------------------------------------------------------------------
// Output

export interface InstallmentAllocation {
  readonly number: number;
  readonly principal: bigint;
  readonly interest: bigint;
}

export interface Allocation {
  readonly id: string;
  readonly on: DayNumber;
  readonly amount: bigint;
  readonly principal: bigint;
  readonly interest: bigint;
  readonly penalty: bigint;
  readonly lateInterest: bigint;
  /** Held as credit: money beyond a full payoff (the hold_credit rule pays the next installments ahead instead). */
  readonly creditAdded: bigint;
  /** Earlier credit drawn into this allocation (net of any of it held again). */
  readonly creditUsed: bigint;
  readonly closesLoan: boolean;
  /** Installments touched, by number ascending. */
  readonly byInstallment: readonly InstallmentAllocation[];
}

export interface InstallmentPosition {
  readonly number: number;
  readonly dueOn: DayNumber;
  readonly principalDue: bigint;
  readonly interestDue: bigint;
  /**
   * The part of interestDue that is interest deferred by a rescheduling (unpaid interest of installments
   * due by its effective date). It is owed in full, and payments to the installment's interest settle
   * it first. 0 except on the first new installment of a rescheduled version.
   */
  readonly interestDeferred: bigint;
  readonly principalPaid: bigint;
  readonly interestPaid: bigint;
  /** Interest not yet accrued when the loan was paid off. */
  readonly interestWaived: bigint;
}

export interface PayoffQuote {
  readonly principal: bigint;
  /** Unpaid interest of installments due by the date, plus the current period's interest to date. */
  readonly interest: bigint;
  readonly penalty: bigint;
  readonly lateInterest: bigint;
  /** Held credit, drawn first by the next repayment. */
  readonly credit: bigint;
  /** principal + interest + penalty + lateInterest - credit, never below 0: the repayment that closes the loan. */
  readonly total: bigint;
}

export interface LoanPosition {
  readonly asOf: DayNumber;
  readonly disbursedOn: DayNumber;
  /** The schedule version in force on asOf. */
  readonly version: number;
  readonly installments: readonly InstallmentPosition[];
  readonly principalDisbursed: bigint;
  readonly principalPaid: bigint;
  /** 0 once written off (see principalWrittenOff). */
  readonly principalOutstanding: bigint;
  readonly interestPaid: bigint;
  readonly interestWaived: bigint;
  readonly penaltyPaid: bigint;
  readonly lateInterestPaid: bigint;
  /** Unpaid principal of installments with dueOn < asOf. */
  readonly overduePrincipal: bigint;
  /** Unpaid interest of installments with dueOn < asOf. */
  readonly overdueInterest: bigint;
  /** Collectible penalty: penalty accrued to date, rounded, minus penalty paid. */
  readonly penaltyAccrued: bigint;
  /** Collectible late interest: accrued to date, rounded, minus paid. */
  readonly lateInterestAccrued: bigint;
  /** Penalty accrued since disbursement, rounded (paid or not). */
  readonly penaltyAccruedToDate: bigint;
  readonly lateInterestAccruedToDate: bigint;
  readonly credit: bigint;
  readonly daysPastDue: number;
  /** dueOn of the oldest installment with dueOn < asOf not fully paid by asOf; null if none. */
  readonly oldestUnpaidDueOn: DayNumber | null;
  /** dueOn of the earliest installment with dueOn >= asOf and something unpaid; null if none. */
  readonly nextDueOn: DayNumber | null;
  readonly payoff: PayoffQuote;
  /** Every repayment replayed, in replay order. */
  readonly allocations: Map<string, Allocation>;
  readonly closed: boolean;
  readonly closedOn: DayNumber | null;
  readonly writtenOff: boolean;
  readonly writtenOffOn: DayNumber | null;
  /** Principal outstanding on the write-off date. */
  readonly principalWrittenOff: bigint;
  /** What was owed and uncollected when written off, kept for recoveries (all 0 otherwise). */
  readonly interestWrittenOff: bigint;
  readonly penaltyWrittenOff: bigint;
  readonly lateInterestWrittenOff: bigint;
}

/**
 * The replay's state at the end of a day, after that day's events and any rescheduling taking effect on
 * it: what replayLoan as of that day reports, plus the exact amount-days penalty and late interest are
 * accrued from. replayHistory takes one on every day the state can change; until the next one, every
 * field stays as it is except the amount-days, which grow by the `...PerDay` amounts each day.
 */
export interface ReplaySnapshot {
  readonly on: DayNumber;
  /** The schedule version in force. */
  readonly version: number;
  readonly principalOutstanding: bigint;
  readonly principalPaid: bigint;
  readonly interestPaid: bigint;
  readonly penaltyPaid: bigint;
  readonly lateInterestPaid: bigint;
  /** Unpaid principal and interest of installments with dueOn < on (0 once written off). */
  readonly overduePrincipal: bigint;
  readonly overdueInterest: bigint;
  /** dueOn of the oldest installment with dueOn < on not fully paid; null if none or written off. */
  readonly oldestUnpaidDueOn: DayNumber | null;
  readonly credit: bigint;
  readonly closed: boolean;
  readonly writtenOff: boolean;
  readonly principalWrittenOff: bigint;
  /** Exact overdue principal x days accrued through the end of `on`: penalty to date is accruedAmountOf(this, penalty rate). */
  readonly penaltyAmountDays: bigint;
  /** Added to penaltyAmountDays on each day after `on`: unpaid principal of installments due by `on` (0 once written off). */
  readonly penaltyAmountPerDay: bigint;
  /** The same two for late interest, on overdue unpaid interest. */
  readonly lateInterestAmountDays: bigint;
  readonly lateInterestAmountPerDay: bigint;
}

export type LoanReplayErrorCode =
  /** The input is malformed: a negative amount, an event before disbursement, an unordered schedule. */
  | 'invalid_input'
  /** A schedule version does not fit the history it was composed from (recompose it). */
  | 'schedule_version_mismatch'
  /** A repayment replayed after the write-off: the service books it as a recovery instead. */
  | 'repayment_after_write_off'
  /** A state that cannot happen: a bug. */
  | 'invariant_violated';

/** Thrown instead of returning a wrong position: a wrong ledger is worse than a stopped one. */
export class LoanReplayError extends Error {
  constructor(
    readonly code: LoanReplayErrorCode,
    message: string,
  ) {
    super(`loan replay: ${code}: ${message}`);
    this.name = 'LoanReplayError';
  }
}

function assertInvariant(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LoanReplayError('invariant_violated', message);
}

function requireInput(condition: boolean, message: string): asserts condition {
  if (!condition) throw new LoanReplayError('invalid_input', message);
}

// ---------------------------------------------------------------------------------------------------
// Rates as exact fractions

/** A rate per day per unit of amount: amount x numerator / denominator is the day's interest. */
export interface DailyRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

interface ScaledInteger {
  readonly units: bigint;
  readonly scale: bigint;
}

function scaledInteger(value: Decimal, name: string): ScaledInteger {
  requireInput(value.isFinite() && !value.lt(0), `${name} must be a finite non-negative number, got ${value.toString()}`);
  const places = value.decimalPlaces();
  // Exact: the value has `places` digits after the point, and toString has no exponent in range (money.ts).
  const units = BigInt(value.mul(new Decimal(10).pow(places)).toString());
  return { units, scale: 10n ** BigInt(places) };
}

interface PreparedRates {
  /** In-term rate per day (actual/365): percent / 100 / 365. */
  readonly interest: DailyRate;
  /** annualRate x overdueMultiplier per day. */
  readonly penalty: DailyRate;
  readonly lateInterest: DailyRate;
}

function prepareRates(rules: LoanRules): PreparedRates {
  const annual = scaledInteger(rules.annualRatePercent, 'annualRatePercent');
  const multiplier = scaledInteger(rules.overdueMultiplier, 'overdueMultiplier');
  const late = scaledInteger(rules.lateInterestAnnualRatePercent, 'lateInterestAnnualRatePercent');
  // 365 in leap years too (Circular 14/2017); percent, hence 100 x 365.
  return {
    interest: { numerator: annual.units, denominator: annual.scale * 36500n },
    penalty: { numerator: annual.units * multiplier.units, denominator: annual.scale * multiplier.scale * 36500n },
    lateInterest: { numerator: late.units, denominator: late.scale * 36500n },
  };
}

/**
 * What turns exact amount-days into money: the daily penalty and late-interest rates and the rounding
 * mode of a loan's rules. Prepared once per set of rules (a product), so that a report reading stored
 * amount-days (loan-timeline.ts) does no Decimal work per loan.
 */
export interface AccrualRates {
  readonly penalty: DailyRate;
  readonly lateInterest: DailyRate;
  readonly roundingMode: RoundingModeName;
}

export function accrualRatesOf(rules: LoanRules): AccrualRates {
  validateRules(rules);
  const rates = prepareRates(rules);
  return { penalty: rates.penalty, lateInterest: rates.lateInterest, roundingMode: rules.roundingMode };
}

/**
 * Money accrued on exact amount-days at a daily rate, rounded once: round(amountDays x numerator /
 * denominator). The replay's own penalty and late interest to date, and the timeline's, go through here.
 */
export function accruedAmountOf(amountDays: bigint, rate: DailyRate, roundingMode: RoundingModeName): bigint {
  return divideRounded(amountDays * rate.numerator, rate.denominator, roundingMode);
}

function validateRules(rules: LoanRules): void {
  requireInput(['principal_interest_penalty', 'penalty_interest_principal'].includes(rules.overdueOrder), `unknown overdueOrder ${String(rules.overdueOrder)}`);
  requireInput(['interest_principal', 'principal_interest'].includes(rules.currentOrder), `unknown currentOrder ${String(rules.currentOrder)}`);
  requireInput(['prepay', 'hold_credit'].includes(rules.overpayment), `unknown overpayment rule ${String(rules.overpayment)}`);
  requireInput((roundingModeNames as readonly string[]).includes(rules.roundingMode), `unknown roundingMode ${String(rules.roundingMode)}`);
}

// ---------------------------------------------------------------------------------------------------
// Replay state

interface InstallmentState {
  readonly number: number;
  readonly dueOn: DayNumber;
  readonly principalDue: bigint;
  readonly interestDue: bigint;
  readonly interestDeferred: bigint;
  principalPaid: bigint;
  interestPaid: bigint;
  interestWaived: bigint;
}

function principalUnpaidOf(installment: InstallmentPosition): bigint {
  return installment.principalDue - installment.principalPaid;
}

function interestUnpaidOf(installment: InstallmentPosition): bigint {
  return installment.interestDue - installment.interestPaid - installment.interestWaived;
}

function isSettled(installment: InstallmentPosition): boolean {
  return principalUnpaidOf(installment) === 0n && interestUnpaidOf(installment) === 0n;
}

/** Deferred interest not yet paid: payments to an installment's interest settle its deferred part first. */
function deferredUnpaidOf(installment: InstallmentPosition): bigint {
  const unpaid = installment.interestDeferred - installment.interestPaid;
  return unpaid > 0n ? unpaid : 0n;
}

/** Interest paid beyond the deferred part: the installment's own period interest paid so far. */
function periodInterestPaidOf(installment: InstallmentPosition): bigint {
  const paid = installment.interestPaid - installment.interestDeferred;
  return paid > 0n ? paid : 0n;
}

function minimum(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** One repayment being allocated: what is left of the money, and where the rest went. */
class AllocationBuilder {
  available: bigint;
  principal = 0n;
  interest = 0n;
  penalty = 0n;
  lateInterest = 0n;
  creditAdded = 0n;
  creditUsed: bigint;
  closesLoan = false;
  readonly byInstallment = new Map<number, { principal: bigint; interest: bigint }>();

  constructor(
    readonly id: string,
    readonly on: DayNumber,
    readonly amount: bigint,
    creditHeld: bigint,
  ) {
    // Held credit is drawn first.
    this.available = amount + creditHeld;
    this.creditUsed = creditHeld;
  }

  /** Takes up to `limit` from the money left and returns what it took. */
  take(limit: bigint): bigint {
    assertInvariant(limit >= 0n, `negative amount asked for in repayment ${this.id}`);
    const taken = minimum(limit, this.available);
    this.available -= taken;
    return taken;
  }

  touch(number: number): { principal: bigint; interest: bigint } {
    let entry = this.byInstallment.get(number);
    if (!entry) {
      entry = { principal: 0n, interest: 0n };
      this.byInstallment.set(number, entry);
    }
    return entry;
  }

  build(): Allocation {
    // Credit drawn and then held again is credit never drawn: net the two so creditUsed is what was consumed.
    const netted = minimum(this.creditAdded, this.creditUsed);
    const creditAdded = this.creditAdded - netted;
    const creditUsed = this.creditUsed - netted;
    const parts = [this.principal, this.interest, this.penalty, this.lateInterest, creditAdded, creditUsed];
    assertInvariant(parts.every((part) => part >= 0n), `negative part in the allocation of ${this.id}`);
    // Allocation parts sum exactly to the amount plus the credit used.
    assertInvariant(
      this.principal + this.interest + this.penalty + this.lateInterest + creditAdded === this.amount + creditUsed,
      `allocation of ${this.id} does not sum to its amount`,
    );
    const byInstallment: InstallmentAllocation[] = [];
    let principalByInstallment = 0n;
    let interestByInstallment = 0n;
    for (const [number, part] of this.byInstallment) {
      byInstallment.push({ number, principal: part.principal, interest: part.interest });
      principalByInstallment += part.principal;
      interestByInstallment += part.interest;
    }
    byInstallment.sort((a, b) => a.number - b.number);
    assertInvariant(principalByInstallment === this.principal && interestByInstallment === this.interest, `allocation of ${this.id} does not match its installment parts`);
    return {
      id: this.id,
      on: this.on,
      amount: this.amount,
      principal: this.principal,
      interest: this.interest,
      penalty: this.penalty,
      lateInterest: this.lateInterest,
      creditAdded,
      creditUsed,
      closesLoan: this.closesLoan,
      byInstallment,
    };
  }
}

class LoanReplay {
  private installments: InstallmentState[] = [];
  private version = 0;
  /** Accrual has been done through the end of this day. */
  private accruedThrough: DayNumber;
  /** Installments [0, dueCount) have dueOn <= accruedThrough; installments[dueCount] is the next one. */
  private dueCount = 0;
  /** Unpaid principal and interest of installments [0, dueCount): what accrues penalty and late interest. */
  private principalAccruing = 0n;
  private interestAccruing = 0n;
  /** Exact sums of overdue principal x days and overdue interest x days since disbursement. */
  private principalDays = 0n;
  private interestDays = 0n;
  /** No installment before this index is unsettled. */
  private firstUnsettled = 0;
  /** No installment before this index and after dueCount is unsettled (step 4's search start). */
  private nextUnsettled = 0;
  /** No installment after this index has unpaid principal (prepayment runs backwards from it). */
  private lastWithPrincipal = -1;

  private principalPaid = 0n;
  private principalOutstanding: bigint;
  private interestPaid = 0n;
  private interestWaived = 0n;
  private penaltyPaid = 0n;
  private lateInterestPaid = 0n;
  private credit = 0n;
  private closedOn: DayNumber | null = null;
  private writtenOffOn: DayNumber | null = null;
  private principalWrittenOff = 0n;
  private interestWrittenOff = 0n;
  private penaltyWrittenOff = 0n;
  private lateInterestWrittenOff = 0n;
  private readonly allocations = new Map<string, Allocation>();

  constructor(
    // Never asOf: replayLoan hands it to accrueTo and position, replayHistory has none.
    private readonly input: Omit<ReplayInput, 'asOf'>,
    private readonly rates: PreparedRates,
  ) {
    this.accruedThrough = input.disbursedOn;
    this.principalOutstanding = input.principal;
  }

  // -------------------------------------------------------------------------------------------------
  // Versions

  startWith(first: ScheduleVersion): void {
    const principalScheduled = first.installments.reduce((sum, installment) => sum + installment.principalDue, 0n);
    // Version 1's principal sums to the principal disbursed.
    if (principalScheduled !== this.input.principal) {
      throw new LoanReplayError('schedule_version_mismatch', `version 1 schedules ${principalScheduled} of principal, disbursed ${this.input.principal}`);
    }
    this.install(first, 0n);
  }

  /**
   * Switches to a rescheduling version at the end of its effective day E (after E's events, which the
   * composition counted as paid by E). It must be what composeRescheduledInstallments makes of the
   * position at E; anything else means the history changed under it.
   */
  switchTo(next: ScheduleVersion): void {
    const effectiveOn = next.effectiveOn;
    const mismatch = (message: string): LoanReplayError =>
      new LoanReplayError('schedule_version_mismatch', `version ${next.version} effective ${formatIsoDate(effectiveOn)}: ${message}`);
    if (this.writtenOffOn !== null) throw mismatch('the loan was written off before it');
    if (this.closedOn !== null) throw mismatch('the loan was closed before it');
    assertInvariant(this.accruedThrough === effectiveOn, 'a version switch happens only once accrued to its date');

    const old = this.installments;
    const keptCount = this.dueCount; // old installments with dueOn <= E
    const { deferred, paidAhead } = reschedulingCarry(old, effectiveOn);
    const planned = next.installments;
    if (planned.length < keptCount) throw mismatch(`it keeps ${planned.length} installments, ${keptCount} were due by then`);
    for (let index = 0; index < keptCount; index += 1) {
      const was = old[index] as InstallmentState;
      const kept = planned[index] as ScheduledInstallment;
      // Installments due by E keep their number and date, with dues cut to what was paid by E.
      if (kept.number !== was.number || kept.dueOn !== was.dueOn || kept.principalDue !== was.principalPaid || kept.interestDue !== was.interestPaid) {
        throw mismatch(`installment ${was.number} (paid ${was.principalPaid} principal, ${was.interestPaid} interest by then) does not match the version's ${kept.principalDue}, ${kept.interestDue}`);
      }
    }
    const fresh = planned.slice(keptCount);
    if (fresh.some((installment) => installment.dueOn <= effectiveOn)) throw mismatch('a new installment falls due on or before the effective date');
    const principalPlanned = fresh.reduce((sum, installment) => sum + installment.principalDue, 0n);
    // A version's new principal sums to what was outstanding at its effective date.
    if (principalPlanned !== this.principalOutstanding) throw mismatch(`plans ${principalPlanned} of principal, ${this.principalOutstanding} was outstanding`);
    const first = fresh[0];
    if (deferred > 0n && (first === undefined || first.interestDue < deferred)) throw mismatch(`${deferred} of deferred interest does not fit the first new installment`);
    this.install(next, deferred);
    this.carryInterestPaidAhead(paidAhead, keptCount, mismatch);
  }

  private install(version: ScheduleVersion, deferredIntoFirstNew: bigint): void {
    const previous = this.installments;
    const installments: InstallmentState[] = version.installments.map((installment, index) => {
      const kept = index < this.dueCount ? previous[index] : undefined;
      const isFirstNew = index === this.dueCount;
      return {
        number: installment.number,
        dueOn: installment.dueOn,
        principalDue: installment.principalDue,
        interestDue: installment.interestDue,
        interestDeferred: isFirstNew ? deferredIntoFirstNew : 0n,
        principalPaid: kept ? kept.principalPaid : 0n,
        interestPaid: kept ? kept.interestPaid : 0n,
        interestWaived: 0n,
      };
    });
    this.installments = installments;
    this.version = version.version;
    // Kept installments are settled, so nothing is overdue right after a switch.
    this.principalAccruing = 0n;
    this.interestAccruing = 0n;
    this.firstUnsettled = 0;
    this.nextUnsettled = this.dueCount;
    this.lastWithPrincipal = installments.length - 1;
    this.advancePointers();
  }

  /**
   * Interest paid ahead on installments a rescheduling dropped (a member who paid the next installment
   * early, then the flood) was earned income for a period the new plan now covers: it pays the new
   * installments' interest, oldest first, instead of vanishing.
   */
  private carryInterestPaidAhead(paidAhead: bigint, keptCount: number, mismatch: (message: string) => LoanReplayError): void {
    let left = paidAhead;
    for (let index = keptCount; index < this.installments.length && left > 0n; index += 1) {
      const installment = this.installments[index] as InstallmentState;
      const carried = minimum(left, interestUnpaidOf(installment));
      installment.interestPaid += carried;
      left -= carried;
    }
    if (left > 0n) throw mismatch(`${paidAhead} of interest paid ahead exceeds the new installments' interest`);
    this.advancePointers();
  }

  // -------------------------------------------------------------------------------------------------
  // Accrual

  /** Accrues penalty and late interest through the end of `through` (days after the last accrual, last day in). */
  accrueTo(through: DayNumber): void {
    // No accrual after a write-off: the loan is off the books.
    if (this.writtenOffOn !== null) return;
    assertInvariant(through >= this.accruedThrough, 'accrual never runs backwards');
    // Between two events the overdue amounts are constant: one segment per event date and asOf.
    const days = BigInt(through - this.accruedThrough);
    this.principalDays += this.principalAccruing * days;
    this.interestDays += this.interestAccruing * days;
    const installments = this.installments;
    while (this.dueCount < installments.length && (installments[this.dueCount] as InstallmentState).dueOn <= through) {
      const installment = installments[this.dueCount] as InstallmentState;
      // Overdue from the day after its due date: a payment on the due date itself is on time.
      const overdueDays = BigInt(through - installment.dueOn);
      const principalUnpaid = principalUnpaidOf(installment);
      const interestUnpaid = interestUnpaidOf(installment);
      this.principalDays += principalUnpaid * overdueDays;
      this.interestDays += interestUnpaid * overdueDays;
      this.principalAccruing += principalUnpaid;
      this.interestAccruing += interestUnpaid;
      this.dueCount += 1;
    }
    this.accruedThrough = through;
    if (this.nextUnsettled < this.dueCount) this.nextUnsettled = this.dueCount;
  }

  /** Penalty accrued to date, exact and rounded once: overduePrincipal x rate% x multiplier x days / 365. */
  private penaltyAccruedRounded(): bigint {
    return accruedAmountOf(this.principalDays, this.rates.penalty, this.input.rules.roundingMode);
  }

  /** Late interest: the same accrual on overdue unpaid interest at the late-interest rate (no multiplier). */
  private lateInterestAccruedRounded(): bigint {
    return accruedAmountOf(this.interestDays, this.rates.lateInterest, this.input.rules.roundingMode);
  }

  private penaltyCollectible(): bigint {
    const collectible = this.penaltyAccruedRounded() - this.penaltyPaid;
    assertInvariant(collectible >= 0n, 'penalty paid exceeds penalty accrued');
    return collectible;
  }

  private lateInterestCollectible(): bigint {
    const collectible = this.lateInterestAccruedRounded() - this.lateInterestPaid;
    assertInvariant(collectible >= 0n, 'late interest paid exceeds late interest accrued');
    return collectible;
  }

  // -------------------------------------------------------------------------------------------------
  // Pointers

  private advancePointers(): void {
    const installments = this.installments;
    while (this.firstUnsettled < installments.length && isSettled(installments[this.firstUnsettled] as InstallmentState)) this.firstUnsettled += 1;
    if (this.nextUnsettled < this.dueCount) this.nextUnsettled = this.dueCount;
    while (this.nextUnsettled < installments.length && isSettled(installments[this.nextUnsettled] as InstallmentState)) this.nextUnsettled += 1;
    while (this.lastWithPrincipal >= 0 && principalUnpaidOf(installments[this.lastWithPrincipal] as InstallmentState) === 0n) this.lastWithPrincipal -= 1;
  }

  /** True when nothing is unpaid on installments due on or before the last accrual date. */
  private clearedThroughToday(): boolean {
    this.advancePointers();
    return this.firstUnsettled >= this.dueCount;
  }

  // -------------------------------------------------------------------------------------------------
  // Paying parts

  private payPrincipal(index: number, allocation: AllocationBuilder, limit?: bigint): void {
    const installment = this.installments[index] as InstallmentState;
    const unpaid = principalUnpaidOf(installment);
    const paid = allocation.take(limit === undefined ? unpaid : minimum(limit, unpaid));
    if (paid === 0n) return;
    installment.principalPaid += paid;
    if (index < this.dueCount) this.principalAccruing -= paid;
    this.principalPaid += paid;
    this.principalOutstanding -= paid;
    allocation.principal += paid;
    allocation.touch(installment.number).principal += paid;
  }

  private payInterest(index: number, allocation: AllocationBuilder, limit?: bigint): void {
    const installment = this.installments[index] as InstallmentState;
    const unpaid = interestUnpaidOf(installment);
    const paid = allocation.take(limit === undefined ? unpaid : minimum(limit, unpaid));
    if (paid === 0n) return;
    installment.interestPaid += paid;
    if (index < this.dueCount) this.interestAccruing -= paid;
    this.interestPaid += paid;
    allocation.interest += paid;
    allocation.touch(installment.number).interest += paid;
  }

  private payPenalty(allocation: AllocationBuilder): void {
    const paid = allocation.take(this.penaltyCollectible());
    this.penaltyPaid += paid;
    allocation.penalty += paid;
  }

  private payLateInterest(allocation: AllocationBuilder): void {
    const paid = allocation.take(this.lateInterestCollectible());
    this.lateInterestPaid += paid;
    allocation.lateInterest += paid;
  }

  private payInstallmentInOrder(index: number, order: CurrentAllocationOrder, allocation: AllocationBuilder): void {
    if (order === 'interest_principal') {
      this.payInterest(index, allocation);
      this.payPrincipal(index, allocation);
    } else {
      this.payPrincipal(index, allocation);
      this.payInterest(index, allocation);
    }
  }

  // -------------------------------------------------------------------------------------------------
  // Payoff

  /**
   * The interest a payoff on `on` collects with the next installment (the earliest with dueOn > on):
   * its unpaid deferred interest in full, plus the current period's interest to date,
   * round(principal not yet due x rate x days / 365) with days from the previous due date (or
   * disbursement) to `on`, first day out, last day in. That interest is capped at the installment's
   * own period interest, and what was already paid toward the period counts against it (no refund).
   */
  private payoffInterestOfNext(on: DayNumber): bigint {
    assertInvariant(on === this.accruedThrough, 'payoff interest is computed on the accrual date');
    const next = this.installments[this.dueCount];
    if (next === undefined) return 0n;
    const previousDueOn = this.dueCount > 0 ? (this.installments[this.dueCount - 1] as InstallmentState).dueOn : this.input.disbursedOn;
    // Overdue principal bears penalty, not in-term interest: only principal not yet due accrues it.
    const principalNotYetDue = this.principalOutstanding - this.principalAccruing;
    const days = BigInt(on - previousDueOn);
    const accrued = divideRounded(principalNotYetDue * this.rates.interest.numerator * days, this.rates.interest.denominator, this.input.rules.roundingMode);
    const periodInterestDue = next.interestDue - next.interestDeferred;
    const periodInterestOwed = minimum(accrued, periodInterestDue) - periodInterestPaidOf(next);
    return deferredUnpaidOf(next) + (periodInterestOwed > 0n ? periodInterestOwed : 0n);
  }

  /** Pays everything left: interest to date on the next installment, all principal; waives the rest. */
  private payOff(allocation: AllocationBuilder, payoffInterest: bigint): void {
    const installments = this.installments;
    if (this.dueCount < installments.length) this.payInterest(this.dueCount, allocation, payoffInterest);
    for (let index = this.firstUnsettled; index < installments.length; index += 1) {
      const installment = installments[index] as InstallmentState;
      this.payPrincipal(index, allocation);
      // The interest of remaining installments had not accrued: waived.
      const waived = interestUnpaidOf(installment);
      assertInvariant(waived === 0n || index >= this.dueCount, `a payoff left interest unpaid on installment ${installment.number}, already due`);
      installment.interestWaived += waived;
      this.interestWaived += waived;
    }
    assertInvariant(this.principalOutstanding === 0n, 'a payoff left principal outstanding');
    allocation.closesLoan = true;
    this.closedOn = allocation.on;
    this.advancePointers();
  }

  // -------------------------------------------------------------------------------------------------
  // Events

  repay(id: string, on: DayNumber, amount: bigint): void {
    if (this.writtenOffOn !== null) {
      throw new LoanReplayError('repayment_after_write_off', `repayment ${id} on ${formatIsoDate(on)} comes after the write-off on ${formatIsoDate(this.writtenOffOn)}`);
    }
    assertInvariant(on === this.accruedThrough, 'a repayment is allocated after accruing to its date');
    const allocation = new AllocationBuilder(id, on, amount, this.credit);
    this.credit = 0n;
    if (this.closedOn === null) this.allocateToLoan(allocation, on);
    // Whatever is left is held as credit: money beyond a full payoff, or paid to a closed loan.
    allocation.creditAdded += allocation.take(allocation.available);
    const built = allocation.build();
    // All held credit was drawn; what is held now is what this repayment left (before netting).
    this.credit = allocation.creditAdded;
    this.allocations.set(id, built);
    this.advancePointers();
  }

  private allocateToLoan(allocation: AllocationBuilder, on: DayNumber): void {
    const rules = this.input.rules;
    this.advancePointers();
    // Step 1, anything overdue on D (an installment due before D, or penalty or late interest owed).
    const overdueInstallments = this.firstUnsettled < this.dueCount && (this.installments[this.firstUnsettled] as InstallmentState).dueOn < on;
    if (overdueInstallments || this.penaltyCollectible() > 0n || this.lateInterestCollectible() > 0n) {
      if (rules.overdueOrder === 'principal_interest_penalty') {
        // Oldest overdue installment first, its principal then its interest; then penalty, then late interest.
        this.payOverdueInstallments(on, 'principal_interest', allocation);
        this.payPenalty(allocation);
        this.payLateInterest(allocation);
      } else {
        // Penalty, late interest, then oldest overdue installment first, its interest then its principal.
        this.payPenalty(allocation);
        this.payLateInterest(allocation);
        this.payOverdueInstallments(on, 'interest_principal', allocation);
      }
    }
    // Step 2, the installment due on D itself (on time), in the current order.
    const dueToday = this.dueCount - 1;
    if (dueToday >= 0 && (this.installments[dueToday] as InstallmentState).dueOn === on) this.payInstallmentInOrder(dueToday, rules.currentOrder, allocation);

    // Step 3, a payoff when the rest pays everything still owed.
    if (this.clearedThroughToday() && this.penaltyCollectible() === 0n && this.lateInterestCollectible() === 0n) {
      const payoffInterest = this.payoffInterestOfNext(on);
      if (allocation.available >= this.principalOutstanding + payoffInterest) {
        this.payOff(allocation, payoffInterest);
        return;
      }
    }
    if (allocation.available === 0n) return;
    assertInvariant(this.clearedThroughToday(), 'money left while something due remains unpaid');

    // Step 4, the next installment not yet due (paying at a meeting before the due date is on time).
    this.advancePointers();
    if (this.nextUnsettled < this.installments.length) this.payInstallmentInOrder(this.nextUnsettled, rules.currentOrder, allocation);
    if (allocation.available === 0n) return;

    if (rules.overpayment === 'hold_credit') {
      // Step 5 (hold_credit), the installments after it in their order, each whole before the next, the term kept:
      // what the member paid ahead meets each installment by its due date. Money left aside until a later repayment
      // drew it would leave her late on a due date the fund held her money for, classed by it and charged penalty.
      while (allocation.available > 0n && this.nextUnsettled < this.installments.length) {
        this.payInstallmentInOrder(this.nextUnsettled, rules.currentOrder, allocation);
        this.advancePointers();
      }
      assertInvariant(this.principalOutstanding > 0n, 'paying installments ahead paid all principal without being a payoff');
      return;
    }

    // Step 5 (prepay), principal of the last installments first, backwards; their interest stays scheduled.
    this.advancePointers();
    while (allocation.available > 0n && this.lastWithPrincipal >= this.dueCount) {
      this.payPrincipal(this.lastWithPrincipal, allocation);
      this.advancePointers();
    }
    assertInvariant(this.principalOutstanding > 0n, 'a prepayment paid all principal without being a payoff');
  }

  private payOverdueInstallments(on: DayNumber, order: CurrentAllocationOrder, allocation: AllocationBuilder): void {
    const installments = this.installments;
    for (let index = this.firstUnsettled; index < this.dueCount && allocation.available > 0n; index += 1) {
      if ((installments[index] as InstallmentState).dueOn >= on) break;
      this.payInstallmentInOrder(index, order, allocation);
    }
  }

  writeOff(id: string, on: DayNumber): void {
    if (this.writtenOffOn !== null) throw new LoanReplayError('invalid_input', `write-off ${id}: the loan was already written off`);
    if (this.closedOn !== null) throw new LoanReplayError('invalid_input', `write-off ${id}: the loan was closed on ${formatIsoDate(this.closedOn)}`);
    assertInvariant(on === this.accruedThrough, 'a write-off happens after accruing to its date');
    // Off the books from W: the principal outstanding is written off, and what else was owed is kept for recoveries.
    this.penaltyWrittenOff = this.penaltyCollectible();
    this.lateInterestWrittenOff = this.lateInterestCollectible();
    let interestDue = 0n;
    for (let index = this.firstUnsettled; index < this.dueCount; index += 1) interestDue += interestUnpaidOf(this.installments[index] as InstallmentState);
    this.interestWrittenOff = interestDue;
    this.principalWrittenOff = this.principalOutstanding;
    this.principalOutstanding = 0n;
    this.writtenOffOn = on;
  }

  // -------------------------------------------------------------------------------------------------
  // Snapshots (replayHistory)

  /**
   * The first day after `on` on which an installment falls overdue (the day after its due date), or null
   * when none will: every due date passed, or the loan closed or written off (nothing falls due after).
   */
  nextOverdueStart(on: DayNumber): DayNumber | null {
    if (this.writtenOffOn !== null || this.closedOn !== null) return null;
    assertInvariant(on === this.accruedThrough, 'the next overdue day is asked on the accrual date');
    // Installments [0, dueCount) have dueOn <= on: the last of them may be due on `on` itself.
    const dueToday = this.installments[this.dueCount - 1];
    if (dueToday !== undefined && dueToday.dueOn === on) return on + 1;
    const next = this.installments[this.dueCount];
    return next === undefined ? null : next.dueOn + 1;
  }

  /** The state at the end of `on` (after its events and rescheduling), in O(1) amortised. */
  snapshot(on: DayNumber): ReplaySnapshot {
    this.advancePointers();
    const writtenOff = this.writtenOffOn !== null;
    assertInvariant(writtenOff || this.accruedThrough === on, 'a snapshot is taken on the accrual date');
    // principalAccruing sums the unpaid principal of installments with dueOn <= on; the one due on `on`
    // itself (at most one: due dates strictly increase) is not overdue before the next day.
    const last = this.installments[this.dueCount - 1];
    const dueToday = last !== undefined && last.dueOn === on ? last : undefined;
    const overduePrincipal = this.principalAccruing - (dueToday ? principalUnpaidOf(dueToday) : 0n);
    const overdueInterest = this.interestAccruing - (dueToday ? interestUnpaidOf(dueToday) : 0n);
    const firstUnsettled = this.installments[this.firstUnsettled];
    const oldestUnpaidDueOn = !writtenOff && firstUnsettled !== undefined && firstUnsettled.dueOn < on ? firstUnsettled.dueOn : null;
    return {
      on,
      version: this.version,
      principalOutstanding: this.principalOutstanding,
      principalPaid: this.principalPaid,
      interestPaid: this.interestPaid,
      penaltyPaid: this.penaltyPaid,
      lateInterestPaid: this.lateInterestPaid,
      overduePrincipal: writtenOff ? 0n : overduePrincipal,
      overdueInterest: writtenOff ? 0n : overdueInterest,
      oldestUnpaidDueOn,
      credit: this.credit,
      closed: this.closedOn !== null,
      writtenOff,
      principalWrittenOff: this.principalWrittenOff,
      penaltyAmountDays: this.principalDays,
      // No accrual after a write-off (accrueTo).
      penaltyAmountPerDay: writtenOff ? 0n : this.principalAccruing,
      lateInterestAmountDays: this.interestDays,
      lateInterestAmountPerDay: writtenOff ? 0n : this.interestAccruing,
    };
  }

  // -------------------------------------------------------------------------------------------------
  // Position

  position(asOf: DayNumber): LoanPosition {
    this.advancePointers();
    const installments = this.installments;
    const writtenOff = this.writtenOffOn !== null;
    const closed = this.closedOn !== null;
    assertInvariant(writtenOff || this.accruedThrough === asOf, 'the position is taken on the accrual date');

    let overduePrincipal = 0n;
    let overdueInterest = 0n;
    let principalUnpaidScheduled = 0n;
    let interestUnpaidDueByAsOf = 0n;
    for (const installment of installments) {
      // Paid parts never exceed dues, and nothing is negative.
      assertInvariant(
        installment.principalPaid >= 0n && installment.interestPaid >= 0n && installment.interestWaived >= 0n && principalUnpaidOf(installment) >= 0n && interestUnpaidOf(installment) >= 0n,
        `installment ${installment.number} is paid beyond its dues or negative`,
      );
      principalUnpaidScheduled += principalUnpaidOf(installment);
      if (installment.dueOn < asOf) {
        overduePrincipal += principalUnpaidOf(installment);
        overdueInterest += interestUnpaidOf(installment);
      }
      if (installment.dueOn <= asOf) interestUnpaidDueByAsOf += interestUnpaidOf(installment);
    }
    // Principal conservation: paid + outstanding + written off = disbursed, and the schedule agrees.
    assertInvariant(this.principalPaid + this.principalOutstanding + this.principalWrittenOff === this.input.principal, 'principal is not conserved');
    assertInvariant(principalUnpaidScheduled === this.principalOutstanding + this.principalWrittenOff, 'the installments disagree with the principal outstanding');
    assertInvariant(this.credit >= 0n && this.principalOutstanding >= 0n, 'a negative balance');

    const penaltyAccruedToDate = this.penaltyAccruedRounded();
    const lateInterestAccruedToDate = this.lateInterestAccruedRounded();
    const penaltyCollectible = this.penaltyCollectible();
    const lateInterestCollectible = this.lateInterestCollectible();

    const firstUnsettled = installments[this.firstUnsettled];
    const oldestUnpaid = !writtenOff && firstUnsettled !== undefined && firstUnsettled.dueOn < asOf ? firstUnsettled : undefined;
    // Days past due: asOf minus the oldest due date (before asOf) not fully paid by asOf; penalty alone does not count.
    const daysPastDue = oldestUnpaid ? asOf - oldestUnpaid.dueOn : 0;
    let nextDueOn: DayNumber | null = null;
    if (!writtenOff) {
      for (let index = this.firstUnsettled; index < installments.length; index += 1) {
        const installment = installments[index] as InstallmentState;
        if (installment.dueOn >= asOf && !isSettled(installment)) {
          nextDueOn = installment.dueOn;
          break;
        }
      }
    }

    let payoff: PayoffQuote;
    if (writtenOff || closed) {
      payoff = { principal: 0n, interest: 0n, penalty: 0n, lateInterest: 0n, credit: this.credit, total: 0n };
    } else {
      const interest = interestUnpaidDueByAsOf + this.payoffInterestOfNext(asOf);
      const owed = this.principalOutstanding + interest + penaltyCollectible + lateInterestCollectible;
      // Held credit is drawn first. It is held only when a repayment fell short of a payoff, so it stays
      // below what is owed; the floor at 0 is a guard (a rescheduling can lower the interest to date).
      payoff = { principal: this.principalOutstanding, interest, penalty: penaltyCollectible, lateInterest: lateInterestCollectible, credit: this.credit, total: owed > this.credit ? owed - this.credit : 0n };
    }

    return {
      asOf,
      disbursedOn: this.input.disbursedOn,
      version: this.version,
      installments: installments.map((installment) => ({ ...installment })),
      principalDisbursed: this.input.principal,
      principalPaid: this.principalPaid,
      principalOutstanding: this.principalOutstanding,
      interestPaid: this.interestPaid,
      interestWaived: this.interestWaived,
      penaltyPaid: this.penaltyPaid,
      lateInterestPaid: this.lateInterestPaid,
      overduePrincipal: writtenOff ? 0n : overduePrincipal,
      overdueInterest: writtenOff ? 0n : overdueInterest,
      penaltyAccrued: writtenOff ? 0n : penaltyCollectible,
      lateInterestAccrued: writtenOff ? 0n : lateInterestCollectible,
      penaltyAccruedToDate,
      lateInterestAccruedToDate,
      credit: this.credit,
      daysPastDue,
      oldestUnpaidDueOn: oldestUnpaid ? oldestUnpaid.dueOn : null,
      nextDueOn,
      payoff,
      allocations: new Map(this.allocations),
      closed,
      closedOn: this.closedOn,
      writtenOff,
      writtenOffOn: this.writtenOffOn,
      principalWrittenOff: this.principalWrittenOff,
      interestWrittenOff: this.interestWrittenOff,
      penaltyWrittenOff: this.penaltyWrittenOff,
      lateInterestWrittenOff: this.lateInterestWrittenOff,
    };
  }
}

/**
 * What a rescheduling at E carries from the installments in force: the interest deferred into the first
 * new installment (unpaid interest of installments due by E, plus unpaid deferred interest of dropped
 * ones), and the interest paid ahead on dropped installments (beyond their deferred part).
 */
function reschedulingCarry(installments: readonly InstallmentPosition[], effectiveOn: DayNumber): { deferred: bigint; paidAhead: bigint } {
  let deferred = 0n;
  let paidAhead = 0n;
  for (const installment of installments) {
    assertInvariant(installment.interestWaived === 0n, 'interest is waived only by a payoff, and a closed loan is not rescheduled');
    if (installment.dueOn <= effectiveOn) {
      deferred += interestUnpaidOf(installment);
    } else {
      deferred += deferredUnpaidOf(installment);
      paidAhead += periodInterestPaidOf(installment);
    }
  }
  return { deferred, paidAhead };
}

// ---------------------------------------------------------------------------------------------------
// Validation

function validateInstallments(version: ScheduleVersion, disbursedOn: DayNumber): void {
  requireInput(Number.isInteger(version.version) && Number.isInteger(version.effectiveOn), `version ${String(version.version)}: version and effectiveOn must be integers`);
  let previousDueOn = disbursedOn;
  version.installments.forEach((installment, index) => {
    const where = `version ${version.version}, installment ${installment.number}`;
    // Numbered 1, 2, ... (a rescheduling keeps the old numbers and numbers the new ones on).
    requireInput(installment.number === index + 1, `${where}: installments must be numbered from 1 without gaps`);
    requireInput(Number.isInteger(installment.dueOn) && installment.dueOn > previousDueOn, `${where}: due dates must be after disbursement and strictly increase`);
    requireInput(installment.principalDue >= 0n && installment.interestDue >= 0n, `${where}: dues must not be negative`);
    previousDueOn = installment.dueOn;
  });
}

function orderedVersions(input: Omit<ReplayInput, 'asOf'>): ScheduleVersion[] {
  const versions = [...input.scheduleVersions].sort((a, b) => a.version - b.version);
  requireInput(versions.length > 0, 'at least schedule version 1 is needed');
  versions.forEach((version, index) => {
    requireInput(version.version === index + 1, 'schedule versions must be numbered 1, 2, ... without gaps');
    validateInstallments(version, input.disbursedOn);
  });
  requireInput((versions[0] as ScheduleVersion).effectiveOn === input.disbursedOn, 'version 1 is effective on the disbursement date');
  for (let index = 1; index < versions.length; index += 1) {
    requireInput((versions[index] as ScheduleVersion).effectiveOn > (versions[index - 1] as ScheduleVersion).effectiveOn, 'schedule versions must take effect on strictly increasing dates');
  }
  return versions;
}

function orderedEvents(input: Omit<ReplayInput, 'asOf'>, asOf: DayNumber | null): LoanEvent[] {
  const seen = new Set<string>();
  const indexed = input.events.map((event, index) => {
    requireInput(!seen.has(event.id), `event id ${event.id} appears twice`);
    seen.add(event.id);
    requireInput(Number.isInteger(event.on) && event.on >= input.disbursedOn, `event ${event.id} is dated before the disbursement`);
    if (event.kind === 'repayment') requireInput(event.amount > 0n, `repayment ${event.id} must be positive`);
    else requireInput(event.kind === 'write_off', `event ${(event as LoanEvent).id} has an unknown kind`);
    return { event, index };
  });
  // Replay order: by date, then input order (a stable tiebreak).
  const ordered = indexed.sort((a, b) => a.event.on - b.event.on || a.index - b.index).map(({ event }) => event);
  // After a write-off money received is a recovery, booked by the service, never allocated here: the
  // whole input is refused, whatever asOf, so that every as-of date sees the same history.
  const writeOff = ordered.findIndex((event) => event.kind === 'write_off');
  if (writeOff >= 0) {
    const after = ordered.slice(writeOff + 1);
    const repayment = after.find((event) => event.kind === 'repayment');
    if (repayment) throw new LoanReplayError('repayment_after_write_off', `repayment ${repayment.id} on ${formatIsoDate(repayment.on)} comes after the write-off ${(ordered[writeOff] as LoanEvent).id}`);
    requireInput(after.length === 0, 'a loan is written off once');
  }
  // Events after asOf are ignored.
  return asOf === null ? ordered : ordered.filter((event) => event.on <= asOf);
}

// ---------------------------------------------------------------------------------------------------
// The API

/** Days a replay walk also stops on, and what it does at the end of each day it stops on. */
interface WalkObserver {
  /** The next extra day to stop on (after the last stop), or null for none. */
  nextStop(): DayNumber | null;
  /** Called at the end of every day the walk stops on, after that day's events and rescheduling. */
  stoppedOn(on: DayNumber): void;
}

/**
 * The replay loop: events and versions in date order, a version after the events of its effective day.
 * An observer may add days to stop on: stopping on a day where nothing happens only accrues to it, and
 * accrual is additive (accruing to a then to b adds what accruing to b at once adds), so it changes nothing.
 */
function walk(replay: LoanReplay, versions: readonly ScheduleVersion[], events: readonly LoanEvent[], observer?: WalkObserver): void {
  let eventIndex = 0;
  let versionIndex = 1;
  for (;;) {
    const nextEvent = events[eventIndex];
    const nextVersion = versions[versionIndex];
    // The next date something happens on: an event, a version taking effect, or a day the observer asks for.
    let on = nextEvent?.on ?? null;
    if (nextVersion && (on === null || nextVersion.effectiveOn < on)) on = nextVersion.effectiveOn;
    const stop = observer ? observer.nextStop() : null;
    if (stop !== null && (on === null || stop < on)) on = stop;
    if (on === null) return;
    replay.accrueTo(on);
    for (let event = events[eventIndex]; event !== undefined && event.on === on; event = events[eventIndex]) {
      if (event.kind === 'repayment') replay.repay(event.id, event.on, event.amount);
      else replay.writeOff(event.id, event.on);
      eventIndex += 1;
    }
    // A rescheduling takes over after the events of its effective day, which it counted as paid by then.
    if (nextVersion && nextVersion.effectiveOn === on) {
      replay.switchTo(nextVersion);
      versionIndex += 1;
    }
    observer?.stoppedOn(on);
  }
}

/** Replays the loan's history in date order and reports its position as of input.asOf. */
export function replayLoan(input: ReplayInput): LoanPosition {
  requireInput(input.principal > 0n, 'principal must be positive');
  requireInput(Number.isInteger(input.disbursedOn) && Number.isInteger(input.asOf), 'dates must be day numbers');
  requireInput(input.asOf >= input.disbursedOn, `asOf ${formatIsoDate(input.asOf)} is before the disbursement`);
  validateRules(input.rules);
  const rates = prepareRates(input.rules);
  // The versions in force on a date: the latest with effectiveOn <= that date (switched at the end of that day).
  const versions = orderedVersions(input).filter((version) => version.effectiveOn <= input.asOf);
  const events = orderedEvents(input, input.asOf);

  const replay = new LoanReplay(input, rates);
  replay.startWith(versions[0] as ScheduleVersion);
  walk(replay, versions, events);
  replay.accrueTo(input.asOf);
  return replay.position(input.asOf);
}

/**
 * Replays the whole history (every event and version, no asOf) once and hands `record` a snapshot at the
 * end of every day the as-of state can change on: the disbursement date, each event date, each version's
 * effective date, and the day after each due date of the version in force (an unpaid installment falls
 * overdue then). Between two snapshots replayLoan as of any day reports what the earlier one holds, with
 * the amount-days grown linearly (ReplaySnapshot). Linear in installments + events, like one replay.
 * Throws what replayLoan as of a date after all of the history would throw.
 */
export function replayHistory(input: Omit<ReplayInput, 'asOf'>, record: (snapshot: ReplaySnapshot) => void): void {
  requireInput(input.principal > 0n, 'principal must be positive');
  requireInput(Number.isInteger(input.disbursedOn), 'dates must be day numbers');
  validateRules(input.rules);
  const rates = prepareRates(input.rules);
  const versions = orderedVersions(input);
  const events = orderedEvents(input, null);

  const replay = new LoanReplay(input, rates);
  replay.startWith(versions[0] as ScheduleVersion);
  let lastStop: DayNumber | null = null;
  walk(replay, versions, events, {
    nextStop: () => (lastStop === null ? input.disbursedOn : replay.nextOverdueStart(lastStop)),
    stoppedOn: (on) => {
      lastStop = on;
      record(replay.snapshot(on));
    },
  });
}

/** The payoff quote of a position (also its `payoff` field). */
export function payoffQuote(position: LoanPosition): PayoffQuote {
  return position.payoff;
}

export interface AmountDue {
  readonly principal: bigint;
  readonly interest: bigint;
  /** Collectible penalty and late interest as of the position's asOf. */
  readonly penalty: bigint;
  readonly lateInterest: bigint;
  readonly credit: bigint;
  /** principal + interest + penalty + lateInterest - credit, never below 0. */
  readonly total: bigint;
  /** Numbers of the installments with something unpaid, due on or before the date. */
  readonly installmentNumbers: readonly number[];
}

/**
 * What a member owes on a meeting date: unpaid principal and interest of installments due on or before
 * `on` (as paid by the position's asOf), with penalty and late interest as of asOf. For a collection
 * sheet, take the position as of the meeting date itself so penalty is current.
 */
export function amountDueOn(position: LoanPosition, on: DayNumber): AmountDue {
  if (position.writtenOff || position.closed) {
    return { principal: 0n, interest: 0n, penalty: 0n, lateInterest: 0n, credit: position.credit, total: 0n, installmentNumbers: [] };
  }
  let principal = 0n;
  let interest = 0n;
  const installmentNumbers: number[] = [];
  for (const installment of position.installments) {
    if (installment.dueOn > on) break;
    if (isSettled(installment)) continue;
    principal += principalUnpaidOf(installment);
    interest += interestUnpaidOf(installment);
    installmentNumbers.push(installment.number);
  }
  const gross = principal + interest + position.penaltyAccrued + position.lateInterestAccrued;
  return {
    principal,
    interest,
    penalty: position.penaltyAccrued,
    lateInterest: position.lateInterestAccrued,
    credit: position.credit,
    total: gross > position.credit ? gross - position.credit : 0n,
    installmentNumbers,
  };
}

export interface PlannedInstallment {
  readonly dueOn: DayNumber;
  readonly principalDue: bigint;
  readonly interestDue: bigint;
}

/**
 * The installments of a rescheduling version effective on E, from the position as of E and the new plan
 * for the outstanding principal. Installments due on or before E keep their number and date with dues
 * cut to what was paid by E (settled); their unpaid interest (and unpaid deferred interest of dropped
 * installments) is deferred into the first new installment's interest; installments not yet due are
 * dropped; the new installments follow, numbered on. Interest already paid on dropped installments
 * pays the new installments' interest when replayed; if the plan has less interest than that, the
 * first new installment's interest is raised to hold it (it is recorded, not charged again).
 */
export function composeRescheduledInstallments(position: LoanPosition, effectiveOn: DayNumber, newPlan: readonly PlannedInstallment[]): ScheduledInstallment[] {
  requireInput(position.asOf === effectiveOn, `the position must be as of the effective date ${formatIsoDate(effectiveOn)}, it is as of ${formatIsoDate(position.asOf)}`);
  requireInput(!position.closed, 'a closed loan is not rescheduled');
  requireInput(!position.writtenOff, 'a written-off loan is not rescheduled');
  const planned = newPlan.reduce((sum, installment) => sum + installment.principalDue, 0n);
  // The new plan's principal sums to the principal outstanding at E.
  requireInput(planned === position.principalOutstanding, `the new plan schedules ${planned} of principal, ${position.principalOutstanding} is outstanding`);
  let previousDueOn = effectiveOn;
  for (const installment of newPlan) {
    requireInput(Number.isInteger(installment.dueOn) && installment.dueOn > previousDueOn, 'new due dates must be after the effective date and strictly increase');
    requireInput(installment.principalDue >= 0n && installment.interestDue >= 0n, 'new dues must not be negative');
    previousDueOn = installment.dueOn;
  }
  const { deferred, paidAhead } = reschedulingCarry(position.installments, effectiveOn);
  requireInput((deferred === 0n && paidAhead === 0n) || newPlan.length > 0, `${deferred + paidAhead} of interest needs a new installment to be carried into`);
  // Interest paid ahead on dropped installments is carried into the new installments' interest (see
  // LoanReplay.carryInterestPaidAhead). It was paid and is not refunded: when the plan has less interest
  // than that (a relief plan without interest), the first new installment records the excess, paid.
  const interestPlanned = newPlan.reduce((sum, installment) => sum + installment.interestDue, 0n);
  const paidAheadExcess = paidAhead - interestPlanned - deferred;
  const carriedIntoFirst = deferred + (paidAheadExcess > 0n ? paidAheadExcess : 0n);

  const kept: ScheduledInstallment[] = position.installments
    .filter((installment) => installment.dueOn <= effectiveOn)
    .map((installment) => ({ number: installment.number, dueOn: installment.dueOn, principalDue: installment.principalPaid, interestDue: installment.interestPaid }));
  const fresh = newPlan.map((installment, index) => ({
    number: kept.length + index + 1,
    dueOn: installment.dueOn,
    principalDue: installment.principalDue,
    interestDue: installment.interestDue + (index === 0 ? carriedIntoFirst : 0n),
  }));
  return [...kept, ...fresh];
}

/** True when two allocations split the same repayment the same way (the service re-posts the others). */
export function sameAllocation(a: Allocation, b: Allocation): boolean {
  return (
    a.id === b.id &&
    a.on === b.on &&
    a.amount === b.amount &&
    a.principal === b.principal &&
    a.interest === b.interest &&
    a.penalty === b.penalty &&
    a.lateInterest === b.lateInterest &&
    a.creditAdded === b.creditAdded &&
    a.creditUsed === b.creditUsed &&
    a.closesLoan === b.closesLoan &&
    a.byInstallment.length === b.byInstallment.length &&
    a.byInstallment.every((part, index) => {
      const other = b.byInstallment[index];
      return other !== undefined && other.number === part.number && other.principal === part.principal && other.interest === part.interest;
    })
  );
}
