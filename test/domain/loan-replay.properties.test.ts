// Properties of the loan replay over random schedules (2 to 24 installments, principal 1,000 to
// 1,000,000,000), random rules and random repayments (any amount, any dates, given out of order).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DayNumber } from '../../src/domain/calendar.js';
import {
  composeRescheduledInstallments,
  replayLoan,
  sameAllocation,
  type Allocation,
  type LoanEvent,
  type LoanPosition,
  type ReplayInput,
} from '../../src/domain/loan-replay.js';
import { divideRounded } from '../../src/domain/money.js';
import { amountOf, firstScheduleDraws, firstScheduleOf, repaymentDraw } from './loan-arbitraries.js';

const runs = { numRuns: 250 };

interface Scenario {
  readonly input: ReplayInput;
  /** Rates in hundredths of a percent (and hundredths for the multiplier), for the reference accrual. */
  readonly rateHundredths: number;
  readonly multiplierHundredths: number;
  readonly lateRateHundredths: number;
  /** Last due date + 120 days: the end of the window dates are drawn from. */
  readonly horizon: DayNumber;
  readonly totalScheduled: bigint;
}

const scenarioArbitrary = fc
  .record({
    ...firstScheduleDraws,
    asOfDraw: fc.integer({ min: 0, max: 1_000_000 }),
    writeOff: fc.option(fc.integer({ min: 0, max: 60 }), { freq: 5 }),
  })
  .map((draw): Scenario => {
    const { disbursedOn, installments, totalScheduled, horizon, events, rules } = firstScheduleOf(draw);
    const scheduleVersions = [{ version: 1, effectiveOn: disbursedOn, installments }];
    if (draw.writeOff !== null) {
      // A write-off after the last repayment, unless the loan was repaid by then (a closed loan is not written off).
      const writtenOffOn = events.reduce((latest, event) => Math.max(latest, event.on), disbursedOn) + draw.writeOff;
      const byThen = replayLoan({ principal: draw.principal, disbursedOn, rules, scheduleVersions, events, asOf: writtenOffOn });
      if (!byThen.closed) events.push({ kind: 'write_off', id: 'w', on: writtenOffOn });
    }
    return {
      input: {
        principal: draw.principal,
        disbursedOn,
        rules,
        scheduleVersions,
        // Given in draw order: not date order.
        events,
        asOf: disbursedOn + (draw.asOfDraw % (horizon + 80 - disbursedOn)),
      },
      rateHundredths: draw.rules.rateHundredths,
      multiplierHundredths: draw.rules.multiplierHundredths,
      lateRateHundredths: draw.rules.lateRateHundredths,
      horizon,
      totalScheduled,
    };
  });

function sameAs(allocation: Allocation, other: Allocation | undefined): boolean {
  return other !== undefined && sameAllocation(allocation, other);
}

function repaymentsOnly(scenario: Scenario): LoanEvent[] {
  return scenario.input.events.filter((event) => event.kind === 'repayment');
}

function checkInvariants(input: ReplayInput, position: LoanPosition): void {
  const repaymentsReplayed = input.events.filter((event) => event.kind === 'repayment' && event.on <= input.asOf);
  expect(position.allocations.size).toBe(repaymentsReplayed.length);
  for (const event of repaymentsReplayed) {
    if (event.kind !== 'repayment') continue;
    const allocation = position.allocations.get(event.id);
    expect(allocation).toBeDefined();
    if (!allocation) continue;
    const { principal, interest, penalty, lateInterest, creditAdded, creditUsed } = allocation;
    // Every part non-negative, and the parts sum exactly to the amount plus the credit drawn.
    for (const part of [principal, interest, penalty, lateInterest, creditAdded, creditUsed]) expect(part >= 0n).toBe(true);
    expect(principal + interest + penalty + lateInterest + creditAdded).toBe(event.amount + creditUsed);
  }
  // Principal conservation.
  expect(position.principalPaid + position.principalOutstanding + position.principalWrittenOff).toBe(input.principal);
  for (const installment of position.installments) {
    expect(installment.principalPaid >= 0n && installment.principalPaid <= installment.principalDue).toBe(true);
    expect(installment.interestPaid >= 0n && installment.interestWaived >= 0n && installment.interestPaid + installment.interestWaived <= installment.interestDue).toBe(true);
  }
  for (const amount of [position.principalOutstanding, position.overduePrincipal, position.overdueInterest, position.penaltyAccrued, position.lateInterestAccrued, position.credit, position.payoff.total]) {
    expect(amount >= 0n).toBe(true);
  }
  // Collectible = accrued to date, rounded, minus paid (a write-off moves the collectible out of the books).
  if (!position.writtenOff) {
    expect(position.penaltyPaid + position.penaltyAccrued).toBe(position.penaltyAccruedToDate);
    expect(position.lateInterestPaid + position.lateInterestAccrued).toBe(position.lateInterestAccruedToDate);
  }
  expect(position.daysPastDue >= 0).toBe(true);
}

