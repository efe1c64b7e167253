// What every service is handed: the database, the clock and the few settings that come from configuration.
import type { FundDatabase } from '../../../db/client.js';
import { businessDate, type Clock } from './clock.js';

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
