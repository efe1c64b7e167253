// Interest rates: the quote a product is made on, the canonical annual rate as an exact fraction, and
// the two solved rates a schedule discloses (effective annual rate, equivalent declining-balance rate).
import type { YearFraction } from './day-count.js';
import { Decimal, divideRounded, formatMinorUnits, powerOfTen } from './money.js';

export const monthlyToAnnualConversions = ['x12', 'x365/30'] as const;
/**
 * How a monthly quote becomes the canonical annual rate (DESIGN.md §2). `x12`: the sector habit,
 * 0.8 %/month = 9.6 %/year. `x365/30`: the strict Circular 14/2017 reading, a month's rate is 30 days'
 * interest, so 0.8 %/month = 0.8 x 365 / 30 = 9.7333... %/year (not a finite decimal: hence fractions).
 */
export type MonthlyToAnnual = (typeof monthlyToAnnualConversions)[number];
export const defaultMonthlyToAnnual: MonthlyToAnnual = 'x12';

/** A rate as the product quotes it, in percent. */
export type RateQuote =
  | { readonly kind: 'annual'; readonly annualRate: Decimal }
  | { readonly kind: 'monthly'; readonly monthlyRate: Decimal; readonly monthlyToAnnual: MonthlyToAnnual };

/** The annual nominal rate as an exact fraction of one (9.6 % is 96/1000); the denominator is positive. */
export interface RateFraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/** Refused above this many percent a year (DESIGN: a rate above 100 %/year is wrong input, not usury law). */
export const maximumAnnualRatePercent = 100;

/** Rates carry at most this many decimal places (of a percent): more is noise, not a product's terms. */
export const maximumRateDecimalPlaces = 10;

/** Digits shown for an annual rate that is not a finite decimal (x365/30 quotes); the engine uses the fraction. */
export const repeatingAnnualRateDisplayPlaces = 10;

export function annualRateFraction(quote: RateQuote): RateFraction {
  const percent = quote.kind === 'annual' ? quote.annualRate : quote.monthlyRate;
  const { units, scale } = decimalAsScaledInteger(percent);
  let numerator = units;
  let denominator = 100n * scale;
  if (quote.kind === 'monthly') {
    if (quote.monthlyToAnnual === 'x12') numerator *= 12n;
    else {
      numerator *= 365n;
      denominator *= 30n;
    }
  }
  const divisor = greatestCommonDivisor(numerator, denominator);
  return divisor > 1n ? { numerator: numerator / divisor, denominator: denominator / divisor } : { numerator, denominator };
}

/**
 * The annual rate in percent, for people: exact when it is a finite decimal (every annual quote and
 * every x12 quote), else rounded half-up to `repeatingAnnualRateDisplayPlaces` places.
 */
export function annualRatePercent(quote: RateQuote): Decimal {
  if (quote.kind === 'annual') return quote.annualRate;
  if (quote.monthlyToAnnual === 'x12') return quote.monthlyRate.mul(12);
  const { numerator, denominator } = annualRateFraction(quote);
  const places = repeatingAnnualRateDisplayPlaces;
  return new Decimal(formatMinorUnits(divideRounded(numerator * 100n * powerOfTen(places), denominator, 'half_up'), places));
}

/** Whether the quote's annual rate is above maximumAnnualRatePercent (compared exactly). */
export function isAnnualRateAboveMaximum(fraction: RateFraction): boolean {
  return fraction.numerator * 100n > BigInt(maximumAnnualRatePercent) * fraction.denominator;
}

/** A finite Decimal as units / scale with scale a power of ten. */
export function decimalAsScaledInteger(value: Decimal): { units: bigint; scale: bigint } {
  const places = value.decimalPlaces();
  // toString has no exponent inside the configured range (toExpNeg/toExpPos = -40/40).
  const units = BigInt(places === 0 ? value.toString() : value.toString().replace('.', ''));
  return { units, scale: powerOfTen(places) };
}

