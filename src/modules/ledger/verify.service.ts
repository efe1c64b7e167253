// Verification of the books from the stored rows alone: every entry balances, the hash chain is unbroken, the trial
// balance balances, the accounts' daily totals (which balances are read from) match the lines, the subledgers
// reconcile, every business record agrees with the entry that booked it, the append-only triggers stand, and every
// loan replayed from its history gives what is stored for it. The journal is read as a stream and the loans replayed
// a few at a time, with the event loop free in between, so a province's millions of lines never sit in memory and the
// service keeps answering.
import { type PostedJournalEntry, canonicalEntryText, entryProblems, genesisHash } from '../../ledger/journal.js';
import type { CurrencyCode } from '../../domain/money.js';
import { type FundDatabase, openSnapshot } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, today } from '../shared/context.js';
import { formatAmount } from '../shared/money-input.js';
import { readSettings } from '../settings/settings.service.js';
import { type Reconciliation, reconcile, reconciliationReply } from './ledger.service.js';
import { type JournalLineRow, accountDayTotalsStored, entryCount, iterateJournal, sha256 } from './journal.repo.js';
import * as verifyRepo from './verify.repo.js';
import { disbursedLoanIds } from '../loans/loan.repo.js';
import { readModelDifference } from '../loans/loan-read-models.js';

/** What a problem breaks, in the order an entry is checked. */
export const verifyChecks = [
  'sequence',
  'chain_link',
  'entry_hash',
  'entry_balanced',
  'trial_balance',
  'account_totals',
  'reconciliation',
  'loan_balances',
  'savings_balances',
  'loan_transactions',
  'loan_records',
  'repayment_splits',
  'savings_transactions',
  'collection_sheets',
  'provision_runs',
  'entry_sources',
  'append_only',
  'loan_read_models',
] as const;
export type VerifyCheck = (typeof verifyChecks)[number];

export interface VerifyProblem {
  check: VerifyCheck;
  entryId?: string;
  sequence?: number;
  message: string;
}

export interface LedgerVerification {
  ok: boolean;
  asOf: string;
  entriesChecked: number;
  linesChecked: number;
  lastSequence: number | null;
  lastHash: string | null;
  totalDebit: bigint;
  totalCredit: bigint;
  reconciliation: Reconciliation;
  /** Every problem found; `problems` lists the first ones, in chain order. */
  problemCount: number;
  problems: VerifyProblem[];
}

/** A broken ledger can break everywhere; the answer names the first ones, which is where to start looking. */
const problemsListed = 100;
/** Entries checked between two turns of the event loop. */
const entriesPerTurn = 2_000;
/** Loans replayed between two turns. */
const loansPerTurn = 50;

interface ChainPosition {
  sequence: number;
  hash: string;
}

/** One stored entry against the one before it in the chain: its place, its link, its own hash, its balance. */
export function chainProblems(entry: PostedJournalEntry, previous: ChainPosition | null): VerifyProblem[] {
  const at = { entryId: entry.id, sequence: entry.sequence };
  const problems: VerifyProblem[] = [];
  const expectedSequence = (previous?.sequence ?? 0) + 1;
  if (entry.sequence !== expectedSequence) {
    const message =
      entry.sequence > expectedSequence
        ? `entry ${entry.sequence} follows entry ${previous?.sequence ?? 'none'}: ${expectedSequence === entry.sequence - 1 ? `entry ${expectedSequence} is` : `entries ${expectedSequence} to ${entry.sequence - 1} are`} missing`
        : `entry ${entry.sequence} comes after entry ${previous?.sequence}: sequences must increase by one`;
    problems.push({ check: 'sequence', ...at, message });
  }
  const expectedPrevious = previous?.hash ?? genesisHash;
  if (entry.previousHash !== expectedPrevious) {
    problems.push({
      check: 'chain_link',
      ...at,
      message: previous
        ? `its previous hash ${entry.previousHash.slice(0, 12)}… is not the hash of entry ${previous.sequence} (${previous.hash.slice(0, 12)}…): an entry before it was removed or rewritten`
        : `the first entry must point at the genesis hash, not ${entry.previousHash.slice(0, 12)}…`,
    });
  }
  const { hash, ...unhashed } = entry;
  const recomputed = sha256(canonicalEntryText(unhashed));
  if (recomputed !== hash) {
    problems.push({ check: 'entry_hash', ...at, message: `its content hashes to ${recomputed.slice(0, 12)}…, not to its stored hash ${hash.slice(0, 12)}…: it was changed after it was posted` });
  }
  const unbalanced = entryProblems(entry);
  if (unbalanced.length > 0) problems.push({ check: 'entry_balanced', ...at, message: unbalanced.join('; ') });
  return problems;
}

