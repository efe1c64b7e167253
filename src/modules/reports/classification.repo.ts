// Loans on the books on a day, read from the timeline's covering index and classified by src/domain/classification.ts
// (days past due, aging bucket, debt group, the member's worst when the fund says so, specific provision), aggregated
// per group or listed; and the other as-of reads of the timeline: PAR over many days, repayment progress, borrowers.
import { type SQL, sql } from 'drizzle-orm';
import { type FundDatabase, jsonTuples } from '../../../db/client.js';
import { openEndedDay } from '../loans/loan-read-models.js';
import { type DebtGroupTable, type LoanOnBooks, type LoanStateColumns, type ProvisionRates, agingBucketIndexOf, agingBuckets, classifiedColumns, debtGroupsOn, specificProvisionsAt } from '../../domain/classification.js';

/** The fund's classification settings, as settings.service's classificationRules reads them. */
export interface ClassificationRules {
  table: DebtGroupTable;
  rates: ProvisionRates;
  memberWorst: boolean;
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

/** Bounded segments longer than this (two months) are also kept in loan_timeline_long_idx (db/schema.ts). */
const longSpanDays = 62;

/**
 * Every loan's timeline segment containing a day (`where` on its columns too), as three ranges of the as-of indexes,
 * which are ordered by the day a segment ends: those ending within two months of the day; the few longer bounded ones,
 * from an index of their own; and the open-ended ones that had begun by the day. One range from the day on would also
 * pass through every loan's future segments (296,000 index entries on a province today for 100,000 segments, 411,000
 * for 30 June; 120,000 this way). The constants are written into the SQL: SQLite takes a partial index only for a
 * query that states its condition.
 */
export function segmentsContaining(day: number, columns: SQL, where: SQL): SQL {
  return sql.join(
    rangesContaining(day).map((range) => sql`SELECT ${columns} FROM loan_timeline_segments AS t WHERE ${range} AND ${where}`),
    sql` UNION ALL `,
  );
}

/** segmentsContaining's three ranges, each as a condition on segments `t`. */
function rangesContaining(day: number): SQL[] {
  const long = sql.raw(String(longSpanDays));
  const openEnded = sql.raw(String(openEndedDay));
  return [
    sql`t.to_day > ${day} AND t.to_day <= ${day + longSpanDays} AND t.from_day <= ${day}`,
    sql`t.to_day > ${day + longSpanDays} AND t.to_day < ${openEnded} AND t.to_day - t.from_day > ${long} AND t.from_day <= ${day}`,
    sql`t.to_day = ${openEnded} AND t.from_day <= ${day}`,
  ];
}

/**
 * The timeline segments containing a day, of the loans a read needs: every loan, or (for a few groups) the loans of
 * every member who has a loan in them, so that a member's worst group still sees her loans elsewhere. `where` is on
 * the segment's columns. Callers filter to their groups; the rows are the same segments either way.
 */
function segmentsOn(day: number, groupIds: GroupIds, columns: SQL, where: SQL): SQL {
  if (groupIds === null || groupIds.length > fewGroups) return segmentsContaining(day, columns, where);
  return sql`SELECT ${columns} FROM loans AS l JOIN loan_timeline_segments AS t ON t.loan_id = l.id AND t.from_day <= ${day} AND t.to_day > ${day}
    WHERE l.member_id IN (SELECT member_id FROM loans WHERE ${inGroups(sql`group_id`, groupIds)}) AND ${where}`;
}

/** The same for reads that need only the groups' own loans (no member's other loans), already kept to the groups. */
function groupSegmentsOn(day: number, groupIds: GroupIds, columns: SQL, where: SQL): SQL {
  if (groupIds === null) return segmentsContaining(day, columns, where);
  if (groupIds.length > fewGroups) return segmentsContaining(day, columns, sql`${where} AND ${inGroups(sql`t.group_id`, groupIds)}`);
  return sql`SELECT ${columns} FROM loans AS l JOIN loan_timeline_segments AS t ON t.loan_id = l.id AND t.from_day <= ${day} AND t.to_day > ${day}
    WHERE ${inGroups(sql`l.group_id`, groupIds)} AND ${where} AND ${inGroups(sql`t.group_id`, groupIds)}`;
}

const onBooksCondition = 't.principal_outstanding > 0 AND t.written_off = 0 AND t.closed = 0';
const onBooks = sql.raw(onBooksCondition);

/** A loan on the books on a day, from its timeline segment for the day. */
export interface LoanOnBooksRow extends LoanOnBooks {
  loanId: string;
  groupId: string;
  overduePrincipal: number;
  overdueInterest: number;
  /** The day the segment starts: its accrual state is as of then. */
  fromDay: number;
}

/**
 * The loans on the books on a day, of every group or (with groupIds) of every member who borrows in them, so that a
 * member's worst group still sees her loans elsewhere.
 */
export function loansOnBooksOn(db: FundDatabase, day: number, groupIds: GroupIds): LoanOnBooksRow[] {
  const columns = ['loan_id', 'member_id', 'group_id', 'principal_outstanding', 'reschedule_count', 'oldest_unpaid_due_day', 'overdue_principal', 'overdue_interest', 'from_day'];
  const tuples = jsonTuples<[string, string, string, number, number, number | null, number, number, number]>(
    db,
    segmentsOn(day, groupIds, sql.raw(columns.map((column) => `t.${column}`).join(', ')), onBooks),
    columns,
  );
  return tuples.map(([loanId, memberId, groupId, outstanding, rescheduleCount, oldestUnpaidDueDay, overduePrincipal, overdueInterest, fromDay]) => ({
    loanId,
    memberId,
    groupId,
    outstanding: BigInt(outstanding),
    rescheduleCount,
    oldestUnpaidDueDay,
    overduePrincipal,
    overdueInterest,
    fromDay,
  }));
}

/**
 * The loans on the books the totals count, as columns (one entry per loan in each): what classifying needs, and each
 * loan's group and outstanding principal. Columns, not an object per loan: a province has fifty thousand. Members and
 * groups come by their numbers, which read and look up at a fraction of their ids' cost.
 */
export interface LoansToTally extends LoanStateColumns {
  /** Each loan's group by its number (groups.number). */
  groupNumbers: readonly number[];
  /** The id of each group the totals may count, by its number; a loan of a group not here is left out. */
  groupIdOf: ReadonlyMap<number, string>;
  /** Outstanding principal in minor units, as SQLite hands a stored amount over (a whole number within 2^53). */
  outstanding: readonly number[];
}

const tallyColumnNames = ['member_number', 'group_number', 'principal_outstanding', 'reschedule_count', 'oldest_unpaid_due_day'] as const;

/** Some columns of the segments `t`, as a select list. */
const segmentColumns = (columns: readonly string[]) => columns.map((column) => `t.${column}`).join(', ');

/** Each of some columns as a JSON array over the segments `t`, or over those of them a filter keeps, under its own name. */
const columnArrays = (columns: readonly string[], filter = '') => columns.map((column) => `json_group_array(t.${column})${filter} AS ${column}`).join(', ');

/** Each of the tally's columns as a JSON array over the segments `t`, or over those of them a filter keeps. */
const tallyArrays = (filter = '') => sql.raw(columnArrays(tallyColumnNames, filter));

type TallyArrays = Record<(typeof tallyColumnNames)[number], string>;

/** The ids of some groups (every group of the fund for null) by their numbers. */
function groupIdsByNumber(db: FundDatabase, groupIds: GroupIds): Map<number, string> {
  const [numbers, ids] = db.values<[string, string]>(
    sql`SELECT json_group_array(g.number), json_group_array(g.id) FROM groups AS g WHERE ${groupIds === null ? sql`1 = 1` : sql`g.id IN (SELECT value FROM json_each(${JSON.stringify(groupIds)}))`}`,
  )[0] as [string, string];
  const idList = JSON.parse(ids) as string[];
  return new Map((JSON.parse(numbers) as number[]).map((number, at) => [number, idList[at] as string]));
}

function loansToTallyOf(arrays: TallyArrays, groupIdOf: ReadonlyMap<number, string>): LoansToTally {
  return {
    memberKeys: JSON.parse(arrays.member_number) as number[],
    groupNumbers: JSON.parse(arrays.group_number) as number[],
    groupIdOf,
    outstanding: JSON.parse(arrays.principal_outstanding) as number[],
    rescheduleCounts: JSON.parse(arrays.reschedule_count) as number[],
    oldestUnpaidDueDays: JSON.parse(arrays.oldest_unpaid_due_day) as (number | null)[],
  };
}

/** The loans on the books on a day that classifiedTotals counts, read as one JSON array per column. */
function loansToTallyOn(db: FundDatabase, day: number, groupIds: GroupIds): LoansToTally {
  const columns = sql.raw(segmentColumns(tallyColumnNames));
  return loansToTallyOf(db.get<TallyArrays>(sql`SELECT ${tallyArrays()} FROM (${segmentsOn(day, groupIds, columns, onBooks)}) AS t`) as TallyArrays, groupIdsByNumber(db, groupIds));
}

/** The days past due beyond which PAR1, PAR30 and PAR90 count a loan's balance. */
const atRiskBeyond = [1, 30, 90] as const;

/** The row a group's loans are counted in (a group's own id, its commune's, its officer's), or null for none. */
export type RowKeyOf = (groupId: string) => string | null;

/** Each group its own row. */
export const eachGroup: RowKeyOf = (groupId) => groupId;

export interface ClassifiedAggregate {
  /** The row's key, as rowOf gave it; null when the totals were asked for the groups together. */
  key: string | null;
  debtGroup: number;
  bucket: string;
  loans: number;
  /** Amounts in minor units. */
  outstanding: bigint;
  provision: bigint;
  par1: bigint;
  par30: bigint;
  par90: bigint;
}

/**
 * Loans on the books on a day in some groups, counted and summed per debt group and aging bucket, and per row when
 * asked (rowOf): a report without rows needs 19 sums, not 15,000, and one by commune a few thousand.
 */
export function classifiedTotals(db: FundDatabase, day: number, rules: ClassificationRules, groupIds: GroupIds, rowOf: RowKeyOf | null): ClassifiedAggregate[] {
  return tallyClassified(loansToTallyOn(db, day, groupIds), day, rules, groupIds, rowOf);
}

/** The most a 64-bit cell holds. */
const int64Max = 2n ** 63n - 1n;

/** Loans on the books classified and counted per debt group and aging bucket, and per row when asked. */
export function tallyClassified(loans: LoansToTally, day: number, rules: ClassificationRules, groupIds: GroupIds, rowOf: RowKeyOf | null): ClassifiedAggregate[] {
  const { daysPastDue, debtGroups } = debtGroupsOn(loans, day, rules);
  const provisionOf = specificProvisionsAt(rules.rates);
  const wanted = groupIds === null ? null : new Set(groupIds);
  // Cells per row (or one place for the groups together), per debt group, per aging bucket, numbered, with a row's
  // place given when its first group appears and each group's place looked up once. A cell takes a slot when its first
  // loan comes, and a slot's sums live in a 64-bit typed array: an object of bigints per cell (fifteen thousand of them
  // by group on a province) had every addition store a new bigint into an older object, and the loop by group took
  // fifteen times the fund's. Counting by the report's own rows spares the report a second pass over every group's cells.
  const cellsPerRow = 5 * agingBuckets.length;
  // Each group's place by its number, worked out when its first loan comes (unknown until then).
  const unknown = -2;
  let largestGroupNumber = 0;
  for (const groupNumber of loans.groupIdOf.keys()) if (groupNumber > largestGroupNumber) largestGroupNumber = groupNumber;
  const placeOfGroup = new Int32Array(largestGroupNumber + 1).fill(unknown);
  const placeOfKey = new Map<string | null, number>();
  const keyOfPlace: (string | null)[] = [];
  let slotOfCell = new Int32Array(cellsPerRow * 64).fill(-1);
  const leftOut = -1;
  /**
   * The place of a group's row, the first time one of its loans comes; leftOut for a group the totals do not count. Over
   * every group, a loan whose timeline names no group the fund has (a row made before timelines carried their group)
   * still counts in the total, in no row, as it did when loans were keyed by their group's id.
   */
  const placeOfGroupNumbered = (groupNumber: number): number => {
    const groupId = loans.groupIdOf.get(groupNumber);
    if (wanted && (groupId === undefined || !wanted.has(groupId))) return leftOut;
    const key = rowOf && groupId !== undefined ? rowOf(groupId) : null;
    let place = placeOfKey.get(key);
    if (place === undefined) {
      place = keyOfPlace.length;
      placeOfKey.set(key, place);
      keyOfPlace.push(key);
      if ((place + 1) * cellsPerRow > slotOfCell.length) {
        const longer = new Int32Array(slotOfCell.length * 2).fill(-1);
        longer.set(slotOfCell);
        slotOfCell = longer;
      }
    }
    return place;
  };
  const cells: { key: string | null; debtGroup: number; bucket: string }[] = [];
  const loanCounts: number[] = [];
  /**
   * Per slot, five sums in a row: outstanding, provision, and the balances at risk in each band: beyond 1 day but not
   * 30, beyond 30 but not 90, beyond 90 (with every rescheduled loan). PAR1 and PAR30 add up the bands beyond them as
   * the cells are read: one addition per loan at risk rather than three.
   */
  let sums = new BigInt64Array(256 * 5);
  const add = (at: number, amount: bigint) => {
    sums[at] = (sums[at] as bigint) + amount;
  };
  // No cell's sum passes its loans' count times the largest balance or provision among them: 64 bits hold every sum
  // when they hold that for each cell, which is checked before any sum is handed on.
  let largestOutstanding = 0;
  let largestProvision = 0n;
  const count = loans.outstanding.length;
  for (let index = 0; index < count; index += 1) {
    const groupNumber = loans.groupNumbers[index] as number;
    // A number past the table (no group's) is looked up each time: it is no group's, and rare.
    let place = placeOfGroup[groupNumber] ?? placeOfGroupNumbered(groupNumber);
    if (place === unknown) {
      place = placeOfGroupNumbered(groupNumber);
      placeOfGroup[groupNumber] = place;
    }
    if (place === leftOut) continue;
    const days = daysPastDue[index] as number;
    const debtGroup = debtGroups[index] as number;
    const bucketIndex = agingBucketIndexOf(days);
    const cell = place * cellsPerRow + (debtGroup - 1) * agingBuckets.length + bucketIndex;
    let slot = slotOfCell[cell] as number;
    if (slot === -1) {
      slot = cells.length;
      slotOfCell[cell] = slot;
      cells.push({ key: keyOfPlace[place] as string | null, debtGroup, bucket: agingBuckets[bucketIndex] as string });
      loanCounts.push(0);
      if (slot * 5 === sums.length) {
        const longer = new BigInt64Array(sums.length * 2);
        longer.set(sums);
        sums = longer;
      }
    }
    loanCounts[slot] = (loanCounts[slot] as number) + 1;
    const minorUnits = loans.outstanding[index] as number;
    if (minorUnits > largestOutstanding) largestOutstanding = minorUnits;
    const outstanding = BigInt(minorUnits);
    const provision = provisionOf(outstanding, debtGroup);
    const at = slot * 5;
    add(at, outstanding);
    if (provision !== 0n) {
      add(at + 1, provision);
      if (provision > largestProvision) largestProvision = provision;
    }
    // At risk beyond a number of days: the whole balance of each such loan, and of every rescheduled loan.
    const rescheduled = (loans.rescheduleCounts[index] as number) > 0;
    const band = rescheduled || days > atRiskBeyond[2] ? 4 : days > atRiskBeyond[1] ? 3 : days > atRiskBeyond[0] ? 2 : 0;
    if (band !== 0) add(at + band, outstanding);
  }
  const largest = BigInt(largestOutstanding) > largestProvision ? BigInt(largestOutstanding) : largestProvision;
  const mostLoans = loanCounts.reduce((most, loansInCell) => (loansInCell > most ? loansInCell : most), 0);
  if (BigInt(mostLoans) * largest > int64Max) throw new Error(`${mostLoans} loans of up to ${largest} in one cell may pass what the totals' 64-bit sums hold`);
  // In the cells' order: by row as each first appeared, then debt group, then aging bucket.
  const totals: ClassifiedAggregate[] = [];
  for (let cell = 0; cell < keyOfPlace.length * cellsPerRow; cell += 1) {
    const slot = slotOfCell[cell] as number;
    if (slot === -1) continue;
    const { key, debtGroup, bucket } = cells[slot] as (typeof cells)[number];
    const at = slot * 5;
    totals.push({
      key,
      debtGroup,
      bucket,
      loans: loanCounts[slot] as number,
      outstanding: sums[at] as bigint,
      provision: sums[at + 1] as bigint,
      par1: (sums[at + 2] as bigint) + (sums[at + 3] as bigint) + (sums[at + 4] as bigint),
      par30: (sums[at + 3] as bigint) + (sums[at + 4] as bigint),
      par90: sums[at + 4] as bigint,
    });
  }
  return totals;
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

/** What classifiedPastDue reads of every loan on the books: what classifying needs, members by their numbers. */
const classifyingColumnNames = ['member_number', 'principal_outstanding', 'reschedule_count', 'oldest_unpaid_due_day'] as const;

/** And of each loan at least the days past due asked for, which the list shows: a fraction of them. */
const pastDueColumnNames = ['loan_id', 'member_id', 'group_id', 'overdue_principal', 'overdue_interest', 'from_day'] as const;

type PastDueArrays = Record<(typeof classifyingColumnNames)[number] | (typeof pastDueColumnNames)[number], string>;

/**
 * Loans on the books on a day in some groups that are at least some days past due, classified, worst first. Every loan
 * on the books is read (a member's worst group counts her loans everywhere) as one JSON array per column, as the
 * totals read them; the columns only the list shows come for the loans it lists, and a row is made for each of those.
 */
export function classifiedPastDue(db: FundDatabase, day: number, rules: ClassificationRules, groupIds: GroupIds, minimumDaysPastDue: number): ClassifiedLoanRow[] {
  if (!Number.isInteger(day) || !Number.isInteger(minimumDaysPastDue)) throw new Error(`the past-due loans are read for a whole day and number of days, not ${day} and ${minimumDaysPastDue}`);
  const columns = sql.raw(segmentColumns([...classifyingColumnNames, ...pastDueColumnNames]));
  // A loan's own days past due as classifying counts them: the day less its oldest unpaid due day, 0 when nothing is unpaid.
  const pastDue = ` FILTER (WHERE coalesce(${day} - t.oldest_unpaid_due_day, 0) >= ${minimumDaysPastDue})`;
  const arrays = sql.raw(`${columnArrays(classifyingColumnNames)}, ${columnArrays(pastDueColumnNames, pastDue)}`);
  const read = db.get<PastDueArrays>(sql`SELECT ${arrays} FROM (${segmentsOn(day, groupIds, columns, onBooks)}) AS t`) as PastDueArrays;
  const outstandings = JSON.parse(read.principal_outstanding) as number[];
  const loans = {
    memberKeys: JSON.parse(read.member_number) as number[],
    rescheduleCounts: JSON.parse(read.reschedule_count) as number[],
    oldestUnpaidDueDays: JSON.parse(read.oldest_unpaid_due_day) as (number | null)[],
  };
  const loanIds = JSON.parse(read.loan_id) as string[];
  const memberIds = JSON.parse(read.member_id) as string[];
  const loanGroupIds = JSON.parse(read.group_id) as string[];
  const overduePrincipal = JSON.parse(read.overdue_principal) as number[];
  const overdueInterest = JSON.parse(read.overdue_interest) as number[];
  const fromDays = JSON.parse(read.from_day) as number[];
  const classified = classifiedColumns(loans, day, rules);
  const wanted = groupIds === null ? null : new Set(groupIds);
  const rows: ClassifiedLoanRow[] = [];
  // The past-due columns hold the loans classifying finds at least that far past due, in the same order.
  let pastDueAt = 0;
  for (let index = 0; index < outstandings.length; index += 1) {
    if ((classified.daysPastDue[index] as number) < minimumDaysPastDue) continue;
    const at = pastDueAt;
    pastDueAt += 1;
    const groupId = loanGroupIds[at] as string;
    if (wanted && !wanted.has(groupId)) continue;
    const outstanding = outstandings[index] as number;
    const classification = classified.classificationOf(index, BigInt(outstanding));
    rows.push({
      loanId: loanIds[at] as string,
      memberId: memberIds[at] as string,
      groupId,
      fromDay: fromDays[at] as number,
      outstanding,
      overduePrincipal: overduePrincipal[at] as number,
      overdueInterest: overdueInterest[at] as number,
      daysPastDue: classification.daysPastDue,
      debtGroup: classification.debtGroup,
      reason: classification.reason,
      bucket: classification.bucket,
      provision: Number(classification.provision),
    });
  }
  if (pastDueAt !== loanIds.length) throw new Error(`classifying found ${pastDueAt} loans at least ${minimumDaysPastDue} days past due where the timeline read ${loanIds.length}`);
  return rows.sort((a, b) => b.daysPastDue - a.daysPastDue || (a.loanId < b.loanId ? -1 : a.loanId > b.loanId ? 1 : 0));
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

export interface RepaymentProgress {
  fallenDue: string | null;
  repaid: string | null;
}

/** Principal fallen due, and principal repaid up to it, summed over segments `t`. */
const progressSums = sql.raw(`CAST(SUM(t.principal_fallen_due) AS TEXT) AS fallenDue,
  CAST(SUM(CASE WHEN t.principal_paid < t.principal_fallen_due THEN t.principal_paid ELSE t.principal_fallen_due END) AS TEXT) AS repaid`);

/** Over some groups: principal fallen due and principal repaid up to it, over every loan's state on a day. */
export function repaymentProgress(db: FundDatabase, day: number, groupIds: GroupIds): RepaymentProgress {
  const columns = sql.raw('t.principal_fallen_due, t.principal_paid');
  return db.get<RepaymentProgress>(sql`SELECT ${progressSums} FROM (${groupSegmentsOn(day, groupIds, columns, sql`1 = 1`)}) AS t`) as RepaymentProgress;
}

/**
 * What the portfolio report reads of the loans' state on a day: classifiedTotals and repaymentProgress. Over the whole
 * fund both come from one pass over the day's segments (FILTER keeps the loans on the books for the totals), which
 * saves the second scan of a province's hundred thousand segments; over some groups they are read as they are alone.
 */
export function portfolioOn(db: FundDatabase, day: number, rules: ClassificationRules, groupIds: GroupIds, rowOf: RowKeyOf | null): { totals: ClassifiedAggregate[]; progress: RepaymentProgress } {
  if (groupIds !== null) return { totals: classifiedTotals(db, day, rules, groupIds, rowOf), progress: repaymentProgress(db, day, groupIds) };
  // Each of the day's ranges aggregated by a statement of its own: a union feeding one aggregate cost a seventh more.
  const parts = rangesContaining(day).map(
    (range) => db.get<TallyArrays & RepaymentProgress>(sql`SELECT ${tallyArrays(` FILTER (WHERE ${onBooksCondition})`)}, ${progressSums} FROM loan_timeline_segments AS t WHERE ${range}`) as TallyArrays & RepaymentProgress,
  );
  // A column's three JSON arrays joined as text, for one parse each.
  const joined = (column: (typeof tallyColumnNames)[number]) => `[${parts.map((part) => part[column].slice(1, -1)).filter((items) => items !== '').join(',')}]`;
  const loans = loansToTallyOf(Object.fromEntries(tallyColumnNames.map((column) => [column, joined(column)])) as TallyArrays, groupIdsByNumber(db, null));
  const sumOf = (figure: keyof RepaymentProgress) => String(parts.reduce((sum, part) => sum + BigInt(part[figure] ?? '0'), 0n));
  return { totals: tallyClassified(loans, day, rules, null, rowOf), progress: { fallenDue: sumOf('fallenDue'), repaid: sumOf('repaid') } };
}

/**
 * Members with principal outstanding on a day, over some groups, each with the one group she counts in: of the groups
 * of her loans owing that day, the one whose first loan comes last in the as-of index's order (to_day, from_day, loan)
 * whatever the groups, so a member borrowing in two groups is counted where she always was. A few groups' loans are reached
 * through the groups and put in that order; many are read off the index, the order asked for all the same.
 */
export function activeBorrowersOn(db: FundDatabase, day: number, groupIds: GroupIds): Map<string, string> {
  const owing = sql`t.principal_outstanding > 0 AND t.written_off = 0 AND ${inGroups(sql`t.group_id`, groupIds)}`;
  const columns = sql.raw('t.member_id, t.group_id, t.to_day, t.from_day, t.loan_id');
  const pairs =
    groupIds !== null && groupIds.length <= fewGroups
      ? jsonTuples<[string, string]>(
          db,
          sql`SELECT ${columns} FROM loans AS l JOIN loan_timeline_segments AS t ON t.loan_id = l.id
            WHERE ${inGroups(sql`l.group_id`, groupIds)} AND t.to_day > ${day} AND t.from_day <= ${day} AND ${owing}`,
          ['member_id', 'group_id'],
          ['to_day', 'from_day', 'loan_id'],
        )
      : // Ordered in the subquery, where the indexes give the order without a sort (each range in its index's order, the
        // ranges one after another in days; SQLite keeps a subquery's ORDER BY under an order-sensitive aggregate such
        // as json_group_array); should it ever read another way, it sorts.
        jsonTuples<[string, string]>(db, sql`${segmentsContaining(day, columns, owing)} ORDER BY to_day, from_day, loan_id`, ['member_id', 'group_id']);
  return groupOfEachMember(pairs);
}

/**
 * Each member once, in the group whose first pair comes last (SQLite's DISTINCT cost as much again as reading the
 * pairs): a member with loans in one group, as nearly all are, costs one lookup; only one with loans in several keeps
 * the set of her groups already read.
 */
export function groupOfEachMember(pairs: Iterable<readonly [memberId: string, groupId: string]>): Map<string, string> {
  const groupOf = new Map<string, string>();
  const groupsRead = new Map<string, Set<string>>();
  for (const [memberId, groupId] of pairs) {
    const current = groupOf.get(memberId);
    if (current === undefined) {
      groupOf.set(memberId, groupId);
      continue;
    }
    if (current === groupId) continue;
    let read = groupsRead.get(memberId);
    if (!read) {
      read = new Set([current]);
      groupsRead.set(memberId, read);
    }
    if (read.has(groupId)) continue;
    read.add(groupId);
    groupOf.set(memberId, groupId);
  }
  return groupOf;
}
