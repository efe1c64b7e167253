// Loan classification as of a date (DESIGN.md §5): aging buckets, debt groups (nhóm nợ) from days past due and
// rescheduling, and the provision (dự phòng rủi ro) each group requires. Pure: thresholds and rates are data.
import { Decimal, type PreparedRoundedQuotient, type RoundingModeName, percentFraction, percentOf, prepareRoundedQuotient, roundedQuotientOf } from './money.js';

export const agingBuckets = ['current', '1-30', '31-60', '61-90', '91-180', 'over_180'] as const;
export type AgingBucket = (typeof agingBuckets)[number];

/** The aging bucket's place in agingBuckets, for tallies kept in arrays. */
export function agingBucketIndexOf(daysPastDue: number): number {
  if (daysPastDue <= 0) return 0;
  if (daysPastDue <= 30) return 1;
  if (daysPastDue <= 60) return 2;
  if (daysPastDue <= 90) return 3;
  if (daysPastDue <= 180) return 4;
  return 5;
}

export function agingBucketOf(daysPastDue: number): AgingBucket {
  return agingBuckets[agingBucketIndexOf(daysPastDue)] as AgingBucket;
}

export type DebtGroup = 1 | 2 | 3 | 4 | 5;

export interface DebtGroupTable {
  /** The fewest days past due that put a loan in groups 2, 3, 4 and 5. */
  minimumDaysPastDue: readonly [number, number, number, number];
  /** The group a loan is in at least after its first, second and third (or later) rescheduling. */
  groupAfterRescheduling: readonly [DebtGroup, DebtGroup, DebtGroup];
}

export interface ProvisionRates {
  /** Specific provision, percent of outstanding principal, for groups 1 to 5. */
  specificPercent: readonly [string, string, string, string, string];
  /** General provision, percent of outstanding principal of groups 1 to 4. */
  generalPercent: string;
}

export const debtGroupPresets = {
  // Circular 14/2024 for microfinance: 10 / 30 / 90 / 180 days; rescheduled once, twice, three times.
  microfinance: { minimumDaysPastDue: [10, 30, 90, 180], groupAfterRescheduling: [2, 4, 5] },
  // Circular 31/2024 for banks: 10 / 91 / 181 / 361 days; a rescheduled loan is at least substandard.
  bank: { minimumDaysPastDue: [10, 91, 181, 361], groupAfterRescheduling: [3, 4, 5] },
} as const satisfies Record<string, DebtGroupTable>;

export const provisionPresets = {
  // Decree 86/2024 for microfinance institutions.
  microfinance: { specificPercent: ['0', '2', '25', '50', '100'], generalPercent: '0.5' },
  bank: { specificPercent: ['0', '5', '20', '50', '100'], generalPercent: '0.75' },
} as const satisfies Record<string, ProvisionRates>;

export type DebtGroupReason = 'days_past_due' | 'rescheduling';

/** The group a loan's own days past due put it in (the thresholds ascend, as validDebtGroupTable holds). */
function debtGroupByDays(daysPastDue: number, table: DebtGroupTable): DebtGroup {
  const minimum = table.minimumDaysPastDue;
  if (daysPastDue >= minimum[3]) return 5;
  if (daysPastDue >= minimum[2]) return 4;
  if (daysPastDue >= minimum[1]) return 3;
  if (daysPastDue >= minimum[0]) return 2;
  return 1;
}

function debtGroupBySchedule(rescheduleCount: number, table: DebtGroupTable): DebtGroup {
  return rescheduleCount <= 0 ? 1 : (table.groupAfterRescheduling[Math.min(rescheduleCount, 3) - 1] as DebtGroup);
}

export function debtGroupOf(daysPastDue: number, rescheduleCount: number, table: DebtGroupTable): { debtGroup: DebtGroup; reason: DebtGroupReason } {
  const byDays = debtGroupByDays(daysPastDue, table);
  const bySchedule = debtGroupBySchedule(rescheduleCount, table);
  return bySchedule > byDays ? { debtGroup: bySchedule, reason: 'rescheduling' } : { debtGroup: byDays, reason: 'days_past_due' };
}

/** Specific provision of one loan: its outstanding principal times its group's rate, rounded to the minor unit. */
export function specificProvision(outstandingMinorUnits: bigint, debtGroup: DebtGroup, rates: ProvisionRates, mode: RoundingModeName = 'half_up'): bigint {
  return percentOf(outstandingMinorUnits, rates.specificPercent[debtGroup - 1] as string, mode);
}