/** The journal's rows folded into entries, each with its lines, in chain order. */
function* storedEntries(rows: Iterable<JournalLineRow>): Generator<PostedJournalEntry> {
  let current: PostedJournalEntry | null = null;
  for (const row of rows) {
    const [sequence, id, entryDate, postedAt, kind, description, sourceType, sourceId, reversesEntryId, lineNumber, accountCode, debit, credit, memberId, loanId, previousHash, hash] = row;
    if (current === null || current.id !== id) {
      if (current) yield current;
      current = { id, sequence, entryDate, postedAt, kind: kind as PostedJournalEntry['kind'], description, sourceType, sourceId, reversesEntryId, previousHash, hash, lines: [] };
    }
    if (lineNumber !== null) current.lines.push({ accountCode: accountCode ?? '', debit: BigInt(debit ?? 0), credit: BigInt(credit ?? 0), memberId, loanId });
  }
  if (current) yield current;
}

const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** The tables kept append-only by triggers that refuse UPDATE and DELETE, each with the refusal its triggers raise. */
const appendOnlyTables = {
  journal_entries: 'journal_entries is append-only: post a reversing entry instead',
  journal_lines: 'journal_lines is append-only: post a reversing entry instead',
  audit_log: 'audit_log is append-only',
  period_closes: 'period_closes is append-only',
} as const;

const normalisedSql = (text: string) => text.replace(/\s+/g, ' ').trim();

/**
 * Each append-only table's two triggers, present and exactly as the migrations made them (db/migrations): a trigger
 * dropped, or made again with a condition or a body that lets edits through, reads otherwise than it was made.
 */
export function appendOnlyProblems(triggers: Map<string, string>): VerifyProblem[] {
  return Object.entries(appendOnlyTables).flatMap(([table, refusal]) =>
    (['update', 'delete'] as const).flatMap((operation): VerifyProblem[] => {
      const name = `${table}_no_${operation}`;
      const definition = triggers.get(name);
      const made = `CREATE TRIGGER ${name} BEFORE ${operation.toUpperCase()} ON ${table} BEGIN SELECT RAISE(ABORT, '${refusal}'); END`;
      if (definition !== undefined && normalisedSql(definition) === made) return [];
      return [
        {
          check: 'append_only',
          message:
            definition === undefined
              ? `the trigger ${name} that refuses ${operation.toUpperCase()} on ${table} is missing: the table can be edited`
              : `the trigger ${name} is not the one that refuses every ${operation.toUpperCase()} on ${table}: it was made again otherwise (${normalisedSql(definition)})`,
        },
      ];
    }),
  );
}

/**
 * The business records against the entries that booked them, record by record: each loan's principal and advances and
 * each member's savings against the lines naming them, each loan transaction and savings movement against its entry
 * (date, amounts, split), each split against the installment lines it paid, each loan's row against its transactions
 * and schedule, each collection sheet against the money recorded at it, each provision run against its entry, and each
 * entry's source present.
 */
