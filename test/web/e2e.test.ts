// End to end in Debian's chromium (driven by playwright-core; no browser is downloaded): a leader records a 10-member
// meeting and the loans and savings change; the same sheet sent twice posts once; an officer registers a member,
// applies, approves, disburses and sees the schedule; an auditor downloads the journal CSV from the exports and it
// parses, its SHA-256 the one its manifest shows; and axe-core finds no serious or critical accessibility problem on
// any page. Screenshots go to test-output/e2e/.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import { type Browser, type BrowserContext, type Page, chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

// The browser side of page.evaluate: the few DOM names its callbacks use (the project compiles without the DOM library).
declare const document: { documentElement: { scrollWidth: number }; querySelector(selector: string): { getAttribute(name: string): string | null } | null };
declare const window: { localStorage: Record<string, string>; axe: { run(options: object): Promise<{ violations: { id: string; impact: string; nodes: { target: string[] }[] }[] }> } };

const chromiumPath = '/usr/bin/chromium';
const present = existsSync(chromiumPath);
if (!present) console.warn(`Skipping the browser tests: ${chromiumPath} is missing (install it with: apt-get install -y chromium).`);

const output = join(import.meta.dirname, '..', '..', 'test-output', 'e2e');
const axeSource = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

let test: TestApp;
let fund: SmallFund;
let browser: Browser;
let base: string;
const loanIds: string[] = [];
/** Every page visited, by the role that saw it: each is checked with axe-core at the end. */
const visited = new Map<string, Set<string>>();

