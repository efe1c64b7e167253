// The synthetic fund builds through the service layer, the same for the same seed, with books that add up.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { openDatabase } from '../../db/client.js';
import { reconcile, trialBalance } from '../../src/modules/ledger/ledger.service.js';
import { createServiceContext } from '../../src/modules/shared/context.js';
import { systemClock } from '../../src/modules/shared/clock.js';

const folder = mkdtempSync(join(tmpdir(), 'fund-seed-test-'));
afterAll(() => rmSync(folder, { recursive: true, force: true }));

function seed(file: string) {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--scale', 'sample', '--seed', '7', '--database', file], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  expect(result.status, result.stderr).toBe(0);
  return result.stdout;
}

function counts(file: string) {
  const database = openDatabase(file);
  const row = database.sqlite
    .prepare(
      "SELECT (SELECT count(*) FROM groups) AS groups, (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM loans WHERE disbursed_on IS NOT NULL) AS loans, (SELECT count(*) FROM loan_transactions WHERE type = 'repayment') AS repayments, (SELECT count(*) FROM loans WHERE status = 'written_off') AS writtenOff, (SELECT count(*) FROM loans WHERE reschedule_count > 0) AS rescheduled, (SELECT count(*) FROM journal_entries) AS entries",
    )
    .get() as Record<string, number>;
  database.close();
  return row;
}

describe('npm run seed', () => {
  it('builds the same fund for the same seed, with every kind of history, and books that reconcile', () => {
    const output = seed(join(folder, 'one.db'));
    expect(output).toContain('Seeded sample (seed 7)');
    seed(join(folder, 'two.db'));
    const first = counts(join(folder, 'one.db'));
    expect(counts(join(folder, 'two.db'))).toEqual(first);
    expect(first.groups).toBe(12);
    expect(first.loans).toBeGreaterThan(100);
    expect(first.repayments).toBeGreaterThan(1000);
    expect(first.rescheduled).toBeGreaterThan(0);
    expect((first.writtenOff ?? 0) + (first.rescheduled ?? 0)).toBeGreaterThan(0);

    const database = openDatabase(join(folder, 'one.db'));
    const context = createServiceContext(loadConfig({ DATABASE_PATH: join(folder, 'one.db') }, false), database.db, systemClock);
    const asOf = new Date().toISOString().slice(0, 10);
    expect(reconcile(database.db, asOf).ok).toBe(true);
    const trial = trialBalance(context, 'VND', asOf);
    expect(trial.totalDebit).toBe(trial.totalCredit);
    database.close();
  }, 120_000);
});
