// Properties of the loan timeline over random loans: schedules of 2 to 24 installments, principal 1,000
// to 1,000,000,000, random rules, repayments of any amount on any dates (given out of order), up to two
// reschedulings composed with composeRescheduledInstallments, and write-offs. The oracle is replayLoan
// itself: the segment containing D, read with stateOn, must be replayLoan as of D on every field.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DayNumber } from '../../src/domain/calendar.js';
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
import { amountOf, firstScheduleDraws, firstScheduleOf, repaymentDraw } from './loan-arbitraries.js';


type TimelineInput = Omit<ReplayInput, 'asOf'>;

interface Scenario {
  readonly input: TimelineInput;
  /** The last due date of the last version + 120 days. */
  readonly horizon: DayNumber;
}

const reschedulingDraw = fc.record({
  effectiveDraw: fc.integer({ min: 0, max: 1_000_000 }),
  weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 8 }),
  /** Days between new due dates. */
  gap: fc.integer({ min: 7, max: 62 }),
  interestPermille: fc.integer({ min: 0, max: 30 }),
  later: fc.array(repaymentDraw, { maxLength: 6 }),
});

const scenarioArbitrary = fc
  .record({
    ...firstScheduleDraws,
    reschedulings: fc.array(reschedulingDraw, { maxLength: 2 }),
    // A write-off in one scenario out of three.
    writeOff: fc.oneof({ arbitrary: fc.constant(null), weight: 2 }, { arbitrary: fc.integer({ min: 0, max: 60 }), weight: 1 }),
  })
  .map((draw): Scenario => {
    const first = firstScheduleOf(draw);
    const { disbursedOn, installments, rules } = first;
    let { horizon, events } = first;
    const scheduleVersions: ScheduleVersion[] = [{ version: 1, effectiveOn: disbursedOn, installments }];
    const base = { principal: draw.principal, disbursedOn, rules };

    // Reschedulings, each composed from the position at its effective date E: the repayments after E are
    // dropped and new ones drawn on the new plan (the history a flood leaves).
    let previousEffectiveOn = disbursedOn;
    draw.reschedulings.forEach((rescheduling, index) => {
      const effectiveOn = previousEffectiveOn + 1 + (rescheduling.effectiveDraw % (horizon - previousEffectiveOn));
      const atE = replayLoan({ ...base, scheduleVersions, events, asOf: effectiveOn });
      if (atE.closed || atE.principalOutstanding === 0n) return;
      const weightSum = BigInt(rescheduling.weights.reduce((sum, weight) => sum + weight, 0));
      let left = atE.principalOutstanding;
      const plan = rescheduling.weights.map((weight, planIndex) => {
        const principalDue = planIndex === rescheduling.weights.length - 1 ? left : (atE.principalOutstanding * BigInt(weight)) / weightSum;
        left -= principalDue;
        return { dueOn: effectiveOn + rescheduling.gap * (planIndex + 1), principalDue, interestDue: (principalDue * BigInt(rescheduling.interestPermille)) / 1000n };
      });
      scheduleVersions.push({ version: scheduleVersions.length + 1, effectiveOn, installments: composeRescheduledInstallments(atE, effectiveOn, plan) });
      const planEnd = effectiveOn + rescheduling.gap * rescheduling.weights.length;
      events = [
        ...events.filter((event) => event.on <= effectiveOn),
        ...rescheduling.later.map((later, laterIndex): LoanEvent => ({
          kind: 'repayment',
          id: `v${index + 2}r${laterIndex}`,
          on: effectiveOn + 1 + (later.dateDraw % (planEnd + 90 - effectiveOn)),
          amount: amountOf(atE.payoff.total, later),
        })),
      ];
      previousEffectiveOn = effectiveOn;
      horizon = planEnd + 120;
    });

    if (draw.writeOff !== null) {
      // A write-off after the last repayment and after the last rescheduling took over (at the end of its
      // day), unless the loan was repaid by then.
      const earliest = previousEffectiveOn === disbursedOn ? disbursedOn : previousEffectiveOn + 1;
      const writtenOffOn = events.reduce((latest, event) => Math.max(latest, event.on), earliest) + draw.writeOff;
      const byThen = replayLoan({ ...base, scheduleVersions, events, asOf: writtenOffOn });
      if (!byThen.closed) events.push({ kind: 'write_off', id: 'w', on: writtenOffOn });
    }
    // Given in draw order: not date order.
    return { input: { ...base, scheduleVersions, events }, horizon };
  });

