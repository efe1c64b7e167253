// Opens the fund's SQLite file with the pragmas the ledger relies on, and applies the committed migrations.
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { type BetterSQLite3Database, drizzle } from 'drizzle-orm/better-sqlite3';
import type { BaseSQLiteDatabase } from 'drizzle-orm/sqlite-core';
import { migrate } from 'drizzle-orm/better-sqlite3/migrator';
import * as schema from './schema.js';

/** The database or a transaction on it: repositories take either, so a service decides the transaction. */
export type FundDatabase = BaseSQLiteDatabase<'sync', Database.RunResult, typeof schema>;

export interface DatabaseHandle {
  db: BetterSQLite3Database<typeof schema>;
  sqlite: Database.Database;
  close(): void;
}

const migrationsFolder = fileURLToPath(new URL('./migrations', import.meta.url));

export function openDatabase(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets readers run beside the writer; FULL makes a commit survive a power cut (a commune office);
  // foreign keys are off by default in SQLite; the busy timeout rides out a backup or a second process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The default 2 MB page cache makes every statement re-read pages from the file through system calls: keep the
  // working set (indexes of the hot tables) in memory, map the file for reads, and sort in memory.
  sqlite.pragma('cache_size = -65536');
  sqlite.pragma('mmap_size = 1073741824');
  sqlite.pragma('temp_store = MEMORY');
  const db = drizzle(sqlite, { schema });
  return {
    db,
    sqlite,
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

export function migrateDatabase(handle: DatabaseHandle): void {
  migrate(handle.db, { migrationsFolder });
}

interface MigrationJournal {
  entries: { idx: number; tag: string }[];
}

/** The migration the schema stands at: the newest applied tag of the committed journal. */
export function schemaVersion(handle: DatabaseHandle): string {
  const journal = JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as MigrationJournal;
  const applied = handle.sqlite.prepare('SELECT count(*) AS count FROM __drizzle_migrations').get() as { count: number };
  const entry = journal.entries[applied.count - 1];
  return entry ? entry.tag : 'none';
}
