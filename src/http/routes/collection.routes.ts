// The collection sheet of a group's meeting: what is due, and posting what was collected in one go.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { collectionSheetBody, collectionSheetQuery, collectionSheetReply, postedSheetReply } from '../../modules/collection/collection.commands.js';
import { collectionSheet, getPostedSheet, postCollectionSheet } from '../../modules/collection/collection.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { byId, idempotentHeaders } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { idempotencyOf } from '../idempotency.js';
import { replies } from '../replies.js';


export function collectionRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/groups/:id/collection-sheet',
      {
        schema: {
          tags: ['collection sheets'],
          summary: 'What each member owes on a meeting date: installments, overdue, penalty, compulsory savings',
          params: byId,
          querystring: collectionSheetQuery,
          response: replies({ 200: collectionSheetReply }, ['group_not_found', 'scope_forbidden']),
        },
      },
      async (request) => collectionSheet(context, actorOf(request), request.params.id, request.query.date),
    );
    app.post(
      '/groups/:id/collection-sheet',
      {
        schema: {
          tags: ['collection sheets'],
          summary: 'Post a meeting’s collections at once, all or nothing; cashTotal must equal the lines',
          params: byId,
          headers: idempotentHeaders,
          body: collectionSheetBody,
          response: replies({ 201: postedSheetReply }, [
            'role_forbidden',
            'scope_forbidden',
            'group_not_found',
            'group_dissolved',
            'cash_total_mismatch',
            'sheet_line_invalid',
            'exceeds_outstanding',
            'loan_not_disbursed',
            'date_before_disbursement',
            'date_before_joined',
            'date_in_future',
            'period_closed',
            'idempotency_key_required',
            'idempotency_key_reused',
            'malformed_json',
          ]),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() =>
          postCollectionSheet(context, actorOf(request), request.params.id, request.body, idempotencyOf(request)),
        );
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.get(
      '/collection-sheets/:id',
      { schema: { tags: ['collection sheets'], summary: 'A posted sheet: the receipt of a meeting', params: byId, response: replies({ 200: postedSheetReply }, ['not_found', 'scope_forbidden']) } },
      async (request) => getPostedSheet(context, actorOf(request), request.params.id),
    );
  };
}
