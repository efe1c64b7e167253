// The audit trail's rows: appended, read back by filter, and the stored state of an audited entity.
import { and, asc, desc, eq, getTableName, gte, lt, lte } from 'drizzle-orm';
import { type FundDatabase, columnsAs, insertOf, statementOn } from '../../../db/client.js';
import { userAreaIds } from '../auth/auth.repo.js';
import { areas, auditLog, groups, loanProducts, loans, members, plans, settings, users } from '../../../db/schema.js';
import { prepared } from '../shared/prepared.js';

export type AuditRow = typeof auditLog.$inferSelect;

const insertRecordStatement = insertOf(auditLog);

export function insertAuditRecord(db: FundDatabase, row: AuditRow): void {
  statementOn(db, insertRecordStatement).run(row);
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

/** Where each audited entity lives, and the fields never copied into the trail (secrets). */
const entityTables = {
  areas: { table: areas, hidden: [] },
  groups: { table: groups, hidden: [] },
  members: { table: members, hidden: [] },
  users: { table: users, hidden: ['passwordHash'] },
  'loan-products': { table: loanProducts, hidden: [] },
  loans: { table: loans, hidden: [] },
  plans: { table: plans, hidden: [] },
} as const satisfies Record<string, { table: typeof areas | typeof groups | typeof members | typeof users | typeof loanProducts | typeof loans | typeof plans; hidden: string[] }>;

const entityStatements = Object.fromEntries(
  Object.entries(entityTables).map(([entity, place]) => [entity, `SELECT ${columnsAs(place.table, 'e')} FROM ${getTableName(place.table)} AS e WHERE e.id = ?`]),
) as Record<keyof typeof entityTables, string>;

/** The stored row of an entity (secrets left out), or null when the kind has no single row or it is absent. */
export function entityState(db: FundDatabase, entity: string, id: string | null): Record<string, unknown> | null {
  if (entity === 'settings') {
    const rows = prepared(db, 'auditSettingsState', (on) => on.select({ key: settings.key, value: settings.value }).from(settings).orderBy(asc(settings.key)).prepare()).all();
    return Object.fromEntries(rows.map((row) => [row.key, row.value]));
  }
  if (id === null || !Object.hasOwn(entityTables, entity)) return null;
  const place = entityTables[entity as keyof typeof entityTables];
  // Written out in SQL and prepared once per kind: the trail reads the entity before and after every write.
  const row = statementOn(db, entityStatements[entity as keyof typeof entityTables]).get(id) as Record<string, unknown> | undefined;
  if (!row) return null;
  const state: Record<string, unknown> = { ...row };
  for (const field of place.hidden) delete state[field];
  // An officer's scope is her areas, kept beside her row: a change of scope is a change of the user.
  if (entity === 'users') state.areaIds = userAreaIds(db, id);
  return state;
}
