// The audit trail: every kind of write leaves one record, in its transaction, with who, when, from where, what
// and the change; refusals and failed sign-ins are recorded; nothing can edit or delete it.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { LightMyRequestResponse } from 'fastify';
import { adminPassword, buildTestApp, type Caller, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, memberInput, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
});
afterEach(async () => {
  await test.close();
});

interface AuditRow {
  id: string;
  request_id: string | null;
  user_id: string | null;
  username: string | null;
  role: string | null;
  ip: string | null;
  action: string;
  entity: string;
  entity_id: string | null;
  outcome: string;
  before: string | null;
  after: string | null;
}
const auditRows = () => test.database.sqlite.prepare('SELECT * FROM audit_log ORDER BY id').all() as AuditRow[];
const recordOf = (reply: LightMyRequestResponse) => auditRows().filter((row) => row.request_id === reply.headers['x-request-id']);

/** A caller that keeps every write it sends, to check each left its record. */
function recording(caller: Caller, sent: { reply: LightMyRequestResponse; method: string; url: string }[]): Caller {
  return async (method, url, payload, headers) => {
    const reply = await caller(method, url, payload, headers);
    if (method !== 'GET') sent.push({ reply, method, url });
    return reply;
  };
}

describe('the audit trail', () => {
  it('records every kind of write with who, when, from where, what and the change', async () => {
    const sent: { reply: LightMyRequestResponse; method: string; url: string }[] = [];
    const admin = recording(fund.admin, sent);
    const officer = recording(fund.officer, sent);
    const leader = recording(fund.leader, sent);
    const ok = async (promise: Promise<LightMyRequestResponse>) => {
      const reply = await promise;
      expect(reply.statusCode, reply.body).toBeLessThan(300);
      return reply;
    };

    await ok(admin('PATCH', '/v1/settings', { maxGroupMembers: 40 }));
    await ok(admin('POST', '/v1/areas', { code: 'HB-LS', name: 'Xã Lạc Sơn', level: 'commune', parentId: fund.areas.province }));
    await ok(admin('POST', '/v1/users', { username: 'hoa.officer', password: 'officer-pass-9', fullName: 'Vũ Thị Hoa', role: 'officer', areaIds: [fund.areas.commune] }));
    const group = (await ok(officer('POST', '/v1/groups', { code: 'TL01-T9', name: 'Tổ phụ nữ 9', areaId: fund.areas.village, formedOn: '2024-03-01', meetingDay: 10 }))).json();
    await ok(officer('PATCH', `/v1/groups/${group.id}`, { name: 'Tổ phụ nữ số 9' }));
    const member = (await ok(officer('POST', '/v1/members', memberInput(fund.group.id, { fullName: 'Lò Thị Mai' })))).json();
    await ok(officer('PATCH', `/v1/members/${member.id}`, { phone: '0987654321' }));
    await ok(officer('POST', '/v1/imports/groups', 'code,name,areaCode,formedOn,meetingDay\nTL01-T10,Tổ phụ nữ 10,HB-TL-01,2024-03-01,10\n', { 'content-type': 'text/csv' }));
    await ok(admin('POST', '/v1/plans', { areaId: null, periodStart: '2025-01-01', periodEnd: '2025-06-30', targets: { groupsFormed: 2 } }));

    const { loanId, productId } = await disbursedLoan(fund);
    await ok(admin('PATCH', `/v1/loan-products/${productId}`, { name: 'Vay vốn sản xuất (đổi tên)' }));
    const applied = (await ok(officer('POST', '/v1/loans', { memberId: fund.memberIds[1], productId, principal: '5000000', installments: 6, appliedOn: '2025-01-02', purpose: 'Nuôi gà' }))).json();
    await ok(officer('POST', `/v1/loans/${applied.id}/reject`, { decidedOn: '2025-01-05', reason: 'hồ sơ thiếu' }));
    const repaid = (await ok(officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' }))).json();
    await ok(officer('POST', `/v1/loans/${loanId}/transactions/${repaid.transaction.id}/reverse`, { reason: 'nhập nhầm' }));
    await ok(officer('POST', `/v1/members/${fund.memberIds[2]}/savings/voluntary/deposits`, { amount: '50000', paidOn: '2025-02-15' }));
    await ok(leader('POST', `/v1/groups/${fund.group.id}/collection-sheet`, { date: '2025-02-15', cashTotal: '914867', lines: [{ memberId: fund.memberIds[0], loanId, repayment: '914867', compulsorySavings: '0', voluntarySavings: '0' }] }));
    await ok(officer('POST', `/v1/loans/${loanId}/reschedule`, { effectiveOn: '2025-03-01', installments: 12, reason: 'lũ lụt' }));
    await ok(officer('POST', `/v1/loans/${loanId}/write-off`, { writtenOffOn: '2025-04-01', reason: 'mất khả năng trả nợ' }));
    await ok(admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-04-30' }));
    await ok(admin('POST', '/v1/ledger/periods/close', { through: '2025-01-31' }));
    await ok(admin('POST', '/v1/ledger/periods/close', { through: '2025-02-28' }));
    await ok(officer('POST', `/v1/members/${member.id}/exit`, { leftOn: '2025-05-01', reason: 'chuyển nơi ở' }));
    await ok(leader('POST', '/v1/auth/logout'));

    expect(sent.length).toBeGreaterThanOrEqual(20);
    for (const { reply, method, url } of sent) {
      const records = recordOf(reply);
      expect(records, `${method} ${url} left ${records.length} records`).toHaveLength(1);
      const [record] = records;
      expect(record?.outcome).toBe('done');
      expect(record?.user_id).not.toBeNull();
      expect(record?.role).toMatch(/^(admin|officer|leader)$/);
      expect(record?.ip).toBe('127.0.0.1');
      expect(record?.action.startsWith(`${method} /`)).toBe(true);
    }

    // The change, before and after, of an edit.
    const [edit] = auditRows().filter((row) => row.action === 'PATCH /members/:id');
    expect(edit?.entity).toBe('members');
    expect(edit?.entity_id).toBe(member.id);
    expect(JSON.parse(edit?.before ?? '{}').phone).toBe('0912345678');
    expect(JSON.parse(edit?.after ?? '{}').state.phone).toBe('0987654321');
    // A period close names the date it moved the books from.
    const closes = auditRows().filter((row) => row.action === 'POST /ledger/periods/close').map((row) => JSON.parse(row.after ?? '{}').reply);
    expect(closes.map((reply) => [reply.previouslyClosedThrough, reply.closedThrough])).toEqual([
      [null, '2025-01-31'],
      ['2025-01-31', '2025-02-28'],
    ]);
    // A create names what it made; a user's password hash is never copied.
    const [userCreated] = auditRows().filter((row) => row.action === 'POST /users');
    expect(userCreated?.entity_id).toMatch(/^us-/);
    expect(userCreated?.after).not.toContain('password');
    expect(userCreated?.after).not.toContain('scrypt');
  });

  it('records refusals and failed sign-ins, and nothing for a request refused as wrong', async () => {
    const { loanId } = await disbursedLoan(fund);
    const before = auditRows().length;
    const forbidden = await fund.auditor('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-02-15' }, { 'idempotency-key': 'auditor-try-0001' });
    expect(forbidden.statusCode).toBe(403);
    const outOfScope = await fund.leader('POST', `/v1/groups/${fund.otherGroup.id}/collection-sheet`, { date: '2025-02-15', cashTotal: '0', lines: [{ memberId: fund.memberIds[0] }] }, { 'idempotency-key': 'leader-try-0001' });
    expect(outOfScope.statusCode).toBe(403);
    const wrongPassword = await test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password: 'not-the-password' } });
    expect(wrongPassword.statusCode).toBe(401);
    const nobody = await test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'nobody', password: 'whatever-1' } });
    expect(nobody.statusCode).toBe(401);
    const wrong = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '-5', paidOn: '2025-02-15' }, { 'idempotency-key': 'wrong-amount-0001' });
    expect(wrong.statusCode).toBe(400);
    const tooMuch = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '999000000', paidOn: '2025-02-15' }, { 'idempotency-key': 'too-much-0001' });
    expect(tooMuch.statusCode).toBe(422);

    const added = auditRows().slice(before);
    expect(added.map((row) => [row.outcome, row.username, row.action])).toEqual([
      ['refused', 'auditor', 'POST /loans/:id/repayments'],
      ['refused', 'thu.leader', 'POST /groups/:id/collection-sheet'],
      ['sign_in_failed', 'admin', 'POST /auth/login'],
      ['sign_in_failed', 'nobody', 'POST /auth/login'],
    ]);
    expect(recordOf(forbidden)[0]?.entity_id).toBe(loanId);
    expect(JSON.parse(added[2]?.after ?? '{}').reason).toBe('wrong password');
    expect(JSON.parse(added[3]?.after ?? '{}').reason).toBe('unknown username');
    expect(added.every((row) => row.ip === '127.0.0.1')).toBe(true);
    // A good sign-in is recorded too.
    await test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password: adminPassword } });
    expect(auditRows().at(-1)).toMatchObject({ outcome: 'done', action: 'POST /auth/login', username: 'admin', role: 'admin' });
  });

  it('cannot be edited or deleted', async () => {
    await fund.admin('PATCH', '/v1/settings', { maxGroupMembers: 30 });
    expect(() => test.database.sqlite.prepare("UPDATE audit_log SET username = 'someone'").run()).toThrow(/append-only/);
    expect(() => test.database.sqlite.prepare('DELETE FROM audit_log').run()).toThrow(/append-only/);
  });

  it('is read by the administrator and the auditor, filtered and paged, and by no one else', async () => {
    await disbursedLoan(fund);
    await fund.admin('PATCH', '/v1/settings', { maxGroupMembers: 30 });
    const all = (await fund.auditor('GET', '/v1/audit-log?limit=200')).json();
    expect(all.items.length).toBeGreaterThan(10);
    // Newest first.
    expect(all.items[0].action).toBe('PATCH /settings');
    expect(all.items[0].before.maxGroupMembers).not.toBe(all.items[0].after.state.maxGroupMembers);

    const loans = (await fund.auditor('GET', '/v1/audit-log?entity=loans')).json();
    expect(loans.items.map((item: { action: string }) => item.action).sort()).toEqual(['POST /loans', 'POST /loans/:id/approve', 'POST /loans/:id/disburse']);
    const byAction = (await fund.admin('GET', `/v1/audit-log?action=${encodeURIComponent('POST /loans/:id/approve')}`)).json();
    expect(byAction.items).toHaveLength(1);
    const officerId = byAction.items[0].userId;
    const byUser = (await fund.admin('GET', `/v1/audit-log?userId=${officerId}&limit=200`)).json();
    expect(byUser.items.every((item: { userId: string }) => item.userId === officerId)).toBe(true);
    const future = (await fund.admin('GET', '/v1/audit-log?from=2030-01-01T00:00:00%2B07:00')).json();
    expect(future.items).toEqual([]);
    const window = (await fund.admin('GET', '/v1/audit-log?from=2026-11-23T09:00:00%2B07:00&to=2026-11-23T11:00:00%2B07:00&limit=200')).json();
    expect(window.items.length).toBe(all.items.length);

    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await fund.auditor('GET', `/v1/audit-log?limit=4${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(all.items.map((item: { id: string }) => item.id));

    expect((await fund.officer('GET', '/v1/audit-log')).statusCode).toBe(403);
    expect((await fund.leader('GET', '/v1/audit-log')).statusCode).toBe(403);
    const badRange = await fund.admin('GET', '/v1/audit-log?from=2026-11-24T00:00:00Z&to=2026-11-23T00:00:00Z');
    expect([badRange.statusCode, badRange.json().error.code]).toEqual([400, 'invalid_request']);
    const badInstant = await fund.admin('GET', '/v1/audit-log?from=yesterday');
    expect(badInstant.statusCode).toBe(400);
  });
});
