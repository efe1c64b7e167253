// A member who borrowed in two groups in a period counts among the borrowing members of the group of her latest
// disbursement in it. That rests on the order the period's loans are read: by disbursement day, then loan. The read
// must ask for that order, not get it from whichever path SQLite takes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { outreachReport } from '../../src/modules/reports/outreach.service.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { buildSmallFund, type SmallFund, standardProduct } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;
let fund: SmallFund;
const period = { from: '2025-01-01', to: '2025-06-30', groupBy: 'group', format: 'json' } as const;

async function approvedLoan(memberId: string, code: string, appliedOn: string, principal: string): Promise<string> {
  const product = await fund.admin('POST', '/v1/loan-products', { ...standardProduct, code });
  expect(product.statusCode, product.body).toBe(201);
  const applied = await fund.admin('POST', '/v1/loans', { memberId, productId: product.json().id, principal, installments: 6, appliedOn, purpose: 'Chăn nuôi' });
  expect(applied.statusCode, applied.body).toBe(201);
  const loanId = applied.json().id as string;
  const approved = await fund.admin('POST', `/v1/loans/${loanId}/approve`, { decidedOn: appliedOn });
  expect(approved.statusCode, approved.body).toBe(200);
  return loanId;
}

async function disburse(loanId: string, disbursedOn: string): Promise<void> {
  const disbursed = await fund.admin('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn });
  expect(disbursed.statusCode, disbursed.body).toBe(200);
}

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 1);
  const memberId = fund.memberIds[0] as string;
  // Her first loan is applied for in her first group, and disbursed only after she has moved and borrowed in her new
  // group: its row was written first, its disbursement came last.
  const first = await approvedLoan(memberId, 'P-FIRST', '2025-01-05', '8000000');
  const moved = await fund.admin('POST', `/v1/members/${memberId}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-01-08' });
  expect(moved.statusCode, moved.body).toBe(200);
  const second = await approvedLoan(memberId, 'P-SECOND', '2025-01-09', '5000000');
  await disburse(second, '2025-01-12');
  await disburse(first, '2025-01-20');
});
afterAll(async () => test.close());

const borrowingMembersByGroup = () =>
  Object.fromEntries(outreachReport(test.context, systemActor(), period).rows.map((row) => [row.key, row.borrowingMembers]));

describe('borrowing members over the whole fund', () => {
  it('count a member who borrowed in two groups in the group of her latest disbursement, whichever path SQLite reads the loans by', () => {
    const withIndex = borrowingMembersByGroup();
    expect(withIndex).toEqual({ [fund.group.id]: 1, [fund.otherGroup.id]: 0 });

    // Without the index on the disbursement day SQLite scans the loans in the order their rows were written.
    test.database.sqlite.exec('DROP INDEX loans_disbursed_on_idx');
    const written = test.database.sqlite.prepare("SELECT group_id FROM loans WHERE disbursed_on >= '2025-01-01'").raw(true).all() as [string][];
    // That order's last loan is the one in her new group: the case tells the two orders apart.
    expect(written.at(-1)?.[0]).toBe(fund.otherGroup.id);
    expect(borrowingMembersByGroup()).toEqual(withIndex);
  });
});
