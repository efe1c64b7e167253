// Random histories of disbursements, repayments (any amount, any date, backdated ones too), reversals and savings
// movements keep the books true after every step: entries balance and chain, the trial balance balances, the
// subledgers reconcile, nothing goes negative, splits sum to their amounts, and replaying the whole history from
// scratch gives the state the incremental path stored.
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { addDays, formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import { accountTotals } from '../../src/modules/ledger/journal.repo.js';
import { verifyLedger } from '../../src/modules/ledger/verify.service.js';
import { reconcile, trialBalance } from '../../src/modules/ledger/ledger.service.js';
import * as loanRepo from '../../src/modules/loans/loan.repo.js';
import { loanTimeline } from '../../src/domain/loan-timeline.js';
import { rulesOf } from '../../src/modules/loans/loan-history.js';
import { openEndedDay } from '../../src/modules/loans/loan-read-models.js';
import { applyLoan, approveLoan, disburseLoan, loanHistory, positionOf, recordRepayment, reverseTransaction } from '../../src/modules/loans/loan.service.js';
import { createProduct } from '../../src/modules/loans/product.service.js';
import { createProductBody } from '../../src/modules/loans/loan.commands.js';
import { createArea, createGroup, createMember } from '../../src/modules/registry/registry.service.js';
import { deposit, withdraw } from '../../src/modules/savings/savings.service.js';
import { portfolioReport } from '../../src/modules/reports/portfolio.service.js';
import { savingsBalance } from '../../src/modules/savings/savings.repo.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { DomainError } from '../../src/modules/shared/domain-error.js';
import { buildTestApp, type TestApp } from '../helper.js';

const actor = systemActor();
const start = parseIsoDate('2025-01-01') as number;
const dateOf = (offset: number) => formatIsoDate(addDays(start, offset));

type Command =
  | { kind: 'disburse'; member: number; principal: number; day: number; installments: number }
  | { kind: 'repay'; loan: number; amount: number; day: number }
  | { kind: 'reverse'; pick: number }
  | { kind: 'deposit'; member: number; amount: number; day: number }
  | { kind: 'withdraw'; member: number; amount: number; day: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('disburse' as const), member: fc.nat(2), principal: fc.integer({ min: 1, max: 30 }), day: fc.nat(200), installments: fc.integer({ min: 3, max: 12 }) }) },
  { weight: 6, arbitrary: fc.record({ kind: fc.constant('repay' as const), loan: fc.nat(5), amount: fc.integer({ min: 1, max: 3_000_000 }), day: fc.nat(500) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('reverse' as const), pick: fc.nat(20) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('deposit' as const), member: fc.nat(2), amount: fc.integer({ min: 1, max: 500_000 }), day: fc.nat(500) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('withdraw' as const), member: fc.nat(2), amount: fc.integer({ min: 1, max: 500_000 }), day: fc.nat(500) }) },
);

let test: TestApp | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

async function freshFund() {
  test = await buildTestApp();
  const context = test.context;
  const province = createArea(context, actor, { code: 'P', name: 'Tỉnh', level: 'province' });
  const commune = createArea(context, actor, { code: 'C', name: 'Xã', level: 'commune', parentId: province.id });
  const village = createArea(context, actor, { code: 'V', name: 'Thôn', level: 'village', parentId: commune.id });
  const group = createGroup(context, actor, { code: 'G', name: 'Tổ', areaId: village.id, formedOn: '2024-01-01' });
  const members = [0, 1, 2].map(
    (index) =>
      createMember(context, actor, {
        fullName: `Thành viên ${index}`,
        sex: 'female',
        dateOfBirth: '1980-01-01',
        nationalId: String(900000000000 + index),
        ethnicity: '01',
        povertyStatus: 'poor',
        groupId: group.id,
        joinedOn: '2024-06-01',
      }).id,
  );
  const products = [
    createProduct(context, actor, createProductBody.parse({ code: 'EP', name: 'Equal principal', minPrincipal: '1000000', maxPrincipal: '30000000', minInstallments: 3, maxInstallments: 12, monthlyRate: '0.8', method: 'declining_equal_principal', lateInterestAnnualRate: '5' })),
    createProduct(context, actor, createProductBody.parse({ code: 'AN', name: 'Annuity, credit held', minPrincipal: '1000000', maxPrincipal: '30000000', minInstallments: 3, maxInstallments: 12, annualRate: '12', method: 'declining_equal_installment', overpayment: 'hold_credit', rounding: { mode: 'half_up', installmentMultiple: '1000' } })),
  ];
  return { context, members, products };
}

