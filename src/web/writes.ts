// Every write a page makes goes the way the API's writes go: through the group commit, under an audit scope naming the
// API route it stands for (`POST /loans/:id/disburse`, the loan's id), so the trail records who, from where, what
// and the change in the write's own transaction, whether it came from the API or a page. A refusal for role or scope
// is recorded too, as the API records its 403s.
import type { FastifyRequest } from 'fastify';
import { withAuditScope } from '../http/audit.js';
import { statusOf, type ErrorCode } from '../http/error-table.js';
import { type AuditScope, recordAudit } from '../modules/audit/audit.service.js';
import type { Actor } from '../modules/shared/access.js';
import { type ServiceContext, nowTimestamp } from '../modules/shared/context.js';
import { DomainError } from '../modules/shared/domain-error.js';
import type { GroupCommit } from '../modules/shared/group-commit.js';

export type Write = <T>(request: FastifyRequest, actor: Actor, action: string, entityId: string | null, command: () => T) => Promise<T>;

export function pageWrites(context: ServiceContext, writes: GroupCommit): Write {
  return async (request, actor, action, entityId, command) => {
    const path = action.split(' ')[1] ?? '';
    const scope: AuditScope = {
      userId: actor.userId,
      username: actor.username,
      role: actor.role,
      ip: request.ip,
      requestId: request.id,
      action,
      entity: path.split('/')[1] ?? '',
      entityId,
    };
    try {
      return await withAuditScope(scope, () => writes.run(command));
    } catch (error) {
      if (error instanceof DomainError && statusOf(error.code as ErrorCode) === 403) recordAudit(context.db, scope, nowTimestamp(context), 'refused', { after: { reason: error.message } });
      throw error;
    }
  };
}
