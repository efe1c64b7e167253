// The loan lifecycle: apply, decide, disburse, repay, reverse, reschedule, write off and recover. Each command is
// one synchronous transaction; every movement of money posts its journal entry in it. Allocation is the pure
// replay of src/domain/loan-replay.ts over the stored history, so a backdated repayment re-splits the later ones
// and their entries are reversed and re-posted.
import { formatIsoDate } from '../../domain/calendar.js';
import { type Allocation, type LoanPosition, composeRescheduledInstallments } from '../../domain/loan-replay.js';
import { type CurrencyCode, percentOf, toMinorUnits } from '../../domain/money.js';
import { ScheduleInputError, buildSchedule, defaultFrequency, scheduleDueDates, scheduleInputProblems } from '../../domain/schedule.js';
import * as recipes from '../../ledger/recipes.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, reachesGroup, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { type IdempotencyContext, once, onceIfKeyed } from '../shared/idempotency.js';
import { newId } from '../shared/ids.js';
import { amountInMinorUnits, formatAmount } from '../shared/money-input.js';
import { type Page, decodeCursor, toPage } from '../shared/pagination.js';
import { post, postMirror, requireOpenPeriod } from '../ledger/ledger.service.js';
import { activeMemberCounts, findArea } from '../registry/registry.repo.js';
import { recordSavingsMovement, requireBalanceCovers, requireMemberInScope } from '../savings/savings.service.js';
import { savingsTransferForEntry } from '../savings/savings.repo.js';
import { readSettings } from '../settings/settings.service.js';
import type { ApplyLoanInput, ListLoansQuery, RepaymentInput } from './loan.commands.js';
import { scheduleInputOf } from './loan-terms.js';
import * as repo from './loan.repo.js';
import { type LoanHistory, day, loanHistory, positionOf } from './loan-history.js';
import { keepStatus, loanStatusOf, refreshLoanReadModels, sameAsStored } from './loan-read-models.js';
import { requireProduct, termsOf } from './product.service.js';

export { type LoanHistory, loanHistory, positionOf };

const lenders = ['admin', 'officer'] as const;


// ---------------------------------------------------------------------------------------------------
// Replaying a loan's history and booking what changed

/** Far enough ahead that every stored event is replayed: allocations depend only on what comes before them. */
function horizon(history: LoanHistory, context: ServiceContext): string {
  const latest = history.transactions.reduce((max, transaction) => (transaction.transactionDate > max ? transaction.transactionDate : max), today(context));
  return latest;
}

/** Rebuilds the loan's read models after a change that does not re-split repayments (disbursement, rescheduling, write-off). */
function refreshAfterChange(context: ServiceContext, db: FundDatabase, loanId: string): void {
  const loan = repo.findLoan(db, loanId);
  if (!loan) throw new Error(`loan ${loanId} vanished`);
  const history = loanHistory(db, loan);
  refreshLoanReadModels(db, loan, history, positionOf(history, horizon(history, context)));
}

function storedRowOf(allocation: Allocation) {
  return {
    principal: Number(allocation.principal),
    interest: Number(allocation.interest),
    penalty: Number(allocation.penalty),
    lateInterest: Number(allocation.lateInterest),
    creditAdded: Number(allocation.creditAdded),
    creditUsed: Number(allocation.creditUsed),
  };
}

function splitOf(allocation: Allocation): recipes.RepaymentSplit {
  return {
    principal: allocation.principal,
    interest: allocation.interest,
    penalty: allocation.penalty,
    lateInterest: allocation.lateInterest,
    creditAdded: allocation.creditAdded,
    creditUsed: allocation.creditUsed,
  };
}

/**
 * Replays the loan and books every repayment whose split is new or changed: the old entry is mirrored, the new
 * one posted, and the split stored as a new version. Returns the position as of the horizon and what changed.
 */
function settleRepayments(context: ServiceContext, db: FundDatabase, actor: Actor, loan: repo.LoanWithPlace, now: string, known?: LoanHistory, fromDate?: string) {
  const history = known ?? loanHistory(db, loan);
  const position = positionOf(history, horizon(history, context));
  const stored = repo.currentAllocations(db, loan.id);
  const sources = new Map(history.transactions.map((transaction) => [transaction.id, transaction]));
  const changed: { transactionId: string; allocation: Allocation }[] = [];
  const journalEntryOf = new Map<string, string>();
  for (const [transactionId, allocation] of position.allocations) {
    const previous = stored.get(transactionId);
    if (sameAsStored(allocation, previous)) continue;
    const transaction = sources.get(transactionId);
    if (!transaction) throw new Error(`allocation for unknown transaction ${transactionId}`);
    if (previous) postMirror(db, previous.journalEntryId, `re-split of repayment ${transactionId} (an earlier-dated transaction changed it)`, actor, now);
    const from = transaction.note === appliedSavingsNote ? 'compulsory_savings' : 'cash';
    const entry = post(
      db,
      recipes.repayment(
        { entryDate: transaction.transactionDate, sourceType: 'loan_transaction', sourceId: transactionId, description: `repayment of loan ${loan.id}`, memberId: loan.memberId, loanId: loan.id },
        allocation.amount,
        splitOf(allocation),
        from,
      ),
      actor,
      now,
    );
    journalEntryOf.set(transactionId, entry.id);
    repo.insertAllocation(db, {
      transactionId,
      version: (previous ? repo.latestAllocationVersion(db, transactionId) : 0) + 1,
      loanId: loan.id,
      ...splitOf(allocation),
      journalEntryId: entry.id,
      createdAt: now,
    });
    changed.push({ transactionId, allocation });
  }
  // Allocations of reversed repayments are no longer replayed; their entries were mirrored by the reversal.
  // A repayment on or after the first changed day may fall on other installments even when its totals stand.
  const fromDay = fromDate === undefined ? undefined : day(fromDate);
  const reached = fromDay === undefined ? [] : [...position.allocations.values()].filter((allocation) => allocation.on >= fromDay).map((allocation) => allocation.id);
  refreshLoanReadModels(db, loan, history, position, fromDay === undefined ? undefined : { fromDay, transactionIds: reached });
  keepStatus(db, loan, position, now);
  const booked = new Map(stored);
  for (const change of changed) booked.set(change.transactionId, { ...(stored.get(change.transactionId) as repo.AllocationRow), ...storedRowOf(change.allocation), journalEntryId: journalEntryOf.get(change.transactionId) as string });
  return { history, position, changed, booked, status: position.writtenOff ? loan.status : loanStatusOf(position).status };
}