/** A loan on the books on a day, as its timeline segment for the day has it: what classifying it needs. */
export interface LoanOnBooks {
  memberId: string;
  /** Outstanding principal in minor units. */
  outstanding: bigint;
  rescheduleCount: number;
  /** Day number of the oldest unpaid due date on the day, or null when nothing is due and unpaid. */
  oldestUnpaidDueDay: number | null;
}

export interface LoanClassification {
  daysPastDue: number;
  bucket: AgingBucket;
  debtGroup: DebtGroup;
  reason: DebtGroupReason | 'member_worst';
  /** Specific provision in minor units, as specificProvision rounds it. */
  provision: bigint;
}

/** Why a loan is in its debt group, numbered as DebtGroupColumns.reasons holds it. */
export const debtGroupReasons = ['days_past_due', 'rescheduling', 'member_worst'] as const satisfies readonly (DebtGroupReason | 'member_worst')[];

/**
 * What tells one member's loans from another's: her id, or her number in the fund (a report over many loans reads the
 * number, which costs less to read and to look up). One kind throughout a call.
 */
export type MemberKey = string | number;

/** Loans on the books as columns, one entry per loan in each, in the same order: what their debt groups need. */
export interface LoanStateColumns {
  memberKeys: readonly MemberKey[];
  rescheduleCounts: readonly number[];
  /** Day number of each loan's oldest unpaid due date on the day, or null when nothing is due and unpaid. */
  oldestUnpaidDueDays: readonly (number | null)[];
}

/** Each loan's days past due, debt group and the reason for it (an index into debtGroupReasons), in the loans' order. */
export interface DebtGroupColumns {
  daysPastDue: Int32Array;
  debtGroups: Uint8Array;
  reasons: Uint8Array;
}

/** Past this, members named by number get places as they first appear rather than a table as long as the largest number. */
const largestMemberTable = 1 << 24;

/**
 * Each loan's member as a place in a table of members, and the table's length: her number itself when the loans name
 * members by number (a typed array indexed by it, where a map of fifty thousand members cost most of the classifying),
 * else a place given as she first appears.
 */
function memberPlaces(members: readonly MemberKey[]): { places: Int32Array; size: number } {
  const places = new Int32Array(members.length);
  let size = 0;
  let numbered = true;
  for (let index = 0; index < members.length; index += 1) {
    const key = members[index];
    if (typeof key !== 'number' || !(key >= 0 && key < largestMemberTable) || !Number.isInteger(key)) {
      numbered = false;
      break;
    }
    places[index] = key;
    if (key >= size) size = key + 1;
  }
  return numbered ? { places, size } : placesAsTheyAppear(members, places);
}

/** Each loan's member as a place given as she first appears (members named by id). */
function placesAsTheyAppear(members: readonly MemberKey[], places: Int32Array): { places: Int32Array; size: number } {
  const placeOf = new Map<MemberKey, number>();
  for (let index = 0; index < members.length; index += 1) {
    const key = members[index] as MemberKey;
    let place = placeOf.get(key);
    if (place === undefined) {
      place = placeOf.size;
      placeOf.set(key, place);
    }
    places[index] = place;
  }
  return { places, size: placeOf.size };
}

/**
 * Days past due and debt group of the loans on the books on a day, together (the worst of each member's loans when
 * memberWorst, since a borrower's loans share her group), as typed columns: a province's fifty thousand loans are
 * classified for every portfolio report, and an object per loan was most of its cost. `loans` must hold every loan
 * on the books of each member it names, or a member's worst group is missed.
 */
export function debtGroupsOn(loans: LoanStateColumns, day: number, rules: { table: DebtGroupTable; memberWorst: boolean }): DebtGroupColumns {
  const count = loans.memberKeys.length;
  const daysPastDue = new Int32Array(count);
  const debtGroups = new Uint8Array(count);
  const reasons = new Uint8Array(count);
  // Each loan's member as a place in a table of her worst own group.
  const members = rules.memberWorst ? memberPlaces(loans.memberKeys) : null;
  const worstOfMember = new Uint8Array(members?.size ?? 0);
  for (let index = 0; index < count; index += 1) {
    const oldestUnpaidDueDay = loans.oldestUnpaidDueDays[index] as number | null;
    const days = oldestUnpaidDueDay === null ? 0 : day - oldestUnpaidDueDay;
    const byDays = debtGroupByDays(days, rules.table);
    const bySchedule = debtGroupBySchedule(loans.rescheduleCounts[index] as number, rules.table);
    const own = bySchedule > byDays ? bySchedule : byDays;
    daysPastDue[index] = days;
    debtGroups[index] = own;
    reasons[index] = bySchedule > byDays ? 1 : 0;
    if (members) {
      const member = members.places[index] as number;
      if (own > (worstOfMember[member] as number)) worstOfMember[member] = own;
    }
  }
  if (members) {
    for (let index = 0; index < count; index += 1) {
      const worst = worstOfMember[members.places[index] as number] as number;
      if (worst > (debtGroups[index] as number)) {
        debtGroups[index] = worst;
        reasons[index] = 2;
      }
    }
  }
  return { daysPastDue, debtGroups, reasons };
}

