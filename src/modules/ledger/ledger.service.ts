// The books as the fund reads them: posting inside a command's transaction, the journal, the trial balance,
// the reconciliation of subledgers with control accounts, and closing periods.
import { type Account, accountByCode, accountCodes, chartOfAccounts } from '../../ledger/chart.js';
import { type JournalEntryDraft, type PostedJournalEntry, mirrorOf } from '../../ledger/journal.js';
import type { CurrencyCode } from '../../domain/money.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { newId } from '../shared/ids.js';
import { formatAmount } from '../shared/money-input.js';
import { savingsTotals } from '../savings/savings.repo.js';
import { loanSubledgerTotals } from '../loans/loan.repo.js';
import { capitalTotal } from './capital.repo.js';
import * as repo from './journal.repo.js';

/** Refuses a movement dated in a closed period: the books of a closed period do not change. */
export function requireOpenPeriod(db: FundDatabase, date: string, field: string): void {
  const problem = closedPeriodProblem(repo.closedThrough(db), date, field);
  if (problem) throw problem;
}

/** The last day of the closed periods, or null while none is closed. */
export function closedThrough(db: FundDatabase): string | null {
  return repo.closedThrough(db);
}

/** The refusal of a date inside the closed periods (`through`, as closedThrough reads it), or null for an open one. */
export function closedPeriodProblem(through: string | null, date: string, field: string): DomainError | null {
  if (through === null || date > through) return null;
  return new DomainError('period_closed', `The books are closed through ${through}; nothing dated on or before it can be recorded or changed.`, [
    { path: field, message: `must be after ${through}` },
  ]);
}

export function post(db: FundDatabase, draft: JournalEntryDraft, actor: Actor, postedAt: string): PostedJournalEntry {
  return repo.appendEntry(db, draft, actor.userId, postedAt);
}

/** Posts the exact mirror of an entry, dated as the original so every as-of view nets it out. */
export function postMirror(db: FundDatabase, entryId: string, description: string, actor: Actor, postedAt: string): PostedJournalEntry {
  const original = repo.findEntry(db, entryId);
  if (!original) throw new Error(`journal entry ${entryId} to reverse does not exist`);
  return repo.appendEntry(db, mirrorOf(original, original.entryDate, description), actor.userId, postedAt);
}

export function listAccounts(context: ServiceContext): Account[] {
  return repo.listAccounts(context.db);
}

function entryReply(entry: PostedJournalEntry, currency: CurrencyCode) {
  return {
    id: entry.id,
    sequence: entry.sequence,
    entryDate: entry.entryDate,
    postedAt: entry.postedAt,
    kind: entry.kind,
    description: entry.description,
    sourceType: entry.sourceType,
    sourceId: entry.sourceId,
    reversesEntryId: entry.reversesEntryId,
    hash: entry.hash,
    previousHash: entry.previousHash,
    lines: entry.lines.map((line) => ({
      accountCode: line.accountCode,
      debit: formatAmount(line.debit, currency),
      credit: formatAmount(line.credit, currency),
      memberId: line.memberId,
      loanId: line.loanId,
    })),
  };
}

/**
 * The fund's books are read whole: every member's money, whatever her group. Officers and leaders are scoped to their
 * areas and group (they read the loans, savings and reports there); the journal, the trial balance and the
 * reconciliation are for the admin and the auditors.
 */
function requireBooksReader(actor: Actor, action: string): void {
  requireRole(actor, ['admin', 'auditor'], action);
}

/** The chart's account of a code a request names, or its refusal: the journal and the exports read one account by it. */
export function requireAccount(accountCode: string): Account {
  const account = accountByCode(accountCode);
  if (!account) throw new DomainError('account_not_found', `The chart of accounts has no account ${accountCode}.`, [{ path: 'accountCode', message: 'unknown account' }]);
  return account;
}

export function journal(context: ServiceContext, actor: Actor, currency: CurrencyCode, query: { from?: string; to?: string; accountCode?: string; cursor?: string; limit: number }) {
  requireBooksReader(actor, 'read the fund’s journal');
  // As the exports refuse them: an empty page would read as "nothing was posted".
  if (query.from !== undefined && query.to !== undefined && query.from > query.to) {
    throw new DomainError('invalid_request', `The range starts (${query.from}) after it ends (${query.to}).`, [{ path: 'from', message: 'must not be after to' }]);
  }
  if (query.accountCode !== undefined) requireAccount(query.accountCode);
  let afterSequence: number | undefined;
  if (query.cursor !== undefined) {
    afterSequence = /^\d{1,15}$/.test(query.cursor) ? Number(query.cursor) : Number.NaN;
    if (Number.isNaN(afterSequence)) throw new DomainError('invalid_request', 'The cursor is not one this service gave out.', [{ path: 'cursor', message: 'unknown cursor' }]);
  }
  const entries = repo.listEntries(context.db, { ...query, afterSequence });
  const page = entries.slice(0, query.limit);
  const last = page[page.length - 1];
  return { items: page.map((entry) => entryReply(entry, currency)), nextCursor: entries.length > query.limit && last ? String(last.sequence) : null };
}

/** Each account's balance on its normal side (positive when it is where it belongs). */
export function normalBalance(account: Account, totals: { debit: bigint; credit: bigint } | undefined): bigint {
  const { debit, credit } = totals ?? { debit: 0n, credit: 0n };
  return account.normalSide === 'debit' ? debit - credit : credit - debit;
}

