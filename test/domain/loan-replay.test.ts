// Worked scenarios for the loan replay, every number checked by hand in the comments.
//
// The loan: 10,000,000 đồng disbursed 2025-01-10 at 9.6 %/yr, 12 monthly installments due on the 10th
// (2025-02-10 .. 2026-01-10; 2025 is not a leap year). A hand-made schedule: principal 833,333 eleven
// times and 833,337 last (11 x 833,333 = 9,166,663; + 833,337 = 10,000,000); interest 0.8 % (9.6 / 12)
// of the balance before each installment, half-up:
//   #1 10,000,000 x 0.008 = 80,000        #7  5,000,002 x 0.008 = 40,000.016 -> 40,000
//   #2  9,166,667 x 0.008 = 73,333.336    #8  4,166,669 x 0.008 = 33,333.352 -> 33,333
//   #3  8,333,334 x 0.008 = 66,666.672    #9  3,333,336 x 0.008 = 26,666.688 -> 26,667
//   #4  7,500,001 x 0.008 = 60,000.008    #10 2,500,003 x 0.008 = 20,000.024 -> 20,000
//   #5  6,666,668 x 0.008 = 53,333.344    #11 1,666,670 x 0.008 = 13,333.36  -> 13,333
//   #6  5,833,335 x 0.008 = 46,666.68     #12   833,337 x 0.008 =  6,666.696 ->  6,667
// so 80,000 / 73,333 / 66,667 / 60,000 / 53,333 / 46,667 / 40,000 / 33,333 / 26,667 / 20,000 / 13,333
// / 6,667, 520,000 in all. Installment #1 is 913,333, #2 906,666, #3 900,000.
//
// Penalty rate: 9.6 % x 1.30 = 12.48 % a year, on actual days / 365: one day on 833,333 overdue is
// 833,333 x 12.48 / 36,500 = 10,399,995.84 / 36,500 = 284.9314... đồng (kept exact, rounded once).
import { describe, expect, it } from 'vitest';
import { addMonths } from '../../src/domain/calendar.js';
import {
  amountDueOn,
  composeRescheduledInstallments,
  LoanReplayError,
  payoffQuote,
  replayLoan,
  sameAllocation,
  type Allocation,
  type LoanEvent,
  type LoanPosition,
  type LoanRules,
  type ReplayInput,
  type ScheduleVersion,
} from '../../src/domain/loan-replay.js';
import { Decimal } from '../../src/domain/money.js';
import { day, disbursedOn, installments, repayment, rules, version1 } from './loan-fixtures.js';


function replay(events: LoanEvent[], asOf: string, overrides: Partial<Omit<ReplayInput, 'rules'>> & { rules?: Partial<LoanRules> } = {}): LoanPosition {
  const { rules: ruleOverrides, ...rest } = overrides;
  return replayLoan({
    principal: 10_000_000n,
    disbursedOn,
    rules: { ...rules, ...ruleOverrides },
    scheduleVersions: [version1],
    events,
    asOf: day(asOf),
    ...rest,
  });
}

function allocationOf(position: LoanPosition, id: string): Allocation {
  const allocation = position.allocations.get(id);
  if (!allocation) throw new Error(`no allocation ${id}`);
  return allocation;
}

/** The money parts of an allocation, for compact expectations. */
function parts(allocation: Allocation) {
  const { principal, interest, penalty, lateInterest, creditAdded, creditUsed, closesLoan } = allocation;
  return { principal, interest, penalty, lateInterest, creditAdded, creditUsed, closesLoan };
}

const nothingElse = { penalty: 0n, lateInterest: 0n, creditAdded: 0n, creditUsed: 0n, closesLoan: false };