let keys = 0;
const key = () => `prop-${(keys += 1)}`;

async function checkBooks(context: TestApp['context']) {
  const db = context.db;
  // Every entry balances, the chain is unbroken, the trial balance balances and the
  // subledgers reconcile: the verification an auditor runs.
  const asOf = '2026-11-22';
  const verification = await verifyLedger(db, asOf);
  expect(verification.problems).toEqual([]);
  expect(trialBalance(context, actor, 'VND', asOf).balanced).toBe(true);
  // The portfolio report, read from the timelines, equals the loans control account and the sum of loan balances,
  // as of today and as of a day in the middle of the histories.
  for (const day of [asOf, '2025-06-30']) {
    const portfolio = portfolioReport(context, actor, { asOf: day, format: 'json' });
    const control = reconcile(db, day).checks.find((check) => check.controlAccount === '2111');
    expect(portfolio.totals.outstandingPrincipal).toBe(String(control?.ledger));
    expect(portfolio.totals.outstandingPrincipal).toBe(String(control?.subledger));
  }
  expect(accountTotals(db, asOf).size).toBeGreaterThanOrEqual(0);
}

function checkLoans(context: TestApp['context'], loanIds: string[]) {
  for (const loanId of loanIds) {
    const loan = loanRepo.findLoan(context.db, loanId);
    if (!loan) throw new Error('loan vanished');
    const history = loanHistory(context.db, loan);
    // Replaying the whole stored history from scratch gives the splits the incremental path stored.
    const position = positionOf(history, '2026-11-22');
    expect(position.principalOutstanding >= 0n).toBe(true);
    const storedSplits = loanRepo.currentAllocations(context.db, loanId);
    const amounts = new Map(history.transactions.map((transaction) => [transaction.id, BigInt(transaction.amount)]));
    for (const [transactionId, allocation] of position.allocations) {
      const row = storedSplits.get(transactionId);
      expect(row, `stored split of ${transactionId}`).toBeDefined();
      if (!row) continue;
      expect([row.principal, row.interest, row.penalty, row.lateInterest, row.creditAdded, row.creditUsed].map(String)).toEqual(
        [allocation.principal, allocation.interest, allocation.penalty, allocation.lateInterest, allocation.creditAdded, allocation.creditUsed].map(String),
      );
      // A split sums to the money received (plus credit drawn, less credit held).
      const parts = BigInt(row.principal) + BigInt(row.interest) + BigInt(row.penalty) + BigInt(row.lateInterest) + BigInt(row.creditAdded) - BigInt(row.creditUsed);
      expect(parts).toBe(amounts.get(transactionId));
    }
    expect(loan.status).toBe(position.closed ? 'closed' : 'active');
    // The stored timeline, kept up to date piece by piece, is the one a full rebuild gives.
    const rebuilt = loanTimeline({ principal: BigInt(loan.principal), disbursedOn: history.versions[0]?.effectiveOn ?? 0, rules: rulesOf(history.terms), scheduleVersions: history.versions, events: history.events });
    const stored = loanRepo.loanSegments(context.db, loanId);
    expect(stored.map((segment) => [segment.fromDay, segment.toDay, segment.principalOutstanding, segment.overduePrincipal, segment.oldestUnpaidDueDay])).toEqual(
      rebuilt.map((segment) => [segment.fromDay, segment.toDay ?? openEndedDay, Number(segment.principalOutstanding), Number(segment.overduePrincipal), segment.oldestUnpaidDueOn]),
    );
    const lines = loanRepo.allocationLinesOf(context.db, loanId);
    const expectedLines = [...position.allocations.values()].flatMap((allocation) => allocation.byInstallment.map((part) => [allocation.id, part.number, Number(part.principal), Number(part.interest)]));
    expect(lines.map((line) => [line.transactionId, line.installmentNumber, line.principal, line.interest]).sort(), JSON.stringify(lines)).toEqual(expectedLines.sort());
  }
}

