// The reads reports are made of: light rows fetched once per report and aggregated in code, so each report is a
// handful of indexed queries whatever its grouping.
import { type SQL, and, asc, eq, gte, inArray, isNull, lte, or, sql } from 'drizzle-orm';
import { type FundDatabase, jsonTuples } from '../../../db/client.js';
import {
  accrualKeys,
  accrualParts,
  areas,
  groups,
  loanTerms,
  loanTimelineSegments,
  loanTransactions,
  loans,
  members,
  memberships,
  plans,
  povertyStatusChanges,
  provisionRuns,
  savingsTransactions,
  transactionReversals,
  users,
} from '../../../db/schema.js';
import type { Actor } from '../shared/access.js';
import { scopeCondition } from '../registry/registry.repo.js';
import { type GroupIds, fewGroups, inGroups } from './classification.repo.js';

export interface GroupRow {
  id: string;
  code: string;
  name: string;
  areaPath: string;
  officerId: string | null;
  formedOn: string;
  dissolvedOn: string | null;
}

/**
 * The groups a report covers: what the actor may see, within an area's subtree when one is named, in no particular
 * order (the reports order their rows themselves). Read as arrays and in the table's own order: a province's 5,000
 * groups cost twice as much through the query builder's row mapping, and half again as objects in the order of codes.
 */
