// Savings deposits and withdrawals move money through the journal, idempotently, and never below zero.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 2);
});
afterEach(async () => {
  await test.close();
});

const post = (url: string, payload: unknown, key: string) => fund.officer('POST', url, payload, { 'idempotency-key': key });

describe('savings', () => {
  it('deposits and withdraws, keeps the balance, and books each movement', async () => {
    const memberId = fund.memberIds[0];
    const deposit = await post(`/v1/members/${memberId}/savings/voluntary/deposits`, { amount: '200000', paidOn: '2025-01-15' }, 'deposit-0001');
    expect(deposit.statusCode, deposit.body).toBe(201);
    expect(deposit.json().balance).toBe('200000');
    const again = await post(`/v1/members/${memberId}/savings/voluntary/deposits`, { amount: '200000', paidOn: '2025-01-15' }, 'deposit-0001');
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(deposit.json());
    const conflicting = await post(`/v1/members/${memberId}/savings/voluntary/deposits`, { amount: '300000', paidOn: '2025-01-15' }, 'deposit-0001');
    expect([conflicting.statusCode, conflicting.json().error.code]).toEqual([409, 'idempotency_key_reused']);

    const before = snapshot(test.database);
    const tooMuch = await post(`/v1/members/${memberId}/savings/voluntary/withdrawals`, { amount: '250000', paidOn: '2025-02-01' }, 'withdraw-0001');
    expect([tooMuch.statusCode, tooMuch.json().error.code]).toEqual([422, 'amount_exceeds_balance']);
    const early = await post(`/v1/members/${memberId}/savings/voluntary/withdrawals`, { amount: '100000', paidOn: '2025-01-10' }, 'withdraw-0002');
    expect([early.statusCode, early.json().error.code]).toEqual([422, 'amount_exceeds_balance']);
    const decimals = await post(`/v1/members/${memberId}/savings/voluntary/withdrawals`, { amount: '100.5', paidOn: '2025-02-01' }, 'withdraw-0003');
    expect([decimals.statusCode, decimals.json().error.details[0].path]).toEqual([400, 'amount']);
    const noKey = await fund.officer('POST', `/v1/members/${memberId}/savings/voluntary/withdrawals`, { amount: '1', paidOn: '2025-02-01' }, { 'idempotency-key': '' });
    expect([noKey.statusCode, noKey.json().error.code]).toEqual([400, 'idempotency_key_required']);
    expect(snapshot(test.database)).toBe(before);

    const withdrawal = await post(`/v1/members/${memberId}/savings/voluntary/withdrawals`, { amount: '50000', paidOn: '2025-02-01' }, 'withdraw-0004');
    expect(withdrawal.json()).toMatchObject({ balance: '150000', transaction: { amount: '-50000', type: 'withdrawal' } });

    const savings = (await fund.officer('GET', `/v1/members/${memberId}/savings`)).json();
    expect(savings.balances).toEqual({ compulsory: '0', voluntary: '150000' });
    expect(savings.transactions).toHaveLength(2);

    const trial = (await fund.auditor('GET', '/v1/ledger/trial-balance?asOf=2025-12-31')).json();
    expect(trial.totalDebit).toBe(trial.totalCredit);
    expect(trial.accounts.find((account: { code: string }) => account.code === '4212').credit).toBe('150000');
    expect(trial.accounts.find((account: { code: string }) => account.code === '1011').debit).toBe('150000');
    const january = (await fund.auditor('GET', '/v1/ledger/trial-balance?asOf=2025-01-31')).json();
    expect(january.accounts.find((account: { code: string }) => account.code === '4212').credit).toBe('200000');
    const reconciliation = (await fund.auditor('GET', '/v1/ledger/reconciliation?asOf=2025-12-31')).json();
    expect(reconciliation.ok).toBe(true);
    const journal = (await fund.auditor('GET', '/v1/ledger/journal?accountCode=4212')).json();
    expect(journal.items).toHaveLength(2);
    expect(journal.items[1].previousHash).toBe(journal.items[0].hash);
  });

  it('refuses anything dated in a closed period, and the journal refuses edits', async () => {
    const closed = await fund.admin('POST', '/v1/ledger/periods/close', { through: '2025-06-30' });
    expect(closed.statusCode, closed.body).toBe(200);
    const refused = await post(`/v1/members/${fund.memberIds[0]}/savings/compulsory/deposits`, { amount: '10000', paidOn: '2025-06-30' }, 'closed-0001');
    expect([refused.statusCode, refused.json().error.code]).toEqual([422, 'period_closed']);
    const accepted = await post(`/v1/members/${fund.memberIds[0]}/savings/compulsory/deposits`, { amount: '10000', paidOn: '2025-07-01' }, 'opened-0001');
    expect(accepted.statusCode).toBe(201);
    expect(() => test.database.sqlite.exec('UPDATE journal_lines SET credit = 1 WHERE id = 1')).toThrow(/append-only/);
    expect(() => test.database.sqlite.exec('DELETE FROM journal_entries')).toThrow(/append-only/);
  });
});
