// Exports read back: each file parsed (CSV with csv-parse, XLSX with exceljs's reader) and its rows and totals held
// against the ledger's own answers as of the same dates; manifests hashed against the bytes downloaded; refusals.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canonicalEntryText } from '../../src/ledger/journal.js';
import { openExport } from '../../src/modules/exports/export.service.js';
import { accountLines } from '../../src/modules/exports/export.repo.js';
import { appendEntry, iterateJournal, withLineOn } from '../../src/modules/ledger/journal.repo.js';
import { journalEntries as entriesTable } from '../../db/schema.js';
import { and, asc, gte, lte } from 'drizzle-orm';
import { chartOfAccounts } from '../../src/ledger/chart.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { buildTestApp, type Caller, login, type TestApp } from '../helper.js';
import { fundWithBooks, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund & { loanIds: string[] };
beforeAll(async () => {
  test = await buildTestApp();
  fund = await fundWithBooks(test);
}, 60_000);
afterAll(async () => {
  await test.close();
});

type Row = Record<string, string>;

async function download(caller: Caller, url: string): Promise<Buffer> {
  const reply = await caller('GET', url);
  expect(reply.statusCode, reply.body.slice(0, 500)).toBe(200);
  return reply.rawPayload;
}

async function csvRows(url: string, caller: Caller = fund.auditor): Promise<Row[]> {
  const bytes = await download(caller, url);
  // UTF-8 with a BOM, so that Excel shows Vietnamese.
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  return parse(bytes, { bom: true, columns: true, record_delimiter: '\r\n' }) as Row[];
}

async function xlsxSheet(url: string): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load((await download(fund.auditor, url)) as unknown as ArrayBuffer);
  const sheet = workbook.worksheets[0];
  if (!sheet) throw new Error('the workbook has no sheet');
  return sheet;
}

/** The XLSX sheet's rows as the CSV writes them: numbers as digits, dates as YYYY-MM-DD, empty cells as ''. */
function sheetRows(sheet: ExcelJS.Worksheet): Row[] {
  const header = (sheet.getRow(1).values as unknown[]).slice(1).map(String);
  const rows: Row[] = [];
  sheet.eachRow((row, number) => {
    if (number === 1) return;
    const values = (row.values as unknown[]).slice(1);
    rows.push(
      Object.fromEntries(
        header.map((key, index) => {
          const value = values[index];
          if (value === undefined || value === null) return [key, ''];
          if (value instanceof Date) return [key, value.toISOString().slice(0, 10)];
          return [key, String(value)];
        }),
      ),
    );
  });
  return rows;
}

function groupBy(rows: Row[], key: string): Map<string, Row[]> {
  const groups = new Map<string, Row[]>();
  for (const row of rows) groups.set(row[key] as string, [...(groups.get(row[key] as string) ?? []), row]);
  return groups;
}
const sum = (rows: Row[], key: string) => rows.reduce((total, row) => total + BigInt(row[key] || '0'), 0n).toString();
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

async function trialBalance(asOf: string) {
  return (await fund.auditor('GET', `/v1/ledger/trial-balance?asOf=${asOf}`)).json() as {
    totalDebit: string;
    totalCredit: string;
    accounts: { code: string; debit: string; credit: string; debitTurnover: string; creditTurnover: string }[];
  };
}

async function journalEntries(query: string) {
  const entries: { id: string; sequence: number; entryDate: string; lines: { debit: string; credit: string }[] }[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: typeof entries; nextCursor: string | null } = (await fund.auditor('GET', `/v1/ledger/journal?${query}&limit=500${cursor ? `&cursor=${cursor}` : ''}`)).json();
    entries.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return entries;
}

