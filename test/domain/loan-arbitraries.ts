// The random loan rules and repayment draws the replay and timeline properties both generate from.
import fc from 'fast-check';
import type { RoundingModeName } from '../../src/domain/money.js';

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