// ---------------------------------------------------------------------------------------------------
// Replies

function allocationReply(allocation: Pick<Allocation, 'principal' | 'interest' | 'penalty' | 'lateInterest' | 'creditAdded' | 'creditUsed'>, currency: CurrencyCode) {
  return {
    principal: formatAmount(allocation.principal, currency),
    interest: formatAmount(allocation.interest, currency),
    penalty: formatAmount(allocation.penalty, currency),
    lateInterest: formatAmount(allocation.lateInterest, currency),
    creditAdded: formatAmount(allocation.creditAdded, currency),
    creditUsed: formatAmount(allocation.creditUsed, currency),
  };
}

function storedAllocation(row: repo.AllocationRow) {
  return {
    principal: BigInt(row.principal),
    interest: BigInt(row.interest),
    penalty: BigInt(row.penalty),
    lateInterest: BigInt(row.lateInterest),
    creditAdded: BigInt(row.creditAdded),
    creditUsed: BigInt(row.creditUsed),
  };
}

function transactionReply(transaction: LoanHistory['transactions'][number], allocation: repo.AllocationRow | undefined, currency: CurrencyCode) {
  return {
    id: transaction.id,
    type: transaction.type,
    amount: formatAmount(BigInt(transaction.amount), currency),
    date: transaction.transactionDate,
    note: transaction.note,
    collectionSheetId: transaction.collectionSheetId,
    reversed: transaction.reversed,
    reversalReason: transaction.reversalReason,
    allocation: allocation && !transaction.reversed ? allocationReply(storedAllocation(allocation), currency) : null,
    recordedAt: transaction.recordedAt,
  };
}

function recoveredTotal(history: LoanHistory): bigint {
  return history.transactions.filter((transaction) => transaction.type === 'recovery' && !transaction.reversed).reduce((sum, transaction) => sum + BigInt(transaction.amount), 0n);
}

function balancesReply(position: LoanPosition | null, history: LoanHistory) {
  const currency = history.currency;
  const zero = formatAmount(0n, currency);
  if (!position) {
    return {
      principalDisbursed: zero,
      principalPaid: zero,
      principalOutstanding: zero,
      principalWrittenOff: zero,
      interestPaid: zero,
      penaltyPaid: zero,
      overduePrincipal: zero,
      overdueInterest: zero,
      penaltyAccrued: zero,
      lateInterestAccrued: zero,
      creditHeld: zero,
      recovered: zero,
      daysPastDue: 0,
    };
  }
  return {
    principalDisbursed: formatAmount(position.principalDisbursed, currency),
    principalPaid: formatAmount(position.principalPaid, currency),
    principalOutstanding: formatAmount(position.principalOutstanding, currency),
    principalWrittenOff: formatAmount(position.principalWrittenOff, currency),
    interestPaid: formatAmount(position.interestPaid, currency),
    penaltyPaid: formatAmount(position.penaltyPaid + position.lateInterestPaid, currency),
    overduePrincipal: formatAmount(position.overduePrincipal, currency),
    overdueInterest: formatAmount(position.overdueInterest, currency),
    penaltyAccrued: formatAmount(position.penaltyAccrued, currency),
    lateInterestAccrued: formatAmount(position.lateInterestAccrued, currency),
    creditHeld: formatAmount(position.credit, currency),
    recovered: formatAmount(recoveredTotal(history), currency),
    daysPastDue: position.daysPastDue,
  };
}

function loanDetail(db: FundDatabase, loan: repo.LoanWithPlace, asOf: string) {
  const history = loanHistory(db, loan);
  const currency = history.currency;
  const disbursed = loan.disbursedOn !== null && loan.disbursedOn <= asOf;
  const position = disbursed ? positionOf(history, asOf) : null;
  const allocations = repo.currentAllocations(db, loan.id);
  return {
    id: loan.id,
    memberId: loan.memberId,
    memberName: loan.memberName,
    groupId: loan.groupId,
    productId: loan.productId,
    currency,
    principal: formatAmount(BigInt(loan.principal), currency),
    installments: loan.installments,
    purpose: loan.purpose,
    status: loan.status,
    terms: history.terms,
    appliedOn: loan.appliedOn,
    decidedOn: loan.decidedOn,
    decisionNote: loan.decisionNote,
    disbursedOn: loan.disbursedOn,
    closedOn: loan.closedOn,
    writtenOffOn: loan.writtenOffOn,
    rescheduleCount: loan.rescheduleCount,
    asOf,
    scheduleVersion: position ? position.version : null,
    schedule: (position?.installments ?? []).map((installment) => {
      const principalOutstanding = installment.principalDue - installment.principalPaid;
      const interestOutstanding = installment.interestDue - installment.interestPaid - installment.interestWaived;
      return {
        number: installment.number,
        dueOn: formatIsoDate(installment.dueOn),
        principalDue: formatAmount(installment.principalDue, currency),
        interestDue: formatAmount(installment.interestDue, currency),
        totalDue: formatAmount(installment.principalDue + installment.interestDue, currency),
        principalPaid: formatAmount(installment.principalPaid, currency),
        interestPaid: formatAmount(installment.interestPaid, currency),
        interestWaived: formatAmount(installment.interestWaived, currency),
        principalOutstanding: formatAmount(principalOutstanding, currency),
        interestOutstanding: formatAmount(interestOutstanding, currency),
      };
    }),
    transactions: history.transactions.filter((transaction) => transaction.transactionDate <= asOf).map((transaction) => transactionReply(transaction, allocations.get(transaction.id), currency)),
    balances: balancesReply(position, history),
  };
}

function summaryReply(loan: repo.LoanRow) {
  const currency = loan.currency as CurrencyCode;
  return {
    id: loan.id,
    memberId: loan.memberId,
    groupId: loan.groupId,
    productId: loan.productId,
    currency,
    principal: formatAmount(BigInt(loan.principal), currency),
    installments: loan.installments,
    status: loan.status,
    appliedOn: loan.appliedOn,
    disbursedOn: loan.disbursedOn,
    rescheduleCount: loan.rescheduleCount,
  };
}

