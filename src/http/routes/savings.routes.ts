// Members' savings: deposits and withdrawals (idempotent), balances and history.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { savingsKind, savingsMovementBody, savingsMovementReply, savingsReply } from '../../modules/savings/savings.commands.js';
import * as savings from '../../modules/savings/savings.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { entityId, idempotentHeaders } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

const movementParams = z.strictObject({ id: entityId, kind: savingsKind });
const movementErrors = [
  'role_forbidden',
  'scope_forbidden',
  'member_not_found',
  'member_not_active',
  'date_in_future',
  'date_before_joined',
  'period_closed',
  'idempotency_key_required',
  'idempotency_key_reused',
  'malformed_json',
] as const;

export function savingsRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    // Deposits and withdrawals share their shape; a withdrawal can also meet the balance and the compulsory lock.
    const movements = [
      { path: 'deposits', summary: 'Record a savings deposit', record: savings.deposit, errors: movementErrors },
      {
        path: 'withdrawals',
        summary: 'Pay out savings (compulsory savings only when the member owes no principal)',
        record: savings.withdraw,
        errors: [...movementErrors, 'amount_exceeds_balance', 'compulsory_savings_locked'] as const,
      },
    ] as const;
    for (const movement of movements) {
      app.post(
        `/members/:id/savings/:kind/${movement.path}`,
        {
          schema: {
            tags: ['savings'],
            summary: movement.summary,
            params: movementParams,
            headers: idempotentHeaders,
            body: savingsMovementBody,
            response: replies({ 201: savingsMovementReply }, [...movement.errors]),
          },
        },
        async (request, reply) => {
          const result = await writes.run(() =>
            movement.record(context, actorOf(request), {
            memberId: request.params.id,
            kind: request.params.kind,
            input: request.body,
            idempotencyKey: request.headers['idempotency-key'],
            route: `POST /v1/members/${request.params.id}/savings/${request.params.kind}/${movement.path}`,
            }),
          );
          return reply.status(result.statusCode).send(result.body);
        },
      );
    }
    app.get(
      '/members/:id/savings',
      {
        schema: {
          tags: ['savings'],
          summary: 'A member’s savings balances and history',
          params: z.strictObject({ id: entityId }),
          querystring: z.strictObject({}),
          response: replies({ 200: savingsReply }, ['member_not_found', 'scope_forbidden']),
        },
      },
      async (request) => savings.memberSavings(context, actorOf(request), request.params.id),
    );
  };
}
