// Which group a member borrowing in two groups counts in rests on the order her loans are read: the as-of index's
// (to_day, from_day, loan). The whole fund's read must ask for that order, not get it from whichever path SQLite takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../src/domain/calendar.js';
import { activeBorrowersOn, groupOfEachMember } from '../../src/modules/reports/classification.repo.js';
import { buildSmallFund, disbursedLoan, type SmallFund, standardProduct } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;
let fund: SmallFund;
const day = parseIsoDate('2025-03-20') as number;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 1);
  const memberId = fund.memberIds[0] as string;
  // Her first loan, in her first group, falls due on the 15th; her second, after she moved, on the 1st. On 20 March the
  // second loan's segment ends first (2 April, against 16 April), though its rows were written after the first's.
  await disbursedLoan(fund, { disbursedOn: '2025-01-15' });
  const moved = await fund.admin('POST', `/v1/members/${memberId}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-02-01' });
  expect(moved.statusCode, moved.body).toBe(200);
  const product = await fund.admin('POST', '/v1/loan-products', { ...standardProduct, code: 'P-SECOND' });
  expect(product.statusCode, product.body).toBe(201);
  const applied = await fund.admin('POST', '/v1/loans', { memberId, productId: product.json().id, principal: '5000000', installments: 6, appliedOn: '2025-02-02', purpose: 'Dệt vải' });
  expect(applied.statusCode, applied.body).toBe(201);
  const loanId = applied.json().id;
  expect((await fund.admin('POST', `/v1/loans/${loanId}/approve`, { decidedOn: '2025-02-03' })).statusCode).toBe(200);
  const disbursed = await fund.admin('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn: '2025-02-05', firstDueOn: '2025-03-01' });
  expect(disbursed.statusCode, disbursed.body).toBe(200);
});
afterAll(async () => test.close());

describe('active borrowers over the whole fund', () => {
  it('count a member borrowing in two groups in the same group whichever path SQLite reads the segments by', () => {
    const memberId = fund.memberIds[0] as string;
    const withIndex = activeBorrowersOn(test.context.db, day, null);
    expect(withIndex.get(memberId)).toBe(fund.group.id);
    expect(activeBorrowersOn(test.context.db, day, [fund.group.id, fund.otherGroup.id])).toEqual(withIndex);

    // Without the as-of index SQLite scans the table in the order its rows were written.
    test.database.sqlite.exec('DROP INDEX loan_timeline_as_of_idx');
    const written = test.database.sqlite
      .prepare('SELECT member_id, group_id FROM loan_timeline_segments WHERE to_day > ? AND from_day <= ? AND principal_outstanding > 0 AND written_off = 0')
      .raw(true)
      .all(day, day) as [string, string][];
    // That order alone would count her in her second group: the case tells the two orders apart.
    expect(groupOfEachMember(written).get(memberId)).toBe(fund.otherGroup.id);
    expect(activeBorrowersOn(test.context.db, day, null)).toEqual(withIndex);
  });
});
