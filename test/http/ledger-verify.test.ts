// The books verified from the stored rows, and tampering found where it was done: someone with the SQLite file drops
// the append-only triggers and edits a line, edits an entry so that it still balances, rewrites an entry's hash,
// or deletes an entry. Through GET /v1/ledger/verify and through npm run ledger:verify.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEntryText } from '../../src/ledger/journal.js';
import { rebuildAccountDayTotals } from '../../src/modules/ledger/journal.repo.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { fundWithBooks, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund & { loanIds: string[] };
beforeEach(async () => {
  test = await buildTestApp();
  fund = await fundWithBooks(test);
}, 60_000);
afterEach(async () => {
  await test.close();
});

const verify = async () => {
  const reply = await fund.auditor('GET', '/v1/ledger/verify');
  expect(reply.statusCode, reply.body).toBe(200);
  return reply.json();
};

/** The attacker: a second connection on the file, with the triggers that refuse edits dropped. */
function tamper(work: (file: Database.Database) => void): void {
  const file = new Database(test.config.databasePath);
  try {
    for (const trigger of ['journal_entries_no_update', 'journal_entries_no_delete', 'journal_lines_no_update', 'journal_lines_no_delete']) file.exec(`DROP TRIGGER IF EXISTS ${trigger}`);
    work(file);
  } finally {
    file.close();
  }
}

function entryAt(sequence: number): { id: string; kind: string; lines: { id: number; accountCode: string; debit: number; credit: number }[] } {
  const file = new Database(test.config.databasePath, { readonly: true });
  try {
    const entry = file.prepare('SELECT id, kind FROM journal_entries WHERE sequence = ?').get(sequence) as { id: string; kind: string };
    const lines = file.prepare('SELECT id, account_code AS accountCode, debit, credit FROM journal_lines WHERE entry_id = ? ORDER BY line_number').all(entry.id) as { id: number; accountCode: string; debit: number; credit: number }[];
    return { ...entry, lines };
  } finally {
    file.close();
  }
}

function runScript(): { status: number | null; output: string } {
  const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/ledger-verify.ts', '--database', test.config.databasePath], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('a ledger nobody touched', () => {
  it('verifies: every entry, the chain to its last hash, the trial balance, the subledgers', async () => {
    const verification = await verify();
    const last = (await fund.auditor('GET', '/v1/ledger/journal?limit=500')).json().items.at(-1);
    expect(verification).toMatchObject({ ok: true, problemCount: 0, problems: [], firstProblem: null, lastSequence: last.sequence, lastHash: last.hash, entriesChecked: last.sequence });
    expect(verification.totalDebit).toBe(verification.totalCredit);
    expect(verification.reconciliation.ok).toBe(true);
    expect(verification.linesChecked).toBeGreaterThan(verification.entriesChecked);
    expect((await fund.admin('GET', '/v1/ledger/verify')).statusCode).toBe(200);
    for (const who of ['officer', 'leader'] as const) {
      const refused = await fund[who]('GET', '/v1/ledger/verify');
      expect([refused.statusCode, refused.json().error.code]).toEqual([403, 'role_forbidden']);
    }
  });

  it('is read whole by the admin and the auditors only: an officer or a leader, scoped to her areas or group, is refused the books', async () => {
    for (const url of ['/v1/ledger/journal', '/v1/ledger/trial-balance', '/v1/ledger/reconciliation']) {
      for (const who of ['admin', 'auditor'] as const) expect((await fund[who]('GET', url)).statusCode, `${who} ${url}`).toBe(200);
      for (const who of ['officer', 'leader'] as const) {
        const refused = await fund[who]('GET', url);
        expect([refused.statusCode, refused.json().error.code], `${who} ${url}`).toEqual([403, 'role_forbidden']);
      }
    }
    // As the exports do, the journal refuses a range that ends before it starts and an account not in the chart.
    const backwards = await fund.auditor('GET', '/v1/ledger/journal?from=2025-03-01&to=2025-01-01');
    expect([backwards.statusCode, backwards.json().error.code, backwards.json().error.details[0].path]).toEqual([400, 'invalid_request', 'from']);
    const unknown = await fund.auditor('GET', '/v1/ledger/journal?accountCode=9999');
    expect([unknown.statusCode, unknown.json().error.code]).toEqual([404, 'account_not_found']);
    // The books as of a day to come are refused: they would read as a statement of a day that has not happened.
    for (const url of ['/v1/ledger/trial-balance?asOf=2099-01-01', '/v1/ledger/reconciliation?asOf=2099-01-01']) {
      const future = await fund.auditor('GET', url);
      expect([future.statusCode, future.json().error.code, future.json().error.details[0].path], url).toEqual([422, 'date_in_future', 'asOf']);
    }
    // The chart of accounts and the closing date are not the books: every role reads them (the forms need the date).
    for (const who of ['officer', 'leader'] as const) {
      expect((await fund[who]('GET', '/v1/ledger/accounts')).statusCode).toBe(200);
      expect((await fund[who]('GET', '/v1/ledger/periods')).statusCode).toBe(200);
    }
  });

  it('and npm run ledger:verify says so and exits 0', () => {
    const { status, output } = runScript();
    expect(status, output).toBe(0);
    expect(output).toContain('OK: every entry balances');
  });
});

