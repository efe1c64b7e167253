// The outreach report (DESIGN.md §6): groups formed, members who joined, members who borrowed and loans disbursed in
// a period; active groups, members and active borrowers at its end; each split by sex, ethnicity and household
// poverty status, per row of the grouping asked for, and beside the fund's plan.
import { parseIsoDate } from '../../domain/calendar.js';
import { type CurrencyCode, percentage } from '../../domain/money.js';
import type { Actor } from '../shared/access.js';
import type { ServiceContext } from '../shared/context.js';
import { formatAmount } from '../shared/money-input.js';
import { readSettings } from '../settings/settings.service.js';
import { countersByGroup, coverage, Tally, toCsv } from './grouping.js';
import { type OutreachQuery, type PlanMetric, planMetrics } from './report.commands.js';
import * as repo from './report.repo.js';
import { activeBorrowersOn } from './classification.repo.js';

const outOfPoverty = ['recently_out_of_poverty', 'other'];
const poorOrNearPoor = ['poor', 'near_poor'];

interface Figures {
  groupsFormed: number;
  membersJoined: number;
  borrowingMembers: number;
  loansDisbursed: { count: number; amount: bigint };
  activeGroups: number;
  members: number;
  activeBorrowers: number;
  householdsOutOfPoverty: number;
  poorOrNearPoorBorrowers: number;
}

const emptyFigures = (): Figures => ({
  groupsFormed: 0,
  membersJoined: 0,
  borrowingMembers: 0,
  loansDisbursed: { count: 0, amount: 0n },
  activeGroups: 0,
  members: 0,
  activeBorrowers: 0,
  householdsOutOfPoverty: 0,
  poorOrNearPoorBorrowers: 0,
});

type SplitFigures = Pick<Figures, 'membersJoined' | 'borrowingMembers' | 'members' | 'activeBorrowers'>;
const emptySplit = (): SplitFigures => ({ membersJoined: 0, borrowingMembers: 0, members: 0, activeBorrowers: 0 });

/**
 * Where a member counts in the splits: her sex, ethnicity and household status on the period's last day. Members alike
 * share one, so counting a member is three additions, with no lookup; its figures are found the first time it counts.
 */
interface Split {
  sex: string;
  ethnicity: string;
  povertyStatus: string;
  poorOrNearPoor: boolean;
  figures: SplitFigures[] | null;
}

