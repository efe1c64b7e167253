// Wrong money-moving requests: each a 4xx with a stable code, and the database exactly as it was.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildTestApp, snapshot, type Caller, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, standardProduct, type SmallFund } from '../fixtures.js';
import { insertProduct } from '../../src/modules/loans/loan.repo.js';

let test: TestApp;
let fund: SmallFund;
let loanId: string;
let appliedLoanId: string;
let approvedBigLoanId: string;
let approvedLoanId: string;
let reversedTransactionId: string;
let usedKeyBody: { amount: string; paidOn: string };
let productId: string;
let disbursementId: string;
/** A product lending in US dollars in this đồng fund, as one made before products had to lend in the fund's currency. */
const dollarProductId = 'lp-dollars';

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  const made = await disbursedLoan(fund);
  ({ loanId, productId } = made);
  disbursementId = (made.loan as unknown as { transactions: { id: string }[] }).transactions[0]?.id ?? '';
  const paid = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' }, { 'idempotency-key': 'used-key-0001' });
  usedKeyBody = { amount: '914867', paidOn: '2025-02-15' };
  const second = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2025-03-01' });
  reversedTransactionId = second.json().transaction.id;
  await fund.officer('POST', `/v1/loans/${loanId}/transactions/${reversedTransactionId}/reverse`, { reason: 'typo' });
  expect(paid.statusCode).toBe(201);
  appliedLoanId = (await fund.officer('POST', '/v1/loans', { memberId: fund.memberIds[1], productId, principal: '5000000', installments: 12, appliedOn: '2025-01-05', purpose: 'Buôn bán' })).json().id;
  await fund.admin('PATCH', '/v1/settings', { memberOutstandingCap: '12000000' });
  approvedBigLoanId = (await fund.officer('POST', '/v1/loans', { memberId: fund.memberIds[2], productId, principal: '10000000', installments: 12, appliedOn: '2025-01-05', purpose: 'Trồng trọt' })).json().id;
  await fund.officer('POST', `/v1/loans/${approvedBigLoanId}/approve`, { decidedOn: '2025-01-06' });
  approvedLoanId = (await fund.officer('POST', '/v1/loans', { memberId: fund.memberIds[1], productId, principal: '1000000', installments: 12, appliedOn: '2025-01-05', purpose: 'Chăn nuôi' })).json().id;
  expect((await fund.officer('POST', `/v1/loans/${approvedLoanId}/approve`, { decidedOn: '2025-01-06' })).statusCode).toBe(200);
  // The cap falls after approval: the disbursement, checked again, is refused.
  await fund.admin('PATCH', '/v1/settings', { memberOutstandingCap: '5000000' });
  await fund.officer('POST', `/v1/members/${fund.memberIds[0]}/savings/voluntary/deposits`, { amount: '100000', paidOn: '2025-01-20' });
  const { code: _code, name: _name, ...terms } = standardProduct;
  insertProduct(test.database.db, { id: dollarProductId, code: 'USD-1', name: 'Dollars', currency: 'USD', terms: JSON.stringify({ ...terms, minPrincipal: '100', maxPrincipal: '5000' }), status: 'active', createdAt: '2025-01-01T00:00:00.000Z', updatedAt: '2025-01-01T00:00:00.000Z' });
});
afterAll(async () => {
  await test.close();
});

interface Case {
  name: string;
  who: keyof Pick<SmallFund, 'admin' | 'officer' | 'leader' | 'auditor' | 'otherOfficer'>;
  method?: 'POST' | 'PATCH';
  url: () => string;
  payload: () => unknown;
  key?: string;
  status: number;
  code: string;
  field?: string;
}

const repayment = (amount: string, paidOn = '2025-03-15') => ({ amount, paidOn });

