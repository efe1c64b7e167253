// The repayment schedule engine (DESIGN.md §3): pure, exact, no I/O, no clock.
//
// Amounts are worked in integer minor units on bigints: a period's interest is
//   balance x rateNumerator x yearFractionNumerator / (rateDenominator x yearFractionDenominator)
// rounded once with the named mode, which is exactly "multiply before dividing, round once per business
// quantity" with no intermediate precision to run out of. Decimals appear only at the edges (input and
// output), so the hot path allocates a handful of bigints per period and no Decimal at all.
import { annuityInstallmentFraction, type PeriodRate } from './annuity.js';
import { addDays, addMonths, type DayNumber } from './calendar.js';
import { dayCounts, defaultDayCount, periodYearFraction, type DayCount, type PeriodLength, type YearFraction } from './day-count.js';
import {
  currencies,
  Decimal,
  defaultCurrencyCode,
  defaultRoundingMode,
  divideRounded,
  fromMinorUnits,
  isCurrencyCode,
  powerOfTen,
  prepareRoundedQuotient,
  roundedQuotientOf,
  roundingModeNames,
  type CurrencyCode,
  type PreparedRoundedQuotient,
  type RoundingModeName,
} from './money.js';
import {
  annualRateFraction,
  annualRatePercent,
  decimalAsScaledInteger,
  decliningAnnualRatePercent,
  effectiveAnnualRatePercentOf,
  isAnnualRateAboveMaximum,
  maximumAnnualRatePercent,
  maximumRateDecimalPlaces,
  monthlyToAnnualConversions,
  type RateFraction,
  type RateQuote,
} from './rates.js';

// ---------------------------------------------------------------------------------------------------
// Input

export const scheduleMethods = ['declining_equal_principal', 'declining_equal_installment', 'flat'] as const;
/**
 * declining_equal_principal: gốc chia đều, interest on the declining balance.
 * declining_equal_installment: the annuity (trả góp đều), interest on the declining balance.
 * flat: interest on the original principal every period, equal installments.
 */
export type ScheduleMethod = (typeof scheduleMethods)[number];

export const frequencyUnits = ['month', 'week', 'day'] as const;
export type FrequencyUnit = (typeof frequencyUnits)[number];
/** Every `every` units: {1, month} monthly, {2, week} fortnightly, {4, week}, {15, day}. */
export interface Frequency {
  readonly every: number;
  readonly unit: FrequencyUnit;
}
export const defaultFrequency: Frequency = { every: 1, unit: 'month' };
/** The longest period a frequency may name, per unit: a year. */
export const maximumFrequencyEvery: Readonly<Record<FrequencyUnit, number>> = { month: 12, week: 52, day: 366 };

export const maximumInstallmentCount = 600;
/** Principal must be below 10^15 major units (a quadrillion đồng): beyond any loan, inside exact output. */
export const maximumPrincipalIntegerDigits = 15;
const principalLimit = new Decimal(10).pow(maximumPrincipalIntegerDigits);

export interface ScheduleRounding {
  /** How each period's interest, the equal principal part and the equal installment are rounded. */
  readonly mode: RoundingModeName;
  /**
   * The increment the equal installment (annuity, flat) or the equal principal part is rounded to,
   * e.g. 1000 đồng; a whole number of minor units. Default: the minor unit.
   */
  readonly installmentMultiple?: Decimal;
}

export interface ScheduleInput {
  /** Default VND. */
  readonly currency?: CurrencyCode;
  readonly principal: Decimal;
  readonly rate: RateQuote;
  readonly method: ScheduleMethod;
  /** The number of installments (the term), 1 to 600. */
  readonly installmentCount: number;
  /** Default monthly. */
  readonly frequency?: Frequency;
  /** Default actual/365. */
  readonly dayCount?: DayCount;
  readonly disbursedOn: DayNumber;
  /**
   * The first due date when it is not one period after disbursement (a broken first period, whose
   * interest runs on its actual days). Later due dates follow from it as the anchor.
   */
  readonly firstDueOn?: DayNumber | null;
  /** Installments at the start that pay interest only. Default 0. */
  readonly graceOnPrincipal?: number;
  /** Installments at the start whose interest is deferred to the first installment after them. Default 0. */
  readonly graceOnInterestPayment?: number;
  /** Default half_up to the minor unit. */
  readonly rounding?: ScheduleRounding;
}

