// The dashboard reads the reports' own figures, and its series use the same definitions: the last point of the PAR30
// trend is the portfolio report's PAR30, and a month's repayments are the repayments booked in it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dashboard } from '../../src/modules/reports/dashboard.service.js';
import { portfolioReport } from '../../src/modules/reports/portfolio.service.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;
let fund: SmallFund;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  const { loanId } = await disbursedLoan(fund, { disbursedOn: '2026-02-15' });
  await disbursedLoan(fund, { memberIndex: 1, disbursedOn: '2026-09-15', principal: '6000000' });
  const repaid = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '1100000', paidOn: '2026-10-20' });
  expect(repaid.statusCode, repaid.body).toBe(201);
});
afterAll(async () => test.close());

describe('dashboard', () => {
  it('shows the portfolio report’s figures, twelve months of flows and PAR30 at each month end', () => {
    const actor = systemActor();
    const board = dashboard(test.context, actor);
    const portfolio = portfolioReport(test.context, actor, { asOf: board.asOf, from: `${board.asOf.slice(0, 8)}01`, to: board.asOf, format: 'json' });
    expect(board.asOf).toBe('2026-11-23');
    expect(board.figures.outstandingPrincipal).toBe(portfolio.totals.outstandingPrincipal);
    expect(board.figures.par30).toBe(portfolio.totals.par30);
    expect(board.parTrend).toHaveLength(12);
    expect(board.parTrend.at(-1)).toEqual({ date: '2026-11-23', par30: portfolio.totals.par30 });
    expect(board.parTrend[0]?.date).toBe('2025-12-31');
    expect(board.flows.map((flow) => flow.month)).toEqual(['2025-12', '2026-01', '2026-02', '2026-03', '2026-04', '2026-05', '2026-06', '2026-07', '2026-08', '2026-09', '2026-10', '2026-11']);
    expect(board.flows.find((flow) => flow.month === '2026-02')?.disbursed).toBe('10000000');
    expect(board.flows.find((flow) => flow.month === '2026-09')?.disbursed).toBe('6000000');
    expect(board.flows.find((flow) => flow.month === '2026-10')?.repaid).toBe('1100000');
    expect(board.figures.activeBorrowers).toBe(2);
    expect(board.debtGroups.reduce((sum, group) => sum + group.loans, 0)).toBe(2);
  });
});
