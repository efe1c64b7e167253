// The auditor's pages: the exports with their manifests, the ledger verification, the audit log. Each calls the
// service its API route calls (openExport and exportManifest, verifyBooks, auditLog), with the same actor.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { auditLogQuery } from '../../modules/audit/audit.commands.js';
import { auditLog } from '../../modules/audit/audit.service.js';
import { type ExportFormat, type ExportName, type ExportRequest, exportFormats, exportNames, exportQueries } from '../../modules/exports/export.commands.js';
import { exportManifest, openExport } from '../../modules/exports/export.service.js';
import { listAccounts } from '../../modules/ledger/ledger.service.js';
import { verifyBooks } from '../../modules/ledger/verify.service.js';
import type { Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { isIsoDate } from '../../domain/calendar.js';
import { requireNotAfter } from '../../modules/shared/context.js';
import { DomainError } from '../../modules/shared/domain-error.js';
import { isoDate } from '../../modules/shared/schemas.js';
import { attempt, attemptAsync, parseWith } from '../forms.js';
import { formatCount, formatTimestamp } from '../format.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, sendPage, signedIn } from '../page.js';
import { date, dateField, errorSummary, facts, inputField, money, pager, scrollTable, selectField } from '../views/components.js';
import { layout } from '../views/layout.js';

const auditors: Role[] = ['auditor', 'admin'];
type Query = Record<string, string | undefined>;

/**
 * The period and member the exports page was asked for; the as-of exports take the period's end. A period that is
 * not one (a date that does not exist, an end to come, a start after the end) is refused beside its field, as the
 * exports themselves would refuse it, rather than read as another.
 */
function exportParameters(query: Query, page: SignedInPage) {
  const asked = { from: query.from || undefined, to: query.to || undefined };
  const checked = attempt(page.lang, () => {
    const period = parseWith(exportPeriod, asked);
    if (period.to !== undefined) requireNotAfter(period.to, page.today, 'to');
    if (period.from !== undefined && period.from > (period.to ?? page.today)) {
      throw new DomainError('invalid_request', `The period starts on ${period.from}, after it ends.`, [{ path: 'from', message: 'must not be after to' }]);
    }
    return period;
  });
  const to = checked.ok ? (checked.value.to ?? page.today) : (asked.to ?? page.today);
  const from = checked.ok ? (checked.value.from ?? `${to.slice(0, 4)}-01-01`) : (asked.from ?? '');
  return { from, to, memberId: query.memberId ?? '', errors: checked.ok ? null : checked.errors };
}

const exportPeriod = z.object({ from: isoDate.optional(), to: isoDate.optional() });

/** Each export's own parameters, from the page's period and member. */
function exportQueryString(name: ExportName, parameters: ReturnType<typeof exportParameters>): string {
  const search = new URLSearchParams();
  if (name === 'journal' || name === 'general-ledger') {
    search.set('from', parameters.from);
    search.set('to', parameters.to);
  } else {
    search.set('asOf', parameters.to);
    if (name === 'member-statement') search.set('memberId', parameters.memberId);
  }
  return search.toString();
}

/** The export a URL names (`journal.csv`), with its query checked by the API's schema. */
function exportRequestOf(file: string, query: unknown): ExportRequest | null {
  const match = /^([a-z-]+)\.(csv|xlsx)$/.exec(file);
  const name = match?.[1] as ExportName | undefined;
  const format = match?.[2] as ExportFormat | undefined;
  if (!name || !format || !exportNames.includes(name) || !exportFormats.includes(format)) return null;
  return { name, format, query: parseWith(exportQueries[name], query) } as ExportRequest;
}

/** How a manifest's parameters and totals read on the page. */
function parameterLabels(page: SignedInPage): Record<string, string> {
  return { from: page.t.common.from, to: page.t.common.to, asOf: page.t.common.asOf, areaId: page.t.common.area, memberId: page.t.auditor.memberId, debit: page.t.auditor.debit, credit: page.t.auditor.credit, debitTurnover: page.t.auditor.debitTurnover, creditTurnover: page.t.auditor.creditTurnover };
}

function manifestPage(page: SignedInPage, manifest: Awaited<ReturnType<typeof exportManifest>>, download: string): Html {
  const t = page.t.auditor;
  return layout(
    page,
    `${t.manifest}: ${manifest.fileName}`,
    html`${facts([
  [t.exportNames[manifest.export], manifest.format.toUpperCase()],
  ...Object.entries(manifest.parameters).map(([name, shown]): [string, string] => [parameterLabels(page)[name] ?? name, isIsoDate(shown) ? date(shown) : shown]),
  [t.rows, formatCount(manifest.rowCount, page.lang)],
  ...Object.entries(manifest.totals).map(([name, total]): [string, string] => [parameterLabels(page)[name] ?? name, money(page, total, manifest.currency)]),
  [t.bytes, formatCount(manifest.bytes, page.lang)],
  ['SHA-256', html`<code>${manifest.sha256}</code>`],
  [t.journalThrough, manifest.journalThrough ? html`#${manifest.journalThrough.sequence} <code>${manifest.journalThrough.hash}</code>` : '—'],
  [t.generatedAt, formatTimestamp(manifest.generatedAt, page.timeZone)],
])}
<p class="actions"><a class="button primary" href="${download}" download>${t.downloadFile}</a> <a class="button" href="${download.replace('?', '.manifest.json?')}" download>${t.manifestJson}</a> <a href="/app/audit">${page.t.common.back}</a></p>`,
  );
}

function verificationView(context: ServiceContext, page: SignedInPage, result: Awaited<ReturnType<typeof verifyBooks>>): Html {
  const t = page.t.auditor;
  // Each reconciliation is named by its control account, in the page's language, from the fund's chart.
  const accountNames = new Map(listAccounts(context).map((account) => [account.code, page.lang === 'vi' ? account.nameVi : account.nameEn]));
  const currency = page.currency;
  return html`<p class="notice${result.ok ? '' : ' warn'}" role="status"><strong>${result.ok ? t.verifyOk : t.verifyBroken}</strong></p>