export const scheduleInputProblemCodes = [
  'unknown_currency',
  'principal_not_positive',
  'principal_too_many_decimals',
  'principal_too_large',
  'rate_negative',
  'rate_above_maximum',
  'rate_too_many_decimals',
  'unknown_monthly_to_annual',
  'unknown_method',
  'installment_count_out_of_range',
  'frequency_out_of_range',
  'unknown_day_count',
  'date_out_of_range',
  'first_due_not_after_disbursement',
  'grace_out_of_range',
  'grace_not_shorter_than_term',
  'unknown_rounding_mode',
  'installment_multiple_not_positive',
  'installment_multiple_finer_than_minor_unit',
] as const;
export type ScheduleInputProblemCode = (typeof scheduleInputProblemCodes)[number];

/** Named after the ScheduleInput property at fault. */
export type ScheduleInputField =
  | 'currency'
  | 'principal'
  | 'rate'
  | 'method'
  | 'installmentCount'
  | 'frequency'
  | 'dayCount'
  | 'disbursedOn'
  | 'firstDueOn'
  | 'graceOnPrincipal'
  | 'graceOnInterestPayment'
  | 'rounding';

export interface ScheduleInputProblem {
  readonly field: ScheduleInputField;
  readonly code: ScheduleInputProblemCode;
  readonly message: string;
}

/** Thrown by buildSchedule for input that scheduleInputProblems would have refused. */
export class ScheduleInputError extends Error {
  constructor(readonly problems: readonly ScheduleInputProblem[]) {
    super(`invalid schedule input: ${problems.map((problem) => `${problem.field}: ${problem.code}`).join(', ')}`);
    this.name = 'ScheduleInputError';
  }
}

/** Thrown when a computed schedule breaks an invariant: a bug, never a user error. */
export class ScheduleInvariantError extends Error {
  constructor(message: string) {
    super(`schedule invariant violated: ${message}`);
    this.name = 'ScheduleInvariantError';
  }
}

// ---------------------------------------------------------------------------------------------------
// Output

export interface Installment {
  /** 1-based. */
  readonly number: number;
  readonly dueOn: DayNumber;
  /** Actual days of the period (previous due date or disbursement out, due date in). */
  readonly days: number;
  readonly principal: Decimal;
  /** Interest due with this installment (deferred interest included in the first one after the grace). */
  readonly interest: Decimal;
  readonly total: Decimal;
  readonly balanceAfter: Decimal;
}

/** The schedule with Decimal amounts, without the solved rates (see buildScheduleWithoutRates). */
export interface ScheduleWithoutRates {
  readonly currency: CurrencyCode;
  readonly installments: readonly Installment[];
  readonly totals: { readonly principal: Decimal; readonly interest: Decimal; readonly total: Decimal };
  /** The annual nominal rate in percent (exact, or 10 places for an x365/30 quote; see rates.ts). */
  readonly annualRate: Decimal;
}

export interface Schedule extends ScheduleWithoutRates {
  /** XIRR of the installments on actual days, percent, 2 places (see effectiveAnnualRatePercent). */
  readonly effectiveAnnualRate: Decimal;
  /** Flat method only: the declining-balance annual rate with the same cash flows, percent, 2 places. */
  readonly equivalentDecliningAnnualRate?: Decimal;
}

/**
 * The schedule in integer minor units, before any Decimal is made: what the engine computes and
 * checks. Arrays are indexed by installment (0-based).
 */
export interface SchedulePlan {
  readonly currency: CurrencyCode;
  readonly principal: bigint;
  readonly disbursedOn: DayNumber;
  readonly dueOn: readonly DayNumber[];
  readonly days: readonly number[];
  /** Each period's fraction of a year under the day count (the equivalent-rate solver reuses it). */
  readonly yearFractions: readonly YearFraction[];
  readonly principalDue: readonly bigint[];
  /** Interest earned in the period. */
  readonly interestAccrued: readonly bigint[];
  /** Interest payable with the installment: accrued, except under a grace on interest payment. */
  readonly interestDue: readonly bigint[];
  readonly totalDue: readonly bigint[];
  readonly balanceAfter: readonly bigint[];
  /** The equal installment (annuity, flat) or equal principal part (equal principal) chosen, minor units. */
  readonly level: bigint;
}

