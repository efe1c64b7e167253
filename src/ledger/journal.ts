// Journal entries: built balanced, checked when built and again when read back, mirrored to reverse, and hashed
// into a chain so that any later edit of a stored entry is detectable. Pure: hashing itself is the caller's
// (it takes the canonical text this module produces).
import { accountByCode } from './chart.js';

export type EntryKind =
  | 'disbursement'
  | 'repayment'
  | 'recovery'
  | 'savings_deposit'
  | 'savings_withdrawal'
  | 'savings_transfer'
  | 'write_off'
  | 'provision'
  | 'capital'
  | 'reversal';

export interface JournalLine {
  accountCode: string;
  /** Minor units; exactly one of debit and credit is positive on a line. */
  debit: bigint;
  credit: bigint;
  memberId: string | null;
  loanId: string | null;
}

export interface JournalEntryDraft {
  entryDate: string;
  kind: EntryKind;
  description: string;
  /** The business transaction this entry books (a loan or savings transaction, a provision run). */
  sourceType: string;
  sourceId: string;
  reversesEntryId: string | null;
  lines: JournalLine[];
}

export interface PostedJournalEntry extends JournalEntryDraft {
  id: string;
  sequence: number;
  postedAt: string;
  previousHash: string;
  hash: string;
}

export class UnbalancedEntryError extends Error {}

/** Checks what every entry must be: at least two lines, known accounts, one-sided positive lines, debits = credits. */
export function entryProblems(entry: Pick<JournalEntryDraft, 'lines'>): string[] {
  const problems: string[] = [];
  if (entry.lines.length < 2) problems.push('an entry needs at least two lines');
  let debits = 0n;
  let credits = 0n;
  entry.lines.forEach((line, index) => {
    if (!accountByCode(line.accountCode)) problems.push(`line ${index + 1}: unknown account ${line.accountCode}`);
    if (line.debit < 0n || line.credit < 0n) problems.push(`line ${index + 1}: negative amount`);
    if ((line.debit > 0n) === (line.credit > 0n)) problems.push(`line ${index + 1}: must be a debit or a credit, not both or neither`);
    debits += line.debit;
    credits += line.credit;
  });
  if (debits !== credits) problems.push(`debits ${debits} do not equal credits ${credits}`);
  return problems;
}

export function assertBalanced(entry: Pick<JournalEntryDraft, 'lines'>, what = 'journal entry'): void {
  const problems = entryProblems(entry);
  if (problems.length > 0) throw new UnbalancedEntryError(`${what} is not valid: ${problems.join('; ')}`);
}

/** Builds lines from debits and credits, leaving out zero amounts, so a recipe can name every part. */
export function lines(
  parts: { accountCode: string; side: 'debit' | 'credit'; amount: bigint }[],
  owner: { memberId: string | null; loanId: string | null },
): JournalLine[] {
  return parts
    .filter((part) => part.amount !== 0n)
    .map((part) => ({
      accountCode: part.accountCode,
      debit: part.side === 'debit' ? part.amount : 0n,
      credit: part.side === 'credit' ? part.amount : 0n,
      memberId: owner.memberId,
      loanId: owner.loanId,
    }));
}

/** The exact mirror of an entry: every debit becomes a credit and the other way round. */
export function mirrorOf(original: PostedJournalEntry, entryDate: string, description: string): JournalEntryDraft {
  return {
    entryDate,
    kind: 'reversal',
    description,
    sourceType: original.sourceType,
    sourceId: original.sourceId,
    reversesEntryId: original.id,
    lines: original.lines.map((line) => ({ ...line, debit: line.credit, credit: line.debit })),
  };
}

/** The text that is hashed: every field that matters, in a fixed order, amounts as decimal integers. */
export function canonicalEntryText(entry: Omit<PostedJournalEntry, 'hash'>): string {
  return JSON.stringify([
    entry.id,
    entry.sequence,
    entry.postedAt,
    entry.entryDate,
    entry.kind,
    entry.description,
    entry.sourceType,
    entry.sourceId,
    entry.reversesEntryId,
    entry.lines.map((line) => [line.accountCode, line.debit.toString(), line.credit.toString(), line.memberId, line.loanId]),
    entry.previousHash,
  ]);
}

/** The hash that starts the chain. */
export const genesisHash = '0'.repeat(64);
