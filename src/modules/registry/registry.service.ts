// The registry's commands and queries: areas, groups, members, memberships. One synchronous transaction per command.
import { ageOn, parseIsoDate } from '../../domain/calendar.js';
import { foldForSearch, normaliseName } from '../../domain/text.js';
import { ethnicities } from '../../domain/ethnicities.js';
import { type Actor, reachesGroup, requireAreaInScope, requireGroupInScope, requireRole } from '../shared/access.js';
import { type ServiceContext, futureDateError, nowTimestamp, requireNotFuture, today } from '../shared/context.js';
import { closedPeriodProblem, closedThrough, requireOpenPeriod } from '../ledger/ledger.service.js';
import { DomainError } from '../shared/domain-error.js';
import { newId } from '../shared/ids.js';
import { type IdempotencyContext, onceIfKeyed } from '../shared/idempotency.js';
import { type Page, decodeCursor, toPage } from '../shared/pagination.js';
import type { FundDatabase } from '../../../db/client.js';
import { readSettings } from '../settings/settings.service.js';
import type {
  AreaReply,
  CreateAreaInput,
  CreateGroupInput,
  CreateMemberInput,
  DissolveGroupInput,
  ExitMemberInput,
  GroupReply,
  ListAreasQuery,
  ListGroupsQuery,
  ListMembersQuery,
  MemberDetailReply,
  MemberReply,
  MoveMemberInput,
  UpdateGroupInput,
  UpdateMemberInput,
} from './registry.commands.js';
import * as repo from './registry.repo.js';
import { userAreaPaths } from '../auth/auth.repo.js';

/** A member must be an adult when she joins: loans are made to adults only. */
export const minimumMemberAge = 18;

const writers = ['admin', 'officer'] as const;
const parentLevel = { province: null, commune: 'province', village: 'commune' } as const;

export function listEthnicities() {
  return ethnicities;
}

// Areas

function areaReply(row: repo.AreaRow): AreaReply {
  return { id: row.id, code: row.code, name: row.name, level: row.level, parentId: row.parentId, createdAt: row.createdAt };
}

export function createArea(context: ServiceContext, actor: Actor, input: CreateAreaInput): AreaReply {
  requireRole(actor, ['admin'], 'create areas');
  return context.db.transaction((tx) => {
    const expectedParent = parentLevel[input.level];
    let parentPath = '/';
    if (expectedParent === null) {
      if (input.parentId !== undefined) {
        throw new DomainError('area_parent_invalid', 'A province is the top of the tree and has no parent.', [{ path: 'parentId', message: 'must be left out for a province' }]);
      }
    } else {
      if (input.parentId === undefined) {
        throw new DomainError('area_parent_invalid', `A ${input.level} needs its ${expectedParent} as parent.`, [{ path: 'parentId', message: `required for a ${input.level}` }]);
      }
      const parent = repo.findArea(tx, input.parentId);
      if (!parent) throw new DomainError('area_not_found', `No area has the id ${input.parentId}.`, [{ path: 'parentId', message: 'unknown area' }]);
      if (parent.level !== expectedParent) {
        throw new DomainError('area_parent_invalid', `A ${input.level} belongs to a ${expectedParent}, and ${parent.code} is a ${parent.level}.`, [
          { path: 'parentId', message: `must be a ${expectedParent}` },
        ]);
      }
      parentPath = parent.path;
    }
    if (repo.findAreaByCode(tx, input.code)) {
      throw new DomainError('duplicate_code', `An area with the code ${input.code} exists already.`, [{ path: 'code', message: 'already used' }]);
    }
    const id = newId('ar');
    const name = normaliseName(input.name);
    const row = { id, code: input.code, name, searchName: foldForSearch(name), level: input.level, parentId: input.parentId ?? null, path: `${parentPath}${id}/`, createdAt: nowTimestamp(context) };
    repo.insertArea(tx, row);
    return areaReply(row);
  });
}

export function getArea(context: ServiceContext, id: string): AreaReply {
  const area = repo.findArea(context.db, id);
  if (!area) throw new DomainError('area_not_found', `No area has the id ${id}.`);
  return areaReply(area);
}

