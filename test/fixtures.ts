// A small fund to test against: a province with two communes and their villages, an officer for one commune,
// a group with members and its leader, and an auditor.
import { expect } from 'vitest';
import { adminPassword, asWithKeys as as, type Caller, login, type TestApp } from './helper.js';

export interface SmallFund {
  admin: Caller;
  officer: Caller;
  leader: Caller;
  auditor: Caller;
  otherOfficer: Caller;
  areas: { province: string; commune: string; village: string; otherCommune: string; otherVillage: string };
  officerId: string;
  group: { id: string; code: string };
  otherGroup: { id: string; code: string };
  memberIds: string[];
}

let nationalIdCounter = 100000000000;
export function nextNationalId(): string {
  nationalIdCounter += 1;
  return String(nationalIdCounter).padStart(12, '0');
}

export function memberInput(groupId: string, overrides: Record<string, unknown> = {}) {
  return {
    fullName: 'Nguyễn Thị Hoa',
    sex: 'female',
    dateOfBirth: '1985-04-12',
    nationalId: nextNationalId(),
    phone: '0912345678',
    ethnicity: '01',
    povertyStatus: 'poor',
    groupId,
    joinedOn: '2024-03-15',
    ...overrides,
  };
}

async function created(caller: Caller, url: string, payload: unknown): Promise<{ id: string } & Record<string, unknown>> {
  const response = await caller('POST', url, payload);
  expect(response.statusCode, response.body).toBe(201);
  return response.json();
}

export async function buildSmallFund(test: TestApp, memberCount = 3): Promise<SmallFund> {
  const admin = as(test.app, await login(test.app, 'admin', adminPassword));
  // Lending needs a group of the fund's fewest members (3 by default): these funds lend in groups of one or two, so
  // they allow one; the tests of that rule set it back.
  const settings = await admin('PATCH', '/v1/settings', { minGroupMembers: 1 });
  if (settings.statusCode !== 200) throw new Error(`cannot set the fewest group members: ${settings.body}`);
  const province = await created(admin, '/v1/areas', { code: 'HB', name: 'Tỉnh Hòa Bình', level: 'province' });
  const commune = await created(admin, '/v1/areas', { code: 'HB-TL', name: 'Xã Tân Lạc', level: 'commune', parentId: province.id });
  const village = await created(admin, '/v1/areas', { code: 'HB-TL-01', name: 'Thôn Đồng Bài', level: 'village', parentId: commune.id });
  const otherCommune = await created(admin, '/v1/areas', { code: 'HB-MC', name: 'Xã Mai Châu', level: 'commune', parentId: province.id });
  const otherVillage = await created(admin, '/v1/areas', { code: 'HB-MC-01', name: 'Bản Lác', level: 'village', parentId: otherCommune.id });

  const officerUser = await created(admin, '/v1/users', { username: 'lan.officer', password: 'officer-pass-1', fullName: 'Trần Thị Lan', role: 'officer', areaIds: [commune.id] });
  await created(admin, '/v1/users', { username: 'mai.officer', password: 'officer-pass-2', fullName: 'Lê Thị Mai', role: 'officer', areaIds: [otherCommune.id] });
  await created(admin, '/v1/users', { username: 'auditor', password: 'auditor-pass-1', fullName: 'Phạm Văn Kiểm', role: 'auditor' });
  const officer = as(test.app, await login(test.app, 'lan.officer', 'officer-pass-1'));
  const otherOfficer = as(test.app, await login(test.app, 'mai.officer', 'officer-pass-2'));
  const auditor = as(test.app, await login(test.app, 'auditor', 'auditor-pass-1'));

  const group = await created(officer, '/v1/groups', { code: 'TL01-T1', name: 'Tổ phụ nữ Đồng Bài 1', areaId: village.id, formedOn: '2024-03-01', meetingDay: 15 });
  const otherGroup = await created(otherOfficer, '/v1/groups', { code: 'MC01-T1', name: 'Tổ phụ nữ Bản Lác', areaId: otherVillage.id, formedOn: '2024-05-01', meetingDay: 5 });
  const memberIds: string[] = [];
  for (let index = 0; index < memberCount; index += 1) {
    memberIds.push((await created(officer, '/v1/members', memberInput(group.id, { fullName: `Hà Thị Thu ${index + 1}` }))).id);
  }
  await created(admin, '/v1/users', { username: 'thu.leader', password: 'leader-pass-1', fullName: 'Hà Thị Thu', role: 'leader', groupId: group.id });
  const leader = as(test.app, await login(test.app, 'thu.leader', 'leader-pass-1'));
  return {
    admin,
    officer,
    leader,
    auditor,
    otherOfficer,
    areas: { province: province.id, commune: commune.id, village: village.id, otherCommune: otherCommune.id, otherVillage: otherVillage.id },
    officerId: officerUser.id,
    group: { id: group.id, code: 'TL01-T1' },
    otherGroup: { id: otherGroup.id, code: 'MC01-T1' },
    memberIds,
  };
}

