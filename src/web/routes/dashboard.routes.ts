// The officer's dashboard (the figures that matter, with charts) and the arrears list to take to the villages.
//
// The dashboard runs the portfolio and outreach reports and reads twelve months of series: a few milliseconds on a
// commune, seconds on a province. So a slow result is kept for ten minutes per scope (the page says when it was
// computed and offers to recompute), and while none is kept the page arrives at once and fetches its figures as a
// fragment; a fast one is computed on every view. The dashboard and the arrears list are computed on the reports'
// thread (report-runner.ts), as the API's reports are.
import type { FastifyPluginAsync } from 'fastify';
import type { Role } from '../../modules/shared/access.js';
import type { Dashboard } from '../../modules/reports/dashboard.service.js';
import { type ArrearsReport, csvOf, jsonOf } from '../../modules/reports/report-jobs.js';
import type { ReportRunner } from '../../modules/reports/report-runner.js';
import { arrearsQuery } from '../../modules/reports/report.commands.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { reportAreaChoices } from '../choices.js';
import { attemptAsync, type FormErrors, parseWith } from '../forms.js';
import { formatCount, formatTimestamp, minorUnitsOf, sumAmounts } from '../format.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, sendPage, signedIn } from '../page.js';
import { barChart, hundredths, lineChart } from '../views/charts.js';
import { date, dateField, errorSummary, inputField, money, pager, percent, scrollTable, selectField } from '../views/components.js';
import { layout } from '../views/layout.js';

const officers: Role[] = ['officer', 'admin'];
/** A result computed faster than this is not kept: the next view computes it again. */
const slowMilliseconds = 250;
const keepMilliseconds = 10 * 60_000;

interface Kept {
  at: number;
  tookMilliseconds: number;
  data: Dashboard;
}

function scopeKey(page: SignedInPage): string {
  return page.actor.role === 'officer' ? `officer:${[...page.actor.areaPaths].sort().join(',')}` : 'fund';
}

function monthLabel(month: string): string {
  return `${month.slice(5, 7)}/${month.slice(2, 4)}`;
}

function figuresView(page: SignedInPage, data: Dashboard, computedAt: string): Html {
  const t = page.t.dashboard;
  const currency = data.currency;
  const cards: [string, string][] = [
    [t.activeGroups, formatCount(data.figures.activeGroups, page.lang)],
    [t.members, formatCount(data.figures.members, page.lang)],
    [t.activeBorrowers, formatCount(data.figures.activeBorrowers, page.lang)],
    [t.outstanding, money(page, data.figures.outstandingPrincipal, currency)],
    [t.par30, percent(page, data.figures.par30)],
    [t.collectionRate, percent(page, data.figures.collectionRate)],
  ];
  const months = data.flows.map((flow) => monthLabel(flow.month));
  const flowsTable = html`<details class="data"><summary>${t.dataTable}: ${t.flowsChart}</summary>${scrollTable(
    t.flowsChart,
    html`<table><thead><tr><th scope="col">${t.month}</th><th scope="col" class="num">${t.disbursed}</th><th scope="col" class="num">${t.repaid}</th></tr></thead><tbody>${data.flows.map(
      (flow) => html`<tr><th scope="row">${monthLabel(flow.month)}</th><td class="num">${money(page, flow.disbursed, currency)}</td><td class="num">${money(page, flow.repaid, currency)}</td></tr>`,
    )}</tbody></table>`,
  )}</details>`;
  const parTable = html`<details class="data"><summary>${t.dataTable}: ${t.parChart}</summary>${scrollTable(
    t.parChart,
    html`<table><thead><tr><th scope="col">${page.t.common.date}</th><th scope="col" class="num">PAR30</th></tr></thead><tbody>${data.parTrend.map(
      (point) => html`<tr><th scope="row">${date(point.date)}</th><td class="num">${percent(page, point.par30)}</td></tr>`,
    )}</tbody></table>`,
  )}</details>`;
  const groupsTable = html`<details class="data"><summary>${t.dataTable}: ${t.debtGroupsChart}</summary>${scrollTable(
    t.debtGroupsChart,
    html`<table><thead><tr><th scope="col">${page.t.loans.debtGroup}</th><th scope="col" class="num">${t.loans}</th><th scope="col" class="num">${t.outstanding}</th></tr></thead><tbody>${data.debtGroups.map(
      (group) => html`<tr><th scope="row">${t.debtGroup(group.debtGroup)}</th><td class="num">${formatCount(group.loans, page.lang)}</td><td class="num">${money(page, group.outstandingPrincipal, currency)}</td></tr>`,
    )}</tbody></table>`,
  )}</details>`;
  return html`<ul class="cards">${cards.map(([label, figure]) => html`<li><span class="label">${label}</span><span class="figure">${figure}</span></li>`)}</ul>
<p class="hint">${t.computedAt(computedAt)} <a href="/app/dashboard?refresh=1">${page.t.common.refresh}</a></p>
<div class="two-columns">
${barChart({
  title: t.flowsChart,
  summary: t.flowsChart,
  categories: months,
  series: [
    { label: t.disbursed, swatch: 'a', values: data.flows.map((flow) => minorUnitsOf(flow.disbursed, currency)) },
    { label: t.repaid, swatch: 'b', values: data.flows.map((flow) => minorUnitsOf(flow.repaid, currency)) },
  ],
  table: flowsTable,
})}
${lineChart({ title: t.parChart, summary: t.parChart, categories: data.parTrend.map((point) => monthLabel(point.date.slice(0, 7))), values: data.parTrend.map((point) => hundredths(point.par30)), table: parTable })}
${barChart({
  title: t.debtGroupsChart,
  summary: t.debtGroupsChart,
  categories: data.debtGroups.map((group) => t.debtGroup(group.debtGroup)),
  series: [{ label: t.outstanding, swatch: 'a', values: data.debtGroups.map((group) => minorUnitsOf(group.outstandingPrincipal, currency)) }],
  table: groupsTable,
})}
</div>`;
}

