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
import { classifiedTotals, eachGroup, loansOnBooksOn } from '../../src/modules/reports/classification.repo.js';
import { classificationRules, readSettings } from '../../src/modules/settings/settings.service.js';
import { classifyLoansOn } from '../../src/domain/classification.js';
import { parseIsoDate } from '../../src/domain/calendar.js';
import { systemActor } from '../../src/modules/shared/access.js';

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
    const trial = trialBalance(context, systemActor(), 'VND', asOf);
    expect(trial.totalDebit).toBe(trial.totalCredit);

    // The portfolio's totals are the sums of each loan's own classification, on days across the fund's history.
    const rules = classificationRules(readSettings(database.db));
    for (const date of ['2024-06-30', '2025-03-31', '2025-12-31', asOf]) {
      const day = parseIsoDate(date) as number;
      const loans = loansOnBooksOn(database.db, day, null);
      const classified = classifyLoansOn(loans, day, rules);
      const expected = new Map<string, { loans: number; outstanding: bigint; provision: bigint; par30: bigint }>();
      loans.forEach((loan, index) => {
        const { debtGroup, bucket, daysPastDue, provision } = classified[index]!;
        const key = `${loan.groupId} ${debtGroup} ${bucket}`;
        const cell = expected.get(key) ?? { loans: 0, outstanding: 0n, provision: 0n, par30: 0n };
        expected.set(key, { loans: cell.loans + 1, outstanding: cell.outstanding + BigInt(loan.outstanding), provision: cell.provision + BigInt(provision), par30: cell.par30 + (loan.rescheduleCount > 0 || daysPastDue > 30 ? BigInt(loan.outstanding) : 0n) });
      });
      const totals = classifiedTotals(database.db, day, rules, null, eachGroup);
      expect(new Map(totals.map((row) => [`${row.key} ${row.debtGroup} ${row.bucket}`, { loans: row.loans, outstanding: BigInt(row.outstanding), provision: BigInt(row.provision), par30: BigInt(row.par30) }])), date).toEqual(expected);
      if (date === asOf) expect(totals.some((row) => row.debtGroup > 1)).toBe(true);
    }
    database.close();
  }, 120_000);
});
