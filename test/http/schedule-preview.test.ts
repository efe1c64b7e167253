// The schedule preview through HTTP: any signed-in role, exact amounts as strings, wrong terms named by field.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, snapshot, type TestApp } from '../helper.js';
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

const terms = { principal: '10000000', monthlyRate: '0.8', method: 'declining_equal_principal', installments: 12, disbursedOn: '2025-01-15' };

describe('POST /v1/schedules/preview', () => {
  it('answers the hand-checked schedule to any signed-in role', async () => {
    for (const caller of [fund.leader, fund.auditor, fund.officer]) {
      const reply = await caller('POST', '/v1/schedules/preview', terms);
      expect(reply.statusCode, reply.body).toBe(200);
      const body = reply.json();
      // 10,000,000 x 9.6 % x 31 / 365 = 81,534.2 -> 81,534.
      expect(body.installments[0]).toMatchObject({ number: 1, dueOn: '2025-02-15', days: 31, principal: '833333', interest: '81534', total: '914867', balanceAfter: '9166667' });
      expect(body.installments[11]).toMatchObject({ principal: '833337', balanceAfter: '0' });
      expect(body.annualRate).toBe('9.6');
      expect(typeof body.effectiveAnnualRate).toBe('string');
    }
  });

  it('discloses the declining-balance equivalent of a flat rate', async () => {
    const body = (await fund.officer('POST', '/v1/schedules/preview', { ...terms, method: 'flat' })).json();
    expect(body.equivalentDecliningAnnualRate).toBeDefined();
    expect(Number(body.equivalentDecliningAnnualRate)).toBeGreaterThan(17);
  });

  it.each([
    [{ principal: '0' }, 'principal'],
    [{ principal: '1000.5' }, 'principal'],
    [{ principal: '-5' }, 'principal'],
    [{ monthlyRate: '-1' }, 'monthlyRate'],
    [{ monthlyRate: '9' }, 'monthlyRate'],
    [{ installments: 0 }, 'installments'],
    [{ installments: 601 }, 'installments'],
    [{ firstDueOn: '2025-01-10' }, 'firstDueOn'],
    [{ graceOnPrincipal: 12 }, 'graceOnPrincipal'],
    [{ currency: 'XYZ' }, 'currency'],
    [{ method: 'balloon' }, 'method'],
    [{ disbursedOn: '2025-02-30' }, 'disbursedOn'],
  ])('refuses %j naming %s', async (change, field) => {
    const before = snapshot(test.database, ['login_attempts']);
    const reply = await fund.officer('POST', '/v1/schedules/preview', { ...terms, ...change });
    expect(reply.statusCode, reply.body).toBe(400);
    expect(reply.json().error.code).toBe('invalid_request');
    expect(reply.json().error.details.map((detail: { path: string }) => detail.path).join(' ')).toContain(field);
    expect(snapshot(test.database, ['login_attempts'])).toBe(before);
  });

  it('needs a signed-in user', async () => {
    const reply = await test.app.inject({ method: 'POST', url: '/v1/schedules/preview', payload: terms });
    expect(reply.statusCode).toBe(401);
  });
});
