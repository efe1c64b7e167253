// The web app: server-rendered pages under /app for officers, group leaders, auditors and the admin, on top of the same
// services as the JSON API, with the same actor and the same refusals. Registered from buildApp with one line; the
// parsers, hooks and error pages below apply to /app only (Fastify encapsulation), so the API is untouched.
import multipart from '@fastify/multipart';
import type { FastifyError, FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { gzipSync } from 'node:zlib';
import { statusOf, type ErrorCode } from '../http/error-table.js';
import * as auth from '../modules/auth/auth.service.js';
import { recordAudit } from '../modules/audit/audit.service.js';
import { type ServiceContext, nowTimestamp, today } from '../modules/shared/context.js';
import { DomainError } from '../modules/shared/domain-error.js';
import type { GroupCommit } from '../modules/shared/group-commit.js';
import { readSettings } from '../modules/settings/settings.service.js';
import { assetsByUrl } from './assets.js';
import { parseUrlEncoded } from './forms.js';
import { html } from './html.js';
import { errorText, isLang, type Lang, messagesFor } from './i18n/index.js';
import { FormExpired, type Page, PageForbidden, Redirect, SignInToResend, localPath, pageOf, roleHomes, sendPage } from './page.js';
import { auditRoutes } from './routes/audit.routes.js';
import { adminRoutes } from './routes/admin.routes.js';
import { dashboardRoutes } from './routes/dashboard.routes.js';
import { loanRoutes } from './routes/loan.routes.js';
import { meetingRoutes } from './routes/meeting.routes.js';
import { registryRoutes } from './routes/registry.routes.js';
import { reportRoutes } from './routes/report.routes.js';
import type { ReportRunner } from '../modules/reports/report-runner.js';
import { loginPage, sessionRoutes } from './routes/session.routes.js';
import { type Write, pageWrites } from './writes.js';
import { csrfTokenOf, languageCookie, loginCookie, newLoginToken, parseCookies, sessionCookie, setCookie } from './session.js';
import { layout } from './views/layout.js';

/** What the browser may load and where a form may post: this service only. */
const contentSecurityPolicy = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "object-src 'none'",
].join('; ');

export interface WebOptions {
  /** Sign-in attempts one address may make in a minute (the API's limit). */
  loginRateLimitPerMinute: number;
}

function pageContext(context: ServiceContext, request: FastifyRequest): Page {
  const cookies = parseCookies(request.headers.cookie);
  const chosen = cookies[languageCookie];
  const lang: Lang = isLang(chosen) ? chosen : 'vi';
  const base = { lang, t: messagesFor(lang), url: request.url, timeZone: context.fundTimeZone, currency: readSettings(context.db).currency, today: today(context) };
  const token = cookies[sessionCookie];
  if (token) {
    try {
      const actor = auth.authenticate(context, token);
      return { ...base, actor: { ...actor, fullName: auth.currentUser(context, actor).fullName }, csrf: csrfTokenOf(token) };
    } catch (error) {
      // An expired or revoked session reads as signed out; the page then asks to sign in again.
      if (!(error instanceof DomainError)) throw error;
    }
  }
  return { ...base, actor: null, csrf: cookies[loginCookie] ?? '' };
}

function problemPage(page: Page, message: string) {
  return layout(page, message, html`<p><a href="${page.actor ? roleHomes[page.actor.role] : '/app/login'}">${page.t.errors.backHome}</a></p>`);
}

