// Storage of areas, groups, members, memberships and poverty-status history.
import { type SQL, and, asc, count, eq, gt, inArray, isNull, or, sql } from 'drizzle-orm';
import type { SQLiteColumn } from 'drizzle-orm/sqlite-core';
import { type FundDatabase, columnsAs, statementOn } from '../../../db/client.js';
import { areas, collectionSheets, groups, loanTransactions, loans, members, memberships, povertyStatusChanges, savingsTransactions, users } from '../../../db/schema.js';
import type { Actor } from '../shared/access.js';

export type AreaRow = typeof areas.$inferSelect;
export type GroupRow = typeof groups.$inferSelect;
export type MemberRow = typeof members.$inferSelect;
export type GroupWithArea = GroupRow & { areaPath: string; areaCode: string };
export type MemberWithGroup = MemberRow & { groupCode: string; groupStatus: GroupRow['status']; areaPath: string };

/** `column LIKE '%text%'` with the user's own % and _ taken literally. */
export function contains(column: SQLiteColumn, text: string): SQL {
  const escaped = text.replace(/[\\%_]/g, (character) => `\\${character}`);
  return sql`${column} LIKE ${`%${escaped}%`} ESCAPE '\\'`;
}

function startsWith(column: SQLiteColumn, prefix: string): SQL {
  const escaped = prefix.replace(/[\\%_]/g, (character) => `\\${character}`);
  return sql`${column} LIKE ${`${escaped}%`} ESCAPE '\\'`;
}

/** What of the registry the actor may see, as a condition on a query joined to groups and areas. */
export function scopeCondition(actor: Actor): SQL | undefined {
  return scopeConditionOn(actor, groups.id, areas.path);
}

/** The same over other columns: a group's id and its area's path (another join of groups and areas). */
export function scopeConditionOn(actor: Actor, groupId: SQLiteColumn, areaPath: SQLiteColumn): SQL | undefined {
  if (actor.role === 'admin' || actor.role === 'auditor') return undefined;
  if (actor.role === 'leader') return actor.groupId ? eq(groupId, actor.groupId) : sql`1 = 0`;
  if (actor.areaPaths.length === 0) return sql`1 = 0`;
  return or(...actor.areaPaths.map((path) => startsWith(areaPath, path)));
}

// Areas

export function insertArea(db: FundDatabase, area: typeof areas.$inferInsert): void {
  db.insert(areas).values(area).run();
}

export function findArea(db: FundDatabase, id: string): AreaRow | undefined {
  return db.select().from(areas).where(eq(areas.id, id)).get();
}

export function findAreaByCode(db: FundDatabase, areaCode: string): AreaRow | undefined {
  return db.select().from(areas).where(eq(areas.code, areaCode)).get();
}

export function listAreas(db: FundDatabase, filter: { parentId?: string; level?: AreaRow['level']; search?: string; after?: string; limit: number }): AreaRow[] {
  return db
    .select()
    .from(areas)
    .where(
      and(
        filter.parentId ? eq(areas.parentId, filter.parentId) : undefined,
        filter.level ? eq(areas.level, filter.level) : undefined,
        filter.search ? or(contains(areas.searchName, filter.search), contains(areas.code, filter.search)) : undefined,
        filter.after ? gt(areas.id, filter.after) : undefined,
      ),
    )
    .orderBy(asc(areas.id))
    .limit(filter.limit + 1)
    .all();
}

// Groups

export function insertGroup(db: FundDatabase, group: typeof groups.$inferInsert): void {
  db.insert(groups).values(group).run();
}

/** The number the next group takes (groups.number): one past the highest given, read through its unique index. */
export function nextGroupNumber(db: FundDatabase): number {
  return (db.get<{ next: number }>(sql`SELECT coalesce(max(${groups.number}), 0) + 1 AS next FROM ${groups}`) as { next: number }).next;
}

const groupWithAreaColumns = { group: groups, areaPath: areas.path, areaCode: areas.code };

export function findGroup(db: FundDatabase, id: string): GroupWithArea | undefined {
  const row = db.select(groupWithAreaColumns).from(groups).innerJoin(areas, eq(areas.id, groups.areaId)).where(eq(groups.id, id)).get();
  return row ? { ...row.group, areaPath: row.areaPath, areaCode: row.areaCode } : undefined;
}

export function findGroupByCode(db: FundDatabase, groupCode: string): GroupWithArea | undefined {
  const row = db.select(groupWithAreaColumns).from(groups).innerJoin(areas, eq(areas.id, groups.areaId)).where(eq(groups.code, groupCode)).get();
  return row ? { ...row.group, areaPath: row.areaPath, areaCode: row.areaCode } : undefined;
}

