// The classified totals of the portfolio report: per group (or for the groups together), per debt group and aging
// bucket, the loans counted and their outstanding, provision and PAR balances summed, held to a plain sum of each
// loan's own classification.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { agingBuckets, classifyLoansOn, debtGroupPresets, provisionPresets } from '../../src/domain/classification.js';
import type { LoanOnBooks } from '../../src/domain/classification.js';
import { type ClassifiedAggregate, type ClassificationRules, type LoansToTally, type RowKeyOf, eachGroup, tallyClassified } from '../../src/modules/reports/classification.repo.js';

/** A loan on the books with its group, one object each as a reader would write it. */
type LoanToTally = LoanOnBooks & { groupId: string };

/** The same loans as the columns the totals read, members named by their ids or, as the fund's totals name them, by numbers. */
const columnsOf = (loans: LoanToTally[], memberKeys: 'ids' | 'numbers' = 'numbers'): LoansToTally => {
  const groupIds = [...new Set(loans.map((loan) => loan.groupId))];
  const memberIds = [...new Set(loans.map((loan) => loan.memberId))];
  return {
    // Numbers with gaps between them, as members who borrow nothing leave.
    memberKeys: loans.map((loan) => (memberKeys === 'ids' ? loan.memberId : 3 * memberIds.indexOf(loan.memberId) + 1)),
    groupNumbers: loans.map((loan) => groupIds.indexOf(loan.groupId) + 1),
    groupIdOf: new Map(groupIds.map((groupId, at) => [at + 1, groupId])),
    outstanding: loans.map((loan) => Number(loan.outstanding)),
    rescheduleCounts: loans.map((loan) => loan.rescheduleCount),
    oldestUnpaidDueDays: loans.map((loan) => loan.oldestUnpaidDueDay),
  };
};

const day = 20_400;
const rules = (memberWorst: boolean): ClassificationRules => ({ table: debtGroupPresets.microfinance, rates: provisionPresets.microfinance, memberWorst });

/** The same totals the plain way: a bigint per figure, keyed by text. */
function plainTotals(loans: LoanToTally[], rulesUsed: ClassificationRules, groupIds: string[] | null, rowOf: RowKeyOf | null): ClassifiedAggregate[] {
  const classified = classifyLoansOn(loans, day, rulesUsed);
  const cells = new Map<string, { key: string | null; debtGroup: number; bucket: string; loans: number; sums: bigint[] }>();
  loans.forEach((loan, index) => {
    if (groupIds !== null && !groupIds.includes(loan.groupId)) return;
    const { debtGroup, bucket, daysPastDue, provision } = classified[index] as (typeof classified)[number];
    const rowKey = rowOf ? rowOf(loan.groupId) : null;
    const key = `${rowKey} ${debtGroup} ${bucket}`;
    const cell = cells.get(key) ?? { key: rowKey, debtGroup, bucket, loans: 0, sums: [0n, 0n, 0n, 0n, 0n] };
    cells.set(key, cell);
    const atRisk = (beyond: number) => (loan.rescheduleCount > 0 || daysPastDue > beyond ? loan.outstanding : 0n);
    cell.loans += 1;
    [loan.outstanding, provision, atRisk(1), atRisk(30), atRisk(90)].forEach((amount, at) => {
      cell.sums[at] = (cell.sums[at] as bigint) + amount;
    });
  });
  return [...cells.values()].map(({ key, debtGroup, bucket, loans: count, sums }) => ({
    key,
    debtGroup,
    bucket,
    loans: count,
    outstanding: sums[0] as bigint,
    provision: sums[1] as bigint,
    par1: sums[2] as bigint,
    par30: sums[3] as bigint,
    par90: sums[4] as bigint,
  }));
}

const sorted = (rows: ClassifiedAggregate[]) => [...rows].sort((a, b) => `${a.key} ${a.debtGroup} ${a.bucket}`.localeCompare(`${b.key} ${b.debtGroup} ${b.bucket}`));

const loanArbitrary = fc.record({
  memberId: fc.constantFrom('mb-1', 'mb-2', 'mb-3', 'mb-4', 'mb-5', 'mb-6'),
  groupId: fc.constantFrom('gr-1', 'gr-2', 'gr-3', 'gr-4'),
  outstanding: fc.bigInt({ min: 1n, max: 2n ** 53n - 1n }),
  rescheduleCount: fc.constantFrom(0, 0, 0, 1, 2, 3),
  oldestUnpaidDueDay: fc.option(fc.integer({ min: day - 500, max: day + 40 }), { nil: null }),
});

describe('classified totals', () => {
  it('are the plain sums of each loan’s own classification, by group, by rows of several groups or together, over some groups or all', () => {
    // Rows of several groups, as a report by commune or officer has them; a group of no row counts in the total alone.
    const byCommune: RowKeyOf = (groupId) => ({ 'gr-1': 'commune-a', 'gr-2': 'commune-b', 'gr-3': 'commune-a' })[groupId] ?? null;
    fc.assert(
      fc.property(
        fc.array(loanArbitrary, { maxLength: 300 }),
        fc.constantFrom(eachGroup, byCommune, null),
        fc.boolean(),
        fc.option(fc.subarray(['gr-1', 'gr-2', 'gr-3', 'gr-4', 'gr-9']), { nil: null }),
        fc.constantFrom('ids' as const, 'numbers' as const),
        (loans, rowOf, memberWorst, groupIds, memberKeys) => {
          const totals = tallyClassified(columnsOf(loans, memberKeys), day, rules(memberWorst), groupIds, rowOf);
          expect(sorted(totals)).toEqual(sorted(plainTotals(loans, rules(memberWorst), groupIds, rowOf)));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('keeps more groups than its first allotment of cells, in the order the groups first appear', () => {
    // 400 groups of four loans, one in each of four buckets: 1,600 cells, past the 64 groups and 256 cells it starts with.
    const loans: LoanToTally[] = Array.from({ length: 1600 }, (_, index) => ({
      memberId: `mb-${index}`,
      groupId: `gr-${String(Math.floor(index / 4)).padStart(3, '0')}`,
      outstanding: BigInt(1_000_000 + index),
      rescheduleCount: 0,
      oldestUnpaidDueDay: index % 4 === 0 ? null : day - [5, 45, 75][(index % 4) - 1]!,
    }));
    const totals = tallyClassified(columnsOf(loans), day, rules(false), null, eachGroup);
    expect(sorted(totals)).toEqual(sorted(plainTotals(loans, rules(false), null, eachGroup)));
    expect(totals).toHaveLength(1600);
    expect(totals.slice(0, 4).map((row) => [row.key, row.bucket])).toEqual(['current', '1-30', '31-60', '61-90'].map((bucket) => ['gr-000', bucket]));
    expect(new Set(totals.map((row) => row.bucket))).toEqual(new Set(agingBuckets.slice(0, 4)));
  });

  it('stops rather than wrap when the loans together pass what 64 bits hold', () => {
    // Every stored amount is below 2^53, so it takes over a thousand of the largest to pass 2^63.
    const largest = (count: number): LoanToTally[] => Array.from({ length: count }, (_, index) => ({ memberId: `mb-${index}`, groupId: 'gr-1', outstanding: 2n ** 53n - 1n, rescheduleCount: 0, oldestUnpaidDueDay: null }));
    expect(tallyClassified(columnsOf(largest(1000)), day, rules(false), null, eachGroup)[0]?.outstanding).toBe(1000n * (2n ** 53n - 1n));
    expect(() => tallyClassified(columnsOf(largest(1025)), day, rules(false), null, eachGroup)).toThrow(/64-bit/);
  });
});
