// The schedule preview officers use before they lend: the full plan for given terms, computed, not stored.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { previewSchedule, schedulePreviewBody, schedulePreviewReply } from '../../modules/schedules/schedule.commands.js';
import { replies } from '../replies.js';

export function scheduleRoutes(): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.post(
      '/schedules/preview',
      {
        schema: {
          tags: ['schedules'],
          summary: 'Preview a repayment schedule: installments, totals, the annual and effective rates (and the declining-balance equivalent of a flat rate)',
          body: schedulePreviewBody,
          response: replies({ 200: schedulePreviewReply }, ['malformed_json']),
        },
      },
      async (request) => previewSchedule(request.body),
    );
  };
}
