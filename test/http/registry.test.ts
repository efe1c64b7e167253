// A new fund's first day, as the README walks it: users, the area tree, a group of ten, an import of 200, a search
// without accents, and a refusal for each action a role or scope forbids.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminPassword, as, buildTestApp, login, refusedUnchanged, type TestApp } from '../helper.js';
import { buildSmallFund, memberInput, nextNationalId } from '../fixtures.js';

let test: TestApp;
beforeEach(async () => {
  test = await buildTestApp();
});
afterEach(async () => {
  await test.close();
});

function membersCsv(groupCode: string, count: number): string {
  const header = 'fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn,phone';
  const rows = Array.from({ length: count }, (_, index) => `Đặng Thị Mơ ${index + 1},female,1980-01-${String((index % 28) + 1).padStart(2, '0')},${nextNationalId()},02,near_poor,${groupCode},2025-06-01,`);
  return [header, ...rows].join('\n');
}

describe('a new fund, end to end', () => {
  it('builds the tree, a group of ten, imports 200 more, finds a member without accents, and refuses what roles forbid', async () => {
    const admin = as(test.app, await login(test.app, 'admin', adminPassword));
    const province = (await admin('POST', '/v1/areas', { code: 'TQ', name: 'Tỉnh Tuyên Quang', level: 'province' })).json();
    const commune = (await admin('POST', '/v1/areas', { code: 'TQ-YS', name: 'Xã Yên Sơn', level: 'commune', parentId: province.id })).json();
    const village = (await admin('POST', '/v1/areas', { code: 'TQ-YS-03', name: 'Thôn 3', level: 'village', parentId: commune.id })).json();
    expect(village.level).toBe('village');

    const officerReply = await admin('POST', '/v1/users', { username: 'hoa.officer', password: 'officer-pass', fullName: 'Vũ Thị Hòa', role: 'officer', areaIds: [commune.id] });
    expect(officerReply.statusCode).toBe(201);
    expect(officerReply.json()).toMatchObject({ role: 'officer', areaIds: [commune.id] });
    const officer = as(test.app, await login(test.app, 'hoa.officer', 'officer-pass'));

    const groupReply = await officer('POST', '/v1/groups', { code: 'YS03-01', name: 'Tổ TK&VV Thôn 3', areaId: village.id, formedOn: '2025-01-10', meetingDay: 10 });
    expect(groupReply.statusCode).toBe(201);
    const group = groupReply.json();
    expect(group).toMatchObject({ code: 'YS03-01', officerId: officerReply.json().id, status: 'active', activeMembers: 0 });

    const names = ['Nguyễn Thị Hoa', 'Trần Thị Đào', 'Lê Thị Hương', 'Phạm Thị Lụa', 'Hoàng Thị Ánh', 'Vũ Thị Nga', 'Đỗ Thị Hằng', 'Bùi Thị Quế', 'Ngô Thị Yến', 'Dương Thị Mận'];
    const ids: string[] = [];
    for (const fullName of names) {
      const reply = await officer('POST', '/v1/members', memberInput(group.id, { fullName, joinedOn: '2025-01-10' }));
      expect(reply.statusCode, reply.body).toBe(201);
      ids.push(reply.json().id);
    }
    const leaderUser = await admin('POST', '/v1/users', { username: 'hoa.leader', password: 'leader-pass', fullName: 'Nguyễn Thị Hoa', role: 'leader', groupId: group.id });
    expect(leaderUser.statusCode).toBe(201);
    expect((await officer('PATCH', `/v1/groups/${group.id}`, { leaderMemberId: ids[0] })).json().leaderMemberId).toBe(ids[0]);

    const imported = await test.app.inject({
      method: 'POST',
      url: '/v1/imports/members',
      headers: { authorization: `Bearer ${await login(test.app, 'hoa.officer', 'officer-pass')}`, 'content-type': 'text/csv' },
      payload: `\uFEFF${membersCsv('YS03-01', 40)}`,
    });
    expect(imported.statusCode, imported.body).toBe(201);
    expect(imported.json().imported).toBe(40);
    expect((await officer('GET', `/v1/groups/${group.id}`)).json().activeMembers).toBe(50);

    // 200 more need more groups: the fund allows 60 per group. Five groups of 40.
    for (let index = 1; index <= 5; index += 1) {
      expect((await officer('POST', '/v1/groups', { code: `YS03-1${index}`, name: `Tổ ${index}`, areaId: village.id, formedOn: '2025-02-01' })).statusCode).toBe(201);
    }
    const header = 'Họ và tên,Giới tính,Ngày sinh,Số CCCD,Dân tộc,Hoàn cảnh hộ,Mã tổ,Ngày vào tổ,Số điện thoại';
    const rows = Array.from({ length: 200 }, (_, index) => `Lò Thị Xuân ${index},Nữ,05/07/1990,${nextNationalId()},Tày,Hộ nghèo,YS03-1${(index % 5) + 1},01/03/2025,0987654321`);
    const bigImport = await test.app.inject({
      method: 'POST',
      url: '/v1/imports/members',
      headers: { authorization: `Bearer ${await login(test.app, 'hoa.officer', 'officer-pass')}`, 'content-type': 'text/csv; charset=utf-8' },
      payload: [header, ...rows].join('\r\n'),
    });
    expect(bigImport.statusCode, bigImport.body).toBe(201);
    expect(bigImport.json().imported).toBe(200);

    const found = (await officer('GET', '/v1/members?q=nguyen%20thi%20hoa')).json();
    expect(found.items.map((member: { fullName: string }) => member.fullName)).toEqual(['Nguyễn Thị Hoa']);
    const withD = (await officer('GET', '/v1/members?q=tran%20thi%20dao')).json();
    expect(withD.items.map((member: { fullName: string }) => member.fullName)).toEqual(['Trần Thị Đào']);
    const upper = (await officer('GET', `/v1/members?q=${encodeURIComponent('LÒ THỊ XUÂN 19')}`)).json();
    expect(upper.items.map((member: { fullName: string }) => member.fullName)).toEqual(['Lò Thị Xuân 19', 'Lò Thị Xuân 190', 'Lò Thị Xuân 191', 'Lò Thị Xuân 192', 'Lò Thị Xuân 193', 'Lò Thị Xuân 194', 'Lò Thị Xuân 195', 'Lò Thị Xuân 196', 'Lò Thị Xuân 197', 'Lò Thị Xuân 198', 'Lò Thị Xuân 199']);

    const leader = as(test.app, await login(test.app, 'hoa.leader', 'leader-pass'));
    const refusedForLeader = await leader('POST', '/v1/members', memberInput(group.id));
    expect(refusedForLeader.statusCode).toBe(403);
    expect(refusedForLeader.json().error.code).toBe('role_forbidden');
    const leaderGroups = (await leader('GET', '/v1/groups')).json();
    expect(leaderGroups.items.map((item: { id: string }) => item.id)).toEqual([group.id]);
    const leaderMembers = (await leader('GET', '/v1/members?limit=200')).json();
    expect(leaderMembers.items).toHaveLength(50);
    expect(leaderMembers.nextCursor).toBeNull();
    const refusedAreas = await officer('POST', '/v1/areas', { code: 'X', name: 'X', level: 'province' });
    expect(refusedAreas.json().error.code).toBe('role_forbidden');
  });
});

