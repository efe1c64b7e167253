// Time enters the service here and only here, so tests and scripts can pass their own.

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

// Making a formatter costs a tenth of a millisecond; a fund has one time zone, so each is made once.
const formatters = new Map<string, Intl.DateTimeFormat>();

// Every time zone's midnight falls on a whole minute, so the date of one minute holds for all of it.
let lastDate = { timeZone: '', minute: Number.NaN, date: '' };

/** The business date (`YYYY-MM-DD`) of an instant in the fund's time zone. */
export function businessDate(instant: Date, timeZone: string): string {
  const minute = Math.floor(instant.getTime() / 60_000);
  if (minute === lastDate.minute && timeZone === lastDate.timeZone) return lastDate.date;
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    // en-CA formats dates as YYYY-MM-DD.
    formatter = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' });
    formatters.set(timeZone, formatter);
  }
  const date = formatter.format(instant);
  lastDate = { timeZone, minute, date };
  return date;
}
