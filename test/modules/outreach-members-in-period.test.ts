// Outreach looks each member's household status and group on a period's last day up in SQL (membersInPeriod), and finds the households
// that moved out of poverty in a range (householdsMovedBetween). Both are held here to the plain reading of the
// history: the last change by the day, the membership open on the day, the change before each change, over members
// whose statuses changed several times (some on one day) and who moved between groups or left the fund.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { householdsMovedBetween, membersInPeriod, splitKeySeparator } from '../../src/modules/reports/report.repo.js';
import { addDays, formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import { buildSmallFund, memberInput, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

const statuses = ['poor', 'near_poor', 'recently_out_of_poverty', 'other'] as const;
const poorOrNearPoor = ['poor', 'near_poor'];
const outOfPoverty = ['recently_out_of_poverty', 'other'];

/** What happens to one member, in order: a household status change or a move, some days after the last event. */
const memberStory = fc.array(
  fc.oneof(
    // Often on the same day as the change before: the order of a day's changes is their ids'.
    fc.record({ kind: fc.constant('status' as const), after: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 90 })), status: fc.constantFrom(...statuses) }),
    fc.record({ kind: fc.constant('move' as const), after: fc.integer({ min: 1, max: 120 }) }),
  ),
  { minLength: 2, maxLength: 8 },
);
const story = fc.record({ members: fc.array(memberStory, { minLength: 8, maxLength: 8 }), leaves: fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }) });

let test: TestApp;
let fund: SmallFund;
let sameDayMemberId: string;
const firstDay = parseIsoDate('2024-03-01') as number;
const lastDay = parseIsoDate('2026-06-30') as number;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 8);
  const [plan] = fc.sample(story, { seed: 20261201, numRuns: 1 });
  if (!plan) throw new Error('no plan');
  for (const [index, events] of plan.members.entries()) {
    const memberId = fund.memberIds[index] as string;
    // Members join on 2024-03-15; the other group was formed on 2024-05-01, so moves start after it.
    let day = parseIsoDate('2024-05-02') as number;
    let inOtherGroup = false;
    for (const event of events) {
      day += event.after;
      const on = formatIsoDate(day);
      const reply =
        event.kind === 'status'
          ? await fund.admin('PATCH', `/v1/members/${memberId}`, { povertyStatus: event.status, povertyStatusOn: on })
          : await fund.admin('POST', `/v1/members/${memberId}/move`, { groupId: inOtherGroup ? fund.group.id : fund.otherGroup.id, movedOn: on });
      expect(reply.statusCode, reply.body).toBe(200);
      if (event.kind === 'move') inOtherGroup = !inOtherGroup;
    }
    if (plan.leaves[index]) {
      const left = await fund.admin('POST', `/v1/members/${memberId}/exit`, { leftOn: formatIsoDate(addDays(day, 30)), reason: 'Chuyển nơi ở' });
      expect(left.statusCode, left.body).toBe(200);
    }
  }
  // Two changes on one day, the second out of poverty: the change before it is the first, made that day.
  const sameDay = await fund.admin('POST', '/v1/members', memberInput(fund.group.id, { fullName: 'Lò Thị Mai', povertyStatus: 'other' }));
  expect(sameDay.statusCode, sameDay.body).toBe(201);
  sameDayMemberId = sameDay.json().id;
  for (const povertyStatus of ['poor', 'recently_out_of_poverty']) {
    const changed = await fund.admin('PATCH', `/v1/members/${sameDayMemberId}`, { povertyStatus, povertyStatusOn: '2026-02-10' });
    expect(changed.statusCode, changed.body).toBe(200);
  }
});
afterAll(async () => test.close());

interface Change {
  id: string;
  member_id: string;
  status: string;
  effective_on: string;
}
interface Membership {
  id: string;
  member_id: string;
  group_id: string;
  joined_on: string;
  left_on: string | null;
}

