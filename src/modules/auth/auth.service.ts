// Sign-in, sign-out, token checks and user management. Tokens are random and stored only as a SHA-256 hash.
import { createHash, randomBytes } from 'node:crypto';
import { type AuditScope, recordAudit } from '../audit/audit.service.js';
import { type Actor, type Role, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { newId } from '../shared/ids.js';
import { type Page, decodeCursor, toPage } from '../shared/pagination.js';
import type { CreateUserInput, UpdateUserInput, UserReply } from './auth.commands.js';
import * as repo from './auth.repo.js';
import { decoyPasswordHash, generatePassword, hashPassword, verifyPassword } from './password.js';

export interface LoginResult {
  token: string;
  expiresAt: string;
  user: UserReply;
}

/** Who may read the fund's users: the admin, and the auditor, who reads everything. */
const userReaders: Role[] = ['admin', 'auditor'];

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

function userReply(context: ServiceContext, user: repo.UserRow): UserReply {
  return {
    id: user.id,
    username: user.username,
    fullName: user.fullName,
    role: user.role,
    areaIds: repo.userAreaIds(context.db, user.id),
    groupId: user.groupId,
    status: user.status,
    createdAt: user.createdAt,
  };
}

/**
 * On a fund's first start there is no one to sign in as: create `admin`, with the configured password or a
 * generated one that the caller prints once. Returns the generated password, or null when none was made.
 */
export function ensureAdminUser(context: ServiceContext, configuredPassword: string | undefined): { created: boolean; generatedPassword: string | null } {
  return context.db.transaction((tx) => {
    if (repo.countUsers(tx) > 0) return { created: false, generatedPassword: null };
    const password = configuredPassword ?? generatePassword();
    repo.insertUser(
      tx,
      { id: newId('us'), username: 'admin', passwordHash: hashPassword(password), fullName: 'Administrator', role: 'admin', createdAt: nowTimestamp(context) },
      [],
    );
    return { created: true, generatedPassword: configuredPassword ? null : password };
  });
}

function signInScope(input: { username: string; ip: string | null; requestId: string | null }, user?: repo.UserRow): AuditScope {
  return {
    userId: user?.id ?? null,
    username: input.username,
    role: user?.role ?? null,
    ip: input.ip,
    requestId: input.requestId,
    action: 'POST /auth/login',
    entity: 'auth',
    entityId: user?.id ?? null,
  };
}

/**
 * A failed sign-in, or a wrong guess at a password that counts as one: the attempt the lockout counts and its audit
 * record, together and outside any write batch, since the refusal that follows must not take them with it.
 */
function recordFailedSignIn(context: ServiceContext, username: string, ip: string | null, scope: AuditScope, attemptedAt: string, reason: string): void {
  context.db.transaction((tx) => {
    repo.recordLoginAttempt(tx, { username, attemptedAt, succeeded: false, ip });
    recordAudit(tx, scope, attemptedAt, 'sign_in_failed', { after: { reason } });
  });
}

/** Failures since the last success, within the lockout window, lock the username for the rest of the window. */
function refuseLockedOut(context: ServiceContext, username: string, scope: AuditScope): void {
  const now = context.clock.now();
  const windowStart = new Date(now.getTime() - context.loginLockoutMinutes * 60_000).toISOString();
  const recent = repo.recentLoginAttempts(context.db, username, windowStart);
  const lastSuccess = recent.findIndex((attempt) => attempt.succeeded);
  const failures = (lastSuccess === -1 ? recent : recent.slice(0, lastSuccess)).filter((attempt) => !attempt.succeeded);
  if (failures.length < context.loginMaxFailures) return;
  const oldestCounted = failures[context.loginMaxFailures - 1] ?? failures[failures.length - 1];
  const unlocksAt = new Date(Date.parse(oldestCounted?.attemptedAt ?? now.toISOString()) + context.loginLockoutMinutes * 60_000);
  const minutes = Math.max(1, Math.ceil((unlocksAt.getTime() - now.getTime()) / 60_000));
  recordAudit(context.db, scope, now.toISOString(), 'sign_in_failed', { after: { reason: 'too many failed sign-ins: locked' } });
  throw new DomainError('too_many_login_attempts', `Too many failed sign-ins for this username. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`);
}

export async function login(context: ServiceContext, input: { username: string; password: string; ip: string | null; requestId: string | null }): Promise<LoginResult> {
  refuseLockedOut(context, input.username, signInScope(input));
  const now = context.clock.now();
  const user = repo.findUserByUsername(context.db, input.username);
  const passwordMatches = await verifyPassword(input.password, user?.passwordHash ?? decoyPasswordHash);
  const attemptedAt = context.clock.now().toISOString();
  if (!user || !passwordMatches || user.status !== 'active') {
    const reason = !user ? 'unknown username' : !passwordMatches ? 'wrong password' : `user is ${user.status}`;
    recordFailedSignIn(context, input.username, input.ip, signInScope(input, user), attemptedAt, reason);
    throw new DomainError('invalid_credentials', 'The username or password is not right.');
  }

  const token = randomBytes(32).toString('base64url');
  const expiresAt = new Date(now.getTime() + context.tokenTtlMinutes * 60_000).toISOString();
  context.db.transaction((tx) => {
    repo.recordLoginAttempt(tx, { username: input.username, attemptedAt, succeeded: true, ip: input.ip });
    const sessionId = newId('se');
    repo.insertSession(tx, { id: sessionId, tokenHash: tokenHash(token), userId: user.id, createdAt: attemptedAt, expiresAt });
    recordAudit(tx, signInScope(input, user), attemptedAt, 'done', { after: { sessionId, expiresAt } });
  });
  return { token, expiresAt, user: userReply(context, user) };
}

/** The actor behind a bearer token; refuses unknown, revoked and expired tokens. */
export function authenticate(context: ServiceContext, token: string): Actor & { sessionId: string } {
  const signIn = repo.findSignIn(context.db, tokenHash(token));
  if (!signIn || signIn.revokedAt !== null) throw new DomainError('unauthenticated', 'Sign in first: the token is not valid.');
  if (signIn.expiresAt <= nowTimestamp(context)) throw new DomainError('token_expired', 'Your sign-in has expired. Sign in again.');
  const { user } = signIn;
  if (!user || user.status !== 'active') throw new DomainError('unauthenticated', 'Sign in first: the token is not valid.');
  return {
    sessionId: signIn.sessionId,
    userId: user.id,
    username: user.username,
    role: user.role,
    areaPaths: user.role === 'officer' ? repo.userAreaPaths(context.db, user.id) : [],
    groupId: user.role === 'leader' ? user.groupId : null,
  };
}

export function logout(context: ServiceContext, sessionId: string): void {
  repo.revokeSession(context.db, sessionId, nowTimestamp(context));
}

export function currentUser(context: ServiceContext, actor: Actor): UserReply {
  const user = repo.findUserById(context.db, actor.userId);
  if (!user) throw new DomainError('user_not_found', 'Your user no longer exists.');
  return userReply(context, user);
}

/** What a role holds its user's scope to: an officer has areas, a leader her group, and no one else either. */
function checkScope(role: UserReply['role'], areaIds: string[], groupId: string | null): void {
  if (role === 'officer' && areaIds.length === 0) {
    throw new DomainError('user_scope_invalid', 'An officer needs at least one area.', [{ path: 'areaIds', message: 'required for an officer' }]);
  }
  if (role !== 'officer' && areaIds.length > 0) {
    throw new DomainError('user_scope_invalid', 'Only an officer is scoped to areas.', [{ path: 'areaIds', message: `not used for the role ${role}` }]);
  }
  if (role === 'leader' && groupId === null) {
    throw new DomainError('user_scope_invalid', 'A group leader needs her group.', [{ path: 'groupId', message: 'required for a leader' }]);
  }
  if (role !== 'leader' && groupId !== null) {
    throw new DomainError('user_scope_invalid', 'Only a group leader belongs to a group.', [{ path: 'groupId', message: `not used for the role ${role}` }]);
  }
}

/** The areas and the group a user is given exist, and the group still meets. */
function checkAreasAndGroup(tx: ServiceContext['db'], areaIds: string[], groupId: string | undefined): void {
  const present = repo.areaIdsPresent(tx, areaIds);
  const missing = areaIds.filter((id) => !present.has(id));
  if (missing.length > 0) {
    throw new DomainError('area_not_found', `No area has the id ${missing.join(', ')}.`, missing.map((id) => ({ path: 'areaIds', message: `unknown area ${id}` })));
  }
  const group = groupId === undefined ? undefined : repo.groupStatus(tx, groupId);
  if (groupId !== undefined && !group) {
    throw new DomainError('group_not_found', `No group has the id ${groupId}.`, [{ path: 'groupId', message: 'unknown group' }]);
  }
  // A dissolved group holds no meetings for a leader to record.
  if (group && group.status !== 'active') {
    throw new DomainError('group_dissolved', `Group ${group.code} was dissolved on ${group.dissolvedOn}.`, [{ path: 'groupId', message: 'group is dissolved' }]);
  }
}

export function createUser(context: ServiceContext, actor: Actor, input: CreateUserInput): UserReply {
  requireRole(actor, ['admin'], 'create users');
  const areaIds = [...new Set(input.areaIds ?? [])];
  checkScope(input.role, areaIds, input.groupId ?? null);
  const passwordHash = hashPassword(input.password);
  return context.db.transaction((tx) => {
    if (repo.findUserByUsername(tx, input.username)) {
      throw new DomainError('duplicate_username', `The username ${input.username} is taken.`, [{ path: 'username', message: 'already taken' }]);
    }
    checkAreasAndGroup(tx, areaIds, input.groupId);
    const id = newId('us');
    repo.insertUser(
      tx,
      { id, username: input.username, passwordHash, fullName: input.fullName, role: input.role, groupId: input.groupId ?? null, createdAt: nowTimestamp(context) },
      areaIds,
    );
    const created = repo.findUserById(tx, id);
    if (!created) throw new Error('the user just inserted cannot be read back');
    return userReply({ ...context, db: tx }, created);
  });
}

export function listUsers(context: ServiceContext, actor: Actor, query: { role?: UserReply['role']; limit: number; cursor?: string }): Page<UserReply> {
  requireRole(actor, userReaders, 'list users');
  const rows = repo.listUsers(context.db, { role: query.role, after: decodeCursor(query.cursor, 'us'), limit: query.limit });
  const page = toPage(rows, query.limit);
  return { items: page.items.map((row) => userReply(context, row)), nextCursor: page.nextCursor };
}

function requireUser(db: ServiceContext['db'], id: string): repo.UserRow {
  const user = repo.findUserById(db, id);
  if (!user) throw new DomainError('user_not_found', `No user has the id ${id}.`);
  return user;
}

export function getUser(context: ServiceContext, actor: Actor, id: string): UserReply {
  requireRole(actor, userReaders, 'read users');
  return userReply(context, requireUser(context.db, id));
}

/**
 * The admin changes a user's name, role, scope or status. A user disabled or given another role is signed out
 * everywhere at once (her role is what her sign-ins were for); a changed scope holds from her next request, which
 * reads it. The fund keeps at least one active admin.
 */
export function updateUser(context: ServiceContext, actor: Actor, id: string, input: UpdateUserInput): UserReply {
  requireRole(actor, ['admin'], 'change users');
  return context.db.transaction((tx) => {
    const user = requireUser(tx, id);
    const role = input.role ?? user.role;
    const status = input.status ?? user.status;
    // A scope the new role does not use is dropped; one it needs is kept from before unless given.
    const areaIds = input.areaIds !== undefined ? [...new Set(input.areaIds)] : role === 'officer' ? repo.userAreaIds(tx, id) : [];
    const groupId = input.groupId !== undefined ? input.groupId : role === 'leader' ? user.groupId : null;
    checkScope(role, areaIds, groupId);
    // A group is checked when she is given it, or made an active leader of it again; a leader whose group was
    // dissolved can still be renamed or disabled.
    const becomesActiveLeader = role === 'leader' && status === 'active' && (user.role !== 'leader' || user.status !== 'active');
    checkAreasAndGroup(tx, input.areaIds ?? [], groupId !== null && (groupId !== user.groupId || becomesActiveLeader) ? groupId : undefined);
    if (user.role === 'admin' && user.status === 'active' && (role !== 'admin' || status !== 'active') && repo.otherActiveAdmins(tx, id) === 0) {
      throw new DomainError('last_admin', `${user.username} is the fund’s only active admin: make another admin first.`, [{ path: role !== 'admin' ? 'role' : 'status', message: 'the last active admin' }]);
    }
    repo.updateUserRow(tx, id, { fullName: input.fullName ?? user.fullName, role, groupId, status });
    repo.replaceUserAreas(tx, id, areaIds);
    if (role !== user.role || (status === 'disabled' && user.status !== 'disabled')) repo.revokeSessionsOfUser(tx, id, nowTimestamp(context));
    return userReply({ ...context, db: tx }, requireUser(tx, id));
  });
}

/**
 * A user's new password: every sign-in of hers ends but the one kept, and the lockout's count starts afresh (the
 * guesses before were at the old password, or she has just proved she knows it).
 */
function replacePassword(context: ServiceContext, db: ServiceContext['db'], user: repo.UserRow, passwordHash: string, options: { keptSessionId: string | undefined; ip: string | null }): void {
  const now = nowTimestamp(context);
  repo.updateUserRow(db, user.id, { passwordHash });
  repo.revokeSessionsOfUser(db, user.id, now, options.keptSessionId);
  repo.recordLoginAttempt(db, { username: user.username, attemptedAt: now, succeeded: true, ip: options.ip });
}

/**
 * The admin sets a user's password (she forgot it, or it was told to someone): her sign-ins end, but for the one the
 * admin sends this from when she sets her own.
 */
export function setUserPassword(context: ServiceContext, actor: Actor & { sessionId?: string }, id: string, password: string): UserReply {
  requireRole(actor, ['admin'], 'set passwords');
  const passwordHash = hashPassword(password);
  return context.db.transaction((tx) => {
    const user = requireUser(tx, id);
    replacePassword(context, tx, user, passwordHash, { keptSessionId: actor.userId === id ? actor.sessionId : undefined, ip: null });
    return userReply({ ...context, db: tx }, user);
  });
}

/**
 * A signed-in user changes her own password, giving the current one; her other sign-ins end. A wrong current password
 * counts as a failed sign-in, so the lockout that guards sign-in guards this too.
 */
export async function changeOwnPassword(
  context: ServiceContext,
  actor: Actor & { sessionId: string },
  input: { currentPassword: string; newPassword: string; ip: string | null; requestId: string | null },
  commit: (write: () => void) => Promise<void>,
): Promise<void> {
  const user = requireUser(context.db, actor.userId);
  const scope = { ...signInScope({ username: user.username, ip: input.ip, requestId: input.requestId }, user), action: 'POST /auth/password' };
  refuseLockedOut(context, user.username, scope);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    recordFailedSignIn(context, user.username, input.ip, scope, context.clock.now().toISOString(), 'wrong current password');
    throw new DomainError('current_password_wrong', 'The current password is not right.', [{ path: 'currentPassword', message: 'not right' }]);
  }
  const passwordHash = hashPassword(input.newPassword);
  await commit(() => replacePassword(context, context.db, user, passwordHash, { keptSessionId: actor.sessionId, ip: input.ip }));
}

/** Staff names by id, for the screens that show who is in charge (any signed-in user may read them). */
export function staffNames(context: ServiceContext, ids: string[]): Map<string, string> {
  const names = new Map<string, string>();
  for (const id of new Set(ids)) {
    const user = repo.findUserById(context.db, id);
    if (user) names.set(id, user.fullName);
  }
  return names;
}

/** The officers an actor may put in charge of a group: any active officer for the admin, herself for an officer. */
export function assignableOfficers(context: ServiceContext, actor: Actor): { id: string; fullName: string }[] {
  if (actor.role === 'officer') return [{ id: actor.userId, fullName: repo.findUserById(context.db, actor.userId)?.fullName ?? actor.username }];
  if (actor.role !== 'admin') return [];
  return repo
    .listUsers(context.db, { role: 'officer', limit: 5000 })
    .filter((user) => user.status === 'active')
    .map((user) => ({ id: user.id, fullName: user.fullName }));
}
