// Backups of the fund's database: a consistent copy taken while the service runs (SQLite's online backup API), which
// counts only once it is checked (SQLite's integrity check and the ledger's verification); restoring from a copy
// that checks; and the schedule that backs up every so often and keeps the newest copies.
import { closeSync, copyFileSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { type DatabaseHandle, type FundDatabase, backupDatabase, detachCopy, integrityCheck, isFileFree, migrateDatabase, migrationsPending, openDatabase, openSnapshot } from '../../../db/client.js';
import { loanReadModelVersion, upgradeLoanReadModels } from '../loans/loan-read-models.js';
import { storedReadModelVersion } from '../loans/loan.repo.js';
import { type LedgerVerification, type VerifyProgress, verifyLedger } from '../ledger/verify.service.js';
import { type ServiceContext, nowTimestamp, today } from '../shared/context.js';

export interface CopyCheck {
  ok: boolean;
  /** What SQLite's integrity check reported: ['ok'] when the file is sound. */
  integrity: string[];
  ledger: LedgerVerification | null;
  /** Why the copy does not check, in words, the first reason first. */
  problems: string[];
}

/** Checks a database file without changing what it holds: SQLite's integrity check, then the ledger's verification. */
export async function checkDatabaseFile(path: string, asOf: string, onProgress?: VerifyProgress): Promise<CopyCheck> {
  if (!existsSync(path)) return { ok: false, integrity: [], ledger: null, problems: [`${path} does not exist`] };
  let integrity: string[];
  try {
    integrity = await integrityCheck(path);
  } catch (error) {
    return { ok: false, integrity: [], ledger: null, problems: [`${path} cannot be read as a database: ${(error as Error).message}`] };
  }
  if (integrity.length !== 1 || integrity[0] !== 'ok') return { ok: false, integrity, ledger: null, problems: integrity.map((line) => `integrity check: ${line}`) };
  let snapshot;
  try {
    snapshot = openSnapshot(path);
  } catch (error) {
    return { ok: false, integrity, ledger: null, problems: [`${path} cannot be opened: ${(error as Error).message}`] };
  }
  try {
    const ledger = await verifyLedger(snapshot.db, asOf, onProgress);
    const problems = ledger.problems.map((problem) => `ledger ${problem.check}${problem.sequence === undefined ? '' : ` at entry ${problem.sequence} (${problem.entryId})`}: ${problem.message}`);
    if (ledger.problemCount > ledger.problems.length) problems.push(`… and ${ledger.problemCount - ledger.problems.length} more`);
    return { ok: ledger.ok, integrity, ledger, problems };
  } catch (error) {
    // A sound SQLite file that is not the fund's (no journal to verify) fails here.
    return { ok: false, integrity, ledger: null, problems: [`${path} cannot be read as the fund's database: ${(error as Error).message}`] };
  } finally {
    snapshot.close();
  }
}

/** Makes a file's bytes and its name in the folder durable: a copy that survived a power cut is whole or absent. */
function sync(path: string, folderToo = true): void {
  const file = openSync(path, 'r');
  try {
    fsyncSync(file);
  } finally {
    closeSync(file);
  }
  if (!folderToo) return;
  const folder = openSync(dirname(path), 'r');
  try {
    fsyncSync(folder);
  } finally {
    closeSync(folder);
  }
}

export interface BackupResult {
  ok: boolean;
  /** The checked copy, or where a copy that failed its check was left for inspection. */
  path: string;
  bytes: number;
  seconds: number;
  check: CopyCheck;
}

/**
 * Copies the database into `destination` while it is in use, then checks the copy. The copy is written beside the
 * destination under a `.partial` name and takes the destination's name only once it checks; one that does not is
 * left as `<destination>.failed`. pagesPerStep: small steps keep a running service answering (writes through the same
 * connection are carried into the copy); a copy from another process should take one step (see backupDatabase).
 */
export async function backUp(
  db: FundDatabase,
  destination: string,
  options: { asOf: string; pagesPerStep: number; onCopyProgress?: (copiedPages: number, totalPages: number) => void; onCheckProgress?: VerifyProgress },
): Promise<BackupResult> {
  const started = performance.now();
  const partial = `${destination}.partial`;
  rmSync(partial, { force: true });
  await backupDatabase(db, partial, { pagesPerStep: options.pagesPerStep, onProgress: options.onCopyProgress });
  detachCopy(partial);
  const check = await checkDatabaseFile(partial, options.asOf, options.onCheckProgress);
  const path = check.ok ? destination : `${destination}.failed`;
  sync(partial, false);
  renameSync(partial, path);
  sync(path);
  return { ok: check.ok, path, bytes: statSync(path).size, seconds: (performance.now() - started) / 1000, check };
}

export type RestoreResult =
  | { restored: true; target: string; previous: string | null; check: CopyCheck }
  | { restored: false; target: string; reason: 'copy_does_not_check' | 'target_in_use' | 'copy_missing'; problems: string[] };

/**
 * Replaces the database at `target` with a copy, if the copy checks. The copy is first copied beside the target and
 * checked there (the original is never touched); the current file is kept as `<target>.before-restore-<time>`, its
 * stale -wal and -shm are removed, and the checked copy is renamed into place. Refuses while the target is open in a
 * service or script; stop the service first (a service that starts during the restore is not detected).
 */
export async function restore(copy: string, target: string, options: { asOf: string; now: Date; onCheckProgress?: VerifyProgress }): Promise<RestoreResult> {
  if (!existsSync(copy)) return { restored: false, target, reason: 'copy_missing', problems: [`${copy} does not exist`] };
  if (existsSync(target) && !isFileFree(target)) {
    return { restored: false, target, reason: 'target_in_use', problems: [`${target} is open in another process (is the service running?): stop it, then restore`] };
  }
  mkdirSync(dirname(target), { recursive: true });
  const incoming = join(dirname(target), `.${basename(target)}.restoring`);
  rmSync(incoming, { force: true });
  copyFileSync(copy, incoming);
  try {
    detachCopy(incoming);
  } catch {
    // Not a database: the check below says so in words.
  }
  const upgrade = await upgradeCopy(incoming, options.now);
  if (upgrade) {
    rmSync(incoming, { force: true });
    return { restored: false, target, reason: 'copy_does_not_check', problems: [upgrade.replaceAll(incoming, copy)] };
  }
  const check = await checkDatabaseFile(incoming, options.asOf, options.onCheckProgress);
  if (!check.ok) {
    rmSync(incoming, { force: true });
    return { restored: false, target, reason: 'copy_does_not_check', problems: check.problems.map((problem) => problem.replaceAll(incoming, copy)) };
  }
  sync(incoming, false);
  let previous: string | null = null;
  if (existsSync(target)) {
    previous = `${target}.before-restore-${compactTimestamp(options.now)}`;
    renameSync(target, previous);
  }
  // A -wal or -shm left from the old file would be read as belonging to the new one.
  for (const suffix of ['-wal', '-shm', '-journal']) rmSync(`${target}${suffix}`, { force: true });
  renameSync(incoming, target);
  sync(target);
  return { restored: true, target, previous, check };
}

/**
 * Brings a sound copy taken by an older version to this one, as the service would at its start: its schema migrated,
 * its loans' read models rebuilt when older rules made them. Without it a good copy from before a migration is checked
 * by code that expects what the migration adds, and refused as damaged. What the copy records is not touched: the
 * check that follows verifies it. Null when done (or nothing was to do); else why the copy cannot be brought up.
 */
async function upgradeCopy(path: string, now: Date): Promise<string | null> {
  // A copy this version made (the usual one) is checked as it is, byte for byte, and its whole file read once, by the
  // check; an older one is first found sound, so that nothing is written into a damaged file.
  let current: boolean;
  try {
    const snapshot = openSnapshot(path);
    try {
      current = !migrationsPending(path) && storedReadModelVersion(snapshot.db) >= loanReadModelVersion;
    } finally {
      snapshot.close();
    }
    if (current) return null;
    const integrity = await integrityCheck(path);
    if (integrity.length !== 1 || integrity[0] !== 'ok') return null;
  } catch {
    // Not a database, or not a sound one: the check says so in words.
    return null;
  }
  let database: DatabaseHandle | undefined;
  try {
    database = openDatabase(path);
    migrateDatabase(database);
    upgradeLoanReadModels(database.db, now.toISOString());
    return null;
  } catch (error) {
    return `${path} cannot be brought to this version of the service: ${(error as Error).message}`;
  } finally {
    database?.close();
  }
}

/** 2026-11-23T03:00:00.000Z → 20261123-030000: sortable, and safe in a file name on every system. */
function compactTimestamp(instant: Date): string {
  return instant.toISOString().replace(/\.\d+Z$/, '').replaceAll('-', '').replaceAll(':', '').replace('T', '-');
}

const scheduledName = /^fund-\d{8}-\d{6}\.db$/;

/** Deletes the oldest checked copies of the schedule beyond `keep`; other files in the folder are left alone. */
export function pruneBackups(folder: string, keep: number): string[] {
  const copies = readdirSync(folder)
    .filter((name) => scheduledName.test(name))
    .sort();
  const removed = copies.slice(0, Math.max(0, copies.length - keep));
  for (const name of removed) rmSync(join(folder, name), { force: true });
  return removed;
}

/** The logger a schedule reports to (the service's pino logger). */
export interface BackupLog {
  info(details: object, message: string): void;
  error(details: object, message: string): void;
}

export interface BackupScheduleSettings {
  folder: string;
  intervalMinutes: number;
  keep: number;
}

/** One scheduled run: a copy named by the time, checked, then the oldest copies beyond `keep` pruned. */
export async function runScheduledBackup(context: ServiceContext, settings: BackupScheduleSettings, log: BackupLog): Promise<BackupResult | null> {
  try {
    mkdirSync(settings.folder, { recursive: true });
    const destination = join(settings.folder, `fund-${compactTimestamp(new Date(nowTimestamp(context)))}.db`);
    // Steps of 1,000 pages (4 MB) keep the service answering between them.
    const result = await backUp(context.db, destination, { asOf: today(context), pagesPerStep: 1_000 });
    const details = { path: result.path, bytes: result.bytes, seconds: Number(result.seconds.toFixed(1)), lastSequence: result.check.ledger?.lastSequence, lastHash: result.check.ledger?.lastHash };
    if (!result.ok) {
      log.error({ ...details, problems: result.check.problems.slice(0, 5) }, 'scheduled backup: the copy does not check; kept for inspection, older copies left in place');
      return result;
    }
    const pruned = pruneBackups(settings.folder, settings.keep);
    log.info({ ...details, pruned }, 'scheduled backup: copied and checked');
    return result;
  } catch (error) {
    log.error({ err: error }, 'scheduled backup failed');
    return null;
  }
}

export interface BackupSchedule {
  /** Stops the schedule, waiting for a run in progress to finish. */
  stop(): Promise<void>;
}

/** Backs up every intervalMinutes (the next run is timed from the end of the last, so runs never overlap). */
export function scheduleBackups(context: ServiceContext, settings: BackupScheduleSettings, log: BackupLog): BackupSchedule {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const next = () => {
    if (stopped) return;
    timer = setTimeout(() => {
      running = runScheduledBackup(context, settings, log).finally(() => {
        running = undefined;
        next();
      });
    }, settings.intervalMinutes * 60_000);
  };
  next();
  log.info({ folder: settings.folder, everyMinutes: settings.intervalMinutes, keep: settings.keep }, 'scheduled backups are on');
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
