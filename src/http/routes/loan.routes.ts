// Loan products and loans: thin routes over the product and loan services.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  applyLoanBody,
  applySavingsBody,
  createProductBody,
  decisionBody,
  disburseBody,
  listLoansQuery,
  loanReply,
  loanSummaryReply,
  payoffReply,
  productReply,
  refusalBody,
  repaymentBody,
  repaymentReply,
  rescheduleBody,
  reverseBody,
  updateProductBody,
  writeOffBody,
  allocationReply,
} from '../../modules/loans/loan.commands.js';
import * as loans from '../../modules/loans/loan.service.js';
import * as products from '../../modules/loans/product.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import type { GroupCommit } from '../../modules/shared/group-commit.js';
import { today } from '../../modules/shared/context.js';
import { byId, entityId, idempotentHeaders, isoDate, keyableHeaders } from '../../modules/shared/schemas.js';
import { actorOf } from '../actor.js';
import { idempotencyOf, keyIfSent } from '../idempotency.js';
import type { ErrorCode } from '../error-table.js';
import { replies } from '../replies.js';

const loanAccess: ErrorCode[] = ['loan_not_found', 'scope_forbidden'];
const moneyMoving: ErrorCode[] = ['idempotency_key_required', 'idempotency_key_reused', 'malformed_json', 'period_closed', 'date_in_future'];

