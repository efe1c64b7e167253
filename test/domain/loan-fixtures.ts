// The loan the replay and timeline worked examples share: 10,000,000 VND over 12 months from 2025-01-10, equal
// principal (833,333 and 833,337 last), interest at 9.6 % on the declining balance as a round 30-day month.
import { addMonths, parseIsoDate, type DayNumber } from '../../src/domain/calendar.js';
import { defaultLoanRules, type LoanEvent, type ScheduledInstallment, type ScheduleVersion } from '../../src/domain/loan-replay.js';
import { Decimal } from '../../src/domain/money.js';

export function day(iso: string): DayNumber {
  const parsed = parseIsoDate(iso);
  if (parsed === null) throw new Error(`bad date ${iso}`);
  return parsed;
}

export const disbursedOn = day('2025-01-10');
export const interestDue = [80_000n, 73_333n, 66_667n, 60_000n, 53_333n, 46_667n, 40_000n, 33_333n, 26_667n, 20_000n, 13_333n, 6_667n];
export const installments: ScheduledInstallment[] = interestDue.map((interest, index) => ({
  number: index + 1,
  dueOn: addMonths(disbursedOn, index + 1),
  principalDue: index < 11 ? 833_333n : 833_337n,
  interestDue: interest,
}));
export const version1: ScheduleVersion = { version: 1, effectiveOn: disbursedOn, installments };
export const rules = defaultLoanRules(new Decimal('9.6'));

export function repayment(id: string, on: string, amount: bigint): LoanEvent {
  return { kind: 'repayment', id, on: day(on), amount };
}
