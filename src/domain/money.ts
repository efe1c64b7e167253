// Money: one configured Decimal, currencies by ISO code, named rounding modes, exact conversions.
// DESIGN.md §2: a JS number never holds an amount; every conversion that can lose a digit names its
// rounding mode, and the conversions that cannot lose one (minor units, formatting) refuse to round.
import decimalModule from 'decimal.js';

// decimal.js's default export is the constructor at runtime (decimal.mjs, and module.exports of its
// CommonJS build), but its one .d.ts is read as CommonJS under NodeNext, where a default import types as
// the module object. The cast states what the runtime holds.
const DecimalJs = decimalModule as unknown as typeof decimalModule.Decimal;
type DecimalJs = decimalModule.Decimal;

/**
 * The one Decimal of the service. 40 significant digits hold any amount we handle (10^20 đồng with
 * room to spare) times any rate without a rounding step; toExpNeg/toExpPos keep `toString()` free of
 * exponents for the same range.
 */
export const Decimal = DecimalJs.clone({
  precision: 40,
  toExpNeg: -40,
  toExpPos: 40,
  rounding: DecimalJs.ROUND_HALF_UP,
});
export type Decimal = DecimalJs;

// ---------------------------------------------------------------------------------------------------
// Currencies

export const currencyCodes = ['VND', 'USD', 'EUR', 'JPY', 'KHR', 'LAK', 'THB', 'CNY', 'GBP'] as const;
export type CurrencyCode = (typeof currencyCodes)[number];

export interface Currency {
  readonly code: CurrencyCode;
  /** Digits after the decimal point of the minor unit: VND 0 (đồng), USD 2 (cents). */
  readonly minorUnitDigits: number;
}

export const currencies: Readonly<Record<CurrencyCode, Currency>> = {
  VND: { code: 'VND', minorUnitDigits: 0 },
  USD: { code: 'USD', minorUnitDigits: 2 },
  EUR: { code: 'EUR', minorUnitDigits: 2 },
  JPY: { code: 'JPY', minorUnitDigits: 0 },
  // ISO 4217 gives the riel and the kip two minor digits even though nobody counts in them.
  KHR: { code: 'KHR', minorUnitDigits: 2 },
  LAK: { code: 'LAK', minorUnitDigits: 2 },
  THB: { code: 'THB', minorUnitDigits: 2 },
  CNY: { code: 'CNY', minorUnitDigits: 2 },
  GBP: { code: 'GBP', minorUnitDigits: 2 },
};

export const defaultCurrencyCode: CurrencyCode = 'VND';

export function isCurrencyCode(text: string): text is CurrencyCode {
  return Object.prototype.hasOwnProperty.call(currencies, text);
}

export function currencyOf(code: CurrencyCode): Currency {
  return currencies[code];
}

/** 10^digits as a bigint: the number of minor units in one major unit. */
export function minorUnitsPerMajorUnit(currency: CurrencyCode): bigint {
  return powerOfTen(currencies[currency].minorUnitDigits);
}

/** The smallest amount of the currency: 1 đồng, 0.01 USD. */
export function minorUnit(currency: CurrencyCode): Decimal {
  return new Decimal(1).div(new Decimal(10).pow(currencies[currency].minorUnitDigits));
}

// ---------------------------------------------------------------------------------------------------
// Rounding

export const roundingModeNames = ['half_up', 'half_even', 'down', 'up'] as const;
/**
 * Named for what they do. half_up: nearest, ties away from zero. half_even: nearest, ties to the even
 * neighbour (banker's). down: toward zero (truncate). up: away from zero.
 */
export type RoundingModeName = (typeof roundingModeNames)[number];
export const defaultRoundingMode: RoundingModeName = 'half_up';

export const decimalRounding: Readonly<Record<RoundingModeName, decimalModule.Decimal.Rounding>> = {
  half_up: DecimalJs.ROUND_HALF_UP,
  half_even: DecimalJs.ROUND_HALF_EVEN,
  down: DecimalJs.ROUND_DOWN,
  up: DecimalJs.ROUND_UP,
};

/** Rounds to the given number of decimal places with a named mode. */
export function roundToPlaces(amount: Decimal, places: number, mode: RoundingModeName): Decimal {
  return amount.toDecimalPlaces(places, decimalRounding[mode]);
}

/** Rounds to the currency's minor unit with a named mode. */
export function roundToMinorUnit(amount: Decimal, currency: CurrencyCode, mode: RoundingModeName): Decimal {
  return roundToPlaces(amount, currencies[currency].minorUnitDigits, mode);
}

/**
 * Rounds to a whole number of `multiple`s (e.g. 1000 đồng, 0.05 USD) with a named mode. For the usual
 * multiples (a power of ten, or 2 or 5 times one) the quotient amount / multiple terminates and is exact;
 * for any other the 40-digit quotient of two short decimals can't land on a tie that isn't one.
 */
export function roundToMultiple(amount: Decimal, multiple: Decimal, mode: RoundingModeName): Decimal {
  if (!multiple.isFinite() || multiple.lte(0)) throw new RangeError(`rounding multiple must be positive, got ${multiple.toString()}`);
  return amount.div(multiple).toDecimalPlaces(0, decimalRounding[mode]).mul(multiple);
}

