// Posting recipes (DESIGN.md §4): which accounts each movement of money debits and credits. Pure; every recipe
// returns a balanced draft, checked before it leaves.
import { accountCodes } from './chart.js';
import { type EntryKind, type JournalEntryDraft, assertBalanced, lines } from './journal.js';

export type SavingsKind = 'compulsory' | 'voluntary';

const savingsAccount = (kind: SavingsKind) => (kind === 'compulsory' ? accountCodes.compulsorySavings : accountCodes.voluntarySavings);

interface Source {
  entryDate: string;
  sourceType: string;
  sourceId: string;
  description: string;
  memberId: string | null;
  loanId?: string | null;
}

function draft(kind: EntryKind, source: Source, parts: Parameters<typeof lines>[0]): JournalEntryDraft {
  const entry: JournalEntryDraft = {
    entryDate: source.entryDate,
    kind,
    description: source.description,
    sourceType: source.sourceType,
    sourceId: source.sourceId,
    reversesEntryId: null,
    lines: lines(parts, { memberId: source.memberId, loanId: source.loanId ?? null }),
  };
  assertBalanced(entry, `the ${kind} recipe`);
  return entry;
}

/** Dr cash / Cr the member's savings. */
export function savingsDeposit(source: Source, kind: SavingsKind, amount: bigint): JournalEntryDraft {
  return draft('savings_deposit', source, [
    { accountCode: accountCodes.cash, side: 'debit', amount },
    { accountCode: savingsAccount(kind), side: 'credit', amount },
  ]);
}

/** Dr the member's savings / Cr cash. */
export function savingsWithdrawal(source: Source, kind: SavingsKind, amount: bigint): JournalEntryDraft {
  return draft('savings_withdrawal', source, [
    { accountCode: savingsAccount(kind), side: 'debit', amount },
    { accountCode: accountCodes.cash, side: 'credit', amount },
  ]);
}

/** Dr loans to members (the principal) / Cr cash (what is paid out) / Cr compulsory savings (what is withheld). */
export function disbursement(source: Source, principal: bigint, savingsWithheld: bigint): JournalEntryDraft {
  return draft('disbursement', source, [
    { accountCode: accountCodes.loansToMembers, side: 'debit', amount: principal },
    { accountCode: accountCodes.cash, side: 'credit', amount: principal - savingsWithheld },
    { accountCode: accountCodes.compulsorySavings, side: 'credit', amount: savingsWithheld },
  ]);
}

export interface RepaymentSplit {
  principal: bigint;
  interest: bigint;
  penalty: bigint;
  lateInterest: bigint;
  creditAdded: bigint;
  creditUsed: bigint;
}

/**
 * Dr cash (the money received) and Dr advance payments held (credit drawn) / Cr loans (principal), interest income,
 * penalty income (penalty and late interest), advance payments held (credit added). `from` names where the money
 * came from: cash at a meeting, or the member's compulsory savings applied to the loan.
 */
export function repayment(source: Source, amount: bigint, split: RepaymentSplit, from: 'cash' | 'compulsory_savings' = 'cash'): JournalEntryDraft {
  return draft('repayment', source, [
    { accountCode: from === 'cash' ? accountCodes.cash : accountCodes.compulsorySavings, side: 'debit', amount },
    { accountCode: accountCodes.memberCredit, side: 'debit', amount: split.creditUsed },
    { accountCode: accountCodes.loansToMembers, side: 'credit', amount: split.principal },
    { accountCode: accountCodes.interestIncome, side: 'credit', amount: split.interest },
    { accountCode: accountCodes.penaltyIncome, side: 'credit', amount: split.penalty + split.lateInterest },
    { accountCode: accountCodes.memberCredit, side: 'credit', amount: split.creditAdded },
  ]);
}

/** Dr loan-loss provision / Cr loans: the outstanding principal leaves the portfolio against the provision. */
export function writeOff(source: Source, principal: bigint): JournalEntryDraft {
  return draft('write_off', source, [
    { accountCode: accountCodes.loanLossProvision, side: 'debit', amount: principal },
    { accountCode: accountCodes.loansToMembers, side: 'credit', amount: principal },
  ]);
}

/** Dr cash (or compulsory savings applied) / Cr recoveries: money received on a loan already written off. */
export function recovery(source: Source, amount: bigint, from: 'cash' | 'compulsory_savings' = 'cash'): JournalEntryDraft {
  return draft('recovery', source, [
    { accountCode: from === 'cash' ? accountCodes.cash : accountCodes.compulsorySavings, side: 'debit', amount },
    { accountCode: accountCodes.recoveryIncome, side: 'credit', amount },
  ]);
}

/** Moves the provision account by `change`: up is Dr expense / Cr provision, down the other way. */
export function provisionChange(source: Omit<Source, 'memberId'>, change: bigint): JournalEntryDraft {
  const up = change > 0n;
  const amount = up ? change : -change;
  return draft('provision', { ...source, memberId: null }, [
    { accountCode: accountCodes.provisionExpense, side: up ? 'debit' : 'credit', amount },
    { accountCode: accountCodes.loanLossProvision, side: up ? 'credit' : 'debit', amount },
  ]);
}

/** Capital received: Dr cash / Cr fund capital; returned to its source: the other way. */
export function capitalMovement(source: Omit<Source, 'memberId'>, direction: 'received' | 'returned', amount: bigint): JournalEntryDraft {
  const received = direction === 'received';
  return draft('capital', { ...source, memberId: null }, [
    { accountCode: accountCodes.cash, side: received ? 'debit' : 'credit', amount },
    { accountCode: accountCodes.fundCapital, side: received ? 'credit' : 'debit', amount },
  ]);
}