function arrearsPage(page: SignedInPage, view: { query: Record<string, string | undefined>; errors: FormErrors | null; report: ArrearsReport | null; areas: { value: string; label: string }[] }): Html {
  const t = page.t.arrears;
  const { report, query } = view;
  const download = new URLSearchParams(Object.entries(query).filter((entry): entry is [string, string] => entry[1] !== undefined && entry[0] !== 'cursor'));
  return layout(
    page,
    t.title,
    html`<p class="lead">${t.intro}</p>
${errorSummary(page, view.errors, { asOf: page.t.common.asOf, areaId: page.t.common.area, minimumDaysPastDue: t.minimumDays })}
<form method="get" action="/app/arrears" class="inline-form">
${dateField(page, { name: 'asOf', label: page.t.common.asOf, value: query.asOf ?? page.today, errors: view.errors })}
${selectField(page, { name: 'areaId', label: page.t.common.area, choices: view.areas, value: query.areaId, empty: page.t.common.allAreas, errors: view.errors })}
${inputField(page, { name: 'minimumDaysPastDue', label: t.minimumDays, value: query.minimumDaysPastDue ?? '1', inputmode: 'numeric', errors: view.errors })}
<button type="submit">${page.t.common.show}</button>
</form>
${
  report
    ? html`<p><strong>${t.count(formatCount(report.count, page.lang))}</strong> · <a href="/app/arrears.csv?${download.toString()}" download>${page.t.common.downloadCsv}</a></p>
${scrollTable(
  t.title,
  html`<table class="stack"><thead><tr><th scope="col">${t.member}</th><th scope="col">${t.group}</th><th scope="col">${t.phone}</th><th scope="col" class="num">${t.daysPastDue}</th><th scope="col" class="num">${t.debtGroup}</th><th scope="col" class="num">${t.overdue}</th><th scope="col" class="num">${t.penalty}</th><th scope="col" class="num">${t.toCollect}</th><th scope="col" class="num">${t.outstanding}</th></tr></thead>
<tbody>${report.items.map(
    (item) => html`<tr><th scope="row"><a href="/app/loans/${item.loanId}">${item.memberName}</a></th><td data-label="${t.group}">${item.groupCode}</td><td data-label="${t.phone}">${item.phone ? html`<a href="tel:${item.phone}">${item.phone}</a>` : ''}</td><td class="num" data-label="${t.daysPastDue}">${item.daysPastDue}</td><td class="num" data-label="${t.debtGroup}">${item.debtGroup}</td><td class="num" data-label="${t.overdue}">${money(
      page,
      sumAmounts([item.overduePrincipal, item.overdueInterest], report.currency),
      report.currency,
    )}</td><td class="num" data-label="${t.penalty}">${money(page, item.penalty, report.currency)}</td><td class="num" data-label="${t.toCollect}"><strong>${money(page, item.amountToCollect, report.currency)}</strong></td><td class="num" data-label="${t.outstanding}">${money(page, item.principalOutstanding, report.currency)}</td></tr>`,
  )}</tbody></table>`,
)}
${pager(page, '/app/arrears', query, report.nextCursor)}`
    : ''
}`,
  );
}