/**
 * numerator / denominator rounded to an integer with a named mode, on bigints (exact for any size).
 * The modes hold for negative quotients too: down truncates toward zero, up moves away from zero,
 * half_up breaks ties away from zero and half_even toward the even neighbour.
 */
export function divideRounded(numerator: bigint, denominator: bigint, mode: RoundingModeName): bigint {
  if (numerator >= 0n && denominator > 0n) return divideRoundedNonNegative(numerator, denominator, mode);
  if (denominator === 0n) throw new RangeError('division by zero');
  if (denominator < 0n) {
    numerator = -numerator;
    denominator = -denominator;
  }
  if (numerator >= 0n) return divideRoundedNonNegative(numerator, denominator, mode);
  // A negative quotient: round its magnitude, since every mode here is symmetric about zero.
  return -divideRoundedNonNegative(-numerator, denominator, mode);
}

/** divideRounded for numerator >= 0 and denominator > 0 (no sign handling: small enough to inline). */
export function divideRoundedNonNegative(numerator: bigint, denominator: bigint, mode: RoundingModeName): bigint {
  const quotient = numerator / denominator;
  const remainder = numerator % denominator;
  if (remainder === 0n || mode === 'down') return quotient;
  if (mode === 'up') return quotient + 1n;
  const twiceRemainder = 2n * remainder;
  if (twiceRemainder > denominator) return quotient + 1n;
  if (twiceRemainder < denominator) return quotient;
  // An exact tie.
  return mode === 'half_up' || (quotient & 1n) === 1n ? quotient + 1n : quotient;
}

/**
 * round(x x numerator / denominator) for many x >= 0 with the same fraction and mode, prepared so each
 * costs two or three bigint operations: (x x multiplier + addend) / divisor. down: (xn) / d; up:
 * (xn + d - 1) / d; half_up and half_even: (2xn + d) / 2d, which rounds ties up, so half_even steps back
 * down when the division is exact (a tie) and the result odd. Numerator >= 0, denominator > 0.
 */
export interface PreparedRoundedQuotient {
  readonly multiplier: bigint;
  readonly addend: bigint;
  readonly divisor: bigint;
  readonly halfEven: boolean;
}

export function prepareRoundedQuotient(numerator: bigint, denominator: bigint, mode: RoundingModeName): PreparedRoundedQuotient {
  if (numerator < 0n || denominator <= 0n) throw new RangeError('prepared quotients need numerator >= 0 and denominator > 0');
  switch (mode) {
    case 'down':
      return { multiplier: numerator, addend: 0n, divisor: denominator, halfEven: false };
    case 'up':
      return { multiplier: numerator, addend: denominator - 1n, divisor: denominator, halfEven: false };
    case 'half_up':
    case 'half_even':
      return { multiplier: 2n * numerator, addend: denominator, divisor: 2n * denominator, halfEven: mode === 'half_even' };
  }
}

/** round(x x numerator / denominator) for x >= 0, as prepared. */
export function roundedQuotientOf(x: bigint, prepared: PreparedRoundedQuotient): bigint {
  const dividend = x * prepared.multiplier + prepared.addend;
  const quotient = dividend / prepared.divisor;
  if (prepared.halfEven && (quotient & 1n) === 1n && quotient * prepared.divisor === dividend) return quotient - 1n;
  return quotient;
}

// ---------------------------------------------------------------------------------------------------
// Parsing and formatting

export type MoneyParseFailure =
  /** Empty, whitespace, an exponent, a leading `+`, a bare `.5` or `5.`, or anything else not digits. */
  | 'not_a_decimal_string'
  /** More fractional digits than the currency has (`1.005` USD, `1500.0` VND). */
  | 'too_many_decimals'
  /** A well-formed amount with a leading minus sign. */
  | 'negative'
  /** More than 24 integer digits: beyond any real amount, and beyond where the arithmetic stays exact. */
  | 'too_large';

export type MoneyParseResult = { readonly ok: true; readonly value: Decimal } | { readonly ok: false; readonly reason: MoneyParseFailure };

const decimalStringPattern = /^(-?)([0-9]+)(?:\.([0-9]+))?$/;
const maximumIntegerDigits = 24;

/**
 * Parses a wire amount: plain digits with an optional fraction, no sign, no exponent, and at most the
 * currency's minor-unit digits after the point (counted as written: `1500.0` is refused for VND).
 */
export function parseMoney(text: string, currency: CurrencyCode): MoneyParseResult {
  return parseDecimalString(text, currencies[currency].minorUnitDigits);
}

