// The audit trail's rows: appended, read back by filter, and the stored state of an audited entity.
import { and, desc, eq, gte, lt, lte, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import { auditLog } from '../../../db/schema.js';
import { placeholdersFor, prepared } from '../shared/prepared.js';

export type AuditRow = typeof auditLog.$inferSelect;

export function insertAuditRecord(db: FundDatabase, row: AuditRow): void {
  prepared(db, 'insertAuditRecord', (on) => on.insert(auditLog).values(placeholdersFor(auditLog)).prepare()).run(row);
}

export interface AuditFilter {
  userId?: string;
  entity?: string;
  entityId?: string;
  action?: string;
  outcome?: AuditRow['outcome'];
  from?: string;
  to?: string;
  /** Newest first: the page after this id. */
  before?: string;
  limit: number;
}

export function listAuditRecords(db: FundDatabase, filter: AuditFilter): AuditRow[] {
  const conditions = [
    filter.userId === undefined ? undefined : eq(auditLog.userId, filter.userId),
    filter.entity === undefined ? undefined : eq(auditLog.entity, filter.entity),
    filter.entityId === undefined ? undefined : eq(auditLog.entityId, filter.entityId),
    filter.action === undefined ? undefined : eq(auditLog.action, filter.action),
    filter.outcome === undefined ? undefined : eq(auditLog.outcome, filter.outcome),
    filter.from === undefined ? undefined : gte(auditLog.at, filter.from),
    filter.to === undefined ? undefined : lte(auditLog.at, filter.to),
    filter.before === undefined ? undefined : lt(auditLog.id, filter.before),
  ].filter((condition) => condition !== undefined);
  return db
    .select()
    .from(auditLog)
    .where(conditions.length > 0 ? and(...conditions) : undefined)
    .orderBy(desc(auditLog.id))
    .limit(filter.limit + 1)
    .all();
}

/** Where each audited entity lives, and the columns never copied into the trail (secrets). */
const entityTables: Record<string, { table: string; key: string; hidden: string[] }> = {
  areas: { table: 'areas', key: 'id', hidden: [] },
  groups: { table: 'groups', key: 'id', hidden: [] },
  members: { table: 'members', key: 'id', hidden: [] },
  users: { table: 'users', key: 'id', hidden: ['password_hash'] },
  'loan-products': { table: 'loan_products', key: 'id', hidden: [] },
  loans: { table: 'loans', key: 'id', hidden: [] },
  plans: { table: 'plans', key: 'id', hidden: [] },
};

/** The stored row of an entity (secrets left out), or null when the kind has no single row or it is absent. */
export function entityState(db: FundDatabase, entity: string, id: string | null): Record<string, unknown> | null {
  if (entity === 'settings') {
    const rows = db.all<{ key: string; value: string }>(sql`SELECT key, value FROM settings ORDER BY key`);
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }
  const place = entityTables[entity];
  if (!place || id === null) return null;
  const row = db.get<Record<string, unknown> | undefined>(sql`SELECT * FROM ${sql.identifier(place.table)} WHERE ${sql.identifier(place.key)} = ${id}`);
  if (!row) return null;
  for (const column of place.hidden) delete row[column];
  return row;
}