export function outreachReport(context: ServiceContext, actor: Actor, query: OutreachQuery) {
  const db = context.db;
  const currency = readSettings(db).currency as CurrencyCode;
  const scope = coverage(db, actor, query.areaId, query.groupBy);
  const tally = new Tally(emptyFigures);
  const splits = { bySex: new Map<string, SplitFigures>(), byEthnicity: new Map<string, SplitFigures>(), byPovertyStatus: new Map<string, SplitFigures>() };
  const figuresIn = (map: Map<string, SplitFigures>, key: string) => {
    let figures = map.get(key);
    if (!figures) {
      figures = emptySplit();
      map.set(key, figures);
    }
    return figures;
  };
  const countSplit = (split: Split, field: keyof SplitFigures) => {
    split.figures ??= [figuresIn(splits.bySex, split.sex), figuresIn(splits.byEthnicity, split.ethnicity), figuresIn(splits.byPovertyStatus, split.povertyStatus)];
    for (const figures of split.figures) figures[field] += 1;
  };
  const splitOfKey = new Map<string, Split>();
  const splitOf = (key: string): Split => {
    let split = splitOfKey.get(key);
    if (!split) {
      const [sex = '', ethnicity = '', povertyStatus = ''] = key.split(repo.splitKeySeparator);
      split = { sex, ethnicity, povertyStatus, poorOrNearPoor: poorOrNearPoor.includes(povertyStatus), figures: null };
      splitOfKey.set(key, split);
    }
    return split;
  };

  for (const group of scope.groups) {
    const row = scope.rowOf(group.id);
    const formed = group.formedOn >= query.from && group.formedOn <= query.to;
    const active = group.formedOn <= query.to && (group.dissolvedOn === null || group.dissolvedOn > query.to);
    for (const figures of tally.for(row)) {
      if (formed) figures.groupsFormed += 1;
      if (active) figures.activeGroups += 1;
    }
  }

  // Who borrowed in the period, and in which group (her latest disbursement's).
  const borrowers = new Map<string, string>();
  const inGroup = countersByGroup(tally, scope);
  for (const [memberId, groupId, principal] of repo.disbursementsBetween(db, query.from, query.to, scope.groupIdList)) {
    const counters = inGroup(groupId);
    if (!counters) continue;
    for (const figures of counters) {
      figures.loansDisbursed.count += 1;
      figures.loansDisbursed.amount += BigInt(principal);
    }
    borrowers.set(memberId, groupId);
  }
  for (const groupId of borrowers.values()) for (const figures of inGroup(groupId) ?? []) figures.borrowingMembers += 1;
  // Active borrowers as of the end: members with principal outstanding on that day, each counted once.
  const activeBorrowers = activeBorrowersOn(db, parseIsoDate(query.to) as number, scope.groupIdList);
  // A borrower whose loan's timeline names a group the fund's report does not cover (a row made before timelines carried
  // their group) still borrows from the fund: she counts in its total.
  for (const groupId of activeBorrowers.values()) for (const figures of inGroup(groupId) ?? tally.for(null)) figures.activeBorrowers += 1;

  // Then each member once, with her split: what she is counted in is looked up here, rather than her split (a map of
  // every member) looked up for each borrower.
  for (const [id, splitKey, joinedInto, groupOnLastDay] of repo.membersInPeriod(db, query.from, query.to, scope.groupIdList)) {
    const split = splitOf(splitKey);
    const joinedCounters = joinedInto === null ? null : inGroup(joinedInto);
    if (joinedCounters) {
      for (const figures of joinedCounters) figures.membersJoined += 1;
      countSplit(split, 'membersJoined');
    }
    const memberCounters = groupOnLastDay === null ? null : inGroup(groupOnLastDay);
    if (memberCounters) {
      for (const figures of memberCounters) figures.members += 1;
      countSplit(split, 'members');
    }
    const borrowedIn = borrowers.get(id);
    if (borrowedIn !== undefined) {
      countSplit(split, 'borrowingMembers');
      if (split.poorOrNearPoor) for (const figures of inGroup(borrowedIn) ?? []) figures.poorOrNearPoorBorrowers += 1;
    }
    if (activeBorrowers.has(id)) countSplit(split, 'activeBorrowers');
  }
  for (const [, groupId] of repo.householdsMovedBetween(db, query.from, query.to, poorOrNearPoor, outOfPoverty)) {
    for (const figures of inGroup(groupId) ?? []) figures.householdsOutOfPoverty += 1;
  }

  // In the order of the report's figures, as the page and the CSV show them.
  const planned = repo.plansFor(db, query.from, query.to, scope.areaIds).sort((a, b) => planMetrics.indexOf(a.metric as PlanMetric) - planMetrics.indexOf(b.metric as PlanMetric));
  // Figures as integers (amounts in minor units), compared with targets stored the same way.
  const actualOf = (metric: string, figures: Figures): bigint => {
    if (metric === 'loansDisbursed') return BigInt(figures.loansDisbursed.count);
    if (metric === 'amountDisbursed') return figures.loansDisbursed.amount;
    return BigInt(figures[metric as 'groupsFormed' | 'membersJoined' | 'borrowingMembers' | 'householdsOutOfPoverty']);
  };
  const show = (metric: string, value: bigint) => (metric === 'amountDisbursed' ? formatAmount(value, currency) : value.toString());
  const plan = planned.map((target) => {
    const actual = actualOf(target.metric, tally.total);
    // Percent of plan, one decimal, as the fund reports it ("đạt 101.5% kế hoạch").
    const percent = percentage(actual, BigInt(target.target), 1, 'half_up');
    return { metric: target.metric, areaId: target.areaId, target: show(target.metric, BigInt(target.target)), actual: show(target.metric, actual), percentOfPlan: percent };
  });

  const shape = (figures: Figures) => ({ ...figures, loansDisbursed: { count: figures.loansDisbursed.count, amount: formatAmount(figures.loansDisbursed.amount, currency) } });
  const splitOut = (map: Map<string, SplitFigures>) => Object.fromEntries([...map].sort(([a], [b]) => a.localeCompare(b)));
  const kinh = splits.byEthnicity.get('01') ?? emptySplit();
  const minorities = [...splits.byEthnicity].filter(([code]) => code !== '01').reduce((sum, [, figures]) => ({
    membersJoined: sum.membersJoined + figures.membersJoined,
    borrowingMembers: sum.borrowingMembers + figures.borrowingMembers,
    members: sum.members + figures.members,
    activeBorrowers: sum.activeBorrowers + figures.activeBorrowers,
  }), emptySplit());
  const report = {
    from: query.from,
    to: query.to,
    areaId: scope.areaId,
    groupBy: query.groupBy ?? null,
    currency,
    totals: shape(tally.total),
    splits: {
      bySex: splitOut(splits.bySex),
      byEthnicity: { kinh, minorities, byCode: splitOut(splits.byEthnicity) },
      byPovertyStatus: splitOut(splits.byPovertyStatus),
    },
    plan,
    rows: tally.sortedRows().map((row) => ({ key: row.key, code: row.code, name: row.name, ...shape(row.value) })),
  };
  return report;
}

