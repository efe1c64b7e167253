// The loan's read models for reports as of any date: its timeline of states and how each repayment falls on
// installments. Derived from the stored history, replaced in the same transaction as every change to it, and
// rebuildable from scratch (rebuildLoanReadModels).
import { formatIsoDate } from '../../domain/calendar.js';
import type { LoanPosition } from '../../domain/loan-replay.js';
import { loanTimeline } from '../../domain/loan-timeline.js';
import type { FundDatabase } from '../../../db/client.js';
import { toStoredAmount } from '../ledger/journal.repo.js';
import * as repo from './loan.repo.js';
import { type LoanHistory, loanHistory, positionOf, rulesOf } from './loan-history.js';

/** Days to the far future: the last segment of a loan's timeline is open-ended. */
export const openEndedDay = 99_999_999;

/** What changed in a loan's history: nothing before `fromDay`, and the splits of these repayments. */
export interface HistoryChange {
  fromDay: number;
  transactionIds: string[];
}

/**
 * Timeline and allocation lines of one loan, from its history and its position. With a change, only what it can
 * reach is rewritten: segments ending after its day (the history before it, and so every segment that ends by
 * then, is the same) and the lines of the repayments it re-split. Without one, everything.
 */
export function refreshLoanReadModels(db: FundDatabase, loan: repo.LoanWithPlace, history: LoanHistory, position: LoanPosition | null, change?: HistoryChange): void {
  if (!loan.disbursedOn || history.versions.length === 0) {
    repo.replaceLoanReadModels(db, loan.id, [], []);
    return;
  }
  const principal = BigInt(loan.principal);
  const segments = loanTimeline({ principal, disbursedOn: history.versions[0]?.effectiveOn ?? 0, rules: rulesOf(history.terms), scheduleVersions: history.versions, events: history.events });
  const segmentRows = segments.map((segment) => ({
    loanId: loan.id,
    memberId: loan.memberId,
    groupId: loan.groupId,
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
    principalFallenDue: toStoredAmount(segment.principalFallenDue),
    accrual: JSON.stringify({
      penaltyPaid: segment.penaltyPaid.toString(),
      lateInterestPaid: segment.lateInterestPaid.toString(),
      penaltyAmountDays: segment.penaltyAmountDays.toString(),
      penaltyAmountPerDay: segment.penaltyAmountPerDay.toString(),
      lateInterestAmountDays: segment.lateInterestAmountDays.toString(),
      lateInterestAmountPerDay: segment.lateInterestAmountPerDay.toString(),
    }),
  }));
  const allocations = [...(position?.allocations.values() ?? [])].filter((allocation) => !change || change.transactionIds.includes(allocation.id));
  const lines = allocations.flatMap((allocation) =>
    allocation.byInstallment.map((part) => ({
      transactionId: allocation.id,
      loanId: loan.id,
      installmentNumber: part.number,
      paidOn: formatIsoDate(allocation.on),
      principal: toStoredAmount(part.principal),
      interest: toStoredAmount(part.interest),
    })),
  );
  if (change) {
    // Most reached repayments fall on the same installments as before (a payment appended after them changes
    // nothing of theirs): rewrite the lines only of those whose lines differ from the stored ones.
    const linesOf = (rows: { transactionId: string; installmentNumber: number; paidOn: string; principal: number; interest: number }[]) => {
      const byTransaction = new Map<string, string>();
      for (const row of [...rows].sort((a, b) => a.installmentNumber - b.installmentNumber)) {
        byTransaction.set(row.transactionId, `${byTransaction.get(row.transactionId) ?? ''}${row.installmentNumber}:${row.paidOn}:${row.principal}:${row.interest};`);
      }
      return byTransaction;
    };
    const computed = linesOf(lines);
    const stored = linesOf(repo.allocationLinesOfTransactions(db, loan.id, change.transactionIds));
    const rewritten = change.transactionIds.filter((transactionId) => computed.get(transactionId) !== stored.get(transactionId));
    const rewrittenSet = new Set(rewritten);
    repo.replaceLoanReadModelsFrom(
      db,
      loan.id,
      change.fromDay,
      segmentRows.filter((segment) => segment.toDay >= change.fromDay),
      rewritten,
      lines.filter((line) => rewrittenSet.has(line.transactionId)),
    );
  } else repo.replaceLoanReadModels(db, loan.id, segmentRows, lines);
}

/** Rebuilds every disbursed loan's read models, a thousand loans per transaction. */
export function rebuildAllReadModels(db: FundDatabase, onProgress?: (done: number, total: number) => void): { loans: number } {
  const ids = repo.disbursedLoanIds(db);
  for (let start = 0; start < ids.length; start += 1000) {
    db.transaction((tx) => {
      for (const loanId of ids.slice(start, start + 1000)) {
        const loan = repo.findLoan(tx, loanId);
        if (!loan) continue;
        const history = loanHistory(tx, loan);
        const horizonDay = history.transactions.reduce((max, transaction) => (transaction.transactionDate > max ? transaction.transactionDate : max), '9999-12-31');
        refreshLoanReadModels(tx, loan, history, positionOf(history, horizonDay));
      }
    });
    onProgress?.(Math.min(start + 1000, ids.length), ids.length);
  }
  return { loans: ids.length };
}
