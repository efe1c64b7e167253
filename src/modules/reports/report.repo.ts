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
  scheduleVersions,
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
  return db
    .select({ id: members.id, sex: members.sex, ethnicity: members.ethnicity, joinedOn: members.joinedOn, groupId: members.groupId, fullName: members.fullName, phone: members.phone })
    .from(members)
    .all();
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

/** Every loan's timeline segment containing a day: its state on that day. */
export function loanStatesOn(db: FundDatabase, day: number) {
  return db
    .select({
      loanId: loanTimelineSegments.loanId,
      memberId: loans.memberId,
      groupId: loans.groupId,
      productId: loans.productId,
      terms: loans.terms,
      fromDay: loanTimelineSegments.fromDay,
      principalOutstanding: loanTimelineSegments.principalOutstanding,
      principalPaid: loanTimelineSegments.principalPaid,
      overduePrincipal: loanTimelineSegments.overduePrincipal,
      overdueInterest: loanTimelineSegments.overdueInterest,
      oldestUnpaidDueDay: loanTimelineSegments.oldestUnpaidDueDay,
      closed: loanTimelineSegments.closed,
      writtenOff: loanTimelineSegments.writtenOff,
      rescheduleCount: loanTimelineSegments.rescheduleCount,
      accrual: loanTimelineSegments.accrual,
    })
    .from(loanTimelineSegments)
    .innerJoin(loans, eq(loans.id, loanTimelineSegments.loanId))
    .where(and(sql`${loanTimelineSegments.toDay} > ${day}`, lte(loanTimelineSegments.fromDay, day)))
    .all();
}

export type LoanStateRow = ReturnType<typeof loanStatesOn>[number];

/** Installments (of each loan's newest schedule version) falling due in a range, with what was paid on them by two dates. */
export function installmentsDueBetween(db: FundDatabase, from: string, to: string, paidBy: string) {
  const newest = sql`(SELECT MAX(${scheduleVersions.version}) FROM ${scheduleVersions} WHERE ${scheduleVersions.loanId} = ${scheduleInstallments.loanId})`;
  const paid = (until: ReturnType<typeof sql>) =>
    sql<string>`CAST(COALESCE((SELECT SUM(${repaymentAllocationLines.principal} + ${repaymentAllocationLines.interest}) FROM ${repaymentAllocationLines}
      WHERE ${repaymentAllocationLines.loanId} = ${scheduleInstallments.loanId} AND ${repaymentAllocationLines.installmentNumber} = ${scheduleInstallments.number}
      AND ${repaymentAllocationLines.paidOn} <= ${until}), 0) AS TEXT)`;
  return db
    .select({
      loanId: scheduleInstallments.loanId,
      groupId: loans.groupId,
      dueOn: scheduleInstallments.dueOn,
      due: sql<string>`CAST(${scheduleInstallments.principalDue} + ${scheduleInstallments.interestDue} AS TEXT)`,
      paidOnTime: paid(sql`${scheduleInstallments.dueOn}`),
      paidBy: paid(sql`${paidBy}`),
    })
    .from(scheduleInstallments)
    .innerJoin(loans, eq(loans.id, scheduleInstallments.loanId))
    .where(and(gte(scheduleInstallments.dueOn, from), lte(scheduleInstallments.dueOn, to), eq(scheduleInstallments.version, newest)))
    .all();
}

/** Principal that fell due through a day, per loan's newest schedule version (for the cumulative repayment rate). */
export function principalDueThrough(db: FundDatabase, day: string) {
  const newest = sql`(SELECT MAX(${scheduleVersions.version}) FROM ${scheduleVersions} WHERE ${scheduleVersions.loanId} = ${scheduleInstallments.loanId})`;
  return db
    .select({ groupId: loans.groupId, due: sql<string>`CAST(SUM(${scheduleInstallments.principalDue}) AS TEXT)` })
    .from(scheduleInstallments)
    .innerJoin(loans, eq(loans.id, scheduleInstallments.loanId))
    .where(and(lte(scheduleInstallments.dueOn, day), eq(scheduleInstallments.version, newest)))
    .groupBy(loans.groupId)
    .all();
}

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
        sql`${loanTransactions.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`,
      ),
    )
    .groupBy(loans.groupId)
    .all();
}

export function savingsByGroupOn(db: FundDatabase, day: string) {
  return db
    .select({ groupId: members.groupId, kind: savingsTransactions.kind, amount: sql<string>`CAST(SUM(${savingsTransactions.amount}) AS TEXT)` })
    .from(savingsTransactions)
    .innerJoin(members, eq(members.id, savingsTransactions.memberId))
    .where(and(lte(savingsTransactions.transactionDate, day), sql`${savingsTransactions.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`))
    .groupBy(members.groupId, savingsTransactions.kind)
    .all();
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
