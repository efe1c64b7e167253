// The audit trail, for the administrator and the auditor.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { auditLogQuery, auditLogReply } from '../../modules/audit/audit.commands.js';
import { auditLog } from '../../modules/audit/audit.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

export function auditRoutes(context: ServiceContext): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/audit-log',
      {
        schema: {
          tags: ['audit'],
          summary: 'Who did what, when, from where, and what it changed; newest first (admin, auditor)',
          querystring: auditLogQuery,
          response: replies({ 200: auditLogReply }, ['role_forbidden']),
        },
      },
      async (request) => auditLog(context, actorOf(request), request.query),
    );
  };
}