describe('the journal export', () => {
  it('has every line of the period, debits equal credits, and carries what each entry’s hash covers', async () => {
    const rows = await csvRows('/v1/exports/journal.csv?from=2025-01-01&to=2025-03-31');
    const entries = await journalEntries('from=2025-01-01&to=2025-03-31');
    expect(rows.length).toBe(entries.reduce((count, entry) => count + entry.lines.length, 0));
    expect(rows.map((row) => row.entryId)).toEqual(entries.flatMap((entry) => entry.lines.map(() => entry.id)));
    expect(rows.every((row) => (row.entryDate as string) >= '2025-01-01' && (row.entryDate as string) <= '2025-03-31')).toBe(true);
    expect(sum(rows, 'debit')).toBe(sum(rows, 'credit'));
    expect(sum(rows, 'debit')).toBe(entries.flatMap((entry) => entry.lines).reduce((total, line) => total + BigInt(line.debit), 0n).toString());
    // From the file alone, each entry's hash is recomputed from its fields and its previous hash.
    const byEntry = groupBy(rows, 'entryId');
    for (const lines of byEntry.values()) {
      const [first] = lines as [Row];
      const text = canonicalEntryText({
        id: first.entryId as string,
        sequence: Number(first.sequence),
        postedAt: first.postedAt as string,
        entryDate: first.entryDate as string,
        kind: first.kind as 'repayment',
        description: first.description as string,
        sourceType: first.sourceType as string,
        sourceId: first.sourceId as string,
        reversesEntryId: first.reversesEntryId || null,
        previousHash: first.previousHash as string,
        lines: lines.map((line) => ({ accountCode: line.accountCode as string, debit: BigInt(line.debit as string), credit: BigInt(line.credit as string), memberId: line.memberId || null, loanId: line.loanId || null })),
      });
      expect(createHash('sha256').update(text).digest('hex')).toBe(first.hash);
    }
  });

  it('as XLSX holds the same rows, with real numbers and dates, a styled and frozen header', async () => {
    const csv = await csvRows('/v1/exports/journal.csv?from=2025-01-01&to=2026-11-23');
    const sheet = await xlsxSheet('/v1/exports/journal.xlsx?from=2025-01-01&to=2026-11-23');
    expect(sheetRows(sheet)).toEqual(csv);
    expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
    expect(sheet.getRow(1).getCell(1).font?.bold).toBe(true);
    const debit = sheet.getRow(2).getCell(12);
    expect(typeof debit.value).toBe('number');
    expect(debit.numFmt).toBe('#,##0');
    expect(sheet.getRow(2).getCell(3).value).toBeInstanceOf(Date);
  });
});