export function updateGroup(db: FundDatabase, id: string, changes: Partial<typeof groups.$inferInsert>): void {
  db.update(groups).set(changes).where(eq(groups.id, id)).run();
}

export function listGroups(
  db: FundDatabase,
  actor: Actor,
  filter: { areaPath?: string; officerId?: string; status?: GroupRow['status']; search?: string; after?: string; limit: number },
): GroupRow[] {
  return db
    .select({ group: groups })
    .from(groups)
    .innerJoin(areas, eq(areas.id, groups.areaId))
    .where(
      and(
        scopeCondition(actor),
        filter.areaPath ? startsWith(areas.path, filter.areaPath) : undefined,
        filter.officerId ? eq(groups.officerId, filter.officerId) : undefined,
        filter.status ? eq(groups.status, filter.status) : undefined,
        filter.search ? or(contains(groups.searchName, filter.search), contains(groups.code, filter.search)) : undefined,
        filter.after ? gt(groups.id, filter.after) : undefined,
      ),
    )
    .orderBy(asc(groups.id))
    .limit(filter.limit + 1)
    .all()
    .map((row) => row.group);
}

export function activeMemberCounts(db: FundDatabase, groupIds: string[]): Map<string, number> {
  if (groupIds.length === 0) return new Map();
  const rows = db
    .select({ groupId: members.groupId, value: count() })
    .from(members)
    .where(and(inArray(members.groupId, groupIds), eq(members.status, 'active')))
    .groupBy(members.groupId)
    .all();
  return new Map(rows.map((row) => [row.groupId, row.value]));
}

export function findOfficer(db: FundDatabase, userId: string) {
  return db.select({ id: users.id, role: users.role, status: users.status }).from(users).where(eq(users.id, userId)).get();
}

// Members

export function insertMember(db: FundDatabase, member: typeof members.$inferInsert): void {
  db.insert(members).values(member).run();
}

/** The number the next member takes (members.number), as nextGroupNumber gives a group's. */
export function nextMemberNumber(db: FundDatabase): number {
  return (db.get<{ next: number }>(sql`SELECT coalesce(max(${members.number}), 0) + 1 AS next FROM ${members}`) as { next: number }).next;
}

export function updateMember(db: FundDatabase, id: string, changes: Partial<typeof members.$inferInsert>): void {
  db.update(members).set(changes).where(eq(members.id, id)).run();
}

/** A member with her group and its place: every deposit and every line of a meeting's sheet reads it. */
const memberWithGroup = `SELECT ${columnsAs(members, 'm')}, g.code AS "groupCode", g.status AS "groupStatus", a.path AS "areaPath"
  FROM members AS m JOIN groups AS g ON g.id = m.group_id JOIN areas AS a ON a.id = g.area_id WHERE m.id = ?`;

export function findMember(db: FundDatabase, id: string): MemberWithGroup | undefined {
  return statementOn(db, memberWithGroup).get(id) as MemberWithGroup | undefined;
}

export function findMemberIdsByNationalIds(db: FundDatabase, nationalIds: string[]): Map<string, string> {
  const found = new Map<string, string>();
  // SQLite takes at most 32,766 bound values; an import's ids go in slices well under that.
  for (let start = 0; start < nationalIds.length; start += 500) {
    const slice = nationalIds.slice(start, start + 500);
    for (const row of db.select({ id: members.id, nationalId: members.nationalId }).from(members).where(inArray(members.nationalId, slice)).all()) {
      found.set(row.nationalId, row.id);
    }
  }
  return found;
}

export function listMembers(
  db: FundDatabase,
  actor: Actor,
  filter: { groupId?: string; areaPath?: string; status?: MemberRow['status']; search?: string; after?: string; limit: number },
): MemberRow[] {
  return db
    .select({ member: members })
    .from(members)
    .innerJoin(groups, eq(groups.id, members.groupId))
    .innerJoin(areas, eq(areas.id, groups.areaId))
    .where(
      and(
        scopeCondition(actor),
        filter.groupId ? eq(members.groupId, filter.groupId) : undefined,
        filter.areaPath ? startsWith(areas.path, filter.areaPath) : undefined,
        filter.status ? eq(members.status, filter.status) : undefined,
        filter.search ? or(contains(members.searchName, filter.search), eq(members.nationalId, filter.search)) : undefined,
        filter.after ? gt(members.id, filter.after) : undefined,
      ),
    )
    .orderBy(asc(members.id))
    .limit(filter.limit + 1)
    .all()
    .map((row) => row.member);
}