function greatestCommonDivisor(a: bigint, b: bigint): bigint {
  if (a < 0n) a = -a;
  if (b < 0n) b = -b;
  while (b !== 0n) {
    const remainder = a % b;
    a = b;
    b = remainder;
  }
  return a;
}

// ---------------------------------------------------------------------------------------------------
// Solved rates.
//
// Both are roots of "present value of the installments = principal" in one unknown rate, and are only
// disclosed to two decimals of a percent. They are solved in binary fixed point on bigints (60 fraction
// bits: each product is exact integer arithmetic truncated by 2^-60, about 1e-18), by Newton's method.
// The present value is convex and decreasing in the rate for non-negative installments, so Newton's step
// from any point below the root stays below it and climbs to it; the first-order estimate from rate 0
// (`delta` below) is such a point. The solvers start a little higher, at Halley's step from 0 (a
// second-order estimate, usually one Newton step closer), and fall back to `delta` should it overshoot.

const fractionBits = 60n;
const one = 1n << fractionBits;
const oneSquared = one * one;
/**
 * When to stop. Near the root Newton's error after a step of size s is about C x s^2, where C = f''/2f'
 * is at most (the longest time in the schedule + 1) in the solver's unit (days for the daily rate, years
 * for the annual one). A solver stops once that bound is below 2^-44 (6e-14) of its unit; the rate it
 * reports is then off by far less than the 0.005 percentage point that rounding to 0.01 % can see.
 */
function hasConverged(increment: bigint, longestTime: bigint): boolean {
  const square = (increment * increment) >> fractionBits;
  return square * (longestTime + 1n) <= convergenceBound;
}
const convergenceBound = 1n << (fractionBits - 44n);
const maximumNewtonSteps = 100;

export interface DatedCashFlow {
  /** Days from disbursement to the due date, increasing. */
  readonly afterDays: number;
  /** The installment in minor units, at least zero. */
  readonly amount: bigint;
}

/**
 * The effective annual rate of the schedule, XIRR-style on actual days: the x with
 * sum(amount_k / (1 + x)^(afterDays_k / 365)) = principal, as a spreadsheet's XIRR defines it (365 also
 * in leap years). Solved for the daily rate d = (1 + x)^(1/365) - 1 so that every power is an integer
 * power, then x = (1 + d)^365 - 1. Percent, rounded half-up to two places.
 */
export function effectiveAnnualRatePercent(principal: bigint, flows: readonly DatedCashFlow[]): Decimal {
  return effectiveAnnualRatePercentOf(
    principal,
    flows.map((flow) => flow.afterDays),
    flows.map((flow) => flow.amount),
  );
}

