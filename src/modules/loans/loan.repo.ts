// Storage of loan products, loans, their schedule versions, transactions, reversals and repayment allocations.
import { type SQL, and, asc, desc, eq, getTableColumns, inArray, lte, ne, notInArray, or, sql } from 'drizzle-orm';
import { alias } from 'drizzle-orm/sqlite-core';
import { type FundDatabase, columnsAs, insertOf, statementOn } from '../../../db/client.js';
import {
  areas,
  collectionSheets,
  groups,
  journalEntries,
  loanProducts,
  loanTerms,
  loanTimelineSegments,
  loanTransactions,
  loans,
  members,
  repaymentAllocationLines,
  repaymentAllocations,
  scheduleInstallments,
  scheduleVersions,
  transactionReversals,
} from '../../../db/schema.js';
import { toStoredAmount } from '../ledger/journal.repo.js';
import { scopeCondition, scopeConditionOn } from '../registry/registry.repo.js';
import type { Actor } from '../shared/access.js';
import { placeholdersFor, prepared } from '../shared/prepared.js';

const id = () => sql.placeholder('id');

export type ProductRow = typeof loanProducts.$inferSelect;
export type LoanRow = typeof loans.$inferSelect;
export type LoanTransactionRow = typeof loanTransactions.$inferSelect;
export type AllocationRow = typeof repaymentAllocations.$inferSelect;

const reversedIds = sql`(SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`;

// Products

export function insertProduct(db: FundDatabase, row: ProductRow): void {
  db.insert(loanProducts).values(row).run();
}

export function updateProduct(db: FundDatabase, id: string, changes: Partial<ProductRow>): void {
  db.update(loanProducts).set(changes).where(eq(loanProducts.id, id)).run();
}

export function findProduct(db: FundDatabase, id: string): ProductRow | undefined {
  return db.select().from(loanProducts).where(eq(loanProducts.id, id)).get();
}

export function findProductByCode(db: FundDatabase, code: string): ProductRow | undefined {
  return db.select().from(loanProducts).where(eq(loanProducts.code, code)).get();
}

export function listProducts(db: FundDatabase): ProductRow[] {
  return db.select().from(loanProducts).orderBy(asc(loanProducts.code)).all();
}

// Loans

/** A loan as made: its terms' id is the repo's to find. */
export function insertLoan(db: FundDatabase, row: Omit<LoanRow, 'termsId'>): void {
  db.insert(loans).values({ ...row, termsId: termsIdOf(db, row.terms) }).run();
}

/** The id of a set of terms among the fund's distinct ones (loan_terms), added the first time a loan is made on them. */
function termsIdOf(db: FundDatabase, terms: string): number {
  db.insert(loanTerms).values({ terms }).onConflictDoNothing().run();
  const found = db.select({ id: loanTerms.id }).from(loanTerms).where(eq(loanTerms.terms, terms)).get();
  if (!found) throw new Error('the loan terms just kept cannot be read back');
  return found.id;
}

/** A change to a loan's state; its terms, and so their id, stay as it was made on. */
export function updateLoan(db: FundDatabase, id: string, changes: Partial<Omit<LoanRow, 'terms' | 'termsId'>>): void {
  db.update(loans).set(changes).where(eq(loans.id, id)).run();
}

/** A loan with where it was made, and the group its member is in now (she may have moved since). */
export type LoanWithPlace = LoanRow & {
  areaPath: string;
  groupCode: string;
  /** The numbers of the loan's member and group (members.number, groups.number), which its timeline keeps. */
  memberNumber: number;
  groupNumber: number;
  memberName: string;
  memberStatus: string;
  memberGroupId: string;
  memberAreaPath: string;
};

/**
 * The statements every repayment reads its loan with, in SQL: drizzle's mapping of each row cost more than SQLite
 * reading it (columnsAs gives the rows drizzle's shape).
 */
