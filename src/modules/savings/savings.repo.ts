// Storage of members' savings movements: one signed row per deposit, withdrawal or transfer.
import { and, asc, eq, lte, notInArray, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import { savingsTransactions, transactionReversals } from '../../../db/schema.js';
import { toStoredAmount } from '../ledger/journal.repo.js';

export type SavingsKind = 'compulsory' | 'voluntary';
export type SavingsTransactionRow = typeof savingsTransactions.$inferSelect;

const notReversed = notInArray(savingsTransactions.id, sql`(SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`);

export function insertSavingsTransaction(db: FundDatabase, row: Omit<SavingsTransactionRow, 'amount'> & { amount: bigint }): void {
  db.insert(savingsTransactions)
    .values({ ...row, amount: toStoredAmount(row.amount) })
    .run();
}

export function findSavingsTransaction(db: FundDatabase, id: string): SavingsTransactionRow | undefined {
  return db.select().from(savingsTransactions).where(eq(savingsTransactions.id, id)).get();
}

/** A member's balance of one kind, counting movements dated on or before asOf that were not reversed. */
export function savingsBalance(db: FundDatabase, memberId: string, kind: SavingsKind, asOf?: string): bigint {
  const row = db
    .select({ total: sql<string>`CAST(COALESCE(SUM(${savingsTransactions.amount}), 0) AS TEXT)` })
    .from(savingsTransactions)
    .where(and(eq(savingsTransactions.memberId, memberId), eq(savingsTransactions.kind, kind), asOf ? lte(savingsTransactions.transactionDate, asOf) : undefined, notReversed))
    .get();
  return BigInt(row?.total ?? '0');
}

/** Running balance as of each later date: the smallest balance from `from` on, for a backdated withdrawal. */
export function savingsMovements(db: FundDatabase, memberId: string, kind: SavingsKind) {
  return db
    .select({ id: savingsTransactions.id, amount: savingsTransactions.amount, transactionDate: savingsTransactions.transactionDate })
    .from(savingsTransactions)
    .where(and(eq(savingsTransactions.memberId, memberId), eq(savingsTransactions.kind, kind), notReversed))
    .orderBy(asc(savingsTransactions.transactionDate), asc(savingsTransactions.id))
    .all();
}

export function savingsHistory(db: FundDatabase, memberId: string) {
  return db
    .select({ row: savingsTransactions, reversed: sql<number>`CASE WHEN ${transactionReversals.transactionId} IS NULL THEN 0 ELSE 1 END` })
    .from(savingsTransactions)
    .leftJoin(transactionReversals, eq(transactionReversals.transactionId, savingsTransactions.id))
    .where(eq(savingsTransactions.memberId, memberId))
    .orderBy(asc(savingsTransactions.transactionDate), asc(savingsTransactions.id))
    .all()
    .map(({ row, reversed }) => ({ ...row, reversed: reversed === 1 }));
}

/** Total savings of each kind as of a date, over every member: the subledger the liability accounts must equal. */
export function savingsTotals(db: FundDatabase, asOf: string): Record<SavingsKind, bigint> {
  const rows = db
    .select({ kind: savingsTransactions.kind, total: sql<string>`CAST(COALESCE(SUM(${savingsTransactions.amount}), 0) AS TEXT)` })
    .from(savingsTransactions)
    .where(and(lte(savingsTransactions.transactionDate, asOf), notReversed))
    .groupBy(savingsTransactions.kind)
    .all();
  const totals: Record<SavingsKind, bigint> = { compulsory: 0n, voluntary: 0n };
  for (const row of rows) totals[row.kind] = BigInt(row.total);
  return totals;
}

/** The savings side of a repayment made from compulsory savings: both share one journal entry. */
export function savingsTransferForEntry(db: FundDatabase, loanId: string, journalEntryId: string): string | undefined {
  return db
    .select({ id: savingsTransactions.id })
    .from(savingsTransactions)
    .where(and(eq(savingsTransactions.loanId, loanId), eq(savingsTransactions.journalEntryId, journalEntryId), eq(savingsTransactions.type, 'transfer_to_loan')))
    .get()?.id;
}

export function savingsTransactionsOfSheet(db: FundDatabase, sheetId: string) {
  return db.select().from(savingsTransactions).where(eq(savingsTransactions.collectionSheetId, sheetId)).orderBy(asc(savingsTransactions.id)).all();
}