/** Shuffles events but keeps the relative order of events of the same date (the tiebreak). */
function shuffleKeepingSameDayOrder(events: readonly LoanEvent[], keys: readonly number[]): LoanEvent[] {
  const shuffled = events.map((event, index) => ({ event, key: keys[index % Math.max(keys.length, 1)] ?? 0, index })).sort((a, b) => a.key - b.key || a.index - b.index);
  const byDay = new Map<number, LoanEvent[]>();
  for (const event of events) byDay.set(event.on, [...(byDay.get(event.on) ?? []), event]);
  return shuffled.map(({ event }) => (byDay.get(event.on) as LoanEvent[]).shift() as LoanEvent);
}

/**
 * The reference accrual, day by day: on each day t after an installment's due date, its principal (or
 * interest) unpaid by the end of day t - 1 accrues (a repayment on t comes after t's accrual).
 */
function referenceAmountDays(position: LoanPosition, end: DayNumber, part: 'principal' | 'interest'): bigint {
  const paidOn = new Map<number, { on: DayNumber; amount: bigint }[]>();
  for (const allocation of position.allocations.values()) {
    for (const installment of allocation.byInstallment) {
      const amount = part === 'principal' ? installment.principal : installment.interest;
      if (amount > 0n) paidOn.set(installment.number, [...(paidOn.get(installment.number) ?? []), { on: allocation.on, amount }]);
    }
  }
  let total = 0n;
  for (const installment of position.installments) {
    // A payoff settles installments not yet due (interest waived): they never fall overdue.
    if (position.closedOn !== null && installment.dueOn > position.closedOn) continue;
    const payments = paidOn.get(installment.number) ?? [];
    const due = part === 'principal' ? installment.principalDue : installment.interestDue;
    for (let t = installment.dueOn + 1; t <= end; t += 1) {
      const paidBefore = payments.filter((payment) => payment.on < t).reduce((sum, payment) => sum + payment.amount, 0n);
      total += due - paidBefore;
    }
  }
  return total;
}

