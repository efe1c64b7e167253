// The generalized annuity: the one installment that repays a principal over periods whose interest
// factors differ (months of 28 to 31 days, a broken first period), solved exactly on bigint fractions.

/** A period's interest per unit of balance, numerator / denominator (rate x year fraction); exact. */
export interface PeriodRate {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * The exact equal installment for `principal` over periods with interest factors r_k:
 *   installment = principal / sum_{k=1..n} prod_{j<=k} 1 / (1 + r_j)
 * which reduces to the textbook PMT when every r_k is the same. Returned as a fraction
 * (numerator / denominator, both positive) so the caller rounds it once, to its multiple, with its mode.
 *
 * The sum is folded from the last period back (Horner): X_n = v_n, X_k = v_k (1 + X_{k+1}) with
 * v = 1 / (1 + r) = b / (a + b), keeping X as a fraction: two bigint products per period, no division.
 */
export function annuityInstallmentFraction(principal: bigint, periodRates: readonly PeriodRate[]): { numerator: bigint; denominator: bigint } {
  if (periodRates.length === 0) throw new RangeError('an annuity needs at least one period');
  let sumNumerator = 0n;
  let sumDenominator = 1n;
  for (let index = periodRates.length - 1; index >= 0; index -= 1) {
    const { numerator, denominator } = periodRates[index]!;
    // X_k = b / (a + b) x (sumDenominator + sumNumerator) / sumDenominator
    sumNumerator = denominator * (sumDenominator + sumNumerator);
    sumDenominator = (denominator + numerator) * sumDenominator;
  }
  // installment = principal / (sumNumerator / sumDenominator)
  return { numerator: principal * sumDenominator, denominator: sumNumerator };
}
