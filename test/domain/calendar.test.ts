import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addDays,
  addMonths,
  ageOn,
  civilFromDayNumber,
  dayNumberFromCivil,
  daysInMonth,
  daysInYear,
  formatIsoDate,
  isIsoDate,
  isLeapYear,
  parseIsoDate,
} from '../../src/domain/calendar.js';
import { actualDaysByYearKind, days30E360, periodYearFraction } from '../../src/domain/day-count.js';

const day = (text: string): number => {
  const parsed = parseIsoDate(text);
  if (parsed === null) throw new Error(`bad test date ${text}`);
  return parsed;
};

describe('day numbers', () => {
  it('count days since 1970-01-01', () => {
    expect(day('1970-01-01')).toBe(0);
    expect(day('1970-01-02')).toBe(1);
    expect(day('1969-12-31')).toBe(-1);
    expect(day('2000-03-01') - day('2000-02-28')).toBe(2); // 2000 is a leap year (divisible by 400)
    expect(day('1900-03-01') - day('1900-02-28')).toBe(1); // 1900 is not (divisible by 100)
  });

  it('round-trip through civil dates and ISO text (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: day('1900-01-01'), max: day('2999-12-31') }), (dayNumber) => {
        const { year, month, day: dayOfMonth } = civilFromDayNumber(dayNumber);
        expect(dayNumberFromCivil(year, month, dayOfMonth)).toBe(dayNumber);
        expect(parseIsoDate(formatIsoDate(dayNumber))).toBe(dayNumber);
      }),
    );
  });

  it('agree with the JavaScript Date in UTC (property)', () => {
    fc.assert(
      fc.property(fc.integer({ min: day('1900-01-01'), max: day('2999-12-31') }), (dayNumber) => {
        expect(formatIsoDate(dayNumber)).toBe(new Date(dayNumber * 86_400_000).toISOString().slice(0, 10));
      }),
    );
  });
});

describe('parseIsoDate', () => {
  it.each(['2024-02-30', '2023-02-29', '2024-2-3', '2024-13-01', '2024-00-10', '24-01-01', '2024-01-01T00:00:00Z', '', '1899-12-31'])(
    'refuses %j',
    (text) => {
      expect(parseIsoDate(text)).toBeNull();
      expect(isIsoDate(text)).toBe(false);
    },
  );

  it('accepts 29 February in a leap year', () => {
    expect(formatIsoDate(day('2024-02-29'))).toBe('2024-02-29');
  });
});

describe('months and years', () => {
  it('know leap years and month lengths', () => {
    expect([1900, 2000, 2023, 2024, 2100].map(isLeapYear)).toEqual([false, true, false, true, false]);
    expect(daysInMonth(2024, 2)).toBe(29);
    expect(daysInMonth(2023, 2)).toBe(28);
    expect(daysInMonth(2024, 4)).toBe(30);
    expect(daysInMonth(2024, 12)).toBe(31);
    expect(daysInYear(2024)).toBe(366);
    expect(daysInYear(2025)).toBe(365);
  });

  it('addMonths keeps the anchor day: 31 Jan > 29 Feb 2024 > 31 Mar', () => {
    const anchor = day('2024-01-31');
    expect([1, 2, 3, 4, 13].map((months) => formatIsoDate(addMonths(anchor, months)))).toEqual([
      '2024-02-29',
      '2024-03-31',
      '2024-04-30',
      '2024-05-31',
      '2025-02-28',
    ]);
    // Chaining would lose the anchor day: 29 Feb + 1 month is 29 Mar, not 31 Mar.
    expect(formatIsoDate(addMonths(addMonths(anchor, 1), 1))).toBe('2024-03-29');
  });

  it('addMonths goes backwards and across years', () => {
    expect(formatIsoDate(addMonths(day('2024-03-31'), -1))).toBe('2024-02-29');
    expect(formatIsoDate(addMonths(day('2024-12-15'), 1))).toBe('2025-01-15');
    expect(formatIsoDate(addMonths(day('2024-01-15'), -13))).toBe('2022-12-15');
  });

  it('addDays adds days', () => {
    expect(formatIsoDate(addDays(day('2024-02-28'), 1))).toBe('2024-02-29');
    expect(formatIsoDate(addDays(day('2024-02-28'), 14))).toBe('2024-03-13');
  });

  it('ageOn counts whole years as people do', () => {
    expect(ageOn(day('1990-06-15'), day('2024-06-14'))).toBe(33);
    expect(ageOn(day('1990-06-15'), day('2024-06-15'))).toBe(34);
  });
});

describe('day counts', () => {
  it('actual/actual splits a period by the kind of year each day falls in (first day out, last day in)', () => {
    // 15 Dec 2023 > 15 Jan 2024: 16 to 31 December (16 days of 2023), 1 to 15 January (15 days of 2024).
    expect(actualDaysByYearKind(day('2023-12-15'), day('2024-01-15'))).toEqual({ commonYearDays: 16, leapYearDays: 15 });
    // 31 Dec 2023 > 1 Jan 2024: only 1 January is in.
    expect(actualDaysByYearKind(day('2023-12-31'), day('2024-01-01'))).toEqual({ commonYearDays: 0, leapYearDays: 1 });
    // A period spanning three calendar years.
    expect(actualDaysByYearKind(day('2023-12-30'), day('2025-01-02'))).toEqual({ commonYearDays: 1 + 2, leapYearDays: 366 });
  });

  it('year fractions are exact rationals', () => {
    const start = day('2024-02-15');
    const end = day('2024-03-15'); // 29 days, 29 February among them
    expect(periodYearFraction('actual/365', start, end, { kind: 'months', months: 1 })).toEqual({ numerator: 29n, denominator: 365n });
    expect(periodYearFraction('actual/actual', start, end, { kind: 'months', months: 1 })).toEqual({ numerator: 29n * 365n, denominator: 365n * 366n });
    expect(periodYearFraction('30/360', start, end, { kind: 'months', months: 1 })).toEqual({ numerator: 1n, denominator: 12n });
    expect(periodYearFraction('30/360', start, end, { kind: 'months', months: 3 })).toEqual({ numerator: 3n, denominator: 12n });
    expect(periodYearFraction('30/360', start, end, { kind: 'days' })).toEqual({ numerator: 29n, denominator: 360n });
    expect(periodYearFraction('30/360', day('2025-01-10'), day('2025-02-25'), { kind: 'broken_month' })).toEqual({ numerator: 45n, denominator: 360n });
    expect(() => periodYearFraction('actual/365', end, start, { kind: 'days' })).toThrow(RangeError);
  });

  it('30E/360 counts every month as 30 days and a 31st as the 30th', () => {
    expect(days30E360(day('2025-01-10'), day('2025-02-25'))).toBe(45);
    expect(days30E360(day('2025-01-31'), day('2025-02-28'))).toBe(28);
    expect(days30E360(day('2025-01-30'), day('2025-03-31'))).toBe(60);
    expect(days30E360(day('2024-12-15'), day('2025-01-15'))).toBe(30);
  });
});
