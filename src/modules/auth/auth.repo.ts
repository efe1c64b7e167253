// Storage of users, their area scopes, sign-in sessions and sign-in attempts.
import { and, asc, count, eq, gt, inArray, isNull, ne, sql } from 'drizzle-orm';
import { prepared } from '../shared/prepared.js';
import { type FundDatabase, statementOn } from '../../../db/client.js';
import { areas, groups, loginAttempts, sessions, userAreas, users } from '../../../db/schema.js';

export type UserRow = typeof users.$inferSelect;

export function countUsers(db: FundDatabase): number {
  return db.select({ value: count() }).from(users).get()?.value ?? 0;
}

export function findUserByUsername(db: FundDatabase, username: string): UserRow | undefined {
  return db.select().from(users).where(eq(users.username, username)).get();
}

export function findUserById(db: FundDatabase, id: string): UserRow | undefined {
  return prepared(db, 'findUserById', (on) => on.select().from(users).where(eq(users.id, sql.placeholder('id'))).prepare()).get({ id });
}

export function listUsers(db: FundDatabase, filter: { role?: UserRow['role']; after?: string; limit: number }): UserRow[] {
  const conditions = [filter.role ? eq(users.role, filter.role) : undefined, filter.after ? gt(users.id, filter.after) : undefined];
  return db
    .select()
    .from(users)
    .where(and(...conditions))
    .orderBy(asc(users.id))
    .limit(filter.limit + 1)
    .all();
}

export function insertUser(db: FundDatabase, user: typeof users.$inferInsert, areaIds: string[]): void {
  db.insert(users).values(user).run();
  if (areaIds.length > 0) db.insert(userAreas).values(areaIds.map((areaId) => ({ userId: user.id, areaId }))).run();
}

export function userAreaIds(db: FundDatabase, userId: string): string[] {
  return db
    .select({ areaId: userAreas.areaId })
    .from(userAreas)
    .where(eq(userAreas.userId, userId))
    .orderBy(asc(userAreas.areaId))
    .all()
    .map((row) => row.areaId);
}

export function userAreaPaths(db: FundDatabase, userId: string): string[] {
  return prepared(db, 'userAreaPaths', (on) => on.select({ path: areas.path }).from(userAreas).innerJoin(areas, eq(areas.id, userAreas.areaId)).where(eq(userAreas.userId, sql.placeholder('userId'))).prepare())
    .all({ userId })
    .map((row) => row.path);
}

export function areaIdsPresent(db: FundDatabase, ids: string[]): Set<string> {
  if (ids.length === 0) return new Set();
  return new Set(
    db
      .select({ id: areas.id })
      .from(areas)
      .where(inArray(areas.id, ids))
      .all()
      .map((row) => row.id),
  );
}

export function insertSession(db: FundDatabase, session: typeof sessions.$inferInsert): void {
  db.insert(sessions).values(session).run();
}

/** What a request's sign-in is checked against: its session and the user behind it (null when the user is gone). */
export interface SignIn {
  sessionId: string;
  expiresAt: string;
  revokedAt: string | null;
  user: Pick<UserRow, 'id' | 'username' | 'role' | 'status' | 'groupId'> | null;
}

/** One statement: every request to the API reads it before anything else, and two reads each began a read transaction. */
const signInOfToken = `SELECT s.id AS sessionId, s.expires_at AS expiresAt, s.revoked_at AS revokedAt,
    u.id AS userId, u.username AS username, u.role AS role, u.status AS status, u.group_id AS groupId
  FROM sessions AS s LEFT JOIN users AS u ON u.id = s.user_id WHERE s.token_hash = ?`;

export function findSignIn(db: FundDatabase, tokenHash: string): SignIn | undefined {
  const row = statementOn(db, signInOfToken).get(tokenHash) as
    | { sessionId: string; expiresAt: string; revokedAt: string | null; userId: string | null; username: string; role: UserRow['role']; status: UserRow['status']; groupId: string | null }
    | undefined;
  if (!row) return undefined;
  const { userId, username, role, status, groupId, ...session } = row;
  return { ...session, user: userId === null ? null : { id: userId, username, role, status, groupId } };
}

export function revokeSession(db: FundDatabase, sessionId: string, revokedAt: string): void {
  db.update(sessions).set({ revokedAt }).where(eq(sessions.id, sessionId)).run();
}

export function recordLoginAttempt(db: FundDatabase, attempt: typeof loginAttempts.$inferInsert): void {
  db.insert(loginAttempts).values(attempt).run();
}

/** The username's attempts since a moment, newest first. */
export function recentLoginAttempts(db: FundDatabase, username: string, since: string) {
  return db
    .select({ succeeded: loginAttempts.succeeded, attemptedAt: loginAttempts.attemptedAt })
    .from(loginAttempts)
    .where(and(eq(loginAttempts.username, username), gt(loginAttempts.attemptedAt, since)))
    .orderBy(asc(loginAttempts.id))
    .all()
    .reverse();
}

/** A group's status, or undefined for no such group. */
export function groupStatus(db: FundDatabase, groupId: string): { status: string; code: string; dissolvedOn: string | null } | undefined {
  return db.select({ status: groups.status, code: groups.code, dissolvedOn: groups.dissolvedOn }).from(groups).where(eq(groups.id, groupId)).get();
}

export function updateUserRow(db: FundDatabase, id: string, change: Partial<Pick<UserRow, 'fullName' | 'role' | 'groupId' | 'status' | 'passwordHash'>>): void {
  db.update(users).set(change).where(eq(users.id, id)).run();
}

export function replaceUserAreas(db: FundDatabase, userId: string, areaIds: string[]): void {
  db.delete(userAreas).where(eq(userAreas.userId, userId)).run();
  if (areaIds.length > 0) db.insert(userAreas).values(areaIds.map((areaId) => ({ userId, areaId }))).run();
}

/** Active admins other than one user: the fund must keep one. */
export function otherActiveAdmins(db: FundDatabase, userId: string): number {
  return db.select({ value: count() }).from(users).where(and(eq(users.role, 'admin'), eq(users.status, 'active'), ne(users.id, userId))).get()?.value ?? 0;
}

/** Ends every sign-in of a user still open, but the one kept (the user's own, when she changes her password). */
export function revokeSessionsOfUser(db: FundDatabase, userId: string, revokedAt: string, keptSessionId?: string): void {
  db.update(sessions)
    .set({ revokedAt })
    .where(and(eq(sessions.userId, userId), isNull(sessions.revokedAt), keptSessionId === undefined ? undefined : ne(sessions.id, keptSessionId)))
    .run();
}
