// The portfolio as of a date (DESIGN.md §5-6): outstanding principal, PAR, aging, debt groups and provisions,
// collection rates for a period beside the cumulative repayment rate, write-offs, recoveries and savings. Read from
// each loan's timeline segment on the date, so the answer for 30 June is the same in June and in December.
import { parseIsoDate } from '../../domain/calendar.js';
import { type AgingBucket, type DebtGroup, agingBucketOf, agingBuckets, debtGroupOf, generalProvision, specificProvision } from '../../domain/classification.js';
import { type CurrencyCode, Decimal, formatDecimal, roundToPlaces } from '../../domain/money.js';
import type { Actor } from '../shared/access.js';
import { type ServiceContext, today } from '../shared/context.js';
import { formatAmount } from '../shared/money-input.js';
import { classificationRules, readSettings } from '../settings/settings.service.js';
import { coverage, Tally, toCsv } from './grouping.js';
import type { PortfolioQuery } from './report.commands.js';
import * as repo from './report.repo.js';

export const parThresholds = [1, 30, 90] as const;

/** A loan on the books on a date, classified. */
export interface ClassifiedLoan {
  state: repo.LoanStateRow;
  outstanding: bigint;
  daysPastDue: number;
  bucket: AgingBucket;
  debtGroup: DebtGroup;
  reason: 'days_past_due' | 'rescheduling' | 'member_worst';
  provision: bigint;
}

/** Every loan with principal outstanding on the day, with its days past due, bucket, debt group and provision. */
export function classifyLoans(context: ServiceContext, day: number, groupIds?: Set<string>): ClassifiedLoan[] {
  const { table, rates, memberWorst } = classificationRules(readSettings(context.db));
  const onBooks = repo.loanStatesOn(context.db, day).filter((state) => state.principalOutstanding > 0 && !state.writtenOff && !state.closed && (!groupIds || groupIds.has(state.groupId)));
  const classified = onBooks.map((state) => {
    const daysPastDue = state.oldestUnpaidDueDay === null ? 0 : day - state.oldestUnpaidDueDay;
    const { debtGroup, reason } = debtGroupOf(daysPastDue, state.rescheduleCount, table);
    return { state, outstanding: BigInt(state.principalOutstanding), daysPastDue, bucket: agingBucketOf(daysPastDue), debtGroup, reason: reason as ClassifiedLoan['reason'], provision: 0n };
  });
  if (memberWorst) {
    // All of a member's loans take her worst group.
    const worst = new Map<string, DebtGroup>();
    for (const loan of classified) worst.set(loan.state.memberId, Math.max(worst.get(loan.state.memberId) ?? 1, loan.debtGroup) as DebtGroup);
    for (const loan of classified) {
      const group = worst.get(loan.state.memberId) ?? loan.debtGroup;
      if (group > loan.debtGroup) {
        loan.debtGroup = group;
        loan.reason = 'member_worst';
      }
    }
  }
  for (const loan of classified) loan.provision = specificProvision(loan.outstanding, loan.debtGroup, rates);
  return classified;
}

/** The provision the fund must hold on a day: specific by group plus general on groups 1 to 4. */
export function requiredProvision(loans: ClassifiedLoan[], context: ServiceContext): { specific: bigint; general: bigint; total: bigint } {
  const { rates } = classificationRules(readSettings(context.db));
  const specific = loans.reduce((sum, loan) => sum + loan.provision, 0n);
  const general = generalProvision(
    loans.filter((loan) => loan.debtGroup <= 4).reduce((sum, loan) => sum + loan.outstanding, 0n),
    rates,
  );
  return { specific, general, total: specific + general };
}