// ---------------------------------------------------------------------------------------------------
// Checks every command shares

function requireLoan(db: FundDatabase, actor: Actor, id: string): repo.LoanWithPlace {
  const loan = repo.findLoan(db, id);
  if (!loan) throw new DomainError('loan_not_found', `No loan has the id ${id}.`);
  // Seen where it was made (its reports count it there) and where its member is now: a member who moved repays it at
  // her new group's meetings, whose leader and officer follow it up.
  const reached = reachesGroup(actor, { id: loan.groupId, areaPath: loan.areaPath }) || reachesGroup(actor, { id: loan.memberGroupId, areaPath: loan.memberAreaPath });
  if (!reached) throw new DomainError('scope_forbidden', 'This loan is outside what you are assigned to.');
  return loan;
}

function requireDisbursed(loan: repo.LoanRow): void {
  if (loan.status === 'applied' || loan.status === 'approved' || loan.status === 'rejected' || loan.status === 'withdrawn') {
    throw new DomainError('loan_not_disbursed', `This loan is ${loan.status}, not disbursed: there is nothing to repay yet.`);
  }
}

/** A money movement on a disbursed loan: not in the future, not before disbursement or the latest rescheduling, in an open period. */
function requireLoanMovementDate(context: ServiceContext, db: FundDatabase, history: LoanHistory, date: string, field: string): void {
  requireNotFuture(context, date, field);
  const disbursedOn = history.loan.disbursedOn ?? '';
  if (date < disbursedOn) {
    throw new DomainError('date_before_disbursement', `The loan was disbursed on ${disbursedOn}.`, [{ path: field, message: `must be on or after ${disbursedOn}` }]);
  }
  // A rescheduling counts what was paid up to the end of its effective day: anything dated on that day or before,
  // recorded afterwards, would change the balance it started from.
  const latestVersion = history.versions[history.versions.length - 1];
  if (latestVersion && latestVersion.version > 1 && date <= latestVersion.effectiveOnText) {
    throw new DomainError('date_before_reschedule', `The loan was rescheduled on ${latestVersion.effectiveOnText}, counting what was paid by the end of that day; record this from the next day on.`, [
      { path: field, message: `must be after ${latestVersion.effectiveOnText}` },
    ]);
  }
  requireOpenPeriod(db, date, field);
}

function memberOutstanding(db: FundDatabase, memberId: string, asOf: string, exceptLoanId?: string): bigint {
  const loans = repo.loansOfMember(db, memberId).filter((loan) => loan.id !== exceptLoanId && (loan.status === 'active' || loan.status === 'closed'));
  let total = 0n;
  for (const loan of loans) total += repo.loanSubledgerTotals(db, asOf, { loanId: loan.id }).principalOutstanding;
  return total;
}

function requireWithinMemberCap(db: FundDatabase, loan: repo.LoanRow, asOf: string): void {
  const settings = readSettings(db);
  const currency = loan.currency as CurrencyCode;
  if (currency !== settings.currency) return;
  const cap = amountInMinorUnits(settings.memberOutstandingCap, currency, 'memberOutstandingCap');
  const owed = memberOutstanding(db, loan.memberId, asOf, loan.id);
  if (owed + BigInt(loan.principal) > cap) {
    throw new DomainError(
      'member_cap_exceeded',
      `The member owes ${formatAmount(owed, currency)} ${currency}; with ${formatAmount(BigInt(loan.principal), currency)} more she would pass the fund's cap of ${settings.memberOutstandingCap} ${currency}.`,
      [{ path: 'principal', message: 'above the per-member cap' }],
    );
  }
}

// ---------------------------------------------------------------------------------------------------
// Application and decision

export function applyLoan(context: ServiceContext, actor: Actor, input: ApplyLoanInput, idempotency?: IdempotencyContext) {
  requireRole(actor, lenders, 'take loan applications');
  return context.db.transaction((tx) => onceIfKeyed(tx, actor.userId, idempotency, input, nowTimestamp(context), 201, () => {
    const member = requireMemberInScope(tx, actor, input.memberId);
    if (member.status !== 'active') throw new DomainError('member_not_active', `This member left the fund on ${member.leftOn}.`);
    // The fund lends through groups that vouch for and meet with each borrower: a group left with fewer members than
    // the fund's least takes no new loan until it has them again; the loans already made go on being repaid in it.
    const settings = readSettings(tx);
    const { minGroupMembers } = settings;
    const groupMembers = activeMemberCounts(tx, [member.groupId]).get(member.groupId) ?? 0;
    if (groupMembers < minGroupMembers) {
      throw new DomainError('group_too_small', `The member's group has ${groupMembers} active member${groupMembers === 1 ? '' : 's'}; the fund lends in groups of at least ${minGroupMembers}.`, [
        { path: 'memberId', message: `her group has fewer than ${minGroupMembers} active members` },
      ]);
    }
    const product = requireProduct({ ...context, db: tx }, input.productId);
    if (product.status !== 'active') throw new DomainError('terms_outside_product', `Product ${product.code} is retired: no new loans are made on it.`, [{ path: 'productId', message: 'retired' }]);
    const currency = product.currency as CurrencyCode;
    const fundCurrency = settings.currency;
    if (currency !== fundCurrency) {
      throw new DomainError('product_invalid', `Product ${product.code} lends in ${currency}, and the fund keeps its books in ${fundCurrency}.`, [{ path: 'productId', message: `lends in ${currency}, not ${fundCurrency}` }]);
    }
    const terms = termsOf(product.terms);
    const principal = amountInMinorUnits(input.principal, currency, 'principal');
    const outside: { path: string; message: string }[] = [];
    const minPrincipal = amountInMinorUnits(terms.minPrincipal, currency, 'minPrincipal');
    const maxPrincipal = amountInMinorUnits(terms.maxPrincipal, currency, 'maxPrincipal');
    if (principal < minPrincipal || principal > maxPrincipal) outside.push({ path: 'principal', message: `must be from ${terms.minPrincipal} to ${terms.maxPrincipal} ${currency}` });
    if (input.installments < terms.minInstallments || input.installments > terms.maxInstallments) {
      outside.push({ path: 'installments', message: `must be from ${terms.minInstallments} to ${terms.maxInstallments}` });
    }
    const graceOnPrincipal = input.graceOnPrincipal ?? terms.graceOnPrincipal;
    if (graceOnPrincipal >= input.installments) outside.push({ path: 'graceOnPrincipal', message: 'must be shorter than the term' });
    if (outside.length > 0) throw new DomainError('terms_outside_product', `The loan is outside product ${product.code}'s terms.`, outside);
    requireNotFuture(context, input.appliedOn, 'appliedOn');
    if (input.appliedOn < member.joinedOn) {
      throw new DomainError('date_before_joined', `The member joined on ${member.joinedOn}.`, [{ path: 'appliedOn', message: `must be on or after ${member.joinedOn}` }]);
    }
    const now = nowTimestamp(context);
    const row: Omit<repo.LoanRow, 'termsId'> = {
      id: newId('ln'),
      memberId: member.id,
      groupId: member.groupId,
      productId: product.id,
      currency,
      principal: Number(principal),
      installments: input.installments,
      terms: JSON.stringify({ ...terms, graceOnPrincipal }),
      purpose: input.purpose,
      status: 'applied',
      appliedOn: input.appliedOn,
      appliedBy: actor.userId,
      decidedOn: null,
      decidedBy: null,
      decisionNote: null,
      disbursedOn: null,
      firstDueOn: null,
      closedOn: null,
      writtenOffOn: null,
      rescheduleCount: 0,
      createdAt: now,
      updatedAt: now,
    };
    repo.insertLoan(tx, row);
    return loanDetail(tx, requireLoan(tx, actor, row.id), today(context));
  }));
}

