// A report's counters by group: each group's worked out once, and none for a group the report does not cover.
import { describe, expect, it } from 'vitest';
import { countersByGroup, Tally } from '../../src/modules/reports/grouping.js';

describe('countersByGroup', () => {
  const rows: Record<string, { key: string; code: string; name: string } | null> = { 'gr-a': { key: 'c-1', code: 'C1', name: 'Xã Một' }, 'gr-b': { key: 'c-1', code: 'C1', name: 'Xã Một' }, 'gr-c': null };
  const coverage = { groupIds: new Set(Object.keys(rows)), rowOf: (groupId: string) => rows[groupId] ?? null };

  it('counts a covered group in its row and the total, a covered group without a row in the total, and skips any other', () => {
    const tally = new Tally(() => ({ count: 0 }));
    const countersOf = countersByGroup(tally, coverage);
    for (const groupId of ['gr-a', 'gr-b', 'gr-a', 'gr-c']) for (const counter of countersOf(groupId) ?? []) counter.count += 1;
    expect(countersOf('gr-outside')).toBeNull();
    expect(tally.total.count).toBe(4);
    expect(tally.sortedRows().map((row) => [row.key, row.value.count])).toEqual([['c-1', 3]]);
    // Worked out once: the same counters each time.
    expect(countersOf('gr-a')).toBe(countersOf('gr-a'));
  });
});