/** effectiveAnnualRatePercent on parallel arrays (what the schedule engine holds, without a flow object each). */
export function effectiveAnnualRatePercentOf(principal: bigint, afterDays: readonly number[], amounts: readonly bigint[]): Decimal {
  const count = amounts.length;
  if (afterDays.length !== count || count === 0) throw new RangeError('one date per installment, at least one installment');
  if (principal <= 0n) throw new RangeError('principal must be positive');
  const times = new Array<bigint>(count);
  const gaps = new Array<number>(count);
  let sum = 0n; // S0 = sum a_k
  let firstMoment = 0n; // S1 = sum a_k t_k
  let secondMoment = 0n; // 2 S2 = sum a_k t_k (t_k + 1)
  let previousDays = 0;
  for (let index = 0; index < count; index += 1) {
    const days = afterDays[index]!;
    const amount = amounts[index]!;
    const gap = days - previousDays;
    if (!Number.isSafeInteger(days) || gap <= 0) throw new RangeError('cash flows must be dated strictly after disbursement and each other');
    if (amount < 0n) throw new RangeError('installments must not be negative');
    previousDays = days;
    const time = BigInt(days);
    times[index] = time;
    gaps[index] = gap;
    sum += amount;
    const weighted = amount * time;
    firstMoment += weighted;
    secondMoment += weighted * BigInt(days + 1);
  }
  // Installments repay the principal and non-negative interest, so the rate is at least zero.
  if (sum < principal) throw new RangeError('installments do not repay the principal');
  if (sum === principal) return percentToTwoPlaces(0n);
  const powers = new GapPowers(gaps);
  const longestDays = BigInt(previousDays);

  // Halley's step from d = 0 on the moments (no powers needed):
  // f(d) ~ (S0 - P) - S1 d + S2 d^2 gives d0 = delta / (1 - delta S2 / S1) with delta = (S0 - P) / S1.
  const delta = ((sum - principal) * one) / firstMoment;
  const correction = one - (delta * secondMoment) / (2n * firstMoment);
  const halleyStart = correction > one / 2n ? (delta * one) / correction : delta;

  // f(d) = sum a_k (1 + d)^-t_k - P and -f'(d) = sum t_k a_k (1 + d)^(-t_k - 1), both scaled by `one`.
  const evaluate = (dailyRate: bigint): { excess: bigint; slope: bigint } => {
    const discount = oneSquared / (one + dailyRate); // 1 / (1 + d)
    powers.update(discount);
    let factor = one; // (1 + d)^-t_k
    let presentValue = 0n;
    let weighted = 0n;
    for (let index = 0; index < count; index += 1) {
      factor = (factor * powers.of(index)) >> fractionBits;
      const term = amounts[index]! * factor;
      presentValue += term;
      weighted += times[index]! * term;
    }
    return { excess: presentValue - principal * one, slope: (weighted * discount) >> fractionBits };
  };
  const dailyRate = solveByNewton(halleyStart, delta, longestDays, evaluate);
  return percentToTwoPlaces(powerFixed(one + dailyRate, 365) - one);
}

/**
 * Newton's method from `start`, falling back to `safeStart` (known to lie below the root) when `start`
 * turns out to lie above it, until hasConverged.
 */
function solveByNewton(start: bigint, safeStart: bigint, longestTime: bigint, evaluate: (rate: bigint) => { excess: bigint; slope: bigint }): bigint {
  let rate = start;
  let { excess, slope } = evaluate(rate);
  if (excess < 0n && rate !== safeStart) {
    rate = safeStart;
    ({ excess, slope } = evaluate(rate));
  }
  for (let step = 0; step < maximumNewtonSteps; step += 1) {
    if (slope <= 0n) throw new RangeError('the present value does not decrease with the rate');
    const increment = (excess * one) / slope;
    rate += increment;
    if (hasConverged(increment, longestTime)) return rate;
    if (rate <= -one / 2n) break;
    ({ excess, slope } = evaluate(rate));
  }
  throw new RangeError('the rate did not converge');
}

/**
 * The discount for each installment's gap since the previous one, recomputed per Newton step. A monthly
 * schedule has a few distinct gaps (28 to 31 days): the smallest is powered, the others are reached from
 * it by the small differences, instead of powering each installment.
 */
class GapPowers {
  private readonly distinct: number[];
  private readonly indexOf: number[];
  private readonly values: bigint[];

  constructor(gaps: readonly number[]) {
    this.distinct = [...new Set(gaps)].sort((left, right) => left - right);
    this.indexOf = gaps.map((gap) => this.distinct.indexOf(gap));
    this.values = new Array<bigint>(this.distinct.length);
  }

  update(base: bigint): void {
    let previousGap = 0;
    let previousValue = one;
    for (let index = 0; index < this.distinct.length; index += 1) {
      const gap = this.distinct[index]!;
      const step = powerFixed(base, gap - previousGap);
      previousValue = index === 0 ? step : (previousValue * step) >> fractionBits;
      this.values[index] = previousValue;
      previousGap = gap;
    }
  }

  of(installmentIndex: number): bigint {
    return this.values[this.indexOf[installmentIndex]!]!;
  }
}

/**
 * The annual rate at which a declining-balance loan with these installments, dates and day count
 * would be repaid exactly: sum_k amount_k x prod_{j<=k} 1 / (1 + R x yearFraction_j) = principal.
 * Circular 39/2016 asks a flat-rate offer to state it. Percent, rounded half-up to two places.
 */
