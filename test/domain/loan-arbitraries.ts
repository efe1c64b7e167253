// The random loans the replay and timeline properties both generate: rules, a first schedule, repayment draws.
import fc from 'fast-check';
import { parseIsoDate, type DayNumber } from '../../src/domain/calendar.js';
import type { LoanEvent, LoanRules, ScheduledInstallment } from '../../src/domain/loan-replay.js';
import { Decimal, type RoundingModeName } from '../../src/domain/money.js';

export const rulesArbitrary = fc.record({
  rateHundredths: fc.integer({ min: 0, max: 3000 }),
  multiplierHundredths: fc.constantFrom(100, 130, 150),
  lateRateHundredths: fc.constantFrom(0, 500, 960, 1333),
  overdueOrder: fc.constantFrom('principal_interest_penalty' as const, 'penalty_interest_principal' as const),
  currentOrder: fc.constantFrom('interest_principal' as const, 'principal_interest' as const),
  overpayment: fc.constantFrom('prepay' as const, 'hold_credit' as const),
  roundingMode: fc.constantFrom<RoundingModeName>('half_up', 'half_even', 'down', 'up'),
});

/** A repayment drawn relative to the loan: a date in a window, an amount as a share of what is owed. */
export const repaymentDraw = fc.record({
  dateDraw: fc.integer({ min: 0, max: 1_000_000 }),
  amountDraw: fc.integer({ min: 1, max: 1_000_000 }),
  /** Amounts up to 1.1 x the total divided by the scale: large, medium, small, tiny. */
  scale: fc.constantFrom(1n, 10n, 100n, 10_000n),
});

export type RepaymentDraw = { dateDraw: number; amountDraw: number; scale: bigint };

/** Any amount from 1 đồng up to a little beyond the total, as the draw's share of it. */
export function amountOf(total: bigint, draw: Pick<RepaymentDraw, 'amountDraw' | 'scale'>): bigint {
  return 1n + (total * BigInt(draw.amountDraw) * 11n) / (1_000_000n * 10n * draw.scale);
}

const epoch = parseIsoDate('2020-01-01') as DayNumber;

/** The draws of a loan's first schedule and its repayments (spread first into a scenario's record). */
export const firstScheduleDraws = {
  principal: fc.bigInt({ min: 1_000n, max: 1_000_000_000n }),
  weights: fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 2, maxLength: 24 }),
  gaps: fc.array(fc.integer({ min: 1, max: 62 }), { minLength: 24, maxLength: 24 }),
  interestPermille: fc.array(fc.integer({ min: 0, max: 40 }), { minLength: 24, maxLength: 24 }),
  disbursedOffset: fc.integer({ min: 0, max: 3650 }),
  rules: rulesArbitrary,
  repayments: fc.array(repaymentDraw, { maxLength: 14 }),
};

type FirstScheduleDraw = { [Key in keyof typeof firstScheduleDraws]: (typeof firstScheduleDraws)[Key] extends fc.Arbitrary<infer T> ? T : never };

/**
 * The loan those draws make: installments whose principal is split by weight (the last takes the remainder), the
 * repayments dated in a window ending 120 days after the last due date, and the rules.
 */
export function firstScheduleOf(draw: FirstScheduleDraw) {
  const disbursedOn = epoch + draw.disbursedOffset;
  const weightTotal = BigInt(draw.weights.reduce((sum, weight) => sum + weight, 0));
  let dueOn = disbursedOn;
  let principalLeft = draw.principal;
  const installments: ScheduledInstallment[] = draw.weights.map((weight, index) => {
    dueOn += draw.gaps[index] as number;
    const last = index === draw.weights.length - 1;
    const principalDue = last ? principalLeft : (draw.principal * BigInt(weight)) / weightTotal;
    principalLeft -= principalDue;
    const interestDue = ((principalLeft + principalDue) * BigInt(draw.interestPermille[index] as number)) / 1000n;
    return { number: index + 1, dueOn, principalDue, interestDue };
  });
  const totalScheduled = installments.reduce((sum, installment) => sum + installment.principalDue + installment.interestDue, 0n);
  const horizon = dueOn + 120;
  const span = horizon - disbursedOn + 1;
  const events: LoanEvent[] = draw.repayments.map((repayment, index) => ({
    kind: 'repayment',
    id: `r${index}`,
    on: disbursedOn + (repayment.dateDraw % span),
    amount: amountOf(totalScheduled, repayment),
  }));
  const rules: LoanRules = {
    annualRatePercent: new Decimal(draw.rules.rateHundredths).div(100),
    overdueMultiplier: new Decimal(draw.rules.multiplierHundredths).div(100),
    lateInterestAnnualRatePercent: new Decimal(draw.rules.lateRateHundredths).div(100),
    overdueOrder: draw.rules.overdueOrder,
    currentOrder: draw.rules.currentOrder,
    overpayment: draw.rules.overpayment,
    roundingMode: draw.rules.roundingMode,
  };
  return { disbursedOn, installments, totalScheduled, horizon, events, rules };
}
