// Who is asking for a write, carried from the request to the command that runs it, so that the command's audit
// record is written in its own transaction; and the record of refused attempts.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { type AuditScope, audited, recordAudit } from '../modules/audit/audit.service.js';
import { type ServiceContext, nowTimestamp } from '../modules/shared/context.js';

const scopes = new AsyncLocalStorage<AuditScope>();

/** Sign-in records itself (its failures must outlive the refusal); sign-out and previews change no record of the fund. */
const unaudited = new Set(['/v1/auth/login', '/v1/schedules/preview']);

export function auditScopeOf(request: FastifyRequest): AuditScope {
  const route = request.routeOptions.url ?? request.url.split('?')[0] ?? '';
  const path = route.replace(/^\/v1/, '');
  const params = (request.params ?? {}) as Record<string, unknown>;
  return {
    userId: request.actor?.userId ?? null,
    username: request.actor?.username ?? null,
    role: request.actor?.role ?? null,
    ip: request.ip,
    requestId: request.id,
    action: `${request.method} ${path}`,
    entity: path.split('/')[1] ?? '',
    // Her own password is the signed-in user's: the record names her, as the page's does.
    entityId: typeof params.id === 'string' ? params.id : path === '/auth/password' ? (request.actor?.userId ?? null) : null,
  };
}

/** Runs every write route's handler with its audit scope; the group commit wraps each command with it. */
export function carryAuditScopes(app: FastifyInstance): void {
  app.addHook('onRoute', (route: RouteOptions) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    if (!route.url.startsWith('/v1/') || unaudited.has(route.url) || methods.every((method) => method === 'GET' || method === 'HEAD')) return;
    const handler = route.handler;
    route.handler = function (this: FastifyInstance, request, reply) {
      return scopes.run(auditScopeOf(request), () => handler.call(this, request, reply));
    };
  });
}

/** Runs `run` under an audit scope built elsewhere (the web app names the API route its write stands for). */
export function withAuditScope<T>(scope: AuditScope, run: () => T): T {
  return scopes.run(scope, run);
}

/** For createGroupCommit: a command handed in under a scope records itself, in its transaction. */
export function auditCommands(context: ServiceContext) {
  return (command: () => unknown): (() => unknown) => {
    const scope = scopes.getStore();
    return scope ? () => audited(context.db, scope, nowTimestamp(context), command) : command;
  };
}

/**
 * Sign-ins refused because one address sent too many (the per-address limit): the first of each address in each
 * minute is recorded, so a flood of guesses shows in the trail without writing a record for every guess.
 */
export function signInFloodRecorder(context: ServiceContext): (request: FastifyRequest) => void {
  const firstRefusalAt = new Map<string, number>();
  return (request) => {
    const now = context.clock.now().getTime();
    const last = firstRefusalAt.get(request.ip);
    if (last !== undefined && now - last < 60_000) return;
    if (firstRefusalAt.size >= 10_000) firstRefusalAt.clear();
    firstRefusalAt.set(request.ip, now);
    const scope: AuditScope = { userId: null, username: null, role: null, ip: request.ip, requestId: request.id, action: 'POST /auth/login', entity: 'auth', entityId: null };
    recordAudit(context.db, scope, nowTimestamp(context), 'sign_in_failed', { after: { reason: 'too many sign-ins from this address: refused for the rest of the minute' } });
  };
}

/** A refused attempt (403) is recorded on its own: there is no write for it to share a transaction with. */
export function recordRefusal(context: ServiceContext, request: FastifyRequest, reason: string): void {
  recordAudit(context.db, auditScopeOf(request), nowTimestamp(context), 'refused', { after: { reason } });
}