function decide(context: ServiceContext, actor: Actor, id: string, decision: 'approved' | 'rejected' | 'withdrawn', input: { decidedOn?: string; note?: string; reason?: string }) {
  requireRole(actor, lenders, decision === 'approved' ? 'approve loans' : decision === 'rejected' ? 'reject loans' : 'withdraw applications');
  return context.db.transaction((tx) => {
    const loan = requireLoan(tx, actor, id);
    if (loan.status !== 'applied') throw new DomainError('loan_not_applied', `This loan is ${loan.status}; only an application waiting for a decision can be ${decision}.`);
    const decidedOn = input.decidedOn ?? today(context);
    requireNotFuture(context, decidedOn, 'decidedOn');
    if (decidedOn < loan.appliedOn) throw new DomainError('date_before_application', `The application was made on ${loan.appliedOn}.`, [{ path: 'decidedOn', message: `must be on or after ${loan.appliedOn}` }]);
    if (decision === 'approved') {
      if (readSettings(tx).approvalNeedsSecondPerson && loan.appliedBy === actor.userId) {
        throw new DomainError('approval_needs_second_person', 'The fund requires a second person to approve: the officer who entered an application cannot approve it.');
      }
      requireWithinMemberCap(tx, loan, decidedOn);
    }
    repo.updateLoan(tx, id, { status: decision, decidedOn, decidedBy: actor.userId, decisionNote: input.note ?? input.reason ?? null, updatedAt: nowTimestamp(context) });
    return loanDetail(tx, requireLoan(tx, actor, id), today(context));
  });
}

export const approveLoan = (context: ServiceContext, actor: Actor, id: string, input: { decidedOn?: string; note?: string }) => decide(context, actor, id, 'approved', input);
export const rejectLoan = (context: ServiceContext, actor: Actor, id: string, input: { decidedOn?: string; reason: string }) => decide(context, actor, id, 'rejected', input);
export const withdrawLoan = (context: ServiceContext, actor: Actor, id: string, input: { decidedOn?: string; reason: string }) => decide(context, actor, id, 'withdrawn', input);

// ---------------------------------------------------------------------------------------------------
// Disbursement

function scheduleProblemsToError(error: ScheduleInputError): DomainError {
  const fieldNames: Record<string, string> = { disbursedOn: 'disbursedOn', firstDueOn: 'firstDueOn' };
  return new DomainError(
    'invalid_request',
    `The schedule cannot be made: ${error.problems.map((problem) => problem.message).join('; ')}.`,
    error.problems.map((problem) => ({ path: fieldNames[problem.field] ?? problem.field, message: problem.message })),
  );
}

