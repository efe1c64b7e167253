// Every page answers for the roles it is for, refuses the others, escapes what users typed, and formats amounts and
// dates as Vietnamese readers expect.
import { createHash } from 'node:crypto';
import { parse as parseCsv } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund, disbursedLoan, memberInput, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { Browser } from './browser.js';
import { workbookOfCsv } from '../../src/web/routes/report.routes.js';

let test: TestApp;
let fund: SmallFund;
let loanId: string;
let productId: string;
const browsers: Record<string, Browser> = {};

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  ({ loanId, productId } = await disbursedLoan(fund));
  for (const [role, username, password] of [
    ['admin', 'admin', 'admin-password-1'],
    ['officer', 'lan.officer', 'officer-pass-1'],
    ['leader', 'thu.leader', 'leader-pass-1'],
    ['auditor', 'auditor', 'auditor-pass-1'],
  ] as const) {
    browsers[role] = new Browser(test.app);
    await browsers[role].signIn(username, password);
  }
});
afterAll(async () => test.close());

function pagesOf(role: string): string[] {
  const group = fund.group.id;
  const member = fund.memberIds[0];
  const shared = [`/app/groups/${group}`, `/app/members`, `/app/members/${member}`, `/app/loans/${loanId}`, '/app/password'];
  const officer = [
    '/app/dashboard',
    '/app/dashboard/figures',
    '/app/arrears',
    '/app/groups',
    '/app/groups/new',
    `/app/groups/${group}/edit`,
    `/app/groups/${group}/meeting`,
    '/app/members/new',
    `/app/members/${member}/edit`,
    '/app/imports',
    '/app/loans',
    '/app/loans?status=applied',
    `/app/loans/new?memberId=${member}`,
    `/app/loans/${loanId}/repay`,
    `/app/loans/${loanId}/reschedule`,
    `/app/loans/${loanId}/write-off`,
    '/app/reports',
    '/app/reports/outreach?from=2025-01-01&to=2026-11-23',
    '/app/reports/portfolio?asOf=2026-11-23&groupBy=group',
  ];
  switch (role) {
    case 'leader':
      return [...shared, `/app/groups/${group}/meeting`];
    case 'officer':
      return [...shared, ...officer];
    case 'auditor':
      return [...shared, '/app/audit', '/app/audit?memberId=x', '/app/audit/verify', '/app/audit/verify/result', '/app/audit/verify?inline=1', '/app/audit/manifest/journal.csv?from=2025-01-01&to=2026-11-23', '/app/audit/log', '/app/reports', '/app/reports/portfolio?asOf=2026-11-23'];
    default:
      return [...shared, ...officer, '/app/admin', '/app/admin/users', '/app/admin/users/new', `/app/admin/users/${fund.officerId}`, '/app/admin/products', `/app/admin/products/${productId}`, '/app/admin/products/new', '/app/admin/settings', '/app/admin/capital', '/app/audit', '/app/audit/verify'];
  }
}