function ratio(part: bigint, whole: bigint): string | null {
  if (whole === 0n) return null;
  return formatDecimal(roundToPlaces(new Decimal(part.toString()).mul(100).div(whole.toString()), 2, 'half_up'), 2);
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
  const from = query.from ?? `${asOf.slice(0, 8)}01`;
  const to = query.to ?? asOf;
  const day = parseIsoDate(asOf) as number;
  const scope = coverage(db, actor, query.areaId, query.groupBy);
  const loans = classifyLoans(context, day, scope.groupIds);
  const tally = new Tally(emptyRow);
  const buckets = new Map<AgingBucket, { loans: number; outstanding: bigint }>(agingBuckets.map((bucket) => [bucket, { loans: 0, outstanding: 0n }]));
  const groups = new Map<DebtGroup, { loans: number; outstanding: bigint; provision: bigint }>([1, 2, 3, 4, 5].map((group) => [group as DebtGroup, { loans: 0, outstanding: 0n, provision: 0n }]));
  for (const loan of loans) {
    const atRisk = (threshold: number) => loan.daysPastDue > threshold || loan.state.rescheduleCount > 0;
    for (const figures of tally.for(scope.rowOf(loan.state.groupId))) {
      figures.outstanding += loan.outstanding;
      figures.activeLoans += 1;
      figures.provision += loan.provision;
      for (const threshold of parThresholds) if (atRisk(threshold)) figures.par[threshold] += loan.outstanding;
    }
    const bucket = buckets.get(loan.bucket);
    if (bucket) {
      bucket.loans += 1;
      bucket.outstanding += loan.outstanding;
    }
    const group = groups.get(loan.debtGroup);
    if (group) {
      group.loans += 1;
      group.outstanding += loan.outstanding;
      group.provision += loan.provision;
    }
  }
  for (const installment of repo.installmentsDueBetween(db, from, to, asOf)) {
    if (!scope.groupIds.has(installment.groupId)) continue;
    for (const figures of tally.for(scope.rowOf(installment.groupId))) {
      const due = BigInt(installment.due);
      figures.due += due;
      // What was paid against an installment never counts above what it asked.
      figures.paidOnTime += BigInt(installment.paidOnTime) < due ? BigInt(installment.paidOnTime) : due;
      figures.paidIncludingLate += BigInt(installment.paidBy) < due ? BigInt(installment.paidBy) : due;
    }
  }
  let principalFellDue = 0n;
  for (const row of repo.principalDueThrough(db, asOf)) if (scope.groupIds.has(row.groupId)) principalFellDue += BigInt(row.due);
  let principalRepaid = 0n;
  for (const state of repo.loanStatesOn(db, day)) if (scope.groupIds.has(state.groupId)) principalRepaid += BigInt(state.principalPaid);
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
  const savings = { compulsory: 0n, voluntary: 0n };
  for (const row of repo.savingsByGroupOn(db, asOf)) if (scope.groupIds.has(row.groupId)) savings[row.kind] += BigInt(row.amount);
  const provision = requiredProvision(loans, context);
  const shape = (figures: RowFigures) => ({
    outstandingPrincipal: formatAmount(figures.outstanding, currency),
    activeLoans: figures.activeLoans,
    par1: ratio(figures.par[1], figures.outstanding),
    par30: ratio(figures.par[30], figures.outstanding),
    par90: ratio(figures.par[90], figures.outstanding),
    specificProvision: formatAmount(figures.provision, currency),
    collection: {
      due: formatAmount(figures.due, currency),
      paidOnTime: formatAmount(figures.paidOnTime, currency),
      paidIncludingLate: formatAmount(figures.paidIncludingLate, currency),
      onTimeRate: ratio(figures.paidOnTime, figures.due),
      rateIncludingLate: ratio(figures.paidIncludingLate, figures.due),
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
      cumulativeRepaymentRate: ratio(principalRepaid, principalFellDue),
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
  const header = ['row', 'code', 'name', 'outstandingPrincipal', 'activeLoans', 'par1', 'par30', 'par90', 'specificProvision', 'due', 'paidOnTime', 'paidIncludingLate', 'onTimeRate', 'rateIncludingLate'];
  const line = (kind: string, code: string, name: string, figures: PortfolioReport['rows'][number] | PortfolioReport['totals']) => [
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
  ];
  return toCsv(header, [...report.rows.map((row) => line(report.groupBy ?? 'row', row.code, row.name, row)), line('total', '', `as of ${report.asOf}`, report.totals)]);
}
