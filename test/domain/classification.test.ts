// Debt groups, aging buckets and provisions: the thresholds of both presets, hand-checked at their edges.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  agingBucketOf,
  classifyLoansOn,
  debtGroupOf,
  debtGroupPresets,
  generalProvision,
  provisionPresets,
  specificProvision,
  validDebtGroupTable,
  validProvisionRates,
} from '../../src/domain/classification.js';
import { percentOf } from '../../src/domain/money.js';

describe('debt groups', () => {
  it.each([
    [0, 1, 1],
    [9, 1, 1],
    [10, 2, 2],
    [29, 2, 2],
    [30, 3, 2],
    [89, 3, 2],
    [90, 4, 2],
    [91, 4, 3],
    [179, 4, 3],
    [180, 5, 3],
    [181, 5, 4],
    [360, 5, 4],
    [361, 5, 5],
  ])('%i days past due: microfinance group %i, bank group %i', (days, microfinance, bank) => {
    expect(debtGroupOf(days, 0, debtGroupPresets.microfinance)).toEqual({ debtGroup: microfinance, reason: 'days_past_due' });
    expect(debtGroupOf(days, 0, debtGroupPresets.bank).debtGroup).toBe(bank);
  });

  it('raises a rescheduled loan whatever its days: once 2, twice 4, three times or more 5 (microfinance)', () => {
    expect(debtGroupOf(0, 1, debtGroupPresets.microfinance)).toEqual({ debtGroup: 2, reason: 'rescheduling' });
    expect(debtGroupOf(0, 2, debtGroupPresets.microfinance)).toEqual({ debtGroup: 4, reason: 'rescheduling' });
    expect(debtGroupOf(0, 5, debtGroupPresets.microfinance)).toEqual({ debtGroup: 5, reason: 'rescheduling' });
    // Days win when they are worse.
    expect(debtGroupOf(95, 1, debtGroupPresets.microfinance)).toEqual({ debtGroup: 4, reason: 'days_past_due' });
  });
});

describe('aging buckets', () => {
  it.each([
    [0, 'current'],
    [1, '1-30'],
    [30, '1-30'],
    [31, '31-60'],
    [60, '31-60'],
    [61, '61-90'],
    [90, '61-90'],
    [91, '91-180'],
    [180, '91-180'],
    [181, 'over_180'],
  ])('%i days is %s', (days, bucket) => {
    expect(agingBucketOf(days)).toBe(bucket);
  });
});

describe('provisions', () => {
  it('takes each group’s share of the outstanding principal, rounded half up', () => {
    // Microfinance: 2 % of 9,166,667 = 183,333.34 -> 183,333; 25 % = 2,291,666.75 -> 2,291,667.
    expect(specificProvision(9_166_667n, 1, provisionPresets.microfinance)).toBe(0n);
    expect(specificProvision(9_166_667n, 2, provisionPresets.microfinance)).toBe(183_333n);
    expect(specificProvision(9_166_667n, 3, provisionPresets.microfinance)).toBe(2_291_667n);
    expect(specificProvision(9_166_667n, 5, provisionPresets.microfinance)).toBe(9_166_667n);
    // Bank group 2: 5 %.
    expect(specificProvision(9_166_667n, 2, provisionPresets.bank)).toBe(458_333n);
    // General: 0.5 % of 100,000,001 = 500,000.005 -> 500,000; bank 0.75 % = 750,000.0075 -> 750,000.
    expect(generalProvision(100_000_001n, provisionPresets.microfinance)).toBe(500_000n);
    expect(generalProvision(100_000_001n, provisionPresets.bank)).toBe(750_000n);
    expect(percentOf(3n, '50', 'half_up')).toBe(2n);
    expect(percentOf(3n, '50', 'half_even')).toBe(2n);
    expect(percentOf(5n, '50', 'half_even')).toBe(2n);
  });
});

