// A fund with active loans, built through the API: what the benchmarks and the crash test start from.
import { addDays, addMonths, formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import type { App } from '../../src/http/app.js';

/** Dates from the fund's today: loans disbursed three months ago, so that payments dated today follow them. */
export function activeLoanDates(today: string): ActiveLoansPlan['dates'] {
  const todayNumber = parseIsoDate(today);
  if (todayNumber === null) throw new Error(`today (${today}) is not a date`);
  const disbursed = addMonths(todayNumber, -3);
  return {
    formedOn: formatIsoDate(addMonths(todayNumber, -24)),
    joinedOn: formatIsoDate(addMonths(todayNumber, -12)),
    appliedOn: formatIsoDate(addDays(disbursed, -14)),
    decidedOn: formatIsoDate(addDays(disbursed, -7)),
    disbursedOn: formatIsoDate(disbursed),
  };
}

export interface ActiveLoansPlan {
  loanCount: number;
  groupCount: number;
  dates: { formedOn: string; joinedOn: string; appliedOn: string; decidedOn: string; disbursedOn: string };
  onProgress?: (text: string) => void;
}

/** Areas, groups and members by CSV import, a product, then one loan per member applied, approved and disbursed. */
export async function seedActiveLoans(app: App, token: string, plan: ActiveLoansPlan): Promise<string[]> {
  const { loanCount, groupCount, dates } = plan;
  const membersPerGroup = Math.ceil(loanCount / groupCount);
  const progress = plan.onProgress ?? (() => undefined);
  const headers = { authorization: `Bearer ${token}` };
  const send = async (method: 'POST', url: string, payload: unknown, expected: number, extraHeaders: Record<string, string> = {}) => {
    const reply = await app.inject({ method, url, headers: { ...headers, ...extraHeaders }, payload: payload as object });
    if (reply.statusCode !== expected) throw new Error(`seeding: ${method} ${url} answered ${reply.statusCode}: ${reply.body.slice(0, 500)}`);
    return reply.json() as { id: string; ids?: string[] };
  };
  const csv = async (url: string, text: string) => {
    const reply = await app.inject({ method: 'POST', url, headers: { ...headers, 'content-type': 'text/csv' }, payload: text });
    if (reply.statusCode !== 201) throw new Error(`seeding: POST ${url} answered ${reply.statusCode}: ${reply.body.slice(0, 500)}`);
    return (reply.json() as { ids: string[] }).ids;
  };

  progress('seeding: areas, groups and members...');
  const province = await send('POST', '/v1/areas', { code: 'HB', name: 'Tỉnh Hòa Bình', level: 'province' }, 201);
  const commune = await send('POST', '/v1/areas', { code: 'HB-TL', name: 'Xã Tân Lạc', level: 'commune', parentId: province.id }, 201);
  await send('POST', '/v1/areas', { code: 'HB-TL-01', name: 'Thôn Đồng Bài', level: 'village', parentId: commune.id }, 201);
  const groupsCsv = ['code,name,areaCode,formedOn,meetingDay', ...Array.from({ length: groupCount }, (_, index) => `TL01-T${index + 1},Tổ phụ nữ Đồng Bài ${index + 1},HB-TL-01,${dates.formedOn},15`)];
  await csv('/v1/imports/groups', groupsCsv.join('\n'));
  const membersCsv = ['fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn,phone'];
  for (let index = 0; index < loanCount; index += 1) {
    const birthDay = String((index % 28) + 1).padStart(2, '0');
    membersCsv.push(`Nguyễn Thị Hoa ${index + 1},female,1982-04-${birthDay},${String(400000000000 + index)},01,poor,TL01-T${Math.floor(index / membersPerGroup) + 1},${dates.joinedOn},0912345678`);
  }
  const memberIds = await csv('/v1/imports/members', membersCsv.join('\n'));
  if (memberIds.length !== loanCount) throw new Error(`seeding: imported ${memberIds.length} members, expected ${loanCount}`);

  const product = await send(
    'POST',
    '/v1/loan-products',
    { code: 'TCVM-12', name: 'Vay vốn sản xuất 12 tháng', minPrincipal: '1000000', maxPrincipal: '30000000', minInstallments: 3, maxInstallments: 24, monthlyRate: '0.8', method: 'declining_equal_principal' },
    201,
  );
  const loanIds: string[] = [];
  for (const [index, memberId] of memberIds.entries()) {
    const loan = await send('POST', '/v1/loans', { memberId, productId: product.id, principal: '10000000', installments: 12, appliedOn: dates.appliedOn, purpose: 'Nuôi lợn' }, 201);
    await send('POST', `/v1/loans/${loan.id}/approve`, { decidedOn: dates.decidedOn }, 200);
    await send('POST', `/v1/loans/${loan.id}/disburse`, { disbursedOn: dates.disbursedOn }, 200, { 'idempotency-key': `seed-disburse-${index}` });
    loanIds.push(loan.id);
    if ((index + 1) % 25 === 0) progress(`seeding: ${index + 1}/${loanCount} loans disbursed`);
  }
  return loanIds;
}

