// Worked timelines, every number checked by hand in the comments.
//
// The loan of loan-replay.test.ts: 10,000,000 đồng disbursed 2025-01-10 at 9.6 %/yr, 12 monthly
// installments due on the 10th (2025-02-10 .. 2026-01-10), principal 833,333 eleven times and 833,337
// last; interest 80,000 / 73,333 / 66,667 / 60,000 / 53,333 / 46,667 / 40,000 / 33,333 / 26,667 /
// 20,000 / 13,333 / 6,667. Installment #1 is 913,333.
//
// Penalty rate: 9.6 % x 1.30 = 12.48 % a year on actual days / 365, so penalty to date is
// round(amount-days x 12.48 / 36,500). An installment due on the 10th is overdue from the 11th: a
// payment on the due date is on time, and the 11th is where a segment starts.
import { describe, expect, it } from 'vitest';
import { addDays, addMonths, formatIsoDate, type DayNumber } from '../../src/domain/calendar.js';
import {
  accrualRatesOf,
  composeRescheduledInstallments,
  LoanReplayError,
  replayLoan,
  type LoanEvent,
  type LoanRules,
  type ReplayInput,
  type ScheduleVersion,
} from '../../src/domain/loan-replay.js';
import { loanTimeline, segmentOn, stateOn, type TimelineSegment } from '../../src/domain/loan-timeline.js';
import { Decimal } from '../../src/domain/money.js';
import { day, disbursedOn, installments, repayment, rules, version1 } from './loan-fixtures.js';


function loan(events: LoanEvent[], overrides: Partial<Omit<ReplayInput, 'asOf' | 'rules'>> & { rules?: Partial<LoanRules> } = {}): Omit<ReplayInput, 'asOf'> {
  const { rules: ruleOverrides, ...rest } = overrides;
  return { principal: 10_000_000n, disbursedOn, rules: { ...rules, ...ruleOverrides }, scheduleVersions: [version1], events, ...rest };
}

function segmentAt(segments: readonly TimelineSegment[], iso: string): TimelineSegment {
  const segment = segmentOn(segments, day(iso));
  if (segment === undefined) throw new Error(`no segment on ${iso}`);
  return segment;
}

function stateAt(segments: readonly TimelineSegment[], iso: string, loanRules: LoanRules = rules) {
  return stateOn(segmentAt(segments, iso), day(iso), loanRules);
}

/** The segments' [from, to) as ISO dates, to read the boundaries at a glance. */
function spans(segments: readonly TimelineSegment[]): string[] {
  return segments.map((segment) => `${formatIsoDate(segment.fromDay)} ${segment.toDay === null ? '...' : formatIsoDate(segment.toDay)}`);
}

/** The timeline as of `iso` against replayLoan as of it, on the fields both report. */
function expectSameAsReplay(input: Omit<ReplayInput, 'asOf'>, segments: readonly TimelineSegment[], iso: string): void {
  const position = replayLoan({ ...input, asOf: day(iso) });
  const segment = segmentAt(segments, iso);
  expect({ ...stateOn(segment, day(iso), input.rules), overduePrincipal: segment.overduePrincipal, principalOutstanding: segment.principalOutstanding, credit: segment.credit }).toEqual({
    daysPastDue: position.daysPastDue,
    penaltyAccrued: position.penaltyAccrued,
    lateInterestAccrued: position.lateInterestAccrued,
    penaltyAccruedToDate: position.penaltyAccruedToDate,
    lateInterestAccruedToDate: position.lateInterestAccruedToDate,
    overduePrincipal: position.overduePrincipal,
    principalOutstanding: position.principalOutstanding,
    credit: position.credit,
  });
}