export function dashboardRoutes(context: ServiceContext, reports: ReportRunner): FastifyPluginAsync {
  const kept = new Map<string, Kept>();
  const compute = async (page: SignedInPage): Promise<Kept> => {
    const started = performance.now();
    const data = jsonOf(await reports.run('dashboard', page.actor, {}));
    const entry = { at: context.clock.now().getTime(), tookMilliseconds: performance.now() - started, data };
    kept.set(scopeKey(page), entry);
    return entry;
  };
  /** A kept result that is slow to make and young enough, or a fresh one when it is fast to make; null: fetch later. */
  const current = async (page: SignedInPage, options: { refresh: boolean; wait: boolean }): Promise<Kept | null> => {
    const entry = kept.get(scopeKey(page));
    const now = context.clock.now().getTime();
    if (!options.refresh && entry && entry.tookMilliseconds >= slowMilliseconds && now - entry.at < keepMilliseconds && entry.data.asOf === page.today) return entry;
    if (options.wait || (entry && entry.tookMilliseconds < slowMilliseconds)) return compute(page);
    return null;
  };
  const computedAt = (page: SignedInPage, entry: Kept) => formatTimestamp(new Date(entry.at).toISOString(), page.timeZone);

  return async (app) => {
    app.get('/dashboard', async (request, reply) => {
      const page = signedIn(request, officers);
      const query = request.query as { refresh?: string; inline?: string };
      const entry = await current(page, { refresh: query.refresh === '1', wait: query.inline === '1' || query.refresh === '1' });
      const t = page.t.dashboard;
      const links = html`<h2>${t.quickLinks}</h2><ul class="actions plain">
<li><a class="button" href="/app/arrears">${page.t.nav.arrears}</a></li>
<li><a class="button" href="/app/loans?status=applied">${page.t.loans.applications}</a></li>
<li><a class="button" href="/app/members/new">${page.t.members.new}</a></li>
<li><a class="button" href="/app/reports">${page.t.nav.reports}</a></li></ul>`;
      const figures = entry
        ? figuresView(page, entry.data, computedAt(page, entry))
        : html`<div data-fragment="/app/dashboard/figures" aria-busy="true" aria-live="polite"><p>${t.computing} <a href="/app/dashboard?inline=1">${t.show}</a></p></div>`;
      return sendPage(reply, layout(page, t.title, html`${figures}${links}`));
    });

    app.get('/dashboard/figures', async (request, reply) => {
      const page = signedIn(request, officers);
      const entry = (await current(page, { refresh: (request.query as { refresh?: string }).refresh === '1', wait: true })) as Kept;
      return reply.type('text/html; charset=utf-8').send(figuresView(page, entry.data, computedAt(page, entry)).text);
    });

    const arrearsInput = (query: Record<string, string | undefined>, format: 'json' | 'csv') => ({
      asOf: query.asOf || undefined,
      areaId: query.areaId || undefined,
      minimumDaysPastDue: query.minimumDaysPastDue || undefined,
      cursor: query.cursor || undefined,
      limit: '50',
      format,
    });

    app.get('/arrears', async (request, reply) => {
      const page = signedIn(request, officers);
      const query = request.query as Record<string, string | undefined>;
      const result = await attemptAsync(page.lang, async () => jsonOf(await reports.run('arrears', page.actor, parseWith(arrearsQuery, arrearsInput(query, 'json')))));
      const areas = reportAreaChoices(context, page);
      return sendPage(
        reply,
        arrearsPage(page, { query, errors: result.ok ? null : result.errors, report: result.ok ? result.value : null, areas }),
        result.ok ? 200 : result.errors.status,
      );
    });

    app.get('/arrears.csv', async (request, reply) => {
      const page = signedIn(request, officers);
      const answer = csvOf(await reports.run('arrears', page.actor, parseWith(arrearsQuery, arrearsInput(request.query as Record<string, string | undefined>, 'csv'))));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${answer.fileName}.csv"`).send(answer.csv);
    });
  };
}
