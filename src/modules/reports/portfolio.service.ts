// The portfolio as of a date (DESIGN.md §5-6): outstanding principal, PAR, aging, debt groups and provisions,
// collection rates for a period beside the cumulative repayment rate, write-offs, recoveries and savings. Read from
// each loan's timeline segment on the date, so the answer for 30 June is the same in June and in December.
import { parseIsoDate } from '../../domain/calendar.js';
import { type AgingBucket, type DebtGroup, agingBuckets, generalProvision } from '../../domain/classification.js';
import { classifiedTotals, portfolioOn } from './classification.repo.js';
import { type CurrencyCode, percentage } from '../../domain/money.js';
import type { Actor } from '../shared/access.js';
import { type ServiceContext, requireNotFuture, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { formatAmount } from '../shared/money-input.js';
import { classificationRules, readSettings } from '../settings/settings.service.js';
import { coverage, Tally, toCsv } from './grouping.js';
import type { PortfolioQuery } from './report.commands.js';
import * as repo from './report.repo.js';
import { accountCodes } from '../../ledger/chart.js';
import { balancesOn } from '../ledger/ledger.service.js';

export const parThresholds = [1, 30, 90] as const;

/** The provision the fund must hold on a day: specific by group plus general on groups 1 to 4. */
export function requiredProvision(context: ServiceContext, day: number): { specific: bigint; general: bigint; total: bigint; loans: number } {
  const rules = classificationRules(readSettings(context.db));
  const { rates } = rules;
  let specific = 0n;
  let groups1to4 = 0n;
  let loans = 0;
  for (const row of classifiedTotals(context.db, day, rules, null, null)) {
    specific += row.provision;
    if (row.debtGroup <= 4) groups1to4 += row.outstanding;
    loans += row.loans;
  }
  const general = generalProvision(groups1to4, rates);
  return { specific, general, total: specific + general, loans };
}

function savingsOnTheBooks(db: ServiceContext['db'], asOf: string): { compulsory: bigint; voluntary: bigint } {
  const balanceOf = balancesOn(db, asOf, [accountCodes.compulsorySavings, accountCodes.voluntarySavings]);
  return { compulsory: balanceOf(accountCodes.compulsorySavings), voluntary: balanceOf(accountCodes.voluntarySavings) };
}

function savingsOfGroups(db: ServiceContext['db'], asOf: string, groupIds: readonly string[]): { compulsory: bigint; voluntary: bigint } {
  const row = repo.savingsOn(db, asOf, groupIds);
  return { compulsory: BigInt(row.compulsory ?? '0'), voluntary: BigInt(row.voluntary ?? '0') };
}

interface RowFigures {
  outstanding: bigint;
  activeLoans: number;
  par: Record<(typeof parThresholds)[number], bigint>;
  provision: bigint;
  due: bigint;
  paidOnTime: bigint;
  paidIncludingLate: bigint;
}

const emptyRow = (): RowFigures => ({ outstanding: 0n, activeLoans: 0, par: { 1: 0n, 30: 0n, 90: 0n }, provision: 0n, due: 0n, paidOnTime: 0n, paidIncludingLate: 0n });

export function portfolioReport(context: ServiceContext, actor: Actor, query: PortfolioQuery) {
  const db = context.db;
  const currency = readSettings(db).currency as CurrencyCode;
  const asOf = query.asOf ?? today(context);
  requireNotFuture(context, asOf, 'asOf');
  const from = query.from ?? `${asOf.slice(0, 8)}01`;
  const to = query.to ?? asOf;
  // The period's payments, write-offs and recoveries are read as of the report's date: a period running past it would
  // count what was recorded later, and the report as of that date would change with it.
  if (to > asOf) throw new DomainError('invalid_request', `The collection period must end on or before the report's date, ${asOf}.`, [{ path: 'to', message: `must not be after asOf (${asOf})` }]);
  if (from > to) throw new DomainError('invalid_request', `The collection period starts on ${from}, after it ends on ${to}.`, [{ path: 'from', message: `must not be after to (${to})` }]);
  const day = parseIsoDate(asOf) as number;
  const scope = coverage(db, actor, query.areaId, query.groupBy);
  const rules = classificationRules(readSettings(db));
  const { rates } = rules;
  const tally = new Tally(emptyRow);
  const buckets = new Map<AgingBucket, { loans: number; outstanding: bigint }>(agingBuckets.map((bucket) => [bucket, { loans: 0, outstanding: 0n }]));
  const groups = new Map<DebtGroup, { loans: number; outstanding: bigint; provision: bigint }>([1, 2, 3, 4, 5].map((group) => [group as DebtGroup, { loans: 0, outstanding: 0n, provision: 0n }]));
  let groups1to4 = 0n;
  // The reads keep to the report's groups themselves, and count by the report's rows when it has them.
  const rowOfKey = new Map<string, ReturnType<typeof scope.rowOf>>();
  const rowKeyOf = (groupId: string) => {
    const row = scope.rowOf(groupId);
    if (row) rowOfKey.set(row.key, row);
    return row?.key ?? null;
  };
  const onDay = portfolioOn(db, day, rules, scope.groupIdList, query.groupBy === undefined ? null : rowKeyOf);
  for (const row of onDay.totals) {
    const { outstanding, provision } = row;
    for (const figures of tally.for(row.key === null ? null : (rowOfKey.get(row.key) ?? null))) {
      figures.outstanding += outstanding;
      figures.activeLoans += row.loans;
      figures.provision += provision;
      figures.par[1] += row.par1;
      figures.par[30] += row.par30;
      figures.par[90] += row.par90;
    }
    const bucket = buckets.get(row.bucket as AgingBucket);
    if (bucket) {
      bucket.loans += row.loans;
      bucket.outstanding += outstanding;
    }
    const group = groups.get(row.debtGroup as DebtGroup);
    if (group) {
      group.loans += row.loans;
      group.outstanding += outstanding;
      group.provision += provision;
    }
    if (row.debtGroup <= 4) groups1to4 += outstanding;
  }
  for (const row of repo.dueAndPaidBetween(db, from, to, asOf, scope.groupIdList)) {
    for (const figures of tally.for(scope.rowOf(row.groupId))) {
      figures.due += BigInt(row.due);
      figures.paidOnTime += BigInt(row.onTime ?? '0');
      figures.paidIncludingLate += BigInt(row.byDay ?? '0');
    }
  }
  // Cumulative repayment rate: principal repaid, up to what had fallen due on each loan, over principal fallen due.
  const principalFellDue = BigInt(onDay.progress.fallenDue ?? '0');
  const principalRepaid = BigInt(onDay.progress.repaid ?? '0');
  const sumTransactions = (type: 'write_off' | 'recovery') => {
    let count = 0;
    let amount = 0n;
    for (const row of repo.loanTransactionTotals(db, type, from, to)) {
      if (!scope.groupIds.has(row.groupId)) continue;
      count += row.count;
      amount += BigInt(row.amount);
    }
    return { count, amount: formatAmount(amount, currency) };
  };
  // Savings of the members whose current group the report covers. For the whole fund that is every member's, which
  // the savings liability accounts hold (the reconciliation proves them equal): their daily totals are a few thousand
  // rows where the members' transactions are hundreds of thousands.
  const savings = scope.groupIdList === null ? savingsOnTheBooks(db, asOf) : savingsOfGroups(db, asOf, scope.groupIdList);
  const specific = [...groups.values()].reduce((sum, group) => sum + group.provision, 0n);
  const general = generalProvision(groups1to4, rates);
  const provision = { specific, general, total: specific + general };
  const shape = (figures: RowFigures) => ({
    outstandingPrincipal: formatAmount(figures.outstanding, currency),
    activeLoans: figures.activeLoans,
    par1: percentage(figures.par[1], figures.outstanding, 2, 'half_up'),
    par30: percentage(figures.par[30], figures.outstanding, 2, 'half_up'),
    par90: percentage(figures.par[90], figures.outstanding, 2, 'half_up'),
    specificProvision: formatAmount(figures.provision, currency),
    collection: {
      due: formatAmount(figures.due, currency),
      paidOnTime: formatAmount(figures.paidOnTime, currency),
      paidIncludingLate: formatAmount(figures.paidIncludingLate, currency),
      onTimeRate: percentage(figures.paidOnTime, figures.due, 2, 'half_up'),
      rateIncludingLate: percentage(figures.paidIncludingLate, figures.due, 2, 'half_up'),
    },
  });
  return {
    asOf,
    period: { from, to },
    areaId: scope.areaId,
    groupBy: query.groupBy ?? null,
    currency,
    totals: {
      ...shape(tally.total),
      parAmounts: Object.fromEntries(parThresholds.map((threshold) => [`par${threshold}`, formatAmount(tally.total.par[threshold], currency)])),
      cumulativeRepaymentRate: percentage(principalRepaid, principalFellDue, 2, 'half_up'),
      agingBuckets: [...buckets].map(([bucket, figures]) => ({ bucket, loans: figures.loans, outstandingPrincipal: formatAmount(figures.outstanding, currency) })),
      debtGroups: [...groups].map(([debtGroup, figures]) => ({ debtGroup, loans: figures.loans, outstandingPrincipal: formatAmount(figures.outstanding, currency), specificProvision: formatAmount(figures.provision, currency) })),
      provision: { specific: formatAmount(provision.specific, currency), general: formatAmount(provision.general, currency), required: formatAmount(provision.total, currency) },
      writeOffs: sumTransactions('write_off'),
      recoveries: sumTransactions('recovery'),
      savings: { compulsory: formatAmount(savings.compulsory, currency), voluntary: formatAmount(savings.voluntary, currency) },
    },
    rows: tally.sortedRows().map((row) => ({ key: row.key, code: row.code, name: row.name, ...shape(row.value) })),
  };
}

export type PortfolioReport = ReturnType<typeof portfolioReport>;

export function portfolioCsv(report: PortfolioReport): string {
  // The general provision is the fund's, not a row's: the total line carries it and the provision required, so that
  // the file adds up to what the report's page shows.
  const header = ['row', 'code', 'name', 'outstandingPrincipal', 'activeLoans', 'par1', 'par30', 'par90', 'specificProvision', 'due', 'paidOnTime', 'paidIncludingLate', 'onTimeRate', 'rateIncludingLate', 'generalProvision', 'requiredProvision'];
  const line = (kind: string, code: string, name: string, figures: PortfolioReport['rows'][number] | PortfolioReport['totals'], provision: PortfolioReport['totals']['provision'] | null) => [
    kind,
    code,
    name,
    figures.outstandingPrincipal,
    figures.activeLoans,
    figures.par1 ?? '',
    figures.par30 ?? '',
    figures.par90 ?? '',
    figures.specificProvision,
    figures.collection.due,
    figures.collection.paidOnTime,
    figures.collection.paidIncludingLate,
    figures.collection.onTimeRate ?? '',
    figures.collection.rateIncludingLate ?? '',
    provision?.general ?? '',
    provision?.required ?? '',
  ];
  return toCsv(header, [...report.rows.map((row) => line(report.groupBy ?? 'row', row.code, row.name, row, null)), line('total', '', `as of ${report.asOf}`, report.totals, report.totals.provision)]);
}