describe('scope', () => {
  it('keeps officers and leaders inside their areas and groups, and auditors out of every write', async () => {
    const fund = await buildSmallFund(test);
    // An officer cannot form a group, register a member, or read a member outside her commune.
    const outside = await fund.officer('POST', '/v1/groups', { code: 'X1', name: 'X', areaId: fund.areas.otherVillage, formedOn: '2025-01-01' });
    expect([outside.statusCode, outside.json().error.code]).toEqual([403, 'scope_forbidden']);
    const foreignMember = await fund.otherOfficer('POST', '/v1/members', memberInput(fund.group.id));
    expect([foreignMember.statusCode, foreignMember.json().error.code]).toEqual([403, 'scope_forbidden']);
    expect((await fund.otherOfficer('GET', `/v1/members/${fund.memberIds[0]}`)).statusCode).toBe(403);
    expect((await fund.otherOfficer('GET', `/v1/groups/${fund.group.id}`)).statusCode).toBe(403);
    expect((await fund.otherOfficer('GET', '/v1/groups')).json().items.map((group: { code: string }) => group.code)).toEqual(['MC01-T1']);
    // A leader sees her group only.
    expect((await fund.leader('GET', `/v1/groups/${fund.otherGroup.id}`)).statusCode).toBe(403);
    expect((await fund.leader('GET', `/v1/members/${fund.memberIds[1]}`)).statusCode).toBe(200);
    // An auditor reads everything and writes nothing.
    expect((await fund.auditor('GET', '/v1/groups')).json().items).toHaveLength(2);
    const auditorWrite = await fund.auditor('PATCH', `/v1/groups/${fund.group.id}`, { name: 'Changed' });
    expect([auditorWrite.statusCode, auditorWrite.json().error.code]).toEqual([403, 'role_forbidden']);
    // Area filters take the whole subtree.
    expect((await fund.admin('GET', `/v1/members?areaId=${fund.areas.province}`)).json().items).toHaveLength(3);
    expect((await fund.admin('GET', `/v1/members?areaId=${fund.areas.otherCommune}`)).json().items).toHaveLength(0);
  });
});

