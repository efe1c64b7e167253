// Loans on the books on a day, classified in SQL from the timeline's covering index: days past due, aging bucket,
// debt group (the member's worst, when the fund says so) and specific provision, aggregated per group or listed.
// The thresholds and rates are the same tables src/domain/classification.ts applies to one loan.
import { sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import type { DebtGroupTable, ProvisionRates } from '../../domain/classification.js';

/** A percentage as an integer number of ten-thousandths of a percent ("2.5" → 25,000), for exact integer SQL. */
function percentUnits(percent: string): number {
  const [whole = '0', fraction = ''] = percent.split('.');
  return Number(whole) * 10_000 + Number(fraction.padEnd(4, '0').slice(0, 4));
}

/**
 * The CTEs that classify every loan on the books on a day; the last, `p`, has per loan: loan_id, member_id, group_id,
 * o (outstanding principal), overdue_principal, overdue_interest, dpd, debt_group, reason, bucket and provision.
 */
export function classifiedLoans(day: number, table: DebtGroupTable, rates: ProvisionRates, memberWorst: boolean) {
  const [t1, t2, t3, t4] = table.minimumDaysPastDue;
  const [r1, r2, r3] = table.groupAfterRescheduling;
  const [p1, p2, p3, p4, p5] = rates.specificPercent.map(percentUnits);
  // Provision per loan, rounded half up: outstanding x units / 1,000,000 (units are ten-thousandths of a percent).
  const provision = (units: number | undefined) => sql.raw(`((o * ${units ?? 0} * 2 + 1000000) / 2000000)`);
  return sql`
    WITH s AS (
      SELECT loan_id, member_id, group_id, principal_outstanding AS o, reschedule_count AS r,
        CASE WHEN oldest_unpaid_due_day IS NULL THEN 0 ELSE ${day} - oldest_unpaid_due_day END AS dpd,
        overdue_principal, overdue_interest, from_day
      FROM loan_timeline_segments
      WHERE to_day > ${day} AND from_day <= ${day} AND principal_outstanding > 0 AND written_off = 0 AND closed = 0
    ), g AS (
      SELECT s.*,
        CASE WHEN dpd >= ${t4} THEN 5 WHEN dpd >= ${t3} THEN 4 WHEN dpd >= ${t2} THEN 3 WHEN dpd >= ${t1} THEN 2 ELSE 1 END AS by_days,
        CASE WHEN r >= 3 THEN ${r3} WHEN r = 2 THEN ${r2} WHEN r = 1 THEN ${r1} ELSE 1 END AS by_schedule
      FROM s
    ), h AS (
      SELECT g.*, CASE WHEN by_schedule > by_days THEN by_schedule ELSE by_days END AS own_group FROM g
    ), w AS (
      SELECT member_id, MAX(own_group) AS worst FROM h GROUP BY member_id
    ), c AS (
      SELECT h.*, CASE WHEN ${memberWorst ? 1 : 0} = 1 AND w.worst > h.own_group THEN w.worst ELSE h.own_group END AS debt_group,
        CASE WHEN ${memberWorst ? 1 : 0} = 1 AND w.worst > h.own_group THEN 'member_worst' WHEN h.by_schedule > h.by_days THEN 'rescheduling' ELSE 'days_past_due' END AS reason,
        CASE WHEN dpd <= 0 THEN 'current' WHEN dpd <= 30 THEN '1-30' WHEN dpd <= 60 THEN '31-60' WHEN dpd <= 90 THEN '61-90' WHEN dpd <= 180 THEN '91-180' ELSE 'over_180' END AS bucket
      FROM h JOIN w ON w.member_id = h.member_id
    ), p AS (
      SELECT c.*, CASE debt_group WHEN 1 THEN ${provision(p1)} WHEN 2 THEN ${provision(p2)} WHEN 3 THEN ${provision(p3)} WHEN 4 THEN ${provision(p4)} ELSE ${provision(p5)} END AS provision
      FROM c
    )`;
}

export interface ClassifiedAggregate {
  groupId: string;
  debtGroup: number;
  bucket: string;
  loans: number;
  outstanding: string;
  provision: string;
  par1: string;
  par30: string;
  par90: string;
}

/** Loans on the books on a day, counted and summed per group, debt group and aging bucket. */
export function classifiedTotals(db: FundDatabase, day: number, table: DebtGroupTable, rates: ProvisionRates, memberWorst: boolean): ClassifiedAggregate[] {
  const atRisk = (threshold: number) => sql.raw(`CAST(SUM(CASE WHEN dpd > ${threshold} OR r > 0 THEN o ELSE 0 END) AS TEXT)`);
  return db.all<ClassifiedAggregate>(sql`${classifiedLoans(day, table, rates, memberWorst)}
    SELECT group_id AS groupId, debt_group AS debtGroup, bucket, COUNT(*) AS loans,
      CAST(SUM(o) AS TEXT) AS outstanding, CAST(SUM(provision) AS TEXT) AS provision,
      ${atRisk(1)} AS par1, ${atRisk(30)} AS par30, ${atRisk(90)} AS par90
    FROM p GROUP BY group_id, debt_group, bucket`);
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

/** Loans on the books on a day that are at least some days past due, classified, worst first. */
export function classifiedPastDue(db: FundDatabase, day: number, table: DebtGroupTable, rates: ProvisionRates, memberWorst: boolean, minimumDaysPastDue: number): ClassifiedLoanRow[] {
  return db.all<ClassifiedLoanRow>(sql`${classifiedLoans(day, table, rates, memberWorst)}
    SELECT loan_id AS loanId, member_id AS memberId, group_id AS groupId, from_day AS fromDay, o AS outstanding,
      overdue_principal AS overduePrincipal, overdue_interest AS overdueInterest, dpd AS daysPastDue,
      debt_group AS debtGroup, reason, bucket, provision
    FROM p WHERE dpd >= ${minimumDaysPastDue} ORDER BY dpd DESC`);
}

/**
 * Per group: outstanding principal on the books on a day, and the part at risk beyond a number of days past due (the
 * whole balance of each such loan, and of every rescheduled loan): PAR as classifiedTotals counts it, without the
 * debt groups, so a trend over many days stays cheap.
 */
export function portfolioAtRisk(db: FundDatabase, day: number, threshold: number) {
  return db.all<{ groupId: string; outstanding: string; atRisk: string }>(sql`
    SELECT group_id AS groupId, CAST(SUM(principal_outstanding) AS TEXT) AS outstanding,
      CAST(SUM(CASE WHEN (oldest_unpaid_due_day IS NOT NULL AND ${day} - oldest_unpaid_due_day > ${threshold}) OR reschedule_count > 0 THEN principal_outstanding ELSE 0 END) AS TEXT) AS atRisk
    FROM loan_timeline_segments
    WHERE to_day > ${day} AND from_day <= ${day} AND principal_outstanding > 0 AND written_off = 0 AND closed = 0
    GROUP BY group_id`);
}

/** Per group: principal fallen due and principal repaid up to it, over every loan's state on a day. */
export function repaymentProgress(db: FundDatabase, day: number) {
  return db.all<{ groupId: string; fallenDue: string; repaid: string }>(sql`
    SELECT group_id AS groupId, CAST(SUM(principal_fallen_due) AS TEXT) AS fallenDue,
      CAST(SUM(CASE WHEN principal_paid < principal_fallen_due THEN principal_paid ELSE principal_fallen_due END) AS TEXT) AS repaid
    FROM loan_timeline_segments WHERE to_day > ${day} AND from_day <= ${day} GROUP BY group_id`);
}

/** Per group: members with principal outstanding on a day (each counted once within her group). */
export function activeBorrowersOn(db: FundDatabase, day: number) {
  return db.all<{ memberId: string; groupId: string }>(sql`
    SELECT DISTINCT member_id AS memberId, group_id AS groupId FROM loan_timeline_segments
    WHERE to_day > ${day} AND from_day <= ${day} AND principal_outstanding > 0 AND written_off = 0`);
}