/**
 * The specific provision of a loan of some outstanding principal in a debt group, as specificProvision rounds it, with
 * each group's rate prepared once for many loans; a rate of nothing costs no arithmetic.
 */
export function specificProvisionsAt(rates: ProvisionRates): (outstandingMinorUnits: bigint, debtGroup: number) => bigint {
  const prepared = rates.specificPercent.map((percent) => provisionQuotient(percent));
  return (outstanding, debtGroup) => {
    const rate = prepared[debtGroup - 1] as PreparedRoundedQuotient;
    return rate.multiplier === 0n ? 0n : roundedQuotientOf(outstanding, rate);
  };
}

/**
 * Classifies the loans on the books on a day together, in their order: days past due, aging bucket, debt group (as
 * debtGroupsOn finds it) and specific provision. `loans` must hold every loan on the books of each member it names.
 */
export function classifyLoansOn(
  loans: readonly LoanOnBooks[],
  day: number,
  rules: { table: DebtGroupTable; rates: ProvisionRates; memberWorst: boolean },
): LoanClassification[] {
  const { classificationOf } = classifiedColumns(
    { memberKeys: loans.map((loan) => loan.memberId), rescheduleCounts: loans.map((loan) => loan.rescheduleCount), oldestUnpaidDueDays: loans.map((loan) => loan.oldestUnpaidDueDay) },
    day,
    rules,
  );
  return loans.map((loan, index) => classificationOf(index, loan.outstanding));
}

/**
 * The same over loans as columns: their days past due and debt groups, and each one's whole classification made when
 * asked for by its place and outstanding principal, so that a list showing a few of many loans makes objects for those.
 */
export function classifiedColumns(
  loans: LoanStateColumns,
  day: number,
  rules: { table: DebtGroupTable; rates: ProvisionRates; memberWorst: boolean },
): DebtGroupColumns & { classificationOf: (index: number, outstanding: bigint) => LoanClassification } {
  const columns = debtGroupsOn(loans, day, rules);
  const { daysPastDue, debtGroups, reasons } = columns;
  const provisionOf = specificProvisionsAt(rules.rates);
  return {
    ...columns,
    classificationOf(index, outstanding) {
      const debtGroup = debtGroups[index] as DebtGroup;
      const days = daysPastDue[index] as number;
      return { daysPastDue: days, bucket: agingBucketOf(days), debtGroup, reason: debtGroupReasons[reasons[index] as number] as LoanClassification['reason'], provision: provisionOf(outstanding, debtGroup) };
    },
  };
}

/** A group's specific provision rate, prepared once for many loans, rounded as specificProvision rounds it. */
function provisionQuotient(percent: string): PreparedRoundedQuotient {
  const { numerator, denominator } = percentFraction(percent);
  return prepareRoundedQuotient(numerator, denominator, 'half_up');
}

/** General provision: a percentage of the outstanding principal of groups 1 to 4 together. */
export function generalProvision(outstandingGroups1to4: bigint, rates: ProvisionRates, mode: RoundingModeName = 'half_up'): bigint {
  return percentOf(outstandingGroups1to4, rates.generalPercent, mode);
}


export function validDebtGroupTable(table: DebtGroupTable): boolean {
  const [a, b, c, d] = table.minimumDaysPastDue;
  const [first, second, third] = table.groupAfterRescheduling;
  // A rescheduled loan is no longer a current one (group 2 at least, in both of the regulations' tables).
  return a >= 1 && a < b && b < c && c < d && first >= 2 && first <= second && second <= third;
}

/**
 * Provision rates a fund can hold: the specific rate never falls as debt worsens, and on a loan of groups 1 to 4 the
 * specific and general rates together never pass 100 %, so the provision never exceeds what is lent.
 */
export function validProvisionRates(rates: ProvisionRates): boolean {
  const specific = rates.specificPercent.map((percent) => new Decimal(percent));
  const general = new Decimal(rates.generalPercent);
  const rising = specific.every((rate, index) => index === 0 || rate.gte(specific[index - 1] as Decimal));
  return rising && specific.every((rate, index) => (index < 4 ? rate.plus(general) : rate).lte(100));
}
