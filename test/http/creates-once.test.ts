// Commands that make something without moving money (a loan application, a member, a group, a rescheduling) take an
// Idempotency-Key when one is sent: the same request sent twice, a double tap or a resend over a weak connection,
// makes one thing and answers the first result again. Without a key they behave as they always did.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { as, buildTestApp, login, refusedUnchanged, snapshot, type Caller, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, memberInput, standardProduct, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
let officer: Caller;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  // A caller that sends only the headers a test gives it (the fund's callers add a fresh key to every POST).
  officer = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
});
afterEach(async () => {
  await test.close();
});

const count = (table: string) => (test.database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

async function product(): Promise<string> {
  const reply = await fund.admin('POST', '/v1/loan-products', standardProduct);
  expect(reply.statusCode, reply.body).toBe(201);
  return reply.json().id;
}

describe('sent twice with one key', () => {
  it('a loan application makes one loan, and the repeat answers the first application', async () => {
    const application = { memberId: fund.memberIds[0], productId: await product(), principal: '5000000', installments: 12, appliedOn: '2025-01-02', purpose: 'Nuôi gà' };
    const loans = count('loans');
    const first = await officer('POST', '/v1/loans', application, { 'idempotency-key': 'application-0001' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await officer('POST', '/v1/loans', application, { 'idempotency-key': 'application-0001' });
    expect(again.statusCode).toBe(201);
    expect(again.json()).toEqual(first.json());
    expect(count('loans')).toBe(loans + 1);
    // Without a key, each request is an application of its own, as before.
    expect((await officer('POST', '/v1/loans', application)).statusCode).toBe(201);
    expect((await officer('POST', '/v1/loans', application)).statusCode).toBe(201);
    expect(count('loans')).toBe(loans + 3);
  });

  it('a member is registered once, and the repeat is her answer rather than a refusal of her CCCD as taken', async () => {
    const input = memberInput(fund.group.id, { fullName: 'Lò Thị Én' });
    const members = count('members');
    const first = await officer('POST', '/v1/members', input, { 'idempotency-key': 'member-form-0001' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await officer('POST', '/v1/members', input, { 'idempotency-key': 'member-form-0001' });
    expect([again.statusCode, again.json().id]).toEqual([201, first.json().id]);
    expect(count('members')).toBe(members + 1);
    expect((await officer('POST', '/v1/members', input, { 'idempotency-key': 'member-form-0009' })).json().error.code).toBe('duplicate_national_id');
  });

  it('a group is formed once, and the repeat is its answer rather than a refusal of the code as taken', async () => {
    const input = { code: 'TL01-T2', name: 'Tổ phụ nữ Đồng Bài 2', areaId: fund.areas.village, formedOn: '2025-02-01', meetingDay: 10 };
    const first = await officer('POST', '/v1/groups', input, { 'idempotency-key': 'group-form-0001' });
    expect(first.statusCode, first.body).toBe(201);
    const again = await officer('POST', '/v1/groups', input, { 'idempotency-key': 'group-form-0001' });
    expect([again.statusCode, again.json().id]).toEqual([201, first.json().id]);
    // The same group sent with a new key is a second group, whose code is taken.
    expect((await officer('POST', '/v1/groups', input, { 'idempotency-key': 'group-form-0002' })).json().error.code).toBe('duplicate_code');
  });

  it('a rescheduling makes one new schedule version', async () => {
    const { loanId } = await disbursedLoan(fund);
    const input = { effectiveOn: '2025-06-20', installments: 12, reason: 'Lũ quét' };
    const first = await officer('POST', `/v1/loans/${loanId}/reschedule`, input, { 'idempotency-key': 'reschedule-0001' });
    expect(first.statusCode, first.body).toBe(200);
    const again = await officer('POST', `/v1/loans/${loanId}/reschedule`, input, { 'idempotency-key': 'reschedule-0001' });
    expect([again.statusCode, again.json().rescheduleCount]).toEqual([200, 1]);
    expect(count('schedule_versions')).toBe(2);
  });
});

describe('a key that cannot be taken', () => {
  it('used already for another request: 409 idempotency_key_reused, and nothing is made', async () => {
    const input = memberInput(fund.group.id, { fullName: 'Vi Thị Lan' });
    expect((await officer('POST', '/v1/members', input, { 'idempotency-key': 'member-form-0002' })).statusCode).toBe(201);
    const other = memberInput(fund.group.id, { fullName: 'Vi Thị Hằng' });
    expect(await refusedUnchanged(test.database, () => officer('POST', '/v1/members', other, { 'idempotency-key': 'member-form-0002' }))).toEqual([409, 'idempotency_key_reused']);
    // Another user's key is hers, not this user's to answer with.
    const application = { memberId: fund.memberIds[0], productId: await product(), principal: '5000000', installments: 12, appliedOn: '2025-01-02', purpose: 'Nuôi gà' };
    expect((await fund.admin('POST', '/v1/loans', application, { 'idempotency-key': 'shared-key-0001' })).statusCode).toBe(201);
    expect(await refusedUnchanged(test.database, () => officer('POST', '/v1/loans', application, { 'idempotency-key': 'shared-key-0001' }))).toEqual([409, 'idempotency_key_reused']);
  });

  it('not a key at all: 400 with the header named, and nothing is made', async () => {
    const before = snapshot(test.database);
    const reply = await officer('POST', '/v1/members', memberInput(fund.group.id), { 'idempotency-key': 'short' });
    expect([reply.statusCode, reply.json().error.code, reply.json().error.details[0].path]).toEqual([400, 'idempotency_key_required', 'headers.idempotency-key']);
    expect(reply.json().error.message).toMatch(/not a valid key/);
    expect(snapshot(test.database)).toBe(before);
  });

  it('a refused request stores no key: the same key with the mistake mended makes the member', async () => {
    const input = memberInput(fund.group.id, { joinedOn: '2030-01-01' });
    expect((await officer('POST', '/v1/members', input, { 'idempotency-key': 'member-form-0003' })).json().error.code).toBe('date_in_future');
    const mended = await officer('POST', '/v1/members', { ...input, joinedOn: '2025-01-01' }, { 'idempotency-key': 'member-form-0003' });
    expect(mended.statusCode, mended.body).toBe(201);
  });
});