export function decliningAnnualRatePercent(
  principal: bigint,
  amounts: readonly bigint[],
  yearFractions: readonly YearFraction[],
): Decimal {
  const count = amounts.length;
  if (yearFractions.length !== count) throw new RangeError('one year fraction per installment');
  assertSolvable(principal, amounts);
  const fractions = new Array<bigint>(count); // yearFraction_j scaled by `one`
  let sum = 0n; // S0 = sum a_k
  let firstMoment = 0n; // S1 = sum a_k F_k, F_k = sum_{j<=k} f_j (scaled by `one`)
  let secondMoment = 0n; // 2 S2 = sum a_k (F_k^2 + G_k), G_k = sum_{j<=k} f_j^2 (scaled by `one`)
  let cumulative = 0n;
  let cumulativeSquares = 0n;
  for (let index = 0; index < count; index += 1) {
    const { numerator, denominator } = yearFractions[index]!;
    if (numerator < 0n || denominator <= 0n) throw new RangeError('year fractions must not be negative');
    const fraction = (numerator * one) / denominator;
    fractions[index] = fraction;
    cumulative += fraction;
    cumulativeSquares += (fraction * fraction) >> fractionBits;
    const amount = amounts[index]!;
    sum += amount;
    firstMoment += amount * cumulative;
    secondMoment += amount * (((cumulative * cumulative) >> fractionBits) + cumulativeSquares);
  }
  if (sum === principal) return percentToTwoPlaces(0n);
  if (firstMoment === 0n) throw new RangeError('no period carries interest');

  // Halley's step from R = 0 on the moments of prod 1 / (1 + R f_j) ~ 1 - R F + R^2 (F^2 + G) / 2.
  const delta = ((sum - principal) * one * one) / firstMoment;
  const correction = one - (delta * secondMoment) / (2n * firstMoment);
  const halleyStart = correction > one / 2n ? (delta * one) / correction : delta;
  const longestYears = (cumulative >> fractionBits) + 1n;

  // f(R) = sum_k a_k prod_{j<=k} 1 / (1 + R f_j) - P and -f'(R) = sum_k a_k prod_k sum_{j<=k} f_j / (1 + R f_j).
  const evaluate = (annualRate: bigint): { excess: bigint; slope: bigint } => {
    let discountProduct = one;
    let weightSum = 0n;
    let presentValue = 0n;
    let slope = 0n;
    for (let index = 0; index < count; index += 1) {
      const fraction = fractions[index]!;
      const discount = oneSquared / (one + ((annualRate * fraction) >> fractionBits));
      discountProduct = (discountProduct * discount) >> fractionBits;
      weightSum += (fraction * discount) >> fractionBits;
      const term = amounts[index]! * discountProduct;
      presentValue += term;
      slope += (term * weightSum) >> fractionBits;
    }
    return { excess: presentValue - principal * one, slope };
  };
  return percentToTwoPlaces(solveByNewton(halleyStart, delta, longestYears, evaluate));
}

function assertSolvable(principal: bigint, amounts: readonly bigint[]): void {
  if (principal <= 0n) throw new RangeError('principal must be positive');
  let sum = 0n;
  for (const amount of amounts) {
    if (amount < 0n) throw new RangeError('installments must not be negative');
    sum += amount;
  }
  // Installments repay the principal and non-negative interest, so the rate is at least zero.
  if (sum < principal) throw new RangeError('installments do not repay the principal');
}

/** base^exponent in fixed point, exponent >= 1, by squaring. */
function powerFixed(base: bigint, exponent: number): bigint {
  let result: bigint | null = null;
  let square = base;
  let remaining = exponent;
  for (;;) {
    if (remaining & 1) result = result === null ? square : (result * square) >> fractionBits;
    remaining >>= 1;
    if (remaining === 0) return result ?? one;
    square = (square * square) >> fractionBits;
  }
}

function percentToTwoPlaces(rate: bigint): Decimal {
  // rate is a fraction of one scaled by 2^60; percent with two places is rate x 10000 whole units.
  return new Decimal(formatMinorUnits(divideRounded(rate * 10_000n, one, 'half_up'), 2));
}