export function disburseLoan(context: ServiceContext, actor: Actor, id: string, input: { disbursedOn: string; firstDueOn?: string }, idempotency: IdempotencyContext) {
  requireRole(actor, lenders, 'disburse loans');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 200, () => {
      const loan = requireLoan(tx, actor, id);
      if (loan.status !== 'approved') throw new DomainError('loan_not_approved', `This loan is ${loan.status}; only an approved loan is disbursed.`);
      if (loan.memberStatus !== 'active') throw new DomainError('member_not_active', 'The member has left the fund.');
      requireNotFuture(context, input.disbursedOn, 'disbursedOn');
      const decidedOn = loan.decidedOn ?? loan.appliedOn;
      if (input.disbursedOn < decidedOn) throw new DomainError('date_before_approval', `The loan was approved on ${decidedOn}.`, [{ path: 'disbursedOn', message: `must be on or after ${decidedOn}` }]);
      requireOpenPeriod(tx, input.disbursedOn, 'disbursedOn');
      if (input.firstDueOn !== undefined && input.firstDueOn <= input.disbursedOn) {
        throw new DomainError('invalid_request', 'The first due date must be after the disbursement.', [{ path: 'firstDueOn', message: 'must be after disbursedOn' }]);
      }
      requireWithinMemberCap(tx, loan, input.disbursedOn);
      const terms = termsOf(loan.terms);
      const currency = loan.currency as CurrencyCode;
      const principal = BigInt(loan.principal);
      const scheduleInput = scheduleInputOf(terms, currency, { principal, installments: loan.installments, disbursedOn: input.disbursedOn, firstDueOn: input.firstDueOn ?? null });
      if (input.firstDueOn !== undefined) {
        // A broken first period may be shorter or longer than a period, but the first installment comes before the
        // second regular one would: otherwise a date years ahead carries that many years of interest in installment 1.
        const secondRegular = scheduleDueDates(day(input.disbursedOn), null, scheduleInput.frequency ?? defaultFrequency, 2)[1] as number;
        if (day(input.firstDueOn) >= secondRegular) {
          throw new DomainError('terms_outside_product', `The first installment falls due within two periods of the disbursement, before ${formatIsoDate(secondRegular)}.`, [
            { path: 'firstDueOn', message: `must be before ${formatIsoDate(secondRegular)}` },
          ]);
        }
      }
      const problems = scheduleInputProblems(scheduleInput);
      if (problems.length > 0) throw scheduleProblemsToError(new ScheduleInputError(problems));
      const schedule = buildSchedule(scheduleInput);
      const installments = schedule.installments.map((installment) => ({
        number: installment.number,
        dueOn: formatIsoDate(installment.dueOn),
        principalDue: toMinorUnits(installment.principal, currency),
        interestDue: toMinorUnits(installment.interest, currency),
      }));
      // Principal parts sum exactly to the loan: the engine asserts it, and a stored schedule is checked again.
      if (installments.reduce((sum, installment) => sum + installment.principalDue, 0n) !== principal) throw new Error(`schedule of loan ${id} does not sum to its principal`);

      const now = nowTimestamp(context);
      const transactionId = newId('tx');
      repo.insertLoanTransaction(tx, {
        id: transactionId,
        loanId: id,
        memberId: loan.memberId,
        type: 'disbursement',
        amount: principal,
        transactionDate: input.disbursedOn,
        note: null,
        collectionSheetId: null,
        recordedBy: actor.userId,
        recordedAt: now,
      });
      repo.insertScheduleVersion(tx, { loanId: id, version: 1, effectiveOn: input.disbursedOn, reason: 'disbursement', createdBy: actor.userId, createdAt: now }, installments);
      const withheld = percentOf(principal, terms.compulsorySavingsPercentOfPrincipal, 'half_up');
      const entry = post(
        tx,
        recipes.disbursement(
          { entryDate: input.disbursedOn, sourceType: 'loan_transaction', sourceId: transactionId, description: `disbursement of loan ${id}`, memberId: loan.memberId, loanId: id },
          principal,
          withheld,
        ),
        actor,
        now,
      );
      if (withheld > 0n) {
        recordSavingsMovement(tx, actor, { member: { id: loan.memberId }, kind: 'compulsory', type: 'deposit', amount: withheld, date: input.disbursedOn, loanId: id, note: 'withheld at disbursement', journalEntryId: entry.id }, now);
      }
      repo.updateLoan(tx, id, { status: 'active', disbursedOn: input.disbursedOn, firstDueOn: installments[0]?.dueOn ?? null, updatedAt: now });
      refreshAfterChange(context, tx, id);
      return loanDetail(tx, requireLoan(tx, actor, id), input.disbursedOn > today(context) ? input.disbursedOn : today(context));
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Repayments, recoveries, payoff

/** The note that marks a repayment made from the member's compulsory savings (a posted transfer). */
const appliedSavingsNote = 'applied from compulsory savings';

export function recordRepaymentIn(
  context: ServiceContext,
  tx: FundDatabase,
  actor: Actor,
  loan: repo.LoanWithPlace,
  input: { amount: bigint; paidOn: string; note: string | null; collectionSheetId: string | null; from: 'cash' | 'compulsory_savings' },
) {
  const now = nowTimestamp(context);
  const history = loanHistory(tx, loan);
  requireDisbursed(loan);
  requireLoanMovementDate(context, tx, history, input.paidOn, 'paidOn');
  const transactionId = newId('tx');
  const note = input.from === 'compulsory_savings' ? appliedSavingsNote : input.note;

  if (loan.status === 'written_off') {
    if (input.paidOn < (loan.writtenOffOn ?? '')) {
      // Money dated before the write-off would change what was written off: reverse nothing, record it after.
      throw new DomainError('loan_written_off', `The loan was written off on ${loan.writtenOffOn}; money received now is a recovery dated on or after it.`, [
        { path: 'paidOn', message: `must be on or after ${loan.writtenOffOn}` },
      ]);
    }
    // Money received after a write-off is a recovery: income, up to what was written off.
    const position = positionOf(history, input.paidOn);
    const recoverable = position.principalWrittenOff + position.interestWrittenOff + position.penaltyWrittenOff + position.lateInterestWrittenOff - recoveredTotal(history);
    if (input.amount > recoverable) {
      throw new DomainError('exceeds_outstanding', `At most ${formatAmount(recoverable, history.currency)} ${history.currency} of this written-off loan remains to recover.`, [{ path: 'amount', message: 'more than remains to recover' }]);
    }
    repo.insertLoanTransaction(tx, { id: transactionId, loanId: loan.id, memberId: loan.memberId, type: 'recovery', amount: input.amount, transactionDate: input.paidOn, note, collectionSheetId: input.collectionSheetId, recordedBy: actor.userId, recordedAt: now });
    const entry = post(
      tx,
      recipes.recovery({ entryDate: input.paidOn, sourceType: 'loan_transaction', sourceId: transactionId, description: `recovery on written-off loan ${loan.id}`, memberId: loan.memberId, loanId: loan.id }, input.amount, input.from),
      actor,
      now,
    );
    const row = { id: transactionId, loanId: loan.id, memberId: loan.memberId, type: 'recovery' as const, amount: Number(input.amount), transactionDate: input.paidOn, note, collectionSheetId: input.collectionSheetId, recordedBy: actor.userId, recordedAt: now, reversed: false, reversalReason: null };
    const after = { ...history, transactions: [...history.transactions, row] };
    return { transactionId, journalEntryId: entry.id, allocation: null, changed: [], history: after, position: positionOf(after, horizon(after, context)), booked: repo.currentAllocations(tx, loan.id), status: loan.status };
  }
  const before = positionOf(history, input.paidOn, history.events.filter((event) => event.on <= day(input.paidOn)));
  if (loan.status === 'closed' && before.payoff.total === 0n) {
    throw new DomainError('loan_closed', `The loan was repaid in full${loan.closedOn ? ` and closed on ${loan.closedOn}` : ''}: nothing remains to pay on ${input.paidOn}.`, [{ path: 'paidOn', message: 'the loan is closed' }]);
  }
  if (input.amount > before.payoff.total) {
    throw new DomainError(
      'exceeds_outstanding',
      `On ${input.paidOn} the loan can take at most ${formatAmount(before.payoff.total, history.currency)} ${history.currency} (the full payoff).`,
      [{ path: 'amount', message: 'more than the payoff' }],
    );
  }
  const row = { id: transactionId, loanId: loan.id, memberId: loan.memberId, type: 'repayment' as const, amount: Number(input.amount), transactionDate: input.paidOn, note, collectionSheetId: input.collectionSheetId, recordedBy: actor.userId, recordedAt: now };
  repo.insertLoanTransaction(tx, { ...row, amount: input.amount });
  // The history just read, with this repayment added where a fresh read would put it (last on its date).
  const after: LoanHistory = {
    ...history,
    transactions: [...history.transactions, { ...row, reversed: false, reversalReason: null }],
    events: [...history.events, { kind: 'repayment', id: transactionId, on: day(input.paidOn), amount: input.amount }],
  };
  const settled = settleRepayments(context, tx, actor, loan, now, after, input.paidOn);
  const allocation = settled.position.allocations.get(transactionId);
  if (!allocation) throw new Error(`repayment ${transactionId} was not replayed`);
  const entryId = settled.booked.get(transactionId)?.journalEntryId;
  if (!entryId) throw new Error(`repayment ${transactionId} was not booked`);
  return {
    transactionId,
    journalEntryId: entryId,
    allocation,
    changed: settled.changed.filter((change) => change.transactionId !== transactionId),
    history: settled.history,
    position: settled.position,
    booked: settled.booked,
    status: settled.status,
  };
}

/** The answer to a repayment, from what recording it already computed (the position is as of today or its date). */
function repaymentResult(recorded: ReturnType<typeof recordRepaymentIn>) {
  const { history, position } = recorded;
  const currency = history.currency;
  const transaction = history.transactions.find((candidate) => candidate.id === recorded.transactionId);
  if (!transaction) throw new Error(`transaction ${recorded.transactionId} is missing`);
  const split = recorded.allocation ?? { principal: 0n, interest: 0n, penalty: 0n, lateInterest: 0n, creditAdded: 0n, creditUsed: 0n };
  return {
    transaction: transactionReply(transaction, recorded.booked.get(recorded.transactionId), currency),
    allocation: allocationReply(split, currency),
    reposted: recorded.changed.map((change) => ({ transactionId: change.transactionId, allocation: allocationReply(change.allocation, currency) })),
    balances: balancesReply(position, history),
    loanStatus: recorded.status,
  };
}

export function recordRepayment(context: ServiceContext, actor: Actor, loanId: string, input: RepaymentInput, idempotency: IdempotencyContext) {
  requireRole(actor, ['admin', 'officer', 'leader'], 'record repayments');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 201, () => {
      const loan = requireLoan(tx, actor, loanId);
      const amount = amountInMinorUnits(input.amount, loan.currency as CurrencyCode, 'amount');
      const recorded = recordRepaymentIn(context, tx, actor, loan, { amount, paidOn: input.paidOn, note: input.note ?? null, collectionSheetId: null, from: 'cash' });
      return repaymentResult(recorded);
    }),
  );
}