describe('tampering', () => {
  it('an edited line: the entry is named, its hash and its balance are wrong, and so is the trial balance', async () => {
    const target = entryAt(4);
    const line = target.lines.find((candidate) => candidate.debit > 0) as { id: number };
    tamper((file) => file.prepare('UPDATE journal_lines SET debit = debit + 1000 WHERE id = ?').run(line.id));
    const verification = await verify();
    expect(verification.ok).toBe(false);
    expect(verification.firstProblem).toMatchObject({ check: 'entry_hash', entryId: target.id, sequence: 4 });
    expect(verification.problems.filter((problem: { sequence?: number }) => problem.sequence !== undefined)).toEqual([
      expect.objectContaining({ check: 'entry_hash', sequence: 4 }),
      expect.objectContaining({ check: 'entry_balanced', sequence: 4, message: expect.stringContaining('do not equal') }),
    ]);
    expect(verification.problems.map((problem: { check: string }) => problem.check)).toContain('trial_balance');
    const { status, output } = runScript();
    expect(status).toBe(1);
    expect(output).toContain(`entry_hash at entry 4 (${target.id})`);
  });

  it('an entry changed on both sides, still balanced: the hash chain finds it', async () => {
    const { sequence } = (await fund.auditor('GET', '/v1/ledger/journal?limit=500')).json().items.find((entry: { kind: string }) => entry.kind === 'savings_deposit');
    const deposit = entryAt(sequence);
    expect(deposit.lines).toHaveLength(2);
    tamper((file) => file.prepare('UPDATE journal_lines SET debit = debit * 10, credit = credit * 10 WHERE entry_id = ?').run(deposit.id));
    const verification = await verify();
    expect(verification.firstProblem).toMatchObject({ check: 'entry_hash', entryId: deposit.id, sequence });
    const checks = verification.problems.map((problem: { check: string }) => problem.check);
    expect(checks).not.toContain('entry_balanced');
    expect(checks).not.toContain('trial_balance');
    // Nor do the lines add up any longer to the accounts' daily totals, which balances are read from.
    expect(checks).toContain('account_totals');
  });

  it('a daily total changed: verify names the account and the day, the trial balance read from it shows it, and a rebuild puts it right', async () => {
    const before = (await fund.auditor('GET', '/v1/ledger/trial-balance')).json();
    const row = (() => {
      const file = new Database(test.config.databasePath, { readonly: true });
      try {
        return file.prepare("SELECT account_code AS accountCode, day FROM account_day_totals WHERE account_code = '1011' ORDER BY day LIMIT 1").get() as { accountCode: string; day: string };
      } finally {
        file.close();
      }
    })();
    tamper((file) => file.prepare('UPDATE account_day_totals SET debit = debit + 1000 WHERE account_code = ? AND day = ?').run(row.accountCode, row.day));
    const verification = await verify();
    expect(verification.ok).toBe(false);
    expect(verification.firstProblem).toMatchObject({ check: 'account_totals' });
    expect(verification.firstProblem.message).toContain(`account 1011 on ${row.day}`);
    const after = (await fund.auditor('GET', '/v1/ledger/trial-balance')).json();
    expect(after.totalDebit).not.toBe(before.totalDebit);
    // Recomputed from the lines (npm run rebuild-read-models), the totals verify again.
    rebuildAccountDayTotals(test.context.db);
    expect((await verify()).ok).toBe(true);
    expect((await fund.auditor('GET', '/v1/ledger/trial-balance')).json()).toEqual(before);
  });

  it('an edit whose hash was recomputed too: the next entry no longer links to it', async () => {
    const target = entryAt(6);
    tamper((file) => {
      file.prepare("UPDATE journal_entries SET description = description || ' (sửa)' WHERE id = ?").run(target.id);
      // Recompute the edited entry's hash as the service would have: the link from entry 7 still names the old one.
      const row = file.prepare('SELECT * FROM journal_entries WHERE id = ?').get(target.id) as Record<string, string | number | null>;
      const lines = file.prepare('SELECT account_code, debit, credit, member_id, loan_id FROM journal_lines WHERE entry_id = ? ORDER BY line_number').raw().all(target.id) as [string, number, number, string | null, string | null][];
      const text = canonicalEntryText({
        id: row.id as string,
        sequence: row.sequence as number,
        postedAt: row.posted_at as string,
        entryDate: row.entry_date as string,
        kind: row.kind as 'repayment',
        description: row.description as string,
        sourceType: row.source_type as string,
        sourceId: row.source_id as string,
        reversesEntryId: row.reverses_entry_id as string | null,
        previousHash: row.previous_hash as string,
        lines: lines.map(([accountCode, debit, credit, memberId, loanId]) => ({ accountCode, debit: BigInt(debit), credit: BigInt(credit), memberId, loanId })),
      });
      file.prepare('UPDATE journal_entries SET hash = ? WHERE id = ?').run(createHash('sha256').update(text).digest('hex'), target.id);
    });
    const verification = await verify();
    expect(verification.problems).toEqual([expect.objectContaining({ check: 'chain_link', sequence: 7, message: expect.stringContaining('is not the hash of entry 6') })]);
  });

  it('a deleted entry: the chain breaks at the entry after it', async () => {
    const target = entryAt(5);
    tamper((file) => {
      file.prepare('DELETE FROM journal_lines WHERE entry_id = ?').run(target.id);
      file.prepare('DELETE FROM journal_entries WHERE id = ?').run(target.id);
    });
    const verification = await verify();
    expect(verification.firstProblem).toMatchObject({ check: 'sequence', sequence: 6, message: 'entry 6 follows entry 4: entry 5 is missing' });
    expect(verification.problems[1]).toMatchObject({ check: 'chain_link', sequence: 6 });
    const { status, output } = runScript();
    expect(status).toBe(1);
    expect(output).toContain('entry 5 is missing');
  });

  it('entries renumbered out of the chain (before its start, far past its end): each is still read and named', async () => {
    const before = await verify();
    const first = entryAt(1);
    const last = entryAt(before.lastSequence);
    tamper((file) => {
      file.prepare('UPDATE journal_entries SET sequence = ? WHERE id = ?').run(-3, first.id);
      file.prepare('UPDATE journal_entries SET sequence = ? WHERE id = ?').run(1_000_000_000_000, last.id);
    });
    const verification = await verify();
    expect(verification.ok).toBe(false);
    expect(verification.entriesChecked).toBe(before.entriesChecked);
    expect(verification.problems).toEqual(expect.arrayContaining([expect.objectContaining({ sequence: -3 }), expect.objectContaining({ sequence: 1_000_000_000_000 })]));
  });
});
