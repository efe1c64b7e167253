// Storage of the journal: appending entries on the hash chain, reading them back, and summing lines per account.
import { createHash } from 'node:crypto';
import { type SQL, and, asc, eq, gt, gte, inArray, lte, sql } from 'drizzle-orm';
import { type FundDatabase, insertOf, iterateTuples, statementOn, tuplesByWindow } from '../../../db/client.js';
import { accountDayTotals, accounts, journalEntries, journalLines, periodCloses } from '../../../db/schema.js';
import { chartOfAccounts } from '../../ledger/chart.js';
import { type JournalEntryDraft, type PostedJournalEntry, assertBalanced, canonicalEntryText, genesisHash } from '../../ledger/journal.js';
import { newId } from '../shared/ids.js';
import { prepared } from '../shared/prepared.js';

/** Amounts are stored as INTEGER minor units; a per-row amount always fits a double exactly. */
export function toStoredAmount(amount: bigint): number {
  const stored = Number(amount);
  if (!Number.isSafeInteger(stored)) throw new RangeError(`amount ${amount} is beyond what a row may hold`);
  return stored;
}

export function ensureChartOfAccounts(db: FundDatabase): void {
  for (const account of chartOfAccounts) db.insert(accounts).values(account).onConflictDoNothing().run();
}

export function listAccounts(db: FundDatabase) {
  return db.select().from(accounts).orderBy(asc(accounts.code)).all();
}