export function listAreas(context: ServiceContext, query: ListAreasQuery): Page<AreaReply> {
  const rows = repo.listAreas(context.db, {
    parentId: query.parentId,
    level: query.level,
    search: query.q ? foldForSearch(query.q) : undefined,
    after: decodeCursor(query.cursor, 'ar'),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit);
  return { items: page.items.map(areaReply), nextCursor: page.nextCursor };
}

function areaPathFilter(db: FundDatabase, areaId: string | undefined): string | undefined {
  if (areaId === undefined) return undefined;
  const area = repo.findArea(db, areaId);
  if (!area) throw new DomainError('area_not_found', `No area has the id ${areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
  return area.path;
}

// Groups

function groupReply(row: repo.GroupRow, activeMembers: number): GroupReply {
  return {
    id: row.id,
    code: row.code,
    name: row.name,
    areaId: row.areaId,
    formedOn: row.formedOn,
    meetingDay: row.meetingDay,
    officerId: row.officerId,
    leaderMemberId: row.leaderMemberId,
    status: row.status,
    dissolvedOn: row.dissolvedOn,
    dissolutionReason: row.dissolutionReason,
    activeMembers,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function groupReplyOf(db: FundDatabase, row: repo.GroupRow): GroupReply {
  return groupReply(row, repo.activeMemberCounts(db, [row.id]).get(row.id) ?? 0);
}

function requireGroup(db: FundDatabase, id: string, field?: string): repo.GroupWithArea {
  const group = repo.findGroup(db, id);
  if (!group) throw new DomainError('group_not_found', `No group has the id ${id}.`, field ? [{ path: field, message: 'unknown group' }] : []);
  return group;
}

function requireActiveGroup(group: repo.GroupWithArea): void {
  if (group.status !== 'active') throw new DomainError('group_dissolved', `Group ${group.code} was dissolved on ${group.dissolvedOn}.`);
}

function requireOfficerFor(db: FundDatabase, officerId: string, area: { path: string; code: string }): void {
  const officer = repo.findOfficer(db, officerId);
  if (!officer || officer.role !== 'officer' || officer.status !== 'active') {
    throw new DomainError('group_officer_invalid', `User ${officerId} is not an active fund officer.`, [{ path: 'officerId', message: 'must be an active officer' }]);
  }
  const officerPaths = userAreaPaths(db, officerId);
  if (!officerPaths.some((path) => area.path.startsWith(path))) {
    throw new DomainError('group_officer_invalid', `The officer is not assigned to area ${area.code}.`, [{ path: 'officerId', message: 'must be assigned to the group’s area' }]);
  }
}

export function createGroup(context: ServiceContext, actor: Actor, input: CreateGroupInput, idempotency?: IdempotencyContext): GroupReply {
  requireRole(actor, writers, 'form groups');
  return context.db.transaction((tx) => onceIfKeyed(tx, actor.userId, idempotency, input, nowTimestamp(context), 201, () => {
    const area = repo.findArea(tx, input.areaId);
    if (!area) throw new DomainError('area_not_found', `No area has the id ${input.areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
    requireAreaInScope(actor, area);
    if (area.level !== 'village') {
      throw new DomainError('group_area_not_village', `A group belongs to a village, and ${area.code} is a ${area.level}.`, [{ path: 'areaId', message: 'must be a village' }]);
    }
    if (repo.findGroupByCode(tx, input.code)) {
      throw new DomainError('duplicate_code', `A group with the code ${input.code} exists already.`, [{ path: 'code', message: 'already used' }]);
    }
    requireNotFuture(context, input.formedOn, 'formedOn');
    requireOpenPeriod(tx, input.formedOn, 'formedOn');
    if (input.leaderMemberId !== undefined) {
      throw new DomainError('group_leader_not_member', 'A new group has no members yet: register them, then name the leader.', [
        { path: 'leaderMemberId', message: 'must be a member of the group' },
      ]);
    }
    // An officer who forms a group is its officer unless another is named.
    const officerId = input.officerId ?? (actor.role === 'officer' ? actor.userId : null);
    if (officerId !== null) requireOfficerFor(tx, officerId, area);
    return groupReply(insertNewGroup(tx, { ...input, areaId: area.id, officerId }, nowTimestamp(context)), 0);
  }));
}

