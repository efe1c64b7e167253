// The monthly meeting: what each member of a group owes on a date, and posting what was collected, all at once.
import { formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import { amountDueOn } from '../../domain/loan-replay.js';
import type { CurrencyCode } from '../../domain/money.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireGroupInScope, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { once } from '../shared/idempotency.js';
import { newId } from '../shared/ids.js';
import { amountInMinorUnits, formatAmount } from '../shared/money-input.js';
import { requireOpenPeriod } from '../ledger/ledger.service.js';
import { recordRepaymentIn } from '../loans/loan.service.js';
import { loanHistory, positionOf } from '../loans/loan-history.js';
import { termsOf } from '../loans/product.service.js';
import * as loanRepo from '../loans/loan.repo.js';
import { activeMembersOf, findGroup, findMember, type GroupWithArea } from '../registry/registry.repo.js';
import { recordSavingsMovement } from '../savings/savings.service.js';
import { savingsBalance, savingsTransactionsOfSheet } from '../savings/savings.repo.js';
import { readSettings } from '../settings/settings.service.js';
import type { CollectionSheetInput } from './collection.commands.js';

function requireGroupFor(db: FundDatabase, actor: Actor, groupId: string): GroupWithArea {
  const group = findGroup(db, groupId);
  if (!group) throw new DomainError('group_not_found', `No group has the id ${groupId}.`);
  requireGroupInScope(actor, group);
  return group;
}

/** What every member of the group owes on the meeting date, loan by loan, with penalty to that date. */
export function collectionSheet(context: ServiceContext, actor: Actor, groupId: string, date?: string) {
  const db = context.db;
  const group = requireGroupFor(db, actor, groupId);
  const meetingOn = date ?? today(context);
  const currency = readSettings(db).currency;
  const meetingDay = parseIsoDate(meetingOn);
  if (meetingDay === null) throw new Error(`not a date: ${meetingOn}`);
  const present = activeMembersOf(db, groupId, meetingOn);
  // Each member's loans wherever she took them, as posting the sheet repays them: one taken in a group she has since
  // left is collected where she now meets.
  const loansByMember = new Map<string, loanRepo.LoanRow[]>();
  for (const loan of loanRepo.activeLoansOfMembers(db, present.map((member) => member.id))) {
    if (loan.status !== 'active' || loan.disbursedOn === null || loan.disbursedOn > meetingOn) continue;
    loansByMember.set(loan.memberId, [...(loansByMember.get(loan.memberId) ?? []), loan]);
  }
  const totals = { repaymentDue: 0n, overdue: 0n, penalty: 0n, compulsorySavingsDue: 0n };
  const lines = present.map((member) => {
    let repaymentDue = 0n;
    let compulsorySavingsDue = 0n;
    const loans = (loansByMember.get(member.id) ?? []).map((loan) => {
      const found = loanRepo.findLoan(db, loan.id);
      if (!found) throw new Error(`loan ${loan.id} vanished`);
      const position = positionOf(loanHistory(db, found), meetingOn);
      const due = amountDueOn(position, meetingDay);
      const loanCurrency = loan.currency as CurrencyCode;
      const perInstallment = amountInMinorUnits(termsOf(loan.terms).compulsorySavingsPerInstallment, loanCurrency, 'compulsorySavingsPerInstallment', { allowZero: true });
      const savingsDue = perInstallment * BigInt(due.installmentNumbers.length);
      repaymentDue += due.total;
      compulsorySavingsDue += savingsDue;
      totals.overdue += position.overduePrincipal + position.overdueInterest;
      totals.penalty += due.penalty + due.lateInterest;
      return {
        loanId: loan.id,
        principalDue: formatAmount(due.principal, loanCurrency),
        interestDue: formatAmount(due.interest, loanCurrency),
        overduePrincipal: formatAmount(position.overduePrincipal, loanCurrency),
        overdueInterest: formatAmount(position.overdueInterest, loanCurrency),
        penalty: formatAmount(due.penalty + due.lateInterest, loanCurrency),
        creditHeld: formatAmount(due.credit, loanCurrency),
        totalDue: formatAmount(due.total, loanCurrency),
        daysPastDue: position.daysPastDue,
        nextDueOn: position.nextDueOn === null ? null : formatIsoDate(position.nextDueOn),
        compulsorySavingsDue: formatAmount(savingsDue, loanCurrency),
      };
    });
    totals.repaymentDue += repaymentDue;
    totals.compulsorySavingsDue += compulsorySavingsDue;
    return {
      memberId: member.id,
      fullName: member.fullName,
      loans,
      repaymentDue: formatAmount(repaymentDue, currency),
      compulsorySavingsDue: formatAmount(compulsorySavingsDue, currency),
      savingsBalances: {
        compulsory: formatAmount(savingsBalance(db, member.id, 'compulsory', meetingOn), currency),
        voluntary: formatAmount(savingsBalance(db, member.id, 'voluntary', meetingOn), currency),
      },
    };
  });
  return {
    groupId,
    groupCode: group.code,
    date: meetingOn,
    currency,
    lines,
    totals: {
      repaymentDue: formatAmount(totals.repaymentDue, currency),
      overdue: formatAmount(totals.overdue, currency),
      penalty: formatAmount(totals.penalty, currency),
      compulsorySavingsDue: formatAmount(totals.compulsorySavingsDue, currency),
    },
  };
}

/** A refusal about one line names the line: `lines.3.repayment`, not just `amount`. */
function onLine<T>(index: number, field: string, run: () => T): T {
  try {
    return run();
  } catch (error) {
    if (error instanceof DomainError) {
      const details = error.details.length > 0 ? error.details : [{ path: field, message: error.message }];
      throw new DomainError(
        error.code,
        `Line ${index + 1}: ${error.message}`,
        details.map((detail) => ({ path: `lines.${index}.${detail.path === 'amount' || detail.path === 'paidOn' ? field : detail.path}`, message: detail.message })),
      );
    }
    throw error;
  }
}

export function postCollectionSheet(context: ServiceContext, actor: Actor, groupId: string, input: CollectionSheetInput, idempotency: { key: string; route: string }) {
  requireRole(actor, ['admin', 'officer', 'leader'], 'post collection sheets');
  const currency = readSettings(context.db).currency;
  // Amounts are read before the transaction: a malformed one refuses the sheet without touching the database.
  const amounts = input.lines.map((line, index) => ({
    repayment: amountInMinorUnits(line.repayment, currency, `lines.${index}.repayment`, { allowZero: true }),
    compulsorySavings: amountInMinorUnits(line.compulsorySavings, currency, `lines.${index}.compulsorySavings`, { allowZero: true }),
    voluntarySavings: amountInMinorUnits(line.voluntarySavings, currency, `lines.${index}.voluntarySavings`, { allowZero: true }),
  }));
  const cashTotal = amountInMinorUnits(input.cashTotal, currency, 'cashTotal', { allowZero: true });
  const sum = amounts.reduce((total, line) => total + line.repayment + line.compulsorySavings + line.voluntarySavings, 0n);
  if (sum !== cashTotal) {
    throw new DomainError('cash_total_mismatch', `The lines add up to ${formatAmount(sum, currency)} ${currency} but the cash counted is ${formatAmount(cashTotal, currency)}: count again or correct a line.`, [
      { path: 'cashTotal', message: `the lines add up to ${formatAmount(sum, currency)}` },
    ]);
  }
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 201, () => {
      const group = requireGroupFor(tx, actor, groupId);
      if (group.status !== 'active') throw new DomainError('group_dissolved', `Group ${group.code} was dissolved on ${group.dissolvedOn}.`);
      requireNotFuture(context, input.date, 'date');
      requireOpenPeriod(tx, input.date, 'date');
      const now = nowTimestamp(context);
      const sheetId = newId('cs');
      loanRepo.insertCollectionSheet(tx, { id: sheetId, groupId, meetingOn: input.date, cashTotal, postedBy: actor.userId, postedAt: now });
      const seen = new Set<string>();
      // A member has one line, or one per loan she repays (each naming it): a second line the same would count her twice.
      const lineKeys = new Set<string>();
      input.lines.forEach((line, index) => {
        const member = findMember(tx, line.memberId);
        if (!member || member.groupId !== groupId || member.status !== 'active') {
          throw new DomainError('sheet_line_invalid', `Line ${index + 1}: the member is not an active member of group ${group.code}.`, [{ path: `lines.${index}.memberId`, message: 'not in this group' }]);
        }
        const lineKey = `${member.id}/${line.loanId ?? ''}`;
        if (lineKeys.has(lineKey)) {
          throw new DomainError('sheet_line_invalid', `Line ${index + 1}: the member already has a line on the sheet${line.loanId ? ' for this loan' : ''}.`, [{ path: `lines.${index}.memberId`, message: 'appears twice' }]);
        }
        lineKeys.add(lineKey);
        const { repayment, compulsorySavings, voluntarySavings } = amounts[index] ?? { repayment: 0n, compulsorySavings: 0n, voluntarySavings: 0n };
        if (repayment > 0n) {
          const memberLoans = loanRepo.loansOfMember(tx, member.id).filter((loan) => loan.status === 'active' || loan.status === 'written_off');
          const loanId = line.loanId ?? (memberLoans.length === 1 ? memberLoans[0]?.id : undefined);
          const loan = loanId ? loanRepo.findLoan(tx, loanId) : undefined;
          if (!loan || loan.memberId !== member.id) {
            throw new DomainError('sheet_line_invalid', `Line ${index + 1}: ${line.loanId ? 'the loan is not this member’s' : `name the loan: the member has ${memberLoans.length} loans to repay`}.`, [
              { path: `lines.${index}.loanId`, message: line.loanId ? 'not this member’s loan' : 'required' },
            ]);
          }
          const key = `${member.id}/${loan.id}`;
          if (seen.has(key)) throw new DomainError('sheet_line_invalid', `Line ${index + 1}: this loan already has a line on the sheet.`, [{ path: `lines.${index}.loanId`, message: 'appears twice' }]);
          seen.add(key);
          onLine(index, 'repayment', () => recordRepaymentIn(context, tx, actor, loan, { amount: repayment, paidOn: input.date, note: null, collectionSheetId: sheetId, from: 'cash' }));
        }
        for (const [kind, amount] of [
          ['compulsory', compulsorySavings],
          ['voluntary', voluntarySavings],
        ] as const) {
          if (amount === 0n) continue;
          if (input.date < member.joinedOn) {
            throw new DomainError('date_before_joined', `Line ${index + 1}: the member joined on ${member.joinedOn}.`, [{ path: `lines.${index}.${kind}Savings`, message: 'before she joined' }]);
          }
          recordSavingsMovement(tx, actor, { member, kind, type: 'deposit', amount, date: input.date, collectionSheetId: sheetId }, now);
        }
      });
      return postedSheet(tx, sheetId);
    }),
  );
}