// ---------------------------------------------------------------------------------------------------
// Validation

/** Everything the engine needs, checked and converted to minor units. */
interface ResolvedScheduleInput {
  readonly currency: CurrencyCode;
  readonly principal: bigint;
  readonly rate: RateFraction;
  readonly method: ScheduleMethod;
  readonly installmentCount: number;
  readonly frequency: Frequency;
  readonly dayCount: DayCount;
  readonly disbursedOn: DayNumber;
  readonly firstDueOn: DayNumber | null;
  readonly graceOnPrincipal: number;
  readonly graceOnInterestPayment: number;
  readonly roundingMode: RoundingModeName;
  readonly installmentMultiple: bigint;
}

type Resolution = { readonly ok: true; readonly input: ResolvedScheduleInput } | { readonly ok: false; readonly problems: readonly ScheduleInputProblem[] };

/** The problems with an input, in a fixed order (empty when the engine will accept it). */
export function scheduleInputProblems(input: ScheduleInput): readonly ScheduleInputProblem[] {
  const resolution = resolveScheduleInput(input);
  return resolution.ok ? [] : resolution.problems;
}

function resolveScheduleInput(input: ScheduleInput): Resolution {
  // Closures are avoided here on purpose: this runs for every schedule, and each closure costs.
  const problems: ScheduleInputProblem[] = [];

  const currency = input.currency ?? defaultCurrencyCode;
  const currencyKnown = isCurrencyCode(currency);
  if (!currencyKnown) report(problems, 'currency', 'unknown_currency', `unknown currency ${String(currency)}`);
  const minorDigits = currencyKnown ? currencies[currency].minorUnitDigits : 0;

  let principal = 0n;
  const principalDecimal = input.principal;
  if (!principalDecimal.isFinite() || !isPositiveDecimal(principalDecimal)) {
    report(problems, 'principal', 'principal_not_positive', 'principal must be positive');
  } else if (currencyKnown && principalDecimal.decimalPlaces() > minorDigits) {
    report(problems, 'principal', 'principal_too_many_decimals', `principal has more than ${minorDigits} decimal places for ${currency}`);
  } else if (principalDecimal.gte(principalLimit)) {
    report(problems, 'principal', 'principal_too_large', `principal must be below 10^${maximumPrincipalIntegerDigits}`);
  } else if (currencyKnown) {
    principal = toMinorUnitsExact(principalDecimal, minorDigits);
  }

  let rate: RateFraction = { numerator: 0n, denominator: 1n };
  const quoted = input.rate.kind === 'annual' ? input.rate.annualRate : input.rate.monthlyRate;
  if (input.rate.kind === 'monthly' && !(monthlyToAnnualConversions as readonly string[]).includes(input.rate.monthlyToAnnual)) {
    report(problems, 'rate', 'unknown_monthly_to_annual', `unknown monthly-to-annual conversion ${String(input.rate.monthlyToAnnual)}`);
  } else if (!quoted.isFinite() || quoted.isNegative()) {
    report(problems, 'rate', 'rate_negative', 'rate must not be negative');
  } else if (quoted.gt(maximumAnnualRateDecimal)) {
    // Above 100 whatever the conversion (a monthly rate only grows into an annual one); checked before
    // converting so that absurd magnitudes never reach the bigint arithmetic.
    report(problems, 'rate', 'rate_above_maximum', `annual rate must not exceed ${maximumAnnualRatePercent} %`);
  } else if (quoted.decimalPlaces() > maximumRateDecimalPlaces) {
    report(problems, 'rate', 'rate_too_many_decimals', `rate must have at most ${maximumRateDecimalPlaces} decimal places`);
  } else {
    rate = annualRateFraction(input.rate);
    if (isAnnualRateAboveMaximum(rate)) report(problems, 'rate', 'rate_above_maximum', `annual rate must not exceed ${maximumAnnualRatePercent} %`);
  }

  const method = input.method;
  if (!(scheduleMethods as readonly string[]).includes(method)) report(problems, 'method', 'unknown_method', `unknown method ${String(method)}`);

  const installmentCount = input.installmentCount;
  const countValid = Number.isSafeInteger(installmentCount) && installmentCount >= 1 && installmentCount <= maximumInstallmentCount;
  if (!countValid) report(problems, 'installmentCount', 'installment_count_out_of_range', `installments must be 1 to ${maximumInstallmentCount}`);

  const frequency = input.frequency ?? defaultFrequency;
  const unitKnown = (frequencyUnits as readonly string[]).includes(frequency.unit);
  if (!unitKnown || !Number.isSafeInteger(frequency.every) || frequency.every < 1 || frequency.every > maximumFrequencyEvery[frequency.unit]) {
    report(problems, 'frequency', 'frequency_out_of_range', 'frequency must be 1 to 12 months, 1 to 52 weeks or 1 to 366 days');
  }

  const dayCount = input.dayCount ?? defaultDayCount;
  if (!(dayCounts as readonly string[]).includes(dayCount)) report(problems, 'dayCount', 'unknown_day_count', `unknown day count ${String(dayCount)}`);

  const disbursedOn = input.disbursedOn;
  const disbursedValid = isPlausibleDayNumber(disbursedOn);
  if (!disbursedValid) report(problems, 'disbursedOn', 'date_out_of_range', 'disbursedOn is not a business date');
  const firstDueOn = input.firstDueOn ?? null;
  if (firstDueOn !== null) {
    if (!isPlausibleDayNumber(firstDueOn)) report(problems, 'firstDueOn', 'date_out_of_range', 'firstDueOn is not a business date');
    else if (disbursedValid && firstDueOn <= disbursedOn) {
      report(problems, 'firstDueOn', 'first_due_not_after_disbursement', 'firstDueOn must be after disbursedOn');
    }
  }

  const graceOnPrincipal = input.graceOnPrincipal ?? 0;
  const graceOnInterestPayment = input.graceOnInterestPayment ?? 0;
  checkGrace(problems, 'graceOnPrincipal', graceOnPrincipal, countValid ? installmentCount : null);
  checkGrace(problems, 'graceOnInterestPayment', graceOnInterestPayment, countValid ? installmentCount : null);

  const roundingMode = input.rounding?.mode ?? defaultRoundingMode;
  if (!(roundingModeNames as readonly string[]).includes(roundingMode)) report(problems, 'rounding', 'unknown_rounding_mode', `unknown rounding mode ${String(roundingMode)}`);
  let installmentMultiple = 1n;
  const multiple = input.rounding?.installmentMultiple;
  if (multiple !== undefined) {
    if (!multiple.isFinite() || !isPositiveDecimal(multiple)) {
      report(problems, 'rounding', 'installment_multiple_not_positive', 'installmentMultiple must be positive');
    } else if (currencyKnown && multiple.decimalPlaces() > minorDigits) {
      report(problems, 'rounding', 'installment_multiple_finer_than_minor_unit', `installmentMultiple must be a whole number of ${currency} minor units`);
    } else if (multiple.gte(principalLimit)) {
      report(problems, 'rounding', 'installment_multiple_not_positive', 'installmentMultiple is out of range');
    } else if (currencyKnown) {
      installmentMultiple = toMinorUnitsExact(multiple, minorDigits);
    }
  }

  if (problems.length > 0) return { ok: false, problems };
  return {
    ok: true,
    input: {
      currency: currency as CurrencyCode,
      principal,
      rate,
      method,
      installmentCount,
      frequency,
      dayCount,
      disbursedOn,
      firstDueOn,
      graceOnPrincipal,
      graceOnInterestPayment,
      roundingMode,
      installmentMultiple,
    },
  };
}

