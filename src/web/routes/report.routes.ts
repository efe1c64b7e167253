// Reports: outreach for a period and the portfolio as of a date, by area and grouping, on screen and as CSV (the
// service's own) or XLSX (the same rows in a workbook), each computed on the reports' thread.
import { parse as parseCsv } from 'csv-parse/sync';
import type { FastifyInstance, FastifyPluginAsync, FastifyReply } from 'fastify';
import { outreachCsv, type OutreachReport, planFigureOf } from '../../modules/reports/outreach.service.js';
import { portfolioCsv, type PortfolioReport } from '../../modules/reports/portfolio.service.js';
import { jsonOf } from '../../modules/reports/report-jobs.js';
import type { ReportRunner } from '../../modules/reports/report-runner.js';
import { excel } from '../../modules/exports/xlsx-writer.js';
import { groupByValues, outreachQuery, type PlanMetric, portfolioQuery } from '../../modules/reports/report.commands.js';
import type { Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { enumChoices, reportAreaChoices } from '../choices.js';
import { attemptAsync, type FormErrors, parseWith } from '../forms.js';
import { formatCount, groupDigits } from '../format.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, sendPage, signedIn } from '../page.js';
import { type Choice, dateField, errorSummary, facts, money, percent, scrollTable, selectField } from '../views/components.js';
import { layout } from '../views/layout.js';

const readers: Role[] = ['admin', 'officer', 'auditor'];
type Query = Record<string, string | undefined>;

const present = (query: Query, names: string[]) => Object.fromEntries(names.map((name) => [name, query[name] || undefined]));

function queryString(query: Query, names: string[]): string {
  const search = new URLSearchParams();
  for (const name of names) if (query[name]) search.set(name, query[name] as string);
  return search.toString();
}

function forms(page: SignedInPage, view: { which: 'outreach' | 'portfolio' | null; query: Query; errors: FormErrors | null; areas: Choice[] }): Html {
  const t = page.t.reports;
  const year = page.today.slice(0, 4);
  const mine = (which: 'outreach' | 'portfolio') => (view.which === which ? view.query : {});
  const errorsOf = (which: 'outreach' | 'portfolio') => (view.which === which ? view.errors : null);
  const groupBy = enumChoices(groupByValues, page.t.groupBy);
  // The two forms share field names: each form's ids are its own, so that every label names its own field.
  const common = (which: 'outreach' | 'portfolio') =>
    html`${selectField(page, { name: 'areaId', label: page.t.common.area, choices: view.areas, value: mine(which).areaId, empty: page.t.common.allAreas, errors: errorsOf(which), form: which })}
${selectField(page, { name: 'groupBy', label: page.t.common.groupBy, choices: groupBy, value: mine(which).groupBy, empty: '—', errors: errorsOf(which), form: which })}`;
  return html`<div class="two-columns">
<section aria-labelledby="outreach-form"><h2 id="outreach-form">${t.outreach}</h2>
${view.which === 'outreach' ? errorSummary(page, view.errors, { from: page.t.common.from, to: page.t.common.to, areaId: page.t.common.area, groupBy: page.t.common.groupBy }, 'outreach') : ''}
<form method="get" action="/app/reports/outreach">
${dateField(page, { name: 'from', label: page.t.common.from, value: mine('outreach').from ?? `${year}-01-01`, errors: errorsOf('outreach'), required: true, form: 'outreach' })}
${dateField(page, { name: 'to', label: page.t.common.to, value: mine('outreach').to ?? page.today, errors: errorsOf('outreach'), required: true, form: 'outreach' })}
${common('outreach')}
<button type="submit" class="primary">${t.run}</button>
</form></section>
<section aria-labelledby="portfolio-form"><h2 id="portfolio-form">${t.portfolio}</h2>
${view.which === 'portfolio' ? errorSummary(page, view.errors, { asOf: page.t.common.asOf, from: page.t.common.from, to: page.t.common.to, areaId: page.t.common.area, groupBy: page.t.common.groupBy }, 'portfolio') : ''}
<form method="get" action="/app/reports/portfolio">
${dateField(page, { name: 'asOf', label: page.t.common.asOf, value: mine('portfolio').asOf ?? page.today, errors: errorsOf('portfolio'), required: true, form: 'portfolio' })}
${dateField(page, { name: 'from', label: `${t.collectionRate}: ${page.t.common.from.toLowerCase()}`, value: mine('portfolio').from ?? `${page.today.slice(0, 8)}01`, errors: errorsOf('portfolio'), form: 'portfolio' })}
${dateField(page, { name: 'to', label: `${t.collectionRate}: ${page.t.common.to.toLowerCase()}`, value: mine('portfolio').to ?? page.today, errors: errorsOf('portfolio'), form: 'portfolio' })}
${common('portfolio')}
<button type="submit" class="primary">${t.run}</button>
</form></section>
</div>`;
}

function downloads(page: SignedInPage, which: 'outreach' | 'portfolio', query: string): Html {
  return html`<p class="actions"><a class="button" href="/app/reports/${which}.csv?${query}" download>${page.t.common.downloadCsv}</a> <a class="button" href="/app/reports/${which}.xlsx?${query}" download>${page.t.common.downloadXlsx}</a></p>`;
}

function outreachView(page: SignedInPage, report: OutreachReport, query: string): Html {
  const t = page.t.reports;
  const count = (value: number) => formatCount(value, page.lang);
  const figures = (row: OutreachReport['totals']): [string, string][] => [
    [t.groupsFormed, count(row.groupsFormed)],
    [t.membersJoined, count(row.membersJoined)],
    [t.borrowingMembers, count(row.borrowingMembers)],
    [t.loansDisbursedCount, count(row.loansDisbursed.count)],
    [t.loansDisbursedAmount, money(page, row.loansDisbursed.amount, report.currency)],
    [t.activeGroups, count(row.activeGroups)],
    [t.members, count(row.members)],
    [t.activeBorrowers, count(row.activeBorrowers)],
    [t.householdsOutOfPoverty, count(row.householdsOutOfPoverty)],
    [t.poorBorrowers, count(row.poorOrNearPoorBorrowers)],
  ];
  const columns = figures(report.totals).map(([label]) => label);
  const split = (title: string, entries: [string, { members: number; activeBorrowers: number; membersJoined: number; borrowingMembers: number }][]) =>
    html`<h3>${title}</h3>${scrollTable(
      title,
      html`<table><thead><tr><th scope="col">${title}</th><th scope="col" class="num">${t.members}</th><th scope="col" class="num">${t.activeBorrowers}</th><th scope="col" class="num">${t.membersJoined}</th><th scope="col" class="num">${t.borrowingMembers}</th></tr></thead><tbody>${entries.map(
        ([label, row]) => html`<tr><th scope="row">${label}</th><td class="num">${count(row.members)}</td><td class="num">${count(row.activeBorrowers)}</td><td class="num">${count(row.membersJoined)}</td><td class="num">${count(row.borrowingMembers)}</td></tr>`,
      )}</tbody></table>`,
    )}`;
  return html`<h2>${t.outreach}: ${report.from.split('-').reverse().join('/')} – ${report.to.split('-').reverse().join('/')}</h2>
${downloads(page, 'outreach', query)}
${facts(figures(report.totals))}
${
  report.plan.length > 0
    ? html`<h3>${t.plan}</h3>${scrollTable(
        t.plan,
        html`<table><thead><tr><th scope="col">${t.planMetric}</th><th scope="col" class="num">${t.target}</th><th scope="col" class="num">${t.actual}</th><th scope="col" class="num">${t.percentOfPlan}</th></tr></thead><tbody>${report.plan.map(
          (target) => {
            // A target is a count, or for the money disbursed an amount, as the report gives it.
            const shown = (value: string) => (target.metric === 'amountDisbursed' ? money(page, value, report.currency) : groupDigits(value, page.lang));
            return html`<tr><th scope="row">${t[planFigureOf[target.metric as PlanMetric]] ?? target.metric}</th><td class="num">${shown(target.target)}</td><td class="num">${shown(target.actual)}</td><td class="num">${percent(page, target.percentOfPlan)}</td></tr>`;
          },
        )}</tbody></table>`,
      )}`
    : ''
}
${
  report.rows.length > 0
    ? scrollTable(
        `${t.outreach} (${t.row})`,
        html`<table><thead><tr><th scope="col">${t.row}</th>${columns.map((label) => html`<th scope="col" class="num">${label}</th>`)}</tr></thead><tbody>${report.rows.map(
          (row) => html`<tr><th scope="row">${row.name} ${row.code ? html`<span class="muted">(${row.code})</span>` : ''}</th>${figures(row).map(([, shown]) => html`<td class="num">${shown}</td>`)}</tr>`,
        )}</tbody></table>`,
      )
    : ''
}
${split(t.bySex, Object.entries(report.splits.bySex).map(([key, row]) => [page.t.sexes[key as 'female'] ?? key, row]))}
${split(t.byPoverty, Object.entries(report.splits.byPovertyStatus).map(([key, row]) => [page.t.poverty[key as 'poor'] ?? key, row]))}
${split(`${t.kinh} / ${t.minorities}`, [
  [t.kinh, report.splits.byEthnicity.kinh],
  [t.minorities, report.splits.byEthnicity.minorities],
])}`;
}

function portfolioView(page: SignedInPage, report: PortfolioReport, query: string): Html {
  const t = page.t.reports;
  const currency = report.currency;
  const totals = report.totals;
  const columns: [string, (row: PortfolioReport['rows'][number]) => string][] = [
    [t.outstanding, (row) => money(page, row.outstandingPrincipal, currency)],
    [t.activeLoans, (row) => formatCount(row.activeLoans, page.lang)],
    [t.par1, (row) => percent(page, row.par1)],
    [t.par30, (row) => percent(page, row.par30)],
    [t.par90, (row) => percent(page, row.par90)],
    [t.collectionRate, (row) => percent(page, row.collection.rateIncludingLate)],
  ];
  return html`<h2>${t.portfolio}: ${report.asOf.split('-').reverse().join('/')}</h2>
${downloads(page, 'portfolio', query)}
${facts([
  [t.outstanding, money(page, totals.outstandingPrincipal, currency)],
  [t.activeLoans, formatCount(totals.activeLoans, page.lang)],
  [t.par1, percent(page, totals.par1)],
  [t.par30, percent(page, totals.par30)],
  [t.par90, percent(page, totals.par90)],
  [t.collectionRate, percent(page, totals.collection.rateIncludingLate)],
  [t.onTimeRate, percent(page, totals.collection.onTimeRate)],
  [t.cumulativeRate, percent(page, totals.cumulativeRepaymentRate)],
  [t.specificProvision, money(page, totals.provision.specific, currency)],
  [t.generalProvision, money(page, totals.provision.general, currency)],
  [t.provision, money(page, totals.provision.required, currency)],
  [t.writeOffs, `${formatCount(totals.writeOffs.count, page.lang)} · ${money(page, totals.writeOffs.amount, currency)}`],
  [t.recoveries, money(page, totals.recoveries.amount, currency)],
  [t.savingsCompulsory, money(page, totals.savings.compulsory, currency)],
  [t.savingsVoluntary, money(page, totals.savings.voluntary, currency)],
])}
<div class="two-columns">
<div><h3>${t.agingTitle}</h3>${scrollTable(
    t.agingTitle,
    html`<table><thead><tr><th scope="col">${t.agingTitle}</th><th scope="col" class="num">${t.activeLoans}</th><th scope="col" class="num">${t.outstanding}</th></tr></thead><tbody>${totals.agingBuckets.map(
      (bucket) => html`<tr><th scope="row">${page.t.buckets[bucket.bucket as 'current'] ?? bucket.bucket}</th><td class="num">${formatCount(bucket.loans, page.lang)}</td><td class="num">${money(page, bucket.outstandingPrincipal, currency)}</td></tr>`,
    )}</tbody></table>`,
  )}</div>
<div><h3>${t.debtGroupsTitle}</h3>${scrollTable(
    t.debtGroupsTitle,
    html`<table><thead><tr><th scope="col">${page.t.loans.debtGroup}</th><th scope="col" class="num">${t.activeLoans}</th><th scope="col" class="num">${t.outstanding}</th><th scope="col" class="num">${t.specificProvision}</th></tr></thead><tbody>${totals.debtGroups.map(
      (group) => html`<tr><th scope="row">${page.t.dashboard.debtGroup(group.debtGroup)}</th><td class="num">${formatCount(group.loans, page.lang)}</td><td class="num">${money(page, group.outstandingPrincipal, currency)}</td><td class="num">${money(page, group.specificProvision, currency)}</td></tr>`,
    )}</tbody></table>`,
  )}</div>
</div>
${
  report.rows.length > 0
    ? scrollTable(
        `${t.portfolio} (${t.row})`,
        html`<table><thead><tr><th scope="col">${t.row}</th>${columns.map(([label]) => html`<th scope="col" class="num">${label}</th>`)}</tr></thead><tbody>${report.rows.map(
          (row) => html`<tr><th scope="row">${row.name} ${row.code ? html`<span class="muted">(${row.code})</span>` : ''}</th>${columns.map(([, cell]) => html`<td class="num">${cell(row)}</td>`)}</tr>`,
        )}</tbody></table>`,
      )
    : ''
}`;
}

/**
 * The CSV a service wrote, as a workbook: one sheet, the header row bold. Whole numbers and decimals of up to 15
 * digits become numeric cells (Excel holds them exactly); anything longer stays text rather than lose a digit. A
 * decimal keeps the places the service wrote ("19.50" shows as 19.50, not 19.5), as its number format.
 */
export async function workbookOfCsv(csv: string, sheetName: string): Promise<Buffer> {
  const rows = parseCsv(csv.replace(/^\uFEFF/, ''), { relaxColumnCount: true }) as string[][];
  const workbook = new (excel().Workbook)();
  const sheet = workbook.addWorksheet(sheetName);
  for (const row of rows) {
    const cells = row.map(workbookCell);
    const added = sheet.addRow(cells.map((cell) => cell.value));
    cells.forEach((cell, index) => {
      if (cell.numFmt) added.getCell(index + 1).numFmt = cell.numFmt;
    });
  }
  // Each column as wide as its longest text, so that no figure shows as ####.
  for (const [index, width] of columnWidths(rows).entries()) sheet.getColumn(index + 1).width = width;
  sheet.getRow(1).font = { bold: true };
  return Buffer.from(await workbook.xlsx.writeBuffer());
}

/** A CSV field as a workbook cell: a number with the format that shows it as written, or the text as it is. */
function workbookCell(text: string): { value: string | number; numFmt?: string } {
  const decimal = /^-?(?=[\d.]{1,16}$)\d+\.(\d+)$/.exec(text);
  if (decimal) return { value: Number(text), numFmt: `0.${'0'.repeat((decimal[1] as string).length)}` };
  const whole = /^-?(\d{1,15})$/.exec(text);
  if (!whole) return { value: text };
  // Excel's general format writes a whole number of twelve digits or more as 1.2E+11: a fund's totals in đồng are.
  return (whole[1] as string).length >= 12 ? { value: Number(text), numFmt: '0' } : { value: Number(text) };
}

/** The width of each column of some rows, in characters: its longest field and a little room, within bounds. */
function columnWidths(rows: string[][]): number[] {
  const widths: number[] = [];
  for (const row of rows) row.forEach((cell, index) => (widths[index] = Math.max(widths[index] ?? 0, cell.length)));
  return widths.map((width) => Math.min(Math.max(width + 2, 8), 60));
}

function sendDownload(reply: FastifyReply, name: string, type: 'csv' | 'xlsx', body: string | Buffer) {
  return reply
    .type(type === 'csv' ? 'text/csv; charset=utf-8' : 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet')
    .header('content-disposition', `attachment; filename="${name}.${type}"`)
    .send(body);
}

interface ReportPage<R> {
  name: 'outreach' | 'portfolio';
  title: (page: SignedInPage) => string;
  fields: string[];
  run: (page: SignedInPage, query: Query) => Promise<R>;
  view: (page: SignedInPage, report: R, search: string) => Html;
  csv: (report: R) => { name: string; text: string };
}

/**
 * A report's pages, the same for each: the query checked with the API's schema, the service's report on screen under
 * its form, and the service's CSV (or the same rows as a workbook) to download.
 */
function registerReport<R>(app: FastifyInstance, context: ServiceContext, report: ReportPage<R>): void {
  app.get(`/reports/${report.name}`, async (request, reply) => {
    const page = signedIn(request, readers);
    const query = request.query as Query;
    // A fund in a file runs the report on the reports' thread, while this one reads the areas the form offers.
    const running = attemptAsync(page.lang, () => report.run(page, query));
    // Should reading the areas fail, the report's own failure is not left unhandled behind it.
    running.catch(() => undefined);
    const areas = reportAreaChoices(context, page);
    const result = await running;
    const body = html`${forms(page, { which: report.name, query, errors: result.ok ? null : result.errors, areas })}${result.ok ? report.view(page, result.value, queryString(query, report.fields)) : ''}`;
    return sendPage(reply, layout(page, report.title(page), body), result.ok ? 200 : result.errors.status);
  });
  for (const type of ['csv', 'xlsx'] as const) {
    app.get(`/reports/${report.name}.${type}`, async (request, reply) => {
      const page = signedIn(request, readers);
      const csv = report.csv(await report.run(page, request.query as Query));
      return sendDownload(reply, csv.name, type, type === 'csv' ? csv.text : await workbookOfCsv(csv.text, report.name));
    });
  }
}

const outreachFields = ['from', 'to', 'areaId', 'groupBy'];
const portfolioFields = ['asOf', 'from', 'to', 'areaId', 'groupBy'];

export function reportRoutes(context: ServiceContext, reports: ReportRunner): FastifyPluginAsync {
  return async (app) => {
    app.get('/reports', async (request, reply) => {
      const page = signedIn(request, readers);
      return sendPage(reply, layout(page, page.t.reports.title, forms(page, { which: null, query: {}, errors: null, areas: reportAreaChoices(context, page) })));
    });

    registerReport(app, context, {
      name: 'outreach',
      title: (page) => page.t.reports.outreach,
      fields: outreachFields,
      run: async (page, query) => jsonOf(await reports.run('outreach', page.actor, parseWith(outreachQuery, present(query, outreachFields)))),
      view: outreachView,
      csv: (report) => ({ name: `outreach-${report.from}-${report.to}`, text: outreachCsv(report) }),
    });
    registerReport(app, context, {
      name: 'portfolio',
      title: (page) => page.t.reports.portfolio,
      fields: portfolioFields,
      run: async (page, query) => jsonOf(await reports.run('portfolio', page.actor, parseWith(portfolioQuery, present(query, portfolioFields)))),
      view: portfolioView,
      csv: (report) => ({ name: `portfolio-${report.asOf}`, text: portfolioCsv(report) }),
    });
  };
}
