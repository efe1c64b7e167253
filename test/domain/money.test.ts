import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  currencies,
  currencyCodes,
  Decimal,
  decimalRounding,
  defaultCurrencyCode,
  divideRounded,
  formatDecimal,
  formatMinorUnits,
  formatMoney,
  fromMinorUnits,
  isCurrencyCode,
  minorUnit,
  parseMoney,
  percentage,
  prepareRoundedQuotient,
  roundedQuotientOf,
  roundingModeNames,
  roundToMinorUnit,
  roundToMultiple,
  toMinorUnits,
  type RoundingModeName,
} from '../../src/domain/money.js';

const d = (text: string): Decimal => new Decimal(text);

describe('the configured Decimal', () => {
  it('keeps 40 significant digits and never prints an exponent in range', () => {
    expect(Decimal.precision).toBe(40);
    expect(d('1').div(3).toString()).toBe('0.3333333333333333333333333333333333333333');
    expect(d('1e-30').toString()).toBe('0.000000000000000000000000000001');
    expect(d('1e30').toString()).toBe('1000000000000000000000000000000');
  });

  it('rounds half up by default', () => {
    expect(d('2.5').toDecimalPlaces(0).toString()).toBe('3');
    expect(d('-2.5').toDecimalPlaces(0).toString()).toBe('-3');
  });

  it('is exact where binary floating point is not', () => {
    expect(d('0.1').add(d('0.2')).toString()).toBe('0.3');
  });
});

describe('currencies', () => {
  it('know their minor-unit digits', () => {
    expect(currencies.VND.minorUnitDigits).toBe(0);
    expect(currencies.JPY.minorUnitDigits).toBe(0);
    for (const code of ['USD', 'EUR', 'KHR', 'LAK', 'THB', 'CNY', 'GBP'] as const) expect(currencies[code].minorUnitDigits).toBe(2);
    expect(defaultCurrencyCode).toBe('VND');
    expect(currencyCodes).toContain('VND');
  });

  it('recognise only ISO codes they hold', () => {
    expect(isCurrencyCode('USD')).toBe(true);
    expect(isCurrencyCode('usd')).toBe(false);
    expect(isCurrencyCode('XYZ')).toBe(false);
    expect(isCurrencyCode('toString')).toBe(false);
  });

  it('give their minor unit', () => {
    expect(minorUnit('VND').toString()).toBe('1');
    expect(minorUnit('USD').toString()).toBe('0.01');
  });
});

describe('named rounding modes', () => {
  // value, half_up, half_even, down, up
  const table: [string, string, string, string, string][] = [
    ['2.5', '3', '2', '2', '3'],
    ['3.5', '4', '4', '3', '4'],
    ['2.4', '2', '2', '2', '3'],
    ['2.6', '3', '3', '2', '3'],
    ['-2.5', '-3', '-2', '-2', '-3'],
    ['-2.4', '-2', '-2', '-2', '-3'],
    ['-2.6', '-3', '-3', '-2', '-3'],
    ['7', '7', '7', '7', '7'],
  ];
  it.each(table)('%s rounds to half_up %s, half_even %s, down %s, up %s', (value, halfUp, halfEven, down, up) => {
    const expected: Record<RoundingModeName, string> = { half_up: halfUp, half_even: halfEven, down, up };
    for (const mode of roundingModeNames) {
      expect(d(value).toDecimalPlaces(0, decimalRounding[mode]).toString()).toBe(expected[mode]);
      // divideRounded on bigints agrees: value x 10 / 10.
      expect(divideRounded(BigInt(d(value).mul(10).toString()), 10n, mode).toString()).toBe(expected[mode]);
    }
  });

  it('divideRounded handles a negative denominator and refuses zero', () => {
    expect(divideRounded(5n, -2n, 'half_up')).toBe(-3n);
    expect(divideRounded(-5n, -2n, 'half_even')).toBe(2n);
    expect(() => divideRounded(1n, 0n, 'down')).toThrow(RangeError);
  });

  it('divideRounded matches Decimal rounding of the exact quotient for every mode (property)', () => {
    // 100 digits hold a 30-digit quotient with room to spare: no expansion of a / b with b <= 10^15 has
    // a run of 70 zeros or nines, so the reference never sees a false tie.
    const Wide = Decimal.clone({ precision: 100 });
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.boolean(),
        fc.constantFrom(...roundingModeNames),
        (numerator, magnitude, negativeDenominator, mode) => {
          const denominator = negativeDenominator ? -magnitude : magnitude;
          const expected = new Wide(numerator.toString()).div(denominator.toString()).toDecimalPlaces(0, decimalRounding[mode]);
          expect(divideRounded(numerator, denominator, mode).toString()).toBe(expected.toFixed(0));
        },
      ),
    );
  });

  it('prepared quotients agree with divideRounded (property)', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 14n }),
        fc.bigInt({ min: 0n, max: 10n ** 6n }),
        fc.bigInt({ min: 1n, max: 10n ** 6n }),
        fc.constantFrom(...roundingModeNames),
        (balance, numerator, denominator, mode) => {
          const prepared = prepareRoundedQuotient(numerator, denominator, mode);
          expect(roundedQuotientOf(balance, prepared)).toBe(divideRounded(balance * numerator, denominator, mode));
        },
      ),
    );
  });

  it('prepared quotients decide exact ties by the mode', () => {
    // 5 x 1 / 2 = 2.5; 7 x 1 / 2 = 3.5
    expect(roundedQuotientOf(5n, prepareRoundedQuotient(1n, 2n, 'half_even'))).toBe(2n);
    expect(roundedQuotientOf(7n, prepareRoundedQuotient(1n, 2n, 'half_even'))).toBe(4n);
    expect(roundedQuotientOf(5n, prepareRoundedQuotient(1n, 2n, 'half_up'))).toBe(3n);
    expect(roundedQuotientOf(5n, prepareRoundedQuotient(1n, 2n, 'down'))).toBe(2n);
    expect(roundedQuotientOf(5n, prepareRoundedQuotient(1n, 2n, 'up'))).toBe(3n);
    expect(roundedQuotientOf(4n, prepareRoundedQuotient(1n, 2n, 'up'))).toBe(2n);
  });
});

