// Backups while the fund works, and restores that take only a copy that checks: writes before the copy are in it,
// the copy verifies, a damaged or altered copy is refused, a good one replaces the file, and the schedule keeps the
// newest copies. Also through npm run backup and npm run restore, in a second process beside a writing service.
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync, closeSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { backUp, pruneBackups, restore, runScheduledBackup, scheduleBackups } from '../../src/modules/system/backup.service.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { fundWithBooks, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund & { loanIds: string[] };
let folder: string;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await fundWithBooks(test);
  folder = mkdtempSync(join(tmpdir(), 'fund-backup-test-'));
}, 60_000);
afterEach(async () => {
  await test.close();
  rmSync(folder, { recursive: true, force: true });
});

const asOf = '2026-11-23';
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

let paidOn = 0;
/** A repayment through the API; answers its transaction id once the service acknowledged it. */
async function repay(): Promise<string> {
  paidOn += 1;
  const reply = await fund.officer('POST', `/v1/loans/${fund.loanIds[0]}/repayments`, { amount: '1000', paidOn: `2026-10-${String((paidOn % 28) + 1).padStart(2, '0')}` });
  expect(reply.statusCode, reply.body).toBe(201);
  return reply.json().transaction.id as string;
}

function transactionIdsIn(path: string): Set<string> {
  const copy = new Database(path, { readonly: true });
  try {
    return new Set((copy.prepare('SELECT id FROM loan_transactions').all() as { id: string }[]).map((row) => row.id));
  } finally {
    copy.close();
  }
}

/** Someone with the copy edits a journal line (after dropping the trigger that forbids it). */
function tamperJournal(path: string): void {
  const file = new Database(path);
  file.exec('DROP TRIGGER journal_lines_no_update');
  file.exec('UPDATE journal_lines SET credit = credit + 500 WHERE id = (SELECT MAX(id) FROM journal_lines WHERE credit > 0)');
  file.close();
}

describe('a backup while the service writes', () => {
  it('holds every write acknowledged before it started, and checks', async () => {
    const before = [await repay(), await repay(), await repay()];
    let steps = 0;
    let copying = true;
    const during: string[] = [];
    // Writes acknowledged before the copy's last step (the progress callback runs after every step but the last).
    let acknowledgedBeforeLastStep = 0;
    // One page per step: the copy takes many turns of the event loop, and repayments land between them. Until the first
    // is acknowledged, each step also holds the thread 5 ms: an acknowledgment waits for its commit's flush, and a
    // small file was otherwise copied whole, now and then, before the disk had flushed the first repayment.
    const pause = new Int32Array(new SharedArrayBuffer(4));
    const backup = backUp(test.context.db, join(folder, 'during.db'), {
      asOf,
      pagesPerStep: 1,
      onCopyProgress: () => {
        steps += 1;
        acknowledgedBeforeLastStep = during.length;
        if (during.length === 0) Atomics.wait(pause, 0, 0, 5);
      },
    }).finally(() => (copying = false));
    while (copying) during.push(await repay());
    const result = await backup;
    expect(steps).toBeGreaterThan(20);
    expect(during.length).toBeGreaterThan(0);
    expect(result).toMatchObject({ ok: true, path: join(folder, 'during.db') });
    expect(result.check.integrity).toEqual(['ok']);
    expect(result.check.ledger).toMatchObject({ ok: true, problemCount: 0 });
    const copied = transactionIdsIn(result.path);
    for (const id of before) expect(copied.has(id)).toBe(true);
    // Writes through the service's own connection during the copy are carried into it as well (SQLite's backup API).
    expect(acknowledgedBeforeLastStep).toBeGreaterThan(0);
    for (const id of during.slice(0, acknowledgedBeforeLastStep)) expect(copied.has(id)).toBe(true);
    // The copy is one self-contained file: no WAL beside it.
    expect(readdirSync(folder).sort()).toEqual(['during.db']);
  });
});

