// The auditor's pages: the exports with their manifests, the ledger check, the audit log; and the journal as CSV.
//
// The audit log page calls the audit service. Exports and the ledger check are the API's (GET
// /v1/exports/{name}.{csv|xlsx|manifest.json}, /v1/ledger/verify). A browser has the session cookie, not a bearer
// token, so the pages reach those routes through /app/api/..., which replays a GET into the API in-process with the
// session's own token: the same route, actor and refusals, streamed through. Only reading routes of an allowed list pass.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify';
import * as ledger from '../../modules/ledger/ledger.service.js';
import type { Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { CurrencyCode } from '../../domain/money.js';
import { isIsoDate } from '../../domain/calendar.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, sendPage, signedIn } from '../page.js';
import { type ErrorCode, errorStatus } from '../../http/error-table.js';
import { errorText } from '../i18n/index.js';
import { attempt, parseWith } from '../forms.js';
import { formatTimestamp } from '../format.js';
import { auditLogQuery } from '../../modules/audit/audit.commands.js';
import { auditLog } from '../../modules/audit/audit.service.js';
import { cookieOf, sessionCookie } from '../session.js';
import { dateField, errorSummary, facts, inputField, money, notice, pager, scrollTable, selectField } from '../views/components.js';
import { layout } from '../views/layout.js';

const auditors: Role[] = ['auditor', 'admin'];
const exportNames = ['journal', 'general-ledger', 'trial-balance', 'loan-book', 'savings-balances', 'member-statement'] as const;
/** The API routes a page may read through /app/api. */
const readable = [/^\/v1\/exports\//, /^\/v1\/ledger\/(verify|journal|trial-balance|reconciliation)(\?|$)/, /^\/v1\/audit-log(\?|$)/, /^\/v1\/reports\//];

interface ApiAnswer {
  status: number;
  json: unknown;
}

/** A GET into the API with the session's token, answered as parsed JSON (for pages that show an API's answer). */
async function readApi(request: FastifyRequest, path: string): Promise<ApiAnswer> {
  const token = cookieOf(request, sessionCookie) ?? '';
  const answer = await request.server.inject({ method: 'GET', url: path, headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  let json: unknown = null;
  try {
    json = answer.json();
  } catch {
    json = null;
  }
  return { status: answer.statusCode, json };
}

function period(request: FastifyRequest, page: SignedInPage): { from: string; to: string } {
  const query = request.query as { from?: string; to?: string };
  const to = query.to && isIsoDate(query.to) ? query.to : page.today;
  const from = query.from && isIsoDate(query.from) ? query.from : `${to.slice(0, 4)}-01-01`;
  return { from, to };
}

export function auditRoutes(context: ServiceContext): FastifyPluginAsync {
  return async (app) => {
    app.get('/audit', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const { from, to } = period(request, page);
      const memberId = String((request.query as { memberId?: string }).memberId ?? '');
      const range = `from=${from}&to=${to}`;
      const rows = exportNames.map((name) => {
        const query = name === 'member-statement' ? `${range}&memberId=${encodeURIComponent(memberId)}` : range;
        return html`<tr><th scope="row">${t.exportNames[name]}</th><td><a href="/app/api/v1/exports/${name}.csv?${query}" download>CSV</a></td><td><a href="/app/api/v1/exports/${name}.xlsx?${query}" download>XLSX</a></td><td><a href="/app/api/v1/exports/${name}.manifest.json?${query}">${t.manifest}</a></td></tr>`;
      });
      return sendPage(
        reply,
        layout(
          page,
          t.exports,
          html`<p>${t.exportsIntro}</p>
<form method="get" action="/app/audit" class="inline-form">
${dateField(page, { name: 'from', label: page.t.common.from, value: from })}
${dateField(page, { name: 'to', label: page.t.common.to, value: to })}
${inputField(page, { name: 'memberId', label: t.memberId, value: memberId })}
<button type="submit">${page.t.common.show}</button>
</form>
${scrollTable(t.exports, html`<table><thead><tr><th scope="col">${page.t.common.name}</th><th scope="col">CSV</th><th scope="col">XLSX</th><th scope="col">${t.manifest}</th></tr></thead><tbody>${rows}</tbody></table>`)}
<p><a class="button" href="/app/ledger/journal.csv?${range}" download>${t.journalCsv}</a></p>`,
        ),
      );
    });

    // The check reads the whole journal: the page arrives at once and the result follows as a fragment (or, without a
    // script, on the same page after the link is followed).
    const verifyResult = async (request: FastifyRequest, page: SignedInPage): Promise<Html> => {
      const t = page.t.auditor;
      const verify = await readApi(request, '/v1/ledger/verify');
      const verified = verify.status === 200 && verify.json && typeof verify.json === 'object' ? (verify.json as Record<string, unknown>) : null;
      if (!verified) return html`<p class="notice warn">${page.t.common.notAvailable} (GET /v1/ledger/verify)</p>`;
      const intact = verified.ok === true || verified.valid === true || verified.intact === true;
      return html`<p class="notice${intact ? '' : ' warn'}" role="status"><strong>${intact ? t.verifyOk : t.verifyBroken}</strong></p>${facts(
        Object.entries(verified)
          .filter(([, shown]) => typeof shown !== 'object')
          .map(([key, shown]): [string, string] => [key, String(shown)]),
      )}`;
    };
    const books = (page: SignedInPage): Html => {
      const t = page.t.auditor;
      const currency = page.currency as CurrencyCode;
      const reconciliation = ledger.reconciliation(context, currency, page.today);
      const trial = ledger.trialBalance(context, currency, page.today);
      return html`<h2>${t.reconciliation}</h2>
${scrollTable(
  t.reconciliation,
  html`<table><thead><tr><th scope="col">${t.check}</th><th scope="col">${t.control}</th><th scope="col" class="num">${t.subledger}</th><th scope="col" class="num">${t.ledger}</th><th scope="col" class="num">${t.difference}</th></tr></thead><tbody>${reconciliation.checks.map(
    (check) =>
      html`<tr><th scope="row">${check.name} ${check.ok ? html`<span class="badge good">OK</span>` : html`<span class="badge bad">!</span>`}</th><td>${check.controlAccount}</td><td class="num">${money(page, check.subledger, currency)}</td><td class="num">${money(page, check.ledger, currency)}</td><td class="num">${money(page, check.difference, currency)}</td></tr>`,
  )}</tbody></table>`,
)}
<h2>${t.trialBalance}</h2>
${trial.balanced ? notice(t.balanced) : ''}
${scrollTable(
  t.trialBalance,
  html`<table><thead><tr><th scope="col">${t.account}</th><th scope="col" class="num">${t.debit}</th><th scope="col" class="num">${t.credit}</th></tr></thead><tbody>${trial.accounts.map(
    (account) => html`<tr><th scope="row">${account.code} ${page.lang === 'vi' ? account.nameVi : account.nameEn}</th><td class="num">${money(page, account.debit, currency)}</td><td class="num">${money(page, account.credit, currency)}</td></tr>`,
  )}</tbody><tfoot><tr><th scope="row">${page.t.common.total}</th><td class="num">${money(page, trial.totalDebit, currency)}</td><td class="num">${money(page, trial.totalCredit, currency)}</td></tr></tfoot></table>`,
)}`;
    };

    app.get('/audit/verify', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const query = request.query as { inline?: string; books?: string };
      // The books (reconciliation and trial balance) read every journal line: on a province that takes seconds, so
      // they are computed when asked for, not on every visit.
      const showBooks = query.books === '1';
      return sendPage(
        reply,
        layout(
          page,
          t.verify,
          html`<p>${t.verifyIntro}</p>
${
  query.inline === '1'
    ? await verifyResult(request, page)
    : html`<div data-fragment="/app/audit/verify/result" aria-busy="true" aria-live="polite"><p>${page.t.common.loading} <a href="/app/audit/verify?inline=1">${page.t.common.show}</a></p></div>`
}
${showBooks ? books(page) : html`<p><a class="button" href="/app/audit/verify?books=1">${t.showBooks}</a></p>`}`,
        ),
      );
    });
    app.get('/audit/verify/result', async (request, reply) => reply.type('text/html; charset=utf-8').send((await verifyResult(request, signedIn(request, auditors))).text));

    app.get('/audit/log', async (request, reply) => {
      const page = signedIn(request, auditors);
      const t = page.t.auditor;
      const query = request.query as Record<string, string | undefined>;
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
${result.ok ? pager(page, '/app/audit/log', { entity: filters.entity, outcome: filters.outcome, cursor: filters.cursor }, result.value.nextCursor) : ''}`,
        ),
        result.ok ? 200 : result.errors.status,
      );
    });

    // The API's reading routes for a browser: the session's token, the API's answer streamed back as it is.
    app.get('/api/*', async (request, reply) => {
      signedIn(request);
      const target = request.url.slice('/app/api'.length);
      if (!readable.some((pattern) => pattern.test(target))) return reply.callNotFound();
      const answer = await request.server.inject({
        method: 'GET',
        url: target,
        headers: { authorization: `Bearer ${cookieOf(request, sessionCookie) ?? ''}` },
        payloadAsStream: true,
      });
      if (answer.statusCode >= 400) {
        // A refusal reads as a page, in the page's language, not as the API's JSON.
        let text = '';
        for await (const chunk of answer.stream()) text += String(chunk);
        let refusal: { code?: string; message?: string } = {};
        try {
          refusal = (JSON.parse(text) as { error?: typeof refusal }).error ?? {};
        } catch {
          refusal = {};
        }
        const page = signedIn(request);
        const message = refusal.code && refusal.code in errorStatus ? errorText(page.lang, refusal.code as ErrorCode, refusal.message ?? '') : (refusal.message ?? page.t.errors.unexpected);
        return sendPage(reply, layout(page, message, html`<p><a href="/app/audit">${page.t.common.back}</a></p>`), answer.statusCode);
      }
      for (const header of ['content-type', 'content-disposition', 'content-length', 'etag', 'last-modified'] as const) {
        const shown = answer.headers[header];
        if (shown !== undefined) reply.header(header, shown);
      }
      return reply.status(answer.statusCode).send(answer.stream());
    });

    // The journal as CSV from the ledger as it stands: one row per journal line, streamed a page of entries at a time.
    app.get('/ledger/journal.csv', async (request, reply: FastifyReply) => {
      const page = signedIn(request, auditors);
      const { from, to } = period(request, page);
      const currency = page.currency as CurrencyCode;
      async function* rows() {
        yield ['sequence', 'entryDate', 'entryId', 'kind', 'description', 'accountCode', 'debit', 'credit', 'memberId', 'loanId', 'postedAt', 'hash', 'previousHash'];
        let cursor: string | undefined;
        do {
          const found = ledger.journal(context, currency, { from, to, limit: 500, cursor });
          for (const entry of found.items) {
            for (const line of entry.lines) {
              yield [entry.sequence, entry.entryDate, entry.id, entry.kind, entry.description, line.accountCode, line.debit, line.credit, line.memberId ?? '', line.loanId ?? '', entry.postedAt, entry.hash, entry.previousHash];
            }
          }
          cursor = found.nextCursor ?? undefined;
        } while (cursor);
      }
      const csv = Readable.from(rows()).pipe(stringify({ bom: true }));
      return reply.type('text/csv; charset=utf-8').header('content-disposition', `attachment; filename="journal-${from}-${to}.csv"`).send(csv);
    });
  };
}
