// Arrears, debt groups, provisions and the fund's reports, as of any date, checked number by number.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { addDays, formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import { adminPassword, asWithKeys, buildTestApp, login, refusedUnchanged, snapshot, type Caller, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, memberInput, type SmallFund } from '../fixtures.js';

let test: TestApp;
beforeEach(async () => {
  test = await buildTestApp();
});
afterEach(async () => {
  await test.close();
});

const plusDays = (date: string, days: number) => formatIsoDate(addDays(parseIsoDate(date) as number, days));

describe('arrears and classification', () => {
  let fund: SmallFund;
  let loanId: string;
  beforeEach(async () => {
    fund = await buildSmallFund(test, 2);
    ({ loanId } = await disbursedLoan(fund));
  });

  // Installment 1 falls due on 2025-02-15 and is never paid: on 2025-02-15 + N the loan is N days past due.
  it.each([
    [9, 1, 1, '1-30'],
    [10, 2, 2, '1-30'],
    [29, 2, 2, '1-30'],
    [30, 3, 2, '1-30'],
    [89, 3, 2, '61-90'],
    [90, 4, 2, '61-90'],
    [179, 4, 3, '91-180'],
    [180, 5, 3, '91-180'],
  ])('%i days past due: microfinance group %i, bank group %i, bucket %s', async (days, microfinance, bank, bucket) => {
    const asOf = plusDays('2025-02-15', days);
    const arrears = (await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=${asOf}`)).json();
    expect(arrears).toMatchObject({ daysPastDue: days, debtGroup: microfinance, debtGroupReason: 'days_past_due', agingBucket: bucket, oldestUnpaidDueOn: '2025-02-15' });
    // Provision: the group's share of the outstanding 10,000,000 (0 / 2 / 25 / 50 / 100 %).
    expect(arrears.provision).toBe({ 1: '0', 2: '200000', 3: '2500000', 4: '5000000', 5: '10000000' }[microfinance]);
    await fund.admin('PATCH', '/v1/settings', { debtGroupPreset: 'bank', provisionPreset: 'bank' });
    const asBank = (await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=${asOf}`)).json();
    expect(asBank.debtGroup).toBe(bank);
    expect(asBank.provision).toBe({ 1: '0', 2: '500000', 3: '2000000', 4: '5000000', 5: '10000000' }[bank]);
  });

  it('moves days past due to the next unpaid installment when the oldest is cleared, and keeps the past as it was', async () => {
    // On 2025-03-20 installments 1 and 2 are unpaid: 33 days past due (from 2025-02-15).
    expect((await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=2025-03-20`)).json()).toMatchObject({ daysPastDue: 33, overduePrincipal: '1666666', overdueInterest: String(81534 + 67507) });
    // Installment 1 paid on 2025-03-20 (with its penalty): installment 2, due 2025-03-15, is now the oldest: 5 days.
    await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '923467', paidOn: '2025-03-20' });
    expect((await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=2025-03-20`)).json()).toMatchObject({ daysPastDue: 5, oldestUnpaidDueOn: '2025-03-15' });
    // As of a date before the late payment, the loan still shows the arrears it had then.
    expect((await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=2025-03-10`)).json()).toMatchObject({ daysPastDue: 23, debtGroup: 2 });
    const arrearsList = (await fund.officer('GET', '/v1/reports/arrears?asOf=2025-03-10')).json();
    expect(arrearsList.items).toHaveLength(1);
    expect([arrearsList.count, arrearsList.nextCursor]).toEqual([1, null]);
    // 23 days late on 833,333: penalty 833,333 x 12.48 % x 23 / 365 = 6,553.4 -> 6,553.
    expect(arrearsList.items[0]).toMatchObject({ loanId, daysPastDue: 23, memberName: 'Hà Thị Thu 1', phone: '0912345678', overduePrincipal: '833333', overdueInterest: '81534', penalty: '6553', amountToCollect: String(833333 + 81534 + 6553) });
    // As of a day to come, each would be a projection in which nobody pays: refused.
    for (const url of [`/v1/loans/${loanId}/arrears?asOf=2099-01-01`, '/v1/reports/arrears?asOf=2099-01-01', '/v1/reports/portfolio?asOf=2099-01-01']) {
      const future = await fund.officer('GET', url);
      expect([future.statusCode, future.json().error.code, future.json().error.details[0].path], url).toEqual([422, 'date_in_future', 'asOf']);
    }
  });

  it('counts a rescheduled loan in PAR whatever its days, and raises its debt group', async () => {
    await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' });
    await fund.officer('POST', `/v1/loans/${loanId}/reschedule`, { effectiveOn: '2025-03-01', installments: 18, reason: 'Lũ' });
    const arrears = (await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=2025-03-05`)).json();
    expect(arrears).toMatchObject({ daysPastDue: 0, debtGroup: 2, debtGroupReason: 'rescheduling', rescheduleCount: 1 });
    const portfolio = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-03-05')).json();
    expect(portfolio.totals).toMatchObject({ outstandingPrincipal: '9166667', activeLoans: 1, par1: '100.00', par30: '100.00', par90: '100.00' });
  });

  it('reports the collection rate on time and including late, beside the cumulative repayment rate', async () => {
    await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' });
    // Installment 1 was paid on its due date: from the next day its principal has fallen due, and it was repaid.
    expect((await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-03-01')).json().totals.cumulativeRepaymentRate).toBe('100.00');
    // Installment 2 (900,840, due 2025-03-15) is paid five days late, with its penalty:
    // 833,333 x 12.48 % x 5 / 365 = 1,424.7 -> 1,425.
    const late = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: String(900840 + 1425), paidOn: '2025-03-20' });
    expect(late.json().allocation).toMatchObject({ principal: '833333', interest: '67507', penalty: '1425' });
    const portfolio = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-03-31&from=2025-02-01&to=2025-03-31')).json();
    // Fell due: 914,867 + 900,840 = 1,815,707; on time 914,867 (50.39 %); including late all of it.
    expect(portfolio.totals.collection).toEqual({ due: '1815707', paidOnTime: '914867', paidIncludingLate: '1815707', onTimeRate: '50.39', rateIncludingLate: '100.00' });
    // Principal fallen due by 31 March: 2 x 833,333, all repaid.
    expect(portfolio.totals.cumulativeRepaymentRate).toBe('100.00');
    // On 10 March installment 2 is not due yet and installment 1 was paid: still 100 %; on 18 March it is 3 days late.
    expect((await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-03-18')).json().totals).toMatchObject({ cumulativeRepaymentRate: '50.00', par1: '100.00', par30: '0.00' });
  });

  it('leaves out of the collection rate what fell due after a loan was written off', async () => {
    await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' });
    // Installment 2 (900,840, due 2025-03-15) is never paid; the loan is written off on 1 April.
    const writtenOff = await fund.admin('POST', `/v1/loans/${loanId}/write-off`, { writtenOffOn: '2025-04-01', reason: 'Lũ cuốn trôi chuồng trại' });
    expect(writtenOff.statusCode, writtenOff.body).toBe(200);
    // Installments 3 to 5 (due 15 April, May and June) fell due on no loan of the fund's books: only 1 and 2 count.
    const portfolio = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-06-30&from=2025-02-01&to=2025-06-30')).json();
    expect(portfolio.totals.collection).toEqual({ due: '1815707', paidOnTime: '914867', paidIncludingLate: '914867', onTimeRate: '50.39', rateIncludingLate: '50.39' });
    // Before the write-off the same range counted what had fallen due by then, as it did then.
    const before = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-03-31&from=2025-02-01&to=2025-03-31')).json();
    expect(before.totals.collection.due).toBe('1815707');
  });

  it('counts each installment as the schedule in force on its due date asked it: a later rescheduling leaves a past period as it was', async () => {
    const schedule = (await fund.officer('GET', `/v1/loans/${loanId}`)).json().schedule as { totalDue: string }[];
    // Installments 1 and 2 are paid on their due dates; 3 (901,278, due 15 April) and 4 (due 15 May) are missed.
    for (const [index, paidOn] of [[0, '2025-02-15'], [1, '2025-03-15']] as const) {
      expect((await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: schedule[index]?.totalDue, paidOn })).statusCode).toBe(201);
    }
    const spring = '/v1/reports/portfolio?asOf=2025-05-31&from=2025-04-01&to=2025-05-31';
    const fellDue = String(Number(schedule[2]?.totalDue) + Number(schedule[3]?.totalDue));
    const expected = { due: fellDue, paidOnTime: '0', paidIncludingLate: '0', onTimeRate: '0.00', rateIncludingLate: '0.00' };
    expect((await fund.officer('GET', spring)).json().totals.collection).toEqual(expected);
    // A flood: from 10 June what is owed is spread over 12 new installments. The new schedule keeps installments 3 and
    // 4 at what had been paid on them (nothing); they had fallen due all the same.
    const rescheduled = await fund.officer('POST', `/v1/loans/${loanId}/reschedule`, { effectiveOn: '2025-06-10', installments: 12, reason: 'Lũ quét' });
    expect(rescheduled.statusCode, rescheduled.body).toBe(200);
    expect((await fund.officer('GET', spring)).json().totals.collection).toEqual(expected);
    // The same spring asked as of a later day counts the same installments, still unpaid: the rescheduling paid nothing.
    expect((await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-08-31&from=2025-04-01&to=2025-05-31')).json().totals.collection).toEqual(expected);
  });

  it('leaves out of the collection rate what fell due after a loan was paid off early', async () => {
    await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '914867', paidOn: '2025-02-15' });
    const quote = (await fund.officer('GET', `/v1/loans/${loanId}/payoff?asOf=2025-03-01`)).json();
    const settled = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: quote.total, paidOn: '2025-03-01' });
    expect([settled.statusCode, (await fund.officer('GET', `/v1/loans/${loanId}`)).json().status]).toEqual([201, 'closed']);
    // Installments 2 and 3 (due 15 March and 15 April) fell due on no loan: it was settled, their interest waived.
    const spring = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-04-30&from=2025-03-01&to=2025-04-30')).json();
    expect(spring.totals.collection).toEqual({ due: '0', paidOnTime: '0', paidIncludingLate: '0', onTimeRate: null, rateIncludingLate: null });
    // February's installment was due while the loan was on the books, and paid on time.
    const february = (await fund.officer('GET', '/v1/reports/portfolio?asOf=2025-04-30&from=2025-02-01&to=2025-02-28')).json();
    expect(february.totals.collection).toMatchObject({ due: '914867', paidOnTime: '914867', onTimeRate: '100.00' });
  });

  it('refuses a collection period that ends after the report’s date, or starts after it ends', async () => {
    expect(await refusedUnchanged(test.database, () => fund.officer('GET', '/v1/reports/portfolio?asOf=2025-06-30&from=2025-01-01&to=2025-12-31'))).toEqual([400, 'invalid_request', 'to']);
    // From defaults to the first of asOf's month, here after the period's end.
    expect(await refusedUnchanged(test.database, () => fund.officer('GET', '/v1/reports/portfolio?asOf=2025-06-30&to=2025-01-01'))).toEqual([400, 'invalid_request', 'from']);
  });

  it('counts a member’s savings in the group she was in on the report’s day, whatever her moves after it', async () => {
    const memberId = fund.memberIds[1] as string;
    const deposit = await fund.officer('POST', `/v1/members/${memberId}/savings/voluntary/deposits`, { amount: '300000', paidOn: '2025-03-01' });
    expect(deposit.statusCode, deposit.body).toBe(201);
    const savingsIn = async (areaId: string) => (await fund.auditor('GET', `/v1/reports/portfolio?asOf=2025-06-30&areaId=${areaId}`)).json().totals.savings.voluntary;
    expect([await savingsIn(fund.areas.commune), await savingsIn(fund.areas.otherCommune)]).toEqual(['300000', '0']);
    const moved = await fund.admin('POST', `/v1/members/${memberId}/move`, { groupId: fund.otherGroup.id, movedOn: '2025-09-01' });
    expect(moved.statusCode, moved.body).toBe(200);
    expect([await savingsIn(fund.areas.commune), await savingsIn(fund.areas.otherCommune)]).toEqual(['300000', '0']);
    // From the day she moved, her savings are her new group's.
    const after = async (areaId: string) => (await fund.auditor('GET', `/v1/reports/portfolio?asOf=2025-09-30&areaId=${areaId}`)).json().totals.savings.voluntary;
    expect([await after(fund.areas.commune), await after(fund.areas.otherCommune)]).toEqual(['0', '300000']);
  });

  it('runs the month-end provision: the entry moves the provision account to what the portfolio requires', async () => {
    // On 2025-03-31 the loan is 44 days past due: group 3, 25 % of 10,000,000; general 0.5 % of groups 1-4: 50,000.
    const run = await fund.admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-03-31' });
    expect(run.statusCode, run.body).toBe(201);
    expect(run.json()).toMatchObject({ specific: '2500000', general: '50000', required: '2550000', previousBalance: '0', change: '2550000' });
    const trial = (await fund.auditor('GET', '/v1/ledger/trial-balance?asOf=2025-03-31')).json();
    expect(trial.accounts.find((account: { code: string }) => account.code === '2191').credit).toBe('2550000');
    expect(trial.accounts.find((account: { code: string }) => account.code === '8823').debit).toBe('2550000');
    // A month later the loan is 74 days past due, still group 3: nothing changes but nothing is posted twice.
    expect((await fund.admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-04-30' })).json()).toMatchObject({ required: '2550000', change: '0', journalEntryId: null });
    const notMonthEnd = await fund.admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-04-29' });
    expect([notMonthEnd.statusCode, notMonthEnd.json().error.details[0].path]).toEqual([400, 'asOf']);
    // An earlier month end after a later one would add its change beneath the later run's: refused, nothing posted.
    const before = snapshot(test.database, ['login_attempts']);
    const earlier = await fund.admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-03-31' });
    expect([earlier.statusCode, earlier.json().error.code, earlier.json().error.details[0].path]).toEqual([422, 'provision_before_last_run', 'asOf']);
    expect(snapshot(test.database, ['login_attempts'])).toBe(before);
    // The latest month end may be run again: it finds the account where the last run left it.
    expect((await fund.admin('POST', '/v1/ledger/provisions/run', { asOf: '2025-04-30' })).json()).toMatchObject({ previousBalance: '2550000', change: '0' });
  });

  it('takes a custom provision rate up to 100 percent of the outstanding principal, and no more', async () => {
    const rates = (worst: string) => ({ provisionPreset: 'custom', customProvisionRates: { specificPercent: ['0', '5', '20', '50', worst], generalPercent: '0.75' } });
    const refused = await fund.admin('PATCH', '/v1/settings', rates('100.0001'));
    expect([refused.statusCode, refused.json().error.code]).toEqual([400, 'invalid_request']);
    const taken = await fund.admin('PATCH', '/v1/settings', rates('100.0000'));
    expect(taken.statusCode, taken.body).toBe(200);
    expect(taken.json().customProvisionRates.specificPercent).toEqual(['0', '5', '20', '50', '100.0000']);
    // Rates that fall as debt worsens, or that with the general rate pass what was lent, are refused, nothing changed.
    for (const customProvisionRates of [
      { specificPercent: ['100', '0', '0', '0', '0'], generalPercent: '0' },
      { specificPercent: ['100', '100', '100', '100', '100'], generalPercent: '100' },
    ]) {
      const wrong = await refusedUnchanged(test.database, () => fund.admin('PATCH', '/v1/settings', { provisionPreset: 'custom', customProvisionRates }));
      expect(wrong).toEqual([422, 'settings_invalid', 'customProvisionRates']);
    }
    expect((await fund.admin('PATCH', '/v1/settings', { provisionPreset: 'microfinance' })).statusCode).toBe(200);
  });
});