describe('a loan never repaid', () => {
  const input = loan([]);
  const segments = loanTimeline(input);

  it('starts a segment on disbursement and on the day after each due date', () => {
    // 2025-01-10 .. 02-11 current, then one segment per installment falling overdue; the last is open-ended.
    const overdueFrom = installments.map((installment) => formatIsoDate(addDays(installment.dueOn, 1)));
    expect(overdueFrom.slice(0, 3)).toEqual(['2025-02-11', '2025-03-11', '2025-04-11']);
    expect(spans(segments)).toEqual(['2025-01-10 2025-02-11', ...overdueFrom.map((from, index) => `${from} ${overdueFrom[index + 1] ?? '...'}`)]);
    expect(segments[0]).toMatchObject({ version: 1, principalOutstanding: 10_000_000n, overduePrincipal: 0n, oldestUnpaidDueOn: null, penaltyAmountDays: 0n, penaltyAmountPerDay: 0n });
  });

  it('accrues penalty linearly inside a segment', () => {
    // From 2025-02-11: #1 overdue, 1 day by the end of the 11th: 833,333 amount-days, 833,333 more a day.
    expect(segmentAt(segments, '2025-02-11')).toMatchObject({ overduePrincipal: 833_333n, overdueInterest: 80_000n, oldestUnpaidDueOn: day('2025-02-10'), penaltyAmountDays: 833_333n, penaltyAmountPerDay: 833_333n });
    // 2025-02-25, 15 days: 833,333 x 15 x 12.48 / 36,500 = 155,999,937.6 / 36,500 = 4,273.97 -> 4,274.
    expect(stateAt(segments, '2025-02-25')).toEqual({ daysPastDue: 15, penaltyAccrued: 4_274n, lateInterestAccrued: 0n, penaltyAccruedToDate: 4_274n, lateInterestAccruedToDate: 0n });
    // From 2025-03-11: #1 30 days (02-11 .. 03-12 less one) + #2 1 day = 833,333 x 30 = 24,999,990, and 1,666,666 a day.
    expect(segmentAt(segments, '2025-03-11')).toMatchObject({ overduePrincipal: 1_666_666n, overdueInterest: 153_333n, penaltyAmountDays: 24_999_990n, penaltyAmountPerDay: 1_666_666n });
    // 2025-03-12: 24,999,990 + 1,666,666 = 26,666,656 = 833,333 x 32; x 12.48 / 36,500 = 9,117.80 -> 9,118; 30 days past due.
    expect(stateAt(segments, '2025-03-12')).toMatchObject({ daysPastDue: 30, penaltyAccrued: 9_118n });
    for (const iso of ['2025-01-10', '2025-02-10', '2025-02-11', '2025-02-25', '2025-03-10', '2025-03-11', '2025-03-12', '2026-01-10', '2026-01-11', '2027-06-30']) expectSameAsReplay(input, segments, iso);
  });

  it('has no segment before disbursement', () => {
    expect(segmentOn(segments, day('2025-01-09'))).toBeUndefined();
    expect(segmentOn([], day('2025-01-09'))).toBeUndefined();
  });
});

describe('the due date convention', () => {
  it('a payment on the due date is on time: no day overdue; the day after, its principal has fallen due', () => {
    const input = loan([repayment('r1', '2025-02-10', 913_333n)]);
    const segments = loanTimeline(input);
    // #1 settled on its date: nothing is overdue on 02-11, but #1's principal has fallen due from then on.
    expect(spans(segments).slice(0, 3)).toEqual(['2025-01-10 2025-02-10', '2025-02-10 2025-02-11', '2025-02-11 2025-03-11']);
    expect(segmentAt(segments, '2025-02-10').principalFallenDue).toBe(0n);
    expect(segmentAt(segments, '2025-03-10').principalFallenDue).toBe(833_333n);
    expect(segmentAt(segments, '2025-02-11')).toMatchObject({ principalPaid: 833_333n, interestPaid: 80_000n, overduePrincipal: 0n, oldestUnpaidDueOn: null, penaltyAmountPerDay: 0n });
    expect(stateAt(segments, '2025-03-10')).toMatchObject({ daysPastDue: 0, penaltyAccrued: 0n });
  });

  it('a part paid on the due date: nothing overdue that day, what is left overdue from the next', () => {
    // 500,000 on 2025-02-10, interest first: 80,000 interest and 420,000 principal; 413,333 principal left.
    const input = loan([repayment('part', '2025-02-10', 500_000n)]);
    const segments = loanTimeline(input);
    expect(spans(segments).slice(0, 3)).toEqual(['2025-01-10 2025-02-10', '2025-02-10 2025-02-11', '2025-02-11 2025-03-11']);
    // On the 10th itself: not overdue, but 413,333 starts accruing with the next day.
    expect(segmentAt(segments, '2025-02-10')).toMatchObject({ overduePrincipal: 0n, oldestUnpaidDueOn: null, penaltyAmountDays: 0n, penaltyAmountPerDay: 413_333n });
    expect(segmentAt(segments, '2025-02-11')).toMatchObject({ overduePrincipal: 413_333n, overdueInterest: 0n, oldestUnpaidDueOn: day('2025-02-10'), penaltyAmountDays: 413_333n });
    // 2025-02-20, 10 days: 413,333 x 10 x 12.48 / 36,500 = 51,583,958.4 / 36,500 = 1,413.26 -> 1,413.
    expect(stateAt(segments, '2025-02-20')).toMatchObject({ daysPastDue: 10, penaltyAccrued: 1_413n });
    for (const iso of ['2025-02-10', '2025-02-11', '2025-02-20']) expectSameAsReplay(input, segments, iso);
  });
});

