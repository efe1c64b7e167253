// CSV imports are all or nothing, name every bad row by its line, and take a fund's Vietnamese headings; a large file
// is written a thousand rows a transaction.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, login, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, nextNationalId, type SmallFund } from '../fixtures.js';
import { importGroups } from '../../src/modules/registry/import.service.js';
import { systemActor } from '../../src/modules/shared/access.js';

let test: TestApp;
let fund: SmallFund;
let officerToken: string;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 2);
  officerToken = await login(test.app, 'lan.officer', 'officer-pass-1');
});
afterEach(async () => {
  await test.close();
});

const postCsv = (kind: 'groups' | 'members', csv: string, token = officerToken) =>
  test.app.inject({ method: 'POST', url: `/v1/imports/${kind}`, headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: csv });

describe('importing groups', () => {
  it('creates every group of a good file, with the importing officer as their officer', async () => {
    const reply = await postCsv('groups', 'code,name,areaCode,formedOn,meetingDay\nTL-A,Tổ A,HB-TL-01,2025-01-05,5\nTL-B,"Tổ B, xóm Trên",HB-TL-01,15/02/2025,\n');
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().imported).toBe(2);
    const groups = (await fund.officer('GET', '/v1/groups?q=to%20b')).json().items;
    expect(groups).toHaveLength(1);
    expect(groups[0]).toMatchObject({ code: 'TL-B', name: 'Tổ B, xóm Trên', formedOn: '2025-02-15', meetingDay: null, officerId: fund.officerId });
  });

  it('takes the Vietnamese headings and semicolons of a spreadsheet saved in a Vietnamese locale', async () => {
    const reply = await postCsv('groups', '\uFEFFMã tổ;Tên tổ;Mã địa bàn;Ngày thành lập;Ngày họp\r\nTL-C;Tổ C;HB-TL-01;01/03/2025;20\r\n');
    expect(reply.statusCode, reply.body).toBe(201);
  });

  it('refuses the whole file, naming each bad row, and writes nothing', async () => {
    const before = snapshot(test.database);
    const reply = await postCsv(
      'groups',
      [
        'code,name,areaCode,formedOn,meetingDay',
        'TL-D,Tổ D,HB-TL-01,2025-01-05,5',
        'TL-E,Tổ E,HB-MC-01,2025-01-05,5',
        'TL-F,Tổ F,HB-TL,2025-01-05,5',
        'TL-D,Tổ D again,HB-TL-01,2025-01-05,5',
        'TL-G,Tổ G,HB-TL-01,2025-02-30,40',
        'TL01-T1,Tổ trùng,HB-TL-01,2025-01-05,',
      ].join('\n'),
    );
    expect(reply.statusCode).toBe(422);
    const error = reply.json().error;
    expect(error.code).toBe('import_rows_invalid');
    expect(error.message).toContain('5 of 6 rows');
    expect(error.details).toEqual([
      { path: 'line 3', message: 'areaCode: HB-MC-01 is outside the areas you are assigned to' },
      { path: 'line 4', message: 'areaCode: HB-TL is a commune; a group belongs to a village' },
      { path: 'line 5', message: 'code: TL-D appears already on line 2' },
      { path: 'line 6', message: 'formedOn: must be a real date, YYYY-MM-DD or dd/mm/yyyy' },
      { path: 'line 6', message: 'meetingDay: must be a day of the month, 1 to 31' },
      { path: 'line 7', message: 'code: a group with the code TL01-T1 exists already' },
    ]);
    expect(snapshot(test.database)).toBe(before);
  });

  it('refuses a header it does not know and a file with no rows', async () => {
    const unknown = await postCsv('groups', 'code,name,village,formedOn\nA,B,C,2025-01-01');
    expect(unknown.json().error.details).toEqual([
      { path: 'line 1', message: 'unknown column "village"' },
      { path: 'line 1', message: 'missing column areaCode' },
    ]);
    expect((await postCsv('groups', 'code,name,areaCode,formedOn\n')).json().error.code).toBe('import_rows_invalid');
    expect((await postCsv('groups', '')).json().error.code).toBe('import_rows_invalid');
    expect((await postCsv('groups', 'code,name\n"unclosed,quote')).json().error.code).toBe('import_rows_invalid');
  });
});