export function loanRoutes(context: ServiceContext, writes: GroupCommit): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();

    app.post(
      '/loan-products',
      {
        schema: {
          tags: ['loan products'],
          summary: 'Create a loan product (admin)',
          body: createProductBody,
          response: replies({ 201: productReply }, ['role_forbidden', 'duplicate_code', 'product_invalid', 'malformed_json']),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => products.createProduct(context, actorOf(request), request.body))),
    );
    app.get('/loan-products', { schema: { tags: ['loan products'], summary: 'List loan products', response: replies({ 200: z.object({ items: z.array(productReply) }) }, []) } }, async () => ({
      items: products.listProducts(context),
    }));
    app.get(
      '/loan-products/:id',
      { schema: { tags: ['loan products'], summary: 'One loan product', params: byId, response: replies({ 200: productReply }, ['product_not_found']) } },
      async (request) => products.getProduct(context, request.params.id),
    );
    app.patch(
      '/loan-products/:id',
      {
        schema: {
          tags: ['loan products'],
          summary: 'Change a loan product (admin); loans already made keep their terms',
          params: byId,
          body: updateProductBody,
          response: replies({ 200: productReply }, ['role_forbidden', 'product_not_found', 'product_invalid', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => products.updateProduct(context, actorOf(request), request.params.id, request.body)),
    );

    app.post(
      '/loans',
      {
        schema: {
          tags: ['loans'],
          summary: 'Apply for a loan',
          headers: keyableHeaders,
          body: applyLoanBody,
          response: replies({ 201: loanReply }, [
            'idempotency_key_reused',
            'role_forbidden',
            'scope_forbidden',
            'member_not_found',
            'member_not_active',
            'product_not_found',
            'product_invalid',
            'terms_outside_product',
            'group_too_small',
            'date_in_future',
            'date_before_joined',
            'malformed_json',
          ]),
        },
      },
      async (request, reply) => reply.status(201).send(await writes.run(() => loans.applyLoan(context, actorOf(request), request.body, keyIfSent(request)))),
    );
    app.get(
      '/loans',
      {
        schema: { tags: ['loans'], summary: 'List loans you can see', querystring: listLoansQuery, response: replies({ 200: z.object({ items: z.array(loanSummaryReply), nextCursor: z.string().nullable() }) }, ['area_not_found']) },
      },
      async (request) => loans.listLoans(context, actorOf(request), request.query),
    );
    app.get(
      '/loans/:id',
      {
        schema: {
          tags: ['loans'],
          summary: 'A loan with its schedule (paid and outstanding), transactions and balances, as of a date',
          params: byId,
          querystring: z.strictObject({ asOf: isoDate.optional() }),
          response: replies({ 200: loanReply }, loanAccess),
        },
      },
      async (request) => loans.getLoan(context, actorOf(request), request.params.id, request.query.asOf),
    );
    app.get(
      '/loans/:id/schedules',
      {
        schema: {
          tags: ['loans'],
          summary: 'Every schedule version: the one frozen at disbursement and each rescheduling',
          params: byId,
          response: replies(
            {
              200: z.object({
                loanId: z.string(),
                versions: z.array(
                  z.object({
                    version: z.number().int(),
                    effectiveOn: z.string(),
                    reason: z.string(),
                    createdAt: z.string(),
                    installments: z.array(z.object({ number: z.number().int(), dueOn: z.string(), principalDue: z.string(), interestDue: z.string(), totalDue: z.string() })),
                  }),
                ),
              }),
            },
            loanAccess,
          ),
        },
      },
      async (request) => loans.scheduleVersions(context, actorOf(request), request.params.id),
    );
    app.post(
      '/loans/:id/approve',
      {
        schema: {
          tags: ['loans'],
          summary: 'Approve an application',
          params: byId,
          body: decisionBody,
          response: replies({ 200: loanReply }, [...loanAccess, 'role_forbidden', 'loan_not_applied', 'approval_needs_second_person', 'member_cap_exceeded', 'date_in_future', 'date_before_application', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => loans.approveLoan(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/loans/:id/reject',
      {
        schema: { tags: ['loans'], summary: 'Reject an application', params: byId, body: refusalBody, response: replies({ 200: loanReply }, [...loanAccess, 'role_forbidden', 'loan_not_applied', 'date_in_future', 'date_before_application', 'malformed_json']) },
      },
      async (request) => writes.run(() => loans.rejectLoan(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/loans/:id/withdraw',
      {
        schema: { tags: ['loans'], summary: 'Withdraw an application', params: byId, body: refusalBody, response: replies({ 200: loanReply }, [...loanAccess, 'role_forbidden', 'loan_not_applied', 'date_in_future', 'date_before_application', 'malformed_json']) },
      },
      async (request) => writes.run(() => loans.withdrawLoan(context, actorOf(request), request.params.id, request.body)),
    );
    app.post(
      '/loans/:id/disburse',
      {
        schema: {
          tags: ['loans'],
          summary: 'Disburse an approved loan: freezes its schedule and books the payment',
          params: byId,
          headers: idempotentHeaders,
          body: disburseBody,
          response: replies({ 200: loanReply }, [...loanAccess, ...moneyMoving, 'role_forbidden', 'loan_not_approved', 'member_not_active', 'member_cap_exceeded', 'terms_outside_product', 'date_before_approval']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => loans.disburseLoan(context, actorOf(request), request.params.id, request.body, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.post(
      '/loans/:id/repayments',
      {
        schema: {
          tags: ['loans'],
          summary: 'Record a repayment; answers how it was split (and any later repayment it re-split)',
          params: byId,
          headers: idempotentHeaders,
          body: repaymentBody,
          response: replies({ 201: repaymentReply }, [...loanAccess, ...moneyMoving, 'role_forbidden', 'loan_not_disbursed', 'exceeds_outstanding', 'loan_closed', 'date_before_disbursement', 'date_before_reschedule']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => loans.recordRepayment(context, actorOf(request), request.params.id, request.body, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.post(
      '/loans/:id/apply-savings',
      {
        schema: {
          tags: ['loans'],
          summary: 'Apply the member’s compulsory savings to a written-off loan or one 90+ days past due',
          params: byId,
          headers: idempotentHeaders,
          body: applySavingsBody,
          response: replies({ 201: repaymentReply }, [...loanAccess, ...moneyMoving, 'role_forbidden', 'loan_not_disbursed', 'compulsory_savings_locked', 'amount_exceeds_balance', 'exceeds_outstanding']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => loans.applySavingsToLoan(context, actorOf(request), request.params.id, request.body, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.get(
      '/loans/:id/payoff',
      {
        schema: {
          tags: ['loans'],
          summary: 'What settles the loan in full on a date: principal, interest to date, penalty',
          params: byId,
          querystring: z.strictObject({ asOf: isoDate.optional() }),
          response: replies({ 200: payoffReply }, [...loanAccess, 'loan_not_disbursed', 'date_before_disbursement']),
        },
      },
      async (request) => loans.payoffQuoteOf(context, actorOf(request), request.params.id, request.query.asOf ?? today(context)),
    );
    app.post(
      '/loans/:id/transactions/:transactionId/reverse',
      {
        schema: {
          tags: ['loans'],
          summary: 'Reverse a repayment or recovery with a mirror entry; later repayments are re-split',
          params: z.strictObject({ id: entityId, transactionId: entityId }),
          headers: idempotentHeaders,
          body: reverseBody,
          response: replies(
            {
              200: z.object({
                reversedTransactionId: z.string(),
                reversalEntryId: z.string(),
                reposted: z.array(z.object({ transactionId: z.string(), allocation: allocationReply })),
                loan: loanReply,
              }),
            },
            [...loanAccess, ...moneyMoving, 'role_forbidden', 'transaction_not_found', 'transaction_already_reversed', 'reversal_not_allowed', 'date_before_reschedule'],
          ),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => loans.reverseTransaction(context, actorOf(request), request.params.id, request.params.transactionId, request.body.reason, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
    app.post(
      '/loans/:id/reschedule',
      {
        schema: {
          tags: ['loans'],
          summary: 'Reschedule the outstanding balance (giãn nợ): a new schedule version; the old one stays readable',
          params: byId,
          headers: keyableHeaders,
          body: rescheduleBody,
          response: replies({ 200: loanReply }, [...loanAccess, 'idempotency_key_reused', 'role_forbidden', 'loan_not_disbursed', 'loan_closed', 'loan_written_off', 'date_before_reschedule', 'terms_outside_product', 'period_closed', 'date_in_future', 'malformed_json']),
        },
      },
      async (request) => writes.run(() => loans.rescheduleLoan(context, actorOf(request), request.params.id, request.body, keyIfSent(request))),
    );
    app.post(
      '/loans/:id/write-off',
      {
        schema: {
          tags: ['loans'],
          summary: 'Write off the outstanding principal against the provision; later money is a recovery',
          params: byId,
          headers: idempotentHeaders,
          body: writeOffBody,
          response: replies({ 200: loanReply }, [...loanAccess, ...moneyMoving, 'role_forbidden', 'loan_not_disbursed', 'loan_closed', 'loan_written_off']),
        },
      },
      async (request, reply) => {
        const result = await writes.run(() => loans.writeOffLoan(context, actorOf(request), request.params.id, request.body, idempotencyOf(request)));
        return reply.status(result.statusCode).send(result.body);
      },
    );
  };
}