/** Applies compulsory savings to a written-off loan, or to one 90 or more days past due (a posted transfer). */
export function applySavingsToLoan(context: ServiceContext, actor: Actor, loanId: string, input: RepaymentInput, idempotency: IdempotencyContext) {
  requireRole(actor, lenders, 'apply savings to a loan');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 201, () => {
      const loan = requireLoan(tx, actor, loanId);
      requireDisbursed(loan);
      const currency = loan.currency as CurrencyCode;
      const amount = amountInMinorUnits(input.amount, currency, 'amount');
      if (loan.status !== 'written_off') {
        // The date is checked (not before the disbursement, not in the future, in an open period) before the loan's
        // position on it is worked out.
        const history = loanHistory(tx, loan);
        requireLoanMovementDate(context, tx, history, input.paidOn, 'paidOn');
        const position = positionOf(history, input.paidOn);
        if (position.daysPastDue < defaultedDaysPastDue) {
          throw new DomainError('compulsory_savings_locked', `Compulsory savings are applied only to a written-off loan or one ${defaultedDaysPastDue} or more days past due; this one is ${position.daysPastDue}.`);
        }
      }
      requireBalanceCovers(tx, loan.memberId, 'compulsory', amount, input.paidOn, currency);
      const recorded = recordRepaymentIn(context, tx, actor, loan, { amount, paidOn: input.paidOn, note: input.note ?? null, collectionSheetId: null, from: 'compulsory_savings' });
      recordSavingsMovement(
        tx,
        actor,
        { member: { id: loan.memberId }, kind: 'compulsory', type: 'transfer_to_loan', amount, date: input.paidOn, loanId, note: `applied to loan ${loanId}`, journalEntryId: recorded.journalEntryId },
        nowTimestamp(context),
      );
      return repaymentResult(recorded);
    }),
  );
}

/** Days past due from which a loan counts as defaulted for applying compulsory savings (debt group 4). */
export const defaultedDaysPastDue = 90;

export function payoffQuoteOf(context: ServiceContext, actor: Actor, loanId: string, asOf: string) {
  const loan = requireLoan(context.db, actor, loanId);
  requireDisbursed(loan);
  const history = loanHistory(context.db, loan);
  if (asOf < (loan.disbursedOn ?? '')) throw new DomainError('date_before_disbursement', `The loan was disbursed on ${loan.disbursedOn}.`, [{ path: 'asOf', message: 'before the disbursement' }]);
  const position = positionOf(history, asOf, history.events.filter((event) => event.on <= day(asOf)));
  const currency = history.currency;
  return {
    loanId,
    asOf,
    principal: formatAmount(position.payoff.principal, currency),
    interest: formatAmount(position.payoff.interest, currency),
    penalty: formatAmount(position.payoff.penalty, currency),
    lateInterest: formatAmount(position.payoff.lateInterest, currency),
    creditHeld: formatAmount(position.payoff.credit, currency),
    total: formatAmount(position.payoff.total, currency),
  };
}

