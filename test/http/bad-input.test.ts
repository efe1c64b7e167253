// Every wrong request gets a 4xx with a stable code, and leaves the database exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, as, buildTestApp, login, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, memberInput, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
let tokens: Record<'admin' | 'officer' | 'leader' | 'auditor' | 'expired', string>;
let existingNationalId: string;

beforeAll(async () => {
  test = await buildTestApp({ TOKEN_TTL_MINUTES: '600' });
  fund = await buildSmallFund(test);
  // The fixture's tokens are old; fresh ones are made 590 minutes later, and after 20 more the old ones have expired.
  const expired = await login(test.app, 'admin', adminPassword);
  test.clock.advanceMinutes(590);
  tokens = {
    admin: await login(test.app, 'admin', adminPassword),
    officer: await login(test.app, 'lan.officer', 'officer-pass-1'),
    leader: await login(test.app, 'thu.leader', 'leader-pass-1'),
    auditor: await login(test.app, 'auditor', 'auditor-pass-1'),
    expired,
  };
  test.clock.advanceMinutes(20);
  existingNationalId = (await as(test.app, tokens.admin)('GET', `/v1/members/${fund.memberIds[0]}`)).json().nationalId;
});
afterAll(async () => {
  await test.close();
});

type Who = keyof typeof tokens | 'nobody' | 'forged';
interface Case {
  name: string;
  who: Who;
  method: 'GET' | 'POST' | 'PATCH';
  url: () => string;
  payload?: () => unknown;
  raw?: { body: string; contentType: string };
  status: number;
  code: string;
}

const area = (overrides: Record<string, unknown> = {}) => ({ code: 'NEW-1', name: 'Thôn Mới', level: 'village', parentId: fund.areas.commune, ...overrides });
const group = (overrides: Record<string, unknown> = {}) => ({ code: 'NEW-G', name: 'Tổ mới', areaId: fund.areas.village, formedOn: '2025-01-01', ...overrides });
const member = (overrides: Record<string, unknown> = {}) => memberInput(fund.group.id, overrides);

