// Business dates (YYYY-MM-DD) as whole days since 1970-01-01, with no time of day and no time zone.
// Pure: nothing here reads the clock; "today" is always passed in by the caller.

/** A calendar date as a count of days since 1970-01-01 (negative before). */
export type DayNumber = number;

export interface CalendarDate {
  readonly year: number;
  readonly month: number; // 1..12
  readonly day: number; // 1..31
}

const isoDatePattern = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeapYear(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

export function daysInYear(year: number): number {
  return isLeapYear(year) ? 366 : 365;
}

/** Days from civil date (proleptic Gregorian), Howard Hinnant's algorithm: exact, no Date object. */
export function dayNumberFromCivil(year: number, month: number, day: number): DayNumber {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const monthIndex = month > 2 ? month - 3 : month + 9;
  const dayOfYear = Math.floor((153 * monthIndex + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

export function civilFromDayNumber(dayNumber: DayNumber): CalendarDate {
  const z = dayNumber + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const monthIndex = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * monthIndex + 2) / 5) + 1;
  const month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9;
  const year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0);
  return { year, month, day };
}

/** Parses a strict `YYYY-MM-DD` business date; `2024-02-30` and `2024-2-3` are not dates. */
export function parseIsoDate(text: string): DayNumber | null {
  const match = isoDatePattern.exec(text);
  if (!match) return null;
  const year = Number(match[1]);
  const month = Number(match[2]);
  const day = Number(match[3]);
  if (year < 1900 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  return dayNumberFromCivil(year, month, day);
}

export function isIsoDate(text: string): boolean {
  return parseIsoDate(text) !== null;
}

export function formatIsoDate(dayNumber: DayNumber): string {
  const { year, month, day } = civilFromDayNumber(dayNumber);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** Adds whole months keeping the anchor day: 31 Jan + 1 month = 29 Feb 2024, + 2 months = 31 Mar. */
export function addMonths(anchor: DayNumber, months: number): DayNumber {
  const { year, month, day } = civilFromDayNumber(anchor);
  const monthIndex = year * 12 + (month - 1) + months;
  const targetYear = Math.floor(monthIndex / 12);
  const targetMonth = monthIndex - targetYear * 12 + 1;
  return dayNumberFromCivil(targetYear, targetMonth, Math.min(day, daysInMonth(targetYear, targetMonth)));
}

export function addDays(date: DayNumber, days: number): DayNumber {
  return date + days;
}

/** Whole years between a birth date and a date, as people count their age. */
export function ageOn(dateOfBirth: DayNumber, on: DayNumber): number {
  const birth = civilFromDayNumber(dateOfBirth);
  const then = civilFromDayNumber(on);
  const hadBirthday = then.month > birth.month || (then.month === birth.month && then.day >= birth.day);
  return then.year - birth.year - (hadBirthday ? 0 : 1);
}

/**
 * The latest date on or before `onOrBefore` that falls on the given day of the month (a group's monthly meeting day),
 * the month's last day standing in for a day the month lacks (a group meeting on the 31st meets on 30 April).
 */
export function latestMonthlyDay(dayOfMonth: number, onOrBefore: DayNumber): DayNumber {
  const { year, month, day } = civilFromDayNumber(onOrBefore);
  const thisMonth = Math.min(dayOfMonth, daysInMonth(year, month));
  if (thisMonth <= day) return dayNumberFromCivil(year, month, thisMonth);
  const previousYear = month === 1 ? year - 1 : year;
  const previousMonth = month === 1 ? 12 : month - 1;
  return dayNumberFromCivil(previousYear, previousMonth, Math.min(dayOfMonth, daysInMonth(previousYear, previousMonth)));
}