const hotReads = {
  loanWithPlace: `SELECT ${columnsAs(loans, 'l')}, a.path AS "areaPath", g.code AS "groupCode", m.number AS "memberNumber", g.number AS "groupNumber", m.full_name AS "memberName", m.status AS "memberStatus",
      m.group_id AS "memberGroupId", ma.path AS "memberAreaPath"
    FROM loans AS l JOIN groups AS g ON g.id = l.group_id JOIN areas AS a ON a.id = g.area_id JOIN members AS m ON m.id = l.member_id
      JOIN groups AS mg ON mg.id = m.group_id JOIN areas AS ma ON ma.id = mg.area_id WHERE l.id = ?`,
  transactions: `SELECT ${columnsAs(loanTransactions, 't')}, r.reversed_at AS "reversedAt", r.reason AS "reversalReason"
    FROM loan_transactions AS t LEFT JOIN transaction_reversals AS r ON r.transaction_id = t.id WHERE t.loan_id = ?`,
  scheduleVersions: `SELECT ${columnsAs(scheduleVersions, 'v')} FROM schedule_versions AS v WHERE v.loan_id = ? ORDER BY v.version`,
  scheduleInstallments: `SELECT ${columnsAs(scheduleInstallments, 'i')} FROM schedule_installments AS i WHERE i.loan_id = ? ORDER BY i.version, i.number`,
  currentAllocations: `SELECT ${columnsAs(repaymentAllocations, 'a', ['current'])} FROM repayment_allocations AS a WHERE a.loan_id = ? AND a.current = 1`,
  allocationLines: `SELECT ${columnsAs(repaymentAllocationLines, 'l')} FROM repayment_allocation_lines AS l WHERE l.loan_id = ?`,
};

export function findLoan(db: FundDatabase, loanId: string): LoanWithPlace | undefined {
  return statementOn(db, hotReads.loanWithPlace).get(loanId) as LoanWithPlace | undefined;
}

/** The group a loan's member is in now, and its area (listLoans joins them beside the loan's own). */
const memberGroups = alias(groups, 'member_groups');
const memberAreas = alias(areas, 'member_areas');

/** The loans someone may list: those made in a group they reach, and those whose member is now in one. */
export function loanScope(actor: Actor): SQL | undefined {
  return or(scopeCondition(actor), scopeConditionOn(actor, memberGroups.id, memberAreas.path));
}

export function listLoans(
  db: FundDatabase,
  filter: { scope?: SQL; memberId?: string; groupId?: string; areaPath?: string; status?: LoanRow['status']; after?: string; limit: number },
): LoanRow[] {
  return db
    .select({ loan: loans })
    .from(loans)
    .innerJoin(groups, eq(groups.id, loans.groupId))
    .innerJoin(areas, eq(areas.id, groups.areaId))
    .innerJoin(members, eq(members.id, loans.memberId))
    .innerJoin(memberGroups, eq(memberGroups.id, members.groupId))
    .innerJoin(memberAreas, eq(memberAreas.id, memberGroups.areaId))
    .where(
      and(
        filter.scope,
        filter.memberId ? eq(loans.memberId, filter.memberId) : undefined,
        filter.groupId ? eq(loans.groupId, filter.groupId) : undefined,
        filter.areaPath ? sql`${areas.path} LIKE ${`${filter.areaPath}%`}` : undefined,
        filter.status ? eq(loans.status, filter.status) : undefined,
        filter.after ? sql`${loans.id} > ${filter.after}` : undefined,
      ),
    )
    .orderBy(asc(loans.id))
    .limit(filter.limit + 1)
    .all()
    .map((row) => row.loan);
}

export function loansOfMember(db: FundDatabase, memberId: string): LoanRow[] {
  return db.select().from(loans).where(eq(loans.memberId, memberId)).orderBy(asc(loans.id)).all();
}

/**
 * The loans of some members being repaid or written off, wherever each was made: a member who moved to another group
 * repays the loan she took in her earlier one at the meetings she now attends.
 */
export function activeLoansOfMembers(db: FundDatabase, memberIds: readonly string[]): LoanRow[] {
  if (memberIds.length === 0) return [];
  // Reached by the members (a few loans each); a condition on the status in SQL led the planner to the status index,
  // through every loan being repaid in the fund (a province's meeting sheet took 120 ms instead of 25).
  return db
    .select()
    .from(loans)
    .where(inArray(loans.memberId, [...memberIds]))
    .orderBy(asc(loans.id))
    .all()
    .filter((loan) => loan.status === 'active' || loan.status === 'written_off');
}