function report(problems: ScheduleInputProblem[], field: ScheduleInputField, code: ScheduleInputProblemCode, message: string): void {
  problems.push({ field, code, message });
}

function checkGrace(problems: ScheduleInputProblem[], field: 'graceOnPrincipal' | 'graceOnInterestPayment', grace: number, term: number | null): void {
  if (!Number.isSafeInteger(grace) || grace < 0) report(problems, field, 'grace_out_of_range', `${field} must be a whole number, at least 0`);
  else if (term !== null && grace >= term) report(problems, field, 'grace_not_shorter_than_term', `${field} must be shorter than the term`);
}

function isPositiveDecimal(value: Decimal): boolean {
  return value.isFinite() && value.isPositive() && !value.isZero();
}

const maximumAnnualRateDecimal = new Decimal(maximumAnnualRatePercent);

// 1900-01-01 .. 9999-12-31: what parseIsoDate accepts, and what formatIsoDate prints in four digits.
const earliestDayNumber = -25567;
const latestDayNumber = 2932896;
function isPlausibleDayNumber(day: DayNumber): boolean {
  return Number.isSafeInteger(day) && day >= earliestDayNumber && day <= latestDayNumber;
}

/** A Decimal known to have at most `digits` places, as minor units (string digits, no float). */
function toMinorUnitsExact(amount: Decimal, digits: number): bigint {
  const { units, scale } = decimalAsScaledInteger(amount);
  return units * (powerOfTen(digits) / scale);
}