describe('a late repayment', () => {
  // #1 paid 2025-03-02 with 20 days of penalty: 833,333 x 20 = 16,666,660 amount-days; x 12.48 / 36,500
  // = 5,698.63 -> 5,699. With late interest at 5 %: 80,000 x 20 = 1,600,000; x 5 / 36,500 = 219.18 -> 219.
  const input = loan([repayment('late', '2025-03-02', 913_333n + 5_699n + 219n)], { rules: { lateInterestAnnualRatePercent: new Decimal(5) } });
  const segments = loanTimeline(input);

  it('accrues until the payment, then holds the paid penalty with nothing accruing', () => {
    expect(spans(segments).slice(0, 4)).toEqual(['2025-01-10 2025-02-11', '2025-02-11 2025-03-02', '2025-03-02 2025-03-11', '2025-03-11 2025-04-11']);
    // 2025-03-01, 19 days: 833,333 x 19 x 12.48 / 36,500 = 5,413.70 -> 5,414; 80,000 x 19 x 5 / 36,500 = 208.22 -> 208.
    expect(stateAt(segments, '2025-03-01', input.rules)).toEqual({ daysPastDue: 19, penaltyAccrued: 5_414n, lateInterestAccrued: 208n, penaltyAccruedToDate: 5_414n, lateInterestAccruedToDate: 208n });
    expect(segmentAt(segments, '2025-03-02')).toMatchObject({
      principalPaid: 833_333n,
      interestPaid: 80_000n,
      penaltyPaid: 5_699n,
      lateInterestPaid: 219n,
      overduePrincipal: 0n,
      penaltyAmountDays: 16_666_660n,
      penaltyAmountPerDay: 0n,
      lateInterestAmountDays: 1_600_000n,
      lateInterestAmountPerDay: 0n,
    });
    expect(stateAt(segments, '2025-03-10', input.rules)).toEqual({ daysPastDue: 0, penaltyAccrued: 0n, lateInterestAccrued: 0n, penaltyAccruedToDate: 5_699n, lateInterestAccruedToDate: 219n });
    for (const iso of ['2025-03-01', '2025-03-02', '2025-03-10', '2025-03-11']) expectSameAsReplay(input, segments, iso);
  });

  it('reads the same with rates prepared once', () => {
    const rates = accrualRatesOf(input.rules);
    expect(stateOn(segmentAt(segments, '2025-03-01'), day('2025-03-01'), rates)).toEqual(stateAt(segments, '2025-03-01', input.rules));
  });
});

describe('a payoff', () => {
  it('closes the loan: the last segment is open-ended, with the credit held and nothing falling due', () => {
    // #1 on time; 2025-02-25 pays 9,202,831 (principal 9,166,667 + 36,164 interest to date) + 5,000 held.
    const input = loan([repayment('first', '2025-02-10', 913_333n), repayment('payoff', '2025-02-25', 9_202_831n + 5_000n)]);
    const segments = loanTimeline(input);
    expect(spans(segments)).toEqual(['2025-01-10 2025-02-10', '2025-02-10 2025-02-11', '2025-02-11 2025-02-25', '2025-02-25 ...']);
    // Repaid, the loan's whole principal has fallen due.
    expect(segments[3]).toMatchObject({ closed: true, principalOutstanding: 0n, principalPaid: 10_000_000n, interestPaid: 116_164n, credit: 5_000n, overduePrincipal: 0n, penaltyAmountPerDay: 0n, principalFallenDue: 10_000_000n });
    expect(stateAt(segments, '2026-06-30')).toMatchObject({ daysPastDue: 0, penaltyAccrued: 0n });
  });
});

describe('a write-off', () => {
  // #1 paid on time, written off 2025-12-31. By then #2 .. #11 were overdue 296, 265, 235, 204, 174, 143,
  // 112, 82, 51 and 21 days (03-11 .. 12-31 is 296 days), 1,583 in all: 833,333 x 1,583 = 1,319,166,139
  // amount-days; x 12.48 / 36,500 = 16,463,193,414.72 / 36,500 = 451,046.39 -> 451,046.
  const input = loan([repayment('first', '2025-02-10', 913_333n), { kind: 'write_off', id: 'w', on: day('2025-12-31') }]);
  const segments = loanTimeline(input);

  it('ends the timeline with one open-ended segment off the books, accruing nothing', () => {
    const last = segments[segments.length - 1] as TimelineSegment;
    expect(last).toMatchObject({
      fromDay: day('2025-12-31'),
      toDay: null,
      writtenOff: true,
      principalWrittenOff: 9_166_667n,
      principalOutstanding: 0n,
      overduePrincipal: 0n,
      overdueInterest: 0n,
      oldestUnpaidDueOn: null,
      penaltyAmountDays: 1_319_166_139n,
      penaltyAmountPerDay: 0n,
    });
    // #12 (due 2026-01-10) never falls overdue: no boundary after the write-off.
    expect(stateAt(segments, '2026-06-30')).toEqual({ daysPastDue: 0, penaltyAccrued: 0n, lateInterestAccrued: 0n, penaltyAccruedToDate: 451_046n, lateInterestAccruedToDate: 0n });
    // The day before: 295 days past due (#2, due 03-10: 21 + 30 + 31 + 30 + 31 + 31 + 30 + 31 + 30 + 30 = 295).
    expect(stateAt(segments, '2025-12-30')).toMatchObject({ daysPastDue: 295 });
    for (const iso of ['2025-12-30', '2025-12-31', '2026-01-11', '2026-06-30']) expectSameAsReplay(input, segments, iso);
  });

  it('refuses a repayment after the write-off, as replayLoan does', () => {
    const call = () => loanTimeline(loan([...input.events, repayment('recovery', '2026-01-05', 100_000n)]));
    expect(call).toThrow(LoanReplayError);
    expect(call).toThrow(/repayment_after_write_off/);
  });
});