/** Members' names and groups' codes by id, among those the actor may see (a list page names what it shows). */
export function namesWithinScope(db: FundDatabase, actor: Actor, ids: { memberIds: string[]; groupIds: string[] }) {
  const memberNames = ids.memberIds.length === 0
    ? []
    : db
        .select({ id: members.id, name: members.fullName })
        .from(members)
        .innerJoin(groups, eq(groups.id, members.groupId))
        .innerJoin(areas, eq(areas.id, groups.areaId))
        .where(and(scopeCondition(actor), inArray(members.id, ids.memberIds)))
        .all();
  const groupCodes = ids.groupIds.length === 0
    ? []
    : db
        .select({ id: groups.id, name: groups.code })
        .from(groups)
        .innerJoin(areas, eq(areas.id, groups.areaId))
        .where(and(scopeCondition(actor), inArray(groups.id, ids.groupIds)))
        .all();
  return { memberNames: new Map(memberNames.map((row) => [row.id, row.name])), groupCodes: new Map(groupCodes.map((row) => [row.id, row.name])) };
}

export function insertMembership(db: FundDatabase, membership: typeof memberships.$inferInsert): void {
  db.insert(memberships).values(membership).run();
}

export function closeOpenMembership(db: FundDatabase, memberId: string, leftOn: string, leftReason: string): void {
  db.update(memberships)
    .set({ leftOn, leftReason })
    .where(and(eq(memberships.memberId, memberId), isNull(memberships.leftOn)))
    .run();
}

export function membershipsOf(db: FundDatabase, memberId: string) {
  return db
    .select({ groupId: memberships.groupId, joinedOn: memberships.joinedOn, leftOn: memberships.leftOn, leftReason: memberships.leftReason })
    .from(memberships)
    .where(eq(memberships.memberId, memberId))
    .orderBy(asc(memberships.joinedOn), asc(memberships.id))
    .all();
}

export function insertPovertyStatusChange(db: FundDatabase, change: typeof povertyStatusChanges.$inferInsert): void {
  db.insert(povertyStatusChanges).values(change).run();
}

export function povertyStatusHistory(db: FundDatabase, memberId: string) {
  return db
    .select({ status: povertyStatusChanges.status, effectiveOn: povertyStatusChanges.effectiveOn })
    .from(povertyStatusChanges)
    .where(eq(povertyStatusChanges.memberId, memberId))
    .orderBy(asc(povertyStatusChanges.effectiveOn), asc(povertyStatusChanges.id))
    .all();
}

/** The group's active members who had joined it by a date, by name. */
export function activeMembersOf(db: FundDatabase, groupId: string, joinedBy: string) {
  return db
    .select({ id: members.id, fullName: members.fullName, joinedOn: members.joinedOn })
    .from(members)
    .where(and(eq(members.groupId, groupId), eq(members.status, 'active'), sql`${members.joinedOn} <= ${joinedBy}`))
    .orderBy(asc(members.searchName), asc(members.id))
    .all();
}

/** A member's loans still in the fund's hands: applied for, approved, or on the books (written-off loans are not). */
export function openLoansOf(db: FundDatabase, memberId: string): { id: string; status: string }[] {
  return db
    .select({ id: loans.id, status: loans.status })
    .from(loans)
    .where(and(eq(loans.memberId, memberId), inArray(loans.status, ['applied', 'approved', 'active'])))
    .orderBy(asc(loans.appliedOn), asc(loans.id))
    .all();
}

/** The last day a group was in use: a membership of it ended, or it held a meeting (null for neither). */
export function lastGroupActivityOn(db: FundDatabase, groupId: string): string | null {
  const row = db.get<{ last: string | null }>(sql`
    SELECT MAX(day) AS last FROM (
      SELECT MAX(${memberships.leftOn}) AS day FROM ${memberships} WHERE ${memberships.groupId} = ${groupId}
      UNION ALL
      SELECT MAX(${collectionSheets.meetingOn}) FROM ${collectionSheets} WHERE ${collectionSheets.groupId} = ${groupId}
    )`);
  return row?.last ?? null;
}

/**
 * The last day money of a member's was recorded: a loan transaction (disbursement, repayment, write-off, recovery) or a
 * savings movement, each read through the member's own indexes. Null when none was.
 */
export function lastActivityOn(db: FundDatabase, memberId: string): string | null {
  const row = db.get<{ last: string | null }>(sql`
    SELECT MAX(day) AS last FROM (
      SELECT (SELECT MAX(t.transaction_date) FROM ${loanTransactions} AS t WHERE t.loan_id = l.id) AS day FROM ${loans} AS l WHERE l.member_id = ${memberId}
      UNION ALL
      SELECT MAX(${savingsTransactions.transactionDate}) FROM ${savingsTransactions} WHERE ${savingsTransactions.memberId} = ${memberId}
    )`);
  return row?.last ?? null;
}