export type OutreachReport = ReturnType<typeof outreachReport>;

/** The figure each target of the plan is set for, by its name in the report's CSV (and in the web app's words). */
export const planFigureOf = {
  groupsFormed: 'groupsFormed',
  membersJoined: 'membersJoined',
  borrowingMembers: 'borrowingMembers',
  loansDisbursed: 'loansDisbursedCount',
  amountDisbursed: 'loansDisbursedAmount',
  householdsOutOfPoverty: 'householdsOutOfPoverty',
} as const satisfies Record<PlanMetric, string>;

export function outreachCsv(report: OutreachReport): string {
  const header = [
    'row',
    'code',
    'name',
    'groupsFormed',
    'membersJoined',
    'borrowingMembers',
    'loansDisbursedCount',
    'loansDisbursedAmount',
    'activeGroups',
    'members',
    'activeBorrowers',
    'householdsOutOfPoverty',
    'poorOrNearPoorBorrowers',
  ];
  const line = (kind: string, code: string, name: string, figures: OutreachReport['totals']) => [
    kind,
    code,
    name,
    figures.groupsFormed,
    figures.membersJoined,
    figures.borrowingMembers,
    figures.loansDisbursed.count,
    figures.loansDisbursed.amount,
    figures.activeGroups,
    figures.members,
    figures.activeBorrowers,
    figures.householdsOutOfPoverty,
    figures.poorOrNearPoorBorrowers,
  ];
  // The plan in the same columns, under the figures it is set for: a line of targets and a line of percentages of plan
  // (blank where no target was set), as the fund reports it ("đạt 101.5% kế hoạch").
  const planLine = (kind: string, value: (target: OutreachReport['plan'][number]) => string) => {
    const fields: string[] = header.map(() => '');
    fields[0] = kind;
    fields[2] = `${report.from} – ${report.to}`;
    for (const target of report.plan) fields[header.indexOf(planFigureOf[target.metric as PlanMetric])] = value(target);
    return fields;
  };
  const plan = report.plan.length === 0 ? [] : [planLine('plan', (target) => target.target), planLine('percentOfPlan', (target) => target.percentOfPlan ?? '')];
  return toCsv(header, [...report.rows.map((row) => line(report.groupBy ?? 'row', row.code, row.name, row)), line('total', '', `${report.from} – ${report.to}`, report.totals), ...plan]);
}
