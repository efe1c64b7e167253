// Statements prepared once per database connection: the hot reads and writes of money-moving commands skip
// building their SQL and preparing it again on every call. A transaction shares its database's session, so a
// statement prepared on either runs inside the open transaction.
import { getTableColumns, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';

const caches = new WeakMap<object, Map<string, unknown>>();

export function prepared<T>(db: FundDatabase, name: string, build: (db: FundDatabase) => T): T {
  const session = (db as unknown as { session: object }).session;
  let cache = caches.get(session);
  if (!cache) {
    cache = new Map();
    caches.set(session, cache);
  }
  let statement = cache.get(name) as T | undefined;
  if (statement === undefined) {
    statement = build(db);
    cache.set(name, statement);
  }
  return statement;
}

/** Every column of a table as a named placeholder, for a prepared single-row insert. */
export function placeholdersFor(table: Parameters<typeof getTableColumns>[0]): never {
  return Object.fromEntries(Object.keys(getTableColumns(table)).map((column) => [column, sql.placeholder(column)])) as never;
}