describe('a loan repaid on time', () => {
  const onTime = installments.map((installment) => ({
    kind: 'repayment' as const,
    id: `r${installment.number}`,
    on: installment.dueOn,
    amount: installment.principalDue + installment.interestDue,
  }));

  it('allocates each installment to its interest and principal, and the last one closes the loan', () => {
    const position = replay(onTime, '2026-01-10');
    for (const installment of installments) {
      const allocation = allocationOf(position, `r${installment.number}`);
      expect(parts(allocation)).toEqual({ ...nothingElse, principal: installment.principalDue, interest: installment.interestDue, closesLoan: installment.number === 12 });
      expect(allocation.byInstallment).toEqual([{ number: installment.number, principal: installment.principalDue, interest: installment.interestDue }]);
    }
    expect(position).toMatchObject({
      closed: true,
      closedOn: day('2026-01-10'),
      principalPaid: 10_000_000n,
      principalOutstanding: 0n,
      interestPaid: 520_000n,
      interestWaived: 0n,
      penaltyAccruedToDate: 0n,
      daysPastDue: 0,
      oldestUnpaidDueOn: null,
      nextDueOn: null,
    });
    expect(position.payoff.total).toBe(0n);
  });

  it('halfway: five installments paid, 10,000,000 - 5 x 833,333 = 5,833,335 outstanding', () => {
    const position = replay(onTime, '2025-06-10');
    // 80,000 + 73,333 + 66,667 + 60,000 + 53,333 = 333,333 of interest.
    expect(position).toMatchObject({ principalPaid: 4_166_665n, principalOutstanding: 5_833_335n, interestPaid: 333_333n, daysPastDue: 0, nextDueOn: day('2025-07-10') });
    expect(position.allocations.size).toBe(5);
  });
});

