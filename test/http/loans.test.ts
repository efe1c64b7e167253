// Worked loan scenarios with hand-checked numbers, through the API on a real SQLite file.
//
// The loan in every scenario: 10,000,000 VND at 0.8 %/month (x12 = 9.6 %/year), 12 monthly installments of equal
// principal, declining balance, actual/365, disbursed 2025-01-15. By hand:
//   installment 1, due 2025-02-15: principal 10,000,000 / 12 = 833,333; interest 10,000,000 x 9.6 % x 31 / 365
//     = 81,534.2 -> 81,534; total 914,867.
//   installment 2, due 2025-03-15: balance 9,166,667 x 9.6 % x 28 / 365 = 67,506.9 -> 67,507; total 900,840.
//   installment 3, due 2025-04-15: balance 8,333,334 x 9.6 % x 31 / 365 = 67,945.2 -> 67,945; total 901,278.
//   installment 12 takes the remainder of the principal: 10,000,000 - 11 x 833,333 = 833,337.
// Penalty interest on overdue principal: 1.30 x 9.6 % = 12.48 % a year, actual days / 365.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildTestApp, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, memberInput, type SmallFund } from '../fixtures.js';

let test: TestApp;
let fund: SmallFund;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
});
afterEach(async () => {
  await test.close();
});

const repay = (loanId: string, amount: string, paidOn: string, headers: Record<string, string> = {}) => fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount, paidOn }, headers);
const balanceOf = async (code: string, asOf = '2026-11-22') => {
  const trial = (await fund.auditor('GET', `/v1/ledger/trial-balance?asOf=${asOf}`)).json();
  const account = trial.accounts.find((candidate: { code: string }) => candidate.code === code);
  return { debit: account.debit as string, credit: account.credit as string };
};
const reconciled = async (asOf = '2026-11-22') => (await fund.auditor('GET', `/v1/ledger/reconciliation?asOf=${asOf}`)).json().ok as boolean;

describe('the schedule frozen at disbursement', () => {
  it('matches the hand-checked installments and books the disbursement', async () => {
    const { loan } = await disbursedLoan(fund);
    expect(loan.status).toBe('active');
    expect(loan.schedule.slice(0, 3).map((line) => [line.dueOn, line.principalDue, line.interestDue, line.totalDue])).toEqual([
      ['2025-02-15', '833333', '81534', '914867'],
      ['2025-03-15', '833333', '67507', '900840'],
      ['2025-04-15', '833333', '67945', '901278'],
    ]);
    expect(loan.schedule[11]?.principalDue).toBe('833337');
    expect(await balanceOf('2111')).toEqual({ debit: '10000000', credit: '0' });
    expect(await balanceOf('1011')).toEqual({ debit: '0', credit: '10000000' });
  });

  it('withholds the product’s compulsory savings from the disbursement', async () => {
    const { loanId } = await disbursedLoan(fund, { product: { compulsorySavingsPercentOfPrincipal: '5' } });
    // 5 % of 10,000,000 = 500,000 stays as compulsory savings; 9,500,000 leaves the cash box.
    expect(await balanceOf('1011')).toEqual({ debit: '0', credit: '9500000' });
    expect(await balanceOf('4211')).toEqual({ debit: '0', credit: '500000' });
    const savings = (await fund.officer('GET', `/v1/members/${fund.memberIds[0]}/savings`)).json();
    expect(savings.balances.compulsory).toBe('500000');
    expect(savings.transactions[0].loanId).toBe(loanId);
    expect(await reconciled()).toBe(true);
  });
});

