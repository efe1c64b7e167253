// What every page knows about its request: who is signed in, the language, the CSRF token, where it is. Route handlers
// ask for it with the roles the page is for; a page for other roles answers 403, a page without a session sends the
// browser to sign in. The services check role and scope again: this guard only keeps the navigation honest.
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Role } from '../modules/shared/access.js';
import type { Html } from './html.js';
import type { Lang, Messages } from './i18n/index.js';

export interface Page {
  lang: Lang;
  t: Messages;
  actor: (Actor & { sessionId: string; fullName: string }) | null;
  csrf: string;
  /** The path and query of this request, for the language switch and for coming back after sign-in. */
  url: string;
  timeZone: string;
  currency: string;
  /** The business date today, in the fund's time zone. */
  today: string;
}

export interface SignedInPage extends Page {
  actor: Actor & { sessionId: string; fullName: string };
}

declare module 'fastify' {
  interface FastifyRequest {
    page: Page | null;
  }
}

/** Thrown to send the browser elsewhere (sign-in, a role's home); the web error handler answers it. */
export class Redirect extends Error {
  constructor(readonly location: string) {
    super(`redirect to ${location}`);
  }
}

/** Thrown when the signed-in role has no business on a page. */
export class PageForbidden extends Error {}

/** Thrown when a form's CSRF token is missing or wrong. */
export class FormExpired extends Error {}

export function pageOf(request: FastifyRequest): Page {
  if (!request.page) throw new Error('the web context is set by the web plugin’s hook');
  return request.page;
}

/** A form posted after its sign-in ended: where it was going and what was typed in it, to send again once signed in. */
export class SignInToResend extends Error {
  constructor(
    readonly action: string,
    readonly fields: Record<string, string[]>,
  ) {
    super(`sign in to send the form to ${action} again`);
  }
}

/**
 * The fields of a form a browser posted (not a file, not a script's JSON), without its spent CSRF token and without
 * passwords, which are typed again rather than written into a page.
 */
function typedForm(request: FastifyRequest): Record<string, string[]> | null {
  if (request.method !== 'POST' || !String(request.headers['content-type'] ?? '').startsWith('application/x-www-form-urlencoded')) return null;
  if (!postedFromThisSite(request)) return null;
  const body = request.body;
  if (!body || typeof body !== 'object' || Array.isArray(body)) return null;
  return Object.fromEntries(Object.entries(body as Record<string, string[]>).filter(([name]) => name !== '_csrf' && !/password/i.test(name)));
}

/**
 * Whether the browser says the form was posted from a page of this service (Sec-Fetch-Site, or else Origin against
 * Host). A form another site posts must never come back as the user's own, so without that word nothing is carried.
 */
function postedFromThisSite(request: FastifyRequest): boolean {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string') return site === 'same-origin';
  const origin = request.headers.origin;
  if (typeof origin !== 'string' || origin === 'null') return false;
  try {
    const from = new URL(origin);
    // Read with the origin's scheme, so that a default port written in one and not the other still matches.
    return from.host === new URL(`${from.protocol}//${request.headers.host ?? ''}`).host;
  } catch {
    return false;
  }
}

export function signedIn(request: FastifyRequest, roles?: readonly Role[]): SignedInPage {
  const page = pageOf(request);
  if (!page.actor) {
    // Nothing typed is lost to an ended sign-in: the form comes back to be sent again after signing in.
    const fields = typedForm(request);
    if (fields) throw new SignInToResend(page.url, fields);
    throw new Redirect(`/app/login?next=${encodeURIComponent(page.url)}`);
  }
  if (roles && !roles.includes(page.actor.role)) throw new PageForbidden();
  return page as SignedInPage;
}

export function sendPage(reply: FastifyReply, body: Html, status = 200) {
  return reply.status(status).type('text/html; charset=utf-8').send(body.text);
}

/** After a successful POST: see the result with a GET (303), so a reload never posts again. */
export function seeOther(reply: FastifyReply, location: string) {
  return reply.status(303).header('location', location).send();
}

/** Only a path of this app may be a target for coming back (no open redirect). */
export function localPath(target: unknown, fallback: string): string {
  return typeof target === 'string' && /^\/app(\/|$|\?)/.test(target) && !target.startsWith('//') ? target : fallback;
}

export const roleHomes: Record<Role, string> = { admin: '/app/admin', officer: '/app/dashboard', leader: '/app/meeting', auditor: '/app/audit' };