${facts([
  [t.checkedAt, formatTimestamp(result.checkedAt, page.timeZone)],
  [t.entriesChecked, formatCount(result.entriesChecked, page.lang)],
  [t.linesChecked, formatCount(result.linesChecked, page.lang)],
  [t.debit, money(page, result.totalDebit, currency)],
  [t.credit, money(page, result.totalCredit, currency)],
  [t.lastHash, result.lastHash ? html`#${result.lastSequence} <code>${result.lastHash}</code>` : '—'],
  [t.problems, formatCount(result.problemCount, page.lang)],
])}
${
  result.problems.length > 0
    ? html`<p>${t.problemsNote}</p>${scrollTable(
        t.problems,
        html`<table class="stack"><thead><tr><th scope="col">${t.failedCheck}</th><th scope="col">${t.entry}</th><th scope="col">${t.problem}</th></tr></thead><tbody>${result.problems.map(
          (problem) => html`<tr><th scope="row">${t.checkNames[problem.check]} <code>${problem.check}</code></th><td data-label="${t.entry}">${problem.sequence ?? ''} <code>${problem.entryId ?? ''}</code></td><td data-label="${t.problem}">${problem.message}</td></tr>`,
        )}</tbody></table>`,
      )}`
    : ''
}
<h2>${t.reconciliation}</h2>
${scrollTable(
  t.reconciliation,
  html`<table class="stack"><thead><tr><th scope="col">${t.check}</th><th scope="col">${t.control}</th><th scope="col" class="num">${t.subledger}</th><th scope="col" class="num">${t.ledger}</th><th scope="col" class="num">${t.difference}</th></tr></thead><tbody>${result.reconciliation.checks.map(
    (check) =>
      html`<tr><th scope="row">${accountNames.get(check.controlAccount) ?? check.name} ${check.ok ? html`<span class="badge good">OK</span>` : html`<span class="badge bad">!</span>`}</th><td data-label="${t.control}">${check.controlAccount}</td><td class="num" data-label="${t.subledger}">${money(page, check.subledger, currency)}</td><td class="num" data-label="${t.ledger}">${money(page, check.ledger, currency)}</td><td class="num" data-label="${t.difference}">${money(page, check.difference, currency)}</td></tr>`,
  )}</tbody></table>`,
)}`;
}

export function auditRoutes(context: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/audit', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const parameters = exportParameters(request.query as Query, page);
      const rows = exportNames.map((name) => {
        const query = exportQueryString(name, parameters);
        const ready = parameters.errors === null && (name !== 'member-statement' || parameters.memberId !== '');
        return html`<tr><th scope="row">${t.exportNames[name]}</th>${exportFormats.map(
          (format) =>
            html`<td data-label="${format.toUpperCase()}">${
              ready ? html`<a href="/app/exports/${name}.${format}?${query}" download>${format.toUpperCase()}</a> · <a href="/app/audit/manifest/${name}.${format}?${query}">${t.manifest}</a>` : '—'
            }</td>`,
        )}</tr>`;
      });
      return sendPage(
        reply,
        layout(
          page,
          t.exports,
          html`<p>${t.exportsIntro}</p>
