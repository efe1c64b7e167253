// Arrears as of a date: one loan's days past due, overdue amounts, penalty, bucket, debt group and provision; and the
// list an officer takes to the village, every loan past due with whom to see and what to collect.
import { formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import { agingBucketOf, debtGroupOf, specificProvision } from '../../domain/classification.js';
import { type AccrualRates, accrualRatesOf } from '../../domain/loan-replay.js';
import { type TimelineSegment, stateOn } from '../../domain/loan-timeline.js';
import type { CurrencyCode } from '../../domain/money.js';
import { type Actor, reachesGroup } from '../shared/access.js';
import { type ServiceContext, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { formatAmount } from '../shared/money-input.js';
import { loanHistory, positionOf, rulesOf } from '../loans/loan-history.js';
import * as loanRepo from '../loans/loan.repo.js';
import { findGroup } from '../registry/registry.repo.js';
import { termsOf } from '../loans/product.service.js';
import { classificationRules, readSettings } from '../settings/settings.service.js';
import { coverage, toCsv } from './grouping.js';
import { type ClassifiedLoanRow, classifiedPastDue } from './classification.repo.js';
import type { ArrearsQuery } from './report.commands.js';
import { type ArrearsDetail, type SegmentAccrual, arrearsDetailsOf } from './report.repo.js';

type DebtGroupReason = 'days_past_due' | 'rescheduling' | 'member_worst';

/** One loan's arrears as of a date, replayed from its history. */
export function loanArrears(context: ServiceContext, actor: Actor, loanId: string, asOf?: string) {
  const db = context.db;
  const loan = loanRepo.findLoan(db, loanId);
  if (!loan) throw new DomainError('loan_not_found', `No loan has the id ${loanId}.`);
  if (!reachesGroup(actor, { id: loan.groupId, areaPath: loan.areaPath })) throw new DomainError('scope_forbidden', 'This loan is outside what you are assigned to.');
  const date = asOf ?? today(context);
  requireNotFuture(context, date, 'asOf');
  if (!loan.disbursedOn || loan.disbursedOn > date) throw new DomainError('loan_not_disbursed', `The loan was not disbursed by ${date}.`);
  const currency = loan.currency as CurrencyCode;
  const settings = readSettings(db);
  const { table, rates, memberWorst } = classificationRules(settings);
  const position = positionOf(loanHistory(db, loan), date);
  const rescheduleCount = position.version - 1;
  let { debtGroup, reason } = debtGroupOf(position.daysPastDue, rescheduleCount, table) as { debtGroup: number; reason: DebtGroupReason };
  if (memberWorst && !position.closed && !position.writtenOff) {
    // All of a member's loans take her worst group.
    for (const other of loanRepo.loansOfMember(db, loan.memberId)) {
      if (other.id === loan.id || !other.disbursedOn || other.disbursedOn > date) continue;
      const found = loanRepo.findLoan(db, other.id);
      if (!found) continue;
      const otherPosition = positionOf(loanHistory(db, found), date);
      if (otherPosition.closed || otherPosition.writtenOff || otherPosition.principalOutstanding === 0n) continue;
      const otherGroup = debtGroupOf(otherPosition.daysPastDue, otherPosition.version - 1, table).debtGroup;
      if (otherGroup > debtGroup) {
        debtGroup = otherGroup;
        reason = 'member_worst';
      }
    }
  }
  const onBooks = !position.closed && !position.writtenOff;
  return {
    loanId,
    asOf: date,
    currency,
    daysPastDue: position.daysPastDue,
    oldestUnpaidDueOn: position.oldestUnpaidDueOn === null ? null : formatIsoDate(position.oldestUnpaidDueOn),
    principalOutstanding: formatAmount(position.principalOutstanding, currency),
    overduePrincipal: formatAmount(position.overduePrincipal, currency),
    overdueInterest: formatAmount(position.overdueInterest, currency),
    penaltyAccrued: formatAmount(position.penaltyAccrued + position.lateInterestAccrued, currency),
    agingBucket: agingBucketOf(position.daysPastDue),
    debtGroup,
    debtGroupReason: reason,
    rescheduleCount,
    provision: formatAmount(onBooks ? specificProvision(position.principalOutstanding, debtGroup as 1, rates) : 0n, currency),
    onBooks,
  };
}

/** The part of a stored segment that penalty to date needs: where it starts and its accrual state. */
function segmentOf(row: ClassifiedLoanRow, day: number, accrual: SegmentAccrual): TimelineSegment {
  return {
    fromDay: row.fromDay,
    toDay: null,
    version: 1,
    principalOutstanding: BigInt(row.outstanding),
    principalPaid: 0n,
    interestPaid: 0n,
    penaltyPaid: BigInt(accrual.penaltyPaid),
    lateInterestPaid: BigInt(accrual.lateInterestPaid),
    overduePrincipal: BigInt(row.overduePrincipal),
    overdueInterest: BigInt(row.overdueInterest),
    oldestUnpaidDueOn: day - row.daysPastDue,
    credit: 0n,
    closed: false,
    writtenOff: false,
    principalWrittenOff: 0n,
    principalFallenDue: 0n,
    penaltyAmountDays: BigInt(accrual.penaltyAmountDays),
    penaltyAmountPerDay: BigInt(accrual.penaltyAmountPerDay),
    lateInterestAmountDays: BigInt(accrual.lateInterestAmountDays),
    lateInterestAmountPerDay: BigInt(accrual.lateInterestAmountPerDay),
  };
}

/** Every loan past due on the date, worst first: member, group, phone, days past due, and what to collect. */
export function arrearsReport(context: ServiceContext, actor: Actor, query: ArrearsQuery) {
  const db = context.db;
  const asOf = query.asOf ?? today(context);
  requireNotFuture(context, asOf, 'asOf');
  const day = parseIsoDate(asOf) as number;
  const currency = readSettings(db).currency as CurrencyCode;
  const scope = coverage(db, actor, query.areaId, 'group');
  const groups = new Map(scope.groups.map((group) => [group.id, group]));
  const rules = classificationRules(readSettings(db));
  // Each group's place among the codes, compared once per group rather than once per comparison of two loans.
  const codes = [...new Set(scope.groups.map((group) => group.code))].sort((a, b) => a.localeCompare(b));
  const placeOfCode = new Map(codes.map((code, place) => [code, place]));
  const codePlace = new Map(scope.groups.map((group) => [group.id, placeOfCode.get(group.code) as number]));
  const codeRank = (groupId: string) => codePlace.get(groupId) ?? -1;
  if (query.groupId !== undefined) {
    const asked = findGroup(db, query.groupId);
    if (!asked) throw new DomainError('group_not_found', `No group has the id ${query.groupId}.`, [{ path: 'groupId', message: 'unknown group' }]);
    if (!reachesGroup(actor, { id: asked.id, areaPath: asked.areaPath })) throw new DomainError('scope_forbidden', 'This group is outside what you are assigned to.');
  }
  // One group asked for narrows the read itself; a group outside the area asked for reads nothing.
  const groupIds = query.groupId === undefined ? scope.groupIdList : scope.groupIds.has(query.groupId) ? [query.groupId] : [];
  const all = classifiedPastDue(db, day, rules, groupIds, query.minimumDaysPastDue)
    .sort((a, b) => b.daysPastDue - a.daysPastDue || codeRank(a.groupId) - codeRank(b.groupId) || a.loanId.localeCompare(b.loanId));
  // The JSON list comes a page at a time (the whole fund's list can run to tens of thousands); the CSV has it all.
  const start = query.format === 'csv' ? 0 : Number(query.cursor ?? '0');
  const end = query.format === 'csv' ? all.length : start + query.limit;
  const pastDue = all.slice(start, end);
  const details = arrearsDetailsOf(db, pastDue);
  const ratesByTerms = new Map<string, AccrualRates>();
  const items = pastDue.map((loan, at) => {
      const detail = details[at] as ArrearsDetail;
      let rates = ratesByTerms.get(detail.terms);
      if (!rates) {
        rates = accrualRatesOf(rulesOf(termsOf(detail.terms)));
        ratesByTerms.set(detail.terms, rates);
      }
      const accrued = stateOn(segmentOf(loan, day, detail.accrual), day, rates);
      const penalty = accrued.penaltyAccrued + accrued.lateInterestAccrued;
      return {
        loanId: loan.loanId,
        memberId: loan.memberId,
        memberName: detail.fullName,
        phone: detail.phone,
        groupId: loan.groupId,
        groupCode: groups.get(loan.groupId)?.code ?? '',
        daysPastDue: loan.daysPastDue,
        agingBucket: loan.bucket,
        debtGroup: loan.debtGroup,
        principalOutstanding: formatAmount(BigInt(loan.outstanding), currency),
        overduePrincipal: formatAmount(BigInt(loan.overduePrincipal), currency),
        overdueInterest: formatAmount(BigInt(loan.overdueInterest), currency),
        penalty: formatAmount(penalty, currency),
        amountToCollect: formatAmount(BigInt(loan.overduePrincipal) + BigInt(loan.overdueInterest) + penalty, currency),
      };
    });
  return { asOf, currency, count: all.length, items, nextCursor: end < all.length ? String(end) : null };
}

export function arrearsCsv(report: ReturnType<typeof arrearsReport>): string {
  const header = ['groupCode', 'memberName', 'phone', 'daysPastDue', 'debtGroup', 'principalOutstanding', 'overduePrincipal', 'overdueInterest', 'penalty', 'amountToCollect', 'loanId'];
  return toCsv(
    header,
    report.items.map((item) => [item.groupCode, item.memberName, item.phone ?? '', item.daysPastDue, item.debtGroup, item.principalOutstanding, item.overduePrincipal, item.overdueInterest, item.penalty, item.amountToCollect, item.loanId]),
  );
}