describe('the books under random histories', () => {
  it('stay balanced, chained, reconciled and replayable after every step', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 4, maxLength: 18 }), async (commands) => {
        const { context, members, products } = await freshFund();
        const loanIds: string[] = [];
        const repaymentIds: string[] = [];
        for (const step of commands) {
          try {
            if (step.kind === 'disburse') {
              const product = products[loanIds.length % 2] as { id: string };
              const applied = applyLoan(context, actor, { memberId: members[step.member] as string, productId: product.id, principal: String(step.principal * 1_000_000), installments: step.installments, appliedOn: '2024-12-01', purpose: 'x' });
              approveLoan(context, actor, applied.id, { decidedOn: '2024-12-02' });
              disburseLoan(context, actor, applied.id, { disbursedOn: dateOf(step.day) }, { key: key(), route: 'disburse' });
              loanIds.push(applied.id);
            } else if (step.kind === 'repay') {
              const loanId = loanIds[step.loan % Math.max(loanIds.length, 1)];
              if (!loanId) continue;
              const loan = loanRepo.findLoan(context.db, loanId);
              const day = (parseIsoDate(loan?.disbursedOn ?? '2025-01-01') as number) - start + (step.day % 400);
              const result = recordRepayment(context, actor, loanId, { amount: String(step.amount), paidOn: dateOf(day) }, { key: key(), route: 'repay' });
              repaymentIds.push(result.body.transaction.id);
            } else if (step.kind === 'reverse') {
              const transactionId = repaymentIds[step.pick % Math.max(repaymentIds.length, 1)];
              if (!transactionId) continue;
              const transaction = loanRepo.findLoanTransaction(context.db, transactionId);
              if (!transaction) continue;
              reverseTransaction(context, actor, transaction.loanId, transactionId, 'property test', { key: key(), route: 'reverse' });
            } else {
              const move = step.kind === 'deposit' ? deposit : withdraw;
              move(context, actor, { memberId: members[step.member] as string, kind: 'voluntary', input: { amount: String(step.amount), paidOn: dateOf(step.day) }, idempotencyKey: key(), route: step.kind });
            }
          } catch (error) {
            // A refusal is a fine outcome for a random command; anything else is a bug.
            if (!(error instanceof DomainError)) throw error;
          }
          await checkBooks(context);
          checkLoans(context, loanIds);
          for (const memberId of members) expect(savingsBalance(context.db, memberId, 'voluntary') >= 0n).toBe(true);
        }
        await test?.close();
        test = undefined;
      }),
      {
        numRuns: 25,
        examples: [
          // A loan that stays closed while a reversal and backdated repayments move the day it closed on: its row kept
          // the first day (found by the verification's replay of every loan).
          [
            [
              { kind: 'repay', loan: 2, amount: 2000740, day: 300 },
              { kind: 'withdraw', member: 1, amount: 17, day: 497 },
              { kind: 'repay', loan: 4, amount: 802554, day: 242 },
              { kind: 'disburse', member: 0, principal: 3, day: 199, installments: 3 },
              { kind: 'repay', loan: 5, amount: 2218695, day: 27 },
              { kind: 'repay', loan: 1, amount: 526492, day: 494 },
              { kind: 'repay', loan: 0, amount: 2999983, day: 3 },
              { kind: 'reverse', pick: 18 },
              { kind: 'disburse', member: 2, principal: 26, day: 2, installments: 10 },
              { kind: 'deposit', member: 1, amount: 293571, day: 498 },
              { kind: 'repay', loan: 0, amount: 35200, day: 0 },
              { kind: 'repay', loan: 4, amount: 2175985, day: 8 },
              { kind: 'disburse', member: 1, principal: 4, day: 101, installments: 7 },
              { kind: 'deposit', member: 2, amount: 500000, day: 4 },
              { kind: 'repay', loan: 0, amount: 2427208, day: 325 },
              { kind: 'deposit', member: 1, amount: 300520, day: 251 },
              { kind: 'repay', loan: 0, amount: 13, day: 0 },
              { kind: 'repay', loan: 2, amount: 1790835, day: 7 },
            ],
          ],
        ],
      },
    );
  }, 180_000);
});