/** A page's post refused for its role is recorded in the audit trail, as the API records its 403s. */
function recordForbiddenPost(context: ServiceContext, request: FastifyRequest, page: Page): void {
  if (request.method === 'GET' || request.method === 'HEAD' || !page.actor) return;
  const action = `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
  try {
    recordAudit(context.db, { userId: page.actor.userId, username: page.actor.username, role: page.actor.role, ip: request.ip, requestId: request.id, action, entity: 'app', entityId: null }, nowTimestamp(context), 'refused', {
      after: { reason: 'the page is not for this role' },
    });
  } catch (failure) {
    request.log.error({ err: failure }, 'the refusal could not be recorded in the audit trail');
  }
}

function answerError(context: ServiceContext, error: FastifyError | Error, request: FastifyRequest, reply: FastifyReply) {
  if (error instanceof Redirect) return reply.status(303).header('location', error.location).send();
  const page = request.page;
  if (!page) {
    request.log.error({ err: error }, 'web request failed before its page context');
    return reply.status(500).type('text/plain; charset=utf-8').send('Internal error');
  }
  if (error instanceof PageForbidden) {
    recordForbiddenPost(context, request, page);
    return sendPage(reply, problemPage(page, page.t.errors.forbidden), 403);
  }
  if (error instanceof FormExpired) return sendPage(reply, problemPage(page, page.t.errors.formExpired), 403);
  if (error instanceof SignInToResend) {
    // The sign-in form carries what was typed; it gets its own token when there is none yet.
    if (!page.csrf) {
      page.csrf = newLoginToken();
      setCookie(request, reply, loginCookie, page.csrf);
    }
    return sendPage(reply, loginPage(page, { next: localPath(error.action, ''), resend: { action: error.action, fields: error.fields }, message: page.t.login.expiredResend }), 401);
  }
  if (error instanceof DomainError) {
    if (error.code === 'unauthenticated' || error.code === 'token_expired') return reply.status(303).header('location', `/app/login?next=${encodeURIComponent(page.url)}`).send();
    const status = statusOf(error.code as ErrorCode);
    return sendPage(reply, problemPage(page, errorText(page.lang, error.code as ErrorCode, error.message)), status);
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return sendPage(reply, problemPage(page, page.t.errors.pageNotFound), status);
  request.log.error({ err: error }, 'web request failed');
  return sendPage(reply, problemPage(page, page.t.errors.unexpected), 500);
}

function pages(context: ServiceContext, write: Write, options: WebOptions, reports: ReportRunner): FastifyPluginAsync {
  return async (app) => {
    app.decorateRequest('page', null);
    // Pages are not part of the API: keep them out of /openapi.json.
    app.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_request, body, done) => done(null, parseUrlEncoded(String(body))));
    await app.register(multipart, { limits: { fileSize: 20 * 1024 * 1024, files: 1, fields: 20 } });

    // Static files need no session; every other page gets its context: language, signed-in actor, CSRF token.
    app.addHook('onRequest', async (request) => {
      if (request.url.startsWith('/app/static/')) return;
      request.page = pageContext(context, request);
    });
    app.addHook('onSend', async (request, reply, payload) => {
      reply.header('x-content-type-options', 'nosniff');
      reply.header('referrer-policy', 'same-origin');
      const type = String(reply.getHeader('content-type') ?? '');
      if (!type.startsWith('text/html')) return payload;
      reply.header('content-security-policy', contentSecurityPolicy);
      reply.header('cache-control', 'no-store');
      // Pages are small, but a weak connection feels every kilobyte: gzip them when the browser accepts it.
      if (typeof payload === 'string' && payload.length > 1024 && /\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) {
        reply.header('content-encoding', 'gzip');
        reply.header('vary', 'accept-encoding');
        return gzipSync(payload);
      }
      return payload;
    });
    app.setErrorHandler((error: FastifyError, request, reply) => answerError(context, error, request, reply));
    app.setNotFoundHandler((request, reply) => {
      const page = request.page ?? pageContext(context, request);
      request.page = page;
      return sendPage(reply, problemPage(page, page.t.errors.pageNotFound), 404);
    });

    app.get('/static/:file', async (request, reply) => {
      const asset = assetsByUrl.get(request.url.split('?')[0] ?? '');
      if (!asset) return reply.status(404).type('text/plain; charset=utf-8').send('Not found');
      reply.header('content-type', asset.type).header('cache-control', 'public, max-age=31536000, immutable').header('x-content-type-options', 'nosniff');
      if (/\bgzip\b/.test(String(request.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').header('vary', 'accept-encoding').send(asset.gzipped);
      return reply.send(asset.body);
    });
    app.get('/', async (request, reply) => {
      const page = pageOf(request);
      return reply.status(303).header('location', page.actor ? roleHomes[page.actor.role] : '/app/login').send();
    });
    app.get('/lang', async (request, reply) => {
      const query = request.query as { to?: string; next?: string };
      const lang: Lang = isLang(query.to) ? query.to : 'vi';
      setCookie(request, reply, languageCookie, lang, { maxAgeSeconds: 365 * 24 * 3600 });
      return reply.status(303).header('location', localPath(query.next, '/app')).send();
    });

    await app.register(sessionRoutes(context, write, options));
    await app.register(meetingRoutes(context, write));
    await app.register(dashboardRoutes(context, reports));
    await app.register(registryRoutes(context, write));
    await app.register(loanRoutes(context, write));
    await app.register(reportRoutes(context, reports));
    await app.register(auditRoutes(context));
    await app.register(adminRoutes(context, write));
  };
}

/** The web app: `/` sends the browser to it; everything else lives under /app. */
export function webApp(context: ServiceContext, writes: GroupCommit, options: WebOptions, reports: ReportRunner): FastifyPluginAsync {
  return async (app) => {
    app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.status(303).header('location', '/app').send());
    await app.register(pages(context, pageWrites(context, writes), options, reports), { prefix: '/app' });
  };
}