// Schedules

export interface StoredInstallment {
  number: number;
  dueOn: string;
  principalDue: bigint;
  interestDue: bigint;
}

export function insertScheduleVersion(
  db: FundDatabase,
  version: typeof scheduleVersions.$inferInsert,
  installments: StoredInstallment[],
): void {
  db.insert(scheduleVersions).values(version).run();
  db.insert(scheduleInstallments)
    .values(
      installments.map((installment) => ({
        loanId: version.loanId,
        version: version.version,
        number: installment.number,
        dueOn: installment.dueOn,
        principalDue: toStoredAmount(installment.principalDue),
        interestDue: toStoredAmount(installment.interestDue),
      })),
    )
    .run();
}

export function scheduleVersionsOf(db: FundDatabase, loanId: string) {
  const versions = statementOn(db, hotReads.scheduleVersions).all(loanId) as (typeof scheduleVersions.$inferSelect)[];
  const installments = statementOn(db, hotReads.scheduleInstallments).all(loanId) as (typeof scheduleInstallments.$inferSelect)[];
  return versions.map((version) => ({
    ...version,
    installments: installments
      .filter((installment) => installment.version === version.version)
      .map((installment) => ({ number: installment.number, dueOn: installment.dueOn, principalDue: BigInt(installment.principalDue), interestDue: BigInt(installment.interestDue) })),
  }));
}

// Transactions

const insertTransactionStatement = insertOf(loanTransactions);

export function insertLoanTransaction(db: FundDatabase, row: Omit<LoanTransactionRow, 'amount'> & { amount: bigint }): void {
  statementOn(db, insertTransactionStatement).run({ ...row, amount: toStoredAmount(row.amount) });
}

export function findLoanTransaction(db: FundDatabase, id: string): LoanTransactionRow | undefined {
  return db.select().from(loanTransactions).where(eq(loanTransactions.id, id)).get();
}

/** SQLite's order of text (bytes), which is JavaScript's for the ASCII of dates, timestamps and ids. */
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A loan's transactions by date, then as recorded: sorted here, among a loan's few rows, because a sort opened by
 * SQLite inside the command's write transaction costs tens of microseconds.
 */
export function transactionsOf(db: FundDatabase, loanId: string) {
  const rows = statementOn(db, hotReads.transactions).all(loanId) as (LoanTransactionRow & { reversedAt: string | null; reversalReason: string | null })[];
  return rows
    .map(({ reversedAt, reversalReason, ...row }) => ({ ...row, reversed: reversedAt !== null, reversalReason }))
    .sort((a, b) => byText(a.transactionDate, b.transactionDate) || byText(a.recordedAt, b.recordedAt) || byText(a.id, b.id));
}

export function isReversed(db: FundDatabase, transactionId: string): boolean {
  return db.select({ id: transactionReversals.transactionId }).from(transactionReversals).where(eq(transactionReversals.transactionId, transactionId)).get() !== undefined;
}

export function insertReversal(db: FundDatabase, row: typeof transactionReversals.$inferInsert): void {
  db.insert(transactionReversals).values(row).run();
}

// Allocations

export function currentAllocations(db: FundDatabase, loanId: string): Map<string, AllocationRow> {
  const rows = statementOn(db, hotReads.currentAllocations).all(loanId) as Omit<AllocationRow, 'current'>[];
  return new Map(rows.map((row) => [row.transactionId, { ...row, current: true }]));
}

const retireAllocationsStatement = 'UPDATE repayment_allocations SET current = 0 WHERE transaction_id = ? AND current = 1';
const insertAllocationStatement = insertOf(repaymentAllocations);