${errorSummary(page, parameters.errors, { from: page.t.common.from, to: page.t.common.to })}
<form method="get" action="/app/audit" class="inline-form">
${dateField(page, { name: 'from', label: page.t.common.from, value: parameters.from, errors: parameters.errors })}
${dateField(page, { name: 'to', label: `${page.t.common.to} (${page.t.common.asOf.toLowerCase()})`, value: parameters.to, errors: parameters.errors })}
${inputField(page, { name: 'memberId', label: t.memberId, value: parameters.memberId })}
<button type="submit">${page.t.common.show}</button>
</form>
${scrollTable(t.exports, html`<table class="stack"><thead><tr><th scope="col">${page.t.common.name}</th><th scope="col">CSV</th><th scope="col">XLSX</th></tr></thead><tbody>${rows}</tbody></table>`)}`,
        ),
        parameters.errors?.status ?? 200,
      );
    });

    // The file streams from the export service as the API sends it; the manifest as JSON, or as a page to read.
    app.get('/exports/:file', async (request: FastifyRequest, reply: FastifyReply) => {
      const page = signedIn(request, auditors);
      const file = (request.params as { file: string }).file;
      const manifestSuffix = '.manifest.json';
      const wanted = exportRequestOf(file.endsWith(manifestSuffix) ? file.slice(0, -manifestSuffix.length) : file, request.query);
      if (!wanted) return reply.callNotFound();
      if (file.endsWith(manifestSuffix)) return reply.type('application/json; charset=utf-8').header('content-disposition', `attachment; filename="${file}"`).send(await exportManifest(context, page.actor, wanted));
      const opened = openExport(context, page.actor, wanted);
      reply.header('content-type', opened.contentType).header('content-disposition', `attachment; filename="${opened.fileName}"`);
      // A HEAD asks whether the file would come, as the API answers it: the same checks, no rows read.
      if (request.method === 'HEAD') {
        opened.stream.destroy();
        return reply.send();
      }
      return reply.send(opened.stream);
    });

    app.get('/audit/manifest/:file', async (request, reply) => {
      const page = signedIn(request, auditors);
      const file = (request.params as { file: string }).file;
      const wanted = exportRequestOf(file, request.query);
      if (!wanted) return reply.callNotFound();
      const search = new URLSearchParams(request.query as Record<string, string>).toString();
      return sendPage(reply, manifestPage(page, await exportManifest(context, page.actor, wanted), `/app/exports/${file}?${search}`));
    });

    // The verification reads the whole journal: the page arrives at once and the result follows as a fragment (or,
    // without a script, on the same page once the link is followed).
    app.get('/audit/verify', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const inline = (request.query as { inline?: string }).inline === '1';
      return sendPage(
        reply,
        layout(
          page,
          t.verify,
          html`<p>${t.verifyIntro}</p>
${
  inline
    ? verificationView(context, page, await verifyBooks(context, page.actor))
    : html`<div data-fragment="/app/audit/verify/result" aria-busy="true" aria-live="polite"><p>${t.verifying} <a href="/app/audit/verify?inline=1">${page.t.common.show}</a></p></div>`
}`,
        ),
      );
    });
    app.get('/audit/verify/result', async (request, reply) => {
      const page = signedIn(request, auditors);
      const result = await attemptAsync(page.lang, () => verifyBooks(context, page.actor));
      const body = result.ok ? verificationView(context, page, result.value) : errorSummary(page, result.errors);
      return reply.type('text/html; charset=utf-8').send(body.text);
    });

    app.get('/audit/log', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const query = request.query as Query;
      const filters = { entity: query.entity || undefined, outcome: query.outcome || undefined, userId: query.userId || undefined, cursor: query.cursor || undefined };
      const result = attempt(page.lang, () => auditLog(context, page.actor, parseWith(auditLogQuery, { ...filters, limit: 50 })));
      const table = (items: ReturnType<typeof auditLog>['items']) =>
        scrollTable(
          t.auditLog,
          html`<table class="stack"><thead><tr><th scope="col">${t.at}</th><th scope="col">${t.who}</th><th scope="col">${t.action}</th><th scope="col">${t.record}</th><th scope="col">${t.outcome}</th><th scope="col">${t.from}</th></tr></thead>
<tbody>${items.map(
            (item) =>
              html`<tr><th scope="row">${formatTimestamp(item.at, page.timeZone)}</th><td data-label="${t.who}">${item.username ?? ''}${item.role ? html` <span class="muted">(${page.t.roles[item.role as 'admin'] ?? item.role})</span>` : ''}</td><td data-label="${t.action}"><code>${item.action}</code></td><td data-label="${t.record}">${item.entity}${item.entityId ? html` <code>${item.entityId}</code>` : ''}</td><td data-label="${t.outcome}">${t.outcomes[item.outcome]}</td><td data-label="${t.from}">${item.ip ?? ''}</td></tr>`,
          )}</tbody></table>`,
        );
      return sendPage(
        reply,
        layout(
          page,
          t.auditLog,
          html`<p>${t.auditLogIntro}</p>
${errorSummary(page, result.ok ? null : result.errors)}
<form method="get" action="/app/audit/log" class="inline-form">
${selectField(page, { name: 'entity', label: t.record, choices: ['loans', 'groups', 'members', 'users', 'loan-products', 'settings', 'auth', 'imports', 'ledger', 'plans', 'areas', 'app'].map((entity) => ({ value: entity, label: entity })), value: filters.entity, empty: page.t.common.all })}
${selectField(page, { name: 'outcome', label: t.outcome, choices: (['done', 'refused', 'sign_in_failed'] as const).map((outcome) => ({ value: outcome, label: t.outcomes[outcome] })), value: filters.outcome, empty: page.t.common.all })}
<button type="submit">${page.t.common.show}</button>
</form>
${result.ok ? (result.value.items.length === 0 ? html`<p>${page.t.common.noneFound}</p>` : table(result.value.items)) : ''}
${result.ok ? pager(page, '/app/audit/log', filters, result.value.nextCursor) : ''}`,
        ),
        result.ok ? 200 : result.errors.status,
      );
    });
  };
}
