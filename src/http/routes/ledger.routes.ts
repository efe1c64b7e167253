// The books: chart of accounts, journal, trial balance, reconciliation, period closing.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import * as ledger from '../../modules/ledger/ledger.service.js';
import { capitalMovementBody, capitalMovementReply, capitalReply } from '../../modules/ledger/capital.commands.js';
import { capitalMovements, recordCapitalMovement } from '../../modules/ledger/capital.service.js';
import { verifyBooks, verifyChecks } from '../../modules/ledger/verify.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { today } from '../../modules/shared/context.js';
import { idempotentHeaders, isoDate } from '../../modules/shared/schemas.js';
import { readSettings } from '../../modules/settings/settings.service.js';
import { actorOf } from '../actor.js';
import { idempotencyOf } from '../idempotency.js';
import { replies } from '../replies.js';

const accountReply = z.object({ code: z.string(), nameVi: z.string(), nameEn: z.string(), type: z.string(), normalSide: z.enum(['debit', 'credit']) });
const lineReply = z.object({ accountCode: z.string(), debit: z.string(), credit: z.string(), memberId: z.string().nullable(), loanId: z.string().nullable() });
const entryReply = z
  .object({
    id: z.string(),
    sequence: z.number().int(),
    entryDate: z.string(),
    postedAt: z.string(),
    kind: z.string(),
    description: z.string(),
    sourceType: z.string(),
    sourceId: z.string(),
    reversesEntryId: z.string().nullable(),
    hash: z.string(),
    previousHash: z.string(),
    lines: z.array(lineReply),
  })
  .meta({ id: 'JournalEntry' });
const reconciliationReply = z.object({
  asOf: z.string(),
  ok: z.boolean(),
  checks: z.array(z.object({ name: z.string(), controlAccount: z.string(), subledger: z.string(), ledger: z.string(), difference: z.string(), ok: z.boolean() })),
});
const verifyProblem = z.object({
  check: z.enum(verifyChecks),
  entryId: z.string().optional(),
  sequence: z.number().int().optional(),
  message: z.string(),
});
const verificationReply = z.object({
  ok: z.boolean(),
  checkedAt: z.string(),
  asOf: z.string(),
  entriesChecked: z.number().int(),
  linesChecked: z.number().int(),
  lastSequence: z.number().int().nullable(),
  lastHash: z.string().nullable().meta({ description: 'Write it down: a later verification must reach this hash through the same chain' }),
  totalDebit: z.string(),
  totalCredit: z.string(),
  reconciliation: reconciliationReply,
  problemCount: z.number().int(),
  firstProblem: verifyProblem.nullable(),
  problems: z.array(verifyProblem).meta({ description: 'The first problems, in chain order' }),
});
const asOfQuery = z.strictObject({ asOf: isoDate.optional().meta({ description: 'Defaults to today' }) });

export function ledgerRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    const currency = () => readSettings(context.db).currency;
    app.get('/ledger/accounts', { schema: { tags: ['ledger'], summary: 'The chart of accounts', response: replies({ 200: z.array(accountReply) }, []) } }, async () =>
      ledger.listAccounts(context),
    );
    app.get(
      '/ledger/journal',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Journal entries in order, paged (admin, auditor)',
          querystring: z.strictObject({
            from: isoDate.optional(),
            to: isoDate.optional(),
            accountCode: z.string().max(16).optional(),
            limit: z.coerce.number().int().min(1).max(500).default(100),
            cursor: z.string().max(20).optional(),
          }),
          response: replies({ 200: z.object({ items: z.array(entryReply), nextCursor: z.string().nullable() }) }, ['role_forbidden', 'account_not_found']),
        },
      },
      async (request) => ledger.journal(context, actorOf(request), currency(), request.query),
    );
    app.get(
      '/ledger/trial-balance',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Every account’s balance as of a date; debits equal credits (admin, auditor)',
          querystring: asOfQuery,
          response: replies(
            {
              200: z.object({
                asOf: z.string(),
                currency: z.string(),
                balanced: z.boolean(),
                totalDebit: z.string(),
                totalCredit: z.string(),
                accounts: z.array(
                  z.object({ code: z.string(), nameVi: z.string(), nameEn: z.string(), type: z.string(), debitTurnover: z.string(), creditTurnover: z.string(), debit: z.string(), credit: z.string() }),
                ),
              }),
            },
            ['role_forbidden', 'date_in_future'],
          ),
        },
      },
      async (request) => ledger.trialBalance(context, actorOf(request), currency(), request.query.asOf ?? today(context)),
    );
    app.get(
      '/ledger/reconciliation',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Subledgers against control accounts as of a date (loans, savings, advances held) (admin, auditor)',
          querystring: asOfQuery,
          response: replies({ 200: reconciliationReply }, ['role_forbidden', 'date_in_future']),
        },
      },
      async (request) => ledger.reconciliation(context, actorOf(request), currency(), request.query.asOf ?? today(context)),
    );
    app.get(
      '/ledger/verify',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Recompute the books from the stored rows: every entry balances, the hash chain is unbroken, the trial balance balances, the subledgers reconcile (admin, auditor)',
          querystring: z.strictObject({}),
          response: replies({ 200: verificationReply }, ['role_forbidden', 'invalid_request']),
        },
      },
      async (request) => verifyBooks(context, actorOf(request)),
    );
    app.get(
      '/ledger/capital',
      {
        schema: {
          tags: ['ledger'],
          summary: 'The fund’s capital: each amount received from those who fund it or returned to them, and the balance (admin, auditor)',
          response: replies({ 200: capitalReply }, ['role_forbidden']),
        },
      },
      async (request) => capitalMovements(context, actorOf(request)),
    );
    app.post(
      '/ledger/capital',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Record capital received into the fund’s cash (Dr 1011 / Cr 3111) or returned to its source (admin)',
          headers: idempotentHeaders,
          body: capitalMovementBody,
          response: replies({ 201: capitalMovementReply }, [
            'role_forbidden',
            'amount_exceeds_balance',
            'period_closed',
            'date_in_future',
            'idempotency_key_required',
            'idempotency_key_reused',
            'malformed_json',
          ]),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => recordCapitalMovement(context, actorOf(request), request.body, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.get(
      '/ledger/periods',
      { schema: { tags: ['ledger'], summary: 'Through which date the books are closed', response: replies({ 200: z.object({ closedThrough: z.string().nullable() }) }, []) } },
      async () => ledger.periodStatus(context),
    );
    app.post(
      '/ledger/periods/close',
      {
        schema: {
          tags: ['ledger'],
          summary: 'Close the books through a date (admin): nothing dated on or before it can be recorded or changed',
          body: z.strictObject({ through: isoDate }),
          response: replies({ 200: z.object({ closedThrough: z.string(), previouslyClosedThrough: z.string().nullable(), closedAt: z.string() }) }, ['role_forbidden', 'period_closed', 'date_in_future', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => ledger.closePeriod(context, actorOf(request), request.body.through)),
    );
  };
}
