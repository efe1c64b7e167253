// Day counts: the fraction of a year an interest period weighs, as an exact rational so that interest
// is balance x rate x numerator / denominator with one rounding (DESIGN.md §2: multiply before dividing).
import { civilFromDayNumber, dayNumberFromCivil, isLeapYear, type DayNumber } from './calendar.js';

export const dayCounts = ['actual/365', 'actual/actual', '30/360'] as const;
/**
 * actual/365: actual days over 365, also in leap years (Circular 14/2017).
 * actual/actual: each day weighs 1/365 or 1/366 by its own calendar year.
 * 30/360: a month is 1/12 of a year whatever its length; week and day periods weigh days/360.
 */
export type DayCount = (typeof dayCounts)[number];
export const defaultDayCount: DayCount = 'actual/365';

/** An exact fraction of a year; the denominator is positive. */
export interface YearFraction {
  readonly numerator: bigint;
  readonly denominator: bigint;
}

/**
 * What kind of period it is, which only 30/360 cares about. `months`: a whole number of calendar
 * months on the anchor day (a regular period of a monthly schedule). `broken_month`: the broken first
 * period of a monthly schedule (its first due date is not one period after disbursement). `days`: a
 * period of a weekly or daily schedule.
 */
export type PeriodLength =
  | { readonly kind: 'months'; readonly months: number }
  | { readonly kind: 'broken_month' }
  | { readonly kind: 'days' };

const actualActualDenominator = 365n * 366n;

/**
 * The year fraction of the period (start, end]: the start day is out, the end day is in (interest
 * runs from the day after disbursement or the previous due date to the due date inclusive).
 */
export function periodYearFraction(dayCount: DayCount, start: DayNumber, end: DayNumber, length: PeriodLength): YearFraction {
  if (end <= start) throw new RangeError(`period must end after it starts: ${start}..${end}`);
  switch (dayCount) {
    case 'actual/365':
      return { numerator: BigInt(end - start), denominator: 365n };
    case 'actual/actual': {
      const { commonYearDays, leapYearDays } = actualDaysByYearKind(start, end);
      // commonYearDays/365 + leapYearDays/366 over one denominator: still one rounding later.
      return { numerator: BigInt(commonYearDays) * 366n + BigInt(leapYearDays) * 365n, denominator: actualActualDenominator };
    }
    case '30/360':
      if (length.kind === 'months') return { numerator: BigInt(length.months), denominator: 12n };
      // A broken first period of a monthly schedule is measured on the 30/360 calendar between its dates;
      // weeks and days have no month to be 1/12 of, so their actual days count, over 360.
      if (length.kind === 'broken_month') return { numerator: BigInt(days30E360(start, end)), denominator: 360n };
      return { numerator: BigInt(end - start), denominator: 360n };
  }
}

/**
 * Days between two dates on the 30E/360 (Eurobond basis) calendar: every month has 30 days, a 31st
 * counts as the 30th. Chosen over the US rule because it depends on the two dates only (no
 * end-of-February special case), so a loan officer can check it with a pencil.
 */
export function days30E360(start: DayNumber, end: DayNumber): number {
  const from = civilFromDayNumber(start);
  const to = civilFromDayNumber(end);
  const fromDay = Math.min(from.day, 30);
  const toDay = Math.min(to.day, 30);
  return 360 * (to.year - from.year) + 30 * (to.month - from.month) + (toDay - fromDay);
}

/** The days of (start, end] that fall in common years and in leap years. */
export function actualDaysByYearKind(start: DayNumber, end: DayNumber): { commonYearDays: number; leapYearDays: number } {
  let commonYearDays = 0;
  let leapYearDays = 0;
  const firstYear = civilFromDayNumber(start + 1).year;
  const lastYear = civilFromDayNumber(end).year;
  for (let year = firstYear; year <= lastYear; year += 1) {
    const yearStart = dayNumberFromCivil(year, 1, 1) - 1; // the day before 1 January, "out"
    const yearEnd = dayNumberFromCivil(year, 12, 31);
    const days = Math.min(end, yearEnd) - Math.max(start, yearStart);
    if (isLeapYear(year)) leapYearDays += days;
    else commonYearDays += days;
  }
  return { commonYearDays, leapYearDays };
}
