// The officer's dashboard: the figures that matter today and their last twelve months. Today's figures are the
// portfolio and outreach reports' own (so PAR30 on the dashboard is PAR30 in the report); the series are the same
// definitions read month by month: money disbursed and repaid per month, PAR30 at each month end.
import { addMonths, dayNumberFromCivil, daysInMonth, formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import { type CurrencyCode, percentage } from '../../domain/money.js';
import type { Actor } from '../shared/access.js';
import { type ServiceContext, today } from '../shared/context.js';
import { formatAmount } from '../shared/money-input.js';
import { readSettings } from '../settings/settings.service.js';
import { portfolioAtRiskOn } from './classification.repo.js';
import { coverage } from './grouping.js';
import { outreachReport } from './outreach.service.js';
import { portfolioReport } from './portfolio.service.js';
import * as repo from './report.repo.js';

const monthsShown = 12;

/** The last day of each of the twelve months ending with asOf's month; asOf itself stands for its own month. */
function monthEnds(asOf: string): string[] {
  const day = parseIsoDate(asOf) as number;
  const [year, month] = asOf.split('-').map(Number) as [number, number];
  const firstOfMonth = dayNumberFromCivil(year, month, 1);
  const ends: string[] = [];
  for (let back = monthsShown - 1; back >= 1; back -= 1) {
    const start = addMonths(firstOfMonth, -back);
    const [startYear, startMonth] = formatIsoDate(start).split('-').map(Number) as [number, number];
    ends.push(formatIsoDate(dayNumberFromCivil(startYear, startMonth, daysInMonth(startYear, startMonth))));
  }
  ends.push(formatIsoDate(day));
  return ends;
}

export function dashboard(context: ServiceContext, actor: Actor, asOfDate?: string) {
  const db = context.db;
  const asOf = asOfDate ?? today(context);
  const currency = readSettings(db).currency as CurrencyCode;
  const monthStart = `${asOf.slice(0, 8)}01`;
  const portfolio = portfolioReport(context, actor, { asOf, from: monthStart, to: asOf, format: 'json' });
  const outreach = outreachReport(context, actor, { from: monthStart, to: asOf, format: 'json' });
  const scope = coverage(db, actor, undefined, undefined);

  const ends = monthEnds(asOf);
  const firstMonth = `${(ends[0] as string).slice(0, 8)}01`;
  const flows = new Map(ends.map((end) => [end.slice(0, 7), { disbursed: 0n, repaid: 0n }]));
  for (const row of repo.loanTransactionsByMonth(db, firstMonth, asOf, scope.groupIdList)) {
    const month = flows.get(row.month);
    if (!month) continue;
    if (row.type === 'disbursement') month.disbursed += BigInt(row.amount);
    else if (row.type === 'repayment' || row.type === 'recovery') month.repaid += BigInt(row.amount);
  }
  // PAR30 at every month end from one read over the days (twelve scans of the whole fund took seconds).
  const atRisk = new Map(portfolioAtRiskOn(db, ends.map((end) => parseIsoDate(end) as number), 30, scope.groupIdList).map((row) => [row.day, row]));
  const parTrend = ends.map((end) => {
    const row = atRisk.get(parseIsoDate(end) as number);
    return { date: end, par30: percentage(BigInt(row?.atRisk ?? '0'), BigInt(row?.outstanding ?? '0'), 2, 'half_up') };
  });

  return {
    asOf,
    currency,
    figures: {
      activeGroups: outreach.totals.activeGroups,
      members: outreach.totals.members,
      activeBorrowers: outreach.totals.activeBorrowers,
      outstandingPrincipal: portfolio.totals.outstandingPrincipal,
      par30: portfolio.totals.par30,
      collectionRate: portfolio.totals.collection.rateIncludingLate,
    },
    flows: [...flows].map(([month, amounts]) => ({ month, disbursed: formatAmount(amounts.disbursed, currency), repaid: formatAmount(amounts.repaid, currency) })),
    parTrend,
    debtGroups: portfolio.totals.debtGroups,
  };
}

export type Dashboard = ReturnType<typeof dashboard>;