export function insertAllocation(
  db: FundDatabase,
  row: Omit<AllocationRow, 'principal' | 'interest' | 'penalty' | 'lateInterest' | 'creditAdded' | 'creditUsed' | 'current'> & {
    principal: bigint;
    interest: bigint;
    penalty: bigint;
    lateInterest: bigint;
    creditAdded: bigint;
    creditUsed: bigint;
  },
): void {
  // The newest split of a repayment is the one that counts; older ones stay for the record.
  statementOn(db, retireAllocationsStatement).run(row.transactionId);
  statementOn(db, insertAllocationStatement).run({
    ...row,
    principal: toStoredAmount(row.principal),
    interest: toStoredAmount(row.interest),
    penalty: toStoredAmount(row.penalty),
    lateInterest: toStoredAmount(row.lateInterest),
    creditAdded: toStoredAmount(row.creditAdded),
    creditUsed: toStoredAmount(row.creditUsed),
    current: 1,
  });
}

export function latestAllocationVersion(db: FundDatabase, transactionId: string): number {
  return (
    prepared(db, 'latestAllocationVersion', (on) =>
      on.select({ version: repaymentAllocations.version }).from(repaymentAllocations).where(eq(repaymentAllocations.transactionId, id())).orderBy(desc(repaymentAllocations.version)).limit(1).prepare(),
    ).get({ id: transactionId })?.version ?? 0
  );
}

/** The loans subledger as of a date, from transactions and their current splits (not from the journal). */
export function loanSubledgerTotals(db: FundDatabase, asOf: string, of: { memberId?: string; loanId?: string } = {}): { principalOutstanding: bigint; creditHeld: bigint; writtenOffUnrecovered: bigint } {
  const owner = and(of.memberId ? eq(loanTransactions.memberId, of.memberId) : undefined, of.loanId ? eq(loanTransactions.loanId, of.loanId) : undefined);
  const sumOf = (type: LoanTransactionRow['type']) =>
    BigInt(
      db
        .select({ total: sql<string>`CAST(COALESCE(SUM(${loanTransactions.amount}), 0) AS TEXT)` })
        .from(loanTransactions)
        .where(and(owner, eq(loanTransactions.type, type), lte(loanTransactions.transactionDate, asOf), notInArray(loanTransactions.id, reversedIds)))
        .get()?.total ?? '0',
    );
  const split = db
    .select({
      principal: sql<string>`CAST(COALESCE(SUM(${repaymentAllocations.principal}), 0) AS TEXT)`,
      credit: sql<string>`CAST(COALESCE(SUM(${repaymentAllocations.creditAdded} - ${repaymentAllocations.creditUsed}), 0) AS TEXT)`,
    })
    .from(repaymentAllocations)
    .innerJoin(loanTransactions, eq(loanTransactions.id, repaymentAllocations.transactionId))
    .where(and(owner, eq(repaymentAllocations.current, true), lte(loanTransactions.transactionDate, asOf), notInArray(loanTransactions.id, reversedIds)))
    .get();
  const writtenOff = sumOf('write_off');
  return {
    principalOutstanding: sumOf('disbursement') - BigInt(split?.principal ?? '0') - writtenOff,
    creditHeld: BigInt(split?.credit ?? '0'),
    // Off the books but still owed: principal written off less what was recovered since, recoveries counted as
    // principal first.
    writtenOffUnrecovered: max0(writtenOff - sumOf('recovery')),
  };
}

const max0 = (amount: bigint): bigint => (amount > 0n ? amount : 0n);

/** The entry that booked a transaction (not a reversal of it). */
export function bookingEntryId(db: FundDatabase, transactionId: string): string | undefined {
  return db
    .select({ id: journalEntries.id })
    .from(journalEntries)
    .where(and(eq(journalEntries.sourceType, 'loan_transaction'), eq(journalEntries.sourceId, transactionId), ne(journalEntries.kind, 'reversal')))
    .orderBy(desc(journalEntries.sequence))
    .limit(1)
    .get()?.id;
}

/** The entry that first booked a repayment (its first split), which a savings transfer for it points at. */
export function firstBookingEntryId(db: FundDatabase, transactionId: string): string | undefined {
  return db
    .select({ id: repaymentAllocations.journalEntryId })
    .from(repaymentAllocations)
    .where(and(eq(repaymentAllocations.transactionId, transactionId), eq(repaymentAllocations.version, 1)))
    .get()?.id;
}

