// The fund's capital: received from those who fund it into cash (Dr 1011 / Cr 3111), returned to them, never beyond
// what was received, by the admin only, once per Idempotency-Key.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, refusedUnchanged, type TestApp } from '../helper.js';
import { buildSmallFund, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 1);
});
afterAll(async () => {
  await test.close();
});

const received = { direction: 'received', amount: '100000000', movedOn: '2025-01-02', source: 'Hội LHPN tỉnh Hòa Bình', note: 'Vốn cấp đợt 1' };
const accountOf = async (code: string, asOf: string) =>
  ((await fund.auditor('GET', `/v1/ledger/trial-balance?asOf=${asOf}`)).json().accounts as { code: string; debit: string; credit: string }[]).find((account) => account.code === code);
const refusal = (request: () => ReturnType<SmallFund['admin']>) => refusedUnchanged(test.database, request);

describe('the fund’s capital', () => {
  it('books capital received into cash, once however often the request is sent', async () => {
    const first = await fund.admin('POST', '/v1/ledger/capital', received, { 'idempotency-key': 'capital-2025-01' });
    expect(first.statusCode, first.body).toBe(201);
    expect(first.json()).toMatchObject({ direction: 'received', amount: '100000000', movedOn: '2025-01-02', source: 'Hội LHPN tỉnh Hòa Bình', note: 'Vốn cấp đợt 1' });
    const again = await fund.admin('POST', '/v1/ledger/capital', received, { 'idempotency-key': 'capital-2025-01' });
    expect([again.statusCode, again.json().id]).toEqual([201, first.json().id]);
    expect(await accountOf('1011', '2025-01-31')).toMatchObject({ debit: '100000000', credit: '0' });
    expect(await accountOf('3111', '2025-01-31')).toMatchObject({ debit: '0', credit: '100000000' });
    const journal = (await fund.auditor('GET', '/v1/ledger/journal?accountCode=3111')).json().items as { kind: string; id: string }[];
    expect(journal.map((entry) => [entry.kind, entry.id])).toEqual([['capital', first.json().journalEntryId]]);
  });

  it('returns capital to its source, never more than the fund holds on its day or after', async () => {
    const returned = await fund.admin('POST', '/v1/ledger/capital', { direction: 'returned', amount: '30000000', movedOn: '2025-06-30', source: 'Hội LHPN tỉnh Hòa Bình' });
    expect(returned.statusCode, returned.body).toBe(201);
    expect(await accountOf('3111', '2025-06-30')).toMatchObject({ debit: '0', credit: '70000000' });
    const list = (await fund.auditor('GET', '/v1/ledger/capital')).json();
    expect([list.balance, list.items.map((item: { direction: string; amount: string }) => `${item.direction} ${item.amount}`)]).toEqual(['70000000', ['received 100000000', 'returned 30000000']]);
    // 100,000,000 was held on 2025-02-01, but only 70,000,000 after the later return: 75,000,000 dated then is refused.
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { direction: 'returned', amount: '75000000', movedOn: '2025-02-01', source: 'x' }))).toEqual([422, 'amount_exceeds_balance', 'amount']);
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { direction: 'returned', amount: '70000001', movedOn: '2025-07-01', source: 'x' }))).toEqual([422, 'amount_exceeds_balance', 'amount']);
    expect((await fund.admin('GET', '/v1/ledger/verify')).json().ok).toBe(true);
    // The movements are the subledger of 3111: the reconciliation holds them against it on any day.
    for (const asOf of ['2025-01-01', '2025-03-31', '2025-06-30']) {
      const capital = ((await fund.auditor('GET', `/v1/ledger/reconciliation?asOf=${asOf}`)).json().checks as { name: string; subledger: string; ledger: string; ok: boolean }[]).find((check) => check.name === 'fund capital');
      expect(capital, asOf).toMatchObject({ subledger: asOf === '2025-01-01' ? '0' : asOf === '2025-03-31' ? '100000000' : '70000000', ok: true });
    }
  });

  it('is recorded by the admin only, and read by the admin and the auditors', async () => {
    for (const who of ['officer', 'leader', 'auditor'] as const) expect(await refusal(() => fund[who]('POST', '/v1/ledger/capital', received))).toEqual([403, 'role_forbidden']);
    for (const who of ['officer', 'leader'] as const) expect((await fund[who]('GET', '/v1/ledger/capital')).statusCode).toBe(403);
  });

  it('refuses a day to come, cents in đồng, a direction it does not know and an empty source', async () => {
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { ...received, movedOn: '2099-01-01' }))).toEqual([422, 'date_in_future', 'movedOn']);
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { ...received, amount: '100.5' }))).toEqual([400, 'invalid_request', 'amount']);
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { ...received, direction: 'lent' }))).toEqual([400, 'invalid_request', 'body.direction']);
    expect(await refusal(() => fund.admin('POST', '/v1/ledger/capital', { ...received, source: '  ' }))).toEqual([400, 'invalid_request', 'body.source']);
  });
});