/** What the timeline says as of `day`, in replayLoan's words. */
function timelineAsOf(segments: readonly TimelineSegment[], day: DayNumber, rules: LoanRules) {
  const segment = segmentOn(segments, day);
  if (segment === undefined) return undefined;
  const state = stateOn(segment, day, rules);
  return {
    version: segment.version,
    principalOutstanding: segment.principalOutstanding,
    principalPaid: segment.principalPaid,
    interestPaid: segment.interestPaid,
    penaltyPaid: segment.penaltyPaid,
    lateInterestPaid: segment.lateInterestPaid,
    overduePrincipal: segment.overduePrincipal,
    overdueInterest: segment.overdueInterest,
    oldestUnpaidDueOn: segment.oldestUnpaidDueOn,
    daysPastDue: state.daysPastDue,
    penaltyAccrued: state.penaltyAccrued,
    lateInterestAccrued: state.lateInterestAccrued,
    penaltyAccruedToDate: state.penaltyAccruedToDate,
    lateInterestAccruedToDate: state.lateInterestAccruedToDate,
    credit: segment.credit,
    closed: segment.closed,
    writtenOff: segment.writtenOff,
    principalWrittenOff: segment.principalWrittenOff,
  };
}

/** The same fields of replayLoan as of `day`. */
function replayAsOf(input: TimelineInput, day: DayNumber) {
  const position = replayLoan({ ...input, asOf: day });
  return {
    version: position.version,
    principalOutstanding: position.principalOutstanding,
    principalPaid: position.principalPaid,
    interestPaid: position.interestPaid,
    penaltyPaid: position.penaltyPaid,
    lateInterestPaid: position.lateInterestPaid,
    overduePrincipal: position.overduePrincipal,
    overdueInterest: position.overdueInterest,
    oldestUnpaidDueOn: position.oldestUnpaidDueOn,
    daysPastDue: position.daysPastDue,
    penaltyAccrued: position.penaltyAccrued,
    lateInterestAccrued: position.lateInterestAccrued,
    penaltyAccruedToDate: position.penaltyAccruedToDate,
    lateInterestAccruedToDate: position.lateInterestAccruedToDate,
    credit: position.credit,
    closed: position.closed,
    writtenOff: position.writtenOff,
    principalWrittenOff: position.principalWrittenOff,
  };
}

/** Days where a mistake would show: both sides of every boundary, event date, due date and effective date. */
function daysWorthChecking(scenario: Scenario, segments: readonly TimelineSegment[]): DayNumber[] {
  const days = new Set<DayNumber>();
  const around = (day: DayNumber) => {
    for (const near of [day - 1, day, day + 1]) days.add(near);
  };
  for (const segment of segments) {
    around(segment.fromDay);
    if (segment.toDay !== null) around(segment.toDay);
  }
  for (const event of scenario.input.events) around(event.on);
  for (const version of scenario.input.scheduleVersions) {
    around(version.effectiveOn);
    for (const installment of version.installments) around(installment.dueOn);
  }
  return [...days];
}

function expectTimelineMatchesReplay(scenario: Scenario, segments: readonly TimelineSegment[], day: DayNumber): void {
  const { input } = scenario;
  if (day < input.disbursedOn) {
    // Before disbursement there is no segment, and no replay either.
    expect(segmentOn(segments, day)).toBeUndefined();
    expect(() => replayLoan({ ...input, asOf: day })).toThrow(LoanReplayError);
    return;
  }
  expect({ day, ...timelineAsOf(segments, day, input.rules) }).toEqual({ day, ...replayAsOf(input, day) });
}

