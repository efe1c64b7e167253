// Who is acting and what their role and scope allow. Every service checks here, so the rules are the same
// whether a command comes through HTTP, a script or a test.
import { DomainError } from './domain-error.js';

export type Role = 'admin' | 'officer' | 'leader' | 'auditor';

export interface Actor {
  userId: string;
  username: string;
  role: Role;
  /** An officer's areas as paths (`/id/id/`): the officer reaches everything at or below each. */
  areaPaths: string[];
  /** A leader's group. */
  groupId: string | null;
}

/** The actor of operator scripts run on the fund's own machine (imports, seeding). */
export function systemActor(userId = 'system'): Actor {
  return { userId, username: 'system', role: 'admin', areaPaths: [], groupId: null };
}

const roleNames: Record<Role, string> = { admin: 'an admin', officer: 'a fund officer', leader: 'a group leader', auditor: 'an auditor' };

export function requireRole(actor: Actor, allowed: readonly Role[], action: string): void {
  if (!allowed.includes(actor.role)) {
    throw new DomainError('role_forbidden', `${capitalise(roleNames[actor.role])} may not ${action}.`);
  }
}

/** The ids of the areas an officer is assigned to (the last id of each of her paths); none for any other role. */
export function assignedAreaIds(actor: Actor): string[] {
  return actor.areaPaths.map((path) => path.split('/').filter(Boolean).at(-1) ?? '').filter(Boolean);
}

/** Whether the actor may see things located in the area with this path (and, for a leader, this group). */
export function reachesArea(actor: Actor, areaPath: string): boolean {
  if (actor.role === 'admin' || actor.role === 'auditor') return true;
  if (actor.role === 'officer') return actor.areaPaths.some((scopePath) => areaPath.startsWith(scopePath));
  return false;
}

export function reachesGroup(actor: Actor, group: { id: string; areaPath: string }): boolean {
  if (actor.role === 'leader') return actor.groupId === group.id;
  return reachesArea(actor, group.areaPath);
}

export function requireGroupInScope(actor: Actor, group: { id: string; code: string; areaPath: string }): void {
  if (!reachesGroup(actor, group)) {
    throw new DomainError('scope_forbidden', `Group ${group.code} is outside what you are assigned to.`);
  }
}

export function requireAreaInScope(actor: Actor, area: { code: string; path: string }): void {
  if (!reachesArea(actor, area.path)) {
    throw new DomainError('scope_forbidden', `Area ${area.code} is outside the areas you are assigned to.`);
  }
}

function capitalise(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