// ---------------------------------------------------------------------------------------------------
// The engine

/** The schedule with Decimal amounts and the disclosed rates. Throws ScheduleInputError on bad input. */
export function buildSchedule(input: ScheduleInput): Schedule {
  const resolved = resolveOrThrow(input);
  const plan = computePlan(resolved);
  const schedule = presentSchedule(plan, input.rate);
  const afterDays = plan.dueOn.map((dueOn) => dueOn - plan.disbursedOn);
  const effectiveAnnualRate = effectiveAnnualRatePercentOf(plan.principal, afterDays, plan.totalDue);
  if (resolved.method !== 'flat') return { ...schedule, effectiveAnnualRate };
  const equivalentDecliningAnnualRate = decliningAnnualRatePercent(plan.principal, plan.totalDue, plan.yearFractions);
  return { ...schedule, effectiveAnnualRate, equivalentDecliningAnnualRate };
}

/**
 * The schedule with Decimal amounts but without the two solved rates, which cost more than the schedule
 * itself (a Newton solve on bigints each): for callers that store a schedule and never disclose its rates.
 */
export function buildScheduleWithoutRates(input: ScheduleInput): ScheduleWithoutRates {
  return presentSchedule(computePlan(resolveOrThrow(input)), input.rate);
}

function resolveOrThrow(input: ScheduleInput): ResolvedScheduleInput {
  const resolution = resolveScheduleInput(input);
  if (!resolution.ok) throw new ScheduleInputError(resolution.problems);
  return resolution.input;
}

/**
 * The schedule in minor units, checked, without the solved rates or any Decimal: the hot path, for
 * callers that store minor units anyway. Throws ScheduleInputError on bad input.
 */
export function planSchedule(input: ScheduleInput): SchedulePlan {
  return computePlan(resolveOrThrow(input));
}

function presentSchedule(plan: SchedulePlan, quote: RateQuote): ScheduleWithoutRates {
  const currency = plan.currency;
  const count = plan.dueOn.length;
  const installments = new Array<Installment>(count);
  // Equal amounts in a column (the level installment, the equal principal part) share one immutable Decimal.
  const principalColumn = new DecimalColumn(currency);
  const interestColumn = new DecimalColumn(currency);
  const totalColumn = new DecimalColumn(currency);
  let interestSum = 0n;
  let previous = plan.disbursedOn;
  for (let index = 0; index < count; index += 1) {
    const dueOn = plan.dueOn[index]!;
    installments[index] = {
      number: index + 1,
      dueOn,
      days: dueOn - previous,
      principal: principalColumn.decimal(plan.principalDue[index]!),
      interest: interestColumn.decimal(plan.interestDue[index]!),
      total: totalColumn.decimal(plan.totalDue[index]!),
      balanceAfter: fromMinorUnits(plan.balanceAfter[index]!, currency),
    };
    interestSum += plan.interestDue[index]!;
    previous = dueOn;
  }
  const totals = {
    principal: fromMinorUnits(plan.principal, currency),
    interest: fromMinorUnits(interestSum, currency),
    total: fromMinorUnits(plan.principal + interestSum, currency),
  };
  return { currency, installments, totals, annualRate: annualRatePercent(quote) };
}

