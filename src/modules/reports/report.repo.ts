// The reads reports are made of: light rows fetched once per report and aggregated in code, so each report is a
// handful of indexed queries whatever its grouping.
import { and, asc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import {
  areas,
  groups,
  loanTimelineSegments,
  loanTransactions,
  loans,
  members,
  memberships,
  plans,
  povertyStatusChanges,
  provisionRuns,
  repaymentAllocationLines,
  savingsTransactions,
  scheduleInstallments,
  transactionReversals,
  users,
} from '../../../db/schema.js';
import type { Actor } from '../shared/access.js';
import { scopeCondition } from '../registry/registry.repo.js';

export interface GroupRow {
  id: string;
  code: string;
  name: string;
  areaPath: string;
  officerId: string | null;
  formedOn: string;
  dissolvedOn: string | null;
}

/** The groups a report covers: what the actor may see, within an area's subtree when one is named. */
export function groupsCovered(db: FundDatabase, actor: Actor, areaPath: string | undefined): GroupRow[] {
  return db
    .select({ id: groups.id, code: groups.code, name: groups.name, areaPath: areas.path, officerId: groups.officerId, formedOn: groups.formedOn, dissolvedOn: groups.dissolvedOn })
    .from(groups)
    .innerJoin(areas, eq(areas.id, groups.areaId))
    .where(and(scopeCondition(actor), areaPath ? sql`${areas.path} LIKE ${`${areaPath}%`}` : undefined))
    .orderBy(asc(groups.code))
    .all();
}

export function areaNames(db: FundDatabase): Map<string, { code: string; name: string; level: string }> {
  return new Map(
    db
      .select({ id: areas.id, code: areas.code, name: areas.name, level: areas.level })
      .from(areas)
      .all()
      .map((row) => [row.id, row]),
  );
}

export function officerNames(db: FundDatabase): Map<string, string> {
  return new Map(
    db
      .select({ id: users.id, fullName: users.fullName })
      .from(users)
      .where(eq(users.role, 'officer'))
      .all()
      .map((row) => [row.id, row.fullName]),
  );
}

export function membersForReports(db: FundDatabase) {
  return db.select({ id: members.id, sex: members.sex, ethnicity: members.ethnicity, joinedOn: members.joinedOn, groupId: members.groupId }).from(members).all();
}

export function memberContacts(db: FundDatabase, memberIds: string[]): Map<string, { fullName: string; phone: string | null }> {
  const contacts = new Map<string, { fullName: string; phone: string | null }>();
  for (let start = 0; start < memberIds.length; start += 500) {
    for (const row of db.select({ id: members.id, fullName: members.fullName, phone: members.phone }).from(members).where(inArray(members.id, memberIds.slice(start, start + 500))).all()) {
      contacts.set(row.id, { fullName: row.fullName, phone: row.phone });
    }
  }
  return contacts;
}

/** Which group each member belonged to on a date. */
export function membershipsOn(db: FundDatabase, day: string): { memberId: string; groupId: string }[] {
  return db
    .select({ memberId: memberships.memberId, groupId: memberships.groupId })
    .from(memberships)
    .where(and(lte(memberships.joinedOn, day), or(isNull(memberships.leftOn), sql`${memberships.leftOn} > ${day}`)))
    .all();
}

export function povertyChangesThrough(db: FundDatabase, day: string) {
  return db
    .select({ memberId: povertyStatusChanges.memberId, status: povertyStatusChanges.status, effectiveOn: povertyStatusChanges.effectiveOn })
    .from(povertyStatusChanges)
    .where(lte(povertyStatusChanges.effectiveOn, day))
    .orderBy(asc(povertyStatusChanges.memberId), asc(povertyStatusChanges.effectiveOn), asc(povertyStatusChanges.id))
    .all();
}

export function disbursementsBetween(db: FundDatabase, from: string, to: string) {
  return db
    .select({ loanId: loans.id, memberId: loans.memberId, groupId: loans.groupId, principal: loans.principal })
    .from(loans)
    .where(and(gte(loans.disbursedOn, from), lte(loans.disbursedOn, to)))
    .all();
}

/** Every loan's timeline segment containing a day: its state on that day (read from the covering index alone). */
export function loanStatesOn(db: FundDatabase, day: number) {
  return db
    .select({
      loanId: loanTimelineSegments.loanId,
      memberId: loanTimelineSegments.memberId,
      groupId: loanTimelineSegments.groupId,
      fromDay: loanTimelineSegments.fromDay,
      principalOutstanding: loanTimelineSegments.principalOutstanding,
      principalPaid: loanTimelineSegments.principalPaid,
      overduePrincipal: loanTimelineSegments.overduePrincipal,
      overdueInterest: loanTimelineSegments.overdueInterest,
      oldestUnpaidDueDay: loanTimelineSegments.oldestUnpaidDueDay,
      closed: loanTimelineSegments.closed,
      writtenOff: loanTimelineSegments.writtenOff,
      rescheduleCount: loanTimelineSegments.rescheduleCount,
      principalFallenDue: loanTimelineSegments.principalFallenDue,
    })
    .from(loanTimelineSegments)
    .where(and(sql`${loanTimelineSegments.toDay} > ${day}`, lte(loanTimelineSegments.fromDay, day)))
    .all();
}

/** The accrual state of some loans' segments (penalty to date for the arrears list). */
export function accrualsOf(db: FundDatabase, segments: { loanId: string; fromDay: number }[]): Map<string, string> {
  const accruals = new Map<string, string>();
  const statement = db
    .select({ accrual: loanTimelineSegments.accrual })
    .from(loanTimelineSegments)
    .where(and(eq(loanTimelineSegments.loanId, sql.placeholder('loanId')), eq(loanTimelineSegments.fromDay, sql.placeholder('fromDay'))))
    .prepare();
  for (const segment of segments) accruals.set(segment.loanId, statement.get(segment)?.accrual ?? '{}');
  return accruals;
}

export type LoanStateRow = ReturnType<typeof loanStatesOn>[number];

/** The schedule version in force for each loan is its newest: version = reschedule count + 1. */
const newestVersion = sql`${scheduleInstallments.version} = ${loans.rescheduleCount} + 1`;

/** Per group: principal and interest of installments falling due in a range (newest schedule versions). */
export function dueBetween(db: FundDatabase, from: string, to: string) {
  return db
    .select({ groupId: loans.groupId, due: sql<string>`CAST(SUM(${scheduleInstallments.principalDue} + ${scheduleInstallments.interestDue}) AS TEXT)` })
    .from(scheduleInstallments)
    .innerJoin(loans, and(eq(loans.id, scheduleInstallments.loanId), newestVersion))
    .where(and(gte(scheduleInstallments.dueOn, from), lte(scheduleInstallments.dueOn, to)))
    .groupBy(loans.groupId)
    .all();
}

/**
 * Per group: what was paid on installments falling due in a range, by their due date (on time) and by a later day,
 * each installment counted at most up to what it asked.
 */
export function paidOnDueBetween(db: FundDatabase, from: string, to: string, paidBy: string) {
  const paid = db
    .select({
      groupId: sql<string>`${loans.groupId}`.as('group_id'),
      due: sql<number>`${scheduleInstallments.principalDue} + ${scheduleInstallments.interestDue}`.as('due'),
      onTime: sql<number>`SUM(CASE WHEN ${repaymentAllocationLines.paidOn} <= ${scheduleInstallments.dueOn} THEN ${repaymentAllocationLines.principal} + ${repaymentAllocationLines.interest} ELSE 0 END)`.as('on_time'),
      byDay: sql<number>`SUM(CASE WHEN ${repaymentAllocationLines.paidOn} <= ${paidBy} THEN ${repaymentAllocationLines.principal} + ${repaymentAllocationLines.interest} ELSE 0 END)`.as('by_day'),
    })
    .from(scheduleInstallments)
    .innerJoin(loans, and(eq(loans.id, scheduleInstallments.loanId), newestVersion))
    .innerJoin(repaymentAllocationLines, and(eq(repaymentAllocationLines.loanId, scheduleInstallments.loanId), eq(repaymentAllocationLines.installmentNumber, scheduleInstallments.number)))
    .where(and(gte(scheduleInstallments.dueOn, from), lte(scheduleInstallments.dueOn, to)))
    .groupBy(scheduleInstallments.loanId, scheduleInstallments.number)
    .as('paid');
  return db
    .select({
      groupId: paid.groupId,
      onTime: sql<string>`CAST(SUM(CASE WHEN ${paid.onTime} < ${paid.due} THEN ${paid.onTime} ELSE ${paid.due} END) AS TEXT)`,
      byDay: sql<string>`CAST(SUM(CASE WHEN ${paid.byDay} < ${paid.due} THEN ${paid.byDay} ELSE ${paid.due} END) AS TEXT)`,
    })
    .from(paid)
    .groupBy(sql`${paid.groupId}`)
    .all();
}

const notReversedLoanTransaction = sql`${loanTransactions.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`;

export function loanTransactionTotals(db: FundDatabase, type: 'write_off' | 'recovery', from: string, to: string) {
  return db
    .select({ groupId: loans.groupId, count: sql<number>`COUNT(*)`, amount: sql<string>`CAST(SUM(${loanTransactions.amount}) AS TEXT)` })
    .from(loanTransactions)
    .innerJoin(loans, eq(loans.id, loanTransactions.loanId))
    .where(
      and(
        eq(loanTransactions.type, type),
        gte(loanTransactions.transactionDate, from),
        lte(loanTransactions.transactionDate, to),
        notReversedLoanTransaction,
      ),
    )
    .groupBy(loans.groupId)
    .all();
}

/** Per month (YYYY-MM), group and type: the loan money that moved in a range, reversed transactions left out. */
export function loanTransactionsByMonth(db: FundDatabase, from: string, to: string) {
  const month = sql<string>`substr(${loanTransactions.transactionDate}, 1, 7)`;
  return db
    .select({ month, groupId: loans.groupId, type: loanTransactions.type, amount: sql<string>`CAST(SUM(${loanTransactions.amount}) AS TEXT)` })
    .from(loanTransactions)
    .innerJoin(loans, eq(loans.id, loanTransactions.loanId))
    .where(
      and(
        gte(loanTransactions.transactionDate, from),
        lte(loanTransactions.transactionDate, to),
        notReversedLoanTransaction,
      ),
    )
    .groupBy(month, loans.groupId, loanTransactions.type)
    .all();
}

const notReversedSavings = sql`${savingsTransactions.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`;

/** The fund's savings of each kind as of a day. */
export function savingsTotalsOn(db: FundDatabase, day: string) {
  return db
    .select({ kind: savingsTransactions.kind, amount: sql<string>`CAST(SUM(${savingsTransactions.amount}) AS TEXT)` })
    .from(savingsTransactions)
    .where(and(lte(savingsTransactions.transactionDate, day), notReversedSavings))
    .groupBy(savingsTransactions.kind)
    .all();
}

/** Each member's savings of each kind as of a day (for a report covering part of the fund). */
export function savingsByMemberOn(db: FundDatabase, day: string) {
  return db
    .select({ memberId: savingsTransactions.memberId, kind: savingsTransactions.kind, amount: sql<string>`CAST(SUM(${savingsTransactions.amount}) AS TEXT)` })
    .from(savingsTransactions)
    .where(and(lte(savingsTransactions.transactionDate, day), notReversedSavings))
    .groupBy(savingsTransactions.memberId, savingsTransactions.kind)
    .all();
}

export function memberGroups(db: FundDatabase): Map<string, string> {
  return new Map(
    db
      .select({ id: members.id, groupId: members.groupId })
      .from(members)
      .all()
      .map((row) => [row.id, row.groupId]),
  );
}

export function plansFor(db: FundDatabase, from: string, to: string, areaIds: (string | null)[]) {
  const named = areaIds.filter((id): id is string => id !== null);
  return db
    .select()
    .from(plans)
    .where(and(eq(plans.periodStart, from), eq(plans.periodEnd, to), areaIds.includes(null) ? or(isNull(plans.areaId), named.length ? inArray(plans.areaId, named) : undefined) : named.length ? inArray(plans.areaId, named) : sql`1 = 0`))
    .all();
}

export function savePlanTarget(db: FundDatabase, row: typeof plans.$inferInsert): void {
  const existing = db
    .select({ id: plans.id })
    .from(plans)
    .where(and(row.areaId ? eq(plans.areaId, row.areaId) : isNull(plans.areaId), eq(plans.periodStart, row.periodStart), eq(plans.periodEnd, row.periodEnd), eq(plans.metric, row.metric)))
    .get();
  if (existing) db.update(plans).set({ target: row.target, createdBy: row.createdBy, createdAt: row.createdAt }).where(eq(plans.id, existing.id)).run();
  else db.insert(plans).values(row).run();
}

export function listPlans(db: FundDatabase) {
  return db.select().from(plans).orderBy(asc(plans.periodStart), asc(plans.areaId), asc(plans.metric)).all();
}

export function insertProvisionRun(db: FundDatabase, row: typeof provisionRuns.$inferInsert): void {
  db.insert(provisionRuns).values(row).run();
}

/** The terms each of some loans was made on (penalty rates for the arrears list). */
export function termsOfLoans(db: FundDatabase, loanIds: string[]): Map<string, string> {
  const terms = new Map<string, string>();
  for (let start = 0; start < loanIds.length; start += 500) {
    for (const row of db.select({ id: loans.id, terms: loans.terms }).from(loans).where(inArray(loans.id, loanIds.slice(start, start + 500))).all()) terms.set(row.id, row.terms);
  }
  return terms;
}