function postedSheet(db: FundDatabase, sheetId: string) {
  const sheet = loanRepo.findCollectionSheet(db, sheetId);
  if (!sheet) throw new Error(`collection sheet ${sheetId} vanished`);
  const currency = readSettings(db).currency;
  const repayments = loanRepo.loanTransactionsOfSheet(db, sheetId);
  const savings = savingsTransactionsOfSheet(db, sheetId);
  const sumOf = (values: number[]) => values.reduce((total, value) => total + BigInt(value), 0n);
  return {
    id: sheet.id,
    groupId: sheet.groupId,
    date: sheet.meetingOn,
    currency,
    cashTotal: formatAmount(BigInt(sheet.cashTotal), currency),
    postedBy: sheet.postedBy,
    postedAt: sheet.postedAt,
    repayments: repayments.map((row) => ({ transactionId: row.id, memberId: row.memberId, loanId: row.loanId, type: row.type, amount: formatAmount(BigInt(row.amount), currency), reversed: loanRepo.isReversed(db, row.id) })),
    savings: savings.map((row) => ({ transactionId: row.id, memberId: row.memberId, kind: row.kind, amount: formatAmount(BigInt(row.amount), currency) })),
    totals: {
      repayments: formatAmount(sumOf(repayments.map((row) => row.amount)), currency),
      compulsorySavings: formatAmount(sumOf(savings.filter((row) => row.kind === 'compulsory').map((row) => row.amount)), currency),
      voluntarySavings: formatAmount(sumOf(savings.filter((row) => row.kind === 'voluntary').map((row) => row.amount)), currency),
    },
  };
}

export function getPostedSheet(context: ServiceContext, actor: Actor, sheetId: string) {
  const sheet = loanRepo.findCollectionSheet(context.db, sheetId);
  if (!sheet) throw new DomainError('not_found', `No collection sheet has the id ${sheetId}.`);
  requireGroupFor(context.db, actor, sheet.groupId);
  return postedSheet(context.db, sheetId);
}

/** The sheets posted for a group, the latest meeting first (on one date only, when given): the receipts to open again. */
export function listCollectionSheets(context: ServiceContext, actor: Actor, groupId: string, options: { date?: string; limit: number }) {
  requireGroupFor(context.db, actor, groupId);
  const currency = readSettings(context.db).currency;
  return loanRepo
    .collectionSheetsOfGroup(context.db, groupId, { meetingOn: options.date, limit: options.limit })
    .map((sheet) => ({ id: sheet.id, date: sheet.meetingOn, cashTotal: formatAmount(BigInt(sheet.cashTotal), currency), postedAt: sheet.postedAt }));
}
