// Managing users once they exist: the admin changes a role, a scope or a status, or sets a password; a user changes
// her own; and what each does to the sign-ins already given out.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminPassword, as, buildTestApp, type Caller, login, refusedUnchanged, type TestApp } from '../helper.js';
import { buildSmallFund, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
let admin: Caller;
beforeEach(async () => {
  test = await buildTestApp({ LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_MINUTES: '10' });
  fund = await buildSmallFund(test);
  admin = as(test.app, await login(test.app, 'admin', adminPassword));
});
afterEach(async () => {
  await test.close();
});

async function userNamed(username: string): Promise<{ id: string; role: string; areaIds: string[]; groupId: string | null; status: string }> {
  const found = (await admin('GET', '/v1/users?limit=200')).json().items as { id: string; username: string; role: string; areaIds: string[]; groupId: string | null; status: string }[];
  const user = found.find((candidate) => candidate.username === username);
  if (!user) throw new Error(`no user ${username}`);
  return user;
}

const signIn = (username: string, password: string) => test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password } });

describe('the admin changes a user', () => {
  it('disables an officer: her token stops at once, she cannot sign in, and enabled again she can', async () => {
    const lan = await userNamed('lan.officer');
    const token = await login(test.app, 'lan.officer', 'officer-pass-1');
    const officer = as(test.app, token);
    expect((await officer('GET', '/v1/groups')).statusCode).toBe(200);

    const disabled = await admin('PATCH', `/v1/users/${lan.id}`, { status: 'disabled' });
    expect(disabled.statusCode, disabled.body).toBe(200);
    expect(disabled.json()).toMatchObject({ username: 'lan.officer', status: 'disabled', role: 'officer', areaIds: lan.areaIds });
    expect((await officer('GET', '/v1/groups')).json().error.code).toBe('unauthenticated');
    expect((await signIn('lan.officer', 'officer-pass-1')).json().error.code).toBe('invalid_credentials');
    const revoked = test.database.sqlite.prepare('SELECT count(*) AS open FROM sessions WHERE user_id = ? AND revoked_at IS NULL').get(lan.id) as { open: number };
    expect(revoked.open).toBe(0);

    expect((await admin('PATCH', `/v1/users/${lan.id}`, { status: 'active' })).json().status).toBe('active');
    // The sign-ins ended by the disabling stay ended; a new one works.
    expect((await officer('GET', '/v1/groups')).statusCode).toBe(401);
    expect((await signIn('lan.officer', 'officer-pass-1')).statusCode).toBe(200);
  });

  it('moves an officer to another commune: her next request sees only the new one', async () => {
    const lan = await userNamed('lan.officer');
    const officer = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    expect((await officer('GET', `/v1/groups/${fund.group.id}`)).statusCode).toBe(200);
    const moved = await admin('PATCH', `/v1/users/${lan.id}`, { areaIds: [fund.areas.otherCommune] });
    expect(moved.json().areaIds).toEqual([fund.areas.otherCommune]);
    expect((await officer('GET', `/v1/groups/${fund.group.id}`)).json().error.code).toBe('scope_forbidden');
    expect((await officer('GET', `/v1/groups/${fund.otherGroup.id}`)).statusCode).toBe(200);
  });

  it('gives a user another role: her scope follows the role and her sign-ins end', async () => {
    const lan = await userNamed('lan.officer');
    const officer = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    const auditor = await admin('PATCH', `/v1/users/${lan.id}`, { role: 'auditor', fullName: 'Trần Thị Lan (kiểm soát)' });
    expect(auditor.statusCode, auditor.body).toBe(200);
    expect(auditor.json()).toMatchObject({ role: 'auditor', areaIds: [], groupId: null, fullName: 'Trần Thị Lan (kiểm soát)' });
    expect((await officer('GET', '/v1/groups')).statusCode).toBe(401);
    const again = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    expect((await again('GET', '/v1/auth/me')).json().role).toBe('auditor');

    // A leader needs her group: given with the role, it is checked as at creation.
    expect(await refusedUnchanged(test.database, () => admin('PATCH', `/v1/users/${lan.id}`, { role: 'leader' }))).toEqual([422, 'user_scope_invalid', 'groupId']);
    expect(await refusedUnchanged(test.database, () => admin('PATCH', `/v1/users/${lan.id}`, { role: 'leader', groupId: 'gr_nothing' }))).toEqual([404, 'group_not_found', 'groupId']);
    const leader = await admin('PATCH', `/v1/users/${lan.id}`, { role: 'leader', groupId: fund.group.id });
    expect(leader.json()).toMatchObject({ role: 'leader', groupId: fund.group.id, areaIds: [] });
  });

  it('keeps one active admin: the last cannot be disabled or demoted, a second one can', async () => {
    const me = await userNamed('admin');
    expect(await refusedUnchanged(test.database, () => admin('PATCH', `/v1/users/${me.id}`, { status: 'disabled' }))).toEqual([409, 'last_admin', 'status']);
    expect(await refusedUnchanged(test.database, () => admin('PATCH', `/v1/users/${me.id}`, { role: 'auditor' }))).toEqual([409, 'last_admin', 'role']);
    const second = await admin('POST', '/v1/users', { username: 'hoa.admin', password: 'second-admin-1', fullName: 'Đỗ Thị Hoa', role: 'admin' });
    expect(second.statusCode).toBe(201);
    expect((await admin('PATCH', `/v1/users/${me.id}`, { role: 'auditor' })).json().role).toBe('auditor');
    // Demoted, the first admin's own sign-in ended with her role.
    expect((await admin('GET', '/v1/users')).statusCode).toBe(401);
    const hoa = as(test.app, await login(test.app, 'hoa.admin', 'second-admin-1'));
    expect(await refusedUnchanged(test.database, () => hoa('PATCH', `/v1/users/${second.json().id}`, { status: 'disabled' }))).toEqual([409, 'last_admin', 'status']);
  });

  it('refuses what is wrong, and anyone but the admin, leaving everything as it was', async () => {
    const lan = await userNamed('lan.officer');
    const cases: [Caller, unknown, (number | string)[]][] = [
      [admin, {}, [400, 'invalid_request', 'body']],
      [admin, { role: 'boss' }, [400, 'invalid_request', 'body.role']],
      [admin, { status: 'gone' }, [400, 'invalid_request', 'body.status']],
      [admin, { username: 'renamed' }, [400, 'invalid_request', 'body']],
      [admin, { areaIds: [] }, [422, 'user_scope_invalid', 'areaIds']],
      [admin, { areaIds: ['ar_nowhere'] }, [404, 'area_not_found', 'areaIds']],
      [admin, { groupId: fund.group.id }, [422, 'user_scope_invalid', 'groupId']],
      [fund.officer, { status: 'disabled' }, [403, 'role_forbidden']],
      [fund.auditor, { status: 'disabled' }, [403, 'role_forbidden']],
      [fund.leader, { fullName: 'X' }, [403, 'role_forbidden']],
    ];
    for (const [caller, body, expected] of cases) {
      const outcome = await refusedUnchanged(test.database, () => caller('PATCH', `/v1/users/${lan.id}`, body));
      expect(outcome.slice(0, 2), JSON.stringify(body)).toEqual(expected.slice(0, 2));
      if (expected[2] !== undefined) expect(outcome.slice(2)).toContain(expected[2]);
    }
    expect(await refusedUnchanged(test.database, () => admin('PATCH', '/v1/users/us_nobody', { status: 'disabled' }))).toEqual([404, 'user_not_found']);
    expect(await refusedUnchanged(test.database, () => admin('POST', '/v1/users/us_nobody/password', { password: 'a-new-password' }))).toEqual([404, 'user_not_found']);
  });

  it('audits a change of scope with her areas before and after', async () => {
    const lan = await userNamed('lan.officer');
    await admin('PATCH', `/v1/users/${lan.id}`, { areaIds: [fund.areas.otherCommune, fund.areas.village] });
    const [record] = test.database.sqlite.prepare("SELECT before, after FROM audit_log WHERE entity_id = ? AND action = 'PATCH /users/:id'").all(lan.id) as { before: string; after: string }[];
    expect(JSON.parse(record?.before ?? '{}').areaIds).toEqual([fund.areas.commune]);
    expect(JSON.parse(record?.after ?? '{}').state.areaIds).toEqual([fund.areas.otherCommune, fund.areas.village].sort());
  });

  it('disables the leader of a dissolved group, and does not make her an active leader of it again', async () => {
    const leader = await userNamed('thu.leader');
    // A group of its own, emptied and dissolved, with its leader.
    const group = await admin('POST', '/v1/groups', { code: 'TL01-T9', name: 'Tổ 9', areaId: fund.areas.village, formedOn: '2024-01-10' });
    expect(group.statusCode, group.body).toBe(201);
    expect((await admin('PATCH', `/v1/users/${leader.id}`, { groupId: group.json().id })).statusCode).toBe(200);
    const dissolved = await admin('POST', `/v1/groups/${group.json().id}/dissolve`, { dissolvedOn: '2025-01-10', reason: 'Không còn thành viên' });
    expect(dissolved.statusCode, dissolved.body).toBe(200);
    // Saved as her page shows her, group and all: nothing about her group changes, so it is not checked again.
    expect((await admin('PATCH', `/v1/users/${leader.id}`, { status: 'disabled', groupId: group.json().id, fullName: 'Hà Thị Thu' })).json().status).toBe('disabled');
    expect(await refusedUnchanged(test.database, () => admin('PATCH', `/v1/users/${leader.id}`, { status: 'active' }))).toEqual([409, 'group_dissolved', 'groupId']);
    expect((await admin('PATCH', `/v1/users/${leader.id}`, { status: 'active', groupId: fund.group.id })).json()).toMatchObject({ status: 'active', groupId: fund.group.id });
  });

  it('lets the auditor read users, changing nothing', async () => {
    const list = await fund.auditor('GET', '/v1/users');
    expect(list.statusCode).toBe(200);
    expect(JSON.stringify(list.json())).not.toMatch(/password|scrypt/i);
    const lan = await userNamed('lan.officer');
    expect((await fund.auditor('GET', `/v1/users/${lan.id}`)).json().username).toBe('lan.officer');
    expect((await fund.officer('GET', '/v1/users')).json().error.code).toBe('role_forbidden');
    expect((await fund.auditor('GET', '/v1/users/us_nobody')).json().error.code).toBe('user_not_found');
  });

  it('audits each change with the user before and after, never her password', async () => {
    const lan = await userNamed('lan.officer');
    await admin('PATCH', `/v1/users/${lan.id}`, { status: 'disabled' });
    await admin('POST', `/v1/users/${lan.id}/password`, { password: 'reset-pass-99' });
    const records = test.database.sqlite.prepare("SELECT action, outcome, before, after FROM audit_log WHERE entity_id = ? AND action LIKE '% /users/:id%' ORDER BY id").all(lan.id) as { action: string; outcome: string; before: string; after: string }[];
    expect(records.map((record) => [record.action, record.outcome])).toEqual([
      ['PATCH /users/:id', 'done'],
      ['POST /users/:id/password', 'done'],
    ]);
    expect(JSON.parse(records[0]?.before ?? '{}')).toMatchObject({ status: 'active', areaIds: [fund.areas.commune] });
    expect(JSON.parse(records[0]?.after ?? '{}').state).toMatchObject({ status: 'disabled', areaIds: [fund.areas.commune] });
    expect(JSON.stringify(records)).not.toMatch(/scrypt|reset-pass-99/);
  });
});

