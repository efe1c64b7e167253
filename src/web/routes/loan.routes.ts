// Loans: the application with its schedule preview; the loan page (schedule with paid and outstanding, transactions,
// arrears); and each decision or movement of money (approve, reject, withdraw, disburse, repayment, reversal,
// rescheduling, write-off), each shown back for confirmation before it is recorded. Money-moving actions carry an
// idempotency key made when their form is drawn, so confirming twice records once.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { z } from 'zod';
import {
  applyLoanBody,
  decisionBody,
  disburseBody,
  loanReply,
  refusalBody,
  repaymentBody,
  rescheduleBody,
  reverseBody,
  writeOffBody,
} from '../../modules/loans/loan.commands.js';
import * as loans from '../../modules/loans/loan.service.js';
import { getProduct } from '../../modules/loans/product.service.js';
import * as registry from '../../modules/registry/registry.service.js';
import { loanArrears } from '../../modules/reports/arrears.service.js';
import { previewSchedule, schedulePreviewBody } from '../../modules/schedules/schedule.commands.js';
import type { Actor, Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { amountInMinorUnits } from '../../modules/shared/money-input.js';
import { amount as amountSchema } from '../../modules/shared/schemas.js';
import { isCurrencyCode } from '../../domain/money.js';
import { productChoices } from '../choices.js';
import { afterSentBefore, attempt, attemptAsync, type FormErrors, type FormFields, optional, parseWith, postedForm, submissionKeyOf, value, wholeNumber } from '../forms.js';
import { formatPercent, parseAmountInput, sumAmounts } from '../format.js';
import { type Html, html } from '../html.js';
import type { Messages } from '../i18n/index.js';
import { type SignedInPage, sendPage, seeOther, signedIn } from '../page.js';
import {
  amountField,
  csrfField,
  date,
  dateField,
  errorSummary,
  facts,
  inputField,
  money,
  notice,
  pager,
  scrollTable,
  selectField,
  submissionKeyField,
  textAreaField,
} from '../views/components.js';
import { layout } from '../views/layout.js';
import type { Write } from '../writes.js';

const loanStatuses = loanReply.shape.status.options;
const readers: Role[] = ['admin', 'officer', 'auditor', 'leader'];
const lenders: Role[] = ['admin', 'officer'];

type Loan = ReturnType<typeof loans.getLoan>;
type ActionName = 'approve' | 'reject' | 'withdraw' | 'disburse' | 'repay' | 'reschedule' | 'write-off' | 'reverse';

interface ActionField {
  name: string;
  label: (t: Messages) => string;
  kind: 'date' | 'amount' | 'number' | 'text';
  required: boolean;
  initial?: (page: SignedInPage) => string;
  hint?: (t: Messages) => string;
}

interface LoanAction {
  label: (t: Messages) => string;
  /** The API route this action stands for, as the audit trail names it. */
  route: string;
  /** Whether the loan's state offers the action (the service decides; this only hides buttons that cannot work). */
  offered: (loan: Loan) => boolean;
  fields: ActionField[];
  /** Money moves: an idempotency key goes with it. */
  idempotent: boolean;
  danger: boolean;
  /** The service call: the typed fields checked with the API's schema, then the same command the API runs. */
  run: (context: ServiceContext, actor: Actor, loan: Loan, input: Record<string, unknown>, idempotency: { key: string; route: string }, transactionId: string | null) => unknown;
  schema: z.ZodType;
}

const todayField = (name: string, label: (t: Messages) => string): ActionField => ({ name, label, kind: 'date', required: true, initial: (page) => page.today });
const reasonField: ActionField = { name: 'reason', label: (t) => t.common.reason, kind: 'text', required: true };

/** Rejecting and withdrawing an application: a date and a reason, nothing more. */
function refusal(name: 'reject' | 'withdraw', label: (t: Messages) => string, decide: typeof loans.rejectLoan): LoanAction {
  return {
    route: `POST /loans/:id/${name}`,
    label,
    offered: (loan) => loan.status === 'applied',
    fields: [todayField('decidedOn', (t) => t.loans.decidedOn), reasonField],
    idempotent: false,
    danger: true,
    schema: refusalBody,
    run: (context, actor, loan, input) => decide(context, actor, loan.id, input as z.infer<typeof refusalBody>),
  };
}

const actions: Record<ActionName, LoanAction> = {
  approve: {
    route: 'POST /loans/:id/approve',
    label: (t) => t.loans.approve,
    offered: (loan) => loan.status === 'applied',
    fields: [todayField('decidedOn', (t) => t.loans.decidedOn), { name: 'note', label: (t) => t.common.note, kind: 'text', required: false }],
    idempotent: false,
    danger: false,
    schema: decisionBody,
    run: (context, actor, loan, input) => loans.approveLoan(context, actor, loan.id, input as z.infer<typeof decisionBody>),
  },
  reject: refusal('reject', (t) => t.loans.reject, loans.rejectLoan),
  withdraw: refusal('withdraw', (t) => t.loans.withdraw, loans.withdrawLoan),
  disburse: {
    route: 'POST /loans/:id/disburse',
    label: (t) => t.loans.disburse,
    offered: (loan) => loan.status === 'approved',
    fields: [todayField('disbursedOn', (t) => t.loans.disbursedOn), { name: 'firstDueOn', label: (t) => t.loans.firstDueOn, kind: 'date', required: false, hint: (t) => t.loans.firstDueHint }],
    idempotent: true,
    danger: false,
    schema: disburseBody,
    run: (context, actor, loan, input, idempotency) => loans.disburseLoan(context, actor, loan.id, input as z.infer<typeof disburseBody>, idempotency),
  },
  repay: {
    route: 'POST /loans/:id/repayments',
    label: (t) => t.loans.repay,
    offered: (loan) => loan.status === 'active' || loan.status === 'written_off',
    fields: [{ name: 'amount', label: (t) => t.common.amount, kind: 'amount', required: true }, todayField('paidOn', (t) => t.loans.paidOn), { name: 'note', label: (t) => t.common.note, kind: 'text', required: false }],
    idempotent: true,
    danger: false,
    schema: repaymentBody,
    run: (context, actor, loan, input, idempotency) => loans.recordRepayment(context, actor, loan.id, input as z.infer<typeof repaymentBody>, idempotency),
  },
  reschedule: {
    route: 'POST /loans/:id/reschedule',
    label: (t) => t.loans.reschedule,
    offered: (loan) => loan.status === 'active',
    fields: [todayField('effectiveOn', (t) => t.loans.effectiveOn), { name: 'installments', label: (t) => t.loans.newInstallments, kind: 'number', required: true }, reasonField],
    idempotent: true,
    danger: false,
    schema: rescheduleBody,
    run: (context, actor, loan, input, idempotency) => loans.rescheduleLoan(context, actor, loan.id, input as z.infer<typeof rescheduleBody>, idempotency),
  },
  'write-off': {
    route: 'POST /loans/:id/write-off',
    label: (t) => t.loans.writeOff,
    offered: (loan) => loan.status === 'active',
    fields: [todayField('writtenOffOn', (t) => t.loans.writtenOffOn), reasonField],
    idempotent: true,
    danger: true,
    schema: writeOffBody,
    run: (context, actor, loan, input, idempotency) => loans.writeOffLoan(context, actor, loan.id, input as z.infer<typeof writeOffBody>, idempotency),
  },
  reverse: {
    route: 'POST /loans/:id/transactions/:transactionId/reverse',
    label: (t) => t.loans.reverse,
    offered: (loan) => loan.transactions.some((transaction) => !transaction.reversed && (transaction.type === 'repayment' || transaction.type === 'recovery')),
    fields: [reasonField],
    idempotent: true,
    danger: true,
    schema: reverseBody,
    run: (context, actor, loan, input, idempotency, transactionId) => loans.reverseTransaction(context, actor, loan.id, transactionId ?? '', (input as z.infer<typeof reverseBody>).reason, idempotency),
  },
};

function isActionName(name: string): name is ActionName {
  return Object.prototype.hasOwnProperty.call(actions, name);
}

/** The action's input from its typed fields, in the shape its API schema takes. */
function actionInput(page: SignedInPage, action: LoanAction, fields: FormFields, currency: string): Record<string, unknown> {
  const input: Record<string, unknown> = {};
  for (const field of action.fields) {
    const typed = optional(fields, field.name);
    // An empty required field goes through as typed, so the schema refuses it by name ("must not be empty").
    if (typed === undefined) {
      if (field.required) input[field.name] = '';
      continue;
    }
    if (field.kind !== 'amount') {
      input[field.name] = field.kind === 'number' ? wholeNumber(typed) : typed;
      continue;
    }
    const amount = parseAmountInput(typed, page.lang);
    // An amount the loan's currency cannot hold (1.234,5 đồng) is refused before the confirmation page, not after it.
    if (isCurrencyCode(currency) && amountSchema.safeParse(amount).success) amountInMinorUnits(amount, currency, field.name, { allowZero: true });
    input[field.name] = amount;
  }
  return input;
}

function actionPath(loan: Loan, name: ActionName, transactionId: string | null): string {
  return name === 'reverse' ? `/app/loans/${loan.id}/transactions/${transactionId}/reverse` : `/app/loans/${loan.id}/${name}`;
}

function actionForm(page: SignedInPage, view: { loan: Loan; name: ActionName; transactionId: string | null; fields: FormFields | null; errors: FormErrors | null; key: string }): Html {
  const action = actions[view.name];
  const t = page.t;
  const transaction = view.transactionId ? view.loan.transactions.find((each) => each.id === view.transactionId) : undefined;
  const labels = Object.fromEntries(action.fields.map((field) => [field.name, field.label(t)]));
  return layout(
    page,
    action.label(t),
    html`<p class="lead">${t.loans.loanOf(view.loan.memberName)} · ${money(page, view.loan.principal, view.loan.currency)}</p>
${transaction ? html`<p>${t.loans.reverse}: ${t.loans.reversalOf(money(page, transaction.amount, view.loan.currency), transaction.date)}</p>` : ''}
${errorSummary(page, view.errors, labels)}
<form method="post" action="${actionPath(view.loan, view.name, view.transactionId)}" class="narrow">
${csrfField(page)}
${action.idempotent ? html`<input type="hidden" name="idempotencyKey" value="${view.key}">` : ''}
${action.fields.map((field) => {
  const shown = view.fields ? value(view.fields, field.name) : (field.initial?.(page) ?? '');
  const common = { name: field.name, label: field.label(t), value: shown, errors: view.errors, required: field.required, hint: field.hint?.(t) };
  if (field.kind === 'date') return dateField(page, common);
  if (field.kind === 'amount') return amountField(page, common);
  if (field.name === 'reason') return textAreaField(page, { name: field.name, label: field.label(t), value: shown, errors: view.errors, required: true });
  return inputField(page, { ...common, inputmode: field.kind === 'number' ? 'numeric' : undefined });
})}
<div class="actions"><button type="submit" class="primary">${t.common.confirm}…</button><a href="/app/loans/${view.loan.id}">${t.common.cancel}</a></div>
</form>`,
  );
}

/** The entered values shown back, with the fields carried in hidden inputs: the second press records it. */
function confirmationPage(page: SignedInPage, view: { loan: Loan; name: ActionName; transactionId: string | null; fields: FormFields; key: string }): Html {
  const action = actions[view.name];
  const t = page.t;
  const shown = (field: ActionField) => {
    const typed = value(view.fields, field.name);
    if (!typed) return '—';
    if (field.kind === 'date') return date(typed);
    if (field.kind === 'amount') return money(page, parseAmountInput(typed, page.lang), view.loan.currency);
    return typed;
  };
  return layout(
    page,
    t.loans.confirmTitle(action.label(t)),
    html`<p class="notice warn">${t.loans.confirmIntro}</p>
${facts([
  [t.loans.member, view.loan.memberName],
  [t.loans.principal, money(page, view.loan.principal, view.loan.currency)],
  ...action.fields.map((field): [string, string] => [field.label(t), shown(field)]),
])}
<form method="post" action="${actionPath(view.loan, view.name, view.transactionId)}">
${csrfField(page)}
<input type="hidden" name="confirmed" value="1">
${action.idempotent ? html`<input type="hidden" name="idempotencyKey" value="${view.key}">` : ''}
${action.fields.map((field) => html`<input type="hidden" name="${field.name}" value="${value(view.fields, field.name)}">`)}
<div class="actions"><button type="submit" class="${action.danger ? 'danger' : 'primary'}">${t.common.confirm}: ${action.label(t)}</button>
<button type="submit" name="back" value="1">${t.common.back}</button></div>
</form>`,
  );
}

function scheduleTable(page: SignedInPage, loan: Loan): Html {
  const t = page.t.loans;
  const currency = loan.currency;
  const rows = loan.schedule.map(
    (line) => html`<tr><td class="num">${line.number}</td><td>${date(line.dueOn)}</td><td class="num">${money(page, line.principalDue, currency)}</td><td class="num">${money(page, line.interestDue, currency)}</td><td class="num">${money(
      page,
      line.totalDue,
      currency,
    )}</td><td class="num">${money(page, sumAmounts([line.principalPaid, line.interestPaid], currency), currency)}</td><td class="num">${money(page, sumAmounts([line.principalOutstanding, line.interestOutstanding], currency), currency)}</td></tr>`,
  );
  return scrollTable(
    t.schedule,
    html`<table><caption>${t.schedule}${loan.scheduleVersion && loan.scheduleVersion > 1 ? html` · ${t.version(loan.scheduleVersion)}` : ''}</caption>
<thead><tr><th scope="col" class="num">${t.number}</th><th scope="col">${t.dueOn}</th><th scope="col" class="num">${t.principalDue}</th><th scope="col" class="num">${t.interestDue}</th><th scope="col" class="num">${t.totalDue}</th><th scope="col" class="num">${t.paid}</th><th scope="col" class="num">${t.outstanding}</th></tr></thead>
<tbody>${rows}</tbody></table>`,
  );
}

function previewTable(page: SignedInPage, preview: ReturnType<typeof previewSchedule>): Html {
  const t = page.t.loans;
  const currency = preview.currency;
  return html`<section aria-labelledby="preview-title"><h2 id="preview-title">${t.previewTitle}</h2>
<p class="hint">${t.previewNote}</p>
${facts([
  [t.annualRate, formatPercent(preview.annualRate, page.lang)],
  [t.effectiveRate, formatPercent(preview.effectiveAnnualRate, page.lang)],
  [t.equivalentRate, preview.equivalentDecliningAnnualRate ? formatPercent(preview.equivalentDecliningAnnualRate, page.lang) : null],
])}
${scrollTable(
  t.previewTitle,
  html`<table><thead><tr><th scope="col" class="num">${t.number}</th><th scope="col">${t.dueOn}</th><th scope="col" class="num">${t.principalDue}</th><th scope="col" class="num">${t.interestDue}</th><th scope="col" class="num">${t.totalDue}</th><th scope="col" class="num">${t.balanceAfter}</th></tr></thead>
<tbody>${preview.installments.map(
    (line) =>
      html`<tr><td class="num">${line.number}</td><td>${date(line.dueOn)}</td><td class="num">${money(page, line.principal, currency)}</td><td class="num">${money(page, line.interest, currency)}</td><td class="num">${money(page, line.total, currency)}</td><td class="num">${money(page, line.balanceAfter, currency)}</td></tr>`,
  )}</tbody>
<tfoot><tr><th scope="row" colspan="2">${page.t.common.total}</th><td class="num">${money(page, preview.totals.principal, currency)}</td><td class="num">${money(page, preview.totals.interest, currency)}</td><td class="num">${money(page, preview.totals.total, currency)}</td><td></td></tr></tfoot></table>`,
)}</section>`;
}

/** The preview request for a product's terms and the typed loan: the same preview the API offers any signed-in user. */
function previewOf(context: ServiceContext, page: SignedInPage, fields: FormFields) {
  const product = getProduct(context, value(fields, 'productId'));
  const terms = product.terms;
  const grace = optional(fields, 'graceOnPrincipal');
  return previewSchedule(
    parseWith(schedulePreviewBody, {
      currency: product.currency,
      principal: parseAmountInput(value(fields, 'principal'), page.lang),
      ...(terms.annualRate !== undefined ? { annualRate: terms.annualRate } : { monthlyRate: terms.monthlyRate, monthlyToAnnual: terms.monthlyToAnnual }),
      method: terms.method,
      installments: wholeNumber(value(fields, 'installments')),
      frequency: terms.frequency,
      dayCount: terms.dayCount,
      disbursedOn: optional(fields, 'expectedDisbursement') ?? page.today,
      graceOnPrincipal: grace === undefined ? terms.graceOnPrincipal : wholeNumber(grace),
      graceOnInterestPayment: terms.graceOnInterestPayment,
      rounding: { mode: terms.rounding.mode, ...(terms.rounding.installmentMultiple ? { installmentMultiple: terms.rounding.installmentMultiple } : {}) },
    }),
  );
}

function applyPage(
  page: SignedInPage,
  view: {
    member: ReturnType<typeof registry.getMember>;
    products: { value: string; label: string }[];
    fields: FormFields | null;
    errors: FormErrors | null;
    preview: ReturnType<typeof previewSchedule> | null;
    limits: string | null;
    installments: string;
  },
): Html {
  const t = page.t.loans;
  const typed = (name: string, initial: string) => (view.fields ? value(view.fields, name) : initial);
  const labels = { memberId: t.member, productId: t.product, principal: t.principal, installments: t.installments, appliedOn: t.appliedOn, purpose: t.purpose, graceOnPrincipal: t.graceOnPrincipal, expectedDisbursement: t.expectedDisbursement };
  return layout(
    page,
    t.apply,
    html`<p class="lead">${t.member}: <a href="/app/members/${view.member.id}">${view.member.fullName}</a></p>
${errorSummary(page, view.errors, labels)}
<form method="post" action="/app/loans" class="narrow">
${csrfField(page)}
${submissionKeyField(view.fields)}
<input type="hidden" name="memberId" value="${view.member.id}">
${selectField(page, { name: 'productId', label: t.product, choices: view.products, value: typed('productId', view.products[0]?.value ?? ''), errors: view.errors, required: true, hint: view.limits ?? undefined })}
${amountField(page, { name: 'principal', label: t.principal, value: typed('principal', ''), errors: view.errors, required: true })}
${inputField(page, { name: 'installments', label: t.installments, value: typed('installments', view.installments), errors: view.errors, required: true, inputmode: 'numeric' })}
${inputField(page, { name: 'graceOnPrincipal', label: t.graceOnPrincipal, value: typed('graceOnPrincipal', ''), errors: view.errors, inputmode: 'numeric' })}
${dateField(page, { name: 'appliedOn', label: t.appliedOn, value: typed('appliedOn', page.today), errors: view.errors, required: true })}
${textAreaField(page, { name: 'purpose', label: t.purpose, value: typed('purpose', ''), errors: view.errors, required: true })}
${dateField(page, { name: 'expectedDisbursement', label: t.expectedDisbursement, value: typed('expectedDisbursement', page.today), errors: view.errors })}
<div class="actions"><button type="submit" name="intent" value="preview">${t.preview}</button><button type="submit" name="intent" value="apply" class="primary">${t.submit}</button></div>
</form>
${view.preview ? previewTable(page, view.preview) : ''}`,
  );
}

export function loanRoutes(context: ServiceContext, write: Write): FastifyPluginAsync {
  return async (app) => {
    app.get('/loans', async (request, reply) => {
      const page = signedIn(request, readers);
      const query = request.query as { status?: string; cursor?: string };
      const status = (loanStatuses as readonly string[]).includes(query.status ?? '') ? (query.status as (typeof loanStatuses)[number]) : undefined;
      const found = loans.listLoans(context, page.actor, { status, cursor: query.cursor || undefined, limit: 50 });
      const names = registry.namesOf(context, page.actor, { memberIds: found.items.map((loan) => loan.memberId) }).memberNames;
      const t = page.t.loans;
      const statusLinks = html`<nav aria-label="${page.t.common.status}"><ul class="actions plain">${[undefined, ...loanStatuses].map(
        (each) => html`<li><a href="/app/loans${each ? `?status=${each}` : ''}"${each === status ? html` aria-current="page"` : ''}>${each ? page.t.loanStatus[each] : page.t.common.all}</a></li>`,
      )}</ul></nav>`;
      const table = html`<table><thead><tr><th scope="col">${t.member}</th><th scope="col" class="num">${t.principal}</th><th scope="col" class="num">${t.installments}</th><th scope="col">${t.appliedOn}</th><th scope="col">${t.disbursedOn}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${found.items.map(
        (loan) =>
          html`<tr><td><a href="/app/loans/${loan.id}">${names.get(loan.memberId)}</a></td><td class="num">${money(page, loan.principal, loan.currency)}</td><td class="num">${loan.installments}</td><td>${date(loan.appliedOn)}</td><td>${date(loan.disbursedOn)}</td><td>${page.t.loanStatus[loan.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        layout(page, status === 'applied' ? t.applications : t.title, html`${statusLinks}${found.items.length === 0 ? html`<p>${page.t.common.noneFound}</p>` : scrollTable(t.title, table)}${pager(page, '/app/loans', { status, cursor: query.cursor }, found.nextCursor)}`),
      );
    });

    const renderApply = (reply: FastifyReply, page: SignedInPage, memberId: string, fields: FormFields | null, errors: FormErrors | null, preview: ReturnType<typeof previewSchedule> | null) => {
      const member = registry.getMember(context, page.actor, memberId);
      const products = productChoices(context, { activeOnly: true });
      const productId = fields ? value(fields, 'productId') : products[0]?.value;
      let limits: string | null = null;
      // A year of monthly installments, as most loans run, unless the product shown first lends over another term.
      let installments = 12;
      if (productId) {
        const terms = getProduct(context, productId).terms;
        limits = `${money(page, terms.minPrincipal)} – ${money(page, terms.maxPrincipal)} · ${terms.minInstallments}–${terms.maxInstallments} ${page.t.loans.installments.toLowerCase()}`;
        installments = Math.min(Math.max(installments, terms.minInstallments), terms.maxInstallments);
      }
      return sendPage(reply, applyPage(page, { member, products, fields, errors, preview, limits, installments: String(installments) }), errors?.status ?? 200);
    };

    app.get('/loans/new', async (request, reply) => {
      const page = signedIn(request, lenders);
      return renderApply(reply, page, String((request.query as { memberId?: string }).memberId ?? ''), null, null, null);
    });

    app.post('/loans', async (request, reply) => {
      const page = signedIn(request, lenders);
      const fields = postedForm(request, page);
      const memberId = value(fields, 'memberId');
      if (value(fields, 'intent') === 'preview') {
        const preview = attempt(page.lang, () => previewOf(context, page, fields));
        if (preview.ok) return renderApply(reply, page, memberId, fields, null, preview.value);
        // The preview's disbursement date is the form's expected one: its reason goes beside that field.
        const byField = Object.entries(preview.errors.fields).map(([path, reason]) => [path === 'disbursedOn' ? 'expectedDisbursement' : path, reason]);
        return renderApply(reply, page, memberId, fields, { ...preview.errors, fields: Object.fromEntries(byField) }, null);
      }
      const productId = value(fields, 'productId');
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /loans', null, () => loans.applyLoan(
          context,
          page.actor,
          parseWith(applyLoanBody, {
            memberId,
            productId,
            principal: parseAmountInput(value(fields, 'principal'), page.lang),
            installments: wholeNumber(value(fields, 'installments')),
            appliedOn: value(fields, 'appliedOn'),
            purpose: value(fields, 'purpose'),
            ...(optional(fields, 'graceOnPrincipal') === undefined ? {} : { graceOnPrincipal: wholeNumber(optional(fields, 'graceOnPrincipal')) }),
          }),
          submissionKeyOf(fields, 'POST /v1/loans'),
        )),
      );
      if (result.ok) return seeOther(reply, `/app/loans/${result.value.id}?done=apply`);
      const again = afterSentBefore(page, fields, result.errors);
      return renderApply(reply, page, memberId, again.fields, again.errors, null);
    });

    app.get('/loans/:id', async (request, reply) => {
      const page = signedIn(request, readers);
      const { id } = request.params as { id: string };
      const { done } = request.query as { done?: string };
      const loan = loans.getLoan(context, page.actor, id);
      const t = page.t.loans;
      const currency = loan.currency;
      const group = registry.getGroup(context, page.actor, loan.groupId);
      const product = getProduct(context, loan.productId);
      const disbursed = loan.disbursedOn !== null;
      const arrears = disbursed && loan.status === 'active' ? loanArrears(context, page.actor, id) : null;
      const doneAction = done && isActionName(done) ? actions[done].label(page.t) : done === 'apply' ? t.apply : null;
      const rate = loan.terms.annualRate !== undefined ? `${formatPercent(loan.terms.annualRate, page.lang)} ${t.perYear}` : `${formatPercent(loan.terms.monthlyRate ?? '0', page.lang)} ${t.perMonth}`;
      const offered = lenders.includes(page.actor.role)
        ? (Object.keys(actions) as ActionName[]).filter((name) => name !== 'reverse' && actions[name].offered(loan))
        : [];
      const transactions = html`<table><thead><tr><th scope="col">${page.t.common.date}</th><th scope="col">${t.type}</th><th scope="col" class="num">${page.t.common.amount}</th><th scope="col">${t.allocation}</th>${lenders.includes(page.actor.role) ? html`<th scope="col">${page.t.common.actions}</th>` : ''}</tr></thead>
<tbody>${loan.transactions.map(
        (transaction) =>
          html`<tr><td>${date(transaction.date)}</td><td>${page.t.transactionType[transaction.type]}${transaction.reversed ? html` <span class="badge bad">${t.reversed}</span>` : ''}</td><td class="num">${money(page, transaction.amount, currency)}</td><td>${
            transaction.allocation
              ? `${t.principalDue} ${money(page, transaction.allocation.principal, currency)}, ${t.interestDue} ${money(page, transaction.allocation.interest, currency)}${transaction.allocation.penalty !== '0' ? `, ${page.t.arrears.penalty} ${money(page, transaction.allocation.penalty, currency)}` : ''}`
              : ''
          }</td>${
            lenders.includes(page.actor.role)
              ? html`<td>${!transaction.reversed && (transaction.type === 'repayment' || transaction.type === 'recovery') ? html`<a href="/app/loans/${loan.id}/transactions/${transaction.id}/reverse">${t.reverse}</a>` : ''}</td>`
              : ''
          }</tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        layout(
          page,
          t.loanOf(loan.memberName),
          html`${doneAction ? notice(t.done(doneAction)) : ''}
${facts([
  [t.member, html`<a href="/app/members/${loan.memberId}">${loan.memberName}</a>`],
  [page.t.groups.code, html`<a href="/app/groups/${group.id}">${group.code}</a>`],
  [t.product, product.name],
  [t.principal, money(page, loan.principal, currency)],
  [t.installments, loan.installments],
  [t.rate, rate],
  [page.t.common.status, page.t.loanStatus[loan.status]],
  [t.appliedOn, date(loan.appliedOn)],
  [t.decidedOn, date(loan.decidedOn)],
  [t.disbursedOn, date(loan.disbursedOn)],
  [t.purpose, loan.purpose],
])}
${offered.length > 0 ? html`<div class="actions">${offered.map((name) => html`<a class="button${name === 'approve' || name === 'disburse' ? ' primary' : ''}" href="/app/loans/${loan.id}/${name}">${actions[name].label(page.t)}</a>`)}</div>` : ''}
${
  disbursed
    ? html`<h2>${t.balances}</h2>
${facts([
  [t.principalOutstanding, money(page, loan.balances.principalOutstanding, currency)],
  [t.principalPaid, money(page, loan.balances.principalPaid, currency)],
  [t.interestPaid, money(page, loan.balances.interestPaid, currency)],
  [t.overduePrincipal, money(page, loan.balances.overduePrincipal, currency)],
  [t.overdueInterest, money(page, loan.balances.overdueInterest, currency)],
  [t.penaltyAccrued, money(page, sumAmounts([loan.balances.penaltyAccrued, loan.balances.lateInterestAccrued], currency), currency)],
])}
${
  arrears
    ? html`<h2>${t.arrearsTitle}</h2>${facts([
        [t.daysPastDue, arrears.daysPastDue],
        [t.agingBucket, page.t.buckets[arrears.agingBucket]],
        [t.debtGroup, arrears.debtGroup],
      ])}`
    : ''
}
${scheduleTable(page, loan)}
<h2>${t.transactions}</h2>
${scrollTable(t.transactions, transactions)}`
    : html`<p>${t.noSchedule}</p>`
}`,
        ),
      );
    });

    const actionOf = (params: { id: string; action?: string; transactionId?: string }): { name: ActionName; transactionId: string | null } | null => {
      if (params.transactionId) return { name: 'reverse', transactionId: params.transactionId };
      return params.action && isActionName(params.action) && params.action !== 'reverse' ? { name: params.action, transactionId: null } : null;
    };

    const showAction = async (request: FastifyRequest, reply: FastifyReply) => {
      const page = signedIn(request, lenders);
      const params = request.params as { id: string; action?: string; transactionId?: string };
      const chosen = actionOf(params);
      if (!chosen) return reply.callNotFound();
      const loan = loans.getLoan(context, page.actor, params.id);
      // A reversal form for a transaction the loan does not have would only be refused when sent.
      if (chosen.transactionId !== null && !loan.transactions.some((transaction) => transaction.id === chosen.transactionId)) return reply.callNotFound();
      return sendPage(reply, actionForm(page, { loan, ...chosen, fields: null, errors: null, key: randomUUID() }));
    };

    const postAction = async (request: FastifyRequest, reply: FastifyReply) => {
      const page = signedIn(request, lenders);
      const fields = postedForm(request, page);
      const params = request.params as { id: string; action?: string; transactionId?: string };
      const chosen = actionOf(params);
      if (!chosen) return reply.callNotFound();
      const loan = loans.getLoan(context, page.actor, params.id);
      const action = actions[chosen.name];
      const key = optional(fields, 'idempotencyKey') ?? randomUUID();
      const view = { loan, ...chosen, fields, key };
      // Back has a name of its own: a browser sends the form's hidden confirmed=1 with whichever button was pressed.
      if (value(fields, 'back') === '1') return sendPage(reply, actionForm(page, { ...view, errors: null }));
      const checked = attempt(page.lang, () => parseWith(action.schema, actionInput(page, action, fields, loan.currency)) as Record<string, unknown>);
      if (!checked.ok) return sendPage(reply, actionForm(page, { ...view, errors: checked.errors }), checked.errors.status);
      if (value(fields, 'confirmed') !== '1') return sendPage(reply, confirmationPage(page, view));
      // The idempotency record names the API route the action stands for, so a page and the API share one key space.
      const route = action.route.replace(':id', loan.id).replace(':transactionId', chosen.transactionId ?? '').replace(' /', ' /v1/');
      const result = await attemptAsync(page.lang, () => write(request, page.actor, action.route, loan.id, () => action.run(context, page.actor, loan, checked.value, { key, route }, chosen.transactionId)));
      if (result.ok) return seeOther(reply, `/app/loans/${loan.id}?done=${chosen.name}`);
      return sendPage(reply, actionForm(page, { ...view, errors: result.errors }), result.errors.status);
    };

    app.get('/loans/:id/:action', showAction);
    app.post('/loans/:id/:action', postAction);
    app.get('/loans/:id/transactions/:transactionId/reverse', showAction);
    app.post('/loans/:id/transactions/:transactionId/reverse', postAction);
  };
}