// Collection sheets

export function insertCollectionSheet(db: FundDatabase, row: Omit<typeof collectionSheets.$inferSelect, 'cashTotal'> & { cashTotal: bigint }): void {
  db.insert(collectionSheets)
    .values({ ...row, cashTotal: toStoredAmount(row.cashTotal) })
    .run();
}

export function findCollectionSheet(db: FundDatabase, id: string) {
  return db.select().from(collectionSheets).where(eq(collectionSheets.id, id)).get();
}

/** A group's sheets, the latest meeting first (on one date only, when given). */
export function collectionSheetsOfGroup(db: FundDatabase, groupId: string, options: { meetingOn?: string; limit: number }) {
  const where = options.meetingOn === undefined ? eq(collectionSheets.groupId, groupId) : and(eq(collectionSheets.groupId, groupId), eq(collectionSheets.meetingOn, options.meetingOn));
  return db.select().from(collectionSheets).where(where).orderBy(desc(collectionSheets.meetingOn), desc(collectionSheets.id)).limit(options.limit).all();
}

export function loanTransactionsOfSheet(db: FundDatabase, sheetId: string) {
  return db.select().from(loanTransactions).where(eq(loanTransactions.collectionSheetId, sheetId)).orderBy(asc(loanTransactions.id)).all();
}

// Read models (derived; replaced whenever the loan's history changes)

const insertLineStatement = insertOf(repaymentAllocationLines);
const deleteLinesStatement = 'DELETE FROM repayment_allocation_lines WHERE transaction_id = ?';

export function replaceLoanReadModels(
  db: FundDatabase,
  loanId: string,
  segments: (typeof loanTimelineSegments.$inferInsert)[],
  lines: (typeof repaymentAllocationLines.$inferInsert)[],
): void {
  prepared(db, 'deleteSegments', (on) => on.delete(loanTimelineSegments).where(eq(loanTimelineSegments.loanId, id())).prepare()).run({ id: loanId });
  prepared(db, 'deleteAllocationLines', (on) => on.delete(repaymentAllocationLines).where(eq(repaymentAllocationLines.loanId, id())).prepare()).run({ id: loanId });
  const insertSegment = prepared(db, 'insertSegment', (on) => on.insert(loanTimelineSegments).values(placeholdersFor(loanTimelineSegments)).prepare());
  for (const segment of segments) insertSegment.run({ ...segment, closed: segment.closed ? 1 : 0, writtenOff: segment.writtenOff ? 1 : 0 });
  for (const line of lines) statementOn(db, insertLineStatement).run(line);
}

type SegmentRow = typeof loanTimelineSegments.$inferInsert;

/** The segments' columns: property and SQL name, in the table's order (one list for every statement below). */
const segmentColumns = Object.entries(getTableColumns(loanTimelineSegments)).map(([key, column]) => ({ key: key as keyof SegmentRow, name: column.name }));
/** What an in-place rewrite may change of a stored segment (everything but the loan and the day it starts), by position. */
const segmentValueIndexes = segmentColumns.flatMap((column, index) => (column.name === 'loan_id' || column.name === 'from_day' ? [] : [index]));
const fromDayIndex = segmentColumns.findIndex((column) => column.name === 'from_day');
const segmentStatements = {
  storedFrom: `SELECT rowid, ${segmentColumns.map((column) => column.name).join(', ')} FROM loan_timeline_segments WHERE loan_id = ? AND to_day >= ?`,
  storedOfLoan: `SELECT ${segmentColumns.map((column) => column.name).join(', ')} FROM loan_timeline_segments WHERE loan_id = ? ORDER BY from_day`,
  insert: `INSERT INTO loan_timeline_segments (${segmentColumns.map((column) => column.name).join(', ')}) VALUES (${segmentColumns.map(() => '?').join(', ')})`,
  update: `UPDATE loan_timeline_segments SET ${segmentValueIndexes.map((index) => `${segmentColumns[index]?.name} = ?`).join(', ')} WHERE rowid = ?`,
  delete: 'DELETE FROM loan_timeline_segments WHERE rowid = ?',
};

