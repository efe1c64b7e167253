// Reports (JSON, or CSV with ?format=csv), arrears, the fund's plan, and the month-end provision run.
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { arrearsCsv, arrearsReport, loanArrears } from '../../modules/reports/arrears.service.js';
import { outreachCsv, outreachReport } from '../../modules/reports/outreach.service.js';
import { listPlans, setPlan } from '../../modules/reports/plan.service.js';
import { portfolioCsv, portfolioReport } from '../../modules/reports/portfolio.service.js';
import { runProvisions } from '../../modules/reports/provision.service.js';
import { arrearsQuery, outreachQuery, planBody, portfolioQuery } from '../../modules/reports/report.commands.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { entityId, idempotentHeaders, isoDate } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

const report = z.looseObject({}).meta({ description: 'The report as JSON; with format=csv, the same as UTF-8 CSV with a BOM' });

function sendCsv(reply: FastifyReply, name: string, csv: string) {
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="${name}.csv"`).send(csv);
}

export function reportRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    app.get(
      '/reports/outreach',
      { schema: { tags: ['reports'], summary: 'Outreach for a period: groups, members, borrowers, loans, by area or officer, beside the plan', querystring: outreachQuery, response: replies({ 200: report }, ['area_not_found']) } },
      async (request, reply) => {
        const result = outreachReport(context, actorOf(request), request.query);
        return request.query.format === 'csv' ? sendCsv(reply, `outreach-${result.from}-${result.to}`, outreachCsv(result)) : result;
      },
    );
    app.get(
      '/reports/portfolio',
      { schema: { tags: ['reports'], summary: 'Portfolio as of a date: outstanding, PAR, aging, debt groups, provisions, collection rates', querystring: portfolioQuery, response: replies({ 200: report }, ['area_not_found']) } },
      async (request, reply) => {
        const result = portfolioReport(context, actorOf(request), request.query);
        return request.query.format === 'csv' ? sendCsv(reply, `portfolio-${result.asOf}`, portfolioCsv(result)) : result;
      },
    );
    app.get(
      '/reports/arrears',
      { schema: { tags: ['reports'], summary: 'Every loan past due as of a date, worst first: the list to take to the villages', querystring: arrearsQuery, response: replies({ 200: report }, ['area_not_found']) } },
      async (request, reply) => {
        const result = arrearsReport(context, actorOf(request), request.query);
        return request.query.format === 'csv' ? sendCsv(reply, `arrears-${result.asOf}`, arrearsCsv(result)) : result;
      },
    );
    app.get(
      '/loans/:id/arrears',
      {
        schema: {
          tags: ['loans'],
          summary: 'A loan’s arrears as of a date: days past due, overdue amounts, penalty, bucket, debt group, provision',
          params: z.strictObject({ id: entityId }),
          querystring: z.strictObject({ asOf: isoDate.optional() }),
          response: replies({ 200: report }, ['loan_not_found', 'scope_forbidden', 'loan_not_disbursed']),
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
          response: replies({ 201: report }, ['role_forbidden', 'period_closed', 'date_in_future', 'idempotency_key_required', 'idempotency_key_reused', 'malformed_json']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() =>
          runProvisions(context, actorOf(request), request.body.asOf, { key: String(request.headers['idempotency-key']), route: 'POST /v1/ledger/provisions/run' }),
        );
        return reply.status(result.statusCode).send(result.body);
      },
    );
  };
}
