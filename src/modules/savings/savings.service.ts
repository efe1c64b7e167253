// Members' compulsory and voluntary savings: deposits, withdrawals, balances and history, each movement booked.
import type { CurrencyCode } from '../../domain/money.js';
import * as recipes from '../../ledger/recipes.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, reachesGroup, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { once } from '../shared/idempotency.js';
import { newId } from '../shared/ids.js';
import { amountInMinorUnits, formatAmount } from '../shared/money-input.js';
import { post, requireOpenPeriod } from '../ledger/ledger.service.js';
import { loanSubledgerTotals } from '../loans/loan.repo.js';
import { findMember, type MemberWithGroup } from '../registry/registry.repo.js';
import { readSettings } from '../settings/settings.service.js';
import type { SavingsMovementInput, SavingsTransactionReply } from './savings.commands.js';
import * as repo from './savings.repo.js';

export type SavingsKind = repo.SavingsKind;

export function savingsTransactionReply(row: repo.SavingsTransactionRow, currency: CurrencyCode, reversed = false): SavingsTransactionReply {
  return {
    id: row.id,
    memberId: row.memberId,
    kind: row.kind,
    type: row.type,
    amount: formatAmount(BigInt(row.amount), currency),
    date: row.transactionDate,
    loanId: row.loanId,
    collectionSheetId: row.collectionSheetId,
    journalEntryId: row.journalEntryId,
    note: row.note,
    reversed,
    recordedAt: row.recordedAt,
  };
}

/** The member, if the actor may see her; a money movement also checks its own role rule. */
export function requireMemberInScope(db: FundDatabase, actor: Actor, memberId: string): MemberWithGroup {
  const member = findMember(db, memberId);
  if (!member) throw new DomainError('member_not_found', `No member has the id ${memberId}.`);
  if (!reachesGroup(actor, { id: member.groupId, areaPath: member.areaPath })) {
    throw new DomainError('scope_forbidden', 'This member is outside what you are assigned to.');
  }
  return member;
}

/** Checks every money movement's date: a real business date, not ahead of today, not before she joined, in an open period. */
export function requireMovementDate(context: ServiceContext, db: FundDatabase, date: string, field: string, notBefore: { date: string; what: string }): void {
  requireNotFuture(context, date, field);
  if (date < notBefore.date) {
    throw new DomainError('date_before_joined', `${date} is before ${notBefore.what} (${notBefore.date}).`, [{ path: field, message: `must be on or after ${notBefore.date}` }]);
  }
  requireOpenPeriod(db, date, field);
}

/**
 * Records one savings movement and its journal entry (or, when `journalEntryId` is given, points at an entry the
 * caller posted for a larger movement such as a disbursement). Returns the stored row.
 */
export function recordSavingsMovement(
  db: FundDatabase,
  actor: Actor,
  movement: {
    member: { id: string };
    kind: SavingsKind;
    type: 'deposit' | 'withdrawal' | 'transfer_to_loan';
    amount: bigint;
    date: string;
    loanId?: string | null;
    collectionSheetId?: string | null;
    note?: string | null;
    journalEntryId?: string;
  },
  now: string,
): repo.SavingsTransactionRow {
  const id = newId('sv');
  let journalEntryId = movement.journalEntryId;
  if (journalEntryId === undefined) {
    if (movement.type === 'transfer_to_loan') throw new Error('a transfer to a loan is booked by the loan’s own entry');
    const source = { entryDate: movement.date, sourceType: 'savings_transaction', sourceId: id, description: `${movement.kind} savings ${movement.type}`, memberId: movement.member.id };
    const draft = movement.type === 'deposit' ? recipes.savingsDeposit(source, movement.kind, movement.amount) : recipes.savingsWithdrawal(source, movement.kind, movement.amount);
    journalEntryId = post(db, draft, actor, now).id;
  }
  const row: repo.SavingsTransactionRow = {
    id,
    memberId: movement.member.id,
    kind: movement.kind,
    type: movement.type,
    amount: 0,
    transactionDate: movement.date,
    loanId: movement.loanId ?? null,
    collectionSheetId: movement.collectionSheetId ?? null,
    journalEntryId,
    note: movement.note ?? null,
    recordedBy: actor.userId,
    recordedAt: now,
  };
  const signed = movement.type === 'deposit' ? movement.amount : -movement.amount;
  repo.insertSavingsTransaction(db, { ...row, amount: signed });
  return { ...row, amount: Number(signed) };
}