describe('a rescheduling', () => {
  // The flood of loan-replay.test.ts: #1 paid on time, 50,000 on #2's date (its interest), #3 unpaid;
  // rescheduled on E = 2025-04-20 into 10 installments from 2025-07-20 (50,000 interest each; #4 of the
  // new version carries 23,333 + 66,667 = 90,000 deferred: 140,000).
  const effectiveOn = day('2025-04-20');
  const events = [repayment('first', '2025-02-10', 913_333n), repayment('second', '2025-03-10', 50_000n)];
  const newPlan = Array.from({ length: 10 }, (_, index) => ({ dueOn: addMonths(day('2025-07-20'), index), principalDue: index < 9 ? 916_666n : 916_673n, interestDue: 50_000n }));
  const atE = replayLoan({ ...loan(events), asOf: effectiveOn });
  const version2: ScheduleVersion = { version: 2, effectiveOn, installments: composeRescheduledInstallments(atE, effectiveOn, newPlan) };
  const input = loan(events, { scheduleVersions: [version1, version2] });
  const segments = loanTimeline(input);

  it('switches version on E, clears the arrears and keeps the penalty to E, then follows the new dates', () => {
    expect(spans(segments).slice(3, 8)).toEqual(['2025-03-10 2025-03-11', '2025-03-11 2025-04-11', '2025-04-11 2025-04-20', '2025-04-20 2025-07-21', '2025-07-21 2025-08-21']);
    // Before E: #2 (833,333 + 23,333) and #3 (833,333 + 66,667) overdue since 03-10.
    expect(segmentAt(segments, '2025-04-19')).toMatchObject({ version: 1, overduePrincipal: 1_666_666n, overdueInterest: 90_000n, oldestUnpaidDueOn: day('2025-03-10') });
    expect(stateAt(segments, '2025-04-19')).toMatchObject({ daysPastDue: 40 });
    // From E: #2 41 days + #3 10 days = 833,333 x 51 = 42,499,983 amount-days, frozen; x 12.48 / 36,500
    // = 14,531.50 -> 14,532 collectible until paid.
    expect(segmentAt(segments, '2025-04-20')).toMatchObject({ version: 2, overduePrincipal: 0n, overdueInterest: 0n, oldestUnpaidDueOn: null, penaltyAmountDays: 42_499_983n, penaltyAmountPerDay: 0n });
    expect(stateAt(segments, '2025-07-20')).toMatchObject({ daysPastDue: 0, penaltyAccrued: 14_532n });
    // 2025-07-21: the new #4 (916,666 + 140,000) is 1 day overdue.
    expect(segmentAt(segments, '2025-07-21')).toMatchObject({ version: 2, overduePrincipal: 916_666n, overdueInterest: 140_000n, oldestUnpaidDueOn: day('2025-07-20'), penaltyAmountPerDay: 916_666n });
    expect(stateAt(segments, '2025-07-21')).toMatchObject({ daysPastDue: 1 });
    for (const iso of ['2025-04-19', '2025-04-20', '2025-04-21', '2025-07-20', '2025-07-21', '2026-08-01']) expectSameAsReplay(input, segments, iso);
  });
});

describe('stateOn outside its segment', () => {
  it('is refused', () => {
    const segments = loanTimeline(loan([]));
    const first = segments[0] as TimelineSegment;
    expect(() => stateOn(first, day('2025-01-09'), rules)).toThrow(LoanReplayError);
    expect(() => stateOn(first, first.toDay as DayNumber, rules)).toThrow(LoanReplayError);
    expect(() => stateOn(first, (first.toDay as DayNumber) - 1, rules)).not.toThrow();
  });
});
