// A loan's stored history read back for the replay engine: schedule versions, events, and the rules of its terms.
import { type DayNumber, parseIsoDate } from '../../domain/calendar.js';
import { type LoanEvent, type LoanPosition, type LoanRules, type ScheduleVersion, replayLoan } from '../../domain/loan-replay.js';
import { type CurrencyCode, Decimal } from '../../domain/money.js';
import { annualRatePercent } from '../../domain/rates.js';
import type { FundDatabase } from '../../../db/client.js';
import type { ProductTerms } from './loan.commands.js';
import { rateQuoteOf } from './loan-terms.js';
import * as repo from './loan.repo.js';
import { termsOf } from './product.service.js';

export function day(date: string): DayNumber {
  const parsed = parseIsoDate(date);
  if (parsed === null) throw new Error(`stored date ${date} is not a date`);
  return parsed;
}

export function rulesOf(terms: ProductTerms): LoanRules {
  return {
    annualRatePercent: annualRatePercent(rateQuoteOf(terms)),
    overdueMultiplier: new Decimal(terms.overdueMultiplier),
    lateInterestAnnualRatePercent: new Decimal(terms.lateInterestAnnualRate),
    overdueOrder: terms.overdueAllocationOrder,
    currentOrder: terms.currentAllocationOrder,
    overpayment: terms.overpayment,
    roundingMode: terms.rounding.mode,
  };
}

export interface LoanHistory {
  loan: repo.LoanWithPlace;
  terms: ProductTerms;
  currency: CurrencyCode;
  versions: (ScheduleVersion & { effectiveOnText: string })[];
  transactions: ReturnType<typeof repo.transactionsOf>;
  events: LoanEvent[];
}

export function loanHistory(db: FundDatabase, loan: repo.LoanWithPlace): LoanHistory {
  const transactions = repo.transactionsOf(db, loan.id);
  const events: LoanEvent[] = [];
  for (const transaction of transactions) {
    if (transaction.reversed) continue;
    if (transaction.type === 'repayment') events.push({ kind: 'repayment', id: transaction.id, on: day(transaction.transactionDate), amount: BigInt(transaction.amount) });
    if (transaction.type === 'write_off') events.push({ kind: 'write_off', id: transaction.id, on: day(transaction.transactionDate) });
  }
  const versions = repo.scheduleVersionsOf(db, loan.id).map((version) => ({
    version: version.version,
    effectiveOn: day(version.effectiveOn),
    effectiveOnText: version.effectiveOn,
    installments: version.installments.map((installment) => ({ ...installment, dueOn: day(installment.dueOn) })),
  }));
  return { loan, terms: termsOf(loan.terms), currency: loan.currency as CurrencyCode, versions, transactions, events };
}

export function positionOf(history: LoanHistory, asOf: string, events: LoanEvent[] = history.events): LoanPosition {
  const disbursedOn = history.loan.disbursedOn;
  if (!disbursedOn) throw new Error(`loan ${history.loan.id} has no disbursement to replay from`);
  return replayLoan({ principal: BigInt(history.loan.principal), disbursedOn: day(disbursedOn), rules: rulesOf(history.terms), scheduleVersions: history.versions, events, asOf: day(asOf) });
}