describe('passwords', () => {
  it('the admin sets a forgotten password: the old one and her sign-ins stop working', async () => {
    const lan = await userNamed('lan.officer');
    const officer = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    const set = await admin('POST', `/v1/users/${lan.id}/password`, { password: 'new-officer-pass' });
    expect(set.statusCode, set.body).toBe(200);
    expect((await officer('GET', '/v1/groups')).statusCode).toBe(401);
    expect((await signIn('lan.officer', 'officer-pass-1')).statusCode).toBe(401);
    expect((await signIn('lan.officer', 'new-officer-pass')).statusCode).toBe(200);
    expect(await refusedUnchanged(test.database, () => admin('POST', `/v1/users/${lan.id}/password`, { password: 'short' }))).toEqual([400, 'invalid_request', 'body.password']);
    // Locked out by her guesses, she is let in by a new password at once: the guesses were at the old one.
    for (let attempt = 0; attempt < 3; attempt += 1) await signIn('lan.officer', `guess-${attempt}`);
    expect((await signIn('lan.officer', 'new-officer-pass')).json().error.code).toBe('too_many_login_attempts');
    expect((await admin('POST', `/v1/users/${lan.id}/password`, { password: 'newer-officer-pass' })).statusCode).toBe(200);
    expect((await signIn('lan.officer', 'newer-officer-pass')).statusCode).toBe(200);
    expect(await refusedUnchanged(test.database, () => fund.otherOfficer('POST', `/v1/users/${lan.id}/password`, { password: 'long-enough-1' }))).toEqual([403, 'role_forbidden']);
  });

  it('a user changes her own: this sign-in goes on, her others end, and a wrong current password counts as a failed sign-in', async () => {
    const first = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    const second = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
    expect(await refusedUnchanged(test.database, () => first('POST', '/v1/auth/password', { currentPassword: 'officer-pass-1', newPassword: 'short' }))).toEqual([400, 'invalid_request', 'body.newPassword']);
    expect(await refusedUnchanged(test.database, () => first('POST', '/v1/auth/password', { currentPassword: 'officer-pass-1' }))).toEqual([400, 'invalid_request', 'body.newPassword']);

    const changed = await first('POST', '/v1/auth/password', { currentPassword: 'officer-pass-1', newPassword: 'my-own-pass-22' });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await first('GET', '/v1/auth/me')).statusCode).toBe(200);
    expect((await second('GET', '/v1/auth/me')).statusCode).toBe(401);
    expect((await signIn('lan.officer', 'officer-pass-1')).statusCode).toBe(401);
    expect((await signIn('lan.officer', 'my-own-pass-22')).statusCode).toBe(200);

    // Guessing through a stolen sign-in runs into the same lockout as guessing at the sign-in page.
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const wrong = await first('POST', '/v1/auth/password', { currentPassword: `guess-${attempt}`, newPassword: 'taken-over-1' });
      expect([wrong.statusCode, wrong.json().error.code, wrong.json().error.details[0].path]).toEqual([422, 'current_password_wrong', 'currentPassword']);
    }
    expect((await first('POST', '/v1/auth/password', { currentPassword: 'my-own-pass-22', newPassword: 'taken-over-1' })).json().error.code).toBe('too_many_login_attempts');
    expect((await signIn('lan.officer', 'my-own-pass-22')).json().error.code).toBe('too_many_login_attempts');
    // The trail names her for the change and for each wrong guess, which it counts as failed sign-ins.
    const lan = await userNamed('lan.officer');
    const records = test.database.sqlite.prepare("SELECT outcome, entity_id FROM audit_log WHERE action = 'POST /auth/password' ORDER BY rowid").all() as { outcome: string; entity_id: string }[];
    expect(records.map((record) => [record.outcome, record.entity_id])).toEqual([['done', lan.id], ...Array.from({ length: 3 }, () => ['sign_in_failed', lan.id]), ['sign_in_failed', lan.id]]);
  });

  it('an auditor, who changes nothing of the fund, changes her own password', async () => {
    const changed = await fund.auditor('POST', '/v1/auth/password', { currentPassword: 'auditor-pass-1', newPassword: 'auditor-pass-2' });
    expect(changed.statusCode, changed.body).toBe(204);
    expect((await signIn('auditor', 'auditor-pass-2')).statusCode).toBe(200);
  });
});