/** Accounts' balances on their normal side as of a date, from the accounts' daily totals (of some accounts, or all). */
export function balancesOn(db: FundDatabase, asOf: string, accountCodes?: string[]): (code: string) => bigint {
  const totals = repo.accountTotals(db, asOf, accountCodes);
  return (code) => {
    const account = chartOfAccounts.find((candidate) => candidate.code === code);
    if (!account || (accountCodes && !accountCodes.includes(code))) throw new Error(`no balance was read for account ${code}`);
    return normalBalance(account, totals.get(code));
  };
}

export interface TrialBalanceRow {
  account: Account;
  debitTurnover: bigint;
  creditTurnover: bigint;
  /** The account's net balance, in the debit or the credit column. */
  debit: bigint;
  credit: bigint;
}

/** Every account of the chart with its turnover and balance as of a date, read from the journal; debits equal credits. */
export function trialBalanceOf(db: FundDatabase, asOf: string): { rows: TrialBalanceRow[]; totalDebit: bigint; totalCredit: bigint } {
  const totals = repo.accountTotals(db, asOf);
  let totalDebit = 0n;
  let totalCredit = 0n;
  const rows = chartOfAccounts.map((account) => {
    const { debit, credit } = totals.get(account.code) ?? { debit: 0n, credit: 0n };
    // A trial balance shows each account's net balance in the debit or credit column.
    const net = debit - credit;
    const row = { account, debitTurnover: debit, creditTurnover: credit, debit: net > 0n ? net : 0n, credit: net < 0n ? -net : 0n };
    totalDebit += row.debit;
    totalCredit += row.credit;
    return row;
  });
  if (totalDebit !== totalCredit) throw new Error(`the trial balance as of ${asOf} does not balance: ${totalDebit} / ${totalCredit}`);
  return { rows, totalDebit, totalCredit };
}

export function trialBalance(context: ServiceContext, actor: Actor, currency: CurrencyCode, asOf: string) {
  requireBooksReader(actor, 'read the fund’s trial balance');
  requireNotFuture(context, asOf, 'asOf');
  const { rows, totalDebit, totalCredit } = trialBalanceOf(context.db, asOf);
  return {
    asOf,
    currency,
    accounts: rows.map((row) => ({
      code: row.account.code,
      nameVi: row.account.nameVi,
      nameEn: row.account.nameEn,
      type: row.account.type,
      debitTurnover: formatAmount(row.debitTurnover, currency),
      creditTurnover: formatAmount(row.creditTurnover, currency),
      debit: formatAmount(row.debit, currency),
      credit: formatAmount(row.credit, currency),
    })),
    totalDebit: formatAmount(totalDebit, currency),
    totalCredit: formatAmount(totalCredit, currency),
    balanced: true,
  };
}

export interface Reconciliation {
  asOf: string;
  ok: boolean;
  checks: { name: string; subledger: bigint; controlAccount: string; ledger: bigint; difference: bigint; ok: boolean }[];
}

/** Subledgers against their control accounts as of a date: loans, compulsory and voluntary savings, advances held, capital. */
export function reconcile(db: FundDatabase, asOf: string): Reconciliation {
  const balanceOf = balancesOn(db, asOf);
  const loans = loanSubledgerTotals(db, asOf);
  const savings = savingsTotals(db, asOf);
  const checks = [
    { name: 'loans outstanding', subledger: loans.principalOutstanding, controlAccount: accountCodes.loansToMembers },
    { name: 'compulsory savings', subledger: savings.compulsory, controlAccount: accountCodes.compulsorySavings },
    { name: 'voluntary savings', subledger: savings.voluntary, controlAccount: accountCodes.voluntarySavings },
    { name: 'advance payments held', subledger: loans.creditHeld, controlAccount: accountCodes.memberCredit },
    { name: 'fund capital', subledger: capitalTotal(db, asOf), controlAccount: accountCodes.fundCapital },
  ].map((check) => {
    const ledger = balanceOf(check.controlAccount);
    return { ...check, ledger, difference: ledger - check.subledger, ok: ledger === check.subledger };
  });
  return { asOf, ok: checks.every((check) => check.ok), checks };
}

export function reconciliation(context: ServiceContext, actor: Actor, currency: CurrencyCode, asOf: string) {
  requireBooksReader(actor, 'read the fund’s reconciliation');
  requireNotFuture(context, asOf, 'asOf');
  return reconciliationReply(reconcile(context.db, asOf), currency);
}

export function reconciliationReply(result: Reconciliation, currency: CurrencyCode) {
  return {
    asOf: result.asOf,
    ok: result.ok,
    checks: result.checks.map((check) => ({
      name: check.name,
      controlAccount: check.controlAccount,
      subledger: formatAmount(check.subledger, currency),
      ledger: formatAmount(check.ledger, currency),
      difference: formatAmount(check.difference, currency),
      ok: check.ok,
    })),
  };
}

export function closePeriod(context: ServiceContext, actor: Actor, through: string) {
  requireRole(actor, ['admin'], 'close a period');
  return context.db.transaction((tx) => {
    const previous = repo.closedThrough(tx);
    if (previous !== null && through <= previous) {
      throw new DomainError('period_closed', `The books are already closed through ${previous}.`, [{ path: 'through', message: `must be after ${previous}` }]);
    }
    const businessToday = today(context);
    if (through >= businessToday) {
      throw new DomainError('date_in_future', `A period can be closed through yesterday (${businessToday} is still open).`, [{ path: 'through', message: 'must be before today' }]);
    }
    const closedAt = nowTimestamp(context);
    repo.insertPeriodClose(tx, { id: newId('pc'), through, closedBy: actor.userId, closedAt });
    // The earlier date goes into the answer, and with it into the audit record: the trail shows what the close moved.
    return { closedThrough: through, previouslyClosedThrough: previous, closedAt };
  });
}

export function periodStatus(context: ServiceContext) {
  return { closedThrough: repo.closedThrough(context.db) };
}