const cases: Case[] = [
  { name: 'repaying a loan not disbursed', who: 'officer', url: () => `/v1/loans/${appliedLoanId}/repayments`, payload: () => repayment('100000'), status: 422, code: 'loan_not_disbursed' },
  { name: 'an amount of 0', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('0'), status: 400, code: 'invalid_request', field: 'amount' },
  { name: 'a negative amount', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('-100000'), status: 400, code: 'invalid_request', field: 'body.amount' },
  { name: 'decimals in VND', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000.50'), status: 400, code: 'invalid_request', field: 'amount' },
  { name: 'an exponent', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('1e6'), status: 400, code: 'invalid_request', field: 'body.amount' },
  { name: 'an amount as a JSON number', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => ({ amount: 100000, paidOn: '2025-03-15' }), status: 400, code: 'invalid_request', field: 'body.amount' },
  { name: 'an empty amount', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment(''), status: 400, code: 'invalid_request', field: 'body.amount' },
  { name: 'paid in the future', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000', '2026-12-01'), status: 422, code: 'date_in_future', field: 'paidOn' },
  { name: 'paid before the disbursement', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000', '2025-01-14'), status: 422, code: 'date_before_disbursement', field: 'paidOn' },
  { name: 'paid on 2025-02-30', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000', '2025-02-30'), status: 400, code: 'invalid_request', field: 'body.paidOn' },
  { name: 'more than the payoff', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('50000000'), status: 422, code: 'exceeds_outstanding', field: 'amount' },
  { name: 'an unknown loan', who: 'officer', url: () => '/v1/loans/ln-nothing/repayments', payload: () => repayment('100000'), status: 404, code: 'loan_not_found' },
  { name: 'the same key with a different body', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => ({ ...usedKeyBody, amount: '914868' }), key: 'used-key-0001', status: 409, code: 'idempotency_key_reused' },
  { name: 'no idempotency key', who: 'officer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000'), key: '', status: 400, code: 'idempotency_key_required' },
  { name: 'approving twice', who: 'officer', url: () => `/v1/loans/${loanId}/approve`, payload: () => ({}), status: 409, code: 'loan_not_applied' },
  { name: 'disbursing an application not approved', who: 'officer', url: () => `/v1/loans/${appliedLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-20' }), status: 409, code: 'loan_not_approved' },
  { name: 'disbursing above the member cap', who: 'officer', url: () => `/v1/loans/${approvedBigLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-20' }), status: 422, code: 'member_cap_exceeded' },
  { name: 'a first due date before the disbursement', who: 'officer', url: () => `/v1/loans/${approvedBigLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-20', firstDueOn: '2025-01-10' }), status: 400, code: 'invalid_request', field: 'firstDueOn' },
  { name: 'a first due date two months after the disbursement', who: 'officer', url: () => `/v1/loans/${approvedLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-20', firstDueOn: '2025-03-20' }), status: 422, code: 'terms_outside_product', field: 'firstDueOn' },
  { name: 'rescheduling into more installments than the product lends', who: 'officer', url: () => `/v1/loans/${loanId}/reschedule`, payload: () => ({ effectiveOn: '2025-03-02', installments: 49, reason: 'lũ' }), status: 422, code: 'terms_outside_product', field: 'installments' },
  { name: 'deciding before the application', who: 'officer', url: () => `/v1/loans/${appliedLoanId}/approve`, payload: () => ({ decidedOn: '2025-01-04' }), status: 422, code: 'date_before_application', field: 'decidedOn' },
  { name: 'disbursing before the approval', who: 'officer', url: () => `/v1/loans/${approvedLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-05' }), status: 422, code: 'date_before_approval', field: 'disbursedOn' },
  { name: 'reversing twice', who: 'officer', url: () => `/v1/loans/${loanId}/transactions/${reversedTransactionId}/reverse`, payload: () => ({ reason: 'again' }), status: 409, code: 'transaction_already_reversed' },
  { name: 'reversing a disbursement', who: 'officer', url: () => `/v1/loans/${loanId}/transactions/${disbursementId}/reverse`, payload: () => ({ reason: 'x' }), status: 422, code: 'reversal_not_allowed' },
  { name: 'reversing an unknown transaction', who: 'officer', url: () => `/v1/loans/${loanId}/transactions/tx-nothing/reverse`, payload: () => ({ reason: 'x' }), status: 404, code: 'transaction_not_found' },
  { name: 'withdrawing more than the balance', who: 'officer', url: () => `/v1/members/${fund.memberIds[0]}/savings/voluntary/withdrawals`, payload: () => ({ amount: '100001', paidOn: '2025-03-01' }), status: 422, code: 'amount_exceeds_balance' },
  { name: 'withdrawing compulsory savings while owing', who: 'officer', url: () => `/v1/members/${fund.memberIds[0]}/savings/compulsory/withdrawals`, payload: () => ({ amount: '1', paidOn: '2025-03-01' }), status: 422, code: 'compulsory_savings_locked' },
  { name: 'applying savings dated before the disbursement', who: 'officer', url: () => `/v1/loans/${loanId}/apply-savings`, payload: () => ({ amount: '1000', paidOn: '2024-06-12' }), status: 422, code: 'date_before_disbursement', field: 'paidOn' },
  { name: 'applying savings to a current loan', who: 'officer', url: () => `/v1/loans/${loanId}/apply-savings`, payload: () => repayment('1000'), status: 422, code: 'compulsory_savings_locked' },
  { name: 'a loan outside the product’s limits', who: 'officer', url: () => '/v1/loans', payload: () => ({ memberId: fund.memberIds[1], productId, principal: '90000000', installments: 36, appliedOn: '2025-01-05', purpose: 'x' }), status: 422, code: 'terms_outside_product' },
  { name: 'a product with a multiplier above 1.50', who: 'admin', url: () => '/v1/loan-products', payload: () => ({ ...standardProduct, code: 'BAD-1', overdueMultiplier: '1.60' }), status: 422, code: 'product_invalid', field: 'overdueMultiplier' },
  { name: 'a product with two rates', who: 'admin', url: () => '/v1/loan-products', payload: () => ({ ...standardProduct, code: 'BAD-2', annualRate: '9.6' }), status: 422, code: 'product_invalid', field: 'annualRate' },
  { name: 'a product in another currency than the fund’s', who: 'admin', url: () => '/v1/loan-products', payload: () => ({ ...standardProduct, code: 'BAD-4', currency: 'USD' }), status: 422, code: 'product_invalid', field: 'currency' },
  { name: 'a loan on a product lending in another currency', who: 'officer', url: () => '/v1/loans', payload: () => ({ memberId: fund.memberIds[1], productId: dollarProductId, principal: '1000.50', installments: 12, appliedOn: '2025-01-05', purpose: 'x' }), status: 422, code: 'product_invalid', field: 'productId' },
  { name: 'a product above 100 % a year', who: 'admin', url: () => '/v1/loan-products', payload: () => ({ ...standardProduct, code: 'BAD-3', monthlyRate: '9' }), status: 422, code: 'product_invalid', field: 'monthlyRate' },
  { name: 'a leader repaying in another group', who: 'leader', url: () => `/v1/groups/${fund.otherGroup.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '0', lines: [{ memberId: fund.memberIds[0] }] }), status: 403, code: 'scope_forbidden' },
  { name: 'an officer repaying outside her area', who: 'otherOfficer', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000'), status: 403, code: 'scope_forbidden' },
  { name: 'a leader disbursing', who: 'leader', url: () => `/v1/loans/${approvedBigLoanId}/disburse`, payload: () => ({ disbursedOn: '2025-01-20' }), status: 403, code: 'role_forbidden' },
  { name: 'an auditor repaying', who: 'auditor', url: () => `/v1/loans/${loanId}/repayments`, payload: () => repayment('100000'), status: 403, code: 'role_forbidden' },
  { name: 'an auditor posting a sheet', who: 'auditor', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '0', lines: [{ memberId: fund.memberIds[0] }] }), status: 403, code: 'role_forbidden' },
  { name: 'an auditor closing a period', who: 'auditor', url: () => '/v1/ledger/periods/close', payload: () => ({ through: '2025-01-31' }), status: 403, code: 'role_forbidden' },
  { name: 'a sheet whose cash does not add up', who: 'leader', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '900841', lines: [{ memberId: fund.memberIds[0], repayment: '900840' }] }), status: 422, code: 'cash_total_mismatch', field: 'cashTotal' },
  { name: 'a sheet line for another group’s member', who: 'officer', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '1000', lines: [{ memberId: 'mb-elsewhere', voluntarySavings: '1000' }] }), status: 422, code: 'sheet_line_invalid', field: 'lines.0.memberId' },
  { name: 'a sheet with the same member twice', who: 'leader', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '2000', lines: [{ memberId: fund.memberIds[2], voluntarySavings: '1000' }, { memberId: fund.memberIds[2], voluntarySavings: '1000' }] }), status: 422, code: 'sheet_line_invalid', field: 'lines.1.memberId' },
  { name: 'a sheet line repaying too much', who: 'leader', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '90000000', lines: [{ memberId: fund.memberIds[0], repayment: '90000000' }] }), status: 422, code: 'exceeds_outstanding', field: 'lines.0.repayment' },
  { name: 'a sheet with no lines', who: 'leader', url: () => `/v1/groups/${fund.group.id}/collection-sheet`, payload: () => ({ date: '2025-03-15', cashTotal: '0', lines: [] }), status: 400, code: 'invalid_request' },
  { name: 'closing a period through today', who: 'admin', url: () => '/v1/ledger/periods/close', payload: () => ({ through: '2026-11-23' }), status: 422, code: 'date_in_future', field: 'through' },
  { name: 'rescheduling before the last repayment', who: 'officer', url: () => `/v1/loans/${loanId}/reschedule`, payload: () => ({ effectiveOn: '2025-02-01', installments: 6, reason: 'x' }), status: 422, code: 'date_before_reschedule', field: 'effectiveOn' },
  { name: 'writing off before the last repayment', who: 'officer', url: () => `/v1/loans/${loanId}/write-off`, payload: () => ({ writtenOffOn: '2025-02-01', reason: 'x' }), status: 422, code: 'date_before_reschedule', field: 'writtenOffOn' },
];

describe('money-moving bad input', () => {
  it.each(cases)('$name → $status $code, nothing changed', async (testCase) => {
    const before = snapshot(test.database, ['login_attempts']);
    const caller: Caller = fund[testCase.who];
    const headers: Record<string, string> = testCase.key === undefined ? {} : { 'idempotency-key': testCase.key };
    const response = await caller(testCase.method ?? 'POST', testCase.url(), testCase.payload(), headers);
    expect(response.statusCode, response.body).toBe(testCase.status);
    const error = response.json().error;
    expect(error.code).toBe(testCase.code);
    expect(error.message.length).toBeGreaterThan(10);
    if (testCase.field) expect(error.details.map((detail: { path: string }) => detail.path)).toContain(testCase.field);
    expect(snapshot(test.database, ['login_attempts'])).toBe(before);
  });
});