// ---------------------------------------------------------------------------------------------------
// Reversal, rescheduling, write-off

export function reverseTransaction(context: ServiceContext, actor: Actor, loanId: string, transactionId: string, reason: string, idempotency: IdempotencyContext) {
  requireRole(actor, lenders, 'reverse transactions');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input: { reason } }, nowTimestamp(context), 200, () => {
      const loan = requireLoan(tx, actor, loanId);
      const transaction = repo.findLoanTransaction(tx, transactionId);
      if (!transaction || transaction.loanId !== loanId) throw new DomainError('transaction_not_found', `Loan ${loanId} has no transaction ${transactionId}.`);
      if (repo.isReversed(tx, transactionId)) throw new DomainError('transaction_already_reversed', 'This transaction was already reversed.');
      if (transaction.type !== 'repayment' && transaction.type !== 'recovery') {
        throw new DomainError('reversal_not_allowed', `A ${transaction.type.replace('_', '-')} is not reversed here: only repayments and recoveries are.`);
      }
      if (loan.status === 'written_off' && transaction.type === 'repayment') {
        // The write-off took the principal left after this repayment; taking the repayment back would change it.
        throw new DomainError('reversal_not_allowed', `The loan was written off on ${loan.writtenOffOn}: a repayment made before it stays as it is.`);
      }
      const history = loanHistory(tx, loan);
      requireOpenPeriod(tx, transaction.transactionDate, 'transactionId');
      const latestVersion = history.versions[history.versions.length - 1];
      if (latestVersion && latestVersion.version > 1 && transaction.transactionDate < latestVersion.effectiveOnText) {
        throw new DomainError('date_before_reschedule', `The loan was rescheduled from ${latestVersion.effectiveOnText}, which settled this transaction's period.`);
      }
      const now = nowTimestamp(context);
      const entryId = transaction.type === 'repayment' ? repo.currentAllocations(tx, loanId).get(transactionId)?.journalEntryId : repo.bookingEntryId(tx, transactionId);
      if (!entryId) throw new Error(`transaction ${transactionId} has no booking entry`);
      repo.insertReversal(tx, { transactionId, reason, reversedBy: actor.userId, reversedAt: now });
      const mirror = postMirror(tx, entryId, `reversal of ${transaction.type} ${transactionId}: ${reason}`, actor, now);
      // A repayment made from compulsory savings gives the savings back with the same reversal.
      const firstEntryId = transaction.type === 'repayment' ? repo.firstBookingEntryId(tx, transactionId) : entryId;
      const savingsTransfer = transaction.note === appliedSavingsNote && firstEntryId ? savingsTransferForEntry(tx, loanId, firstEntryId) : undefined;
      if (savingsTransfer) repo.insertReversal(tx, { transactionId: savingsTransfer, reason, reversedBy: actor.userId, reversedAt: now });
      let changed: { transactionId: string; allocation: Allocation }[] = [];
      if (transaction.type === 'repayment') changed = settleRepayments(context, tx, actor, loan, now).changed;
      const after = requireLoan(tx, actor, loanId);
      return {
        reversedTransactionId: transactionId,
        reversalEntryId: mirror.id,
        reposted: changed.map((change) => ({ transactionId: change.transactionId, allocation: allocationReply(change.allocation, after.currency as CurrencyCode) })),
        loan: loanDetail(tx, after, today(context)),
      };
    }),
  );
}

/**
 * A rescheduling moves no money, so it needs no idempotency key; with one (the web app's form, or an API caller that
 * sends one), the same rescheduling sent twice answers the first rather than being refused as a second on the same day.
 */
export function rescheduleLoan(context: ServiceContext, actor: Actor, loanId: string, input: { effectiveOn: string; installments: number; reason: string }, idempotency?: IdempotencyContext) {
  requireRole(actor, lenders, 'reschedule loans');
  return context.db.transaction((tx) => onceIfKeyed(tx, actor.userId, idempotency, input, nowTimestamp(context), 200, () => rescheduleIn(context, tx, actor, loanId, input)));
}

function rescheduleIn(context: ServiceContext, tx: FundDatabase, actor: Actor, loanId: string, input: { effectiveOn: string; installments: number; reason: string }) {
  const loan = requireLoan(tx, actor, loanId);
  requireDisbursed(loan);
  if (loan.status === 'closed') throw new DomainError('loan_closed', 'This loan is repaid: there is nothing to reschedule.');
  if (loan.status === 'written_off') throw new DomainError('loan_written_off', 'This loan was written off: it is not rescheduled.');
  const history = loanHistory(tx, loan);
  requireLoanMovementDate(context, tx, history, input.effectiveOn, 'effectiveOn');
  const latestVersion = history.versions[history.versions.length - 1];
  if (latestVersion && input.effectiveOn <= latestVersion.effectiveOnText) {
    throw new DomainError('date_before_reschedule', `The schedule in force began on ${latestVersion.effectiveOnText}.`, [{ path: 'effectiveOn', message: `must be after ${latestVersion.effectiveOnText}` }]);
  }
  const lastMovement = history.transactions.filter((transaction) => !transaction.reversed && transaction.type !== 'disbursement').reduce((max, transaction) => (transaction.transactionDate > max ? transaction.transactionDate : max), '');
  if (lastMovement > input.effectiveOn) {
    throw new DomainError('date_before_reschedule', `A repayment is recorded on ${lastMovement}; a rescheduling takes effect after the last one.`, [{ path: 'effectiveOn', message: `must be on or after ${lastMovement}` }]);
  }
  const position = positionOf(history, input.effectiveOn);
  if (position.principalOutstanding === 0n) throw new DomainError('loan_closed', 'No principal is outstanding: there is nothing to reschedule.');
  const terms = history.terms;
  // A rescheduling stretches what is owed past the loan's first term (after a flood, the rest over more months than
  // were left), but not past twice the longest term the product lends over: 600 installments for 6 is a slip.
  const mostInstallments = 2 * terms.maxInstallments;
  if (input.installments > mostInstallments) {
    throw new DomainError('terms_outside_product', `A rescheduling spreads what is owed over at most ${mostInstallments} installments, twice the product's longest term.`, [
      { path: 'installments', message: `must be at most ${mostInstallments}` },
    ]);
  }
  const currency = history.currency;
  const graceOnPrincipal = 0;
  const scheduleInput = scheduleInputOf(terms, currency, { principal: position.principalOutstanding, installments: input.installments, disbursedOn: input.effectiveOn, graceOnPrincipal });
  const problems = scheduleInputProblems({ ...scheduleInput, graceOnInterestPayment: 0 });
  if (problems.length > 0) throw scheduleProblemsToError(new ScheduleInputError(problems));
  const plan = buildSchedule({ ...scheduleInput, graceOnInterestPayment: 0 });
  const newPlan = plan.installments.map((installment) => ({ dueOn: installment.dueOn, principalDue: toMinorUnits(installment.principal, currency), interestDue: toMinorUnits(installment.interest, currency) }));
  const installments = composeRescheduledInstallments(position, day(input.effectiveOn), newPlan);
  const now = nowTimestamp(context);
  const version = (latestVersion?.version ?? 1) + 1;
  repo.insertScheduleVersion(
    tx,
    { loanId, version, effectiveOn: input.effectiveOn, reason: input.reason, createdBy: actor.userId, createdAt: now },
    installments.map((installment) => ({ ...installment, dueOn: formatIsoDate(installment.dueOn) })),
  );
  repo.updateLoan(tx, loanId, { rescheduleCount: loan.rescheduleCount + 1, updatedAt: now });
  refreshAfterChange(context, tx, loanId);
  return loanDetail(tx, requireLoan(tx, actor, loanId), today(context));
}