describe('loan replay properties', () => {
  it('allocations sum to amounts, nothing is negative, principal is conserved', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        checkInvariants(scenario.input, replayLoan(scenario.input));
      }),
      { numRuns: 600 },
    );
  });

  it('the input order of events does not matter beyond the same-day tiebreak', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.array(fc.integer(), { minLength: 1, maxLength: 20 }), (scenario, keys) => {
        const reordered = { ...scenario.input, events: shuffleKeepingSameDayOrder(scenario.input.events, keys) };
        expect(replayLoan(reordered)).toEqual(replayLoan(scenario.input));
      }),
      runs,
    );
  });

  it('a replay as of an earlier date equals the replay of only the events up to it', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const { input } = scenario;
        const upToAsOf = { ...input, events: input.events.filter((event) => event.on <= input.asOf) };
        expect(replayLoan(upToAsOf)).toEqual(replayLoan(input));
      }),
      runs,
    );
  });

  it('is monotone in time: what was paid and accrued only grows, and earlier allocations stand', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer({ min: 0, max: 400 }), (scenario, laterBy) => {
        const earlier = replayLoan(scenario.input);
        const later = replayLoan({ ...scenario.input, asOf: scenario.input.asOf + laterBy });
        expect(earlier.principalPaid <= later.principalPaid).toBe(true);
        expect(earlier.interestPaid <= later.interestPaid).toBe(true);
        expect(earlier.penaltyAccruedToDate <= later.penaltyAccruedToDate).toBe(true);
        expect(earlier.lateInterestAccruedToDate <= later.lateInterestAccruedToDate).toBe(true);
        for (const [id, allocation] of earlier.allocations) expect(sameAs(allocation, later.allocations.get(id))).toBe(true);
      }),
      runs,
    );
  });

  it('a backdated repayment leaves the allocations of earlier repayments as they were', () => {
    fc.assert(
      fc.property(scenarioArbitrary, repaymentDraw, (scenario, draw) => {
        const input = { ...scenario.input, events: repaymentsOnly(scenario), asOf: scenario.horizon };
        const on = input.disbursedOn + (draw.dateDraw % (scenario.horizon - input.disbursedOn + 1));
        const backdated: LoanEvent = { kind: 'repayment', id: 'backdated', on, amount: amountOf(scenario.totalScheduled, draw) };
        const before = replayLoan(input);
        const after = replayLoan({ ...input, events: [...input.events, backdated] });
        checkInvariants({ ...input, events: [...input.events, backdated] }, after);
        for (const [id, allocation] of before.allocations) {
          if (allocation.on < on) expect(sameAs(allocation, after.allocations.get(id))).toBe(true);
        }
      }),
      runs,
    );
  });

  it('paying the quoted payoff closes the loan exactly; one đồng less does not', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const events = repaymentsOnly(scenario);
        const on = Math.max(scenario.input.asOf, ...events.map((event) => event.on));
        const input = { ...scenario.input, events, asOf: on };
        const position = replayLoan(input);
        fc.pre(!position.closed && position.payoff.total > 1n);
        const quote = position.payoff;
        expect(quote.total).toBe(quote.principal + quote.interest + quote.penalty + quote.lateInterest - quote.credit);
        const paid = replayLoan({ ...input, events: [...events, { kind: 'repayment', id: 'payoff', on, amount: quote.total }] });
        expect(paid.allocations.get('payoff')).toMatchObject({ closesLoan: true, creditAdded: 0n, creditUsed: quote.credit, principal: quote.principal, interest: quote.interest, penalty: quote.penalty, lateInterest: quote.lateInterest });
        expect(paid).toMatchObject({ closed: true, principalOutstanding: 0n, credit: 0n, daysPastDue: 0 });
        const short = replayLoan({ ...input, events: [...events, { kind: 'repayment', id: 'short', on, amount: quote.total - 1n }] });
        expect(short.closed).toBe(false);
      }),
      runs,
    );
  });

  it('penalty and late interest equal a day-by-day reference, rounded once', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const position = replayLoan(scenario.input);
        const end = position.writtenOffOn ?? scenario.input.asOf;
        const mode = scenario.input.rules.roundingMode;
        // rate% x multiplier / 365, with both in hundredths: / (100 x 100 x 36,500).
        const principalDays = referenceAmountDays(position, end, 'principal');
        const penalty = divideRounded(principalDays * BigInt(scenario.rateHundredths * scenario.multiplierHundredths), 100n * 100n * 36_500n, mode);
        const interestDays = referenceAmountDays(position, end, 'interest');
        const lateInterest = divideRounded(interestDays * BigInt(scenario.lateRateHundredths), 100n * 36_500n, mode);
        expect(position.penaltyAccruedToDate).toBe(penalty);
        expect(position.lateInterestAccruedToDate).toBe(lateInterest);
      }),
      { numRuns: 150 },
    );
  });

  it('days past due count from the oldest installment due before asOf and not fully paid', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const position = replayLoan(scenario.input);
        fc.pre(!position.writtenOff);
        const oldest = position.installments.find((installment) => installment.dueOn < scenario.input.asOf && (installment.principalPaid < installment.principalDue || installment.interestPaid + installment.interestWaived < installment.interestDue));
        expect(position.daysPastDue).toBe(oldest ? scenario.input.asOf - oldest.dueOn : 0);
      }),
      runs,
    );
  });

  it('a rescheduling composed from the position at E replays consistently', () => {
    fc.assert(
      fc.property(
        scenarioArbitrary,
        fc.integer({ min: 0, max: 1_000_000 }),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
        fc.array(repaymentDraw, { maxLength: 6 }),
        (scenario, effectiveDraw, weights, laterDraws) => {
          const events = repaymentsOnly(scenario);
          const { input } = scenario;
          const effectiveOn = input.disbursedOn + 1 + (effectiveDraw % (scenario.horizon - input.disbursedOn));
          const atE = replayLoan({ ...input, events, asOf: effectiveOn });
          fc.pre(!atE.closed && atE.principalOutstanding > 0n);
          // The service's new plan: the outstanding principal split by weight, monthly-ish, 1 % interest.
          const weightTotal = BigInt(weights.reduce((sum, weight) => sum + weight, 0));
          let left = atE.principalOutstanding;
          const plan = weights.map((weight, index) => {
            const principalDue = index === weights.length - 1 ? left : (atE.principalOutstanding * BigInt(weight)) / weightTotal;
            left -= principalDue;
            return { dueOn: effectiveOn + 30 * (index + 1), principalDue, interestDue: principalDue / 100n };
          });
          const version2 = { version: 2, effectiveOn, installments: composeRescheduledInstallments(atE, effectiveOn, plan) };
          const versions = [...input.scheduleVersions, version2];
          const rescheduledAtE = replayLoan({ ...input, events, scheduleVersions: versions, asOf: effectiveOn });
          expect(rescheduledAtE).toMatchObject({ version: 2, daysPastDue: 0, overduePrincipal: 0n, overdueInterest: 0n, penaltyAccrued: atE.penaltyAccrued, principalOutstanding: atE.principalOutstanding });
          // Keep only repayments up to E, then draw new ones after E.
          const upToE = events.filter((event) => event.on <= effectiveOn);
          const later: LoanEvent[] = laterDraws.map((draw, index) => ({
            kind: 'repayment',
            id: `later${index}`,
            on: effectiveOn + 1 + (draw.dateDraw % (30 * weights.length + 90)),
            amount: amountOf(atE.payoff.total, draw),
          }));
          const finalInput = { ...input, events: [...upToE, ...later], scheduleVersions: versions, asOf: effectiveOn + 30 * weights.length + 90 };
          const atEnd = replayLoan(finalInput);
          checkInvariants(finalInput, atEnd);
          expect(atEnd.version).toBe(2);
        },
      ),
      runs,
    );
  });
});