const cases: Case[] = [
  { name: 'no token', who: 'nobody', method: 'GET', url: () => '/v1/groups', status: 401, code: 'unauthenticated' },
  { name: 'a token nobody issued', who: 'forged', method: 'GET', url: () => '/v1/groups', status: 401, code: 'unauthenticated' },
  { name: 'an expired token', who: 'expired', method: 'GET', url: () => '/v1/groups', status: 401, code: 'token_expired' },
  { name: 'broken JSON', who: 'admin', method: 'POST', url: () => '/v1/areas', raw: { body: '{"code": "X", ', contentType: 'application/json' }, status: 400, code: 'malformed_json' },
  { name: 'an area name with a NUL', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ name: 'Thôn\u0000Mới' }), status: 400, code: 'invalid_request' },
  { name: 'a member name with half a UTF-16 pair', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ fullName: '\ud800Hà Thị Thu' }), status: 400, code: 'invalid_request' },
  { name: 'an exit reason with an escape character', who: 'officer', method: 'POST', url: () => `/v1/members/${fund.memberIds[0]}/exit`, payload: () => ({ leftOn: '2025-06-01', reason: 'chuyển\u001b[31m đi' }), status: 400, code: 'invalid_request' },
  { name: 'a password of only spaces', who: 'admin', method: 'POST', url: () => '/v1/users', payload: () => ({ username: 'spaces.user', password: '        ', fullName: 'Lò Thị Dung', role: 'auditor' }), status: 400, code: 'invalid_request' },
  { name: 'an empty JSON body', who: 'admin', method: 'POST', url: () => '/v1/areas', raw: { body: '', contentType: 'application/json' }, status: 400, code: 'malformed_json' },
  { name: 'a JSON array for an object', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => [area()], status: 400, code: 'invalid_request' },
  { name: 'XML', who: 'admin', method: 'POST', url: () => '/v1/areas', raw: { body: '<area/>', contentType: 'application/xml' }, status: 415, code: 'unsupported_media_type' },
  { name: 'a number for a code', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ code: 42 }), status: 400, code: 'invalid_request' },
  { name: 'a missing level', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => ({ code: 'X', name: 'X' }), status: 400, code: 'invalid_request' },
  { name: 'an unknown field', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ population: 1200 }), status: 400, code: 'invalid_request' },
  { name: 'a 201-character name', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ name: 'x'.repeat(201) }), status: 400, code: 'invalid_request' },
  { name: 'an unknown level', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ level: 'district' }), status: 400, code: 'invalid_request' },
  { name: 'a commune without its province', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ level: 'commune', parentId: undefined }), status: 422, code: 'area_parent_invalid' },
  { name: 'a village under a province', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ parentId: fund.areas.province }), status: 422, code: 'area_parent_invalid' },
  { name: 'an unknown parent', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ parentId: 'ar-unknown' }), status: 404, code: 'area_not_found' },
  { name: 'a duplicate area code', who: 'admin', method: 'POST', url: () => '/v1/areas', payload: () => area({ code: 'HB-TL-01' }), status: 409, code: 'duplicate_code' },
  { name: 'formed on 2024-02-30', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ formedOn: '2024-02-30' }), status: 400, code: 'invalid_request' },
  { name: 'a date without leading zeros', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ formedOn: '2024-2-3' }), status: 400, code: 'invalid_request' },
  { name: 'a group in a commune', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ areaId: fund.areas.commune }), status: 422, code: 'group_area_not_village' },
  { name: 'members of an unknown group', who: 'officer', method: 'GET', url: () => '/v1/members?groupId=gr-nowhere', status: 404, code: 'group_not_found' },
  { name: 'a group in an unknown area', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ areaId: 'ar-nowhere' }), status: 404, code: 'area_not_found' },
  { name: 'a duplicate group code', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ code: 'TL01-T1' }), status: 409, code: 'duplicate_code' },
  { name: 'a group formed tomorrow', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ formedOn: '2026-11-24' }), status: 422, code: 'date_in_future' },
  { name: 'meeting day 32', who: 'officer', method: 'POST', url: () => '/v1/groups', payload: () => group({ meetingDay: 32 }), status: 400, code: 'invalid_request' },
  { name: 'an admin as a group’s officer', who: 'admin', method: 'POST', url: () => '/v1/groups', payload: () => group({ officerId: fund.officerId.replace(/.$/, (last) => (last === 'z' ? 'y' : 'z')) }), status: 422, code: 'group_officer_invalid' },
  { name: 'a CCCD of 11 digits', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ nationalId: '01234567890' }), status: 400, code: 'invalid_request' },
  { name: 'a CCCD with letters', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ nationalId: '01234567890A' }), status: 400, code: 'invalid_request' },
  { name: 'a duplicate CCCD', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ nationalId: existingNationalId }), status: 409, code: 'duplicate_national_id' },
  { name: 'a member of an unknown group', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ groupId: 'gr-none' }), status: 404, code: 'group_not_found' },
  { name: 'sex outside the list', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ sex: 'F' }), status: 400, code: 'invalid_request' },
  { name: 'ethnicity 99', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ ethnicity: '99' }), status: 400, code: 'invalid_request' },
  { name: 'born on 2024-02-30', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ dateOfBirth: '1990-02-30' }), status: 400, code: 'invalid_request' },
  { name: 'a member born in 9999', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ dateOfBirth: '9999-12-31' }), status: 422, code: 'date_in_future' },
  { name: 'a member of 15', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ dateOfBirth: '2010-01-01' }), status: 422, code: 'member_under_age' },
  { name: 'joining before the group was formed', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ joinedOn: '2023-12-31' }), status: 422, code: 'date_before_group_formed' },
  { name: 'a phone number that is not one', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ phone: '12345' }), status: 400, code: 'invalid_request' },
  { name: 'an empty name', who: 'officer', method: 'POST', url: () => '/v1/members', payload: () => member({ fullName: '   ' }), status: 400, code: 'invalid_request' },
  { name: 'a leader registering into another group', who: 'leader', method: 'POST', url: () => '/v1/members', payload: () => memberInput(fund.otherGroup.id), status: 403, code: 'role_forbidden' },
  { name: 'a leader renaming another group', who: 'leader', method: 'PATCH', url: () => `/v1/groups/${fund.otherGroup.id}`, payload: () => ({ name: 'Mine now' }), status: 403, code: 'role_forbidden' },
  { name: 'a leader reading another group', who: 'leader', method: 'GET', url: () => `/v1/groups/${fund.otherGroup.id}`, status: 403, code: 'scope_forbidden' },
  { name: 'an officer writing outside her commune', who: 'officer', method: 'PATCH', url: () => `/v1/groups/${fund.otherGroup.id}`, payload: () => ({ meetingDay: 3 }), status: 403, code: 'scope_forbidden' },
  { name: 'an auditor creating an area', who: 'auditor', method: 'POST', url: () => '/v1/areas', payload: () => area(), status: 403, code: 'role_forbidden' },
  { name: 'an auditor registering a member', who: 'auditor', method: 'POST', url: () => '/v1/members', payload: () => member(), status: 403, code: 'role_forbidden' },
  { name: 'an auditor changing settings', who: 'auditor', method: 'PATCH', url: () => '/v1/settings', payload: () => ({ maxGroupMembers: 10 }), status: 403, code: 'role_forbidden' },
  { name: 'an auditor importing', who: 'auditor', method: 'POST', url: () => '/v1/imports/members', raw: { body: 'fullName\nA', contentType: 'text/csv' }, status: 403, code: 'role_forbidden' },
  { name: 'an unknown member', who: 'admin', method: 'GET', url: () => '/v1/members/mb-unknown', status: 404, code: 'member_not_found' },
  { name: 'an unknown group', who: 'admin', method: 'GET', url: () => '/v1/groups/gr-unknown', status: 404, code: 'group_not_found' },
  { name: 'a change with nothing in it', who: 'officer', method: 'PATCH', url: () => `/v1/groups/${fund.group.id}`, payload: () => ({}), status: 400, code: 'invalid_request' },
  { name: 'a leader who is not in the group', who: 'officer', method: 'PATCH', url: () => `/v1/groups/${fund.group.id}`, payload: () => ({ leaderMemberId: 'mb-unknown' }), status: 422, code: 'group_leader_not_member' },
  { name: 'moving into the same group', who: 'officer', method: 'POST', url: () => `/v1/members/${fund.memberIds[0]}/move`, payload: () => ({ groupId: fund.group.id, movedOn: '2025-01-01' }), status: 409, code: 'member_already_in_group' },
  { name: 'leaving before joining', who: 'officer', method: 'POST', url: () => `/v1/members/${fund.memberIds[0]}/exit`, payload: () => ({ leftOn: '2024-01-01', reason: 'x' }), status: 422, code: 'date_before_joined' },
  { name: 'dissolving a group with members', who: 'officer', method: 'POST', url: () => `/v1/groups/${fund.group.id}/dissolve`, payload: () => ({ dissolvedOn: '2025-01-01', reason: 'x' }), status: 409, code: 'group_has_active_members' },
  { name: 'a page of 1,000', who: 'admin', method: 'GET', url: () => '/v1/members?limit=1000', status: 400, code: 'invalid_request' },
  { name: 'a forged cursor', who: 'admin', method: 'GET', url: () => '/v1/members?cursor=abc', status: 400, code: 'invalid_request' },
  { name: 'an unknown filter', who: 'admin', method: 'GET', url: () => '/v1/members?colour=red', status: 400, code: 'invalid_request' },
  { name: 'an unknown route', who: 'admin', method: 'GET', url: () => '/v1/nothing-here', status: 404, code: 'route_not_found' },
  { name: 'an officer creating a user', who: 'officer', method: 'POST', url: () => '/v1/users', payload: () => ({ username: 'x.y', password: 'password-1', fullName: 'X', role: 'auditor' }), status: 403, code: 'role_forbidden' },
  { name: 'an officer with no area', who: 'admin', method: 'POST', url: () => '/v1/users', payload: () => ({ username: 'x.y', password: 'password-1', fullName: 'X', role: 'officer' }), status: 422, code: 'user_scope_invalid' },
  { name: 'a taken username', who: 'admin', method: 'POST', url: () => '/v1/users', payload: () => ({ username: 'auditor', password: 'password-1', fullName: 'X', role: 'auditor' }), status: 409, code: 'duplicate_username' },
  { name: 'a short password', who: 'admin', method: 'POST', url: () => '/v1/users', payload: () => ({ username: 'x.y', password: 'short', fullName: 'X', role: 'auditor' }), status: 400, code: 'invalid_request' },
  { name: 'sign-in with a number for a password', who: 'nobody', method: 'POST', url: () => '/v1/auth/login', payload: () => ({ username: 'admin', password: 12345678 }), status: 400, code: 'invalid_request' },
  { name: 'a provision rate above 100 percent', who: 'admin', method: 'PATCH', url: () => '/v1/settings', payload: () => ({ provisionPreset: 'custom', customProvisionRates: { specificPercent: ['0', '5', '20', '50', '150'], generalPercent: '0.75' } }), status: 400, code: 'invalid_request' },
  { name: 'a smallest group above the largest', who: 'admin', method: 'PATCH', url: () => '/v1/settings', payload: () => ({ minGroupMembers: 61 }), status: 422, code: 'settings_invalid' },
  { name: 'a member cap of nothing', who: 'admin', method: 'PATCH', url: () => '/v1/settings', payload: () => ({ memberOutstandingCap: '000' }), status: 422, code: 'settings_invalid' },
  { name: 'a user disabled by an officer', who: 'officer', method: 'PATCH', url: () => '/v1/users/us-any', payload: () => ({ status: 'disabled' }), status: 403, code: 'role_forbidden' },
  { name: 'a password set with a number', who: 'admin', method: 'POST', url: () => '/v1/users/us-any/password', payload: () => ({ password: 12345678 }), status: 400, code: 'invalid_request' },
  { name: 'savings asked as of a day they do not take', who: 'officer', method: 'GET', url: () => `/v1/members/${fund.memberIds[0]}/savings?asOf=2025-01-01`, status: 400, code: 'invalid_request' },
  { name: 'a ledger check asked as of a day', who: 'admin', method: 'GET', url: () => '/v1/ledger/verify?asOf=2025-01-01', status: 400, code: 'invalid_request' },
  { name: 'the arrears of a group nobody formed', who: 'officer', method: 'GET', url: () => '/v1/reports/arrears?groupId=gr-nothing', status: 404, code: 'group_not_found' },
  { name: 'the arrears of another officer’s group', who: 'officer', method: 'GET', url: () => `/v1/reports/arrears?groupId=${fund.otherGroup.id}`, status: 403, code: 'scope_forbidden' },
  { name: 'a CSV with a bad row', who: 'officer', method: 'POST', url: () => '/v1/imports/groups', raw: { body: 'code,name,areaCode,formedOn\nG-9,Tổ 9,HB-TL-01,2024-13-01', contentType: 'text/csv' }, status: 422, code: 'import_rows_invalid' },
];

describe('bad input', () => {
  it('has at least 40 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
  });

  it.each(cases)('$name → $status $code, nothing changed', async (testCase) => {
    const before = snapshot(test.database, ['login_attempts']);
    const headers: Record<string, string> = {};
    if (testCase.who === 'forged') headers.authorization = 'Bearer not-a-real-token';
    else if (testCase.who !== 'nobody') headers.authorization = `Bearer ${tokens[testCase.who]}`;
    if (testCase.raw) headers['content-type'] = testCase.raw.contentType;
    const response = await test.app.inject({
      method: testCase.method,
      url: testCase.url(),
      headers,
      ...(testCase.raw ? { payload: testCase.raw.body } : testCase.payload ? { payload: testCase.payload() as object } : {}),
    });
    expect(response.statusCode, response.body).toBe(testCase.status);
    const body = response.json();
    expect(body.error.code).toBe(testCase.code);
    expect(typeof body.error.message).toBe('string');
    expect(body.error.message.length).toBeGreaterThan(10);
    expect(snapshot(test.database, ['login_attempts'])).toBe(before);
  });
});
