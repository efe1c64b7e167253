// Opens the fund's SQLite file with the pragmas the ledger relies on, and applies the committed migrations.
import { closeSync, existsSync, fdatasync, mkdirSync, openSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { type SQL, type Table, fillPlaceholders, getTableColumns, getTableName, sql as sqlOf } from 'drizzle-orm';
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

/** The service's page cache, in KiB (SQLite takes a negative cache_size as KiB). */
const serviceCacheKib = 32_768;

/**
 * The reports' page cache, in KiB. Reports seek all over a province's largest indexes (a month's installments each
 * look up its repayments' allocation lines in an index of 1.3 million, the day's timeline segments of every loan):
 * with the service's 32 MB most of those seeks went to the file through a system call, and a report's time grew
 * faster than the fund (province 30 June 341 ms with 32 MB, 199-202 with 128 or 256). The cache fills only with pages
 * a report reads, to this bound.
 */
const reportCacheKib = 131_072;

/** A second connection on a fund's file that can only read, with a page cache of the size given. */
function readOnlyConnection(path: string, cacheKib: number): Database.Database {
  const reader = new Database(path, { readonly: true, fileMustExist: true });
  reader.pragma('busy_timeout = 5000');
  reader.pragma(`cache_size = -${cacheKib}`);
  return reader;
}

export function openDatabase(path: string): DatabaseHandle {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
  const sqlite = new Database(path);
  // WAL lets readers run beside the writer; FULL makes a commit survive a power cut (a commune office: the service
  // keeps that guarantee with its own flush, flushCommitsInBackground);
  // foreign keys are off by default in SQLite; the busy timeout rides out a backup or a second process.
  sqlite.pragma('journal_mode = WAL');
  sqlite.pragma('synchronous = FULL');
  sqlite.pragma('foreign_keys = ON');
  sqlite.pragma('busy_timeout = 5000');
  // The default 2 MB page cache makes every statement re-read pages from the file through system calls: keep the
  // working set (indexes of the hot tables) in a bounded 32 MB cache, and sort in memory. The file is not mapped
  // into memory (mmap_size): that reads faster, but mapped pages count as the process's own, and an export or a
  // report over a large fund would grow the process by whatever it read (measured: +80 MB for a 1,000,000-line export).
  sqlite.pragma(`cache_size = -${serviceCacheKib}`);
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

const committedMigrations = () => (JSON.parse(readFileSync(`${migrationsFolder}/meta/_journal.json`, 'utf8')) as MigrationJournal).entries;

/** How many migrations a connection's file has applied (none for a file that never had one). */
function migrationsApplied(sqlite: Database.Database): number {
  const kept = sqlite.prepare("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name = '__drizzle_migrations'").get() as { count: number };
  return kept.count === 0 ? 0 : (sqlite.prepare('SELECT count(*) AS count FROM __drizzle_migrations').get() as { count: number }).count;
}

/** The migration the schema stands at: the newest applied tag of the committed journal. */
export function schemaVersion(handle: DatabaseHandle): string {
  const entry = committedMigrations()[migrationsApplied(handle.sqlite) - 1];
  return entry ? entry.tag : 'none';
}

/** Whether a database file has committed migrations yet to apply, read without changing the file. */
export function migrationsPending(path: string): boolean {
  const reader = readOnlyConnection(path, 2_000);
  try {
    return migrationsApplied(reader) < committedMigrations().length;
  } finally {
    reader.close();
  }
}

/** What drizzle keeps of the driver: the better-sqlite3 connection (a transaction shares its database's) and the dialect. */
interface DrizzleInternals {
  session: { client: Database.Database };
  dialect: { sqlToQuery(query: SQL): { sql: string; params: unknown[] } };
}

function connectionOf(db: FundDatabase): Database.Database {
  return (db as unknown as DrizzleInternals).session.client;
}

const statementCaches = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * A statement in SQLite's own words, prepared once per connection: for the few writes every repayment makes many of
 * (its timeline's segments), where building each call's parameters through the query builder cost more than SQLite.
 */
export function statementOn(db: FundDatabase, source: string): Database.Statement {
  const connection = connectionOf(db);
  let cache = statementCaches.get(connection);
  if (!cache) {
    cache = new Map();
    statementCaches.set(connection, cache);
  }
  let statement = cache.get(source);
  if (!statement) {
    statement = connection.prepare(source);
    cache.set(source, statement);
  }
  return statement;
}

/**
 * A table's columns for a statement written out in SQL (statementOn), each `alias.sql_name AS "property"`, so that
 * SQLite's rows come back in the shape drizzle's select() gives them: for the reads every repayment makes, where
 * drizzle's mapping of each row cost more than SQLite reading it. Only columns of text or numbers, which SQLite hands
 * over as drizzle would; a boolean or JSON column (drizzle converts those) fails here unless it is left out.
 */
export function columnsAs(table: Table, alias: string, leftOut: readonly string[] = []): string {
  return Object.entries(getTableColumns(table))
    .filter(([key]) => !leftOut.includes(key))
    .map(([key, column]) => {
      if (column.dataType !== 'string' && column.dataType !== 'number') throw new Error(`column ${column.name} is ${column.dataType}: drizzle converts it, columnsAs does not`);
      return `${alias}.${column.name} AS "${key}"`;
    })
    .join(', ');
}

/**
 * An INSERT of one row of a table written out in SQL, its values named by the row's properties (better-sqlite3 binds
 * them from the object given to run): every property must be given, null where there is no value; a column left out
 * (an autoincrement id) takes its default.
 */
export function insertOf(table: Table, leftOut: readonly string[] = []): string {
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => !leftOut.includes(key));
  return `INSERT INTO ${getTableName(table)} (${columns.map(([, column]) => column.name).join(', ')}) VALUES (${columns.map(([key]) => `@${key}`).join(', ')})`;
}

/**
 * A query's rows as arrays, handed over by SQLite as one JSON text: for reads of tens of thousands of short rows,
 * where better-sqlite3 building each row cost more than SQLite finding them (51,000 loans on `province`: 145 ms as
 * rows, 80 ms as JSON). `columns` names the query's result columns in the order wanted; `orderBy` (result columns
 * too) orders the rows, which SQLite does for an aggregate's input only when told. Values must be text, null or whole
 * numbers within 2^53, as every stored amount is.
 */
export function jsonTuples<T extends unknown[]>(db: FundDatabase, query: SQL, columns: readonly string[], orderBy: readonly string[] = []): T[] {
  const order = orderBy.length > 0 ? ` ORDER BY ${orderBy.join(', ')}` : '';
  const found = db.get<{ rows: string | null }>(sqlOf`SELECT json_group_array(json_array(${sqlOf.raw(columns.join(', '))})${sqlOf.raw(order)}) AS rows FROM (${query})`);
  return JSON.parse(found?.rows ?? '[]') as T[];
}

/**
 * A query's rows one at a time (better-sqlite3's iterate), for readers that must not hold them all at once: an export
 * of a million journal lines, the ledger's verification. While the iterator is open its connection runs nothing else,
 * so long readers iterate on a snapshot (below), never on the service's own connection.
 */
export function iterateRows<T>(db: FundDatabase, query: SQL): IterableIterator<T> {
  const { sql, params } = (db as unknown as DrizzleInternals).dialect.sqlToQuery(query);
  return connectionOf(db).prepare(sql).iterate(...params) as IterableIterator<T>;
}

/** The same, each row an array of its columns in the order selected: a third cheaper than objects, for the journal. */
export function iterateTuples<T extends unknown[]>(db: FundDatabase, query: SQL): IterableIterator<T> {
  const { sql, params } = (db as unknown as DrizzleInternals).dialect.sqlToQuery(query);
  return connectionOf(db).prepare(sql).raw(true).iterate(...params) as IterableIterator<T>;
}

/**
 * A query's rows as arrays, read a window of a whole-number key at a time, in the windows' order: (first - 1, first -
 * 1 + step], … up to `last`. `query` places the window's condition. Each window's rows come from SQLite as one array,
 * which costs a fifth less than the same rows one at a time (a million journal lines), and no cursor stays open.
 */
export function* tuplesByWindow<T extends unknown[]>(db: FundDatabase, key: SQL, span: { first: number; last: number }, step: number, query: (window: SQL) => SQL): Generator<T> {
  const window = sqlOf`${key} > ${sqlOf.placeholder('after')} AND ${key} <= ${sqlOf.placeholder('through')}`;
  const { sql, params } = (db as unknown as DrizzleInternals).dialect.sqlToQuery(query(window));
  const statement = connectionOf(db).prepare(sql).raw(true);
  for (let after = span.first - 1; after < span.last; after += step) yield* statement.all(...fillPlaceholders(params, { after, through: after + step })) as T[];
}

export interface Snapshot {
  db: FundDatabase;
  close(): void;
}

/**
 * A read-only second connection inside one read transaction, on the file of a database or on a path: every query
 * through it sees the file as it was at its first read, whatever is written meanwhile, and holding it open across
 * awaits never blocks the service's writer. (An in-memory database has no file to open twice: its snapshot is the
 * connection itself, which then refuses writes while an iterator is open on it.)
 */
export function openSnapshot(of: FundDatabase | string): Snapshot {
  if (typeof of !== 'string' && connectionOf(of).memory) return { db: of, close() {} };
  const path = typeof of === 'string' ? of : connectionOf(of).name;
  // A snapshot mostly reads straight through: a small page cache does as well as the default 16 MB, in less memory.
  const reader = readOnlyConnection(path, 4_000);
  // Deferred: the snapshot is taken at the first read and kept until close.
  reader.exec('BEGIN');
  return {
    db: drizzle(reader, { schema }),
    close() {
      // Closing ends the read transaction: it has nothing to commit (and a damaged file may refuse a COMMIT).
      if (reader.open) reader.close();
    },
  };
}

/**
 * A read-only connection kept open for many reads (the reports' thread), each of which runs inside its own read
 * transaction: one consistent view of the file per call, whatever the service writes meanwhile.
 */
export interface Reader {
  read<T>(run: (db: FundDatabase) => T): T;
  close(): void;
}

export function openReader(path: string): Reader {
  const reader = readOnlyConnection(path, reportCacheKib);
  reader.pragma('temp_store = MEMORY');
  const db = drizzle(reader, { schema });
  return {
    read(run) {
      reader.exec('BEGIN');
      try {
        return run(db);
      } finally {
        // A read transaction has nothing to commit; ending it lets the file's WAL be checkpointed past it.
        reader.exec('ROLLBACK');
      }
    },
    close() {
      if (reader.open) reader.close();
    },
  };
}

/**
 * SQLite's online backup of a database into a new file, pagesPerStep pages at a time with the event loop free in
 * between. Writes made through the same connection meanwhile are carried into the copy; a write from another
 * connection restarts it, so a backup from another process copies everything in one step.
 */
export async function backupDatabase(db: FundDatabase, destination: string, options: { pagesPerStep: number; onProgress?: (copiedPages: number, totalPages: number) => void }): Promise<{ totalPages: number }> {
  const result = await connectionOf(db).backup(destination, {
    progress({ totalPages, remainingPages }) {
      options.onProgress?.(totalPages - remainingPages, totalPages);
      return options.pagesPerStep;
    },
  });
  return { totalPages: result.totalPages };
}

/**
 * Makes a copy one self-contained file (a rollback journal instead of WAL), so that it can travel on its own: a copy
 * made by the backup API keeps the WAL flag of the database it came from.
 */
export function detachCopy(path: string): void {
  const copy = new Database(path, { fileMustExist: true });
  try {
    copy.pragma('journal_mode = DELETE');
  } finally {
    copy.close();
  }
}

/**
 * Whether a database file is free to be replaced: leaving WAL mode needs every other connection gone, so a service or
 * script that has the file open makes this answer false (at once: no busy wait). A free file is left in rollback mode
 * with its WAL folded in.
 */
export function isFileFree(path: string): boolean {
  let probe: Database.Database;
  try {
    probe = new Database(path, { fileMustExist: true });
  } catch {
    return true;
  }
  try {
    probe.pragma('busy_timeout = 0');
    probe.pragma('journal_mode = DELETE');
    return true;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code === 'SQLITE_BUSY') return false;
    // A file that is not a database (or no longer one) serves nobody: it is free to be replaced.
    if (code === 'SQLITE_NOTADB' || code === 'SQLITE_CORRUPT') return true;
    throw error;
  } finally {
    probe.close();
  }
}

/**
 * SQLite's integrity check of a file (['ok'] when sound), run in a worker thread: on a province's file it takes tens of
 * seconds in one call, which a running service's event loop must not wait through.
 */
export function integrityCheck(path: string): Promise<string[]> {
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.driver);
     try {
       const file = new Database(workerData.path, { readonly: true, fileMustExist: true });
       try { parentPort.postMessage({ lines: file.pragma('integrity_check').map((row) => row.integrity_check) }); } finally { file.close(); }
     } catch (error) {
       parentPort.postMessage({ failure: String(error && error.message || error) });
     }`,
    { eval: true, workerData: { path, driver } },
  );
  return new Promise((resolve, reject) => {
    worker.once('message', (answer: { lines?: string[]; failure?: string }) => (answer.lines ? resolve(answer.lines) : reject(new Error(answer.failure))));
    worker.once('error', reject);
    worker.once('exit', (code) => reject(new Error(`the integrity check stopped (exit ${code})`)));
  });
}

/** Makes the service's commits durable from the thread pool, so that its thread goes on while the disk flushes. */
export interface CommitFlusher {
  /** Settles once everything this connection has committed so far is on disk; rejects when the disk refused it. */
  durable(): Promise<void>;
  /** Flushes what is left and gives the connection back its own flush in each commit (synchronous = FULL). */
  stop(): Promise<void>;
}

/** A flush of a file's data to the disk, given an open descriptor (fs.fdatasync; a test may refuse it). */
export type FileSync = (descriptor: number) => Promise<void>;

/**
 * fdatasync, as SQLite's own commits use on Linux: the data and what reading it back needs (the file's length), not
 * the times of the inode, whose journal commit would also wait for other files' writes (the checkpoints' copies).
 */
const fdatasyncOnThreadPool: FileSync = (descriptor) => new Promise((resolve, reject) => fdatasync(descriptor, (error) => (error ? reject(error) : resolve())));

/**
 * Durable commits without the service's thread waiting for the disk. The connection commits with synchronous =
 * NORMAL (SQLite writes the WAL frames of each commit but does not flush them), and the WAL file is flushed from
 * the thread pool before anything is answered: a commit is exactly as durable as with FULL when its answer leaves
 * (SQLite's recovery keeps every whole commit found in the WAL, and drops a torn tail). Meanwhile the thread parses
 * the next requests and commits the next batch; one flush covers every commit made before it began.
 *
 * What has been committed is told by SQLite's total_changes() (every row this connection inserted, updated or
 * deleted): a flush is needed only when it moved since the last one began. The descriptor is kept open from
 * before the commits it flushes, so that a write-back error is reported to it (a descriptor opened afterwards would
 * not see it); a flush that fails leaves the flusher failed for good, because the kernel may have dropped the pages
 * it could not write: what was committed can no longer be known durable until the file is opened again.
 */
export function flushCommitsInBackground(handle: DatabaseHandle, sync: FileSync = fdatasyncOnThreadPool): CommitFlusher {
  const walPath = `${handle.sqlite.name}-wal`;
  const changes = handle.sqlite.prepare('SELECT total_changes()').pluck();
  handle.sqlite.pragma('synchronous = NORMAL');
  const changed = () => changes.get() as number;
  let flushedThrough = changed();
  let wal: { descriptor: number; inode: number } | null = null;
  let failure: Error | null = null;

  // The WAL file stays the same while connections hold the database; should it be replaced, the new one is opened.
  const walDescriptor = (): number => {
    const inode = statSync(walPath).ino;
    if (wal && wal.inode === inode) return wal.descriptor;
    if (wal) closeSync(wal.descriptor);
    wal = { descriptor: openSync(walPath, 'r+'), inode };
    return wal.descriptor;
  };
  if (existsSync(walPath)) walDescriptor();

  let inFlight: { through: number; done: Promise<void> } | null = null;
  /** The flush that begins when the one in flight ends, shared by everyone who committed meanwhile. */
  let next: Promise<void> | null = null;

  const flush = async (through: number): Promise<void> => {
    try {
      await sync(walDescriptor());
    } catch (error) {
      failure ??= Object.assign(new Error(`the WAL could not be flushed to the disk: ${error instanceof Error ? error.message : String(error)}`), { code: 'SQLITE_IOERR_FSYNC', cause: error });
      throw failure;
    }
    flushedThrough = Math.max(flushedThrough, through);
  };

  const durable = (): Promise<void> => {
    if (failure) return Promise.reject(failure);
    const through = changed();
    if (through === flushedThrough) return Promise.resolve();
    if (inFlight?.through === through) return inFlight.done;
    if (!inFlight) {
      const started = { through, done: flush(through) };
      inFlight = started;
      void started.done.then(
        () => (inFlight = null),
        () => (inFlight = null),
      );
      return started.done;
    }
    // The flush in flight began before some of these commits: they wait for the next one, which covers them all.
    next ??= inFlight.done
      .catch(() => undefined)
      .then(() => {
        next = null;
        return durable();
      });
    return next;
  };

  return {
    durable,
    async stop() {
      try {
        // A failed flush was told to whoever waited on it; the file's own checkpoint flushes what it can.
        await durable().catch(() => undefined);
      } finally {
        if (wal) closeSync(wal.descriptor);
        wal = null;
        if (handle.sqlite.open) handle.sqlite.pragma('synchronous = FULL');
      }
    },
  };
}

export interface Checkpointer {
  /**
   * Called by the writer between its transactions: when the WAL has grown past its bound, copies what the thread has
   * not yet copied, so that the next transaction starts the WAL over.
   */
  bound(): void;
  stop(): Promise<void>;
}

/** Pages of WAL the service's own connection lets grow before it checkpoints in its commit (SQLite's default). */
const commitCheckpointPages = 1000;

/**
 * The WAL's bound while the thread checkpoints, in pages (1 GB of 4 KB pages), and the size SQLite cuts the file back
 * to when it starts over. Under a steady stream of commits the WAL is never wholly copied at the moment a transaction
 * begins, which is when SQLite starts it over: without a bound it grew by the whole stream (700 MB in 15 s of
 * repayments), every read looking a page up in a longer index of it. The writer's own copy at the bound holds its
 * thread for 10 to 70 ms (measured), so the bound is wide: at the most, once in some fifteen seconds of repayments as
 * fast as the service takes them (with 128 MB it came every two or three seconds and showed in the answers' p99).
 */
const walBoundPages = 262_144;
const walKeptBytes = 64 * 1024 * 1024;

/**
 * Copies the WAL back into the fund's file from a thread of its own, so that the service's commits no longer stop to
 * do it: SQLite checkpoints in the commit that takes the WAL past 1,000 pages, which on a busy meeting day is one
 * batch of repayments in a few, each held up by the copy and its flush. A PASSIVE checkpoint never waits for the
 * writer or blocks it; the writer starts the WAL over once everything in it is in the file. Commits stay exactly as
 * durable (each one is flushed to the WAL). Should the thread stop, the writer checkpoints in its commits again.
 */
export function startCheckpointer(handle: DatabaseHandle, options: { everyMilliseconds?: number; boundPages?: number } = {}): Checkpointer {
  const everyMilliseconds = options.everyMilliseconds ?? 200;
  const boundPages = options.boundPages ?? walBoundPages;
  const driver = createRequire(import.meta.url).resolve('better-sqlite3');
  const worker = new Worker(
    `const { parentPort, workerData } = require('node:worker_threads');
     const Database = require(workerData.driver);
     const file = new Database(workerData.path, { fileMustExist: true });
     file.pragma('busy_timeout = 5000');
     const checkpoint = file.prepare('PRAGMA wal_checkpoint(PASSIVE)');
     const timer = setInterval(() => {
       try { parentPort.postMessage(checkpoint.get().log); } catch { /* a busy file: the next turn tries again */ }
     }, workerData.every);
     parentPort.on('message', () => { clearInterval(timer); try { checkpoint.run(); } finally { file.close(); } parentPort.close(); });`,
    { eval: true, workerData: { path: handle.sqlite.name, driver, every: everyMilliseconds } },
  );
  handle.sqlite.pragma('wal_autocheckpoint = 0');
  handle.sqlite.pragma(`journal_size_limit = ${walKeptBytes}`);
  const catchUp = handle.sqlite.prepare('PRAGMA wal_checkpoint(PASSIVE)');
  /** The WAL's length in pages at the thread's last checkpoint. */
  let walPages = 0;
  worker.on('message', (pages: number) => {
    walPages = pages;
  });
  const stopped = new Promise<void>((resolve) =>
    worker.once('exit', () => {
      if (handle.sqlite.open) handle.sqlite.pragma(`wal_autocheckpoint = ${commitCheckpointPages}`);
      resolve();
    }),
  );
  worker.once('error', () => undefined);
  worker.unref();
  return {
    bound() {
      if (walPages < boundPages || handle.sqlite.inTransaction) return;
      walPages = 0;
      // The thread has copied all but its last turn's pages: this copies those and flushes the file, on the writer's
      // thread (tens of milliseconds, once per bound's worth of writes), with nothing committed until the WAL starts over.
      catchUp.run();
    },
    async stop() {
      // Held open until the thread's last checkpoint is done and its connection closed.
      worker.ref();
      worker.postMessage('stop');
      await stopped;
    },
  };
}