export function groupsCovered(db: FundDatabase, actor: Actor, areaPath: string | undefined): GroupRow[] {
  return db
    .values<[id: string, code: string, name: string, areaPath: string, officerId: string | null, formedOn: string, dissolvedOn: string | null]>(sql`
    SELECT ${groups.id}, ${groups.code}, ${groups.name}, ${areas.path}, ${groups.officerId}, ${groups.formedOn}, ${groups.dissolvedOn}
    FROM ${groups} INNER JOIN ${areas} ON ${areas.id} = ${groups.areaId}
    WHERE ${and(scopeCondition(actor), areaPath ? sql`${areas.path} LIKE ${`${areaPath}%`}` : undefined) ?? sql`1 = 1`}`)
    .map(([id, code, name, path, officerId, formedOn, dissolvedOn]) => ({ id, code, name, areaPath: path, officerId, formedOn, dissolvedOn }));
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

/**
 * The members a report over some groups can count: whoever belonged to one of them at any time, or borrowed in one. A
 * report over the whole fund reads every member.
 */
const membersReached = (groupIds: GroupIds) =>
  sql`(SELECT member_id FROM ${memberships} WHERE ${inGroups(sql`group_id`, groupIds)} UNION SELECT member_id FROM ${loans} WHERE ${inGroups(sql`group_id`, groupIds)})`;

/** What outreach counts of each member it reaches: her split (splitKeySeparator between its parts), and her groups. */
export type MemberInPeriod = [id: string, split: string, joinedInto: string | null, groupOnLastDay: string | null];

/** Between the sex, the ethnicity and the household status in a member's split: none of their codes holds it. */
export const splitKeySeparator = '|';

/**
 * Every member a report over some groups reaches (all of them for the whole fund), each with her split on a period's
 * last day (sex, ethnicity and her household's poverty status then: its last change by the day, `other` before any),
 * her group when she joined the fund in the period, and the group she belonged to on its last day: looked up member by
 * member in the covering indexes on member and day. Reading the status history and the memberships whole, to join them
 * to the members in code, cost more on a province (45,000 members); so did a text for each part of the split, or her
 * joining day and group for every member.
 */
export function membersInPeriod(db: FundDatabase, from: string, to: string, groupIds: GroupIds): MemberInPeriod[] {
  const separator = sql`${splitKeySeparator}`;
  return jsonTuples<MemberInPeriod>(
    db,
    sql`SELECT m.id,
        m.sex || ${separator} || m.ethnicity || ${separator} || COALESCE((SELECT p.status FROM ${povertyStatusChanges} AS p
          WHERE p.member_id = m.id AND p.effective_on <= ${to} ORDER BY p.effective_on DESC, p.id DESC LIMIT 1), 'other') AS split,
        CASE WHEN m.joined_on >= ${from} AND m.joined_on <= ${to} THEN m.group_id END AS joined_into,
        (SELECT s.group_id FROM ${memberships} AS s WHERE s.member_id = m.id AND s.joined_on <= ${to} AND (s.left_on IS NULL OR s.left_on > ${to})
          ORDER BY s.joined_on DESC, s.id DESC LIMIT 1) AS group_on_last_day
      FROM ${members} AS m WHERE ${groupIds === null ? sql`1 = 1` : sql`m.id IN ${membersReached(groupIds)}`}`,
    ['id', 'split', 'joined_into', 'group_on_last_day'],
  );
}

/**
 * The members whose household moved in a range from one of some statuses to one of others, each with her group now: a
 * change dated in the range to one of `toStatuses`, from one of `fromStatuses` as the change before it had it (which
 * may be in the range too).
 */
export function householdsMovedBetween(db: FundDatabase, from: string, to: string, fromStatuses: readonly string[], toStatuses: readonly string[]): [memberId: string, groupId: string][] {
  const among = (statuses: readonly string[]) => sql`(${sql.join(statuses.map((status) => sql`${status}`), sql`, `)})`;
  return jsonTuples<[string, string]>(
    db,
    sql`SELECT DISTINCT c.member_id, (SELECT m.group_id FROM ${members} AS m WHERE m.id = c.member_id) AS group_id FROM ${povertyStatusChanges} AS c
      WHERE c.effective_on >= ${from} AND c.effective_on <= ${to} AND c.status IN ${among(toStatuses)}
        AND (SELECT b.status FROM ${povertyStatusChanges} AS b WHERE b.member_id = c.member_id AND (b.effective_on < c.effective_on OR (b.effective_on = c.effective_on AND b.id < c.id))
          ORDER BY b.effective_on DESC, b.id DESC LIMIT 1) IN ${among(fromStatuses)}`,
    ['member_id', 'group_id'],
  );
}

/**
 * The loans disbursed in a range, in some groups or all, in the order they were disbursed (day, then loan): a member
 * who borrowed in two groups counts in the group of her latest, whichever path SQLite reads them by.
 */
export function disbursementsBetween(db: FundDatabase, from: string, to: string, groupIds: GroupIds): [memberId: string, groupId: string, principal: number][] {
  return jsonTuples(
    db,
    sql`SELECT id, member_id, group_id, principal, disbursed_on FROM ${loans} WHERE disbursed_on >= ${from} AND disbursed_on <= ${to} AND ${inGroups(sql`group_id`, groupIds)}`,
    ['member_id', 'group_id', 'principal'],
    ['disbursed_on', 'id'],
  );
}

/** A timeline segment's accrual state as stored (exact whole numbers as text): what penalty to date is computed from. */
export type SegmentAccrual = Record<(typeof accrualKeys)[number], string>;

/** What the arrears list needs beyond a loan's classification: its terms, its segment's accrual state and its member's contact. */
export interface ArrearsDetail {
  terms: string;
  accrual: SegmentAccrual;
  fullName: string;
  phone: string | null;
}

/**
 * The details of some past-due loans, each with the timeline segment it was classified on, in the order given: a page
 * of the list or the whole fund's tens of thousands, in a few statements rather than a round trip for each loan. Each
 * segment's accrual comes from the timeline's arrears index (db/schema.ts), sought by loan and first day in the loans'
 * order: a row each from the whole table cost two to three times as much (province: 270-480 ms against 110-200). A
 * loan's terms come by their id from the loans' report index, and each id's terms once: a fund's loans share a few, and
 * each loan's own copy of 600 bytes, read from its row and grouped, cost 3.5 times as much (a tenth: 16 ms against 4.5).
 * A member is reached by her id, not through her loan's row.
 */
export function arrearsDetailsOf(db: FundDatabase, pastDue: readonly { loanId: string; memberId: string; fromDay: number }[]): ArrearsDetail[] {
  const byLoan = pastDue.map((loan, at) => [loan.loanId, loan.fromDay, at] as const).sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : a[1] - b[1]));
  const [accruals] = db.values<[string]>(sql`
    WITH k AS (SELECT value ->> 0 AS loan_id, value ->> 1 AS from_day, value ->> 2 AS at FROM json_each(${JSON.stringify(byLoan)}))
    SELECT json_group_array(json_array(k.at, ${sql.join(accrualParts(sql`t.accrual`), sql`, `)}))
    FROM k JOIN ${loanTimelineSegments} AS t INDEXED BY loan_timeline_arrears_idx ON t.loan_id = k.loan_id AND t.from_day = k.from_day AND t.oldest_unpaid_due_day IS NOT NULL`)[0] as [string];
  const loansOnTerms = db.values<[termsId: number | null, loansAt: string]>(sql`
    SELECT l.terms_id, json_group_array(k.key) FROM json_each(${JSON.stringify(pastDue.map((loan) => loan.loanId))}) AS k
      JOIN ${loans} AS l INDEXED BY loans_report_idx ON l.id = k.value
    GROUP BY l.terms_id`);
  const termsById = new Map(
    db.values<[id: number, terms: string]>(sql`SELECT id, terms FROM ${loanTerms} WHERE id IN (SELECT value FROM json_each(${JSON.stringify(loansOnTerms.map(([termsId]) => termsId))}))`),
  );
  const termsOfLoan = new Array<string | undefined>(pastDue.length);
  for (const [termsId, loansAt] of loansOnTerms) {
    const terms = termsId === null ? undefined : termsById.get(termsId);
    for (const at of JSON.parse(loansAt) as number[]) {
      if (terms === undefined) throw new Error(`the past-due loan ${pastDue[at]?.loanId} has no terms kept under the id ${termsId}`);
      termsOfLoan[at] = terms;
    }
  }
  const memberIds = [...new Set(pastDue.map((loan) => loan.memberId))].sort();
  const contactOf = new Map(
    db.values<[id: string, fullName: string, phone: string | null]>(sql`
      SELECT m.id, m.full_name, m.phone FROM json_each(${JSON.stringify(memberIds)}) AS k JOIN ${members} AS m ON m.id = k.value`).map(([id, fullName, phone]) => [id, { fullName, phone }]),
  );
  const details = new Array<ArrearsDetail | undefined>(pastDue.length);
  for (const [at, ...parts] of JSON.parse(accruals) as [number, ...(string | null)[]][]) {
    const loan = pastDue[at] as (typeof pastDue)[number];
    if (details[at]) throw new Error(`the past-due loan ${loan.loanId} has two segments from the day it was classified on`);
    const terms = termsOfLoan[at];
    if (terms === undefined) throw new Error(`the past-due loan ${loan.loanId} has no loan row`);
    const contact = contactOf.get(loan.memberId);
    if (!contact) throw new Error(`the past-due loan ${loan.loanId} has no member ${loan.memberId}`);
    // The parts come in accrualKeys' order, as the statement names them; a part a segment does not hold is none yet.
    const accrual = Object.fromEntries(accrualKeys.map((key, part) => [key, parts[part] ?? '0'])) as SegmentAccrual;
    details[at] = { terms, accrual, fullName: contact.fullName, phone: contact.phone };
  }
  // Array.from visits the holes a missing row leaves; map would skip them and hand the holes on.
  return Array.from(details, (detail, at) => {
    if (!detail) throw new Error(`the past-due loan ${pastDue[at]?.loanId} has no segment from the day it was classified on`);
    return detail;
  });
}