describe('roundToMultiple', () => {
  it.each([
    ['877116.69', '1000', 'half_up', '877000'],
    ['877500', '1000', 'half_up', '878000'],
    ['877500', '1000', 'half_even', '878000'],
    ['876500', '1000', 'half_even', '876000'],
    ['877999', '1000', 'down', '877000'],
    ['877001', '1000', 'up', '878000'],
    ['12.345', '0.01', 'half_even', '12.34'],
    ['12.345', '0.01', 'half_up', '12.35'],
    ['12.3449', '0.05', 'half_up', '12.35'],
    ['-12.5', '1', 'half_up', '-13'],
    ['-12.5', '1', 'up', '-13'],
    ['-12.5', '1', 'down', '-12'],
  ] as const)('%s to a multiple of %s, %s, is %s', (amount, multiple, mode, expected) => {
    expect(roundToMultiple(d(amount), d(multiple), mode).toString()).toBe(expected);
  });

  it('refuses a multiple that is not positive', () => {
    expect(() => roundToMultiple(d('1'), d('0'), 'half_up')).toThrow(RangeError);
  });

  it('rounds to the minor unit', () => {
    expect(roundToMinorUnit(d('81534.246'), 'VND', 'half_up').toString()).toBe('81534');
    expect(roundToMinorUnit(d('230.035'), 'USD', 'half_up').toString()).toBe('230.04');
    expect(roundToMinorUnit(d('230.035'), 'USD', 'down').toString()).toBe('230.03');
  });
});

describe('parseMoney', () => {
  it.each([
    ['1500000', 'VND', '1500000'],
    ['0', 'VND', '0'],
    ['1250.50', 'USD', '1250.5'],
    ['1250.5', 'USD', '1250.5'],
    ['1250', 'USD', '1250'],
    ['007', 'VND', '7'],
  ] as const)('reads %s %s', (text, currency, expected) => {
    const result = parseMoney(text, currency);
    expect(result.ok && result.value.toString()).toBe(expected);
  });

  it.each([
    ['', 'VND', 'not_a_decimal_string'],
    [' 1', 'VND', 'not_a_decimal_string'],
    ['1e6', 'VND', 'not_a_decimal_string'],
    ['1E6', 'VND', 'not_a_decimal_string'],
    ['+5', 'VND', 'not_a_decimal_string'],
    ['.5', 'USD', 'not_a_decimal_string'],
    ['5.', 'USD', 'not_a_decimal_string'],
    ['1,000', 'VND', 'not_a_decimal_string'],
    ['0x10', 'VND', 'not_a_decimal_string'],
    ['NaN', 'VND', 'not_a_decimal_string'],
    ['Infinity', 'VND', 'not_a_decimal_string'],
    ['1500.0', 'VND', 'too_many_decimals'],
    ['1.005', 'USD', 'too_many_decimals'],
    ['-5', 'VND', 'negative'],
    ['-0.01', 'USD', 'negative'],
    ['1000000000000000000000000', 'VND', 'too_large'],
  ] as const)('refuses %j %s as %s', (text, currency, reason) => {
    expect(parseMoney(text, currency)).toEqual({ ok: false, reason });
  });
});