async function signIn(context: BrowserContext, username: string, password: string): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${base}/app/login`);
  await page.getByLabel(/Tên đăng nhập/).fill(username);
  await page.getByLabel(/Mật khẩu/).fill(password);
  await Promise.all([page.waitForURL((url) => !url.pathname.endsWith('/login')), page.getByRole('button', { name: 'Đăng nhập' }).click()]);
  return page;
}

function remember(role: string, page: Page): void {
  const url = new URL(page.url());
  if (!visited.has(role)) visited.set(role, new Set());
  visited.get(role)?.add(url.pathname + url.search);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: join(output, `${name}.png`), fullPage: true });
}

const count = (sql: string, ...parameters: unknown[]) => (test.database.sqlite.prepare(sql).get(...parameters) as { count: number }).count;

describe.skipIf(!present)('in the browser', () => {
  beforeAll(async () => {
    mkdirSync(output, { recursive: true });
    test = await buildTestApp();
    fund = await buildSmallFund(test, 10);
    for (let index = 0; index < 10; index += 1) {
      loanIds.push((await disbursedLoan(fund, { memberIndex: index, disbursedOn: '2026-08-15', principal: '5000000', installments: 10, product: { compulsorySavingsPerInstallment: '20000' } })).loanId);
    }
    await test.app.listen({ port: 0, host: '127.0.0.1' });
    const address = test.app.server.address();
    base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    browser = await chromium.launch({
      executablePath: chromiumPath,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
  }, 60_000);
  afterAll(async () => {
    await browser?.close();
    await test?.close();
  });

  const phone = () => browser.newContext({ viewport: { width: 360, height: 740 }, locale: 'vi-VN', acceptDownloads: true });

  /** A meeting's sheet for a date with nothing repaid and no compulsory savings on any line, the rest to be typed. */
  async function openSheetOfSavingsOnly(page: Page, date: string): Promise<void> {
    await page.goto(`${base}/app/groups/${fund.group.id}/meeting?date=${date}`);
    for (let index = 0; index < 10; index += 1) {
      await page.fill(`input[name="lines.${index}.repayment"]`, '0');
      await page.fill(`input[name="lines.${index}.compulsorySavings"]`, '0');
    }
  }

  it('a leader records a 10-member meeting; the loans and savings change accordingly', async () => {
    const context = await phone();
    const page = await signIn(context, 'thu.leader', 'leader-pass-1');
    await expect.poll(() => new URL(page.url()).pathname).toBe(`/app/groups/${fund.group.id}/meeting`);
    remember('leader', page);
    await expect(page.locator('input[name="date"]').first().inputValue()).resolves.toBe('2026-11-15');
    await expect.poll(() => page.locator('fieldset.member').count()).toBe(10);
    // Three members also save voluntarily; the totals follow what is typed.
    const savers = new Set<string>();
    for (const index of [0, 3, 7]) {
      await page.fill(`input[name="lines.${index}.voluntarySavings"]`, '50.000');
      savers.add(await page.locator(`input[name="lines.${index}.memberId"]`).inputValue());
    }
    const grand = (await page.locator('[data-total="all"]').textContent()) ?? '';
    await page.fill('input[name="cashTotal"]', grand.replace(/[^\d]/g, ''));
    await expect.poll(() => page.locator('[data-cash-check]').textContent()).toBe('Khớp với tổng các dòng.');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(360);
    await shot(page, 'leader-meeting');
    await Promise.all([page.waitForURL(/\/app\/collection-sheets\//), page.getByRole('button', { name: 'Gửi bảng thu' }).click()]);
    remember('leader', page);
    await page.getByRole('heading', { name: 'Biên nhận buổi họp tổ' }).waitFor({ state: 'visible' });
    await shot(page, 'leader-receipt');

    expect(count("SELECT count(*) AS count FROM collection_sheets WHERE meeting_on = '2026-11-15'")).toBe(1);
    for (const [index, loanId] of loanIds.entries()) {
      const loan = (await fund.officer('GET', `/v1/loans/${loanId}`)).json();
      const repayment = loan.transactions.find((transaction: { type: string; date: string }) => transaction.type === 'repayment' && transaction.date === '2026-11-15');
      expect(repayment, `loan of member ${index + 1}`).toBeDefined();
      expect(BigInt(loan.balances.principalPaid)).toBeGreaterThan(0n);
      const savings = (await fund.officer('GET', `/v1/members/${fund.memberIds[index]}/savings`)).json();
      expect(savings.balances.compulsory).toBe('60000');
      expect(savings.balances.voluntary).toBe(savers.has(fund.memberIds[index] as string) ? '50000' : '0');
    }
    expect(localStorageAfter(await page.evaluate(() => JSON.stringify(window.localStorage)))).toEqual({});
    await context.close();
  });

  it('the same sheet sent twice posts once: a dropped answer is retried with the same key', async () => {
    const context = await phone();
    const page = await signIn(context, 'thu.leader', 'leader-pass-1');
    await openSheetOfSavingsOnly(page, '2026-11-20');
    await page.fill('input[name="lines.1.voluntarySavings"]', '70.000');
    await page.fill('input[name="cashTotal"]', '70.000');
    // The first answer is lost on the way back: the service recorded the sheet, the phone saw the connection drop.
    let dropped = 0;
    await page.route('**/meeting', async (route) => {
      if (route.request().method() === 'POST' && dropped === 0) {
        dropped += 1;
        await route.fetch();
        await route.abort('internetdisconnected');
        return;
      }
      await route.continue();
    });
    await page.getByRole('button', { name: 'Gửi bảng thu' }).click();
    await expect.poll(() => page.locator('#sheet-status').textContent()).toContain('Mất kết nối');
    const stored = JSON.parse((await page.evaluate(() => Object.values(window.localStorage)[0])) ?? '{}') as { key: string; payload: unknown };
    expect(stored.payload).toMatchObject({ date: '2026-11-20', cashTotal: '70.000' });
    expect(stored.key).toMatch(/^[0-9a-f-]{36}$/);
    await page.waitForURL(/\/app\/collection-sheets\//, { timeout: 15_000 });
    expect(dropped).toBe(1);
    expect(count("SELECT count(*) AS count FROM collection_sheets WHERE meeting_on = '2026-11-20'")).toBe(1);
    // Sending the stored sheet again by hand, with its key, answers the first receipt and posts nothing.
    const again = await page.evaluate(
      async ({ url, pending }) => {
        const csrf = document.querySelector('meta[name="csrf-token"]')?.getAttribute('content') ?? '';
        const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': pending.key, 'x-csrf-token': csrf }, body: JSON.stringify(pending.payload) });
        return { status: response.status, body: (await response.json()) as { receiptUrl: string; replayed: boolean } };
      },
      { url: `/app/groups/${fund.group.id}/meeting`, pending: stored },
    );
    expect(again.body.replayed).toBe(true);
    expect(new URL(page.url()).pathname).toBe(again.body.receiptUrl);
    expect(count("SELECT count(*) AS count FROM collection_sheets WHERE meeting_on = '2026-11-20'")).toBe(1);
    expect(count("SELECT count(*) AS count FROM savings_transactions WHERE transaction_date = '2026-11-20'")).toBe(1);
    await shot(page, 'leader-receipt-after-retry');
    await context.close();
  });

  it('a refused sheet stays on the phone for its own date and is never sent again by itself', async () => {
    const context = await phone();
    const page = await signIn(context, 'thu.leader', 'leader-pass-1');
    await openSheetOfSavingsOnly(page, '2026-10-17');
    await page.fill('input[name="lines.2.voluntarySavings"]', '30.000');
    await page.fill('input[name="cashTotal"]', '1.000');
    await page.getByRole('button', { name: 'Gửi bảng thu' }).click();
    await page.locator('#error-summary').waitFor({ state: 'visible' });
    expect(count("SELECT count(*) AS count FROM collection_sheets WHERE meeting_on = '2026-10-17'")).toBe(0);
    // Another day's page neither sends it nor shows its reasons as its own: it says where the sheet waits.
    const posts: string[] = [];
    page.on('request', (request) => {
      if (request.method() === 'POST') posts.push(request.url());
    });
    await page.goto(`${base}/app/groups/${fund.group.id}/meeting?date=2026-11-20`);
    await expect.poll(() => page.locator('#sheet-status').textContent()).toContain('Bảng thu ngày 17/10/2026 chưa được ghi');
    expect(await page.locator('#error-summary').count()).toBe(0);
    expect(await page.locator('input[name="cashTotal"]').inputValue()).toBe('');
    // Its own page brings it back as typed, with its reasons, still unsent, for the leader to correct.
    await Promise.all([page.waitForURL(/date=2026-10-17/), page.getByRole('link', { name: 'Mở bảng thu ngày đó để sửa' }).click()]);
    await page.locator('#error-summary').waitFor({ state: 'visible' });
    expect(await page.locator('input[name="cashTotal"]').inputValue()).toBe('1.000');
    expect(await page.locator('input[name="lines.2.voluntarySavings"]').inputValue()).toBe('30.000');
    expect(posts).toEqual([]);
    const stored = JSON.parse((await page.evaluate(() => Object.values(window.localStorage)[0])) ?? '{}') as { key: string; refused: boolean };
    expect(stored.refused).toBe(true);
    // Corrected, it goes with the same key, and is recorded once.
    await page.fill('input[name="cashTotal"]', '30.000');
    await Promise.all([page.waitForURL(/\/app\/collection-sheets\//), page.getByRole('button', { name: 'Gửi bảng thu' }).click()]);
    expect(count("SELECT count(*) AS count FROM collection_sheets WHERE meeting_on = '2026-10-17'")).toBe(1);
    expect(localStorageAfter(await page.evaluate(() => JSON.stringify(window.localStorage)))).toEqual({});
    await context.close();
  });

  it('an officer registers a member, applies, approves and disburses, and sees the schedule', { timeout: 60_000 }, async () => {
    const context = await phone();
    const page = await signIn(context, 'lan.officer', 'officer-pass-1');
    remember('officer', page);
    await page.goto(`${base}/app/members/new?groupId=${fund.group.id}`);
    remember('officer', page);
    await page.getByLabel(/Họ và tên/).fill('Đinh Thị Ngọc Ánh');
    await page.getByLabel(/Ngày sinh/).fill('1990-02-03');
    await page.getByLabel(/Số CCCD/).fill('012345678901');
    await page.getByLabel(/Số điện thoại/).fill('0987654321');
    await page.getByLabel(/Dân tộc/).selectOption({ label: 'Mường' });
    await page.getByLabel(/Phân loại hộ/).selectOption('near_poor');
    await page.getByLabel(/Ngày vào tổ/).fill('2026-11-02');
    await Promise.all([page.waitForURL(/\/app\/members\/mb-/), page.getByRole('button', { name: 'Lưu' }).click()]);
    remember('officer', page);
    await page.getByRole('heading', { name: 'Đinh Thị Ngọc Ánh' }).waitFor({ state: 'visible' });

    await page.getByRole('link', { name: 'Lập hồ sơ vay' }).click();
    remember('officer', page);
    await page.getByLabel(/Số tiền vay/).fill('12.000.000');
    await page.getByLabel(/Số kỳ trả/).fill('12');
    await page.getByLabel(/Mục đích vay/).fill('Mua giống lúa và phân bón');
    await page.getByRole('button', { name: 'Xem lịch trả nợ' }).click();
    await page.getByRole('heading', { name: 'Lịch trả nợ dự kiến' }).waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('#preview-title + p + dl + .table-scroll tbody tr').count()).toBe(12);
    await shot(page, 'officer-apply-preview');
    await Promise.all([page.waitForURL(/\/app\/loans\/ln-/), page.getByRole('button', { name: 'Lưu hồ sơ vay' }).click()]);
    remember('officer', page);

    await page.getByRole('link', { name: 'Duyệt' }).click();
    await page.getByRole('button', { name: 'Xác nhận…' }).click();
    await page.getByRole('heading', { name: 'Xác nhận: Duyệt' }).waitFor({ state: 'visible' });
    // Back, as the browser sends it, returns to the form and approves nothing.
    await page.getByRole('button', { name: 'Quay lại' }).click();
    await page.getByRole('button', { name: 'Xác nhận…' }).waitFor({ state: 'visible' });
    const loanId = /\/app\/loans\/(ln-[^/]+)/.exec(page.url())?.[1] as string;
    expect(test.database.sqlite.prepare('SELECT status FROM loans WHERE id = ?').pluck().get(loanId)).toBe('applied');
    await page.getByRole('button', { name: 'Xác nhận…' }).click();
    await page.getByRole('heading', { name: 'Xác nhận: Duyệt' }).waitFor({ state: 'visible' });
    await Promise.all([page.waitForURL(/done=approve/), page.getByRole('button', { name: 'Xác nhận: Duyệt' }).click()]);

    await page.getByRole('link', { name: 'Giải ngân' }).click();
    remember('officer', page);
    await page.getByLabel(/Ngày giải ngân/).fill('2026-11-23');
    await page.getByRole('button', { name: 'Xác nhận…' }).click();
    remember('officer', page);
    await Promise.all([page.waitForURL(/done=disburse/), page.getByRole('button', { name: 'Xác nhận: Giải ngân' }).click()]);
    remember('officer', page);
    await page.getByText('Đã thực hiện: Giải ngân.').waitFor({ state: 'visible' });
    await page.locator('table caption', { hasText: 'Lịch trả nợ' }).waitFor({ state: 'visible' });
    await expect.poll(() => page.locator('table:has(caption) tbody tr').count()).toBe(12);
    await page.getByText('12.000.000\u00a0₫').first().waitFor({ state: 'visible' });
    await page.getByText('23/12/2026').waitFor({ state: 'visible' });
    await shot(page, 'officer-loan-schedule');
    await context.close();
  });

  it('an auditor downloads the journal as CSV and it parses, its SHA-256 the manifest’s', async () => {
    const context = await phone();
    const page = await signIn(context, 'auditor', 'auditor-pass-1');
    remember('auditor', page);
    await page.getByLabel(/Từ ngày/).fill('2026-01-01');
    await Promise.all([page.waitForURL(/from=2026-01-01/), page.getByRole('button', { name: 'Xem' }).click()]);
    remember('auditor', page);
    await shot(page, 'auditor-exports');
    const journal = page.locator('tr', { hasText: 'Nhật ký chung' });
    const [download] = await Promise.all([page.waitForEvent('download'), journal.getByRole('link', { name: 'CSV', exact: true }).click()]);
    const file = join(output, 'journal.csv');
    await download.saveAs(file);
    const bytes = readFileSync(file);
    const rows = parseCsv(bytes.toString('utf8').replace(/^\uFEFF/, ''), { columns: true }) as Record<string, string>[];
    expect(rows.length).toBeGreaterThan(10);
    const columns = Object.keys(rows[0] ?? {});
    const debit = columns.find((column) => /debit/i.test(column)) as string;
    const credit = columns.find((column) => /credit/i.test(column)) as string;
    expect(debit && credit, columns.join(',')).toBeTruthy();
    // Debits equal credits over the whole period's journal.
    const sum = (column: string) => rows.reduce((total, row) => total + BigInt((row[column] || '0').replace('.', '')), 0n);
    expect(sum(debit)).toBe(sum(credit));
    await journal.getByRole('link', { name: /Bản kê/ }).first().click();
    remember('auditor', page);
    await page.getByText(createHash('sha256').update(bytes).digest('hex')).waitFor({ state: 'visible' });
    await shot(page, 'auditor-manifest');
    await context.close();
  });

  it('axe-core finds no serious or critical violation on any page', async () => {
    const accounts: Record<string, [string, string]> = {
      leader: ['thu.leader', 'leader-pass-1'],
      officer: ['lan.officer', 'officer-pass-1'],
      auditor: ['auditor', 'auditor-pass-1'],
      admin: ['admin', 'admin-password-1'],
    };
    const group = fund.group.id;
    const more: Record<string, string[]> = {
      leader: [`/app/members`, `/app/groups/${group}`, '/app/password'],
      officer: ['/app/dashboard', '/app/arrears', '/app/groups', `/app/groups/${group}`, '/app/groups/new', `/app/groups/${group}/edit`, '/app/members', `/app/members/${fund.memberIds[0]}/edit`, '/app/imports', '/app/loans', `/app/loans/${loanIds[0]}`, `/app/loans/${loanIds[0]}/repay`, `/app/loans/${loanIds[0]}/write-off`, '/app/reports', '/app/reports/outreach?from=2026-01-01&to=2026-11-23&groupBy=village', '/app/reports/portfolio?asOf=2026-11-23'],
      auditor: ['/app/audit/verify', '/app/audit/verify?inline=1', '/app/audit/log', '/app/reports'],
      admin: ['/app/admin', '/app/admin/users', '/app/admin/users/new', `/app/admin/users/${fund.officerId}`, '/app/admin/products', '/app/admin/products/new', '/app/admin/settings', '/app/admin/capital'],
    };
    const problems: string[] = [];
    for (const [role, [username, password]] of Object.entries(accounts)) {
      const context = await phone();
      const page = await signIn(context, username, password);
      const urls = new Set([...(visited.get(role) ?? []), ...(more[role] ?? [])]);
      for (const url of urls) {
        await page.goto(`${base}${url}`);
        // A part that arrives on its own (the dashboard's figures) is checked once it is there.
        await page.waitForFunction(() => !document.querySelector('[data-fragment][aria-busy]'));
        await page.evaluate(axeSource);
        const violations = await page.evaluate(async () => {
          const result = await window.axe.run({
            runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
          });
          return result.violations.map((violation) => ({ id: violation.id, impact: violation.impact, targets: violation.nodes.map((node) => node.target.join(' ')).slice(0, 3) }));
        });
        for (const violation of violations) if (violation.impact === 'serious' || violation.impact === 'critical') problems.push(`${role} ${url}: ${violation.id} (${violation.impact}) at ${violation.targets.join(', ')}`);
      }
      await shot(page, `${role}-last-page`);
      await context.close();
    }
    expect(problems).toEqual([]);
  }, 90_000);
});

function localStorageAfter(text: string): Record<string, string> {
  return JSON.parse(text) as Record<string, string>;
}