describe('importing members', () => {
  const header = 'fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn,phone';

  it('reads words as a fund writes them: Nữ, Tày, Hộ cận nghèo, dd/mm/yyyy', async () => {
    const csv = ['Họ và tên,Giới tính,Ngày sinh,Số CCCD,Dân tộc,Hoàn cảnh hộ,Mã tổ,Ngày vào tổ,Số điện thoại', `Hoàng Thị Lý,Nữ,03/09/1979,${nextNationalId()},Tày,Hộ cận nghèo,TL01-T1,01/04/2024,0912 345 678`].join('\n');
    const reply = await postCsv('members', csv);
    expect(reply.statusCode, reply.body).toBe(201);
    const member = (await fund.officer('GET', `/v1/members/${reply.json().ids[0]}`)).json();
    expect(member).toMatchObject({ fullName: 'Hoàng Thị Lý', sex: 'female', dateOfBirth: '1979-09-03', ethnicity: '02', povertyStatus: 'near_poor', joinedOn: '2024-04-01', phone: '0912345678' });
  });

  it('refuses every bad row at once, and a group the file would overfill', async () => {
    await fund.admin('PATCH', '/v1/settings', { maxGroupMembers: 4 });
    const taken = (await fund.officer('GET', `/v1/members/${fund.memberIds[0]}`)).json().nationalId;
    const same = nextNationalId();
    const before = snapshot(test.database);
    const reply = await postCsv(
      'members',
      [
        header,
        `Good One,female,1980-01-01,${nextNationalId()},01,poor,TL01-T1,2024-05-01,`,
        `Short Id,female,1980-01-01,01234567890,01,poor,TL01-T1,2024-05-01,`,
        `Taken Id,female,1980-01-01,${taken},01,poor,TL01-T1,2024-05-01,`,
        `Twice A,female,1980-01-01,${same},01,poor,TL01-T1,2024-05-01,`,
        `Twice B,female,1980-01-01,${same},01,poor,TL01-T1,2024-05-01,`,
        `Young,female,2012-01-01,${nextNationalId()},01,poor,TL01-T1,2024-05-01,`,
        `Nowhere,female,1980-01-01,${nextNationalId()},01,poor,NO-SUCH,2024-05-01,`,
        `Other Commune,female,1980-01-01,${nextNationalId()},01,poor,MC01-T1,2024-05-01,`,
      ].join('\n'),
    );
    expect(reply.statusCode).toBe(422);
    const details: { path: string; message: string }[] = reply.json().error.details;
    const lines = details.map((detail) => detail.path);
    expect(lines).not.toContain('line 2');
    for (const line of ['line 3', 'line 4', 'line 6', 'line 7', 'line 8', 'line 9']) expect(lines).toContain(line);
    expect(details.find((detail) => detail.path === 'line 3')?.message).toContain('nationalId');
    expect(details.find((detail) => detail.path === 'line 6')?.message).toContain('appears already on line 5');
    expect(details.find((detail) => detail.path === 'line 7')?.message).toContain('dateOfBirth');
    expect(details).toContainEqual({ path: 'group TL01-T1', message: 'would have 8 members; the fund allows at most 4' });
    expect(snapshot(test.database)).toBe(before);
  });
});

describe('a large file', () => {
  const groupsFile = (count: number, line: (index: number) => string = (index) => `TL-L${index},Tổ ${index},HB-TL-01,2025-01-05,5`) =>
    ['code,name,areaCode,formedOn,meetingDay', ...Array.from({ length: count }, (_, index) => line(index))].join('\n');
  const groupCount = async () => Number(test.database.sqlite.prepare("SELECT COUNT(*) FROM groups WHERE code LIKE 'TL-L%'").pluck().get());

  it('is written a thousand rows a transaction, with other writes between them', async () => {
    const villageId = (await fund.officer('GET', `/v1/groups/${fund.group.id}`)).json().areaId;
    const [reply, created] = await Promise.all([postCsv('groups', groupsFile(2_500)), fund.officer('POST', '/v1/groups', { code: 'TL-OTHER', name: 'Tổ khác', areaId: villageId, formedOn: '2025-01-05' })]);
    expect(reply.statusCode, reply.body).toBe(201);
    expect(reply.json().imported).toBe(2_500);
    expect(new Set(reply.json().ids).size).toBe(2_500);
    expect(created.statusCode).toBe(201);
    expect(await groupCount()).toBe(2_500);
    // One audit record a transaction, in the order they committed: the other request's write went in between.
    const trail: { action: string }[] = (await fund.auditor('GET', '/v1/audit-log?limit=4')).json().items;
    expect(trail.map((record) => record.action).reverse()).toEqual(['POST /imports/groups', 'POST /groups', 'POST /imports/groups', 'POST /imports/groups']);
  });

  it('writes nothing when a row after the first thousand is bad', async () => {
    const before = snapshot(test.database);
    const reply = await postCsv('groups', groupsFile(2_500, (index) => `TL-L${index},Tổ ${index},HB-TL-01,${index === 2_300 ? '2025-02-30' : '2025-01-05'},5`));
    expect(reply.statusCode).toBe(422);
    expect(reply.json().error).toMatchObject({ code: 'import_rows_invalid', details: [{ path: 'line 2302', message: 'formedOn: must be a real date, YYYY-MM-DD or dd/mm/yyyy' }] });
    expect(snapshot(test.database)).toBe(before);
  });

  it('stops where a change made meanwhile conflicts with it, and says which lines are in', async () => {
    const villageId = (await fund.officer('GET', `/v1/groups/${fund.group.id}`)).json().areaId;
    let chunks = 0;
    const attempt = importGroups(test.context, systemActor(), groupsFile(2_500), async (write) => {
      chunks += 1;
      // Between the first and the second chunk, someone creates a group with a code of line 1,502.
      if (chunks === 2) expect((await fund.officer('POST', '/v1/groups', { code: 'TL-L1500', name: 'Tổ khác', areaId: villageId, formedOn: '2025-01-05' })).statusCode).toBe(201);
      return write();
    });
    await expect(attempt).rejects.toMatchObject({
      code: 'import_interrupted',
      message: expect.stringContaining('1000 rows, up to line 1001, are in; from line 1002 on, nothing was imported'),
      details: [{ path: 'line 1502', message: 'code: a group with the code TL-L1500 exists already' }],
    });
    expect(await groupCount()).toBe(1_001);
  });
});
