// The loan's read models for reports as of any date: its timeline of states and how each repayment falls on
// installments. Derived from the stored history, replaced in the same transaction as every change to it, and
// rebuildable from scratch (rebuildLoanReadModels).
import { formatIsoDate } from '../../domain/calendar.js';
import { toMinorUnits } from '../../domain/money.js';
import { buildSchedule } from '../../domain/schedule.js';
import type { Allocation, LoanPosition } from '../../domain/loan-replay.js';
import { loanTimeline } from '../../domain/loan-timeline.js';
import type { FundDatabase } from '../../../db/client.js';
import { toStoredAmount } from '../ledger/journal.repo.js';
import * as repo from './loan.repo.js';
import { type LoanHistory, loanHistory, positionOf, rulesOf } from './loan-history.js';
import { scheduleInputOf } from './loan-terms.js';

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
  // With a change, the rows it cannot reach are not even made (on every repayment: a long history's early segments).
  const { segmentRows, lines } = readModelRowsOf(loan, history, position, change);
  if (change) {
    // Most reached repayments fall on the same installments as before (a payment appended after them changes
    // nothing of theirs): rewrite the lines only of those whose lines differ from the stored ones.
    const computed = linesByTransaction(lines);
    const stored = linesByTransaction(repo.allocationLinesOfTransactions(db, loan.id, change.transactionIds));
    const rewritten = change.transactionIds.filter((transactionId) => computed.get(transactionId) !== stored.get(transactionId));
    const rewrittenSet = new Set(rewritten);
    repo.replaceLoanReadModelsFrom(
      db,
      loan.id,
      change.fromDay,
      segmentRows,
      rewritten,
      lines.filter((line) => rewrittenSet.has(line.transactionId)),
    );
  } else repo.replaceLoanReadModels(db, loan.id, segmentRows, lines);
}

/** Each repayment's installment lines as one text, to compare stored lines with computed ones. */
function linesByTransaction(rows: { transactionId: string; installmentNumber: number; paidOn: string; principal: number; interest: number }[]): Map<string, string> {
  const byTransaction = new Map<string, string>();
  for (const row of [...rows].sort((a, b) => a.installmentNumber - b.installmentNumber)) {
    byTransaction.set(row.transactionId, `${byTransaction.get(row.transactionId) ?? ''}${row.installmentNumber}:${row.paidOn}:${row.principal}:${row.interest};`);
  }
  return byTransaction;
}

/** A stored split against the one the replay gives. */
export function sameAsStored(allocation: Allocation, stored: repo.AllocationRow | undefined): boolean {
  if (!stored) return false;
  return (
    BigInt(stored.principal) === allocation.principal &&
    BigInt(stored.interest) === allocation.interest &&
    BigInt(stored.penalty) === allocation.penalty &&
    BigInt(stored.lateInterest) === allocation.lateInterest &&
    BigInt(stored.creditAdded) === allocation.creditAdded &&
    BigInt(stored.creditUsed) === allocation.creditUsed
  );
}

/**
 * The rows a disbursed loan's history gives for its read models: its timeline's segments and its repayments' lines, all
 * of them, or with a change only those it can reach (segments ending on or after its day, the lines of its repayments).
 */
