// Loans on the books on a day, classified in SQL from the timeline's covering index: days past due, aging bucket,
// debt group (the member's worst, when the fund says so) and specific provision, aggregated per group or listed.
// The thresholds and rates are the same tables src/domain/classification.ts applies to one loan.
import { type SQL, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import type { DebtGroupTable, ProvisionRates } from '../../domain/classification.js';

/** The fund's classification settings, as settings.service's classificationRules reads them. */
export interface ClassificationRules {
  table: DebtGroupTable;
  rates: ProvisionRates;
  memberWorst: boolean;
}

/** A percentage as an integer number of ten-thousandths of a percent ("2.5" → 25,000), for exact integer SQL. */
function percentUnits(percent: string): number {
  const [whole = '0', fraction = ''] = percent.split('.');
  return Number(whole) * 10_000 + Number(fraction.padEnd(4, '0').slice(0, 4));
}

/**
 * The groups a read covers: null for every group of the fund, else a list. A short list is reached through the groups'
 * loans (an index seek per loan); a long one, like the whole fund, by scanning every loan's state on the day.
 */
export type GroupIds = readonly string[] | null;

/** Up to this many groups, reaching loans group by group beats the scan (measured on `province`: 30 groups 4 ms, scan 45 ms). */
export const fewGroups = 400;

/** A column among some groups' ids (SQLite reads the list through json_each), or true for every group. */
export const inGroups = (column: SQL, groupIds: GroupIds) => (groupIds === null ? sql`1 = 1` : sql`${column} IN (SELECT value FROM json_each(${JSON.stringify(groupIds)}))`);

/**
 * The timeline segments containing a day, of the loans a read needs: every loan, or (for a few groups) the loans of
 * every member who has a loan in them, so that a member's worst group still sees her loans elsewhere. `where` is on
 * the segment's columns. Callers filter to their groups; the rows are the same segments either way.
 */
function segmentsOn(day: number, groupIds: GroupIds, columns: SQL, where: SQL): SQL {
  if (groupIds === null || groupIds.length > fewGroups) {
    return sql`SELECT ${columns} FROM loan_timeline_segments AS t WHERE t.to_day > ${day} AND t.from_day <= ${day} AND ${where}`;
  }
  return sql`SELECT ${columns} FROM loans AS l JOIN loan_timeline_segments AS t ON t.loan_id = l.id AND t.from_day <= ${day} AND t.to_day > ${day}
    WHERE l.member_id IN (SELECT member_id FROM loans WHERE ${inGroups(sql`group_id`, groupIds)}) AND ${where}`;
}

/** The same for reads that need only the groups' own loans (no member's other loans), already kept to the groups. */
function groupSegmentsOn(day: number, groupIds: GroupIds, columns: SQL, where: SQL): SQL {
  if (groupIds === null) return sql`SELECT ${columns} FROM loan_timeline_segments AS t WHERE t.to_day > ${day} AND t.from_day <= ${day} AND ${where}`;
  if (groupIds.length > fewGroups) {
    return sql`SELECT ${columns} FROM loan_timeline_segments AS t WHERE t.to_day > ${day} AND t.from_day <= ${day} AND ${where} AND ${inGroups(sql`t.group_id`, groupIds)}`;
  }
  return sql`SELECT ${columns} FROM loans AS l JOIN loan_timeline_segments AS t ON t.loan_id = l.id AND t.from_day <= ${day} AND t.to_day > ${day}
    WHERE ${inGroups(sql`l.group_id`, groupIds)} AND ${where} AND ${inGroups(sql`t.group_id`, groupIds)}`;
}

const onBooks = sql.raw('t.principal_outstanding > 0 AND t.written_off = 0 AND t.closed = 0');

/**
 * The CTEs that classify every loan on the books on a day; the last, `p`, has per loan: loan_id, member_id, group_id,
 * o (outstanding principal), overdue_principal, overdue_interest, dpd, debt_group, reason, bucket and provision. With
 * groupIds, `p` holds the loans of the members who borrow in those groups (callers keep the groups' own).
 */
export function classifiedLoans(day: number, table: DebtGroupTable, rates: ProvisionRates, memberWorst: boolean, groupIds: GroupIds = null) {
  const [t1, t2, t3, t4] = table.minimumDaysPastDue;
  const [r1, r2, r3] = table.groupAfterRescheduling;
  const [p1, p2, p3, p4, p5] = rates.specificPercent.map(percentUnits);
  // Provision per loan, rounded half up: outstanding x units / 1,000,000 (units are ten-thousandths of a percent).
  const provision = (units: number | undefined) => sql.raw(`((o * ${units ?? 0} * 2 + 1000000) / 2000000)`);
  const columns = sql.raw(`t.loan_id, t.member_id, t.group_id, t.principal_outstanding AS o, t.reschedule_count AS r,
        t.oldest_unpaid_due_day, t.overdue_principal, t.overdue_interest, t.from_day`);
  // A member's worst group is a window over her loans: one sort of the day's loans, where a GROUP BY joined back
  // scanned them twice (measured on `province`: 280 ms against 370 ms).
  const worst = memberWorst ? sql.raw('MAX(own_group) OVER (PARTITION BY member_id)') : sql.raw('own_group');
  return sql`
    WITH s AS (
      SELECT loan_id, member_id, group_id, o, r,
        CASE WHEN oldest_unpaid_due_day IS NULL THEN 0 ELSE ${day} - oldest_unpaid_due_day END AS dpd,
        overdue_principal, overdue_interest, from_day
      FROM (${segmentsOn(day, groupIds, columns, onBooks)})
    ), g AS (
      SELECT s.*,
        CASE WHEN dpd >= ${t4} THEN 5 WHEN dpd >= ${t3} THEN 4 WHEN dpd >= ${t2} THEN 3 WHEN dpd >= ${t1} THEN 2 ELSE 1 END AS by_days,
        CASE WHEN r >= 3 THEN ${r3} WHEN r = 2 THEN ${r2} WHEN r = 1 THEN ${r1} ELSE 1 END AS by_schedule
      FROM s
    ), h AS (
      SELECT g.*, CASE WHEN by_schedule > by_days THEN by_schedule ELSE by_days END AS own_group FROM g
    ), w AS (
      SELECT h.*, ${worst} AS worst FROM h
    ), c AS (
      SELECT w.*, CASE WHEN worst > own_group THEN worst ELSE own_group END AS debt_group,
        CASE WHEN worst > own_group THEN 'member_worst' WHEN by_schedule > by_days THEN 'rescheduling' ELSE 'days_past_due' END AS reason,
        CASE WHEN dpd <= 0 THEN 'current' WHEN dpd <= 30 THEN '1-30' WHEN dpd <= 60 THEN '31-60' WHEN dpd <= 90 THEN '61-90' WHEN dpd <= 180 THEN '91-180' ELSE 'over_180' END AS bucket
      FROM w
    ), p AS (
      SELECT c.*, CASE debt_group WHEN 1 THEN ${provision(p1)} WHEN 2 THEN ${provision(p2)} WHEN 3 THEN ${provision(p3)} WHEN 4 THEN ${provision(p4)} ELSE ${provision(p5)} END AS provision
      FROM c
    )`;
}

export interface ClassifiedAggregate {
  /** Null when the totals were asked for the groups together. */
  groupId: string | null;
  debtGroup: number;
  bucket: string;
  loans: number;
  outstanding: string;
  provision: string;
  par1: string;
  par30: string;
  par90: string;
}

/**
 * Loans on the books on a day in some groups, counted and summed per debt group and aging bucket, and per group when
 * asked (a report without rows needs 19 sums, not 15,000).
 */
export function classifiedTotals(db: FundDatabase, day: number, rules: ClassificationRules, groupIds: GroupIds, byGroup: boolean): ClassifiedAggregate[] {
  const atRisk = (threshold: number) => sql.raw(`CAST(SUM(CASE WHEN dpd > ${threshold} OR r > 0 THEN o ELSE 0 END) AS TEXT)`);
  const group = byGroup ? sql.raw('group_id') : sql.raw('NULL');
  return db.all<ClassifiedAggregate>(sql`${classifiedLoans(day, rules.table, rules.rates, rules.memberWorst, groupIds)}
    SELECT ${group} AS groupId, debt_group AS debtGroup, bucket, COUNT(*) AS loans,
      CAST(SUM(o) AS TEXT) AS outstanding, CAST(SUM(provision) AS TEXT) AS provision,
      ${atRisk(1)} AS par1, ${atRisk(30)} AS par30, ${atRisk(90)} AS par90
    FROM p WHERE ${inGroups(sql`group_id`, groupIds)} GROUP BY ${byGroup ? sql.raw('group_id, ') : sql.raw('')}debt_group, bucket`);
}

export interface ClassifiedLoanRow {
  loanId: string;
  memberId: string;
  groupId: string;
  fromDay: number;
  outstanding: number;
  overduePrincipal: number;
  overdueInterest: number;
  daysPastDue: number;
  debtGroup: number;
  reason: string;
  bucket: string;
  provision: number;
}

/** Loans on the books on a day in some groups that are at least some days past due, classified, worst first. */
export function classifiedPastDue(db: FundDatabase, day: number, rules: ClassificationRules, groupIds: GroupIds, minimumDaysPastDue: number): ClassifiedLoanRow[] {
  return db.all<ClassifiedLoanRow>(sql`${classifiedLoans(day, rules.table, rules.rates, rules.memberWorst, groupIds)}
    SELECT loan_id AS loanId, member_id AS memberId, group_id AS groupId, from_day AS fromDay, o AS outstanding,
      overdue_principal AS overduePrincipal, overdue_interest AS overdueInterest, dpd AS daysPastDue,
      debt_group AS debtGroup, reason, bucket, provision
    FROM p WHERE dpd >= ${minimumDaysPastDue} AND ${inGroups(sql`group_id`, groupIds)} ORDER BY dpd DESC`);
}

/**
 * Over some groups, on each of some days: outstanding principal on the books and the part at risk beyond a number of
 * days past due (the whole balance of each such loan, and of every rescheduled loan): PAR as classifiedTotals counts
 * it, without the debt groups, so a trend over many days stays cheap. One statement for all the days: a few groups'
 * loans are read once each with every segment they have; the whole fund is scanned once over the days' span.
 */
export function portfolioAtRiskOn(db: FundDatabase, days: number[], threshold: number, groupIds: GroupIds) {
  const first = Math.min(...days);
  const last = Math.max(...days);
  const dayList = sql.raw(days.map((day) => `(${Math.trunc(day)})`).join(', '));
  // The segments first (CROSS JOIN keeps that order), each matched with the days it contains.
  const source =
    groupIds !== null && groupIds.length <= fewGroups
      ? sql`loans AS l CROSS JOIN loan_timeline_segments AS t ON t.loan_id = l.id CROSS JOIN d ON t.to_day > d.day AND t.from_day <= d.day WHERE ${inGroups(sql`l.group_id`, groupIds)}`
      : sql`loan_timeline_segments AS t CROSS JOIN d ON t.to_day > d.day AND t.from_day <= d.day WHERE 1 = 1`;
  return db.all<{ day: number; outstanding: string; atRisk: string }>(sql`
    WITH d(day) AS (VALUES ${dayList})
    SELECT d.day AS day, CAST(SUM(t.principal_outstanding) AS TEXT) AS outstanding,
      CAST(SUM(CASE WHEN (t.oldest_unpaid_due_day IS NOT NULL AND d.day - t.oldest_unpaid_due_day > ${threshold}) OR t.reschedule_count > 0 THEN t.principal_outstanding ELSE 0 END) AS TEXT) AS atRisk
    FROM ${source} AND t.to_day > ${first} AND t.from_day <= ${last} AND ${onBooks} AND ${inGroups(sql`t.group_id`, groupIds)}
    GROUP BY d.day`);
}

/** Over some groups: principal fallen due and principal repaid up to it, over every loan's state on a day. */
export function repaymentProgress(db: FundDatabase, day: number, groupIds: GroupIds): { fallenDue: string | null; repaid: string | null } {
  const columns = sql.raw('t.principal_fallen_due, t.principal_paid');
  return db.get<{ fallenDue: string | null; repaid: string | null }>(sql`
    SELECT CAST(SUM(principal_fallen_due) AS TEXT) AS fallenDue,
      CAST(SUM(CASE WHEN principal_paid < principal_fallen_due THEN principal_paid ELSE principal_fallen_due END) AS TEXT) AS repaid
    FROM (${groupSegmentsOn(day, groupIds, columns, sql`1 = 1`)})`) as { fallenDue: string | null; repaid: string | null };
}

/**
 * Members with principal outstanding on a day, with the group of each such loan, over some groups (read in the
 * as-of index's order whatever the groups, so a member borrowing in two groups is counted where she always was).
 */
export function activeBorrowersOn(db: FundDatabase, day: number, groupIds: GroupIds) {
  return db.all<{ memberId: string; groupId: string }>(sql`
    SELECT DISTINCT member_id AS memberId, group_id AS groupId FROM loan_timeline_segments
    WHERE to_day > ${day} AND from_day <= ${day} AND principal_outstanding > 0 AND written_off = 0 AND ${inGroups(sql`group_id`, groupIds)}`);
}