/** Where a segment's first day is among its values. */
export const segmentFromDayIndex = fromDayIndex;

/** A loan's stored segments, first day first, each as its values in segmentValues' order. */
export function storedSegmentValuesOf(db: FundDatabase, loanId: string): (string | number | null)[][] {
  return statementOn(db, segmentStatements.storedOfLoan).raw(true).all(loanId) as (string | number | null)[][];
}

/** A segment's values as SQLite stores them, in segmentColumns' order. */
export function segmentValues(segment: SegmentRow): (string | number | null)[] {
  return segmentColumns.map(({ key }) => {
    const value = segment[key];
    if (typeof value === 'boolean') return value ? 1 : 0;
    return value ?? null;
  });
}

/**
 * Rewrites the timeline from a day on (segments ending on or after it) and the lines of some repayments. A stored
 * segment that starts on the same day as a new one is updated in place, and left alone when nothing of it changed:
 * a repayment changes the values of the loan's later segments but rarely their days, and an update leaves the
 * segments' loan index as it was where a delete and an insert rewrote all three of the table's trees.
 */
export function replaceLoanReadModelsFrom(
  db: FundDatabase,
  loanId: string,
  fromDay: number,
  segments: SegmentRow[],
  transactionIds: string[],
  lines: (typeof repaymentAllocationLines.$inferInsert)[],
): void {
  const stored = statementOn(db, segmentStatements.storedFrom).raw(true).all(loanId, fromDay) as [number, ...(string | number | null)[]][];
  // Each stored row is its rowid, then the columns in segmentColumns' order.
  const storedByFromDay = new Map(stored.map((row) => [row[fromDayIndex + 1] as number, row]));
  for (const segment of segments) {
    const values = segmentValues(segment);
    const match = storedByFromDay.get(segment.fromDay);
    if (!match) {
      statementOn(db, segmentStatements.insert).run(values);
      continue;
    }
    storedByFromDay.delete(segment.fromDay);
    if (values.every((value, index) => value === match[index + 1])) continue;
    statementOn(db, segmentStatements.update).run([...segmentValueIndexes.map((index) => values[index] ?? null), match[0]]);
  }
  for (const left of storedByFromDay.values()) statementOn(db, segmentStatements.delete).run(left[0]);
  for (const transactionId of transactionIds) statementOn(db, deleteLinesStatement).run(transactionId);
  for (const line of lines) statementOn(db, insertLineStatement).run(line);
}

export function loanSegments(db: FundDatabase, loanId: string) {
  return db.select().from(loanTimelineSegments).where(eq(loanTimelineSegments.loanId, loanId)).orderBy(asc(loanTimelineSegments.fromDay)).all();
}

/** The rules the file's loan read models were made by (loanReadModelVersion), kept in SQLite's user_version. */
export function storedReadModelVersion(db: FundDatabase): number {
  return Number(db.get<{ user_version: number }>(sql.raw('PRAGMA user_version'))?.user_version ?? 0);
}

export function recordReadModelVersion(db: FundDatabase, version: number): void {
  db.run(sql.raw(`PRAGMA user_version = ${Math.trunc(version)}`));
}

export function disbursedLoanIds(db: FundDatabase): string[] {
  return db
    .select({ id: loans.id })
    .from(loans)
    .where(sql`${loans.disbursedOn} IS NOT NULL`)
    .orderBy(asc(loans.id))
    .all()
    .map((row) => row.id);
}


/** The stored lines of some of a loan's repayments (an empty list reads nothing). */
export function allocationLinesOfTransactions(db: FundDatabase, loanId: string, transactionIds: string[]) {
  if (transactionIds.length === 0) return [];
  const wanted = new Set(transactionIds);
  return (statementOn(db, hotReads.allocationLines).all(loanId) as (typeof repaymentAllocationLines.$inferSelect)[]).filter((line) => wanted.has(line.transactionId));
}

export function allocationLinesOf(db: FundDatabase, loanId: string) {
  return db.select().from(repaymentAllocationLines).where(eq(repaymentAllocationLines.loanId, loanId)).all();
}