export function writeOffLoan(context: ServiceContext, actor: Actor, loanId: string, input: { writtenOffOn: string; reason: string }, idempotency: IdempotencyContext) {
  requireRole(actor, lenders, 'write off loans');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 200, () => {
      const loan = requireLoan(tx, actor, loanId);
      requireDisbursed(loan);
      if (loan.status === 'closed') throw new DomainError('loan_closed', 'This loan is repaid: there is nothing to write off.');
      if (loan.status === 'written_off') throw new DomainError('loan_written_off', `This loan was written off on ${loan.writtenOffOn}.`);
      const history = loanHistory(tx, loan);
      requireLoanMovementDate(context, tx, history, input.writtenOffOn, 'writtenOffOn');
      const lastRepayment = history.events.filter((event) => event.kind === 'repayment').reduce((max, event) => Math.max(max, event.on), -Infinity);
      if (lastRepayment > day(input.writtenOffOn)) {
        throw new DomainError('date_before_reschedule', `A repayment is recorded on ${formatIsoDate(lastRepayment)}; the write-off must come after it.`, [{ path: 'writtenOffOn', message: `must be on or after ${formatIsoDate(lastRepayment)}` }]);
      }
      const latestVersion = history.versions[history.versions.length - 1];
      if (latestVersion && latestVersion.version > 1 && input.writtenOffOn <= latestVersion.effectiveOnText) {
        // The day a rescheduling takes effect is settled by it; a write-off comes on a later day.
        throw new DomainError('date_before_reschedule', `The loan was rescheduled from ${latestVersion.effectiveOnText}.`, [{ path: 'writtenOffOn', message: `must be after ${latestVersion.effectiveOnText}` }]);
      }
      const position = positionOf(history, input.writtenOffOn);
      const now = nowTimestamp(context);
      const transactionId = newId('tx');
      repo.insertLoanTransaction(tx, {
        id: transactionId,
        loanId,
        memberId: loan.memberId,
        type: 'write_off',
        amount: position.principalOutstanding,
        transactionDate: input.writtenOffOn,
        note: input.reason,
        collectionSheetId: null,
        recordedBy: actor.userId,
        recordedAt: now,
      });
      if (position.principalOutstanding > 0n) {
        post(
          tx,
          recipes.writeOff({ entryDate: input.writtenOffOn, sourceType: 'loan_transaction', sourceId: transactionId, description: `write-off of loan ${loanId}: ${input.reason}`, memberId: loan.memberId, loanId }, position.principalOutstanding),
          actor,
          now,
        );
      }
      repo.updateLoan(tx, loanId, { status: 'written_off', writtenOffOn: input.writtenOffOn, updatedAt: now });
      refreshAfterChange(context, tx, loanId);
      return loanDetail(tx, requireLoan(tx, actor, loanId), today(context) > input.writtenOffOn ? today(context) : input.writtenOffOn);
    }),
  );
}

// ---------------------------------------------------------------------------------------------------
// Reading

export function getLoan(context: ServiceContext, actor: Actor, id: string, asOf?: string) {
  return loanDetail(context.db, requireLoan(context.db, actor, id), asOf ?? today(context));
}

export function listLoans(context: ServiceContext, actor: Actor, query: ListLoansQuery): Page<ReturnType<typeof summaryReply>> {
  let areaPath: string | undefined;
  if (query.areaId) {
    const area = findArea(context.db, query.areaId);
    if (!area) throw new DomainError('area_not_found', `No area has the id ${query.areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
    areaPath = area.path;
  }
  const rows = repo.listLoans(context.db, {
    scope: repo.loanScope(actor),
    memberId: query.memberId,
    groupId: query.groupId,
    areaPath,
    status: query.status,
    after: decodeCursor(query.cursor, 'ln'),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit);
  return { items: page.items.map(summaryReply), nextCursor: page.nextCursor };
}


/** Every schedule version of a loan, the first as frozen at disbursement and each rescheduling after it. */
export function scheduleVersions(context: ServiceContext, actor: Actor, id: string) {
  const loan = requireLoan(context.db, actor, id);
  const currency = loan.currency as CurrencyCode;
  return {
    loanId: id,
    versions: repo.scheduleVersionsOf(context.db, id).map((version) => ({
      version: version.version,
      effectiveOn: version.effectiveOn,
      reason: version.reason,
      createdAt: version.createdAt,
      installments: version.installments.map((installment) => ({
        number: installment.number,
        dueOn: installment.dueOn,
        principalDue: formatAmount(installment.principalDue, currency),
        interestDue: formatAmount(installment.interestDue, currency),
        totalDue: formatAmount(installment.principalDue + installment.interestDue, currency),
      })),
    })),
  };
}
