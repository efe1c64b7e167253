// A member leaving her group: she leaves the fund only with no loan still in its hands, neither moves nor leaves on a
// day before money of hers was recorded, and a loan she took before moving is collected where she now meets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, refusedUnchanged, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
let loanId: string;
let productId: string;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 4);
  ({ loanId, productId } = await disbursedLoan(fund));
});
afterAll(async () => {
  await test.close();
});

const unchanged = (request: () => ReturnType<SmallFund['officer']>) => refusedUnchanged(test.database, request);

describe('leaving the fund', () => {
  it('is refused while she has a loan being repaid, or an application not yet decided or disbursed', async () => {
    expect(await unchanged(() => fund.officer('POST', `/v1/members/${fund.memberIds[0]}/exit`, { leftOn: '2025-06-01', reason: 'chuyển đi' }))).toEqual([409, 'member_has_open_loans']);
    const applied = await fund.officer('POST', '/v1/loans', { memberId: fund.memberIds[1], productId, principal: '5000000', installments: 12, appliedOn: '2025-03-01', purpose: 'Buôn bán' });
    expect(applied.statusCode, applied.body).toBe(201);
    expect(await unchanged(() => fund.officer('POST', `/v1/members/${fund.memberIds[1]}/exit`, { leftOn: '2025-06-01', reason: 'x' }))).toEqual([409, 'member_has_open_loans']);
    // Withdrawn, the application no longer holds her; nor does a loan written off (it may still be recovered).
    expect((await fund.officer('POST', `/v1/loans/${applied.json().id}/withdraw`, { reason: 'đổi ý' })).statusCode).toBe(200);
    const left = await fund.officer('POST', `/v1/members/${fund.memberIds[1]}/exit`, { leftOn: '2025-06-01', reason: 'x' });
    expect(left.statusCode, left.body).toBe(200);
  });

  it('is refused on a day before money of hers was recorded', async () => {
    const deposited = await fund.officer('POST', `/v1/members/${fund.memberIds[2]}/savings/voluntary/deposits`, { amount: '100000', paidOn: '2025-05-10' });
    expect(deposited.statusCode, deposited.body).toBe(201);
    expect(await unchanged(() => fund.officer('POST', `/v1/members/${fund.memberIds[2]}/exit`, { leftOn: '2025-05-09', reason: 'x' }))).toEqual([422, 'date_before_member_activity', 'leftOn']);
    // On the day itself, or later, she leaves; her savings stay hers to withdraw.
    expect((await fund.officer('POST', `/v1/members/${fund.memberIds[2]}/exit`, { leftOn: '2025-05-10', reason: 'x' })).statusCode).toBe(200);
  });
});

describe('moving to another group', () => {
  it('is refused on a day before money of hers was recorded', async () => {
    const repaid = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' });
    expect(repaid.statusCode, repaid.body).toBe(201);
    expect(await unchanged(() => fund.admin('POST', `/v1/members/${fund.memberIds[0]}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-02-14' }))).toEqual([422, 'date_before_member_activity', 'movedOn']);
  });

  it('takes her loan to the meetings she now attends: her new group’s sheet lists it and posting it repays it', async () => {
    const moved = await fund.admin('POST', `/v1/members/${fund.memberIds[0]}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-03-01' });
    expect(moved.statusCode, moved.body).toBe(200);
    const oldSheet = (await fund.officer('GET', `/v1/groups/${fund.group.id}/collection-sheet?date=2025-03-15`)).json();
    expect(oldSheet.lines.map((line: { memberId: string }) => line.memberId)).not.toContain(fund.memberIds[0]);
    // Installment 2 (833,333 and 67,507 of interest on the 9,166,667 left) falls due on 2025-03-15.
    const newSheet = (await fund.otherOfficer('GET', `/v1/groups/${fund.otherGroup.id}/collection-sheet?date=2025-03-15`)).json();
    const line = newSheet.lines.find((candidate: { memberId: string }) => candidate.memberId === fund.memberIds[0]);
    expect(line?.loans, JSON.stringify(newSheet)).toMatchObject([{ loanId, principalDue: '833333', interestDue: '67507', totalDue: '900840' }]);
    expect(newSheet.totals.repaymentDue).toBe('900840');
    const posted = await fund.otherOfficer('POST', `/v1/groups/${fund.otherGroup.id}/collection-sheet`, { date: '2025-03-15', cashTotal: '900840', lines: [{ memberId: fund.memberIds[0], loanId, repayment: '900840' }] });
    expect(posted.statusCode, posted.body).toBe(201);
    const loan = (await fund.admin('GET', `/v1/loans/${loanId}?asOf=2025-03-15`)).json();
    expect(loan.schedule[1]).toMatchObject({ number: 2, principalOutstanding: '0', interestOutstanding: '0' });
  });
});
