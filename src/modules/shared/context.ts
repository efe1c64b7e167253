// What every service is handed: the database, the clock and the few settings that come from configuration.
import type { FundDatabase } from '../../../db/client.js';
import { businessDate, type Clock } from './clock.js';
import { DomainError } from './domain-error.js';

export interface ServiceContext {
  db: FundDatabase;
  clock: Clock;
  fundTimeZone: string;
  tokenTtlMinutes: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
}

export function today(context: ServiceContext): string {
  return businessDate(context.clock.now(), context.fundTimeZone);
}

/**
 * A business date the fund has reached: a movement of money, a change to the registry, or a state read as of a day (a
 * portfolio "as of" a day to come would be a projection in which nobody pays).
 */
export function requireNotFuture(context: ServiceContext, date: string, field: string): void {
  requireNotAfter(date, today(context), field);
}

/** The same, for a caller that has the business date already (an export resolves its request before it reads). */
export function requireNotAfter(date: string, businessToday: string, field: string): void {
  if (date > businessToday) throw futureDateError(date, businessToday, field);
}

/** The refusal of a date after today, for a caller that gathers every problem before it throws. */
export function futureDateError(date: string, businessToday: string, field: string): DomainError {
  return new DomainError('date_in_future', `${date} is after today (${businessToday}).`, [{ path: field, message: 'must not be in the future' }]);
}

export function nowTimestamp(context: ServiceContext): string {
  return context.clock.now().toISOString();
}

export function createServiceContext(
  settings: Pick<ServiceContext, 'fundTimeZone' | 'tokenTtlMinutes' | 'loginMaxFailures' | 'loginLockoutMinutes'>,
  db: FundDatabase,
  clock: Clock,
): ServiceContext {
  return {
    db,
    clock,
    fundTimeZone: settings.fundTimeZone,
    tokenTtlMinutes: settings.tokenTtlMinutes,
    loginMaxFailures: settings.loginMaxFailures,
    loginLockoutMinutes: settings.loginLockoutMinutes,
  };
}