describe('the trial balance, general ledger, loan book and savings balances', () => {
  it('trial balance: the file is the ledger’s trial balance, in both formats', async () => {
    const trial = await trialBalance('2025-06-30');
    for (const rows of [await csvRows('/v1/exports/trial-balance.csv?asOf=2025-06-30'), sheetRows(await xlsxSheet('/v1/exports/trial-balance.xlsx?asOf=2025-06-30'))]) {
      expect(rows.map((row) => [row.code, row.debitTurnover, row.creditTurnover, row.debit, row.credit])).toEqual(
        trial.accounts.map((account) => [account.code, account.debitTurnover, account.creditTurnover, account.debit, account.credit]),
      );
      expect([sum(rows, 'debit'), sum(rows, 'credit')]).toEqual([trial.totalDebit, trial.totalCredit]);
    }
  });

  it('general ledger: opening plus the period’s lines is the closing balance, which is the trial balance’s', async () => {
    const rows = await csvRows('/v1/exports/general-ledger.csv?from=2025-03-01&to=2025-06-30');
    const before = await trialBalance('2025-02-28');
    const after = await trialBalance('2025-06-30');
    const normalDebit = new Set(['1011', '2111', '8823']);
    const balanceIn = (trial: Awaited<ReturnType<typeof trialBalance>>, code: string) => {
      const account = trial.accounts.find((candidate) => candidate.code === code);
      const net = BigInt(account?.debit ?? '0') - BigInt(account?.credit ?? '0');
      return (normalDebit.has(code) ? net : -net).toString();
    };
    const accounts = groupBy(rows, 'accountCode');
    expect([...accounts.keys()]).toEqual(after.accounts.map((account) => account.code));
    for (const [code, lines] of accounts) {
      expect(lines[0]).toMatchObject({ row: 'opening', entryDate: '2025-03-01', balance: balanceIn(before, code) });
      expect(lines.at(-1)).toMatchObject({ row: 'closing', entryDate: '2025-06-30', balance: balanceIn(after, code) });
      const body = lines.slice(1, -1);
      expect(body.every((line) => line.row === 'line' && (line.entryDate as string) >= '2025-03-01' && (line.entryDate as string) <= '2025-06-30')).toBe(true);
      const moved = body.reduce((total, line) => total + BigInt(line.debit as string) - BigInt(line.credit as string), 0n);
      expect(BigInt(lines.at(-1)?.balance as string) - BigInt(lines[0]?.balance as string)).toBe(normalDebit.has(code) ? moved : -moved);
    }
    const journal = await csvRows('/v1/exports/journal.csv?from=2025-03-01&to=2025-06-30');
    expect([sum(rows, 'debit'), sum(rows, 'credit')]).toEqual([sum(journal, 'debit'), sum(journal, 'credit')]);
    const one = await csvRows('/v1/exports/general-ledger.csv?from=2025-03-01&to=2025-06-30&accountCode=2111');
    expect(one).toEqual(accounts.get('2111'));
  });

  it('loan book: every loan on the books, its outstanding summing to the loans account, as the arrears say', async () => {
    for (const asOf of ['2025-06-30', '2026-11-22']) {
      const rows = await csvRows(`/v1/exports/loan-book.csv?asOf=${asOf}`);
      expect(rows.map((row) => row.loanId).sort()).toEqual([...fund.loanIds].sort());
      const loans = (await trialBalance(asOf)).accounts.find((account) => account.code === '2111');
      expect(sum(rows, 'principalOutstanding')).toBe(loans?.debit);
      const portfolio = (await fund.auditor('GET', `/v1/reports/portfolio?asOf=${asOf}`)).json();
      expect(sum(rows, 'principalOutstanding')).toBe(portfolio.totals.outstandingPrincipal);
      for (const row of rows) {
        const arrears = (await fund.auditor('GET', `/v1/loans/${row.loanId}/arrears?asOf=${asOf}`)).json();
        expect(row).toMatchObject({
          principalOutstanding: arrears.principalOutstanding,
          overduePrincipal: arrears.overduePrincipal,
          overdueInterest: arrears.overdueInterest,
          daysPastDue: String(arrears.daysPastDue),
          debtGroup: String(arrears.debtGroup),
          provision: arrears.provision,
          groupCode: 'TL01-T1',
          areaCode: 'HB-TL-01',
          officerName: 'Trần Thị Lan',
        });
        expect(row.nationalId).toMatch(/^\d{12}$/);
      }
      expect(sheetRows(await xlsxSheet(`/v1/exports/loan-book.xlsx?asOf=${asOf}`))).toEqual(rows);
    }
    // An area with no loans has an empty book; the fund's own province has them all.
    expect(await csvRows(`/v1/exports/loan-book.csv?asOf=2025-06-30&areaId=${fund.areas.otherCommune}`)).toEqual([]);
    expect(await csvRows(`/v1/exports/loan-book.csv?asOf=2025-06-30&areaId=${fund.areas.province}`)).toHaveLength(2);
  });

  it('savings balances: each member’s savings, summing to the savings accounts', async () => {
    const rows = await csvRows('/v1/exports/savings-balances.csv?asOf=2025-12-31');
    const trial = await trialBalance('2025-12-31');
    const credit = (code: string) => trial.accounts.find((account) => account.code === code)?.credit;
    expect([sum(rows, 'compulsory'), sum(rows, 'voluntary')]).toEqual([credit('4211'), credit('4212')]);
    expect(rows).toHaveLength(3);
    const first = rows.find((row) => row.memberId === fund.memberIds[0]);
    expect(first).toMatchObject({ compulsory: '200000', voluntary: '380000', total: '580000', memberName: 'Hà Thị Thu 1' });
    // Before the withdrawal and the third member's deposit.
    const earlier = await csvRows('/v1/exports/savings-balances.csv?asOf=2025-04-30');
    expect(earlier.map((row) => [row.memberId, row.voluntary])).toEqual([
      [fund.memberIds[0], '500000'],
      [fund.memberIds[1], '75000'],
    ]);
  });
});

describe('a member’s statement', () => {
  it('lists her loans, their schedules and payments, and her savings, agreeing with her loan and savings', async () => {
    const [memberId] = fund.memberIds as [string];
    const rows = await csvRows(`/v1/exports/member-statement.csv?memberId=${memberId}&asOf=2025-12-31`);
    const loan = (await fund.auditor('GET', `/v1/loans/${fund.loanIds[0]}?asOf=2025-12-31`)).json();
    const loanRow = rows.find((row) => row.section === 'loan');
    expect(loanRow).toMatchObject({ loanId: fund.loanIds[0], date: '2025-01-15', principal: '10000000', balance: loan.balances.principalOutstanding, reference: 'active' });
    const installments = rows.filter((row) => row.section === 'installment');
    expect(installments.map((row) => [row.date, row.principal, row.interest])).toEqual(loan.schedule.map((line: Row) => [line.dueOn, line.principalDue, line.interestDue]));
    const payments = rows.filter((row) => row.section === 'payment');
    expect(payments.map((row) => [row.reference, row.amount])).toEqual(loan.transactions.map((transaction: Row) => [transaction.id, transaction.amount]));
    const savings = rows.filter((row) => row.section === 'savings');
    expect(savings.map((row) => [row.description, row.amount, row.balance])).toEqual([
      ['compulsory deposit', '200000', '200000'],
      ['voluntary deposit', '500000', '500000'],
      ['voluntary withdrawal', '-120000', '380000'],
    ]);
    expect(sheetRows(await xlsxSheet(`/v1/exports/member-statement.xlsx?memberId=${memberId}&asOf=2025-12-31`))).toEqual(rows);
  });
});