describe('repayments', () => {
  it('repaid on time: twelve installments close the loan, and interest income is the schedule’s interest', async () => {
    const { loanId, loan } = await disbursedLoan(fund);
    let interest = 0n;
    for (const line of loan.schedule) {
      const reply = await repay(loanId, line.totalDue, line.dueOn);
      expect(reply.statusCode, reply.body).toBe(201);
      expect(reply.json().allocation).toMatchObject({ principal: line.principalDue, interest: line.interestDue, penalty: '0' });
      interest += BigInt(line.interestDue);
    }
    const after = (await fund.officer('GET', `/v1/loans/${loanId}`)).json();
    expect(after.status).toBe('closed');
    expect(after.closedOn).toBe(loan.schedule[11]?.dueOn);
    expect(after.balances.principalOutstanding).toBe('0');
    expect(await balanceOf('2111')).toEqual({ debit: '0', credit: '0' });
    expect(await balanceOf('7021')).toEqual({ debit: '0', credit: interest.toString() });
    expect(await reconciled()).toBe(true);
    // Nothing remains: money on the closed loan is refused as such.
    const more = await repay(loanId, '1000', '2026-11-20');
    expect([more.statusCode, more.json().error.code]).toEqual([422, 'loan_closed']);
  });

  it('paid 20 days late: penalty on the overdue principal, collected after principal and interest', async () => {
    const { loanId } = await disbursedLoan(fund);
    // As of 2025-03-06 installment 1 (due 2025-02-15) is 19 days past due.
    expect((await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-03-06`)).json().balances).toMatchObject({ daysPastDue: 19, overduePrincipal: '833333', overdueInterest: '81534' });
    // Paid on 2025-03-07, 20 days late: penalty 833,333 x 12.48 % x 20 / 365 = 5,698.6 -> 5,699.
    const payoff = (await fund.officer('GET', `/v1/loans/${loanId}/payoff?asOf=2025-03-07`)).json();
    expect(payoff.penalty).toBe('5699');
    const reply = await repay(loanId, '920566', '2025-03-07');
    expect(reply.json().allocation).toEqual({ principal: '833333', interest: '81534', penalty: '5699', lateInterest: '0', creditAdded: '0', creditUsed: '0' });
    expect(await balanceOf('7022')).toEqual({ debit: '0', credit: '5699' });
    expect((await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-03-07`)).json().balances.daysPastDue).toBe(0);
  });

  it('paid in part, then the rest: the second payment clears principal first, then the penalty', async () => {
    const { loanId } = await disbursedLoan(fund);
    // 500,000 on the due date: a current loan pays interest first, 81,534, then principal 418,466.
    expect((await repay(loanId, '500000', '2025-02-15')).json().allocation).toMatchObject({ principal: '418466', interest: '81534' });
    // 414,867 of principal is then overdue; on 2025-02-20, 5 days later: 414,867 x 12.48 % x 5 / 365 = 709.2 -> 709.
    const rest = await repay(loanId, '415576', '2025-02-20');
    expect(rest.json().allocation).toMatchObject({ principal: '414867', interest: '0', penalty: '709' });
    const detail = (await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-02-20`)).json();
    expect(detail.schedule[0]).toMatchObject({ principalPaid: '833333', interestPaid: '81534', principalOutstanding: '0' });
    expect(detail.balances.daysPastDue).toBe(0);
  });

  it('overpaid: the next installment is paid in advance and the rest prepays the last installment’s principal', async () => {
    const { loanId } = await disbursedLoan(fund);
    // 2,000,000 on 2025-02-15: installment 1 (914,867), installment 2 in advance (900,840), and 184,293 of
    // installment 12's principal: 2,000,000 - 914,867 - 900,840 = 184,293.
    const reply = await repay(loanId, '2000000', '2025-02-15');
    expect(reply.json().allocation).toMatchObject({ principal: String(833333 + 833333 + 184293), interest: String(81534 + 67507) });
    const detail = (await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-02-15`)).json();
    expect(detail.schedule[11]).toMatchObject({ principalPaid: '184293', principalOutstanding: String(833337 - 184293) });
    expect(detail.balances.principalOutstanding).toBe(String(10000000 - 1850959));
  });

  it('under hold_credit pays the next installments ahead, so a member who paid ahead is never late on them', async () => {
    const { loanId } = await disbursedLoan(fund, { product: { overpayment: 'hold_credit' } });
    // Installments 1 and 2, then the 184,293 left on installment 3 (901,278): its interest 67,945, then 116,348 of principal.
    const first = await repay(loanId, '2000000', '2025-02-15');
    expect(first.json().allocation).toMatchObject({ creditAdded: '0', principal: '1783014', interest: '216986' });
    const schedule = (await fund.officer('GET', `/v1/loans/${loanId}`)).json().schedule as { principalPaid: string; interestPaid: string }[];
    expect(schedule[2]).toMatchObject({ interestPaid: '67945', principalPaid: '116348' });
    expect(await balanceOf('4591')).toEqual({ debit: '0', credit: '0' });
    // Installment 2 fell due on 2025-03-15, paid: nothing is overdue and no penalty runs before installment 3's date.
    const between = (await fund.officer('GET', `/v1/loans/${loanId}/arrears?asOf=2025-04-01`)).json();
    expect(between).toMatchObject({ daysPastDue: 0, debtGroup: 1, overduePrincipal: '0', penaltyAccrued: '0' });
    // Installment 3 on its due date: the 716,985 still owed on it, all principal.
    const third = await repay(loanId, '716985', '2025-04-15');
    expect(third.json().allocation).toMatchObject({ creditUsed: '0', principal: '716985', interest: '0' });
    expect(await reconciled()).toBe(true);
  });

  it('a payoff mid-period closes the loan with interest to date and waives the rest', async () => {
    const { loanId } = await disbursedLoan(fund);
    await repay(loanId, '914867', '2025-02-15');
    // On 2025-03-01: principal 9,166,667; interest for 14 days 9,166,667 x 9.6 % x 14 / 365 = 33,753.4 -> 33,753.
    const quote = (await fund.officer('GET', `/v1/loans/${loanId}/payoff?asOf=2025-03-01`)).json();
    expect(quote).toMatchObject({ principal: '9166667', interest: '33753', penalty: '0', total: '9200420' });
    const too = await repay(loanId, '9200421', '2025-03-01');
    expect([too.statusCode, too.json().error.code]).toEqual([422, 'exceeds_outstanding']);
    const paid = await repay(loanId, '9200420', '2025-03-01');
    expect(paid.json().loanStatus).toBe('closed');
    const detail = (await fund.officer('GET', `/v1/loans/${loanId}`)).json();
    expect(detail.status).toBe('closed');
    expect(detail.schedule[1]).toMatchObject({ interestPaid: '33753', interestWaived: String(67507 - 33753) });
    expect(await balanceOf('2111')).toEqual({ debit: '0', credit: '0' });
  });

  it('a backdated repayment re-splits the later one, whose entry is reversed and re-posted', async () => {
    const { loanId } = await disbursedLoan(fund);
    await repay(loanId, '914867', '2025-02-15');
    // Recorded first: 900,840 on 2025-04-01, when installment 2 (due 2025-03-15) is overdue: it pays its principal and interest.
    const later = await repay(loanId, '900840', '2025-04-01');
    expect(later.json().allocation).toMatchObject({ principal: '833333', interest: '67507', penalty: '0' });
    // The leader then brings the 2025-03-15 meeting's payment: installment 2 was paid on time after all, so the
    // 2025-04-01 payment becomes an advance on installment 3: interest 67,945 and principal 900,840 - 67,945 = 832,895.
    const earlier = await repay(loanId, '900840', '2025-03-15');
    expect(earlier.json().allocation).toMatchObject({ principal: '833333', interest: '67507' });
    expect(earlier.json().reposted).toEqual([
      { transactionId: later.json().transaction.id, allocation: { principal: '832895', interest: '67945', penalty: '0', lateInterest: '0', creditAdded: '0', creditUsed: '0' } },
    ]);
    const journal = (await fund.auditor('GET', '/v1/ledger/journal?from=2025-04-01&to=2025-04-01')).json();
    expect(journal.items.map((entry: { kind: string }) => entry.kind)).toEqual(['repayment', 'reversal', 'repayment']);
    expect(await reconciled()).toBe(true);
    expect((await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-04-01`)).json().balances.daysPastDue).toBe(0);
  });

  it('a reversal posts the mirror entry, restores the balance, and cannot be done twice', async () => {
    const { loanId } = await disbursedLoan(fund);
    const paid = await repay(loanId, '914867', '2025-02-15');
    const transactionId = paid.json().transaction.id;
    const reversed = await fund.officer('POST', `/v1/loans/${loanId}/transactions/${transactionId}/reverse`, { reason: 'nhập nhầm số tiền' });
    expect(reversed.statusCode, reversed.body).toBe(200);
    expect(reversed.json().loan.balances.principalOutstanding).toBe('10000000');
    expect(reversed.json().loan.transactions.find((transaction: { id: string }) => transaction.id === transactionId)).toMatchObject({ reversed: true, reversalReason: 'nhập nhầm số tiền' });
    const journal = (await fund.auditor('GET', '/v1/ledger/journal?from=2025-02-15&to=2025-02-15')).json();
    const [original, mirror] = journal.items;
    expect(mirror.reversesEntryId).toBe(original.id);
    expect(mirror.lines.map((line: { debit: string; credit: string }) => [line.debit, line.credit])).toEqual(original.lines.map((line: { debit: string; credit: string }) => [line.credit, line.debit]));
    const twice = await fund.officer('POST', `/v1/loans/${loanId}/transactions/${transactionId}/reverse`, { reason: 'again' });
    expect([twice.statusCode, twice.json().error.code]).toEqual([409, 'transaction_already_reversed']);
    expect(await reconciled()).toBe(true);
  });
});

describe('rescheduling, write-off and recovery', () => {
  it('reschedules after a flood: a new version for what is owed, the old one kept, the count raised', async () => {
    const { loanId } = await disbursedLoan(fund);
    await repay(loanId, '914867', '2025-02-15');
    await repay(loanId, '900840', '2025-03-15');
    // Installment 3 (due 2025-04-15) is not paid: the flood. On 2025-05-01 the outstanding 8,333,334 is spread over
    // 12 new installments, and installment 3's unpaid interest (67,945) is deferred into the first of them.
    const rescheduled = await fund.officer('POST', `/v1/loans/${loanId}/reschedule`, { effectiveOn: '2025-05-01', installments: 12, reason: 'Lũ lụt tháng 4/2025' });
    expect(rescheduled.statusCode, rescheduled.body).toBe(200);
    const loan = rescheduled.json();
    expect(loan.rescheduleCount).toBe(1);
    expect(loan.scheduleVersion).toBe(2);
    const versions = (await fund.officer('GET', `/v1/loans/${loanId}/schedules`)).json().versions;
    expect(versions).toHaveLength(2);
    expect(versions[0].installments).toHaveLength(12);
    const second = versions[1].installments;
    expect(second.slice(0, 3).map((line: { principalDue: string }) => line.principalDue)).toEqual(['833333', '833333', '0']);
    // New installment 1, due 2025-06-01: 8,333,334 / 12 = 694,444.5 -> 694,445 (half up); interest 8,333,334 x 9.6 % x 31 / 365 = 67,945.2 -> 67,945, plus 67,945 deferred.
    expect(second[3]).toMatchObject({ number: 4, dueOn: '2025-06-01', principalDue: '694445', interestDue: String(67945 + 67945) });
    expect(second.slice(3).reduce((sum: bigint, line: { principalDue: string }) => sum + BigInt(line.principalDue), 0n)).toBe(8333334n);
    expect((await fund.officer('GET', `/v1/loans/${loanId}?asOf=2025-05-02`)).json().balances.daysPastDue).toBe(0);
    const before = await repay(loanId, '100000', '2025-04-20');
    expect([before.statusCode, before.json().error.code]).toEqual([422, 'date_before_reschedule']);
    // The rescheduling counted what was paid by the end of its day: money dated that day, recorded later, goes to the next day.
    const sameDay = await repay(loanId, '100000', '2025-05-01');
    expect([sameDay.statusCode, sameDay.json().error.code, sameDay.json().error.details[0].path]).toEqual([422, 'date_before_reschedule', 'paidOn']);
    expect((await repay(loanId, '100000', '2025-05-02')).statusCode).toBe(201);
  });

  it('writes off the outstanding principal against the provision, then books money received as a recovery', async () => {
    const { loanId } = await disbursedLoan(fund);
    await repay(loanId, '914867', '2025-02-15');
    const writtenOff = await fund.officer('POST', `/v1/loans/${loanId}/write-off`, { writtenOffOn: '2025-09-30', reason: 'Thành viên bỏ đi, không liên lạc được' });
    expect(writtenOff.statusCode, writtenOff.body).toBe(200);
    expect(writtenOff.json()).toMatchObject({ status: 'written_off', writtenOffOn: '2025-09-30' });
    expect(await balanceOf('2111')).toEqual({ debit: '0', credit: '0' });
    expect(await balanceOf('2191')).toEqual({ debit: '9166667', credit: '0' });
    const beforeWriteOff = await repay(loanId, '1000000', '2025-09-01');
    expect([beforeWriteOff.statusCode, beforeWriteOff.json().error.code]).toEqual([422, 'loan_written_off']);
    const recovery = await repay(loanId, '1000000', '2025-11-10');
    expect(recovery.statusCode, recovery.body).toBe(201);
    expect(recovery.json().transaction.type).toBe('recovery');
    expect(await balanceOf('7091')).toEqual({ debit: '0', credit: '1000000' });
    expect((await fund.officer('GET', `/v1/loans/${loanId}`)).json().balances.recovered).toBe('1000000');
    expect(await reconciled()).toBe(true);
    // Compulsory savings may be applied to a written-off loan (and only then, or when 90+ days past due).
    await fund.officer('POST', `/v1/members/${fund.memberIds[0]}/savings/compulsory/deposits`, { amount: '300000', paidOn: '2025-01-20' });
    // Written off, the debt is off the books but still hers: her compulsory savings stay, for applying to it.
    const withdraw = () => fund.officer('POST', `/v1/members/${fund.memberIds[0]}/savings/compulsory/withdrawals`, { amount: '100000', paidOn: '2025-11-12' });
    const unchanged = snapshot(test.database);
    const locked = await withdraw();
    expect([locked.statusCode, locked.json().error.code]).toEqual([422, 'compulsory_savings_locked']);
    // 9,166,667 written off, 1,000,000 recovered.
    expect(locked.json().error.message).toContain('8166667 VND');
    expect(snapshot(test.database)).toBe(unchanged);
    const applied = await fund.officer('POST', `/v1/loans/${loanId}/apply-savings`, { amount: '300000', paidOn: '2025-11-15' });
    expect(applied.statusCode, applied.body).toBe(201);
    expect((await fund.officer('GET', `/v1/members/${fund.memberIds[0]}/savings`)).json().balances.compulsory).toBe('0');
    expect(await balanceOf('7091')).toEqual({ debit: '0', credit: '1300000' });
    expect(await reconciled()).toBe(true);
    // Once the written-off principal is recovered, her savings are hers to take again.
    expect((await repay(loanId, '7866667', '2025-11-20')).statusCode).toBe(201);
    await fund.officer('POST', `/v1/members/${fund.memberIds[0]}/savings/compulsory/deposits`, { amount: '100000', paidOn: '2025-11-20' });
    expect((await fund.officer('POST', `/v1/members/${fund.memberIds[0]}/savings/compulsory/withdrawals`, { amount: '100000', paidOn: '2025-11-21' })).statusCode).toBe(201);
  });
});

describe('applying', () => {
  it('lends only in a group of the fund’s fewest members, and lends there again once it has them', async () => {
    const productId = (await disbursedLoan(fund, { memberIndex: 0 })).productId;
    expect((await fund.admin('PATCH', '/v1/settings', { minGroupMembers: 4 })).statusCode).toBe(200);
    const application = { memberId: fund.memberIds[1], productId, principal: '10000000', installments: 12, appliedOn: '2025-01-02', purpose: 'Chăn nuôi' };
    const before = snapshot(test.database);
    const refused = await fund.officer('POST', '/v1/loans', application);
    expect([refused.statusCode, refused.json().error.code, refused.json().error.details[0].path]).toEqual([422, 'group_too_small', 'memberId']);
    expect(snapshot(test.database)).toBe(before);
    await fund.officer('POST', '/v1/members', memberInput(fund.group.id, { fullName: 'Thành viên thứ tư' }));
    const lent = await fund.officer('POST', '/v1/loans', application);
    expect(lent.statusCode, lent.body).toBe(201);
  });
});

describe('a member who moves', () => {
  it('takes her loan to her new group’s officer and leader, who see and collect it; it stays where it was made too', async () => {
    const { loanId } = await disbursedLoan(fund, { memberIndex: 0 });
    const memberId = fund.memberIds[0] as string;
    expect((await fund.otherOfficer('GET', `/v1/loans/${loanId}`)).statusCode).toBe(403);
    const moved = await fund.admin('POST', `/v1/members/${memberId}/move`, { groupId: fund.otherGroup.id, movedOn: '2026-11-20' });
    expect(moved.statusCode, moved.body).toBe(200);
    // Her new officer sees the loan, lists it, and records a repayment on it, as her new group's meeting sheet does.
    expect((await fund.otherOfficer('GET', `/v1/loans/${loanId}`)).statusCode).toBe(200);
    const listed = (await fund.otherOfficer('GET', `/v1/loans?memberId=${memberId}`)).json() as { items: { id: string }[] };
    expect(listed.items.map((item) => item.id)).toEqual([loanId]);
    expect((await fund.otherOfficer('POST', `/v1/loans/${loanId}/repayments`, { amount: '100000', paidOn: '2026-11-21' })).statusCode).toBe(201);
    // The officer of the group it was made in still sees it: the reports count it there.
    expect((await fund.officer('GET', `/v1/loans/${loanId}`)).statusCode).toBe(200);
    // Someone else's loan stays out of reach.
    const { loanId: stayed } = await disbursedLoan(fund, { memberIndex: 1 });
    expect((await fund.otherOfficer('GET', `/v1/loans/${stayed}`)).statusCode).toBe(403);
    expect(((await fund.otherOfficer('GET', '/v1/loans')).json() as { items: { id: string }[] }).items.map((item) => item.id)).toEqual([loanId]);
  });
});

describe('the collection sheet', () => {
  it('lists what 20 members owe, posts the meeting at once, and posts it once however often it is sent', async () => {
    for (let index = fund.memberIds.length; index < 20; index += 1) {
      const reply = await fund.officer('POST', '/v1/members', memberInput(fund.group.id, { fullName: `Thành viên ${index + 1}` }));
      fund.memberIds.push(reply.json().id);
    }
    const loanIds: string[] = [];
    const productReply = await fund.admin('POST', '/v1/loan-products', { code: 'SHEET', name: 'Vay 12 tháng', minPrincipal: '1000000', maxPrincipal: '30000000', minInstallments: 12, maxInstallments: 12, monthlyRate: '0.8', method: 'declining_equal_principal', compulsorySavingsPerInstallment: '20000' });
    expect(productReply.statusCode, productReply.body).toBe(201);
    for (const memberId of fund.memberIds) {
      const applied = await fund.officer('POST', '/v1/loans', { memberId, productId: productReply.json().id, principal: '10000000', installments: 12, appliedOn: '2025-01-02', purpose: 'Chăn nuôi' });
      expect(applied.statusCode, applied.body).toBe(201);
      const loanId = applied.json().id;
      expect((await fund.officer('POST', `/v1/loans/${loanId}/approve`, { decidedOn: '2025-01-10' })).statusCode).toBe(200);
      const disbursed = await fund.officer('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn: '2025-01-15' });
      expect(disbursed.statusCode, disbursed.body).toBe(200);
      loanIds.push(loanId);
    }
    const sheet = (await fund.leader('GET', `/v1/groups/${fund.group.id}/collection-sheet?date=2025-02-15`)).json();
    expect(sheet.lines, JSON.stringify(sheet).slice(0, 600)).toHaveLength(20);
    expect(sheet.lines[0].loans[0], JSON.stringify(sheet.lines.slice(0,2))).toMatchObject({ principalDue: '833333', interestDue: '81534', totalDue: '914867', compulsorySavingsDue: '20000' });
    expect(sheet.totals).toMatchObject({ repaymentDue: String(914867 * 20), compulsorySavingsDue: String(20000 * 20) });

    const lines = sheet.lines.map((line: { memberId: string; repaymentDue: string; compulsorySavingsDue: string }, index: number) => ({
      memberId: line.memberId,
      repayment: line.repaymentDue,
      compulsorySavings: line.compulsorySavingsDue,
      voluntarySavings: index % 4 === 0 ? '50000' : '0',
    }));
    const cashTotal = String(914867 * 20 + 20000 * 20 + 50000 * 5);
    const before = snapshot(test.database);
    const wrongTotal = await fund.leader('POST', `/v1/groups/${fund.group.id}/collection-sheet`, { date: '2025-02-15', cashTotal: '1', lines }, { 'idempotency-key': 'meeting-2025-02-15' });
    expect([wrongTotal.statusCode, wrongTotal.json().error.code]).toEqual([422, 'cash_total_mismatch']);
    const foreign = await fund.leader('POST', `/v1/groups/${fund.otherGroup.id}/collection-sheet`, { date: '2025-02-15', cashTotal: '0', lines: [{ memberId: fund.memberIds[0] }] });
    expect([foreign.statusCode, foreign.json().error.code]).toEqual([403, 'scope_forbidden']);
    expect(snapshot(test.database)).toBe(before);

    const posted = await fund.leader('POST', `/v1/groups/${fund.group.id}/collection-sheet`, { date: '2025-02-15', cashTotal, lines }, { 'idempotency-key': 'meeting-2025-02-15' });
    expect(posted.statusCode, posted.body).toBe(201);
    expect(posted.json().repayments).toHaveLength(20);
    expect(posted.json().totals).toEqual({ repayments: String(914867 * 20), compulsorySavings: '400000', voluntarySavings: '250000' });
    const again = await fund.leader('POST', `/v1/groups/${fund.group.id}/collection-sheet`, { date: '2025-02-15', cashTotal, lines }, { 'idempotency-key': 'meeting-2025-02-15' });
    expect(again.json()).toEqual(posted.json());
    expect(await balanceOf('1011', '2025-02-15')).toEqual({ debit: '0', credit: String(20 * 10000000 - 914867 * 20 - 400000 - 250000) });
    const loan = (await fund.officer('GET', `/v1/loans/${loanIds[3]}?asOf=2025-02-15`)).json();
    expect(loan.transactions[1]).toMatchObject({ type: 'repayment', collectionSheetId: posted.json().id });
    expect((await fund.leader('GET', `/v1/collection-sheets/${posted.json().id}`)).json().id).toBe(posted.json().id);
    expect(await reconciled()).toBe(true);
  });
});
