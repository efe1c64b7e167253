// The audit trail: every write records who, when, from where, what and the change, inside the write's own
// transaction, so a write without its record (or the reverse) cannot be committed. Refusals are recorded too.
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import type { ServiceContext } from '../shared/context.js';
import { newId } from '../shared/ids.js';
import { decodeCursor, encodeCursor } from '../shared/pagination.js';
import type { AuditLogQuery } from './audit.commands.js';
import * as repo from './audit.repo.js';

/** Who is acting and on what: known before the write runs. */
export interface AuditScope {
  userId: string | null;
  username: string | null;
  role: string | null;
  ip: string | null;
  requestId: string | null;
  /** What was asked, e.g. `POST /loans/:id/repayments`. */
  action: string;
  /** The kind of record acted on, e.g. `loans`, and its id when the request names it. */
  entity: string;
  entityId: string | null;
}

/** Replies larger than this are summarised in the trail by their size, not copied. */
const largestStoredReply = 32 * 1024;

function storedJson(value: unknown): string | null {
  if (value === undefined || value === null) return null;
  const text = JSON.stringify(value, (_key, inner: unknown) => (typeof inner === 'bigint' ? inner.toString() : inner));
  return text.length <= largestStoredReply ? text : JSON.stringify({ truncated: true, characters: text.length });
}

/** The id a create answers with: `{id}`, or an idempotent reply's `{body: {id}}`. */
function createdIdOf(result: unknown): string | null {
  const candidate = result as { id?: unknown; body?: { id?: unknown } } | null;
  if (typeof candidate?.id === 'string') return candidate.id;
  if (typeof candidate?.body?.id === 'string') return candidate.body.id;
  return null;
}

export function recordAudit(db: FundDatabase, scope: AuditScope, at: string, outcome: repo.AuditRow['outcome'], change: { before?: unknown; after?: unknown } = {}): void {
  repo.insertAuditRecord(db, {
    id: newId('au'),
    at,
    userId: scope.userId,
    username: scope.username,
    role: scope.role,
    ip: scope.ip,
    requestId: scope.requestId,
    action: scope.action,
    entity: scope.entity,
    entityId: scope.entityId,
    outcome,
    before: storedJson(change.before),
    after: storedJson(change.after),
  });
}

/**
 * Runs a write and records it, all inside the caller's transaction: the entity as stored before, then as stored
 * after together with the write's answer. A write that throws records nothing (its savepoint is rolled back).
 */
export function audited<T>(db: FundDatabase, scope: AuditScope, at: string, write: () => T): T {
  const before = repo.entityState(db, scope.entity, scope.entityId);
  const result = write();
  const entityId = scope.entityId ?? createdIdOf(result);
  const after = { state: repo.entityState(db, scope.entity, entityId), reply: result };
  recordAudit(db, { ...scope, entityId }, at, 'done', { before, after });
  return result;
}

export function auditLog(context: ServiceContext, actor: Actor, query: AuditLogQuery) {
  requireRole(actor, ['admin', 'auditor'], 'read the audit trail');
  // Stored instants are UTC (toISOString); a filter given with an offset is compared in UTC too.
  const utc = (instant: string | undefined) => (instant === undefined ? undefined : new Date(instant).toISOString());
  const rows = repo.listAuditRecords(context.db, { ...query, from: utc(query.from), to: utc(query.to), before: decodeCursor(query.cursor, 'au') });
  const items = rows.slice(0, query.limit).map((row) => ({
    ...row,
    before: row.before === null ? null : (JSON.parse(row.before) as unknown),
    after: row.after === null ? null : (JSON.parse(row.after) as unknown),
  }));
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > query.limit && last ? encodeCursor(last.id) : null };
}