class DecimalColumn {
  private previousUnits = -1n;
  private previousDecimal: Decimal | null = null;

  constructor(private readonly currency: CurrencyCode) {}

  decimal(units: bigint): Decimal {
    if (units !== this.previousUnits || this.previousDecimal === null) {
      this.previousUnits = units;
      this.previousDecimal = fromMinorUnits(units, this.currency);
    }
    return this.previousDecimal;
  }
}

/** The due dates: date k is k periods from the anchor (not chained), so month-ends keep their day. */
export function scheduleDueDates(
  disbursedOn: DayNumber,
  firstDueOn: DayNumber | null,
  frequency: Frequency,
  installmentCount: number,
): DayNumber[] {
  const dueOn = new Array<DayNumber>(installmentCount);
  const anchor = firstDueOn ?? disbursedOn;
  const offset = firstDueOn === null ? 1 : 0; // with firstDueOn, installment 1 is the anchor itself
  for (let index = 0; index < installmentCount; index += 1) {
    dueOn[index] = stepFrom(anchor, (index + offset) * frequency.every, frequency.unit);
  }
  return dueOn;
}

function stepFrom(anchor: DayNumber, units: number, unit: FrequencyUnit): DayNumber {
  if (unit === 'month') return addMonths(anchor, units);
  if (unit === 'week') return addDays(anchor, 7 * units);
  return addDays(anchor, units);
}

function computePlan(input: ResolvedScheduleInput): SchedulePlan {
  const { principal, rate, installmentCount: count, frequency, dayCount, disbursedOn, roundingMode: mode } = input;
  // A first due date exactly one period after disbursement is no broken period: the schedule is the one
  // without it (anchored on disbursement, so a loan made on the 31st still falls due on month-ends).
  const firstIsBroken = input.firstDueOn !== null && input.firstDueOn !== stepFrom(disbursedOn, frequency.every, frequency.unit);
  const dueOn = scheduleDueDates(disbursedOn, firstIsBroken ? input.firstDueOn : null, frequency, count);

  const regularLength: PeriodLength = frequency.unit === 'month' ? { kind: 'months', months: frequency.every } : { kind: 'days' };
  const brokenLength: PeriodLength = frequency.unit === 'month' ? { kind: 'broken_month' } : { kind: 'days' };

  const days = new Array<number>(count);
  const yearFractions = new Array<YearFraction>(count);
  const periodRates = new Array<PeriodRate>(count);
  const interest = new Array<PreparedRoundedQuotient>(count);
  let previous = disbursedOn;
  for (let index = 0; index < count; index += 1) {
    const end = dueOn[index]!;
    const fraction = periodYearFraction(dayCount, previous, end, index === 0 && firstIsBroken ? brokenLength : regularLength);
    days[index] = end - previous;
    yearFractions[index] = fraction;
    // Interest of the period on balance B: B x rate x yearFraction, one rounding with the mode.
    const periodRate = { numerator: rate.numerator * fraction.numerator, denominator: rate.denominator * fraction.denominator };
    periodRates[index] = periodRate;
    interest[index] = prepareRoundedQuotient(periodRate.numerator, periodRate.denominator, mode);
    previous = end;
  }

  const periods: Periods = { count, interest, graceOnPrincipal: input.graceOnPrincipal };
  let run: LevelRun;
  if (input.method === 'declining_equal_principal') {
    // principal / amortizing installments, rounded to the multiple; the last takes the remainder.
    const amortizing = BigInt(count - input.graceOnPrincipal);
    const part = divideRounded(principal, amortizing * input.installmentMultiple, mode) * input.installmentMultiple;
    run = runEqualPrincipal(periods, principal, part);
  } else {
    let flatInterest: bigint[] | null = null;
    let exactLevel: { numerator: bigint; denominator: bigint };
    if (input.method === 'flat') {
      // Interest on the original principal every period; the level spreads principal plus the interest of
      // the amortizing periods over them (grace installments pay their own interest only).
      flatInterest = new Array<bigint>(count);
      let amortizingInterest = 0n;
      for (let index = 0; index < count; index += 1) {
        const periodInterest = roundedQuotientOf(principal, interest[index]!);
        flatInterest[index] = periodInterest;
        if (index >= input.graceOnPrincipal) amortizingInterest += periodInterest;
      }
      exactLevel = { numerator: principal + amortizingInterest, denominator: BigInt(count - input.graceOnPrincipal) };
    } else {
      exactLevel = annuityInstallmentFraction(principal, periodRates.slice(input.graceOnPrincipal));
    }
    run = chooseLevel(periods, principal, exactLevel, input.installmentMultiple, mode, flatInterest);
  }
  const { level, principalDue, interestAccrued } = run;

  // Interest grace moves interest payment, never principal: the first h installments' interest is paid
  // with installment h + 1.
  const interestDue = new Array<bigint>(count);
  const totalDue = new Array<bigint>(count);
  const balanceAfter = new Array<bigint>(count);
  let deferred = 0n;
  let balance = principal;
  for (let index = 0; index < count; index += 1) {
    let due: bigint;
    if (index < input.graceOnInterestPayment) {
      due = 0n;
      deferred += interestAccrued[index]!;
    } else if (deferred !== 0n) {
      due = interestAccrued[index]! + deferred;
      deferred = 0n;
    } else {
      due = interestAccrued[index]!;
    }
    interestDue[index] = due;
    totalDue[index] = principalDue[index]! + due;
    balance -= principalDue[index]!;
    balanceAfter[index] = balance;
  }

  const plan: SchedulePlan = {
    currency: input.currency,
    principal,
    disbursedOn,
    dueOn,
    days,
    yearFractions,
    principalDue,
    interestAccrued,
    interestDue,
    totalDue,
    balanceAfter,
    level,
  };
  assertPlanInvariants(plan);
  return plan;
}