export function recordProblems(db: FundDatabase): VerifyProblem[] {
  return [
    ...verifyRepo.loanBalancesDisagreeing(db).map((row): VerifyProblem => ({
      check: 'loan_balances',
      message: `loan ${row.loanId}: its transactions leave ${row.principal} of principal and ${row.credit} of advances held, the journal's lines naming it ${row.ledgerPrincipal} and ${row.ledgerCredit}`,
    })),
    ...verifyRepo.savingsBalancesDisagreeing(db).map((row): VerifyProblem => ({
      check: 'savings_balances',
      message: `member ${row.memberId}: her ${row.kind} savings transactions add up to ${row.balance}, the journal's lines naming her ${row.ledger}`,
    })),
    ...verifyRepo.loanTransactionsDisagreeing(db).map((row): VerifyProblem => ({ check: 'loan_transactions', message: `${row.type} ${row.transactionId}: ${row.problem}` })),
    ...verifyRepo.splitsDisagreeingWithLines(db).map((row): VerifyProblem => ({
      check: 'repayment_splits',
      message: `repayment ${row.transactionId}: its split pays ${row.principal} of principal and ${row.interest} of interest, the installments it names ${row.linesPrincipal} and ${row.linesInterest} (or on another day or loan)`,
    })),
    ...verifyRepo.savingsTransactionsDisagreeing(db).map((row): VerifyProblem => ({ check: 'savings_transactions', entryId: row.entryId, message: `the savings of member ${row.memberId} booked by entry ${row.entryId}: ${row.problem}` })),
    ...verifyRepo.loansDisagreeingWithRecords(db).map((row): VerifyProblem => ({ check: 'loan_records', message: `loan ${row.loanId}: ${row.problem}` })),
    ...verifyRepo.timelinesOfNoLoan(db).map((row): VerifyProblem => ({ check: 'loan_read_models', message: `${row.rows} timeline rows name ${row.loanId}, which is no disbursed loan: the reports read them all` })),
    ...verifyRepo.savingsTypesDisagreeing(db).map((row): VerifyProblem => ({ check: 'savings_transactions', message: `savings ${row.id}: it is kept as a ${row.type} of ${row.amount}, which moves the other way` })),
    ...verifyRepo.collectionSheetsDisagreeing(db).map((row): VerifyProblem => ({ check: 'collection_sheets', message: `collection sheet ${row.sheetId}: ${row.problem}` })),
    ...verifyRepo.provisionRunsDisagreeing(db).map((row): VerifyProblem => ({
      check: 'provision_runs',
      message: `provision run ${row.runId}: it moved the provision by ${row.change}, its entry by ${row.ledger ?? 'nothing'}`,
    })),
    ...verifyRepo.entriesWithoutSource(db).map((row): VerifyProblem => ({
      check: 'entry_sources',
      entryId: row.entryId,
      sequence: row.sequence,
      message: `it books ${row.sourceType} ${row.sourceId}, which is not there`,
    })),
  ];
}

/** The daily totals balances are read from, against what the lines add up to: any day that differs, either way. */
export function accountTotalsProblems(fromLines: Map<string, { debit: bigint; credit: bigint }>, stored: Map<string, { debit: bigint; credit: bigint }>): VerifyProblem[] {
  const problems: VerifyProblem[] = [];
  for (const key of [...new Set([...fromLines.keys(), ...stored.keys()])].sort()) {
    const lines = fromLines.get(key) ?? { debit: 0n, credit: 0n };
    const kept = stored.get(key) ?? { debit: 0n, credit: 0n };
    if (lines.debit !== kept.debit || lines.credit !== kept.credit) {
      const [account, day] = key.split('|');
      problems.push({ check: 'account_totals', message: `account ${account} on ${day}: the lines add up to ${lines.debit} debit and ${lines.credit} credit, the daily totals hold ${kept.debit} and ${kept.credit}` });
    }
  }
  return problems;
}

/** How far a verification has come: journal entries read, then loans replayed. */
export type VerifyProgress = (checked: number, total: number, of: 'entries' | 'loans') => void;

/**
 * Verifies the books as stored in `db` through `asOf`. Pass a snapshot (openSnapshot) when the service is running:
 * the journal is iterated across turns of the event loop, and an open iterator keeps its connection from writing.
 */