describe('restore', () => {
  let good: string;
  let target: string;
  beforeEach(async () => {
    good = (await backUp(test.context.db, join(folder, 'good.db'), { asOf, pagesPerStep: 1_000 })).path;
    // The database to restore over: a copy made at another time, closed, as after the service was stopped.
    await repay();
    target = (await backUp(test.context.db, join(folder, 'fund.db'), { asOf, pagesPerStep: 1_000 })).path;
  });

  it('refuses a copy with damaged pages, leaving the database as it was', async () => {
    const damaged = join(folder, 'damaged.db');
    copyFileSync(good, damaged);
    const file = openSync(damaged, 'r+');
    for (let page = 1; page < 40; page += 1) writeSync(file, Buffer.from('this page was overwritten by a bad USB stick'), 0, 44, page * 4096 + 200);
    closeSync(file);
    const before = sha256(target);
    const result = await restore(damaged, target, { asOf, now: new Date() });
    expect(result).toMatchObject({ restored: false, reason: 'copy_does_not_check' });
    expect(sha256(target)).toBe(before);
    expect(readdirSync(folder).filter((name) => name.startsWith('.'))).toEqual([]);
  });

  it('refuses a file that is not a database at all', async () => {
    const garbage = join(folder, 'garbage.db');
    copyFileSync(good, garbage);
    const file = openSync(garbage, 'r+');
    writeSync(file, Buffer.alloc(100, 7), 0, 100, 0);
    closeSync(file);
    const result = await restore(garbage, target, { asOf, now: new Date() });
    expect(result).toMatchObject({ restored: false, reason: 'copy_does_not_check' });
    if (!result.restored) expect(result.problems[0]).toMatch(/cannot be (opened|read)/);
  });

  it('refuses a copy whose journal was altered', async () => {
    const altered = join(folder, 'altered.db');
    copyFileSync(good, altered);
    tamperJournal(altered);
    const result = await restore(altered, target, { asOf, now: new Date() });
    expect(result.restored).toBe(false);
    if (!result.restored) expect(result.problems.join('\n')).toContain('ledger entry_hash');
  });

  it('brings a good copy an older version took to this one before checking it, and restores it', async () => {
    // The copy as the version before members' and groups' numbers (migration 0014) kept it, so before the loans' terms
    // ids (0015) and the timeline's arrears index (0016) too.
    const older = join(folder, 'older.db');
    copyFileSync(good, older);
    const file = new Database(older);
    const asOfColumns = 'to_day, from_day, loan_id, member_id, group_id, principal_outstanding, principal_paid, overdue_principal, overdue_interest, oldest_unpaid_due_day, closed, written_off, reschedule_count, principal_fallen_due';
    file.exec(`DROP INDEX loan_timeline_arrears_idx;
      DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations);
      DROP TRIGGER loans_terms_kept; DROP INDEX loans_report_idx; ALTER TABLE loans DROP COLUMN terms_id; DROP TABLE loan_terms;
      CREATE INDEX loans_report_idx ON loans (id, reschedule_count, group_id, status, closed_on, written_off_on);
      DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations);
      DROP TRIGGER groups_numbered; DROP TRIGGER members_numbered; DROP TRIGGER loan_timeline_numbered;
      DROP INDEX groups_number_unique; DROP INDEX members_number_unique; DROP INDEX loan_timeline_as_of_idx; DROP INDEX loan_timeline_long_idx;
      ALTER TABLE groups DROP COLUMN number; ALTER TABLE members DROP COLUMN number;
      ALTER TABLE loan_timeline_segments DROP COLUMN member_number; ALTER TABLE loan_timeline_segments DROP COLUMN group_number;
      CREATE INDEX loan_timeline_as_of_idx ON loan_timeline_segments (${asOfColumns});
      CREATE INDEX loan_timeline_long_idx ON loan_timeline_segments (${asOfColumns}) WHERE to_day - from_day > 62 AND to_day < 99999999;
      DELETE FROM __drizzle_migrations WHERE created_at = (SELECT max(created_at) FROM __drizzle_migrations);`);
    file.close();

    const result = await restore(older, target, { asOf, now: new Date('2026-11-23T04:05:07Z') });
    expect(result.restored, result.restored ? '' : result.problems.join('\n')).toBe(true);
    if (result.restored) expect(result.check.ledger?.ok).toBe(true);
    const restored = new Database(target, { readonly: true });
    try {
      const misnumbered = restored
        .prepare('SELECT count(*) AS n FROM loan_timeline_segments AS t JOIN members AS m ON m.id = t.member_id WHERE t.member_number IS NOT m.number')
        .get() as { n: number };
      expect(misnumbered.n).toBe(0);
      expect((restored.prepare('SELECT count(*) AS n FROM members WHERE number IS NULL').get() as { n: number }).n).toBe(0);
      const misfiled = restored.prepare('SELECT count(*) AS n FROM loans AS l LEFT JOIN loan_terms AS t ON t.id = l.terms_id WHERE t.terms IS NOT l.terms').get() as { n: number };
      expect(misfiled.n).toBe(0);
    } finally {
      restored.close();
    }
  });

  it('refuses while the database is open elsewhere, and replaces it with a good copy once it is not', async () => {
    const service = new Database(target);
    service.pragma('journal_mode = WAL');
    service.prepare('SELECT count(*) FROM journal_entries').get();
    const refused = await restore(good, target, { asOf, now: new Date() });
    expect(refused).toMatchObject({ restored: false, reason: 'target_in_use' });
    service.close();

    const result = await restore(good, target, { asOf, now: new Date('2026-11-23T04:05:06Z') });
    expect(result).toMatchObject({ restored: true, previous: `${target}.before-restore-20261123-040506` });
    expect(sha256(target)).toBe(sha256(good));
    expect(existsSync(`${target}-wal`) || existsSync(`${target}-shm`)).toBe(false);
    expect(existsSync(`${target}.before-restore-20261123-040506`)).toBe(true);
    // The restored database opens and verifies.
    if (result.restored) expect(result.check.ledger?.ok).toBe(true);
  });
});