interface Periods {
  readonly count: number;
  /** Each period's interest on a balance: balance x rate x yearFraction, rounded with the mode. */
  readonly interest: readonly PreparedRoundedQuotient[];
  readonly graceOnPrincipal: number;
}

interface LevelRun {
  /** The equal installment (annuity, flat) or equal principal part (equal principal). */
  readonly level: bigint;
  readonly principalDue: bigint[];
  readonly interestAccrued: bigint[];
  /** |last installment - level|. */
  readonly lastDeviation: bigint;
}

function runEqualPrincipal(periods: Periods, principal: bigint, part: bigint): LevelRun {
  const { count, interest, graceOnPrincipal } = periods;
  const principalDue = new Array<bigint>(count);
  const interestAccrued = new Array<bigint>(count);
  let balance = principal;
  for (let index = 0; index < count; index += 1) {
    interestAccrued[index] = roundedQuotientOf(balance, interest[index]!);
    let principalPart: bigint;
    if (index < graceOnPrincipal) principalPart = 0n;
    else if (index === count - 1) principalPart = balance;
    else principalPart = part < balance ? part : balance; // a part rounded up can't take more than is left
    principalDue[index] = principalPart;
    balance -= principalPart;
  }
  return { level: part, principalDue, interestAccrued, lastDeviation: 0n };
}

/** Runs a level-installment schedule (annuity when flatInterest is null, else flat) for one level. */
function runLevelInstallment(periods: Periods, principal: bigint, level: bigint, flatInterest: readonly bigint[] | null): LevelRun {
  const { count, interest, graceOnPrincipal } = periods;
  const principalDue = new Array<bigint>(count);
  const interestAccrued = new Array<bigint>(count);
  let balance = principal;
  let lastTotal = 0n;
  for (let index = 0; index < count; index += 1) {
    const periodInterest = flatInterest === null ? roundedQuotientOf(balance, interest[index]!) : flatInterest[index]!;
    let principalPart: bigint;
    if (index < graceOnPrincipal) principalPart = 0n;
    else if (index === count - 1) {
      principalPart = balance;
      lastTotal = balance + periodInterest;
    } else {
      // Interest above the level (a long broken first period, a high rate over a long term): the
      // installment is the interest alone and no principal is repaid, rather than a negative part.
      principalPart = level - periodInterest;
      if (principalPart < 0n) principalPart = 0n;
      else if (principalPart > balance) principalPart = balance;
    }
    principalDue[index] = principalPart;
    interestAccrued[index] = periodInterest;
    balance -= principalPart;
  }
  return { level, principalDue, interestAccrued, lastDeviation: lastTotal < level ? level - lastTotal : lastTotal - level };
}

