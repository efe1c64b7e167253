// The meeting sheet through the pages: prefilled dues, a refusal shown beside its field with nothing typed lost, one
// posting however often the same sheet is sent (form or script), and the receipt.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { Browser, inputValue } from './browser.js';

let test: TestApp;
let fund: SmallFund;
let leader: Browser;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  await disbursedLoan(fund, { disbursedOn: '2026-06-15', product: { compulsorySavingsPerInstallment: '50000' } });
  leader = new Browser(test.app);
  await leader.signIn('thu.leader', 'leader-pass-1');
});
afterAll(async () => test.close());

const sheets = () => (test.database.sqlite.prepare('SELECT count(*) AS count FROM collection_sheets').get() as { count: number }).count;

function formOf(html: string) {
  const fields: Record<string, string> = {};
  for (const match of html.matchAll(/<input[^>]*name="([^"]+)"[^>]*>/g)) {
    const tag = match[0];
    const name = match[1] as string;
    if (name === '_csrf' || name === 'date' && !tag.includes('type="hidden"')) continue;
    fields[name] = /value="([^"]*)"/.exec(tag)?.[1] ?? '';
  }
  return fields;
}

describe('the meeting sheet', () => {
  it('opens on the group’s meeting day with each member’s dues prefilled', async () => {
    const home = await leader.get('/app/meeting');
    expect(home.statusCode).toBe(303);
    const page = await leader.get(String(home.headers.location));
    expect(page.statusCode, page.body).toBe(200);
    expect(page.body).toContain('Bảng thu buổi họp tổ');
    expect(inputValue(page.body, 'date')).toBe('2026-11-15');
    for (let index = 1; index <= 3; index += 1) expect(page.body).toContain(`Hà Thị Thu ${index}`);
    // The first member's loan: an installment and its compulsory savings are due.
    expect(inputValue(page.body, 'lines.0.repayment')).toMatch(/^\d{1,3}(\.\d{3})+$/);
    // Five monthly installments fell due since June, each with 50.000 đ of compulsory savings.
    expect(inputValue(page.body, 'lines.0.compulsorySavings')).toBe('250.000');
    expect(page.body).toContain('Tiết kiệm bắt buộc');
    expect(page.body).toContain('Tiết kiệm tự nguyện');
  });

  it('refuses a day that is no day, or is still to come, beside the date, over the meeting day’s sheet', async () => {
    const meeting = `/app/groups/${fund.group.id}/meeting`;
    for (const [asked, reason] of [
      ['2026-02-30', 'Ngày chưa đúng.'],
      ['2099-01-01', 'Không được sau hôm nay.'],
    ] as const) {
      const page = await leader.get(`${meeting}?date=${asked}`);
      expect(page.statusCode, asked).toBe(400);
      expect(page.body).toContain(`id="f-date-error">${reason}`);
      expect(page.body).toMatch(/id="f-date"[^>]*aria-invalid="true"/);
      expect(inputValue(page.body, 'date')).toBe('2026-11-15');
    }
  });

  it('shows a refusal beside the field that caused it and keeps what was typed', async () => {
    const page = await leader.get(`/app/groups/${fund.group.id}/meeting?date=2026-11-15`);
    const fields = { ...formOf(page.body), 'lines.1.voluntarySavings': '20.000', cashTotal: '1.000' };
    const refused = await leader.post(`/app/groups/${fund.group.id}/meeting`, fields);
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Tiền mặt đếm được không khớp với tổng các dòng.');
    expect(refused.body).toMatch(/id="f-cashTotal-error">Tổng các dòng là/);
    expect(inputValue(refused.body, 'lines.1.voluntarySavings')).toBe('20.000');
    expect(inputValue(refused.body, 'cashTotal')).toBe('1.000');
    expect(sheets()).toBe(0);
  });

  it('posts a sheet once, however often the same form is sent', async () => {
    const page = await leader.get(`/app/groups/${fund.group.id}/meeting?date=2026-11-15`);
    const fields = formOf(page.body);
    const repayment = BigInt((fields['lines.0.repayment'] ?? '0').replaceAll('.', ''));
    const compulsory = BigInt((fields['lines.0.compulsorySavings'] ?? '0').replaceAll('.', ''));
    fields['lines.2.voluntarySavings'] = '100.000';
    fields.cashTotal = (repayment + compulsory + 100_000n).toString();
    const first = await leader.post(`/app/groups/${fund.group.id}/meeting`, fields);
    expect(first.statusCode, first.body).toBe(303);
    const second = await leader.post(`/app/groups/${fund.group.id}/meeting`, fields);
    expect(second.headers.location).toBe(first.headers.location);
    expect(sheets()).toBe(1);
    const receipt = await leader.get(String(first.headers.location));
    expect(receipt.statusCode).toBe(200);
    expect(receipt.body).toContain('Biên nhận buổi họp tổ');
    expect(receipt.body).toContain('100.000\u00a0₫');
    // The sheet now says the date has its receipt.
    const again = await leader.get(`/app/groups/${fund.group.id}/meeting?date=2026-11-15`);
    expect(again.body).toContain('Đã có bảng thu của ngày này');
  });

  it('answers the script in JSON, and the same key with the same sheet answers the first receipt', async () => {
    await leader.get(`/app/groups/${fund.group.id}/meeting?date=2026-11-20`);
    const sheet = { date: '2026-11-20', cashTotal: '30.000', lines: [{ memberId: fund.memberIds[1], voluntarySavings: '30.000' }] };
    const key = 'e2b6d5f0-5a1d-4d2b-9f57-7f1f0d5f3c11';
    const first = await leader.postJson(`/app/groups/${fund.group.id}/meeting`, sheet, { 'idempotency-key': key });
    expect(first.statusCode, first.body).toBe(201);
    const again = await leader.postJson(`/app/groups/${fund.group.id}/meeting`, sheet, { 'idempotency-key': key });
    expect(again.json()).toEqual({ ...first.json(), replayed: true });
    expect(sheets()).toBe(2);
    const refused = await leader.postJson(`/app/groups/${fund.group.id}/meeting`, { ...sheet, cashTotal: '1' }, { 'idempotency-key': 'another-key-1234' });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().error.fields.cashTotal).toContain('Tổng các dòng');
  });

  it('refuses a sheet of the wrong shape by name, posting nothing', async () => {
    const answer = await leader.postJson(`/app/groups/${fund.group.id}/meeting`, { date: '2026-11-20', cashTotal: '0', lines: 'not a list' }, { 'idempotency-key': 'shape-key-123456' });
    expect(answer.statusCode).toBe(400);
    expect(Object.keys(answer.json().error.fields)).toEqual(['lines']);
  });

  it('tells the script a signed-out leader must sign in, rather than redirect it', async () => {
    const stranger = new Browser(test.app);
    const answer = await stranger.postJson(`/app/groups/${fund.group.id}/meeting`, { date: '2026-11-20', cashTotal: '0', lines: [] }, { 'idempotency-key': 'some-key-123456' });
    expect(answer.statusCode).toBe(401);
  });
});