function readModelRowsOf(loan: repo.LoanWithPlace, history: LoanHistory, position: LoanPosition | null, change?: HistoryChange) {
  const principal = BigInt(loan.principal);
  const segments = loanTimeline({ principal, disbursedOn: history.versions[0]?.effectiveOn ?? 0, rules: rulesOf(history.terms), scheduleVersions: history.versions, events: history.events });
  const reached = change === undefined ? segments : segments.filter((segment) => (segment.toDay ?? openEndedDay) >= change.fromDay);
  const segmentRows = reached.map((segment) => ({
    loanId: loan.id,
    memberId: loan.memberId,
    groupId: loan.groupId,
    memberNumber: loan.memberNumber,
    groupNumber: loan.groupNumber,
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
  return { segmentRows, lines };
}

/** The position a loan's whole history gives, every transaction in it (the rebuild and the check replay to it). */
function wholeHistoryPosition(history: LoanHistory): LoanPosition {
  return positionOf(history, '9999-12-31');
}

/**
 * Where what is stored for a disbursed loan differs from what its history gives when replayed from scratch: its
 * timeline (which the portfolio, the arrears, the loan book and the provisions read), the installment lines of its
 * repayments, each repayment's current split (which its journal entry is checked against), and the status kept on
 * the loan. Null when all agree.
 */
export function readModelDifference(db: FundDatabase, loanId: string): string | null {
  const loan = repo.findLoan(db, loanId);
  if (!loan?.disbursedOn) return null;
  const history = loanHistory(db, loan);
  if (history.versions.length === 0) return 'it has no schedule';
  const frozen = frozenScheduleDifference(loan, history);
  if (frozen) return frozen;
  const position = wholeHistoryPosition(history);
  const { segmentRows, lines } = readModelRowsOf(loan, history, position);
  const stored = repo.storedSegmentValuesOf(db, loanId);
  const computed = segmentRows.map(repo.segmentValues);
  const firstDiffering = computed.findIndex((values, index) => JSON.stringify(values) !== JSON.stringify(stored[index]));
  if (firstDiffering >= 0 || stored.length !== computed.length) {
    const at = firstDiffering >= 0 ? firstDiffering : Math.min(stored.length, computed.length);
    const fromDay = segmentRows[at]?.fromDay ?? stored[at]?.[repo.segmentFromDayIndex];
    return `its timeline from ${typeof fromDay === 'number' ? formatIsoDate(fromDay) : 'its start'} is not what its history gives`;
  }
  const storedLines = linesByTransaction(repo.allocationLinesOf(db, loanId));
  const computedLines = linesByTransaction(lines);
  for (const transactionId of new Set([...storedLines.keys(), ...computedLines.keys()])) {
    if (storedLines.get(transactionId) !== computedLines.get(transactionId)) return `the installments repayment ${transactionId} paid are not what its history gives`;
  }
  const splits = repo.currentAllocations(db, loanId);
  for (const [transactionId, allocation] of position.allocations) {
    if (!sameAsStored(allocation, splits.get(transactionId))) return `repayment ${transactionId} is split otherwise than its history gives`;
  }
  const { status, closedOn } = loanStatusOf(position);
  if (loan.status !== status || (status === 'closed' && loan.closedOn !== closedOn)) return `it is kept as ${loan.status}${loan.closedOn ? ` (${loan.closedOn})` : ''}, and its history gives ${status}${closedOn ? ` (${closedOn})` : ''}`;
  return null;
}

/** The status and closing day a disbursed loan's history gives it, which its row keeps for lists and reports. */
export function loanStatusOf(position: LoanPosition): { status: 'active' | 'closed' | 'written_off'; closedOn: string | null } {
  return { status: position.writtenOff ? 'written_off' : position.closed ? 'closed' : 'active', closedOn: position.closedOn === null ? null : formatIsoDate(position.closedOn) };
}

/**
 * Keeps a loan's row at the status and closing day its history gives: a loan that stays closed can close on another day
 * (a backdated repayment or a reversal moves the payment that settled it). A write-off is the write-off's to record.
 */
export function keepStatus(db: FundDatabase, loan: repo.LoanWithPlace, position: LoanPosition, now: string): void {
  const { status, closedOn } = loanStatusOf(position);
  if (status === 'written_off' || (loan.status === status && loan.closedOn === closedOn)) return;
  repo.updateLoan(db, loan.id, { status, closedOn, updatedAt: now });
}

/**
 * The schedule frozen at disbursement against the one the loan's own terms, principal and days give: the schedule
 * engine is exact and pure, so an installment edited in the file (a due day, an amount) shows here, where it would
 * otherwise change what the member owes without a journal entry to say so.
 */
function frozenScheduleDifference(loan: repo.LoanWithPlace, history: LoanHistory): string | null {
  const frozen = history.versions[0];
  if (!frozen || !loan.disbursedOn) return null;
  const input = scheduleInputOf(history.terms, history.currency, { principal: BigInt(loan.principal), installments: loan.installments, disbursedOn: loan.disbursedOn, firstDueOn: loan.firstDueOn });
  const made = buildSchedule(input).installments;
  const differing = made.findIndex((installment, index) => {
    const kept = frozen.installments[index];
    return !kept || kept.dueOn !== installment.dueOn || kept.principalDue !== toMinorUnits(installment.principal, history.currency) || kept.interestDue !== toMinorUnits(installment.interest, history.currency);
  });
  if (differing < 0 && made.length === frozen.installments.length) return null;
  const number = differing < 0 ? Math.min(made.length, frozen.installments.length) + 1 : differing + 1;
  return `installment ${number} of the schedule frozen at its disbursement is not what its terms give`;
}

/**
 * The rules the loans' read models are made by. Raise it with every change to what a replay writes (a timeline's
 * segments, a repayment's installment lines): the version is kept in the file, and a database whose read models older
 * rules made has them rebuilt from the loans' histories before the service reads them (upgradeLoanReadModels).
 *   1: the timelines of November 2026.
 *   2: an installment paid on its due date counts as fallen due from the next day, a boundary the timeline now keeps.
 */
export const loanReadModelVersion = 2;

/** Rebuilds the read models when older rules made them; records the version either way. Null when nothing was to do. */
export function upgradeLoanReadModels(db: FundDatabase, now: string, onProgress?: (done: number, total: number) => void): { loans: number; from: number } | null {
  const from = repo.storedReadModelVersion(db);
  if (from >= loanReadModelVersion) return null;
  const { loans } = rebuildAllReadModels(db, now, onProgress);
  return { loans, from };
}

/** Rebuilds every disbursed loan's read models and the status its row keeps, a thousand loans per transaction, and records the rules they follow. */
export function rebuildAllReadModels(db: FundDatabase, now: string, onProgress?: (done: number, total: number) => void): { loans: number } {
  const ids = repo.disbursedLoanIds(db);
  for (let start = 0; start < ids.length; start += 1000) {
    db.transaction((tx) => {
      for (const loanId of ids.slice(start, start + 1000)) {
        const loan = repo.findLoan(tx, loanId);
        if (!loan) continue;
        const history = loanHistory(tx, loan);
        const position = wholeHistoryPosition(history);
        refreshLoanReadModels(tx, loan, history, position);
        keepStatus(tx, loan, position, now);
      }
    });
    onProgress?.(Math.min(start + 1000, ids.length), ids.length);
  }
  repo.recordReadModelVersion(db, loanReadModelVersion);
  return { loans: ids.length };
}