const history = () => {
  const changes = test.database.sqlite.prepare('SELECT id, member_id, status, effective_on FROM poverty_status_changes').all() as Change[];
  const byDayThenId = (a: Change, b: Change) => (a.effective_on < b.effective_on ? -1 : a.effective_on > b.effective_on ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
  return {
    changes: changes.sort(byDayThenId),
    memberships: test.database.sqlite.prepare('SELECT id, member_id, group_id, joined_on, left_on FROM memberships').all() as Membership[],
    members: new Map(
      (test.database.sqlite.prepare('SELECT id, sex, ethnicity, joined_on, group_id FROM members').all() as { id: string; sex: string; ethnicity: string; joined_on: string; group_id: string }[]).map((member) => [member.id, member]),
    ),
  };
};

const aDay = fc.integer({ min: firstDay, max: lastDay }).map((day) => formatIsoDate(day));

describe('each member in a period, as outreach reads her', () => {
  it('has the status of her last change by its last day, the group she joined in it, and the group whose membership was open on its last day', () => {
    const { changes, memberships, members } = history();
    // The story moved members and changed statuses more than once: the property is not held on a still history.
    expect(memberships.length).toBeGreaterThan(fund.memberIds.length);
    expect(changes.length).toBeGreaterThan(fund.memberIds.length + 4);
    expect(changes.some((change, index) => index > 0 && changes[index - 1]?.member_id === change.member_id && changes[index - 1]?.effective_on === change.effective_on)).toBe(true);
    fc.assert(
      fc.property(aDay, aDay, fc.boolean(), (one, other, wholeFund) => {
        const [from, to] = one <= other ? [one, other] : [other, one];
        const rows = membersInPeriod(test.context.db, from, to, wholeFund ? null : [fund.group.id, fund.otherGroup.id]);
        expect(rows.map(([id]) => id).sort()).toEqual([...fund.memberIds, sameDayMemberId].sort());
        for (const [id, split, joinedInto, groupOnLastDay] of rows) {
          const member = members.get(id);
          expect(joinedInto).toBe(member && member.joined_on >= from && member.joined_on <= to ? member.group_id : null);
          // A household with no status recorded by the day (she had not joined) counts as other.
          const last = changes.filter((change) => change.member_id === id && change.effective_on <= to).at(-1);
          expect(split.split(splitKeySeparator)).toEqual([member?.sex, member?.ethnicity, last?.status ?? 'other']);
          const open = memberships.filter((membership) => membership.member_id === id && membership.joined_on <= to && (membership.left_on === null || membership.left_on > to));
          expect(open.length).toBeLessThanOrEqual(1);
          expect(groupOnLastDay).toBe(open[0]?.group_id ?? null);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('counts a household out of poverty in a range when a change in it follows one from poor or near poor', () => {
    const { changes, members } = history();
    let seen = 0;
    fc.assert(
      fc.property(aDay, aDay, (one, other) => {
        const [from, to] = one <= other ? [one, other] : [other, one];
        const expected = new Set<string>();
        changes.forEach((change, index) => {
          if (change.effective_on < from || change.effective_on > to || !outOfPoverty.includes(change.status)) return;
          const before = changes.slice(0, index).filter((earlier) => earlier.member_id === change.member_id).at(-1);
          if (before && poorOrNearPoor.includes(before.status)) expected.add(change.member_id);
        });
        seen += expected.size;
        const moved = householdsMovedBetween(test.context.db, from, to, poorOrNearPoor, outOfPoverty);
        expect(moved.map(([id]) => id).sort()).toEqual([...expected].sort());
        for (const [id, groupId] of moved) expect(groupId).toBe(members.get(id)?.group_id);
      }),
      { numRuns: 200 },
    );
    // Some ranges held such a move: the property was not held only over empty answers.
    expect(seen).toBeGreaterThan(0);
  });

  it('orders the changes of one day as they were recorded', () => {
    const movedIn = (from: string, to: string) => householdsMovedBetween(test.context.db, from, to, poorOrNearPoor, outOfPoverty).map(([id]) => id);
    expect(movedIn('2026-02-01', '2026-02-28')).toContain(sameDayMemberId);
    expect(movedIn('2026-02-11', '2026-02-28')).not.toContain(sameDayMemberId);
    const statusOn = (day: string) => membersInPeriod(test.context.db, day, day, null).find(([id]) => id === sameDayMemberId)?.[1].split(splitKeySeparator)[2];
    expect(statusOn('2026-02-10')).toBe('recently_out_of_poverty');
    expect(statusOn('2026-02-09')).toBe('other');
  });

  it('counts a member as joined in a period that begins or ends on the day she joined, and in no later one', () => {
    const joinedInto = (from: string, to: string) => membersInPeriod(test.context.db, from, to, null).find(([id]) => id === fund.memberIds[0])?.[2];
    // The fund's members joined on 2024-03-15; one who joined counts in the group she is in now.
    const groupNow = history().members.get(fund.memberIds[0] as string)?.group_id;
    expect([joinedInto('2024-03-15', '2024-03-15'), joinedInto('2024-01-01', '2024-03-15'), joinedInto('2024-03-15', '2024-12-31')]).toEqual([groupNow, groupNow, groupNow]);
    expect([joinedInto('2024-03-16', '2024-12-31'), joinedInto('2024-01-01', '2024-03-14')]).toEqual([null, null]);
  });
});