describe('loan timeline properties', () => {
  it('the segment containing D, read with stateOn, is replayLoan as of D on every field', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 20, maxLength: 20 }), (scenario, dayDraws) => {
        const segments = loanTimeline(scenario.input);
        const first = scenario.input.disbursedOn - 3;
        const window = scenario.horizon + 400 - first;
        const randomDays = dayDraws.map((draw) => first + (draw % window));
        for (const day of [...daysWorthChecking(scenario, segments), ...randomDays]) expectTimelineMatchesReplay(scenario, segments, day);
      }),
      { numRuns: 200 },
    );
  });

  it('matches replayLoan on every single day from disbursement to well past the last due date', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const segments = loanTimeline(scenario.input);
        for (let day = scenario.input.disbursedOn - 2; day <= scenario.horizon + 60; day += 1) expectTimelineMatchesReplay(scenario, segments, day);
      }),
      { numRuns: 30 },
    );
  });

  it('segments tile time from disbursement, in order, without gap or overlap, and the last is open-ended', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const segments = loanTimeline(scenario.input);
        expect(segments.length).toBeGreaterThan(0);
        expect(segments[0]?.fromDay).toBe(scenario.input.disbursedOn);
        segments.forEach((segment, index) => {
          const next = segments[index + 1];
          if (next === undefined) {
            expect(segment.toDay).toBeNull();
          } else {
            expect(segment.toDay).toBe(next.fromDay);
            expect(next.fromDay).toBeGreaterThan(segment.fromDay);
          }
        });
      }),
      { numRuns: 300 },
    );
  });

  it('adjacent segments differ (merged when the state just carries on), and there are no more than the days that can change it', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        const segments = loanTimeline(scenario.input);
        for (let index = 1; index < segments.length; index += 1) {
          const previous = segments[index - 1] as TimelineSegment;
          const segment = segments[index] as TimelineSegment;
          const days = BigInt(segment.fromDay - previous.fromDay);
          // What the previous segment says of segment.fromDay, if it carried on.
          const carriedOn = {
            ...previous,
            fromDay: segment.fromDay,
            toDay: segment.toDay,
            penaltyAmountDays: previous.penaltyAmountDays + previous.penaltyAmountPerDay * days,
            lateInterestAmountDays: previous.lateInterestAmountDays + previous.lateInterestAmountPerDay * days,
          };
          expect(carriedOn).not.toEqual(segment);
        }
        // Boundaries: disbursement, event dates, effective dates, the day after each due date.
        const installments = scenario.input.scheduleVersions.reduce((sum, version) => sum + version.installments.length, 0);
        expect(segments.length).toBeLessThanOrEqual(1 + scenario.input.events.length + scenario.input.scheduleVersions.length + installments);
      }),
      { numRuns: 300 },
    );
  });

  it('prepared accrual rates give what the rules give', () => {
    fc.assert(
      fc.property(scenarioArbitrary, fc.integer({ min: 0, max: 1_000_000 }), (scenario, dayDraw) => {
        const segments = loanTimeline(scenario.input);
        const day = scenario.input.disbursedOn + (dayDraw % (scenario.horizon + 200 - scenario.input.disbursedOn));
        const segment = segmentOn(segments, day) as TimelineSegment;
        expect(stateOn(segment, day, accrualRatesOf(scenario.input.rules))).toEqual(stateOn(segment, day, scenario.input.rules));
      }),
      { numRuns: 200 },
    );
  });

  it('the event order given does not change the timeline beyond the same-day tiebreak', () => {
    fc.assert(
      fc.property(scenarioArbitrary, (scenario) => {
        // Reversed, then stably sorted by date: the same replay order.
        const reordered = [...scenario.input.events].reverse().sort((a, b) => a.on - b.on || scenario.input.events.indexOf(a) - scenario.input.events.indexOf(b));
        expect(loanTimeline({ ...scenario.input, events: reordered })).toEqual(loanTimeline(scenario.input));
      }),
      { numRuns: 100 },
    );
  });
});