/** A withdrawal dated `date` must leave the balance at the end of that day, and of every later day, at zero or more. */
export function requireBalanceCovers(db: FundDatabase, memberId: string, kind: SavingsKind, amount: bigint, date: string, currency: CurrencyCode): void {
  const endOfDay = new Map<string, bigint>();
  let running = 0n;
  for (const movement of repo.savingsMovements(db, memberId, kind)) {
    running += BigInt(movement.amount);
    endOfDay.set(movement.transactionDate, running);
  }
  let balanceOnDate = 0n;
  let lowestFromDate: bigint | null = null;
  for (const [day, balance] of endOfDay) {
    if (day <= date) balanceOnDate = balance;
    else lowestFromDate = lowestFromDate === null || balance < lowestFromDate ? balance : lowestFromDate;
  }
  const lowest = lowestFromDate === null || balanceOnDate < lowestFromDate ? balanceOnDate : lowestFromDate;
  if (lowest - amount < 0n) {
    throw new DomainError('amount_exceeds_balance', `The ${kind} savings balance is ${formatAmount(balanceOnDate, currency)} on ${date}${lowest < balanceOnDate ? ` and ${formatAmount(lowest, currency)} later` : ''}; a withdrawal may not take it below zero.`, [
      { path: 'amount', message: 'more than the balance' },
    ]);
  }
}

interface MovementRequest {
  memberId: string;
  kind: SavingsKind;
  input: SavingsMovementInput;
  idempotencyKey: string;
  route: string;
}

function movementReply(db: FundDatabase, row: repo.SavingsTransactionRow, currency: CurrencyCode) {
  return { transaction: savingsTransactionReply(row, currency), balance: formatAmount(repo.savingsBalance(db, row.memberId, row.kind), currency) };
}

export function deposit(context: ServiceContext, actor: Actor, request: MovementRequest) {
  requireRole(actor, ['admin', 'officer', 'leader'], 'record savings deposits');
  const { currency } = readSettings(context.db);
  const amount = amountInMinorUnits(request.input.amount, currency, 'amount');
  return context.db.transaction((tx) =>
    once(tx, { key: request.idempotencyKey, userId: actor.userId, route: request.route, input: request.input }, nowTimestamp(context), 201, () => {
      const member = requireMemberInScope(tx, actor, request.memberId);
      if (member.status !== 'active') throw new DomainError('member_not_active', `This member left the fund on ${member.leftOn}.`);
      requireMovementDate(context, tx, request.input.paidOn, 'paidOn', { date: member.joinedOn, what: 'she joined' });
      const row = recordSavingsMovement(tx, actor, { member, kind: request.kind, type: 'deposit', amount, date: request.input.paidOn, note: request.input.note }, nowTimestamp(context));
      return movementReply(tx, row, currency);
    }),
  );
}

export function withdraw(context: ServiceContext, actor: Actor, request: MovementRequest) {
  requireRole(actor, ['admin', 'officer'], 'pay out savings');
  const { currency } = readSettings(context.db);
  const amount = amountInMinorUnits(request.input.amount, currency, 'amount');
  return context.db.transaction((tx) =>
    once(tx, { key: request.idempotencyKey, userId: actor.userId, route: request.route, input: request.input }, nowTimestamp(context), 201, () => {
      const member = requireMemberInScope(tx, actor, request.memberId);
      requireMovementDate(context, tx, request.input.paidOn, 'paidOn', { date: member.joinedOn, what: 'she joined' });
      if (request.kind === 'compulsory') {
        const { principalOutstanding: owed, writtenOffUnrecovered } = loanSubledgerTotals(tx, today(context), { memberId: member.id });
        if (owed > 0n) {
          throw new DomainError('compulsory_savings_locked', `Compulsory savings stay while the member owes principal (${formatAmount(owed, currency)} ${currency}).`);
        }
        // A write-off takes the debt off the books, not off the member: the savings stay for applying to it.
        if (writtenOffUnrecovered > 0n) {
          throw new DomainError(
            'compulsory_savings_locked',
            `Compulsory savings stay while a written-off loan of the member's is not recovered (${formatAmount(writtenOffUnrecovered, currency)} ${currency}); they can be applied to it.`,
          );
        }
      }
      requireBalanceCovers(tx, member.id, request.kind, amount, request.input.paidOn, currency);
      const row = recordSavingsMovement(tx, actor, { member, kind: request.kind, type: 'withdrawal', amount, date: request.input.paidOn, note: request.input.note }, nowTimestamp(context));
      return movementReply(tx, row, currency);
    }),
  );
}

export function memberSavings(context: ServiceContext, actor: Actor, memberId: string) {
  const member = requireMemberInScope(context.db, actor, memberId);
  const { currency } = readSettings(context.db);
  return {
    memberId: member.id,
    currency,
    balances: {
      compulsory: formatAmount(repo.savingsBalance(context.db, member.id, 'compulsory'), currency),
      voluntary: formatAmount(repo.savingsBalance(context.db, member.id, 'voluntary'), currency),
    },
    transactions: repo.savingsHistory(context.db, member.id).map((row) => savingsTransactionReply(row, currency, row.reversed)),
  };
}