describe('manifests', () => {
  const urls = [
    'journal.{format}?from=2025-01-01&to=2025-12-31',
    'general-ledger.{format}?from=2025-01-01&to=2025-12-31',
    'trial-balance.{format}?asOf=2025-12-31',
    'loan-book.{format}?asOf=2025-12-31',
    'savings-balances.{format}?asOf=2025-12-31',
    'member-statement.{format}?memberId={member}&asOf=2025-12-31',
  ];
  it.each(urls.flatMap((url) => ['csv', 'xlsx'].map((format) => url.replace('{format}', format))))('%s: the SHA-256 is the downloaded file’s, and the bytes are the same every time', async (template) => {
    const url = `/v1/exports/${template.replace('{member}', fund.memberIds[0] as string)}`;
    const first = await download(fund.auditor, url);
    test.clock.advanceMinutes(3);
    const manifest = (await fund.admin('GET', url.replace('?', '.manifest.json?'))).json();
    test.clock.advanceMinutes(3);
    const again = await download(fund.admin, url);
    expect(manifest.sha256).toBe(sha256(first));
    expect(manifest.bytes).toBe(first.length);
    expect(sha256(again)).toBe(manifest.sha256);
    const journal = await journalEntries('from=1900-01-01&to=2100-12-31');
    const last = journal.at(-1);
    expect(manifest.journalThrough).toEqual({ sequence: last?.sequence, hash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    if (url.includes('.csv')) {
      const rows = parse(first, { bom: true, columns: true }) as Row[];
      expect(manifest.rowCount).toBe(rows.length);
      for (const [key, total] of Object.entries(manifest.totals as Record<string, string>)) expect(total).toBe(sum(rows, key));
    }
  });

  it('names the parameters and the ledger totals of the journal', async () => {
    const manifest = (await fund.auditor('GET', '/v1/exports/journal.xlsx.manifest.json?from=2025-01-01&to=2025-12-31')).json();
    const trial = await trialBalance('2025-12-31');
    expect(manifest).toMatchObject({
      export: 'journal',
      format: 'xlsx',
      fileName: 'journal-2025-01-01-2025-12-31.xlsx',
      parameters: { from: '2025-01-01', to: '2025-12-31' },
      currency: 'VND',
      totals: { debit: trial.accounts.reduce((total, account) => total + BigInt(account.debitTurnover), 0n).toString() },
    });
    expect(manifest.totals.credit).toBe(manifest.totals.debit);
  });
});

describe('refusals', () => {
  it.each([
    ['officer', '/v1/exports/journal.csv?from=2025-01-01&to=2025-12-31'],
    ['leader', '/v1/exports/loan-book.xlsx'],
    ['officer', '/v1/exports/trial-balance.csv.manifest.json'],
  ] as const)('%s may not export: %s', async (who, url) => {
    const reply = await fund[who]('GET', url);
    expect([reply.statusCode, reply.json().error.code]).toEqual([403, 'role_forbidden']);
  });

  it('answers a HEAD with the file’s headers and no rows', async () => {
    const token = await login(test.app, 'auditor', 'auditor-pass-1');
    const reply = await test.app.inject({ method: 'HEAD', url: '/v1/exports/loan-book.xlsx?asOf=2025-06-30', headers: { authorization: `Bearer ${token}` } });
    expect(reply.statusCode).toBe(200);
    expect(reply.headers['content-disposition']).toBe('attachment; filename="loan-book-2025-06-30.xlsx"');
    expect(reply.rawPayload.length).toBe(0);
  });

  it('asks for a token', async () => {
    const reply = await test.app.inject({ method: 'GET', url: '/v1/exports/journal.csv?from=2025-01-01&to=2025-12-31' });
    expect([reply.statusCode, reply.json().error.code]).toEqual([401, 'unauthenticated']);
  });

  it.each([
    ['an unknown export', '/v1/exports/balance-sheet.csv', 404, 'export_not_found'],
    ['an unknown format', '/v1/exports/journal.pdf?from=2025-01-01&to=2025-12-31', 404, 'export_not_found'],
    ['a manifest of an unknown format', '/v1/exports/journal.ods.manifest.json', 404, 'export_not_found'],
    ['an impossible date', '/v1/exports/journal.csv?from=2025-02-30&to=2025-12-31', 400, 'invalid_request'],
    ['from after to', '/v1/exports/journal.xlsx?from=2025-12-31&to=2025-01-01', 400, 'invalid_request'],
    ['a missing period', '/v1/exports/journal.csv', 400, 'invalid_request'],
    ['an unknown parameter', '/v1/exports/trial-balance.csv?asOf=2025-12-31&format=pdf', 400, 'invalid_request'],
    ['an unknown member', '/v1/exports/member-statement.csv?memberId=mb-nobody', 404, 'member_not_found'],
    ['no member', '/v1/exports/member-statement.xlsx', 400, 'invalid_request'],
    ['an unknown area', '/v1/exports/loan-book.csv?areaId=ar-nowhere', 404, 'area_not_found'],
    ['an unknown account', '/v1/exports/general-ledger.csv?from=2025-01-01&to=2025-12-31&accountCode=9999', 404, 'account_not_found'],
    ['a malformed account', '/v1/exports/general-ledger.csv?from=2025-01-01&to=2025-12-31&accountCode=cash', 400, 'invalid_request'],
    ['an unknown member’s manifest', '/v1/exports/member-statement.xlsx.manifest.json?memberId=mb-nobody', 404, 'member_not_found'],
    ['a trial balance as of a day to come', '/v1/exports/trial-balance.csv?asOf=2099-01-01', 422, 'date_in_future'],
    ['a loan book as of a day to come', '/v1/exports/loan-book.xlsx?asOf=2099-01-01', 422, 'date_in_future'],
    ['savings balances as of a day to come', '/v1/exports/savings-balances.csv.manifest.json?asOf=2099-01-01', 422, 'date_in_future'],
  ])('%s: %s answers %i %s', async (_name, url, status, code) => {
    const reply = await fund.admin('GET', url);
    expect(reply.statusCode, reply.body).toBe(status);
    expect(reply.json().error.code).toBe(code);
  });
});

describe('npm run export', () => {
  it('writes the same bytes as the route and prints the manifest’s figures', async () => {
    const out = join(mkdtempSync(join(tmpdir(), 'fund-export-')), 'loan-book.xlsx');
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', 'loan-book.xlsx', '--asOf', '2025-06-30', '--out', out, '--database', test.config.databasePath], { encoding: 'utf8', env: { ...process.env, LOG_LEVEL: 'silent' } });
    expect(result.status, result.stderr).toBe(0);
    const downloaded = await download(fund.auditor, '/v1/exports/loan-book.xlsx?asOf=2025-06-30');
    expect(sha256(readFileSync(out))).toBe(sha256(downloaded));
    expect(result.stdout).toContain(`SHA-256: ${sha256(downloaded)}`);
    expect(result.stdout).toContain('Wrote');
    const refused = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/export.ts', 'journal.csv', '--from', '2025-12-31', '--to', '2025-01-01', '--out', `${out}.csv`, '--database', test.config.databasePath], { encoding: 'utf8' });
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain('from: must not be after to');
  });
});

describe('a period of the journal', () => {
  it('holds the same lines in the same order whether reached by date or in sequence order', async () => {
    const db = test.context.db;
    // Entries posted out of date order, as backdated ones are: a period's entries are not a run of sequence numbers.
    db.transaction((tx) => {
      for (const [index, entryDate] of ['2026-03-15', '2025-12-31', '2026-03-14', '2026-01-01', '2026-03-15'].entries()) {
        appendEntry(
          tx,
          { entryDate, kind: 'capital', description: `Vốn góp ngày ${entryDate}`, sourceType: 'capital', sourceId: `period-${index}`, reversesEntryId: null, lines: [
            { accountCode: '1011', debit: 5000n + BigInt(index), credit: 0n, memberId: null, loanId: null },
            { accountCode: '3111', debit: 0n, credit: 5000n + BigInt(index), memberId: null, loanId: null },
          ] },
          'system',
          '2026-11-23T03:00:00.000Z',
        );
      }
    });
    const ranges = [{ from: '2026-03-15', to: '2026-03-15' }, { from: '2026-01-01', to: '2026-03-31' }, { from: '2025-01-01', to: '2026-11-23' }, { from: '2026-04-01', to: '2026-04-30' }];
    let lines = 0;
    for (const range of ranges) {
      const byDate = [...iterateJournal(db, { ...range, byDate: true })];
      expect([...iterateJournal(db, { ...range, byDate: false })]).toEqual(byDate);
      expect(byDate.every((row) => row[2] >= range.from && row[2] <= range.to)).toBe(true);
      expect(byDate.map((row) => row[0])).toEqual([...byDate.map((row) => row[0])].sort((a, b) => a - b));
      lines += byDate.length;
      for (const account of chartOfAccounts) {
        expect([...accountLines(db, account.code, range.from, range.to, false)]).toEqual([...accountLines(db, account.code, range.from, range.to, true)]);
      }
    }
    // Entries with a line on an account, walked entry by entry or named by the account's lines: the same, with a period or without.
    for (const range of [...ranges, {}] as { from?: string; to?: string }[]) {
      for (const account of chartOfAccounts) {
        const dated = and(range.from ? gte(entriesTable.entryDate, range.from) : undefined, range.to ? lte(entriesTable.entryDate, range.to) : undefined);
        const ids = (walk: boolean) => db.select({ id: entriesTable.id }).from(entriesTable).where(and(dated, withLineOn(db, account.code, walk))).orderBy(asc(entriesTable.sequence)).all();
        expect(ids(true)).toEqual(ids(false));
      }
    }
    expect(lines).toBeGreaterThan(20);
    // The journal's pages filtered to an account: the period's entries with a line on it, over a period or none.
    for (const query of ['from=2026-03-15&to=2026-03-15', 'from=2025-01-01&to=2026-11-23', 'from=2025-01-01']) {
      const all = await journalEntries(query);
      for (const accountCode of ['1011', '3111']) {
        const withLine = all.filter((entry) => (entry.lines as unknown as { accountCode: string }[]).some((line) => line.accountCode === accountCode));
        expect(withLine.length).toBeGreaterThan(0);
        expect((await journalEntries(`${query}&accountCode=${accountCode}`)).map((entry) => entry.id)).toEqual(withLine.map((entry) => entry.id));
      }
    }
  });
});

describe('a file read from a snapshot', () => {
  it('does not hold up writes while it streams, and does not take them in', async () => {
    // Enough lines that the file is still being read from the database when the write comes.
    test.context.db.transaction((tx) => {
      for (let index = 0; index < 3_000; index += 1) {
        appendEntry(
          tx,
          { entryDate: '2025-01-02', kind: 'capital', description: `Vốn góp ${index}`, sourceType: 'capital', sourceId: `capital-${index}`, reversesEntryId: null, lines: [
            { accountCode: '1011', debit: 1000n, credit: 0n, memberId: null, loanId: null },
            { accountCode: '3111', debit: 0n, credit: 1000n, memberId: null, loanId: null },
          ] },
          'system',
          '2026-11-23T03:00:00.000Z',
        );
      }
    });
    const opened = openExport(test.context, systemActor(), { name: 'journal', format: 'csv', query: { from: '2025-01-01', to: '2026-11-23' } });
    const chunks: Buffer[] = [];
    const reader = opened.stream[Symbol.asyncIterator]();
    for (let read = 0; read < 2; read += 1) chunks.push((await reader.next()).value as Buffer);
    expect(Buffer.concat(chunks).toString().split('\r\n').length).toBeLessThan(6_000);
    // A repayment while the export is open: answered at once, and not in the file being read.
    const repaid = await fund.officer('POST', `/v1/loans/${fund.loanIds[0]}/repayments`, { amount: '100000', paidOn: '2026-11-20' });
    expect(repaid.statusCode, repaid.body).toBe(201);
    for (let next = await reader.next(); !next.done; next = await reader.next()) chunks.push(next.value as Buffer);
    const rows = parse(Buffer.concat(chunks), { bom: true, columns: true }) as Row[];
    expect(rows.some((row) => row.entryDate === '2026-11-20')).toBe(false);
    expect(opened.summary.rowCount).toBe(rows.length);
    const now = await csvRows('/v1/exports/journal.csv?from=2025-01-01&to=2026-11-23');
    expect(now.filter((row) => row.entryDate === '2026-11-20').length).toBeGreaterThan(0);
  });
});
