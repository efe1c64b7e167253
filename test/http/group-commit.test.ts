// Money-moving requests that arrive together: batched into one commit, each answered as if alone; the same key
// twice in one batch posts once; a database that cannot take writes answers 503 and recovers by itself.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { FileSync } from '../../src/modules/system/checkpoint.service.js';
import { buildTestApp, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
});
afterEach(async () => {
  await test.close();
});

const countIn = (app: TestApp, sql: string) => (app.database.sqlite.prepare(sql).get() as { count: number }).count;
const count = (sql: string) => countIn(test, sql);

describe('group commit through the API', () => {
  it('answers concurrent repayments each with its own split, and the ledger stays whole', async () => {
    const { loanId } = await disbursedLoan(fund);
    const replies = await Promise.all(
      Array.from({ length: 12 }, (_, index) => fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' }, { 'idempotency-key': `concurrent-repayment-${index}` })),
    );
    expect(replies.map((reply) => reply.statusCode)).toEqual(Array(12).fill(201));
    expect(new Set(replies.map((reply) => reply.json().transaction.id)).size).toBe(12);
    // Each answer saw the ones before it: the outstanding principal falls by the principal of each in turn.
    const principalOutstanding = replies.map((reply) => BigInt(reply.json().balances.principalOutstanding));
    expect([...principalOutstanding].sort((a, b) => (a > b ? -1 : 1))).toEqual(principalOutstanding);
    expect(count("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'")).toBe(12);
    const reconciliation = (await fund.auditor('GET', '/v1/ledger/reconciliation?asOf=2026-11-22')).json();
    expect(reconciliation.ok).toBe(true);
    const trial = (await fund.auditor('GET', '/v1/ledger/trial-balance?asOf=2026-11-22')).json();
    expect(trial.totalDebit).toBe(trial.totalCredit);
  });

  it('posts once when the same key arrives twice in one batch, and answers both alike', async () => {
    const { loanId } = await disbursedLoan(fund);
    const send = () => fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '250000', paidOn: '2025-02-10' }, { 'idempotency-key': 'same-key-twice-0001' });
    const [first, second] = await Promise.all([send(), send()]);
    expect(first?.statusCode).toBe(201);
    expect(second?.statusCode).toBe(201);
    expect(second?.json()).toEqual(first?.json());
    expect(count("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'")).toBe(1);
  });

  it('refuses one bad request of a batch without touching the others', async () => {
    const { loanId } = await disbursedLoan(fund);
    const [good, tooMuch, alsoGood] = await Promise.all([
      fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' }),
      fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '99000000', paidOn: '2025-02-10' }),
      fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '200000', paidOn: '2025-02-10' }),
    ]);
    expect([good?.statusCode, tooMuch?.statusCode, alsoGood?.statusCode]).toEqual([201, 422, 201]);
    expect(tooMuch?.json().error.code).toBe('exceeds_outstanding');
    expect(count("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'")).toBe(2);
  });

  it('answers 503 while the database cannot be written, keeps reads working, and recovers by itself', async () => {
    const { loanId } = await disbursedLoan(fund);
    const before = snapshot(test.database, ['sessions']);
    // What a read-only file looks like to SQLite: every write fails with SQLITE_READONLY.
    test.database.sqlite.pragma('query_only = ON');
    const refused = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' });
    expect(refused.statusCode).toBe(503);
    expect(refused.json().error.code).toBe('storage_unavailable');
    const deposit = await fund.officer('POST', `/v1/members/${fund.memberIds[1]}/savings/voluntary/deposits`, { amount: '50000', paidOn: '2025-02-10' });
    expect(deposit.statusCode).toBe(503);
    const read = await fund.officer('GET', `/v1/loans/${loanId}`);
    expect(read.statusCode).toBe(200);
    expect(snapshot(test.database, ['sessions'])).toBe(before);

    test.database.sqlite.pragma('query_only = OFF');
    const accepted = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' });
    expect(accepted.statusCode).toBe(201);
  });
});

describe('commits flushed to the disk off the service’s thread', () => {
  it('answers a write, and any read that could see it, only once its flush has ended', async () => {
    let gate: { open: boolean; waiting: (() => void)[] } = { open: true, waiting: [] };
    const gatedSync: FileSync = () => (gate.open ? Promise.resolve() : new Promise<void>((resolve) => gate.waiting.push(resolve)));
    const gated = await buildTestApp({}, { fileSync: gatedSync });
    try {
      const small = await buildSmallFund(gated, 1);
      const { loanId } = await disbursedLoan(small);
      gate = { open: false, waiting: [] };
      const settled: string[] = [];
      const repayment = small.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' }).then((reply) => {
        settled.push('repayment');
        return reply;
      });
      while (gate.waiting.length === 0) await new Promise((resolve) => setTimeout(resolve, 1));
      // Committed: the service's own reads see it; but neither the write nor a read of it is answered yet.
      expect(countIn(gated, "SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'")).toBe(1);
      const read = small.officer('GET', `/v1/loans/${loanId}`).then((reply) => {
        settled.push('read');
        return reply;
      });
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(settled).toEqual([]);
      gate.open = true;
      for (const release of gate.waiting.splice(0)) release();
      const [written, shown] = await Promise.all([repayment, read]);
      expect(written.statusCode).toBe(201);
      expect(shown.statusCode).toBe(200);
      expect(shown.json().transactions.some((transaction: { id: string }) => transaction.id === written.json().transaction.id)).toBe(true);
    } finally {
      await gated.close();
    }
  });

  it('answers 503 when the disk refuses a flush, and tells the process to restart, once', async () => {
    let refuse = false;
    const lost: Error[] = [];
    const failing = await buildTestApp({}, { fileSync: () => (refuse ? Promise.reject(Object.assign(new Error('input/output error'), { code: 'EIO' })) : Promise.resolve()), onStorageLost: (error) => lost.push(error) });
    try {
      const small = await buildSmallFund(failing, 1);
      const { loanId } = await disbursedLoan(small);
      refuse = true;
      const refused = await small.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-10' });
      expect(refused.statusCode).toBe(503);
      expect(refused.json().error.code).toBe('storage_unavailable');
      const again = await small.officer('GET', `/v1/loans/${loanId}`);
      expect(again.statusCode).toBe(503);
      expect(lost).toHaveLength(1);
    } finally {
      await failing.close();
    }
  });
});