describe('the tables a fund may set', () => {
  it('takes the regulations’ own, and refuses a rescheduled loan left current or thresholds that do not rise', () => {
    expect(validDebtGroupTable(debtGroupPresets.microfinance)).toBe(true);
    expect(validDebtGroupTable(debtGroupPresets.bank)).toBe(true);
    expect(validDebtGroupTable({ minimumDaysPastDue: [10, 30, 90, 180], groupAfterRescheduling: [1, 1, 1] })).toBe(false);
    expect(validDebtGroupTable({ minimumDaysPastDue: [10, 30, 90, 180], groupAfterRescheduling: [3, 2, 4] })).toBe(false);
    expect(validDebtGroupTable({ minimumDaysPastDue: [10, 30, 30, 180], groupAfterRescheduling: [2, 4, 5] })).toBe(false);
  });

  it('takes provision rates that rise with the debt group and, with the general rate, stay within what is lent', () => {
    expect(validProvisionRates(provisionPresets.microfinance)).toBe(true);
    expect(validProvisionRates(provisionPresets.bank)).toBe(true);
    expect(validProvisionRates({ specificPercent: ['0', '5', '20', '99.5', '100'], generalPercent: '0.5' })).toBe(true);
    // Group 4: 100 + 0.5 is more than the loan.
    expect(validProvisionRates({ specificPercent: ['0', '5', '20', '100', '100'], generalPercent: '0.5' })).toBe(false);
    expect(validProvisionRates({ specificPercent: ['100', '100', '100', '100', '100'], generalPercent: '100' })).toBe(false);
    expect(validProvisionRates({ specificPercent: ['100', '0', '0', '0', '0'], generalPercent: '0' })).toBe(false);
  });
});

describe('a portfolio classified together', () => {
  const day = 20_000;
  const loan = fc.record({
    memberId: fc.constantFrom('tv-a', 'tv-b', 'tv-c', 'tv-d'),
    outstanding: fc.bigInt({ min: 1n, max: 50_000_000n }),
    rescheduleCount: fc.integer({ min: 0, max: 4 }),
    oldestUnpaidDueDay: fc.option(fc.integer({ min: day - 500, max: day }), { nil: null }),
  });

  it('gives each loan what the one-loan rules give it, and every loan of a member her worst group', () => {
    fc.assert(
      fc.property(fc.array(loan, { maxLength: 30 }), fc.constantFrom('microfinance', 'bank') as fc.Arbitrary<'microfinance' | 'bank'>, fc.boolean(), (loans, preset, memberWorst) => {
        const rules = { table: debtGroupPresets[preset], rates: provisionPresets[preset], memberWorst };
        const classified = classifyLoansOn(loans, day, rules);
        expect(classified).toHaveLength(loans.length);
        loans.forEach((one, index) => {
          const got = classified[index];
          const daysPastDue = one.oldestUnpaidDueDay === null ? 0 : day - one.oldestUnpaidDueDay;
          const own = debtGroupOf(daysPastDue, one.rescheduleCount, rules.table);
          const worst = loans
            .filter((other) => other.memberId === one.memberId)
            .reduce((max, other) => {
              const group = debtGroupOf(other.oldestUnpaidDueDay === null ? 0 : day - other.oldestUnpaidDueDay, other.rescheduleCount, rules.table).debtGroup;
              return group > max ? group : max;
            }, own.debtGroup);
          const debtGroup = memberWorst ? worst : own.debtGroup;
          expect(got).toEqual({
            daysPastDue,
            bucket: agingBucketOf(daysPastDue),
            debtGroup,
            reason: debtGroup > own.debtGroup ? 'member_worst' : own.reason,
            provision: specificProvision(one.outstanding, debtGroup, rules.rates),
          });
        });
      }),
    );
  });

  it('a member 95 days late on one loan puts her current loan in group 4 too (microfinance)', () => {
    const rules = { table: debtGroupPresets.microfinance, rates: provisionPresets.microfinance, memberWorst: true };
    const [late, current] = classifyLoansOn(
      [
        { memberId: 'tv-a', outstanding: 4_000_000n, rescheduleCount: 0, oldestUnpaidDueDay: day - 95 },
        { memberId: 'tv-a', outstanding: 10_000_000n, rescheduleCount: 0, oldestUnpaidDueDay: null },
      ],
      day,
      rules,
    );
    expect(late).toEqual({ daysPastDue: 95, bucket: '91-180', debtGroup: 4, reason: 'days_past_due', provision: 2_000_000n });
    // 50 % of 10,000,000.
    expect(current).toEqual({ daysPastDue: 0, bucket: 'current', debtGroup: 4, reason: 'member_worst', provision: 5_000_000n });
  });
});