/** Writes a new group: the one way a group comes into being, for the form and the CSV import alike. */
export function insertNewGroup(
  db: FundDatabase,
  input: { code: string; name: string; areaId: string; formedOn: string; meetingDay?: number | null; officerId: string | null },
  now: string,
): repo.GroupRow {
  const name = normaliseName(input.name);
  const row: repo.GroupRow = {
    id: newId('gr'),
    number: repo.nextGroupNumber(db),
    code: input.code,
    name,
    searchName: foldForSearch(name),
    areaId: input.areaId,
    formedOn: input.formedOn,
    meetingDay: input.meetingDay ?? null,
    officerId: input.officerId,
    leaderMemberId: null,
    status: 'active',
    dissolvedOn: null,
    dissolutionReason: null,
    createdAt: now,
    updatedAt: now,
  };
  repo.insertGroup(db, row);
  return row;
}

export function getGroup(context: ServiceContext, actor: Actor, id: string): GroupReply {
  const group = requireGroup(context.db, id);
  requireGroupInScope(actor, group);
  return groupReplyOf(context.db, group);
}

export function listGroups(context: ServiceContext, actor: Actor, query: ListGroupsQuery): Page<GroupReply> {
  const rows = repo.listGroups(context.db, actor, {
    areaPath: areaPathFilter(context.db, query.areaId),
    officerId: query.officerId,
    status: query.status,
    search: query.q ? foldForSearch(query.q) : undefined,
    after: decodeCursor(query.cursor, 'gr'),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit);
  const counts = repo.activeMemberCounts(context.db, page.items.map((row) => row.id));
  return { items: page.items.map((row) => groupReply(row, counts.get(row.id) ?? 0)), nextCursor: page.nextCursor };
}

export function updateGroup(context: ServiceContext, actor: Actor, id: string, input: UpdateGroupInput): GroupReply {
  requireRole(actor, writers, 'change groups');
  return context.db.transaction((tx) => {
    const group = requireGroup(tx, id);
    requireGroupInScope(actor, group);
    requireActiveGroup(group);
    if (input.officerId) requireOfficerFor(tx, input.officerId, { path: group.areaPath, code: group.areaCode });
    if (input.leaderMemberId) {
      const leader = repo.findMember(tx, input.leaderMemberId);
      if (!leader || leader.groupId !== group.id || leader.status !== 'active') {
        throw new DomainError('group_leader_not_member', `The leader must be an active member of group ${group.code}.`, [
          { path: 'leaderMemberId', message: 'must be an active member of the group' },
        ]);
      }
    }
    const changes: Parameters<typeof repo.updateGroup>[2] = { updatedAt: nowTimestamp(context) };
    if (input.name !== undefined) {
      changes.name = normaliseName(input.name);
      changes.searchName = foldForSearch(changes.name);
    }
    if (input.meetingDay !== undefined) changes.meetingDay = input.meetingDay;
    if (input.officerId !== undefined) changes.officerId = input.officerId;
    if (input.leaderMemberId !== undefined) changes.leaderMemberId = input.leaderMemberId;
    repo.updateGroup(tx, id, changes);
    return groupReplyOf(tx, requireGroup(tx, id));
  });
}

export function dissolveGroup(context: ServiceContext, actor: Actor, id: string, input: DissolveGroupInput): GroupReply {
  requireRole(actor, writers, 'dissolve groups');
  return context.db.transaction((tx) => {
    const group = requireGroup(tx, id);
    requireGroupInScope(actor, group);
    requireActiveGroup(group);
    const active = repo.activeMemberCounts(tx, [id]).get(id) ?? 0;
    if (active > 0) {
      throw new DomainError('group_has_active_members', `Group ${group.code} still has ${active} active member${active === 1 ? '' : 's'}: move them to another group or record their exit first.`);
    }
    if (input.dissolvedOn < group.formedOn) {
      throw new DomainError('date_before_group_formed', `The group was formed on ${group.formedOn}.`, [{ path: 'dissolvedOn', message: 'must not be before the group was formed' }]);
    }
    // A group ends no earlier than its last member left it or it last met: the books as of any earlier day show it
    // with members and money, which a dissolved group cannot have.
    const lastActive = repo.lastGroupActivityOn(tx, id);
    if (lastActive !== null && input.dissolvedOn < lastActive) {
      throw new DomainError('date_before_member_activity', `The group had members or met until ${lastActive}; it cannot be dissolved before then.`, [
        { path: 'dissolvedOn', message: `must be on or after ${lastActive}` },
      ]);
    }
    requireNotFuture(context, input.dissolvedOn, 'dissolvedOn');
    requireOpenPeriod(tx, input.dissolvedOn, 'dissolvedOn');
    repo.updateGroup(tx, id, { status: 'dissolved', dissolvedOn: input.dissolvedOn, dissolutionReason: input.reason, leaderMemberId: null, updatedAt: nowTimestamp(context) });
    return groupReplyOf(tx, requireGroup(tx, id));
  });
}

// Members

function memberReply(row: repo.MemberRow): MemberReply {
  return {
    id: row.id,
    fullName: row.fullName,
    sex: row.sex,
    dateOfBirth: row.dateOfBirth,
    nationalId: row.nationalId,
    phone: row.phone,
    ethnicity: row.ethnicity,
    povertyStatus: row.povertyStatus,
    groupId: row.groupId,
    status: row.status,
    joinedOn: row.joinedOn,
    leftOn: row.leftOn,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

function memberDetail(db: FundDatabase, row: repo.MemberRow): MemberDetailReply {
  return { ...memberReply(row), memberships: repo.membershipsOf(db, row.id), povertyStatusHistory: repo.povertyStatusHistory(db, row.id) };
}

function requireMember(db: FundDatabase, id: string): repo.MemberWithGroup {
  const member = repo.findMember(db, id);
  if (!member) throw new DomainError('member_not_found', `No member has the id ${id}.`);
  return member;
}

function requireRoomIn(db: FundDatabase, group: repo.GroupWithArea, joining: number): void {
  const { maxGroupMembers } = readSettings(db);
  const active = repo.activeMemberCounts(db, [group.id]).get(group.id) ?? 0;
  if (active + joining > maxGroupMembers) {
    throw new DomainError('group_full', `Group ${group.code} has ${active} members and the fund allows at most ${maxGroupMembers}.`, [{ path: 'groupId', message: 'group is full' }]);
  }
}

/** The checks a new member passes, shared by the form and the CSV import; returns the problems, fields named. */
export function memberAdmissionProblems(
  input: { dateOfBirth: string; joinedOn: string },
  group: { code: string; formedOn: string; status: string },
  businessToday: string,
  booksClosedThrough: string | null,
): DomainError[] {
  const problems: DomainError[] = [];
  if (group.status !== 'active') problems.push(new DomainError('group_dissolved', `Group ${group.code} is dissolved.`, [{ path: 'groupId', message: 'group is dissolved' }]));
  if (input.joinedOn > businessToday) {
    problems.push(futureDateError(input.joinedOn, businessToday, 'joinedOn'));
  }
  // The outreach of a closed period is reported and stays as it was: nobody joins inside it afterwards.
  const closed = closedPeriodProblem(booksClosedThrough, input.joinedOn, 'joinedOn');
  if (closed) problems.push(closed);
  if (input.joinedOn < group.formedOn) {
    problems.push(
      new DomainError('date_before_group_formed', `Group ${group.code} was formed on ${group.formedOn}.`, [{ path: 'joinedOn', message: 'must not be before the group was formed' }]),
    );
  }
  const born = parseIsoDate(input.dateOfBirth);
  const joined = parseIsoDate(input.joinedOn);
  if (input.dateOfBirth > businessToday) {
    problems.push(futureDateError(input.dateOfBirth, businessToday, 'dateOfBirth'));
  } else if (born !== null && joined !== null && ageOn(born, joined) < minimumMemberAge) {
    problems.push(
      new DomainError('member_under_age', `A member must be at least ${minimumMemberAge} when she joins.`, [{ path: 'dateOfBirth', message: `under ${minimumMemberAge} on the joining date` }]),
    );
  }
  return problems;
}

/** Writes a member with her first membership and poverty status: the one way a member comes into being. */
export function insertNewMember(db: FundDatabase, input: CreateMemberInput, groupId: string, now: string): repo.MemberRow {
  const fullName = normaliseName(input.fullName);
  const row: repo.MemberRow = {
    id: newId('mb'),
    number: repo.nextMemberNumber(db),
    fullName,
    searchName: foldForSearch(fullName),
    sex: input.sex,
    dateOfBirth: input.dateOfBirth,
    nationalId: input.nationalId,
    phone: input.phone ?? null,
    ethnicity: input.ethnicity,
    povertyStatus: input.povertyStatus,
    groupId,
    status: 'active',
    joinedOn: input.joinedOn,
    leftOn: null,
    createdAt: now,
    updatedAt: now,
  };
  repo.insertMember(db, row);
  repo.insertMembership(db, { id: newId('ms'), memberId: row.id, groupId, joinedOn: input.joinedOn, leftOn: null, leftReason: null });
  repo.insertPovertyStatusChange(db, { id: newId('ps'), memberId: row.id, status: input.povertyStatus, effectiveOn: input.joinedOn, recordedAt: now });
  return row;
}

function requireUniqueNationalId(db: FundDatabase, nationalId: string, exceptMemberId?: string): void {
  const existing = repo.findMemberIdsByNationalIds(db, [nationalId]).get(nationalId);
  if (existing !== undefined && existing !== exceptMemberId) {
    throw new DomainError('duplicate_national_id', `Another member is registered with the CCCD ${nationalId}.`, [{ path: 'nationalId', message: 'already registered' }]);
  }
}

export function createMember(context: ServiceContext, actor: Actor, input: CreateMemberInput, idempotency?: IdempotencyContext): MemberDetailReply {
  requireRole(actor, writers, 'register members');
  return context.db.transaction((tx) => onceIfKeyed(tx, actor.userId, idempotency, input, nowTimestamp(context), 201, () => {
    const group = requireGroup(tx, input.groupId, 'groupId');
    requireGroupInScope(actor, group);
    requireUniqueNationalId(tx, input.nationalId);
    const [problem] = memberAdmissionProblems(input, group, today(context), closedThrough(tx));
    if (problem) throw problem;
    requireRoomIn(tx, group, 1);
    return memberDetail(tx, insertNewMember(tx, input, group.id, nowTimestamp(context)));
  }));
}

export function getMember(context: ServiceContext, actor: Actor, id: string): MemberDetailReply {
  const member = requireMember(context.db, id);
  if (!reachesGroup(actor, { id: member.groupId, areaPath: member.areaPath })) {
    throw new DomainError('scope_forbidden', 'This member is outside what you are assigned to.');
  }
  return memberDetail(context.db, member);
}

export function listMembers(context: ServiceContext, actor: Actor, query: ListMembersQuery): Page<MemberReply> {
  // An unknown group is a mistake to say, as an unknown area is, not an empty list.
  if (query.groupId !== undefined) requireGroup(context.db, query.groupId, 'groupId');
  const search = query.q ? foldForSearch(query.q) : undefined;
  const rows = repo.listMembers(context.db, actor, {
    groupId: query.groupId,
    areaPath: areaPathFilter(context.db, query.areaId),
    status: query.status,
    search,
    after: decodeCursor(query.cursor, 'mb'),
    limit: query.limit,
  });
  const page = toPage(rows, query.limit);
  return { items: page.items.map(memberReply), nextCursor: page.nextCursor };
}

/** The names of members and codes of groups a list shows, in one read each; ids outside the actor's scope are left out. */
export function namesOf(context: ServiceContext, actor: Actor, ids: { memberIds?: string[]; groupIds?: string[] }) {
  return repo.namesWithinScope(context.db, actor, { memberIds: [...new Set(ids.memberIds ?? [])], groupIds: [...new Set(ids.groupIds ?? [])] });
}

export function updateMember(context: ServiceContext, actor: Actor, id: string, input: UpdateMemberInput): MemberDetailReply {
  requireRole(actor, writers, 'change members');
  return context.db.transaction((tx) => {
    const member = requireMember(tx, id);
    requireGroupInScope(actor, { id: member.groupId, code: member.groupCode, areaPath: member.areaPath });
    const now = nowTimestamp(context);
    const changes: Parameters<typeof repo.updateMember>[2] = { updatedAt: now };
    if (input.fullName !== undefined) {
      changes.fullName = normaliseName(input.fullName);
      changes.searchName = foldForSearch(changes.fullName);
    }
    if (input.sex !== undefined) changes.sex = input.sex;
    if (input.dateOfBirth !== undefined) {
      const [problem] = memberAdmissionProblems({ dateOfBirth: input.dateOfBirth, joinedOn: member.joinedOn }, { code: member.groupCode, formedOn: '0000-00-00', status: 'active' }, today(context), null);
      if (problem) throw problem;
      changes.dateOfBirth = input.dateOfBirth;
    }
    if (input.nationalId !== undefined) {
      requireUniqueNationalId(tx, input.nationalId, id);
      changes.nationalId = input.nationalId;
    }
    if (input.phone !== undefined) changes.phone = input.phone;
    if (input.ethnicity !== undefined) changes.ethnicity = input.ethnicity;
    // A date in the future is refused whether or not the status changes (a form sends the status it shows).
    if (input.povertyStatusOn !== undefined) requireNotFuture(context, input.povertyStatusOn, 'povertyStatusOn');
    if (input.povertyStatus !== undefined && input.povertyStatus !== member.povertyStatus) {
      // A household's status is history (reports count households that left poverty in a period): record, never overwrite.
      const effectiveOn = input.povertyStatusOn ?? today(context);
      requireNotFuture(context, effectiveOn, 'povertyStatusOn');
      requireOpenPeriod(tx, effectiveOn, 'povertyStatusOn');
      const history = repo.povertyStatusHistory(tx, id);
      const latest = history[history.length - 1];
      if (latest && effectiveOn < latest.effectiveOn) {
        throw new DomainError('date_before_status_change', `The household’s status last changed on ${latest.effectiveOn}; a new change cannot be dated before it.`, [
          { path: 'povertyStatusOn', message: `must be on or after ${latest.effectiveOn}` },
        ]);
      }
      repo.insertPovertyStatusChange(tx, { id: newId('ps'), memberId: id, status: input.povertyStatus, effectiveOn, recordedAt: now });
      changes.povertyStatus = input.povertyStatus;
    }
    repo.updateMember(tx, id, changes);
    return memberDetail(tx, requireMember(tx, id));
  });
}

/**
 * A member leaves her group (by moving, or by leaving the fund) no earlier than the last day money of hers was
 * recorded: the meetings and books up to then stay as they were written, each line in the group she was in.
 */
function requireNothingRecordedAfter(db: FundDatabase, memberId: string, leavesOn: string, field: string): void {
  const last = repo.lastActivityOn(db, memberId);
  if (last !== null && leavesOn < last) {
    throw new DomainError('date_before_member_activity', `The member has loans or savings recorded on ${last}.`, [{ path: field, message: `must be on or after ${last}` }]);
  }
}

/**
 * A member leaves the fund with no loan of hers still in its hands: one being repaid would be collected at no meeting
 * (she attends none), and an application would be decided for someone gone. A written-off loan may still be recovered.
 */
function requireNoOpenLoans(db: FundDatabase, memberId: string): void {
  const open = repo.openLoansOf(db, memberId);
  if (open.length > 0) {
    const which = open.map((loan) => `${loan.id}, ${loan.status}`).join('; ');
    throw new DomainError('member_has_open_loans', `The member still has ${open.length === 1 ? 'a loan' : `${open.length} loans`} (${which}): each must be repaid, written off, withdrawn or rejected before she leaves the fund.`);
  }
}

function currentMembershipStart(db: FundDatabase, memberId: string): string {
  const open = repo.membershipsOf(db, memberId).filter((membership) => membership.leftOn === null);
  const current = open[open.length - 1];
  if (!current) throw new Error(`active member ${memberId} has no open membership`);
  return current.joinedOn;
}

export function moveMember(context: ServiceContext, actor: Actor, id: string, input: MoveMemberInput): MemberDetailReply {
  requireRole(actor, writers, 'move members between groups');
  return context.db.transaction((tx) => {
    const member = requireMember(tx, id);
    requireGroupInScope(actor, { id: member.groupId, code: member.groupCode, areaPath: member.areaPath });
    if (member.status !== 'active') throw new DomainError('member_not_active', `This member left the fund on ${member.leftOn}.`);
    const target = requireGroup(tx, input.groupId, 'groupId');
    requireGroupInScope(actor, target);
    requireActiveGroup(target);
    if (target.id === member.groupId) {
      throw new DomainError('member_already_in_group', `The member is already in group ${target.code}.`, [{ path: 'groupId', message: 'is the member’s current group' }]);
    }
    const joinedCurrent = currentMembershipStart(tx, id);
    if (input.movedOn <= joinedCurrent) {
      throw new DomainError('date_before_joined', `The member joined her current group on ${joinedCurrent}.`, [{ path: 'movedOn', message: `must be after ${joinedCurrent}` }]);
    }
    if (input.movedOn < target.formedOn) {
      throw new DomainError('date_before_group_formed', `Group ${target.code} was formed on ${target.formedOn}.`, [{ path: 'movedOn', message: 'must not be before the group was formed' }]);
    }
    requireNotFuture(context, input.movedOn, 'movedOn');
    requireOpenPeriod(tx, input.movedOn, 'movedOn');
    requireNothingRecordedAfter(tx, id, input.movedOn, 'movedOn');
    requireRoomIn(tx, target, 1);
    const now = nowTimestamp(context);
    repo.closeOpenMembership(tx, id, input.movedOn, `moved to group ${target.code}`);
    repo.insertMembership(tx, { id: newId('ms'), memberId: id, groupId: target.id, joinedOn: input.movedOn, leftOn: null, leftReason: null });
    const previous = requireGroup(tx, member.groupId);
    if (previous.leaderMemberId === id) repo.updateGroup(tx, previous.id, { leaderMemberId: null, updatedAt: now });
    repo.updateMember(tx, id, { groupId: target.id, updatedAt: now });
    return memberDetail(tx, requireMember(tx, id));
  });
}

export function exitMember(context: ServiceContext, actor: Actor, id: string, input: ExitMemberInput): MemberDetailReply {
  requireRole(actor, writers, 'record a member’s exit');
  return context.db.transaction((tx) => {
    const member = requireMember(tx, id);
    requireGroupInScope(actor, { id: member.groupId, code: member.groupCode, areaPath: member.areaPath });
    if (member.status !== 'active') throw new DomainError('member_not_active', `This member left the fund on ${member.leftOn}.`);
    const joinedCurrent = currentMembershipStart(tx, id);
    if (input.leftOn < joinedCurrent) {
      throw new DomainError('date_before_joined', `The member joined her group on ${joinedCurrent}.`, [{ path: 'leftOn', message: `must be on or after ${joinedCurrent}` }]);
    }
    requireNotFuture(context, input.leftOn, 'leftOn');
    requireOpenPeriod(tx, input.leftOn, 'leftOn');
    requireNoOpenLoans(tx, id);
    requireNothingRecordedAfter(tx, id, input.leftOn, 'leftOn');
    const now = nowTimestamp(context);
    repo.closeOpenMembership(tx, id, input.leftOn, input.reason);
    const group = requireGroup(tx, member.groupId);
    if (group.leaderMemberId === id) repo.updateGroup(tx, group.id, { leaderMemberId: null, updatedAt: now });
    repo.updateMember(tx, id, { status: 'exited', leftOn: input.leftOn, updatedAt: now });
    return memberDetail(tx, requireMember(tx, id));
  });
}
