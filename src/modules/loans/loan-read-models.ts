// The loan's read models for reports as of any date: its timeline of states and how each repayment falls on
// installments. Derived from the stored history, replaced in the same transaction as every change to it, and
// rebuildable from scratch (rebuildLoanReadModels).
import { formatIsoDate } from '../../domain/calendar.js';
import type { LoanPosition } from '../../domain/loan-replay.js';
import { loanTimeline } from '../../domain/loan-timeline.js';
import type { FundDatabase } from '../../../db/client.js';
import { toStoredAmount } from '../ledger/journal.repo.js';
import * as repo from './loan.repo.js';
import { type LoanHistory, rulesOf } from './loan-history.js';

/** Days to the far future: the last segment of a loan's timeline is open-ended. */
export const openEndedDay = 99_999_999;

/** Timeline and allocation lines of one loan, from its history (the position, when the caller has one at hand). */
export function refreshLoanReadModels(db: FundDatabase, loan: repo.LoanWithPlace, history: LoanHistory, position: LoanPosition | null): void {
  if (!loan.disbursedOn || history.versions.length === 0) {
    repo.replaceLoanReadModels(db, loan.id, [], []);
    return;
  }
  const principal = BigInt(loan.principal);
  const segments = loanTimeline({ principal, disbursedOn: history.versions[0]?.effectiveOn ?? 0, rules: rulesOf(history.terms), scheduleVersions: history.versions, events: history.events });
  const segmentRows = segments.map((segment) => ({
    loanId: loan.id,
    fromDay: segment.fromDay,
    toDay: segment.toDay ?? openEndedDay,
    version: segment.version,
    principalOutstanding: toStoredAmount(segment.principalOutstanding),
    principalPaid: toStoredAmount(segment.principalPaid),
    interestPaid: toStoredAmount(segment.interestPaid),
    overduePrincipal: toStoredAmount(segment.overduePrincipal),
    overdueInterest: toStoredAmount(segment.overdueInterest),
    oldestUnpaidDueDay: segment.oldestUnpaidDueOn,
    credit: toStoredAmount(segment.credit),
    closed: segment.closed,
    writtenOff: segment.writtenOff,
    principalWrittenOff: toStoredAmount(segment.principalWrittenOff),
    rescheduleCount: segment.version - 1,
    accrual: JSON.stringify({
      penaltyPaid: segment.penaltyPaid.toString(),
      lateInterestPaid: segment.lateInterestPaid.toString(),
      penaltyAmountDays: segment.penaltyAmountDays.toString(),
      penaltyAmountPerDay: segment.penaltyAmountPerDay.toString(),
      lateInterestAmountDays: segment.lateInterestAmountDays.toString(),
      lateInterestAmountPerDay: segment.lateInterestAmountPerDay.toString(),
    }),
  }));
  const lines = [...(position?.allocations.values() ?? [])].flatMap((allocation) =>
    allocation.byInstallment.map((part) => ({
      transactionId: allocation.id,
      loanId: loan.id,
      installmentNumber: part.number,
      paidOn: formatIsoDate(allocation.on),
      principal: toStoredAmount(part.principal),
      interest: toStoredAmount(part.interest),
    })),
  );
  repo.replaceLoanReadModels(db, loan.id, segmentRows, lines);
}