/** The same grammar as parseMoney with a caller-chosen limit on fractional digits (rates use it). */
export function parseDecimalString(text: string, maximumFractionDigits: number): MoneyParseResult {
  const match = decimalStringPattern.exec(text);
  if (!match) return { ok: false, reason: 'not_a_decimal_string' };
  const [, sign, integerDigits = '', fractionDigits = ''] = match;
  if (sign === '-') return { ok: false, reason: 'negative' };
  if (fractionDigits.length > maximumFractionDigits) return { ok: false, reason: 'too_many_decimals' };
  if (integerDigits.replace(/^0+/, '').length > maximumIntegerDigits) return { ok: false, reason: 'too_large' };
  return { ok: true, value: new Decimal(text) };
}

/**
 * A plain decimal string with exactly the currency's digits: `1500000` VND, `1250.50` USD, `-3.00`.
 * Refuses (throws) an amount finer than the minor unit: round first, with a named mode.
 */
export function formatMoney(amount: Decimal, currency: CurrencyCode): string {
  return formatMinorUnits(toMinorUnits(amount, currency), currencies[currency].minorUnitDigits);
}

/**
 * A plain decimal string with exactly `places` digits after the point; refuses to round (throws when
 * the value has more digits), so a caller who wants fewer digits names a mode with roundToPlaces.
 */
export function formatDecimal(value: Decimal, places: number): string {
  return formatMinorUnits(scaleToInteger(value, places), places);
}

/**
 * part / whole as a percentage rounded to some decimal places with a named mode ("12.35"), exactly in whole numbers;
 * null when whole is nothing (no rate of nothing). The reports' rates and percentages of plan.
 */
export function percentage(part: bigint, whole: bigint, places: number, mode: RoundingModeName): string | null {
  if (whole === 0n) return null;
  return formatMinorUnits(divideRounded(part * 100n * 10n ** BigInt(places), whole, mode), places);
}

/** Formats an integer count of 10^-places units as a plain decimal string. */
export function formatMinorUnits(units: bigint, places: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString();
  if (places === 0) return negative ? `-${digits}` : digits;
  const padded = digits.padStart(places + 1, '0');
  const text = `${padded.slice(0, -places)}.${padded.slice(-places)}`;
  return negative ? `-${text}` : text;
}

// ---------------------------------------------------------------------------------------------------
// Minor units (what SQLite stores)

/** The amount as an integer count of minor units; throws if it has a fraction of a minor unit. */
export function toMinorUnits(amount: Decimal, currency: CurrencyCode): bigint {
  return scaleToInteger(amount, currencies[currency].minorUnitDigits);
}

/**
 * An integer count of minor units as a Decimal amount. A `number` is accepted for what SQLite hands
 * back, but only as a safe integer: a count of đồng, never a fractional amount.
 */
export function fromMinorUnits(units: bigint | number, currency: CurrencyCode): Decimal {
  const digits = currencies[currency].minorUnitDigits;
  if (typeof units === 'number') {
    if (!Number.isSafeInteger(units)) throw new RangeError(`minor units must be a safe integer, got ${String(units)}`);
    // A safe integer converts to Decimal exactly, and this path skips string parsing (schedules hot path).
    if (digits === 0) return new Decimal(units);
    return new Decimal(formatMinorUnits(BigInt(units), digits));
  }
  if (digits === 0 && units <= maximumSafeBigInt && units >= -maximumSafeBigInt) return new Decimal(Number(units));
  return new Decimal(formatMinorUnits(units, digits));
}

const maximumSafeBigInt = BigInt(Number.MAX_SAFE_INTEGER);

function scaleToInteger(value: Decimal, places: number): bigint {
  if (!value.isFinite()) throw new RangeError(`not a finite amount: ${value.toString()}`);
  const scaled = value.mul(new Decimal(10).pow(places));
  if (!scaled.isInteger()) throw new RangeError(`${value.toString()} has more than ${places} decimal places`);
  // toString is exponent-free up to 10^40 (toExpPos); beyond that no amount is real.
  if (scaled.abs().gte(new Decimal(10).pow(39))) throw new RangeError(`amount out of range: ${value.toString()}`);
  return BigInt(scaled.toString());
}

const powersOfTen: bigint[] = [];
for (let index = 0, power = 1n; index <= 40; index += 1, power *= 10n) powersOfTen.push(power);

/** 10^exponent as a bigint (cached for the small exponents used by currencies and rates). */
export function powerOfTen(exponent: number): bigint {
  const cached = powersOfTen[exponent];
  if (cached !== undefined) return cached;
  if (!Number.isInteger(exponent) || exponent < 0) throw new RangeError(`bad exponent ${exponent}`);
  return 10n ** BigInt(exponent);
}

/** amount x percent / 100, multiplied before dividing and rounded once. */
export function percentOf(amount: bigint, percent: string, mode: RoundingModeName): bigint {
  const { numerator, denominator } = percentFraction(percent);
  return divideRounded(amount * numerator, denominator, mode);
}

/** A percentage written as a decimal ("0.5", "25") as the exact fraction numerator / denominator of one. */
export function percentFraction(percent: string): { numerator: bigint; denominator: bigint } {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(percent);
  if (!match) throw new RangeError(`not a percentage: ${percent}`);
  const fraction = match[2] ?? '';
  return { numerator: BigInt(`${match[1]}${fraction}`), denominator: 100n * 10n ** BigInt(fraction.length) };
}

