// The books verified from the stored rows, and tampering found where it was done: someone with the SQLite file drops
// the append-only triggers and edits a line, edits an entry so that it still balances, rewrites an entry's hash,
// or deletes an entry. Through GET /v1/ledger/verify and through npm run ledger:verify.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { canonicalEntryText } from '../../src/ledger/journal.js';
import { rebuildAccountDayTotals } from '../../src/modules/ledger/journal.repo.js';
import { loanReadModelVersion } from '../../src/modules/loans/loan-read-models.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { fundWithBooks, type SmallFund } from '../fixtures.js';
import { Browser } from '../web/browser.js';

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

/** The attacker: a second connection on the file, with the triggers that refuse edits dropped, and put back after. */
function tamper(work: (file: Database.Database) => void, options: { putTriggersBack?: boolean } = {}): void {
  const file = new Database(test.config.databasePath);
  try {
    const triggers = file.prepare("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'").all() as { name: string; sql: string }[];
    for (const { name } of triggers) file.exec(`DROP TRIGGER ${name}`);
    work(file);
    if (options.putTriggersBack ?? true) for (const { sql } of triggers) file.exec(sql);
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

  it('a trigger dropped and left so, or made to let edits through: verify says the table can be edited', async () => {
    tamper(() => undefined, { putTriggersBack: false });
    const dropped = await verify();
    expect(dropped.problems.map((problem: { check: string; message: string }) => `${problem.check}: ${problem.message}`)).toEqual(
      ['journal_entries', 'journal_lines', 'audit_log', 'period_closes'].flatMap((table) =>
        ['UPDATE', 'DELETE'].map((operation) => `append_only: the trigger ${table}_no_${operation.toLowerCase()} that refuses ${operation} on ${table} is missing: the table can be edited`),
      ),
    );
    tamper((file) => {
      for (const table of ['journal_entries', 'journal_lines', 'audit_log', 'period_closes']) {
        for (const operation of ['update', 'delete']) file.exec(`CREATE TRIGGER ${table}_no_${operation} BEFORE ${operation.toUpperCase()} ON ${table} BEGIN SELECT 1; END`);
      }
      file.exec('DROP TRIGGER journal_lines_no_update');
      file.exec("CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines WHEN 0 BEGIN SELECT RAISE(ABORT, 'no'); END");
    }, { putTriggersBack: false });
    const redefined = await verify();
    expect(redefined.problems).toHaveLength(8);
    expect(redefined.problems.map((problem: { message: string }) => problem.message)).toContain(
      'the trigger journal_lines_no_update is not the one that refuses every UPDATE on journal_lines: it was made again otherwise (CREATE TRIGGER journal_lines_no_update BEFORE UPDATE ON journal_lines WHEN 0 BEGIN SELECT RAISE(ABORT, \'no\'); END)',
    );
    // A body that raises under a condition that never holds reads otherwise than the one made, too.
    tamper((file) => {
      file.exec("CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes BEGIN SELECT RAISE(ABORT, 'period_closes is append-only') WHERE 0; END");
    }, { putTriggersBack: false });
    expect((await verify()).problems.map((problem: { message: string }) => problem.message)).toContain(
      "the trigger period_closes_no_delete is not the one that refuses every DELETE on period_closes: it was made again otherwise (CREATE TRIGGER period_closes_no_delete BEFORE DELETE ON period_closes BEGIN SELECT RAISE(ABORT, 'period_closes is append-only') WHERE 0; END)",
    );
  });

  it('the auditor’s page names each failed check and each reconciliation in her language, beside its code and the details', async () => {
    const line = entryAt(2).lines[0] as { id: number };
    tamper((file) => file.prepare('UPDATE journal_lines SET debit = debit + 1000 WHERE id = ?').run(line.id));
    const auditor = new Browser(test.app);
    await auditor.signIn('auditor', 'auditor-pass-1');
    const vietnamese = await auditor.get('/app/audit/verify?inline=1');
    expect(vietnamese.body).toContain('Sổ cái có chỗ không khớp');
    expect(vietnamese.body).toContain('Nội dung bút toán bị sửa sau khi ghi sổ <code>entry_hash</code>');
    expect(vietnamese.body).toContain('Bút toán không cân Nợ/Có <code>entry_balanced</code>');
    expect(vietnamese.body).toContain('<th scope="col">Kiểm tra</th>');
    // Each reconciliation is named by its control account in the chart's words.
    expect(vietnamese.body).toContain('<th scope="row">Cho vay thành viên ');
    await auditor.get('/app/lang?to=en&next=/app/audit');
    const english = await auditor.get('/app/audit/verify?inline=1');
    expect(english.body).toContain('Entry changed after it was posted <code>entry_hash</code>');
    expect(english.body).toContain('<th scope="row">Loans to members ');
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

describe('records edited where the journal was not', () => {
  /** An edit to a business record, which no trigger guards, as the sqlite3 shell makes it (no foreign keys enforced). */
  const edit = (statement: string, ...parameters: unknown[]) => {
    const file = new Database(test.config.databasePath);
    file.pragma('foreign_keys = OFF');
    try {
      return file.prepare(statement).run(...parameters);
    } finally {
      file.close();
    }
  };
  const read = <T>(statement: string, ...parameters: unknown[]): T => {
    const file = new Database(test.config.databasePath, { readonly: true });
    try {
      return file.prepare(statement).get(...parameters) as T;
    } finally {
      file.close();
    }
  };
  const problemsOf = async () => {
    const verification = await verify();
    expect(verification.ok).toBe(false);
    // The journal itself is whole: its entries, chain, balances and totals.
    expect(verification.problems.filter((problem: { check: string }) => ['sequence', 'chain_link', 'entry_hash', 'entry_balanced', 'trial_balance', 'account_totals'].includes(problem.check))).toEqual([]);
    return verification.problems.map((problem: { check: string; message: string }) => `${problem.check}: ${problem.message}`) as string[];
  };
  const firstRepayment = () =>
    read<{ id: string; amount: number; transaction_date: string; loan_id: string }>("SELECT id, amount, transaction_date, loan_id FROM loan_transactions WHERE type = 'repayment' AND loan_id = ? ORDER BY transaction_date, id LIMIT 1", fund.loanIds[0]);

  it('a repayment’s amount made smaller: the money the entry received is named, and the loan’s split', async () => {
    const repayment = firstRepayment();
    edit('UPDATE loan_transactions SET amount = amount - 500000 WHERE id = ?', repayment.id);
    // Its loan, replayed with the smaller amount, no longer gives the split and timeline stored for it either.
    expect(await problemsOf()).toEqual([
      `loan_transactions: repayment ${repayment.id}: it is ${repayment.amount - 500000} received, the entry ${repayment.amount}`,
      expect.stringMatching(new RegExp(`^loan_read_models: loan ${repayment.loan_id}: `)),
    ]);
    expect(runScript().status).toBe(1);
  });

  it('a repayment moved to another day', async () => {
    const repayment = firstRepayment();
    edit("UPDATE loan_transactions SET transaction_date = '2025-12-01' WHERE id = ?", repayment.id);
    expect(await problemsOf()).toContain(`loan_transactions: repayment ${repayment.id}: it is dated 2025-12-01, the entry booking it ${repayment.transaction_date}`);
  });

  it('principal moved from one loan’s split to another’s, the totals kept', async () => {
    const repayment = firstRepayment();
    const other = read<{ transaction_id: string }>('SELECT transaction_id FROM repayment_allocations WHERE loan_id = ? AND current = 1 AND transaction_id NOT IN (SELECT transaction_id FROM transaction_reversals) LIMIT 1', fund.loanIds[1]);
    edit('UPDATE repayment_allocations SET principal = principal - 50000 WHERE transaction_id = ? AND current = 1', repayment.id);
    edit('UPDATE repayment_allocations SET principal = principal + 50000 WHERE transaction_id = ? AND current = 1', other.transaction_id);
    const problems = await problemsOf();
    expect(problems.filter((problem) => problem.startsWith('loan_balances'))).toHaveLength(2);
    expect(problems.filter((problem) => problem.startsWith('loan_transactions'))).toHaveLength(2);
    expect(problems.filter((problem) => problem.startsWith('repayment_splits'))).toHaveLength(2);
    expect(problems.some((problem) => problem.startsWith('reconciliation'))).toBe(false);
  });

  it('interest moved to penalty in a split, and an installment line edited', async () => {
    const repayment = firstRepayment();
    edit('UPDATE repayment_allocations SET interest = interest - 1000, penalty = penalty + 1000 WHERE transaction_id = ? AND current = 1', repayment.id);
    expect((await problemsOf()).filter((problem) => !problem.startsWith('repayment_splits'))).toEqual([
      expect.stringMatching(new RegExp(`^loan_transactions: repayment ${repayment.id}: its split .* is not the entry's`)),
      `loan_read_models: loan ${repayment.loan_id}: repayment ${repayment.id} is split otherwise than its history gives`,
    ]);
    edit('UPDATE repayment_allocations SET interest = interest + 1000, penalty = penalty - 1000 WHERE transaction_id = ? AND current = 1', repayment.id);
    edit('UPDATE repayment_allocation_lines SET interest = interest + 7 WHERE transaction_id = ?', repayment.id);
    expect(await problemsOf()).toEqual([
      expect.stringMatching(new RegExp(`^repayment_splits: repayment ${repayment.id}: its split pays`)),
      `loan_read_models: loan ${repayment.loan_id}: the installments repayment ${repayment.id} paid are not what its history gives`,
    ]);
  });

  it('a loan’s stored timeline edited, where the loan book, the portfolio and the provisions read it', async () => {
    const loanId = fund.loanIds[0] as string;
    edit('UPDATE loan_timeline_segments SET overdue_principal = 0, overdue_interest = 0, oldest_unpaid_due_day = NULL WHERE loan_id = ?', loanId);
    const problems = await problemsOf();
    expect(problems).toEqual([expect.stringMatching(new RegExp(`^loan_read_models: loan ${loanId}: its timeline from \\d{4}-\\d{2}-\\d{2} is not what its history gives`))]);
    // npm run rebuild-read-models puts it right from the history, which verifies.
    const rebuilt = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rebuild-read-models.ts', '--database', test.config.databasePath], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect((await verify()).ok).toBe(true);
  });

  it('a loan’s row edited into one its schedule no longer fits: that loan is named, and the rest of the books still checked', async () => {
    const loanId = fund.loanIds[0] as string;
    edit('UPDATE loans SET principal = principal + 3000000 WHERE id = ?', loanId);
    tamper(() => undefined, { putTriggersBack: false });
    const problems = (await verify()).problems.map((problem: { check: string; message: string }) => `${problem.check}: ${problem.message}`) as string[];
    expect(problems.filter((problem) => problem.startsWith('append_only'))).toHaveLength(8);
    expect(problems).toContain(`loan_records: loan ${loanId}: it is kept as lending 13000000, its disbursement lent 10000000`);
    expect(problems.some((problem) => problem.startsWith(`loan_read_models: loan ${loanId}: `))).toBe(true);
    expect(runScript().status).toBe(1);
  });

  it('an installment of a frozen schedule edited, which no entry records: its terms give another', async () => {
    const loanId = fund.loanIds[0] as string;
    edit('UPDATE schedule_installments SET interest_due = interest_due + 50000 WHERE loan_id = ? AND version = 1 AND number = 11', loanId);
    expect(await problemsOf()).toEqual([`loan_read_models: loan ${loanId}: installment 11 of the schedule frozen at its disbursement is not what its terms give`]);
    // A rebuild of the read models does not make it verify: the schedule is history, not a read model.
    const rebuilt = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/rebuild-read-models.ts', '--database', test.config.databasePath], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect((await verify()).ok).toBe(false);
  });

  it('a write-off day moved on the loan’s row, timeline rows of no loan, and a deposit kept as a withdrawal', async () => {
    const loanId = fund.loanIds[1] as string;
    const segments = read<{ n: number }>('SELECT count(*) AS n FROM loan_timeline_segments WHERE loan_id = ?', loanId).n;
    edit("INSERT INTO loan_timeline_segments SELECT 'ln-nobody', from_day, to_day, version, principal_outstanding, principal_paid, interest_paid, overdue_principal, overdue_interest, oldest_unpaid_due_day, credit, closed, written_off, principal_written_off, reschedule_count, accrual, principal_fallen_due, member_id, group_id, member_number, group_number FROM loan_timeline_segments WHERE loan_id = ?", loanId);
    edit("UPDATE loans SET written_off_on = '2026-10-31' WHERE id = ?", loanId);
    const deposit = read<{ id: string }>("SELECT id FROM savings_transactions WHERE type = 'deposit' LIMIT 1");
    edit("UPDATE savings_transactions SET type = 'withdrawal' WHERE id = ?", deposit.id);
    const problems = await problemsOf();
    expect(problems).toContain(`loan_read_models: ${segments} timeline rows name ln-nobody, which is no disbursed loan: the reports read them all`);
    expect(problems).toContain(`loan_records: loan ${loanId}: it is kept as active (written off on 2026-10-31), and its transactions write it off never`);
    expect(problems.some((problem) => problem.startsWith(`savings_transactions: savings ${deposit.id}: it is kept as a withdrawal of `))).toBe(true);
  });

  it('savings moved from one member to another, and a savings record removed', async () => {
    const deposit = read<{ id: string; member_id: string; journal_entry_id: string }>("SELECT id, member_id, journal_entry_id FROM savings_transactions WHERE kind = 'voluntary' AND type = 'deposit' LIMIT 1");
    const other = fund.memberIds.find((id) => id !== deposit.member_id) as string;
    edit('UPDATE savings_transactions SET member_id = ? WHERE id = ?', other, deposit.id);
    const moved = await problemsOf();
    expect(moved.filter((problem) => problem.startsWith('savings_balances'))).toHaveLength(2);
    expect(moved).toContain(`savings_transactions: the savings of member ${other} booked by entry ${deposit.journal_entry_id}: it moves ${read<{ amount: number }>('SELECT amount FROM savings_transactions WHERE id = ?', deposit.id).amount} on her voluntary savings, the entry 0`);
    edit('DELETE FROM savings_transactions WHERE id = ?', deposit.id);
    const removed = await problemsOf();
    expect(removed).toContain(`entry_sources: it books savings_transaction ${deposit.id}, which is not there`);
  });
});

describe('loan read models made by an older version’s rules', () => {
  const userVersion = () => test.database.sqlite.pragma('user_version', { simple: true }) as number;
  const segments = () => test.database.sqlite.prepare('SELECT * FROM loan_timeline_segments ORDER BY loan_id, from_day').all();

  it('a new database records the rules its read models follow, and a second preparation rebuilds nothing', () => {
    expect(userVersion()).toBe(loanReadModelVersion);
    expect(prepareFund(test.context, undefined).readModelsRebuilt).toBeNull();
  });

  it('are rebuilt from the loans’ histories when the fund is prepared, and the books verify again', async () => {
    const made = segments();
    // As a database of the previous version holds them: other segments (here, none for the first loan), version 1.
    test.database.sqlite.prepare('DELETE FROM loan_timeline_segments WHERE loan_id = ?').run(fund.loanIds[0]);
    test.database.sqlite.pragma('user_version = 1');
    expect((await verify()).problems.map((problem: { check: string }) => problem.check)).toEqual(['loan_read_models']);
    const prepared = prepareFund(test.context, undefined);
    expect(prepared.readModelsRebuilt).toMatchObject({ loans: fund.loanIds.length, from: 1 });
    expect(userVersion()).toBe(loanReadModelVersion);
    expect(segments()).toEqual(made);
    expect(await verify()).toMatchObject({ ok: true, problemCount: 0 });
  });
});