describe('the schedule', () => {
  const log = () => ({ info: vi.fn(), error: vi.fn() });

  it('copies, checks, and keeps the newest copies', async () => {
    const logger = log();
    const settings = { folder: join(folder, 'backups'), intervalMinutes: 60, keep: 2 };
    const made: string[] = [];
    for (let run = 0; run < 3; run += 1) {
      const result = await runScheduledBackup(test.context, settings, logger);
      expect(result?.ok).toBe(true);
      made.push(result?.path as string);
      test.clock.advanceMinutes(60);
    }
    expect(readdirSync(settings.folder).sort()).toEqual(made.slice(1).map((path) => path.split('/').at(-1)).sort());
    expect(made[0]).toMatch(/fund-20261123-030000\.db$/);
    expect(logger.info).toHaveBeenLastCalledWith(expect.objectContaining({ pruned: ['fund-20261123-030000.db'], lastHash: expect.stringMatching(/^[0-9a-f]{64}$/) }), 'scheduled backup: copied and checked');
    expect(logger.error).not.toHaveBeenCalled();
    // Pruning leaves alone what the schedule did not make.
    copyFileSync(good(), join(settings.folder, 'before-the-flood.db'));
    expect(pruneBackups(settings.folder, 1)).toHaveLength(1);
    expect(readdirSync(settings.folder)).toContain('before-the-flood.db');
    function good() {
      return made[2] as string;
    }
  });

  it('runs every interval until stopped', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const logger = log();
      const schedule = scheduleBackups(test.context, { folder: join(folder, 'every'), intervalMinutes: 30, keep: 7 }, logger);
      expect(existsSync(join(folder, 'every'))).toBe(false);
      vi.advanceTimersByTime(30 * 60_000);
      await vi.waitFor(() => expect(logger.info).toHaveBeenCalledWith(expect.anything(), 'scheduled backup: copied and checked'), { timeout: 10_000 });
      await schedule.stop();
      expect(readdirSync(join(folder, 'every'))).toHaveLength(1);
      vi.advanceTimersByTime(60 * 60_000);
      expect(readdirSync(join(folder, 'every'))).toHaveLength(1);
    } finally {
      vi.useRealTimers();
    }
  });
});

describe('npm run backup and npm run restore', () => {
  const run = (script: string, args: string[]) => spawnSync(process.execPath, ['--import', 'tsx', script, ...args], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });

  it('back up from a second process while this one writes, and restore only a copy that checks', async () => {
    const before = [await repay(), await repay()];
    const copy = join(folder, 'usb', 'fund-copy.db');
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/backup.ts', '--database', test.config.databasePath, '--to', copy], { env: { ...process.env, LOG_LEVEL: 'silent' } });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    let running = true;
    void exited.then(() => (running = false));
    let writes = 0;
    while (running) {
      await repay();
      writes += 1;
    }
    expect(await exited, output).toBe(0);
    expect(output).toContain('The copy checks');
    expect(writes).toBeGreaterThan(0);
    const copied = transactionIdsIn(copy);
    for (const id of before) expect(copied.has(id)).toBe(true);
    expect(run('scripts/backup.ts', ['--database', test.config.databasePath, '--to', copy]).status).toBe(1);

    const target = join(folder, 'restored', 'fund.db');
    const altered = join(folder, 'altered.db');
    copyFileSync(copy, altered);
    tamperJournal(altered);
    const refused = run('scripts/restore.ts', ['--database', target, '--from', altered]);
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('Not restored');
    expect(existsSync(target)).toBe(false);
    const restored = run('scripts/restore.ts', ['--database', target, '--from', copy]);
    expect(restored.status, restored.stderr).toBe(0);
    expect(restored.stdout).toContain('OK: every entry balances');
    expect(sha256(target)).toBe(sha256(copy));
    expect(loadConfig({ DATABASE_PATH: target }, false).databasePath).toBe(target);
  }, 60_000);
});