export const standardProduct = {
  code: 'TCVM-12',
  name: 'Vay vốn sản xuất 12 tháng',
  minPrincipal: '1000000',
  maxPrincipal: '30000000',
  minInstallments: 3,
  maxInstallments: 24,
  monthlyRate: '0.8',
  method: 'declining_equal_principal',
};

/** A product, and a loan on it for the fund's first member, disbursed on 2025-01-15 unless told otherwise. */
export async function disbursedLoan(
  fund: SmallFund,
  options: { product?: Record<string, unknown>; principal?: string; installments?: number; disbursedOn?: string; memberIndex?: number } = {},
): Promise<{ loanId: string; productId: string; loan: Record<string, unknown> & { schedule: { dueOn: string; principalDue: string; interestDue: string; totalDue: string }[] } }> {
  const productReply = await fund.admin('POST', '/v1/loan-products', { ...standardProduct, code: `P-${Math.random().toString(36).slice(2, 8)}`, ...options.product });
  expect(productReply.statusCode, productReply.body).toBe(201);
  const productId = productReply.json().id;
  const applied = await fund.officer('POST', '/v1/loans', {
    memberId: fund.memberIds[options.memberIndex ?? 0],
    productId,
    principal: options.principal ?? '10000000',
    installments: options.installments ?? 12,
    appliedOn: '2025-01-02',
    purpose: 'Nuôi lợn',
  });
  expect(applied.statusCode, applied.body).toBe(201);
  const loanId = applied.json().id;
  const approved = await fund.officer('POST', `/v1/loans/${loanId}/approve`, { decidedOn: '2025-01-10' });
  expect(approved.statusCode, approved.body).toBe(200);
  const disbursed = await fund.officer('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn: options.disbursedOn ?? '2025-01-15' });
  expect(disbursed.statusCode, disbursed.body).toBe(200);
  return { loanId, productId, loan: disbursed.json() };
}

/**
 * A small fund with books to read: two loans (one repaid on time at first, one with a repayment reversed and recorded
 * again), compulsory and voluntary savings with a withdrawal, and a loan left to fall past due.
 */
export async function fundWithBooks(test: TestApp): Promise<SmallFund & { loanIds: string[] }> {
  const fund = await buildSmallFund(test, 3);
  const first = await disbursedLoan(fund);
  const second = await disbursedLoan(fund, { memberIndex: 1, principal: '6000000', installments: 6, disbursedOn: '2025-03-10' });
  const posted = async (url: string, payload: unknown) => {
    const reply = await fund.officer('POST', url, payload);
    expect(reply.statusCode, reply.body).toBe(201);
    return reply.json();
  };
  for (const line of first.loan.schedule.slice(0, 2)) await posted(`/v1/loans/${first.loanId}/repayments`, { amount: line.totalDue, paidOn: line.dueOn });
  const mistaken = await posted(`/v1/loans/${second.loanId}/repayments`, { amount: '1500000', paidOn: '2025-04-10' });
  const reversed = await fund.officer('POST', `/v1/loans/${second.loanId}/transactions/${mistaken.transaction.id}/reverse`, { reason: 'entered twice' });
  expect(reversed.statusCode, reversed.body).toBe(200);
  await posted(`/v1/loans/${second.loanId}/repayments`, { amount: '1150000', paidOn: '2025-04-10' });
  const [member0, member1, member2] = fund.memberIds as [string, string, string];
  await posted(`/v1/members/${member0}/savings/compulsory/deposits`, { amount: '200000', paidOn: '2025-02-15' });
  await posted(`/v1/members/${member0}/savings/voluntary/deposits`, { amount: '500000', paidOn: '2025-02-20' });
  await posted(`/v1/members/${member0}/savings/voluntary/withdrawals`, { amount: '120000', paidOn: '2025-06-01' });
  await posted(`/v1/members/${member1}/savings/voluntary/deposits`, { amount: '75000', paidOn: '2025-03-10' });
  await posted(`/v1/members/${member2}/savings/voluntary/deposits`, { amount: '300000', paidOn: '2025-05-05' });
  return { ...fund, loanIds: [first.loanId, second.loanId] };
}
