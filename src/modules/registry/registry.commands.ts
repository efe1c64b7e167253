// Requests and replies of the registry: areas, groups, members and their memberships.
import { z } from 'zod';
import { isEthnicityCode } from '../../domain/ethnicities.js';
import { areaLevels, groupStatuses, memberStatuses, povertyStatuses, sexes } from '../../../db/schema.js';
import { code, entityId, isoDate, listQuery, name, reason, timestamp } from '../shared/schemas.js';

export const nationalId = z.string().regex(/^\d{12}$/, 'must be the 12 digits of a citizen identity card (CCCD)');
export const phone = z
  .string()
  .trim()
  .regex(/^(0|\+84)\d{9,10}$/, 'must be a Vietnamese phone number such as 0912345678 or +84912345678');
export const ethnicity = z.string().refine(isEthnicityCode, { message: 'must be a code from GET /v1/reference/ethnicities, such as 01 for Kinh' });
const meetingDay = z.number().int().min(1, 'must be a day of the month, 1 to 31').max(31, 'must be a day of the month, 1 to 31');

export const createAreaBody = z.strictObject({
  code,
  name,
  level: z.enum(areaLevels),
  parentId: entityId.optional().meta({ description: 'Required for a commune (its province) and a village (its commune)' }),
});
export type CreateAreaInput = z.infer<typeof createAreaBody>;

export const listAreasQuery = z.strictObject({
  parentId: entityId.optional(),
  level: z.enum(areaLevels).optional(),
  ...listQuery,
});
export type ListAreasQuery = z.infer<typeof listAreasQuery>;

export const areaReply = z
  .object({ id: z.string(), code: z.string(), name: z.string(), level: z.enum(areaLevels), parentId: z.string().nullable(), createdAt: timestamp })
  .meta({ id: 'Area' });
export type AreaReply = z.infer<typeof areaReply>;

export const createGroupBody = z.strictObject({
  code,
  name,
  areaId: entityId.meta({ description: 'The village the group belongs to' }),
  formedOn: isoDate,
  meetingDay: meetingDay.optional(),
  officerId: entityId.optional(),
  leaderMemberId: entityId.optional(),
});
export type CreateGroupInput = z.infer<typeof createGroupBody>;

export const updateGroupBody = z
  .strictObject({
    name: name.optional(),
    meetingDay: meetingDay.nullable().optional(),
    officerId: entityId.nullable().optional(),
    leaderMemberId: entityId.nullable().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' });
export type UpdateGroupInput = z.infer<typeof updateGroupBody>;

export const dissolveGroupBody = z.strictObject({ dissolvedOn: isoDate, reason });
export type DissolveGroupInput = z.infer<typeof dissolveGroupBody>;

export const listGroupsQuery = z.strictObject({
  areaId: entityId.optional().meta({ description: 'Groups in this area or anywhere below it' }),
  officerId: entityId.optional(),
  status: z.enum(groupStatuses).optional(),
  ...listQuery,
});
export type ListGroupsQuery = z.infer<typeof listGroupsQuery>;

export const groupReply = z
  .object({
    id: z.string(),
    code: z.string(),
    name: z.string(),
    areaId: z.string(),
    formedOn: z.string(),
    meetingDay: z.number().int().nullable(),
    officerId: z.string().nullable(),
    leaderMemberId: z.string().nullable(),
    status: z.enum(groupStatuses),
    dissolvedOn: z.string().nullable(),
    dissolutionReason: z.string().nullable(),
    activeMembers: z.number().int(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Group' });
export type GroupReply = z.infer<typeof groupReply>;

export const createMemberBody = z.strictObject({
  fullName: name,
  sex: z.enum(sexes),
  dateOfBirth: isoDate,
  nationalId,
  phone: phone.optional(),
  ethnicity,
  povertyStatus: z.enum(povertyStatuses),
  groupId: entityId,
  joinedOn: isoDate,
});
export type CreateMemberInput = z.infer<typeof createMemberBody>;

export const updateMemberBody = z
  .strictObject({
    fullName: name.optional(),
    sex: z.enum(sexes).optional(),
    dateOfBirth: isoDate.optional(),
    nationalId: nationalId.optional(),
    phone: phone.nullable().optional(),
    ethnicity: ethnicity.optional(),
    povertyStatus: z.enum(povertyStatuses).optional(),
    povertyStatusOn: isoDate.optional().meta({ description: 'When the household’s new poverty status took effect; today if left out' }),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one field to change' })
  .refine((body) => body.povertyStatusOn === undefined || body.povertyStatus !== undefined, {
    message: 'goes with povertyStatus',
    path: ['povertyStatusOn'],
  });
export type UpdateMemberInput = z.infer<typeof updateMemberBody>;

export const moveMemberBody = z.strictObject({ groupId: entityId, movedOn: isoDate });
export type MoveMemberInput = z.infer<typeof moveMemberBody>;

export const exitMemberBody = z.strictObject({ leftOn: isoDate, reason });
export type ExitMemberInput = z.infer<typeof exitMemberBody>;

export const listMembersQuery = z.strictObject({
  groupId: entityId.optional(),
  areaId: entityId.optional().meta({ description: 'Members of groups in this area or anywhere below it' }),
  status: z.enum(memberStatuses).optional(),
  ...listQuery,
});
export type ListMembersQuery = z.infer<typeof listMembersQuery>;

export const membershipReply = z.object({
  groupId: z.string(),
  joinedOn: z.string(),
  leftOn: z.string().nullable(),
  leftReason: z.string().nullable(),
});

export const povertyStatusChangeReply = z.object({ status: z.enum(povertyStatuses), effectiveOn: z.string() });

export const memberReply = z
  .object({
    id: z.string(),
    fullName: z.string(),
    sex: z.enum(sexes),
    dateOfBirth: z.string(),
    nationalId: z.string(),
    phone: z.string().nullable(),
    ethnicity: z.string(),
    povertyStatus: z.enum(povertyStatuses),
    groupId: z.string(),
    status: z.enum(memberStatuses),
    joinedOn: z.string(),
    leftOn: z.string().nullable(),
    createdAt: timestamp,
    updatedAt: timestamp,
  })
  .meta({ id: 'Member' });
export type MemberReply = z.infer<typeof memberReply>;

export const memberDetailReply = memberReply
  .extend({ memberships: z.array(membershipReply), povertyStatusHistory: z.array(povertyStatusChangeReply) })
  .meta({ id: 'MemberDetail' });
export type MemberDetailReply = z.infer<typeof memberDetailReply>;