describe('a late repayment', () => {
  // #1 (due 2025-02-10) paid 2025-03-02: overdue 2025-02-11 .. 2025-03-02 = 18 + 2 = 20 days.
  // Penalty 833,333 x 9.6 % x 1.30 x 20 / 365 = 207,999,916.8 / 36,500 = 5,698.63 -> 5,699.
  const late = [repayment('late', '2025-03-02', 913_333n + 5_699n)];

  it('pays principal, then interest, then 20 days of penalty', () => {
    const position = replay(late, '2025-03-02');
    expect(parts(allocationOf(position, 'late'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n, penalty: 5_699n });
    expect(position).toMatchObject({ penaltyPaid: 5_699n, penaltyAccrued: 0n, penaltyAccruedToDate: 5_699n, daysPastDue: 0 });
  });

  it('adds late interest on the overdue interest when the product charges it', () => {
    // 80,000 x 5 % x 20 / 365 = 8,000,000 / 36,500 = 219.18 -> 219 (no multiplier).
    const position = replay([repayment('late', '2025-03-02', 913_333n + 5_699n + 219n)], '2025-03-02', { rules: { lateInterestAnnualRatePercent: new Decimal(5) } });
    expect(parts(allocationOf(position, 'late'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n, penalty: 5_699n, lateInterest: 219n });
  });

  it('as of a date before the payment shows the arrears it had then', () => {
    // As of 2025-02-25: 15 days overdue; penalty 833,333 x 12.48 x 15 / 36,500 = 155,999,937.6 / 36,500 = 4,273.97 -> 4,274.
    const position = replay(late, '2025-02-25');
    expect(position.allocations.size).toBe(0);
    expect(position).toMatchObject({ overduePrincipal: 833_333n, overdueInterest: 80_000n, daysPastDue: 15, oldestUnpaidDueOn: day('2025-02-10'), penaltyAccrued: 4_274n });
    // Payoff: all principal; interest 80,000 overdue + the current period's: 9,166,667 not yet due x 9.6 x 15 / 36,500
    // = 1,320,000,048 / 36,500 = 36,164.38 -> 36,164; so 10,000,000 + 116,164 + 4,274 = 10,120,438.
    expect(payoffQuote(position)).toEqual({ principal: 10_000_000n, interest: 116_164n, penalty: 4_274n, lateInterest: 0n, credit: 0n, total: 10_120_438n });
    // As of 2025-03-01 (19 days): 10,399,995.84 x 19 / 36,500 = 5,413.70 -> 5,414.
    expect(replay(late, '2025-03-01')).toMatchObject({ daysPastDue: 19, penaltyAccrued: 5_414n });
  });

  it('paid in part, then the rest: the penalty accrues on what stayed overdue', () => {
    // 2025-02-20, 10 days late: penalty 10,399,995.84 x 10 / 36,500 = 2,849.31 (not collected: principal comes first).
    // 2025-03-02, 10 more days on 333,333: exact total (833,333 x 10 + 333,333 x 10) x 12.48 / 36,500
    // = 145,599,916.8 / 36,500 = 3,989.04 -> 3,989. Rest: 333,333 + 80,000 + 3,989 = 417,322.
    const position = replay([repayment('part', '2025-02-20', 500_000n), repayment('rest', '2025-03-02', 417_322n)], '2025-03-02');
    expect(parts(allocationOf(position, 'part'))).toEqual({ ...nothingElse, principal: 500_000n, interest: 0n });
    expect(parts(allocationOf(position, 'rest'))).toEqual({ ...nothingElse, principal: 333_333n, interest: 80_000n, penalty: 3_989n });
    expect(position).toMatchObject({ penaltyAccrued: 0n, daysPastDue: 0, overduePrincipal: 0n });
  });

  it('under penalty_interest_principal the same part pays penalty, then interest, then principal', () => {
    // 500,000 - 2,849 penalty - 80,000 interest = 417,151 of principal.
    const position = replay([repayment('part', '2025-02-20', 500_000n)], '2025-02-20', { rules: { overdueOrder: 'penalty_interest_principal' } });
    expect(parts(allocationOf(position, 'part'))).toEqual({ ...nothingElse, principal: 417_151n, interest: 80_000n, penalty: 2_849n });
    expect(position.overduePrincipal).toBe(833_333n - 417_151n);
  });
});

describe('a repayment a few days before the due date', () => {
  it('pays the next installment (on time, not an overpayment)', () => {
    const position = replay([repayment('early', '2025-02-07', 913_333n)], '2025-02-11');
    expect(parts(allocationOf(position, 'early'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n });
    expect(allocationOf(position, 'early').byInstallment).toEqual([{ number: 1, principal: 833_333n, interest: 80_000n }]);
    expect(position).toMatchObject({ daysPastDue: 0, overduePrincipal: 0n, penaltyAccrued: 0n, nextDueOn: day('2025-03-10') });
  });
});

describe('an overpayment', () => {
  // 2,000,000 on 2025-02-10: #1 due that day 913,333 (rest 1,086,667), then the next installment #2
  // 73,333 + 833,333 = 906,666 (rest 180,001), then the overpayment rule.
  const overpaid = repayment('over', '2025-02-10', 2_000_000n);

  it('under prepay goes to the principal of the last installment; its interest stays scheduled', () => {
    const position = replay([overpaid], '2025-02-10');
    const allocation = allocationOf(position, 'over');
    // Principal 833,333 + 833,333 + 180,001 = 1,846,667; interest 80,000 + 73,333 = 153,333; sum 2,000,000.
    expect(parts(allocation)).toEqual({ ...nothingElse, principal: 1_846_667n, interest: 153_333n });
    expect(allocation.byInstallment).toEqual([
      { number: 1, principal: 833_333n, interest: 80_000n },
      { number: 2, principal: 833_333n, interest: 73_333n },
      { number: 12, principal: 180_001n, interest: 0n },
    ]);
    expect(position.installments[11]).toMatchObject({ principalDue: 833_337n, principalPaid: 180_001n, interestDue: 6_667n, interestPaid: 0n });
    expect(position.principalOutstanding).toBe(10_000_000n - 1_846_667n);
  });

  it('under hold_credit pays the installments after it ahead, in their order, so none falls due unpaid', () => {
    const holding = { rules: { overpayment: 'hold_credit' as const } };
    // The 180,001 left goes to #3 (900,000): its interest 66,667 first, then 113,334 of its principal 833,333.
    const ahead = replay([overpaid], '2025-03-20', holding);
    expect(parts(allocationOf(ahead, 'over'))).toEqual({ ...nothingElse, principal: 1_780_000n, interest: 220_000n });
    expect(allocationOf(ahead, 'over').byInstallment).toEqual([
      { number: 1, principal: 833_333n, interest: 80_000n },
      { number: 2, principal: 833_333n, interest: 73_333n },
      { number: 3, principal: 113_334n, interest: 66_667n },
    ]);
    // #2 fell due on 2025-03-10, paid: nothing is late and no penalty runs; the term is the same twelve installments.
    expect(ahead).toMatchObject({ daysPastDue: 0, overduePrincipal: 0n, penaltyAccrued: 0n, credit: 0n, nextDueOn: day('2025-04-10') });
    expect(ahead.installments).toHaveLength(12);
    // On #3's due date the rest of it, 900,000 - 180,001 = 719,999, is its principal.
    const rest = replay([overpaid, repayment('next', '2025-04-10', 719_999n)], '2025-04-10', holding);
    expect(parts(allocationOf(rest, 'next'))).toEqual({ ...nothingElse, principal: 719_999n, interest: 0n });
    // Unpaid, #3 is late by the days since its due date for the 719,999 still owed on it.
    expect(replay([overpaid], '2025-04-20', holding)).toMatchObject({ daysPastDue: 10, overduePrincipal: 719_999n });
  });
});

describe('a payoff in the middle of a period', () => {
  // #1 paid on 2025-02-10; payoff 2025-02-25, 15 days after that due date. Interest to date on
  // 9,166,667: 9,166,667 x 9.6 x 15 / 36,500 = 1,320,000,048 / 36,500 = 36,164.38 -> 36,164 (under #2's
  // 73,333). Payoff 9,166,667 + 36,164 = 9,202,831.
  const first = repayment('first', '2025-02-10', 913_333n);

  it('quotes principal plus interest to date', () => {
    expect(replay([first], '2025-02-25').payoff).toEqual({ principal: 9_166_667n, interest: 36_164n, penalty: 0n, lateInterest: 0n, credit: 0n, total: 9_202_831n });
  });

  it('collects interest to date, waives the interest not accrued, and closes the loan', () => {
    const position = replay([first, repayment('payoff', '2025-02-25', 9_202_831n + 5_000n)], '2025-03-31');
    expect(parts(allocationOf(position, 'payoff'))).toEqual({ ...nothingElse, principal: 9_166_667n, interest: 36_164n, creditAdded: 5_000n, closesLoan: true });
    // #2 waives 73,333 - 36,164 = 37,169; #3..#12 waive all: 520,000 - 80,000 - 36,164 = 403,836 in all.
    expect(position.installments[1]).toMatchObject({ interestPaid: 36_164n, interestWaived: 37_169n });
    expect(position.installments[2]).toMatchObject({ interestPaid: 0n, interestWaived: 66_667n });
    expect(position).toMatchObject({ closed: true, closedOn: day('2025-02-25'), interestWaived: 403_836n, principalOutstanding: 0n, credit: 5_000n, daysPastDue: 0 });
    // Nothing falls due after a payoff: as of 2025-03-31 no arrears, no penalty.
    expect(position).toMatchObject({ overduePrincipal: 0n, penaltyAccrued: 0n, penaltyAccruedToDate: 0n });
  });

  it('one đồng short is not a payoff: the next installment, then prepayment', () => {
    // 9,202,830: #2 in full 906,666, rest 8,296,164 prepays backwards: #12 833,337 + #11..#4 8 x 833,333
    // = 7,500,001, then 796,163 of #3, leaving 833,333 - 796,163 = 37,170 of principal.
    const position = replay([first, repayment('short', '2025-02-25', 9_202_830n)], '2025-02-25');
    expect(parts(allocationOf(position, 'short'))).toEqual({ ...nothingElse, principal: 9_129_497n, interest: 73_333n });
    expect(position.installments[2]).toMatchObject({ principalPaid: 796_163n });
    expect(position.principalOutstanding).toBe(37_170n);
    expect(position.closed).toBe(false);
  });
});

describe('a backdated repayment', () => {
  it('changes the allocation of a later repayment', () => {
    const later = repayment('later', '2025-03-10', 913_333n);
    // Alone, 'later' finds #1 28 days overdue (2025-02-11 .. 03-10): principal 833,333 then interest 80,000;
    // nothing is left for the penalty (10,399,995.84 x 28 / 36,500 = 7,978.08 -> 7,978) or for #2, due that day.
    const before = replay([later], '2025-03-10');
    expect(parts(allocationOf(before, 'later'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n });
    expect(before).toMatchObject({ penaltyAccrued: 7_978n, daysPastDue: 0, overduePrincipal: 0n });
    expect(before.installments[1]).toMatchObject({ principalPaid: 0n, interestPaid: 0n });

    // The leader records the 2025-02-10 meeting late; it is given after 'later' but replays first.
    const after = replay([later, repayment('backdated', '2025-02-10', 913_333n)], '2025-03-10');
    expect(parts(allocationOf(after, 'backdated'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n });
    // Now 'later' pays #2 due that day (73,333 + 833,333 = 906,666) and the 6,667 left to #3's interest,
    // early: interest 73,333 + 6,667 = 80,000.
    expect(parts(allocationOf(after, 'later'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n });
    expect(allocationOf(after, 'later').byInstallment).toEqual([
      { number: 2, principal: 833_333n, interest: 73_333n },
      { number: 3, principal: 0n, interest: 6_667n },
    ]);
    expect(after.penaltyAccruedToDate).toBe(0n);
    expect(sameAllocation(allocationOf(before, 'later'), allocationOf(after, 'later'))).toBe(false);
    expect(sameAllocation(allocationOf(after, 'later'), allocationOf(replay([repayment('backdated', '2025-02-10', 913_333n), later], '2025-03-10'), 'later'))).toBe(true);
  });
});

describe('days past due', () => {
  it.each([
    ['2025-02-10', 0],
    ['2025-02-11', 1],
    ['2025-02-19', 9],
    ['2025-02-20', 10],
    ['2025-03-12', 30],
  ])('as of %s with #1 (due 2025-02-10) unpaid: %i', (asOf, days) => {
    const position = replay([], asOf);
    expect(position.daysPastDue).toBe(days);
    expect(position.oldestUnpaidDueOn).toBe(days === 0 ? null : day('2025-02-10'));
  });

  it('moves to the next unpaid installment when the oldest is cleared; penalty alone is not past due', () => {
    // 2025-03-12: #1 paid (principal and interest only), #2 due 2025-03-10 still unpaid: 2 days.
    const one = replay([repayment('one', '2025-03-12', 913_333n)], '2025-03-12');
    expect(parts(allocationOf(one, 'one'))).toEqual({ ...nothingElse, principal: 833_333n, interest: 80_000n });
    expect(one).toMatchObject({ daysPastDue: 2, oldestUnpaidDueOn: day('2025-03-10') });
    // Then #2 paid too, penalty left: 833,333 x (30 + 2) days x 12.48 / 36,500 = 332,799,866.88 / 36,500 = 9,117.80 -> 9,118.
    const two = replay([repayment('one', '2025-03-12', 913_333n), repayment('two', '2025-03-12', 906_666n)], '2025-03-12');
    expect(two).toMatchObject({ daysPastDue: 0, oldestUnpaidDueOn: null, penaltyAccrued: 9_118n, overduePrincipal: 0n });
    // Penalty owed is still "overdue" for allocation: the next repayment pays it first.
    const three = replay([repayment('one', '2025-03-12', 913_333n), repayment('two', '2025-03-12', 906_666n), repayment('three', '2025-03-20', 10_000n)], '2025-03-20');
    expect(parts(allocationOf(three, 'three'))).toEqual({ ...nothingElse, principal: 0n, interest: 882n, penalty: 9_118n });
  });
});

describe('amount due on a meeting date', () => {
  it('sums what is unpaid on installments due on or before it, with penalty as of the position', () => {
    const position = replay([], '2025-03-12');
    // #1 and #2: 833,333 x 2 principal, 80,000 + 73,333 interest; penalty 9,118 (above).
    expect(amountDueOn(position, day('2025-03-12'))).toEqual({
      principal: 1_666_666n,
      interest: 153_333n,
      penalty: 9_118n,
      lateInterest: 0n,
      credit: 0n,
      total: 1_666_666n + 153_333n + 9_118n,
      installmentNumbers: [1, 2],
    });
    expect(amountDueOn(replay([], '2025-02-10'), day('2025-02-10')).total).toBe(913_333n);
    expect(amountDueOn(replay([], '2025-02-01'), day('2025-02-01')).total).toBe(0n);
  });
});

describe('a rescheduling', () => {
  // #1 paid on time; #2 (73,333 + 833,333) paid 50,000 on its date (interest first); #3 unpaid. A flood:
  // rescheduled on E = 2025-04-20. By E #2's principal was overdue 2025-03-11 .. 04-20 = 21 + 20 = 41 days
  // and #3's 04-11 .. 04-20 = 10 days: 833,333 x 51 x 12.48 / 36,500 = 530,399,787.84 / 36,500 = 14,531.50 -> 14,532.
  const effectiveOn = day('2025-04-20');
  const events = [repayment('first', '2025-02-10', 913_333n), repayment('second', '2025-03-10', 50_000n)];
  // The new plan for the 9,166,667 outstanding: 10 installments from 2025-07-20, 916,666 x 9 + 916,673
  // (8,249,994 + 916,673 = 9,166,667), 50,000 of interest each (the service's plan).
  const newPlan = Array.from({ length: 10 }, (_, index) => ({ dueOn: addMonths(day('2025-07-20'), index), principalDue: index < 9 ? 916_666n : 916_673n, interestDue: 50_000n }));

  function rescheduled() {
    const atE = replay(events, '2025-04-20');
    const version2: ScheduleVersion = { version: 2, effectiveOn, installments: composeRescheduledInstallments(atE, effectiveOn, newPlan) };
    return { atE, version2 };
  }

  it('cuts the installments due by E to what was paid and defers their unpaid interest', () => {
    const { atE, version2 } = rescheduled();
    expect(atE).toMatchObject({ principalOutstanding: 9_166_667n, penaltyAccrued: 14_532n, daysPastDue: 41 });
    // Deferred: #2's 73,333 - 50,000 = 23,333 plus #3's 66,667 = 90,000, into #4: 50,000 + 90,000.
    expect(version2.installments.slice(0, 5)).toEqual([
      { number: 1, dueOn: day('2025-02-10'), principalDue: 833_333n, interestDue: 80_000n },
      { number: 2, dueOn: day('2025-03-10'), principalDue: 0n, interestDue: 50_000n },
      { number: 3, dueOn: day('2025-04-10'), principalDue: 0n, interestDue: 0n },
      { number: 4, dueOn: day('2025-07-20'), principalDue: 916_666n, interestDue: 140_000n },
      { number: 5, dueOn: day('2025-08-20'), principalDue: 916_666n, interestDue: 50_000n },
    ]);
    expect(version2.installments).toHaveLength(13);
  });

  it('after E nothing is overdue, the penalty to E stays collectible and stops growing', () => {
    const { version2 } = rescheduled();
    const versions = [version1, version2];
    const atE = replay(events, '2025-04-20', { scheduleVersions: versions });
    expect(atE).toMatchObject({ version: 2, daysPastDue: 0, overduePrincipal: 0n, overdueInterest: 0n, penaltyAccrued: 14_532n, principalOutstanding: 9_166_667n });
    expect(atE.installments[3]).toMatchObject({ interestDeferred: 90_000n });
    const june = replay(events, '2025-06-01', { scheduleVersions: versions });
    expect(june.penaltyAccruedToDate).toBe(14_532n);
    // Payoff on 2025-06-01: the deferred 90,000 in full, and the period's interest to date from #3's date
    // (52 days, 9,166,667 x 9.6 x 52 / 36,500 = 125,369.87) capped at #4's own 50,000.
    expect(june.payoff).toEqual({ principal: 9_166_667n, interest: 140_000n, penalty: 14_532n, lateInterest: 0n, credit: 0n, total: 9_321_199n });
    // A repayment of the penalty alone: penalty owed counts as overdue, so it is paid first.
    const paid = replay([...events, repayment('penalty', '2025-06-01', 14_532n)], '2025-07-25', { scheduleVersions: versions });
    expect(parts(allocationOf(paid, 'penalty'))).toEqual({ ...nothingElse, principal: 0n, interest: 0n, penalty: 14_532n });
    // #4 unpaid 5 days after 2025-07-20: past due again, penalty on its principal:
    // 916,666 x 5 x 12.48 / 36,500 = 57,199,958.4 / 36,500 = 1,567.12 -> 1,567.
    expect(paid).toMatchObject({ daysPastDue: 5, overduePrincipal: 916_666n, overdueInterest: 140_000n, penaltyAccrued: 1_567n });
  });

  it('refuses a history that no longer fits the version (a repayment backdated before E)', () => {
    const { version2 } = rescheduled();
    const call = () => replay([...events, repayment('backdated', '2025-04-01', 100_000n)], '2025-05-01', { scheduleVersions: [version1, version2] });
    expect(call).toThrow(LoanReplayError);
    expect(call).toThrow(/schedule_version_mismatch/);
  });

  it('refuses a plan whose principal is not the principal outstanding', () => {
    const atE = replay(events, '2025-04-20');
    const short = newPlan.map((installment, index) => (index === 0 ? { ...installment, principalDue: installment.principalDue - 1n } : installment));
    expect(() => composeRescheduledInstallments(atE, effectiveOn, short)).toThrow(/principal/);
  });

  it('carries interest paid ahead on a dropped installment into the new interest', () => {
    // #2 paid early on 2025-03-05 (906,666), rescheduled 2025-03-08: #2 (due 03-10) is dropped with its
    // 73,333 of interest paid ahead. Outstanding 10,000,000 - 2 x 833,333 = 8,333,334, planned in two halves.
    const early = [repayment('first', '2025-02-10', 913_333n), repayment('early', '2025-03-05', 906_666n)];
    const on = day('2025-03-08');
    const plan = [
      { dueOn: day('2025-06-10'), principalDue: 4_166_667n, interestDue: 50_000n },
      { dueOn: day('2025-07-10'), principalDue: 4_166_667n, interestDue: 50_000n },
    ];
    const version2 = { version: 2, effectiveOn: on, installments: composeRescheduledInstallments(replay(early, '2025-03-08'), on, plan) };
    expect(version2.installments.map((installment) => installment.number)).toEqual([1, 2, 3]);
    const position = replay(early, '2025-03-08', { scheduleVersions: [version1, version2] });
    // 73,333 pays the new #2's 50,000 and 23,333 of #3's.
    expect(position.installments.map((installment) => installment.interestPaid)).toEqual([80_000n, 50_000n, 23_333n]);
    expect(position.interestPaid).toBe(153_333n);
    expect(position.principalOutstanding).toBe(8_333_334n);

    // A relief plan without interest: the 73,333 already paid is recorded on the new #2, paid, not charged again.
    const relief = plan.map((installment) => ({ ...installment, interestDue: 0n }));
    const reliefVersion = { version: 2, effectiveOn: on, installments: composeRescheduledInstallments(replay(early, '2025-03-08'), on, relief) };
    expect(reliefVersion.installments.map((installment) => installment.interestDue)).toEqual([80_000n, 73_333n, 0n]);
    const reliefPosition = replay(early, '2025-07-10', { scheduleVersions: [version1, reliefVersion] });
    expect(reliefPosition.installments[1]).toMatchObject({ interestDue: 73_333n, interestPaid: 73_333n });
    expect(reliefPosition.payoff).toMatchObject({ principal: 8_333_334n, interest: 0n });
  });
});

describe('a write-off', () => {
  const events: LoanEvent[] = [repayment('first', '2025-02-10', 913_333n), { kind: 'write_off', id: 'w', on: day('2025-12-31') }];

  it('takes the principal outstanding off the books and stops accruing', () => {
    const atW = replay(events, '2025-12-31');
    const later = replay(events, '2026-03-01');
    // #2..#11 were due by 2025-12-31: interest 73,333 + 66,667 + 60,000 + 53,333 + 46,667 + 40,000 + 33,333
    // + 26,667 + 20,000 + 13,333 = 433,333.
    expect(later).toMatchObject({
      writtenOff: true,
      writtenOffOn: day('2025-12-31'),
      principalWrittenOff: 9_166_667n,
      principalOutstanding: 0n,
      principalPaid: 833_333n,
      interestWrittenOff: 433_333n,
      penaltyWrittenOff: atW.penaltyWrittenOff,
      penaltyAccruedToDate: atW.penaltyAccruedToDate,
      daysPastDue: 0,
      overduePrincipal: 0n,
      penaltyAccrued: 0n,
    });
    expect(atW.penaltyWrittenOff).toBeGreaterThan(0n);
    expect(later.payoff.total).toBe(0n);
    expect(later.principalPaid + later.principalOutstanding + later.principalWrittenOff).toBe(10_000_000n);
  });

  it('refuses a repayment after the write-off (a recovery, booked by the service)', () => {
    const call = () => replay([...events, repayment('recovery', '2026-01-05', 100_000n)], '2026-02-01');
    expect(call).toThrow(/repayment_after_write_off/);
  });
});

describe('refused input', () => {
  it.each<[string, () => LoanPosition]>([
    ['a schedule that does not sum to the principal', () => replay([], '2025-03-01', { principal: 9_999_999n })],
    ['a repayment before disbursement', () => replay([repayment('x', '2025-01-09', 1n)], '2025-03-01')],
    ['a non-positive repayment', () => replay([repayment('x', '2025-02-01', 0n)], '2025-03-01')],
    ['a duplicate event id', () => replay([repayment('x', '2025-02-01', 1n), repayment('x', '2025-02-02', 1n)], '2025-03-01')],
    ['asOf before disbursement', () => replay([], '2025-01-01')],
    ['a negative rate', () => replay([], '2025-03-01', { rules: { annualRatePercent: new Decimal(-1) } })],
  ])('%s', (_name, call) => {
    expect(call).toThrow(LoanReplayError);
  });
});