export async function verifyLedger(db: FundDatabase, asOf: string, onProgress?: VerifyProgress): Promise<LedgerVerification> {
  const entries = entryCount(db);
  const problems: VerifyProblem[] = [];
  let problemCount = 0;
  const note = (found: VerifyProblem[]) => {
    problemCount += found.length;
    problems.push(...found.slice(0, Math.max(0, problemsListed - problems.length)));
  };
  let previous: ChainPosition | null = null;
  let entriesChecked = 0;
  let linesChecked = 0;
  let totalDebit = 0n;
  let totalCredit = 0n;
  // Each account's debits and credits per entry date, from the lines, to hold against the daily totals balances read.
  const dayTotals = new Map<string, { debit: bigint; credit: bigint }>();
  for (const entry of storedEntries(iterateJournal(db))) {
    note(chainProblems(entry, previous));
    previous = { sequence: entry.sequence, hash: entry.hash };
    entriesChecked += 1;
    linesChecked += entry.lines.length;
    for (const line of entry.lines) {
      totalDebit += line.debit;
      totalCredit += line.credit;
      const key = `${line.accountCode}|${entry.entryDate}`;
      const day = dayTotals.get(key) ?? { debit: 0n, credit: 0n };
      day.debit += line.debit;
      day.credit += line.credit;
      dayTotals.set(key, day);
    }
    if (entriesChecked % entriesPerTurn === 0) {
      onProgress?.(entriesChecked, entries, 'entries');
      await nextTurn();
    }
  }
  onProgress?.(entriesChecked, entries, 'entries');
  if (totalDebit !== totalCredit) note([{ check: 'trial_balance', message: `the journal's debits (${totalDebit}) do not equal its credits (${totalCredit})` }]);
  note(accountTotalsProblems(dayTotals, accountDayTotalsStored(db)));
  const reconciliation = reconcile(db, asOf);
  for (const check of reconciliation.checks.filter((candidate) => !candidate.ok)) {
    note([{ check: 'reconciliation', message: `${check.name}: the subledger holds ${check.subledger} but account ${check.controlAccount} holds ${check.ledger}` }]);
  }
  note(recordProblems(db));
  note(appendOnlyProblems(verifyRepo.storedTriggers(db)));
  // Each loan replayed from its history, against its stored timeline, lines, splits and status.
  const loanIds = disbursedLoanIds(db);
  for (const [index, loanId] of loanIds.entries()) {
    let difference: string | null;
    try {
      difference = readModelDifference(db, loanId);
    } catch (error) {
      // A history edited into one the replay refuses (a schedule that no longer fits the loan) is this loan's problem,
      // not the end of the check: the rest of the books are still verified and reported.
      difference = `its history cannot be replayed: ${(error as Error).message}`;
    }
    if (difference) note([{ check: 'loan_read_models', message: `loan ${loanId}: ${difference}` }]);
    if ((index + 1) % loansPerTurn === 0 || index + 1 === loanIds.length) {
      onProgress?.(index + 1, loanIds.length, 'loans');
      await nextTurn();
    }
  }
  return {
    ok: problemCount === 0,
    asOf,
    entriesChecked,
    linesChecked,
    lastSequence: previous?.sequence ?? null,
    lastHash: previous?.hash ?? null,
    totalDebit,
    totalCredit,
    reconciliation,
    problemCount,
    problems,
  };
}

export function verificationReply(verification: LedgerVerification, currency: CurrencyCode, checkedAt: string) {
  return {
    ok: verification.ok,
    checkedAt,
    asOf: verification.asOf,
    entriesChecked: verification.entriesChecked,
    linesChecked: verification.linesChecked,
    lastSequence: verification.lastSequence,
    lastHash: verification.lastHash,
    totalDebit: formatAmount(verification.totalDebit, currency),
    totalCredit: formatAmount(verification.totalCredit, currency),
    reconciliation: reconciliationReply(verification.reconciliation, currency),
    problemCount: verification.problemCount,
    firstProblem: verification.problems[0] ?? null,
    problems: verification.problems,
  };
}

/** GET /v1/ledger/verify: the books verified on a snapshot taken now, for an admin or an auditor. */
export async function verifyBooks(context: ServiceContext, actor: Actor) {
  requireRole(actor, ['admin', 'auditor'], 'verify the books');
  const checkedAt = nowTimestamp(context);
  const snapshot = openSnapshot(context.db);
  try {
    const verification = await verifyLedger(snapshot.db, today(context));
    return verificationReply(verification, readSettings(snapshot.db).currency, checkedAt);
  } finally {
    snapshot.close();
  }
}