describe('pages', () => {
  for (const role of ['admin', 'officer', 'leader', 'auditor']) {
    it(`answer the ${role}`, async () => {
      for (const url of pagesOf(role)) {
        const page = await (browsers[role] as Browser).get(url);
        expect(page.statusCode, `${role} ${url}: ${page.body.slice(0, 300)}`).toBe(200);
        expect(page.headers['content-type']).toContain('text/html');
        // Every element id once, and every label names a field that is there: a label tied to another form's field
        // sends a click, and a screen reader, to the wrong place.
        const ids = [...page.body.matchAll(/\sid="([^"]+)"/g)].map((match) => match[1] as string);
        expect(ids.filter((id, index) => ids.indexOf(id) !== index), `${role} ${url}: ids used twice`).toEqual([]);
        const labelled = [...page.body.matchAll(/<label[^>]*\sfor="([^"]+)"/g)].map((match) => match[1] as string);
        expect(labelled.filter((id) => !ids.includes(id)), `${role} ${url}: labels for no field`).toEqual([]);
      }
    });
  }

  it('refuse the roles they are not for', async () => {
    expect((await (browsers.leader as Browser).get('/app/dashboard')).statusCode).toBe(403);
    expect((await (browsers.auditor as Browser).get('/app/groups/new')).statusCode).toBe(403);
    expect((await (browsers.officer as Browser).get('/app/admin/users')).statusCode).toBe(403);
    // The other officer's group is out of scope: the service refuses, the page says so.
    const other = await (browsers.officer as Browser).get(`/app/groups/${fund.otherGroup.id}`);
    expect(other.statusCode).toBe(403);
    expect(other.body).toContain('Việc này nằm ngoài địa bàn hoặc tổ bạn phụ trách.');
  });

  it('give the auditor the exports with manifests whose SHA-256 is the file’s', async () => {
    const auditor = browsers.auditor as Browser;
    const list = await auditor.get('/app/audit?from=2025-01-01&to=2026-11-23');
    expect(list.body).toContain('/app/exports/journal.csv?from=2025-01-01&amp;to=2026-11-23');
    const file = await auditor.get('/app/exports/journal.csv?from=2025-01-01&to=2026-11-23');
    expect(file.statusCode).toBe(200);
    expect(file.headers['content-type']).toContain('text/csv');
    const manifest = await auditor.get('/app/audit/manifest/journal.csv?from=2025-01-01&to=2026-11-23');
    expect(manifest.body).toContain(createHash('sha256').update(file.rawPayload).digest('hex'));
    const json = await auditor.get('/app/exports/journal.csv.manifest.json?from=2025-01-01&to=2026-11-23');
    expect(json.json().sha256).toBe(createHash('sha256').update(file.rawPayload).digest('hex'));
    const head = await test.app.inject({ method: 'HEAD', url: '/app/exports/journal.csv?from=2025-01-01&to=2026-11-23', headers: { cookie: [...auditor.cookies].map(([name, value]) => `${name}=${value}`).join('; ') } });
    expect(head.statusCode).toBe(200);
    expect(head.headers['content-disposition']).toContain('journal-');
    expect(head.body).toBe('');
    const verified = await auditor.get('/app/audit/verify?inline=1');
    expect(verified.body).toContain('Sổ cái toàn vẹn');
    // The trial balance's manifest names its turnovers in the page's words.
    const trialBalance = await auditor.get('/app/audit/manifest/trial-balance.csv?asOf=2026-11-23');
    expect(trialBalance.body).toContain('Phát sinh Nợ');
    expect(trialBalance.body).not.toContain('debitTurnover');
  });

  it('refuse on the exports page a period that is not one, beside its field, and offer no file for it', async () => {
    const auditor = browsers.auditor as Browser;
    for (const [query, field] of [
      ['from=2026-13-01&to=2026-11-23', 'from'],
      ['from=abc', 'from'],
      ['to=2027-01-01', 'to'],
      ['from=2026-06-01&to=2026-01-01', 'from'],
    ] as const) {
      const page = await auditor.get(`/app/audit?${query}`);
      expect(page.statusCode, query).toBeGreaterThanOrEqual(400);
      expect(page.body, query).toContain(`id="f-${field}-error"`);
      expect(page.body, query).not.toContain('/app/exports/');
    }
  });

  it('show the plan beside the outreach in the page’s words: each target named, counts and amounts written as figures', async () => {
    const setPlan = async (areaId: string | null, targets: Record<string, unknown>) => {
      const plan = await fund.admin('POST', '/v1/plans', { areaId, periodStart: '2025-01-01', periodEnd: '2026-11-23', targets });
      expect(plan.statusCode, plan.body).toBe(200);
    };
    await setPlan(null, { loansDisbursed: 1, amountDisbursed: '1000000000' });
    await setPlan(fund.areas.commune, { groupsFormed: 3 });
    const fundWide = await (browsers.auditor as Browser).get('/app/reports/outreach?from=2025-01-01&to=2026-11-23');
    expect(fundWide.statusCode).toBe(200);
    expect(fundWide.body).toContain('<th scope="row">Số tiền giải ngân</th><td class="num">1.000.000.000\u00a0₫</td>');
    expect(fundWide.body).toContain('<th scope="row">Số khoản giải ngân</th><td class="num">1</td>');
    expect(fundWide.body).not.toContain('amountDisbursed');
    // The officer sees her own groups, measured against the plan of the commune she is assigned to, not the fund's.
    const own = await (browsers.officer as Browser).get('/app/reports/outreach?from=2025-01-01&to=2026-11-23');
    expect(own.body).toContain('<th scope="row">Tổ thành lập trong kỳ</th><td class="num">3</td>');
    expect(own.body).not.toContain('1.000.000.000\u00a0₫</td>');
  });

  it('give a report as the service’s CSV and as a workbook of the same rows', async () => {
    const officer = browsers.officer as Browser;
    const query = 'asOf=2026-11-23&groupBy=group';
    const csv = await officer.get(`/app/reports/portfolio.csv?${query}`);
    expect(csv.statusCode).toBe(200);
    expect(csv.headers['content-type']).toContain('text/csv');
    const xlsx = await officer.get(`/app/reports/portfolio.xlsx?${query}`);
    expect(xlsx.statusCode).toBe(200);
    expect(xlsx.headers['content-disposition']).toContain('portfolio-2026-11-23.xlsx');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(xlsx.rawPayload as unknown as ArrayBuffer);
    const sheet = workbook.worksheets[0];
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(sheet?.rowCount).toBe(lines.length);
    expect(sheet?.getRow(1).getCell(1).value).toBe('row');
    expect(sheet?.getRow(1).font?.bold).toBe(true);
    // Each rate keeps the places the report gave it ("0.00" shows as 0.00, not 0), as its number format.
    let decimals = 0;
    (parseCsv(csv.body.replace(/^\uFEFF/, '')) as string[][]).forEach((fields, at) =>
      fields.forEach((field, column) => {
        const places = /^\d+\.(\d+)$/.exec(field)?.[1]?.length;
        if (places === undefined) return;
        decimals += 1;
        const cell = sheet?.getRow(at + 1).getCell(column + 1);
        expect(cell?.value).toBe(Number(field));
        expect(cell?.numFmt).toBe(`0.${'0'.repeat(places)}`);
      }),
    );
    expect(decimals).toBeGreaterThan(0);
    // Each column is as wide as its longest field, so no figure shows as ####.
    const fields = parseCsv(csv.body.replace(/^\uFEFF/, '')) as string[][];
    const longest = Math.max(...fields.map((row) => (row[2] ?? '').length));
    expect(sheet?.getColumn(3).width).toBeGreaterThanOrEqual(Math.min(longest, 58));
  });

  it('write a figure of twelve digits or more in a workbook as the whole number it is, not as 1.2E+11', async () => {
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await workbookOfCsv('\uFEFFrow,amount,count\r\ntotal,123456789012,5\r\n', 'report')) as unknown as ArrayBuffer);
    const row = workbook.worksheets[0]?.getRow(2);
    expect(row?.getCell(2).value).toBe(123456789012);
    expect(row?.getCell(2).numFmt).toBe('0');
    expect(row?.getCell(3).value).toBe(5);
    expect(row?.getCell(3).numFmt).toBeUndefined();
  });

  it('refuse an export asked for wrongly, in the page’s language', async () => {
    const auditor = browsers.auditor as Browser;
    expect((await auditor.get('/app/exports/no-such.csv')).statusCode).toBe(404);
    const missing = await auditor.get('/app/exports/member-statement.csv?asOf=2026-11-23');
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('Thông tin nhập chưa đúng');
    expect((await (browsers.officer as Browser).get('/app/exports/journal.csv?from=2025-01-01&to=2026-11-23')).statusCode).toBe(403);
  });

  it('answer an unknown page with a 404 page', async () => {
    const page = await (browsers.officer as Browser).get('/app/no-such-page');
    expect(page.statusCode).toBe(404);
    expect(page.body).toContain('Không có trang này.');
  });

  it('show amounts as 1.500.000 ₫ and dates as dd/mm/yyyy, with names’ diacritics', async () => {
    const page = await (browsers.officer as Browser).get(`/app/loans/${loanId}`);
    expect(page.body).toContain('10.000.000\u00a0₫');
    expect(page.body).toContain('15/01/2025');
    expect(page.body).toContain('Hà Thị Thu 1');
    expect(page.body).toContain('Lịch trả nợ');
  });

  it('keep what users typed inert: a name with <script> is shown as text', async () => {
    const created = await fund.officer('POST', '/v1/members', memberInput(fund.group.id, { fullName: '<script>alert("x")</script> Lò Thị Mai' }));
    expect(created.statusCode, created.body).toBe(201);
    const page = await (browsers.officer as Browser).get(`/app/members/${created.json().id}`);
    expect(page.body).not.toContain('<script>alert');
    expect(page.body).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; Lò Thị Mai');
  });

  it('serve their scripts and styles from the service, gzipped and cached for good', async () => {
    const page = await (browsers.officer as Browser).get('/app/dashboard');
    const assets = [...page.body.matchAll(/(?:src|href)="(\/app\/static\/[^"]+)"/g)].map((match) => match[1] as string);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const url of assets) {
      const asset = await test.app.inject({ method: 'GET', url, headers: { 'accept-encoding': 'gzip' } });
      expect(asset.statusCode, url).toBe(200);
      expect(asset.headers['cache-control']).toContain('immutable');
      expect(asset.headers['content-encoding']).toBe('gzip');
    }
    expect(page.body).not.toMatch(/(?:src|href)="https?:/);
  });
});