describe('formatting and minor units', () => {
  it('formats with exactly the currency digits and no exponent', () => {
    expect(formatMoney(d('1500000'), 'VND')).toBe('1500000');
    expect(formatMoney(d('1250.5'), 'USD')).toBe('1250.50');
    expect(formatMoney(d('0.05'), 'USD')).toBe('0.05');
    expect(formatMoney(d('-3'), 'EUR')).toBe('-3.00');
    expect(formatMoney(d('1e20'), 'VND')).toBe('100000000000000000000');
  });

  it('refuses to format an amount finer than the minor unit (round first, with a mode)', () => {
    expect(() => formatMoney(d('1.005'), 'USD')).toThrow(RangeError);
    expect(() => formatMoney(d('0.5'), 'VND')).toThrow(RangeError);
  });

  it('formats decimals to a fixed number of places without rounding', () => {
    expect(formatDecimal(d('9.6'), 2)).toBe('9.60');
    expect(formatDecimal(d('0.05'), 4)).toBe('0.0500');
    expect(() => formatDecimal(d('9.605'), 2)).toThrow(RangeError);
    expect(formatMinorUnits(-5n, 2)).toBe('-0.05');
  });

  it('converts to and from minor units exactly', () => {
    expect(toMinorUnits(d('1250.50'), 'USD')).toBe(125050n);
    expect(toMinorUnits(d('1500000'), 'VND')).toBe(1500000n);
    expect(() => toMinorUnits(d('0.001'), 'USD')).toThrow(RangeError);
    expect(fromMinorUnits(125050n, 'USD').toString()).toBe('1250.5');
    expect(fromMinorUnits(125050, 'USD').toString()).toBe('1250.5');
    expect(fromMinorUnits(-7n, 'USD').toString()).toBe('-0.07');
    expect(fromMinorUnits(123456789012345678901234567890n, 'VND').toString()).toBe('123456789012345678901234567890');
    expect(() => fromMinorUnits(0.5, 'VND')).toThrow(RangeError);
    expect(() => fromMinorUnits(2 ** 53, 'VND')).toThrow(RangeError);
  });

  it('round-trips every amount (property)', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(10n ** 23n), max: 10n ** 23n }), fc.constantFrom(...currencyCodes), (units, currency) => {
        const amount = fromMinorUnits(units, currency);
        expect(toMinorUnits(amount, currency)).toBe(units);
        const text = formatMoney(amount, currency);
        if (units >= 0n) {
          const parsed = parseMoney(text, currency);
          expect(parsed.ok && parsed.value.eq(amount)).toBe(true);
        }
      }),
    );
  });
});

describe('percentage', () => {
  it('rounds half up to the places asked, and has no rate of nothing', () => {
    expect(percentage(1n, 8n, 2, 'half_up')).toBe('12.50');
    expect(percentage(2n, 3n, 2, 'half_up')).toBe('66.67');
    expect(percentage(1n, 3n, 2, 'half_up')).toBe('33.33');
    // 1/16 = 6.25 %: a tie at one place goes up.
    expect(percentage(1n, 16n, 1, 'half_up')).toBe('6.3');
    expect(percentage(0n, 7n, 2, 'half_up')).toBe('0.00');
    expect(percentage(7n, 7n, 2, 'half_up')).toBe('100.00');
    expect(percentage(3n, 2n, 1, 'half_up')).toBe('150.0');
    expect(percentage(1n, 0n, 2, 'half_up')).toBeNull();
    expect(percentage(0n, 0n, 1, 'half_up')).toBeNull();
  });

  it('agrees with the exact decimal quotient rounded in each mode', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: 10n ** 15n }),
        fc.bigInt({ min: 1n, max: 10n ** 15n }),
        fc.constantFrom(0, 1, 2),
        fc.constantFrom(...roundingModeNames),
        (part, whole, places, mode: RoundingModeName) => {
          const expected = formatDecimal(d(part.toString()).mul(100).div(whole.toString()).toDecimalPlaces(places, decimalRounding[mode]), places);
          expect(percentage(part, whole, places, mode)).toBe(expected);
        },
      ),
    );
  });
});