/**
 * The equal installment: the exact level rounded to the multiple with the mode; then the neighbouring
 * multiples, one up and one down, are tried too, and the one whose last installment lands closest to the
 * level is kept (a tie keeps the rounded one).
 *
 * Only one neighbour needs running. A higher level repays at least as much principal every period
 * (interest, a monotone rounding of the balance, can only be lower on a lower balance), so the last
 * installment can only be smaller: last(L) - L strictly decreases in L. When the rounded level leaves
 * the last installment above the level, one down leaves it further above; when below, one up leaves it
 * further below. So the neighbour on the other side is never closer, and the result is the same as
 * running all three.
 */
function chooseLevel(
  periods: Periods,
  principal: bigint,
  exactLevel: { numerator: bigint; denominator: bigint },
  multiple: bigint,
  mode: RoundingModeName,
  flatInterest: readonly bigint[] | null,
): LevelRun {
  const rounded = divideRounded(exactLevel.numerator, exactLevel.denominator * multiple, mode) * multiple;
  // A level of 0 (or one multiple below it) is no candidate: only one multiple up is left to try.
  if (rounded <= 0n) return runLevelInstallment(periods, principal, multiple, flatInterest);
  const first = runLevelInstallment(periods, principal, rounded, flatInterest);
  if (first.lastDeviation === 0n) return first;
  const lastAboveLevel = first.principalDue[periods.count - 1]! + first.interestAccrued[periods.count - 1]! > first.level;
  const neighbour = lastAboveLevel ? first.level + multiple : first.level - multiple;
  if (neighbour <= 0n) return first;
  const second = runLevelInstallment(periods, principal, neighbour, flatInterest);
  return second.lastDeviation < first.lastDeviation ? second : first;
}

/** A wrong schedule is worse than none: every invariant of DESIGN.md §3 is checked on every plan. */
function assertPlanInvariants(plan: SchedulePlan): void {
  const count = plan.dueOn.length;
  if (count < 1) throw new ScheduleInvariantError('no installments');
  let previous = plan.disbursedOn;
  let balance = plan.principal;
  let principalSum = 0n;
  let accruedSum = 0n;
  let dueSum = 0n;
  for (let index = 0; index < count; index += 1) {
    const number = index + 1;
    const dueOn = plan.dueOn[index]!;
    if (!(dueOn > previous)) throw new ScheduleInvariantError(`due date of installment ${number} does not follow the previous one`);
    if (plan.days[index] !== dueOn - previous) throw new ScheduleInvariantError(`days of installment ${number}`);
    previous = dueOn;
    const principalPart = plan.principalDue[index]!;
    const accrued = plan.interestAccrued[index]!;
    const due = plan.interestDue[index]!;
    if (principalPart < 0n || accrued < 0n || due < 0n) throw new ScheduleInvariantError(`negative part in installment ${number}`);
    if (plan.totalDue[index] !== principalPart + due) throw new ScheduleInvariantError(`total of installment ${number}`);
    balance -= principalPart;
    if (balance < 0n || plan.balanceAfter[index] !== balance) throw new ScheduleInvariantError(`balance after installment ${number}`);
    principalSum += principalPart;
    accruedSum += accrued;
    dueSum += due;
  }
  if (principalSum !== plan.principal) throw new ScheduleInvariantError('principal parts do not sum to the principal');
  if (balance !== 0n) throw new ScheduleInvariantError('balance is not zero after the last installment');
  if (accruedSum !== dueSum) throw new ScheduleInvariantError('deferred interest was lost or created');
}