describe('report requests that are wrong', () => {
  it.each([
    ['/v1/reports/outreach?from=2025-13-01&to=2025-06-30', 400, 'invalid_request'],
    ['/v1/reports/outreach?from=2025-07-01&to=2025-06-30', 400, 'invalid_request'],
    ['/v1/reports/outreach?from=2025-01-01&to=2025-06-30&groupBy=planet', 400, 'invalid_request'],
    ['/v1/reports/portfolio?asOf=2025-02-30', 400, 'invalid_request'],
    ['/v1/reports/portfolio?areaId=ar-nowhere', 404, 'area_not_found'],
    ['/v1/reports/arrears?cursor=abc', 400, 'invalid_request'],
    ['/v1/reports/arrears?limit=5000', 400, 'invalid_request'],
    ['/v1/loans/ln-nothing/arrears', 404, 'loan_not_found'],
  ])('%s → %i %s', async (url, status, code) => {
    const fund = await buildSmallFund(test, 1);
    const reply = await fund.auditor('GET', url);
    expect([reply.statusCode, reply.json().error.code]).toEqual([status, code]);
  });
});

describe('the outreach report', () => {
  it('counts a half-year number by number, for the fund and for one commune, beside the plan', async () => {
    const admin: Caller = asWithKeys(test.app, await login(test.app, 'admin', adminPassword));
    const create = async (url: string, body: unknown) => {
      const reply = await admin('POST', url, body);
      expect(reply.statusCode, reply.body).toBeLessThan(300);
      return reply.json();
    };
    // Its groups are of one and two members, which lend once the fund allows groups that small.
    expect((await admin('PATCH', '/v1/settings', { minGroupMembers: 1 })).statusCode).toBe(200);
    const province = await create('/v1/areas', { code: 'P', name: 'Tỉnh', level: 'province' });
    const communeOne = await create('/v1/areas', { code: 'C1', name: 'Xã Một', level: 'commune', parentId: province.id });
    const communeTwo = await create('/v1/areas', { code: 'C2', name: 'Xã Hai', level: 'commune', parentId: province.id });
    const villageOne = await create('/v1/areas', { code: 'V1', name: 'Thôn Một', level: 'village', parentId: communeOne.id });
    const villageTwo = await create('/v1/areas', { code: 'V2', name: 'Thôn Hai', level: 'village', parentId: communeTwo.id });
    const g1 = await create('/v1/groups', { code: 'G1', name: 'Tổ 1', areaId: villageOne.id, formedOn: '2025-02-01' });
    const g2 = await create('/v1/groups', { code: 'G2', name: 'Tổ 2', areaId: villageTwo.id, formedOn: '2024-11-01' });
    const g3 = await create('/v1/groups', { code: 'G3', name: 'Tổ 3', areaId: villageOne.id, formedOn: '2025-07-10' });
    const member = async (groupId: string, fullName: string, joinedOn: string, extra: Record<string, unknown> = {}) => (await create('/v1/members', memberInput(groupId, { fullName, joinedOn, ...extra }))).id as string;
    const a = await member(g1.id, 'A', '2025-02-05');
    const b = await member(g1.id, 'B', '2025-02-05', { ethnicity: '02', povertyStatus: 'near_poor' });
    await member(g1.id, 'Anh Ba', '2025-02-05', { sex: 'male', povertyStatus: 'other' });
    const c = await member(g2.id, 'C', '2025-03-01');
    const d = await member(g2.id, 'D', '2024-11-05');
    const f = await member(g2.id, 'F', '2024-11-05');
    const e = await member(g3.id, 'E', '2025-07-15');
    await admin('PATCH', `/v1/members/${f}`, { povertyStatus: 'recently_out_of_poverty', povertyStatusOn: '2025-04-01' });
    await admin('PATCH', `/v1/members/${d}`, { povertyStatus: 'other', povertyStatusOn: '2025-08-01' });

    const product = await create('/v1/loan-products', { code: 'P12', name: '12 tháng', minPrincipal: '1000000', maxPrincipal: '30000000', minInstallments: 12, maxInstallments: 12, monthlyRate: '0.8', method: 'declining_equal_principal' });
    const lend = async (memberId: string, principal: string, on: string) => {
      const loan = await create('/v1/loans', { memberId, productId: product.id, principal, installments: 12, appliedOn: on, purpose: 'x' });
      await create(`/v1/loans/${loan.id}/approve`, { decidedOn: on });
      await create(`/v1/loans/${loan.id}/disburse`, { disbursedOn: on });
    };
    await lend(a, '10000000', '2025-03-01');
    await lend(a, '5000000', '2025-05-01');
    await lend(b, '8000000', '2025-04-01');
    await lend(c, '6000000', '2025-06-30');
    await lend(d, '7000000', '2024-12-01');
    await lend(e, '9000000', '2025-07-20');
    await create('/v1/plans', { areaId: null, periodStart: '2025-01-01', periodEnd: '2025-06-30', targets: { groupsFormed: 2, borrowingMembers: 3, amountDisbursed: '40000000' } });

    const fundWide = (await admin('GET', '/v1/reports/outreach?from=2025-01-01&to=2025-06-30&groupBy=commune')).json();
    expect(fundWide.totals).toEqual({
      groupsFormed: 1, // G1; G2 was formed before, G3 after
      membersJoined: 4, // A, B and Anh Ba in G1, C in G2
      borrowingMembers: 3, // A (twice), B, C
      loansDisbursed: { count: 4, amount: String(10000000 + 5000000 + 8000000 + 6000000) },
      activeGroups: 2, // G1 and G2 on 30 June
      members: 6, // everyone but E, who joined in July
      activeBorrowers: 4, // A, B, C and D (lent in 2024, still owing)
      householdsOutOfPoverty: 1, // F, in April; D's change in August is outside
      poorOrNearPoorBorrowers: 3, // A and C poor, B near poor
    });
    expect(fundWide.splits.bySex.male).toEqual({ membersJoined: 1, borrowingMembers: 0, members: 1, activeBorrowers: 0 });
    expect(fundWide.splits.byEthnicity.minorities).toEqual({ membersJoined: 1, borrowingMembers: 1, members: 1, activeBorrowers: 1 });
    expect(fundWide.rows.map((row: { code: string; groupsFormed: number; members: number }) => [row.code, row.groupsFormed, row.members])).toEqual([
      ['C1', 1, 3],
      ['C2', 0, 3],
    ]);
    expect(fundWide.plan).toEqual([
      { metric: 'groupsFormed', areaId: null, target: '2', actual: '1', percentOfPlan: '50.0' },
      { metric: 'borrowingMembers', areaId: null, target: '3', actual: '3', percentOfPlan: '100.0' },
      { metric: 'amountDisbursed', areaId: null, target: '40000000', actual: '29000000', percentOfPlan: '72.5' },
    ]);

    const communeOnly = (await admin('GET', `/v1/reports/outreach?from=2025-01-01&to=2025-06-30&areaId=${communeOne.id}`)).json();
    expect(communeOnly.totals).toMatchObject({ groupsFormed: 1, membersJoined: 3, borrowingMembers: 2, loansDisbursed: { count: 3, amount: '23000000' }, activeGroups: 1, members: 3, activeBorrowers: 2, householdsOutOfPoverty: 0 });

    const csv = await admin('GET', '/v1/reports/outreach?from=2025-01-01&to=2025-06-30&groupBy=commune&format=csv');
    expect(csv.headers['content-type']).toContain('text/csv');
    expect(csv.body.startsWith('\uFEFF')).toBe(true);
    const lines = csv.body.slice(1).trim().split('\r\n');
    expect(lines[0]?.split(',').slice(0, 4)).toEqual(['row', 'code', 'name', 'groupsFormed']);
    expect(lines[1]).toContain('Xã Một');
    // The commune rows, the total, then the plan's targets and the percentages of plan in the same columns.
    expect(lines).toHaveLength(6);
    expect(lines[4]).toBe('plan,,2025-01-01 – 2025-06-30,2,,3,,40000000,,,,,');
    expect(lines[5]).toBe('percentOfPlan,,2025-01-01 – 2025-06-30,50.0,,100.0,,72.5,,,,,');

    const portfolio = (await admin('GET', '/v1/reports/portfolio?asOf=2025-06-30&from=2025-06-01&to=2025-06-30')).json();
    const control = (await admin('GET', '/v1/ledger/trial-balance?asOf=2025-06-30')).json().accounts.find((account: { code: string }) => account.code === '2111');
    expect(portfolio.totals.outstandingPrincipal).toBe(control.debit);
    expect(portfolio.totals.activeLoans).toBe(5);
  });
});
