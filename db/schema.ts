// The fund ledger's tables (drizzle, SQLite dialect). Dates are `YYYY-MM-DD` TEXT, timestamps ISO 8601 UTC TEXT,
// amounts INTEGER minor units; every id is an opaque TEXT. Migrations under db/migrations are generated from this.
import { type AnySQLiteColumn, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';

export const areaLevels = ['province', 'commune', 'village'] as const;
export const roles = ['admin', 'officer', 'leader', 'auditor'] as const;
export const sexes = ['female', 'male'] as const;
export const povertyStatuses = ['poor', 'near_poor', 'recently_out_of_poverty', 'other'] as const;
export const groupStatuses = ['active', 'dissolved'] as const;
export const memberStatuses = ['active', 'exited'] as const;

export const areas = sqliteTable(
  'areas',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    searchName: text('search_name').notNull(),
    level: text('level', { enum: areaLevels }).notNull(),
    parentId: text('parent_id').references((): AnySQLiteColumn => areas.id),
    /** Ids from the root down to this area, `/id/id/id/`: a subtree is a prefix match, in any SQL dialect. */
    path: text('path').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('areas_code_unique').on(table.code), index('areas_parent_idx').on(table.parentId), index('areas_path_idx').on(table.path)],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    fullName: text('full_name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    groupId: text('group_id').references((): AnySQLiteColumn => groups.id),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('users_username_unique').on(table.username)],
);

export const userAreas = sqliteTable(
  'user_areas',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
  },
  (table) => [primaryKey({ columns: [table.userId, table.areaId] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the bearer token: the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (table) => [uniqueIndex('sessions_token_hash_unique').on(table.tokenHash), index('sessions_user_idx').on(table.userId)],
);

export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    attemptedAt: text('attempted_at').notNull(),
    succeeded: integer('succeeded', { mode: 'boolean' }).notNull(),
    ip: text('ip'),
  },
  (table) => [index('login_attempts_username_idx').on(table.username, table.attemptedAt)],
);

export const groups = sqliteTable(
  'groups',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    searchName: text('search_name').notNull(),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
    formedOn: text('formed_on').notNull(),
    /** Day of the month the group meets (1-31; a short month meets on its last day). */
    meetingDay: integer('meeting_day'),
    officerId: text('officer_id').references((): AnySQLiteColumn => users.id),
    leaderMemberId: text('leader_member_id').references((): AnySQLiteColumn => members.id),
    status: text('status', { enum: groupStatuses }).notNull().default('active'),
    dissolvedOn: text('dissolved_on'),
    dissolutionReason: text('dissolution_reason'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('groups_code_unique').on(table.code),
    index('groups_area_idx').on(table.areaId),
    index('groups_officer_idx').on(table.officerId),
    index('groups_formed_on_idx').on(table.formedOn),
  ],
);

export const members = sqliteTable(
  'members',
  {
    id: text('id').primaryKey(),
    fullName: text('full_name').notNull(),
    searchName: text('search_name').notNull(),
    sex: text('sex', { enum: sexes }).notNull(),
    dateOfBirth: text('date_of_birth').notNull(),
    /** The 12-digit citizen identity card number (CCCD). */
    nationalId: text('national_id').notNull(),
    phone: text('phone'),
    ethnicity: text('ethnicity').notNull(),
    /** The household's latest status; its dated history is in poverty_status_changes. */
    povertyStatus: text('poverty_status', { enum: povertyStatuses }).notNull(),
    /** The current group, or the last one for a member who has left. */
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    status: text('status', { enum: memberStatuses }).notNull().default('active'),
    joinedOn: text('joined_on').notNull(),
    leftOn: text('left_on'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('members_national_id_unique').on(table.nationalId),
    index('members_group_idx').on(table.groupId, table.status),
    index('members_search_name_idx').on(table.searchName),
  ],
);

export const memberships = sqliteTable(
  'memberships',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    joinedOn: text('joined_on').notNull(),
    leftOn: text('left_on'),
    leftReason: text('left_reason'),
  },
  (table) => [index('memberships_member_idx').on(table.memberId), index('memberships_group_idx').on(table.groupId, table.joinedOn)],
);

export const povertyStatusChanges = sqliteTable(
  'poverty_status_changes',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    status: text('status', { enum: povertyStatuses }).notNull(),
    effectiveOn: text('effective_on').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (table) => [index('poverty_status_changes_member_idx').on(table.memberId, table.effectiveOn)],
);

/** Fund-wide settings, one row per key, the value as JSON validated by the settings module. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull(),
});
