// Reports (JSON, or CSV with ?format=csv), arrears, the fund's plan, and the month-end provision run. The reports
// over the fund's history run on the reports' thread.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { loanArrears } from '../../modules/reports/arrears.service.js';
import { listPlans, setPlan } from '../../modules/reports/plan.service.js';
import type { ReportAnswer } from '../../modules/reports/report-jobs.js';
import type { ReportRunner } from '../../modules/reports/report-runner.js';
import { runProvisions } from '../../modules/reports/provision.service.js';
import { arrearsQuery, outreachQuery, planBody, portfolioQuery } from '../../modules/reports/report.commands.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { entityId, idempotentHeaders, isoDate } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { idempotencyOf } from '../idempotency.js';
import { replies } from '../replies.js';

const report = z.looseObject({}).meta({ description: 'The report as JSON; with format=csv, the same as UTF-8 CSV with a BOM' });

/** A report's answer: its JSON, or its CSV as a file to save. */
function send(reply: FastifyReply, answer: ReportAnswer) {
  if ('json' in answer) return answer.json;
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${answer.fileName}.csv"`).send(answer.csv);
}

export function reportRoutes(context: ServiceContext, writes: GroupCommit, reports: ReportRunner): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/reports/outreach',
      { schema: { tags: ['reports'], summary: 'Outreach for a period: groups, members, borrowers, loans, by area or officer, beside the plan', querystring: outreachQuery, response: replies({ 200: report }, ['area_not_found']) } },
      async (request, reply) => send(reply, await reports.run('outreach', actorOf(request), request.query)),
    );
    app.get(
      '/reports/portfolio',
      { schema: { tags: ['reports'], summary: 'Portfolio as of a date: outstanding, PAR, aging, debt groups, provisions, collection rates', querystring: portfolioQuery, response: replies({ 200: report }, ['area_not_found', 'date_in_future']) } },
      async (request, reply) => send(reply, await reports.run('portfolio', actorOf(request), request.query)),
    );
    app.get(
      '/reports/arrears',
      { schema: { tags: ['reports'], summary: 'Every loan past due as of a date, worst first: the list to take to the villages', querystring: arrearsQuery, response: replies({ 200: report }, ['area_not_found', 'group_not_found', 'scope_forbidden', 'date_in_future']) } },
      async (request, reply) => send(reply, await reports.run('arrears', actorOf(request), request.query)),
    );
    app.get(
      '/loans/:id/arrears',
      {
        schema: {
          tags: ['loans'],
          summary: 'A loan’s arrears as of a date: days past due, overdue amounts, penalty, bucket, debt group, provision',
          params: z.strictObject({ id: entityId }),
          querystring: z.strictObject({ asOf: isoDate.optional() }),
          response: replies({ 200: report }, ['loan_not_found', 'scope_forbidden', 'loan_not_disbursed', 'date_in_future']),
        },
      },
      async (request) => loanArrears(context, actorOf(request), request.params.id, request.query.asOf),
    );
    app.get('/plans', { schema: { tags: ['reports'], summary: 'The fund’s targets', response: replies({ 200: report }, []) } }, async () => listPlans(context));
    app.post(
      '/plans',
      { schema: { tags: ['reports'], summary: 'Set targets for a period and area (admin)', body: planBody, response: replies({ 200: report }, ['role_forbidden', 'area_not_found', 'malformed_json']) } },
      async (request) => writes.run(() => setPlan(context, actorOf(request), request.body)),
    );
    app.post(
      '/ledger/provisions/run',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Post the entry that brings the provision account to what the portfolio requires as of a month end (admin)',
          headers: idempotentHeaders,
          body: z.strictObject({ asOf: isoDate }),
          response: replies({ 201: report }, ['role_forbidden', 'period_closed', 'provision_before_last_run', 'date_in_future', 'idempotency_key_required', 'idempotency_key_reused', 'malformed_json']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() =>
          runProvisions(context, actorOf(request), request.body.asOf, idempotencyOf(request)),
        );
        return reply.status(result.statusCode).send(result.body);
      },
    );
  };
}