describe('memberships keep their history', () => {
  it('moves a member between groups and records her exit, keeping every membership', async () => {
    const fund = await buildSmallFund(test);
    const second = (await fund.officer('POST', '/v1/groups', { code: 'TL01-T2', name: 'Tổ 2', areaId: fund.areas.village, formedOn: '2024-06-01' })).json();
    const memberId = fund.memberIds[0];
    const moved = await fund.officer('POST', `/v1/members/${memberId}/move`, { groupId: second.id, movedOn: '2025-01-05' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect(moved.json().memberships).toEqual([
      { groupId: fund.group.id, joinedOn: '2024-03-15', leftOn: '2025-01-05', leftReason: 'moved to group TL01-T2' },
      { groupId: second.id, joinedOn: '2025-01-05', leftOn: null, leftReason: null },
    ]);
    const exited = await fund.officer('POST', `/v1/members/${memberId}/exit`, { leftOn: '2025-06-30', reason: 'Chuyển đi nơi khác' });
    expect(exited.json()).toMatchObject({ status: 'exited', leftOn: '2025-06-30' });
    expect(exited.json().memberships[1]).toMatchObject({ leftOn: '2025-06-30', leftReason: 'Chuyển đi nơi khác' });
    const again = await fund.officer('POST', `/v1/members/${memberId}/exit`, { leftOn: '2025-07-30', reason: 'again' });
    expect(again.json().error.code).toBe('member_not_active');
    expect((await fund.officer('GET', `/v1/members?groupId=${second.id}&status=exited`)).json().items).toHaveLength(1);
  });

  it('records a change of household poverty status as history, never overwriting it', async () => {
    const fund = await buildSmallFund(test);
    const memberId = fund.memberIds[0];
    const changed = await fund.officer('PATCH', `/v1/members/${memberId}`, { povertyStatus: 'recently_out_of_poverty', povertyStatusOn: '2025-12-31' });
    expect(changed.statusCode, changed.body).toBe(200);
    expect(changed.json().povertyStatus).toBe('recently_out_of_poverty');
    expect(changed.json().povertyStatusHistory).toEqual([
      { status: 'poor', effectiveOn: '2024-03-15' },
      { status: 'recently_out_of_poverty', effectiveOn: '2025-12-31' },
    ]);
    // A change dated before the last one is refused: the history reads in order.
    const earlier = await fund.officer('PATCH', `/v1/members/${memberId}`, { povertyStatus: 'near_poor', povertyStatusOn: '2025-06-30' });
    expect([earlier.statusCode, earlier.json().error.code, earlier.json().error.details[0].path]).toEqual([422, 'date_before_status_change', 'povertyStatusOn']);
    // A date in the future is refused even where the status does not change.
    const future = await fund.officer('PATCH', `/v1/members/${memberId}`, { povertyStatus: 'recently_out_of_poverty', povertyStatusOn: '2099-01-01' });
    expect([future.statusCode, future.json().error.code, future.json().error.details[0].path]).toEqual([422, 'date_in_future', 'povertyStatusOn']);
  });

  it('refuses a member beyond the fund’s maximum group size, and dissolves only an empty group', async () => {
    const fund = await buildSmallFund(test, 3);
    expect((await fund.admin('PATCH', '/v1/settings', { maxGroupMembers: 3 })).json().maxGroupMembers).toBe(3);
    const full = await fund.officer('POST', '/v1/members', memberInput(fund.group.id));
    expect([full.statusCode, full.json().error.code]).toEqual([422, 'group_full']);
    const busy = await fund.officer('POST', `/v1/groups/${fund.group.id}/dissolve`, { dissolvedOn: '2025-01-01', reason: 'merged' });
    expect([busy.statusCode, busy.json().error.code]).toEqual([409, 'group_has_active_members']);
    for (const memberId of fund.memberIds) {
      expect((await fund.officer('POST', `/v1/members/${memberId}/exit`, { leftOn: '2025-01-01', reason: 'tổ giải thể' })).statusCode).toBe(200);
    }
    // Not before its members left: the books as of that day would show a dissolved group with members.
    const early = await refusedUnchanged(test.database, () => fund.officer('POST', `/v1/groups/${fund.group.id}/dissolve`, { dissolvedOn: '2024-12-31', reason: 'merged' }));
    expect(early).toEqual([422, 'date_before_member_activity', 'dissolvedOn']);
    const dissolved = await fund.officer('POST', `/v1/groups/${fund.group.id}/dissolve`, { dissolvedOn: '2025-01-02', reason: 'merged' });
    expect(dissolved.json()).toMatchObject({ status: 'dissolved', dissolvedOn: '2025-01-02' });
    // No leader is made for a group that no longer meets.
    const leader = await refusedUnchanged(test.database, () =>
      fund.admin('POST', '/v1/users', { username: 'late.leader', password: 'leader-pass-9', fullName: 'Lò Thị Muộn', role: 'leader', groupId: fund.group.id }),
    );
    expect(leader).toEqual([409, 'group_dissolved', 'groupId']);
  });

  it('keeps a closed period’s registry as it was reported: nobody joins, moves, leaves or is formed inside it', async () => {
    const fund = await buildSmallFund(test, 3);
    expect((await fund.admin('POST', '/v1/ledger/periods/close', { through: '2025-03-31' })).statusCode).toBe(200);
    const [first, second] = fund.memberIds as [string, string];
    const inside: [string, () => ReturnType<typeof fund.officer>, string][] = [
      ['a member joining', () => fund.officer('POST', '/v1/members', memberInput(fund.group.id, { joinedOn: '2025-02-01' })), 'joinedOn'],
      ['a group formed', () => fund.officer('POST', '/v1/groups', { code: 'TL01-T9', name: 'Tổ muộn', areaId: fund.areas.village, formedOn: '2025-01-15' }), 'formedOn'],
      ['a member leaving', () => fund.officer('POST', `/v1/members/${first}/exit`, { leftOn: '2025-03-01', reason: 'chuyển đi' }), 'leftOn'],
      ['a member moving', () => fund.admin('POST', `/v1/members/${second}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-03-01' }), 'movedOn'],
      ['a household’s status', () => fund.officer('PATCH', `/v1/members/${first}`, { povertyStatus: 'near_poor', povertyStatusOn: '2025-03-01' }), 'povertyStatusOn'],
    ];
    for (const [what, request, field] of inside) {
      expect(await refusedUnchanged(test.database, request), what).toEqual([422, 'period_closed', field]);
    }
    // After it, as before.
    expect((await fund.officer('POST', '/v1/members', memberInput(fund.group.id, { joinedOn: '2025-04-01' }))).statusCode).toBe(201);
    // A CSV import's row inside the period is one of its bad rows.
    const csv = ['fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn', `Lò Thị Én,female,1990-02-01,${nextNationalId()},01,poor,TL01-T1,2025-03-15`].join('\n');
    const imported = await refusedUnchanged(test.database, () => fund.officer('POST', '/v1/imports/members', csv, { 'content-type': 'text/csv' }));
    expect(imported.slice(0, 2)).toEqual([422, 'import_rows_invalid']);
  });

  it('pages through a list with a cursor without losing or repeating anyone', async () => {
    const fund = await buildSmallFund(test, 7);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (await fund.admin('GET', `/v1/members?limit=3${cursor ? `&cursor=${cursor}` : ''}`)).json();
      seen.push(...page.items.map((item) => item.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(fund.memberIds);
    // A cursor from the members' list is not one for the loans' or the groups': refused, not an empty page.
    const membersCursor = (await fund.admin('GET', '/v1/members?limit=3')).json().nextCursor as string;
    for (const list of ['/v1/loans', '/v1/groups']) {
      const other = await fund.admin('GET', `${list}?cursor=${membersCursor}`);
      expect([other.statusCode, other.json().error.code, other.json().error.details[0].path], list).toEqual([400, 'invalid_request', 'cursor']);
    }
  });
});