export function sha256(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/**
 * The statements of appending an entry, in SQL: every movement of money runs them, and drizzle's building of each
 * call's parameters cost more than SQLite's work.
 */
const appendStatements = {
  lastEntry: 'SELECT sequence, hash FROM journal_entries ORDER BY sequence DESC LIMIT 1',
  insertEntry: insertOf(journalEntries),
  insertLine: insertOf(journalLines, ['id']),
  // The account's totals for the entry's date grow with the entry, in its transaction (the read model balances use).
  addToAccountDay: `INSERT INTO account_day_totals (account_code, day, debit, credit) VALUES (@accountCode, @day, @debit, @credit)
    ON CONFLICT (account_code, day) DO UPDATE SET debit = debit + excluded.debit, credit = credit + excluded.credit`,
};

export function lastEntry(db: FundDatabase): { sequence: number; hash: string } | undefined {
  return statementOn(db, appendStatements.lastEntry).get() as { sequence: number; hash: string } | undefined;
}

/** Appends one balanced entry at the end of the chain. Must run inside the command's transaction. */
export function appendEntry(db: FundDatabase, draft: JournalEntryDraft, postedBy: string, postedAt: string): PostedJournalEntry {
  assertBalanced(draft, `the ${draft.kind} entry for ${draft.sourceType} ${draft.sourceId}`);
  const previous = lastEntry(db);
  const unhashed = { ...draft, id: newId('je'), sequence: (previous?.sequence ?? 0) + 1, postedAt, previousHash: previous?.hash ?? genesisHash };
  const entry: PostedJournalEntry = { ...unhashed, hash: sha256(canonicalEntryText(unhashed)) };
  statementOn(db, appendStatements.insertEntry).run({
    id: entry.id,
    sequence: entry.sequence,
    entryDate: entry.entryDate,
    postedAt: entry.postedAt,
    kind: entry.kind,
    description: entry.description,
    sourceType: entry.sourceType,
    sourceId: entry.sourceId,
    reversesEntryId: entry.reversesEntryId,
    postedBy,
    previousHash: entry.previousHash,
    hash: entry.hash,
  } satisfies EntryRow);
  const insertLine = statementOn(db, appendStatements.insertLine);
  const addToDay = statementOn(db, appendStatements.addToAccountDay);
  entry.lines.forEach((line, index) => {
    const debit = toStoredAmount(line.debit);
    const credit = toStoredAmount(line.credit);
    insertLine.run({ entryId: entry.id, lineNumber: index + 1, accountCode: line.accountCode, debit, credit, memberId: line.memberId, loanId: line.loanId } satisfies typeof journalLines.$inferInsert);
    addToDay.run({ accountCode: line.accountCode, day: entry.entryDate, debit, credit });
  });
  return entry;
}

type EntryRow = typeof journalEntries.$inferSelect;

function withLines(db: FundDatabase, rows: EntryRow[]): PostedJournalEntry[] {
  if (rows.length === 0) return [];
  const lineRows = db
    .select()
    .from(journalLines)
    .where(inArray(journalLines.entryId, rows.map((row) => row.id)))
    .orderBy(asc(journalLines.entryId), asc(journalLines.lineNumber))
    .all();
  const linesByEntry = new Map<string, typeof lineRows>();
  for (const line of lineRows) linesByEntry.set(line.entryId, [...(linesByEntry.get(line.entryId) ?? []), line]);
  return rows.map((row) => {
    const entry: PostedJournalEntry = {
      id: row.id,
      sequence: row.sequence,
      entryDate: row.entryDate,
      postedAt: row.postedAt,
      kind: row.kind as PostedJournalEntry['kind'],
      description: row.description,
      sourceType: row.sourceType,
      sourceId: row.sourceId,
      reversesEntryId: row.reversesEntryId,
      previousHash: row.previousHash,
      hash: row.hash,
      lines: (linesByEntry.get(row.id) ?? []).map((line) => ({
        accountCode: line.accountCode,
        debit: BigInt(line.debit),
        credit: BigInt(line.credit),
        memberId: line.memberId,
        loanId: line.loanId,
      })),
    };
    // Checked when built and again when read back: a stored entry that does not balance stops the reader.
    assertBalanced(entry, `stored journal entry ${entry.sequence}`);
    return entry;
  });
}

export function findEntry(db: FundDatabase, id: string): PostedJournalEntry | undefined {
  const row = db.select().from(journalEntries).where(eq(journalEntries.id, id)).get();
  return row ? withLines(db, [row])[0] : undefined;
}

/** An account with at least this many lines is walked entry by entry; a quieter one names its entries. */
const busyAccountLines = 10_000;

/**
 * Entries with a line on an account, for a page in sequence order. A busy account's entries come within a few thousand
 * of each other, so each entry is checked through the lines' entry index; a quiet account's few lines name their
 * entries. Gathering a busy account's entries first cost seconds a page on `province` (the cash account has 1.4 million
 * lines: 1.7 s; a day of account 7021: 3.6 s), the walk milliseconds. `walk` forces the way.
 */
export function withLineOn(db: FundDatabase, accountCode: string, walk?: boolean): SQL {
  const e = journalEntries;
  const l = journalLines;
  const lines = () => db.get<{ count: number }>(sql`SELECT COUNT(*) AS count FROM (SELECT 1 FROM ${l} WHERE ${eq(l.accountCode, accountCode)} LIMIT ${busyAccountLines})`)?.count ?? 0;
  if (walk ?? lines() >= busyAccountLines) return sql`EXISTS (SELECT 1 FROM ${l} WHERE ${l.entryId} = ${e.id} AND +${l.accountCode} = ${accountCode})`;
  return inArray(e.id, db.select({ id: l.entryId }).from(l).where(eq(l.accountCode, accountCode))) as SQL;
}

export function listEntries(db: FundDatabase, filter: { from?: string; to?: string; accountCode?: string; afterSequence?: number; limit: number }): PostedJournalEntry[] {
  const rows = db
    .select()
    .from(journalEntries)
    .where(
      and(
        filter.from ? gte(journalEntries.entryDate, filter.from) : undefined,
        filter.to ? lte(journalEntries.entryDate, filter.to) : undefined,
        filter.afterSequence !== undefined ? gt(journalEntries.sequence, filter.afterSequence) : undefined,
        filter.accountCode === undefined ? undefined : withLineOn(db, filter.accountCode),
      ),
    )
    .orderBy(asc(journalEntries.sequence))
    .limit(filter.limit + 1)
    .all();
  return withLines(db, rows);
}

/**
 * Debit and credit totals per account over entries dated on or before asOf, summed in SQL as exact integers from the
 * accounts' daily totals (a few thousand rows, where the lines are millions; verifyLedger checks the two agree).
 */
export function accountTotals(db: FundDatabase, asOf: string, accountCodes?: string[]): Map<string, { debit: bigint; credit: bigint }> {
  const rows = db
    .select({
      accountCode: accountDayTotals.accountCode,
      debit: sql<string>`CAST(COALESCE(SUM(${accountDayTotals.debit}), 0) AS TEXT)`,
      credit: sql<string>`CAST(COALESCE(SUM(${accountDayTotals.credit}), 0) AS TEXT)`,
    })
    .from(accountDayTotals)
    .where(and(lte(accountDayTotals.day, asOf), accountCodes ? inArray(accountDayTotals.accountCode, accountCodes) : undefined))
    .groupBy(accountDayTotals.accountCode)
    .all();
  return new Map(rows.map((row) => [row.accountCode, { debit: BigInt(row.debit), credit: BigInt(row.credit) }]));
}

/** Recomputes the accounts' daily totals from the journal's lines (the migration's backfill, again), in one transaction. */
export function rebuildAccountDayTotals(db: FundDatabase): { days: number } {
  return db.transaction((tx) => {
    tx.delete(accountDayTotals).run();
    tx.run(sql`INSERT INTO ${accountDayTotals} (account_code, day, debit, credit)
      SELECT l.account_code, e.entry_date, SUM(l.debit), SUM(l.credit) FROM ${journalLines} l JOIN ${journalEntries} e ON e.id = l.entry_id
      GROUP BY l.account_code, e.entry_date`);
    return { days: tx.select({ count: sql<number>`COUNT(*)` }).from(accountDayTotals).get()?.count ?? 0 };
  });
}

/** Every account's stored daily totals, as `account|day` → debit and credit (for verifyLedger). */
export function accountDayTotalsStored(db: FundDatabase): Map<string, { debit: bigint; credit: bigint }> {
  const rows = db.select({ accountCode: accountDayTotals.accountCode, day: accountDayTotals.day, debit: sql<string>`CAST(${accountDayTotals.debit} AS TEXT)`, credit: sql<string>`CAST(${accountDayTotals.credit} AS TEXT)` }).from(accountDayTotals).all();
  return new Map(rows.map((row) => [`${row.accountCode}|${row.day}`, { debit: BigInt(row.debit), credit: BigInt(row.credit) }]));
}

/**
 * The last day of the closed periods. max() rather than ORDER BY … LIMIT 1: the table has no index to walk, and a sort
 * opened inside a command's write transaction costs tens of microseconds (measured: 45 µs of every repayment).
 */
export function closedThrough(db: FundDatabase): string | null {
  return prepared(db, 'closedThrough', (on) => on.select({ through: sql<string | null>`max(${periodCloses.through})` }).from(periodCloses).prepare()).get()?.through ?? null;
}

export function insertPeriodClose(db: FundDatabase, row: typeof periodCloses.$inferInsert): void {
  db.insert(periodCloses).values(row).run();
}

/**
 * One journal line as stored with its entry's fields beside it, in the order of the journal export's columns; an
 * entry without lines comes as one row whose line fields are null. A tuple, because the journal is read a million rows
 * at a time and arrays cost a third less than objects.
 */
export type JournalLineRow = [
  sequence: number,
  entryId: string,
  entryDate: string,
  postedAt: string,
  kind: string,
  description: string,
  sourceType: string,
  sourceId: string,
  reversesEntryId: string | null,
  lineNumber: number | null,
  accountCode: string | null,
  debit: number | null,
  credit: number | null,
  memberId: string | null,
  loanId: string | null,
  previousHash: string,
  hash: string,
];

type EntryColumns = [sequence: number, entryId: string, entryDate: string, postedAt: string, kind: string, description: string, sourceType: string, sourceId: string, reversesEntryId: string | null, previousHash: string, hash: string];
type LineColumns = [sequence: number, lineNumber: number | null, accountCode: string | null, debit: number | null, credit: number | null, memberId: string | null, loanId: string | null];

/**
 * Sequence numbers per read of a long range: a few hundred rows at once, which die young. Windows of 2,000 kept their
 * rows long enough to reach the old generation: 110 MB more resident on a million-line export.
 */
const sequencesPerRead = 200;

/** Up to this many entries, a date range is read through the entries' date index and sorted into chain order. */
const fewEntries = 100_000;

/**
 * Whether few enough entries are dated in a range to reach them through the date index (counting stops past the
 * limit). A day's or a month's entries are a few thousand among millions: walking the whole journal for them took
 * most of a second warm, and seconds cold, on `province`.
 */
export function fewEntriesDatedIn(db: FundDatabase, range: { from?: string; to?: string }): boolean {
  if (range.from === undefined && range.to === undefined) return false;
  const e = journalEntries;
  const dated = and(range.from ? gte(e.entryDate, range.from) : undefined, range.to ? lte(e.entryDate, range.to) : undefined);
  const counted = db.get<{ count: number }>(sql`SELECT COUNT(*) AS count FROM (SELECT 1 FROM ${e} WHERE ${dated} LIMIT ${fewEntries + 1})`);
  return (counted?.count ?? 0) <= fewEntries;
}

/**
 * The journal's first and last sequence numbers, when windows between them reach every entry at little cost: every
 * sequence a whole number, and few gaps. Otherwise null, and the journal is read in one pass, so that an entry with a
 * stray sequence number (a gap, a negative or a text one, as only tampering makes) is still read, and verify names it.
 */
function denseSequences(db: FundDatabase): { first: number; last: number } | null {
  const s = journalEntries.sequence;
  const span = db.get<{ first: unknown; last: unknown; entries: number; whole: number | null }>(
    sql`SELECT MIN(${s}) AS first, MAX(${s}) AS last, COUNT(*) AS entries, SUM(typeof(${s}) = 'integer') AS whole FROM ${journalEntries}`,
  );
  if (!span || typeof span.first !== 'number' || typeof span.last !== 'number' || span.whole !== span.entries) return null;
  return span.last - span.first < 2 * span.entries ? { first: span.first, last: span.last } : null;
}

/**
 * The journal's lines in chain order (sequence, then line number), one at a time, optionally for a range of entry dates
 * (`byDate` says which way to reach them; by default, whichever fewEntriesDatedIn says).
 * Two readers walk in step, the entries' and the lines', so that an entry's fields are read once rather than once per
 * line (a third of the work on a million lines). A long range is read a window of sequence numbers at a time when the
 * sequence numbers allow it (denseSequences).
 */
export function* iterateJournal(db: FundDatabase, range: { from?: string; to?: string; byDate?: boolean } = {}): Generator<JournalLineRow> {
  const e = journalEntries;
  const l = journalLines;
  // A long range is read in sequence order from the sequence index, the dates compared as expressions to keep SQLite
  // off the date index (a million rows gathered by date and sorted cost seconds and memory); a short one through it.
  const byDate = range.byDate ?? fewEntriesDatedIn(db, range);
  const dated = byDate ? sql`${e.entryDate}` : sql`${e.entryDate} || ''`;
  const inRange = sql`${range.from ? sql`${dated} >= ${range.from}` : sql`1 = 1`} AND ${range.to ? sql`${dated} <= ${range.to}` : sql`1 = 1`}`;
  const entryColumns = sql`SELECT ${e.sequence}, ${e.id}, ${e.entryDate}, ${e.postedAt}, ${e.kind}, ${e.description}, ${e.sourceType}, ${e.sourceId}, ${e.reversesEntryId}, ${e.previousHash}, ${e.hash} FROM ${e}`;
  const lineColumns = sql`SELECT ${e.sequence}, ${l.lineNumber}, ${l.accountCode}, ${l.debit}, ${l.credit}, ${l.memberId}, ${l.loanId} FROM ${e} LEFT JOIN ${l} ON ${l.entryId} = ${e.id}`;
  const span = byDate ? null : denseSequences(db);
  const [entries, lines]: [Iterator<EntryColumns>, Iterator<LineColumns>] = !span
    ? [
        iterateTuples<EntryColumns>(db, sql`${entryColumns} WHERE ${inRange} ORDER BY ${e.sequence}`),
        iterateTuples<LineColumns>(db, sql`${lineColumns} WHERE ${inRange} ORDER BY ${e.sequence}, ${l.lineNumber}`),
      ]
    : [
        tuplesByWindow<EntryColumns>(db, sql`${e.sequence}`, span, sequencesPerRead, (window) => sql`${entryColumns} WHERE ${window} AND ${inRange} ORDER BY ${e.sequence}`),
        tuplesByWindow<LineColumns>(db, sql`${e.sequence}`, span, sequencesPerRead, (window) => sql`${lineColumns} WHERE ${window} AND ${inRange} ORDER BY ${e.sequence}, ${l.lineNumber}`),
      ];
  try {
    let entry = entries.next().value as EntryColumns | undefined;
    for (let next = lines.next(); !next.done; next = lines.next()) {
      const [sequence, lineNumber, accountCode, debit, credit, memberId, loanId] = next.value;
      while (entry && entry[0] < sequence) entry = entries.next().value as EntryColumns | undefined;
      if (!entry || entry[0] !== sequence) throw new Error(`journal line of entry ${sequence} read without its entry`);
      const [, entryId, entryDate, postedAt, kind, description, sourceType, sourceId, reversesEntryId, previousHash, hash] = entry;
      yield [sequence, entryId, entryDate, postedAt, kind, description, sourceType, sourceId, reversesEntryId, lineNumber, accountCode, debit, credit, memberId, loanId, previousHash, hash];
    }
  } finally {
    entries.return?.();
    lines.return?.();
  }
}

export function entryCount(db: FundDatabase): number {
  return db.select({ count: sql<number>`COUNT(*)` }).from(journalEntries).get()?.count ?? 0;
}