/**
 * Per group: principal and interest of installments falling due in a range, and what was paid on them by their due date
 * (on time) and by a later day, each installment counted at most up to what it asked (MIN is null for an installment
 * nothing was paid on, so SUM leaves it out). One pass over the installments, the payments of each read by a seek into
 * a covering index (a join and GROUP BY per installment cost four times as much).
 *
 * Each installment is counted as the schedule in force on its due date asked it: a rescheduling keeps the installments
 * due on or before its effective day at what had been paid on them, which is not what fell due then, so a loan's first
 * version counts until its next one takes effect, and a later rescheduling never changes a past period's rate. An
 * installment falling due after its loan left the books (written off, or paid off early) fell due on no loan.
 */
export function dueAndPaidBetween(db: FundDatabase, from: string, to: string, paidBy: string, groupIds: GroupIds) {
  const paid = (onOrBefore: SQL) => sql`(SELECT SUM(CASE WHEN ral.paid_on <= ${onOrBefore} THEN ral.principal + ral.interest ELSE 0 END)
      FROM repayment_allocation_lines AS ral WHERE ral.loan_id = si.loan_id AND ral.installment_number = si.number)`;
  // The range's installments first, put in their loans' order so that each one's loan (from the covering index: the
  // planner would otherwise read loan rows) and payments are sought in key order, walking the indexes forward (a month on
  // a province: 62 ms against 72 in the order of due dates); for a few groups, their loans first and each one's
  // installments by its key.
  const source =
    groupIds !== null && groupIds.length <= fewGroups
      ? sql`loans AS l CROSS JOIN schedule_installments AS si ON si.loan_id = l.id`
      : sql`(SELECT loan_id, number, version, due_on, principal_due, interest_due FROM schedule_installments WHERE due_on >= ${from} AND due_on <= ${to} ORDER BY loan_id) AS si
          CROSS JOIN loans AS l INDEXED BY loans_report_idx ON l.id = si.loan_id`;
  const versionInForce = sql`CASE WHEN l.reschedule_count = 0 THEN 1 ELSE (SELECT MAX(sv.version) FROM schedule_versions AS sv
      WHERE sv.loan_id = si.loan_id AND (sv.version = 1 OR sv.effective_on < si.due_on)) END`;
  return db.all<{ groupId: string; due: string; onTime: string | null; byDay: string | null }>(sql`
    SELECT group_id AS groupId, CAST(SUM(due) AS TEXT) AS due,
      CAST(SUM(MIN(on_time, due)) AS TEXT) AS onTime, CAST(SUM(MIN(by_day, due)) AS TEXT) AS byDay
    FROM (
      SELECT l.group_id AS group_id, si.principal_due + si.interest_due AS due, ${paid(sql`si.due_on`)} AS on_time, ${paid(sql`${paidBy}`)} AS by_day
      FROM ${source}
      WHERE si.due_on >= ${from} AND si.due_on <= ${to} AND ${inGroups(sql`l.group_id`, groupIds)} AND si.version = ${versionInForce}
        AND NOT (l.status = 'written_off' AND l.written_off_on < si.due_on) AND NOT (l.status = 'closed' AND l.closed_on < si.due_on)
    )
    GROUP BY group_id`);
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

/**
 * Per month (YYYY-MM) and type: the loan money that moved in a range in some groups, reversed transactions left out.
 * A few groups' transactions are read loan by loan; the whole fund's by date, with no join when no group is asked.
 */
export function loanTransactionsByMonth(db: FundDatabase, from: string, to: string, groupIds: GroupIds) {
  const source =
    groupIds === null
      ? sql`loan_transactions AS lt`
      : groupIds.length <= fewGroups
        ? sql`loans AS l CROSS JOIN loan_transactions AS lt ON lt.loan_id = l.id`
        : sql`loan_transactions AS lt CROSS JOIN loans AS l INDEXED BY loans_report_idx ON l.id = lt.loan_id`;
  return db.all<{ month: string; type: string; amount: string }>(sql`
    SELECT substr(lt.transaction_date, 1, 7) AS month, lt.type AS type, CAST(SUM(lt.amount) AS TEXT) AS amount
    FROM ${source}
    WHERE lt.transaction_date >= ${from} AND lt.transaction_date <= ${to}
      AND lt.id NOT IN (SELECT transaction_id FROM transaction_reversals) AND ${inGroups(sql`l.group_id`, groupIds)}
    GROUP BY month, lt.type`);
}

const notReversedSavings = sql`${savingsTransactions.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals})`;

/**
 * The savings of each kind as of a day, of the members who were in some groups that day (or of every member): sums by
 * kind in one pass, where GROUP BY kind sorted every transaction. A member counts in the group of her last membership
 * begun by the day, so a move after it never changes the report; one who had left the fund by then, in the group she
 * left from, where any savings she still held were kept.
 */
export function savingsOn(db: FundDatabase, day: string, groupIds: GroupIds): { compulsory: string | null; voluntary: string | null } {
  const ofMembers =
    groupIds === null
      ? sql`1 = 1`
      : sql`${savingsTransactions.memberId} IN (SELECT m.member_id FROM ${memberships} AS m WHERE ${inGroups(sql`m.group_id`, groupIds)} AND m.joined_on <= ${day}
          AND NOT EXISTS (SELECT 1 FROM ${memberships} AS later WHERE later.member_id = m.member_id AND later.joined_on <= ${day}
            AND (later.joined_on > m.joined_on OR (later.joined_on = m.joined_on AND later.id > m.id))))`;
  return db.get<{ compulsory: string | null; voluntary: string | null }>(sql`
    SELECT CAST(SUM(CASE WHEN ${savingsTransactions.kind} = 'compulsory' THEN ${savingsTransactions.amount} ELSE 0 END) AS TEXT) AS compulsory,
      CAST(SUM(CASE WHEN ${savingsTransactions.kind} = 'voluntary' THEN ${savingsTransactions.amount} ELSE 0 END) AS TEXT) AS voluntary
    FROM ${savingsTransactions}
    WHERE ${savingsTransactions.transactionDate} <= ${day} AND ${notReversedSavings} AND ${ofMembers}`) as { compulsory: string | null; voluntary: string | null };
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

/** The month end of the latest provision run, or null before the first. */
export function lastProvisionRunAsOf(db: FundDatabase): string | null {
  return db.select({ asOf: sql<string | null>`MAX(${provisionRuns.asOf})` }).from(provisionRuns).get()?.asOf ?? null;
}
