// The group's meeting (bảng thu): what each member owes on the date, prefilled; what was collected; the cash counted;
// one submission. The form works without JavaScript (its idempotency key is in the form, so sending it twice posts
// once); with it, meeting.js keeps the sheet in the phone's storage and sends it again with the same key after a
// dropped connection. Then the receipt.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { formatIsoDate, latestMonthlyDay, parseIsoDate } from '../../domain/calendar.js';
import { currencies, isCurrencyCode } from '../../domain/money.js';
import { collectionSheetBody } from '../../modules/collection/collection.commands.js';
import { collectionSheet, getPostedSheet, listCollectionSheets, postCollectionSheet } from '../../modules/collection/collection.service.js';
import * as registry from '../../modules/registry/registry.service.js';
import { type ServiceContext, today } from '../../modules/shared/context.js';
import { isoDate } from '../../modules/shared/schemas.js';
import { attempt, attemptAsync, type FormErrors, type FormFields, parseWith, postedForm, value } from '../forms.js';
import { amountInputValue, amountOfMinorUnits, formatTimestamp, minorUnitsOf, parseAmountInput, sumAmounts } from '../format.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, Redirect, pageOf, sendPage, seeOther, signedIn } from '../page.js';
import { csrfField, date, errorSummary, fieldId, money, scrollTable } from '../views/components.js';
import { layout } from '../views/layout.js';
import { sameToken } from '../session.js';
import type { Write } from '../writes.js';

type Sheet = ReturnType<typeof collectionSheet>;
type Group = ReturnType<typeof registry.getGroup>;

const sheetRoles = ['admin', 'officer', 'leader'] as const;

/** One row of the form: a loan of a member (or the member alone when she has none), numbered as posted. */
interface SheetRow {
  index: number;
  memberId: string;
  loanId: string | null;
  loan: Sheet['lines'][number]['loans'][number] | null;
  /** The member's savings go on her first row. */
  carriesSavings: boolean;
}

function rowsOf(sheet: Sheet): { line: Sheet['lines'][number]; rows: SheetRow[] }[] {
  let index = 0;
  return sheet.lines.map((line) => {
    const loans = line.loans.length > 0 ? line.loans : [null];
    const rows = loans.map((loan, position) => ({ index: index++, memberId: line.memberId, loanId: loan?.loanId ?? null, loan, carriesSavings: position === 0 }));
    return { line, rows };
  });
}

/** The meeting date a sheet opens on: the group's meeting day on or before today, or today. */
function defaultMeetingDate(group: Group, businessToday: string): string {
  const day = parseIsoDate(businessToday) as number;
  return group.meetingDay === null ? businessToday : formatIsoDate(latestMonthlyDay(group.meetingDay, day));
}

function amountCell(page: SignedInPage, options: { name: string; label: string; value: string; errors: FormErrors | null; column: string }): Html {
  const id = fieldId(options.name);
  const error = options.errors?.fields[options.name];
  return html`<div class="field amount${error ? ' has-error' : ''}">
<label for="${id}">${options.label}</label>
<input id="${id}" name="${options.name}" value="${options.value}" inputmode="numeric" autocomplete="off" data-column="${options.column}"${error ? html` aria-invalid="true" aria-describedby="${id}-error"` : ''}>
${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}</div>`;
}

function meetingPage(
  page: SignedInPage,
  view: { group: Group; sheet: Sheet; typed: FormFields | null; errors: FormErrors | null; key: string; posted: ReturnType<typeof listCollectionSheets>; recent: ReturnType<typeof listCollectionSheets> },
): Html {
  const t = page.t.meeting;
  const { group, sheet, typed, errors } = view;
  const typedOr = (name: string, prefilled: string) => (typed ? value(typed, name) : prefilled);
  const digits = isCurrencyCode(sheet.currency) ? currencies[sheet.currency].minorUnitDigits : 0;
  const blocks = rowsOf(sheet);
  const labels: Record<string, string> = { cashTotal: t.cashTotal, date: t.date };
  for (const { line, rows } of blocks) {
    for (const row of rows) {
      labels[`lines.${row.index}.repayment`] = `${line.fullName}: ${t.repayment}`;
      labels[`lines.${row.index}.loanId`] = `${line.fullName}: ${t.repayment}`;
      labels[`lines.${row.index}.memberId`] = line.fullName;
      labels[`lines.${row.index}.compulsorySavings`] = `${line.fullName}: ${t.compulsory}`;
      labels[`lines.${row.index}.voluntarySavings`] = `${line.fullName}: ${t.voluntary}`;
    }
  }
  const memberBlock = ({ line, rows }: (typeof blocks)[number]) => html`<fieldset class="member">
<legend>${line.fullName}</legend>
${rows.map(
  (row) => html`<input type="hidden" name="lines.${row.index}.memberId" value="${row.memberId}">
${row.loanId ? html`<input type="hidden" name="lines.${row.index}.loanId" value="${row.loanId}">` : ''}
${
  row.loan
    ? html`<p class="due">${rows.length > 1 ? html`${t.loanLabel(rows.indexOf(row) + 1)}: ` : ''}${t.due} <strong>${money(page, row.loan.totalDue, sheet.currency)}</strong>${
        row.loan.daysPastDue > 0 ? html` · <span class="overdue">${t.overdue(money(page, sumAmounts([row.loan.overduePrincipal, row.loan.overdueInterest], sheet.currency), sheet.currency), row.loan.daysPastDue)}</span>` : ''
      }</p>
${amountCell(page, { name: `lines.${row.index}.repayment`, label: t.repayment, value: typedOr(`lines.${row.index}.repayment`, amountInputValue(row.loan.totalDue, page.lang)), errors, column: 'repayment' })}`
    : html`<p class="due muted">${t.noLoan}</p>`
}
${
  row.carriesSavings
    ? html`${amountCell(page, { name: `lines.${row.index}.compulsorySavings`, label: t.compulsory, value: typedOr(`lines.${row.index}.compulsorySavings`, amountInputValue(line.compulsorySavingsDue, page.lang)), errors, column: 'compulsory' })}
${amountCell(page, { name: `lines.${row.index}.voluntarySavings`, label: t.voluntary, value: typedOr(`lines.${row.index}.voluntarySavings`, ''), errors, column: 'voluntary' })}
<p class="hint">${t.balances(money(page, line.savingsBalances.compulsory, sheet.currency), money(page, line.savingsBalances.voluntary, sheet.currency))}</p>`
    : ''
}
${(['loanId', 'memberId'] as const).map((field) => {
  const error = errors?.fields[`lines.${row.index}.${field}`];
  return error ? html`<p class="field-error" id="${fieldId(`lines.${row.index}.${field}`)}">${error}</p>` : '';
})}`,
)}
</fieldset>`;
  const cashError = errors?.fields.cashTotal;
  const dateError = errors?.fields.date;
  return layout(
    page,
    t.title,
    html`<p class="lead">${t.group(group.code, group.name)}</p>
<form method="get" class="inline-form" action="">
<div class="field${dateError ? ' has-error' : ''}"><label for="${fieldId('date')}">${t.date}</label><input id="${fieldId('date')}" type="date" name="date" value="${sheet.date}" max="${page.today}"${
      dateError ? html` aria-invalid="true" aria-describedby="${fieldId('date')}-error"` : ''
    }>${dateError ? html`<span class="field-error" id="${fieldId('date')}-error">${dateError}</span>` : ''}</div>
<button type="submit">${t.change}</button>
</form>
${group.meetingDay !== null ? html`<p class="hint">${t.meetingDay(group.meetingDay)}</p>` : ''}
${view.posted.length > 0 ? html`<p class="notice">${t.alreadyPosted} ${view.posted.map((posted) => html`<a href="/app/collection-sheets/${posted.id}">${t.viewReceipt} (${money(page, posted.cashTotal, sheet.currency)})</a> `)}</p>` : ''}
${errorSummary(page, errors, labels)}
<p id="sheet-status" class="notice" role="status" aria-live="polite" hidden></p>
${
  sheet.lines.length === 0
    ? html`<p>${t.noMembers}</p>`
    : html`<form method="post" action="/app/groups/${group.id}/meeting" id="meeting-form" class="sheet" data-group-id="${group.id}" data-date="${sheet.date}" data-currency-digits="${digits}" data-lang="${page.lang}" data-key="${view.key}" data-currency-symbol="${sheet.currency === 'VND' ? '₫' : sheet.currency}" data-texts="${scriptTexts(page)}" novalidate>
${csrfField(page)}
<input type="hidden" name="date" value="${sheet.date}">
<input type="hidden" name="idempotencyKey" value="${view.key}">
${blocks.map(memberBlock)}
<section class="totals" aria-labelledby="totals-title">
<h2 id="totals-title">${t.totals}</h2>
<dl class="facts">
<div><dt>${t.totalRepayment}</dt><dd data-total="repayment">${money(page, sheet.totals.repaymentDue, sheet.currency)}</dd></div>
<div><dt>${t.totalCompulsory}</dt><dd data-total="compulsory">${money(page, sheet.totals.compulsorySavingsDue, sheet.currency)}</dd></div>
<div><dt>${t.totalVoluntary}</dt><dd data-total="voluntary">${money(page, '0', sheet.currency)}</dd></div>
<div class="grand"><dt>${t.grandTotal}</dt><dd data-total="all">${money(page, sumAmounts([sheet.totals.repaymentDue, sheet.totals.compulsorySavingsDue], sheet.currency), sheet.currency)}</dd></div>
</dl>
<div class="field amount${cashError ? ' has-error' : ''}">
<label for="f-cashTotal">${t.cashTotal} <span class="required">(${page.t.common.required})</span></label>
<input id="f-cashTotal" name="cashTotal" value="${typed ? value(typed, 'cashTotal') : ''}" inputmode="numeric" autocomplete="off" required aria-describedby="f-cashTotal-hint${cashError ? ' f-cashTotal-error' : ''}"${cashError ? html` aria-invalid="true"` : ''}>
<span class="hint" id="f-cashTotal-hint">${t.cashHint} <span data-cash-check aria-live="polite"></span></span>
${cashError ? html`<span class="field-error" id="f-cashTotal-error">${cashError}</span>` : ''}
</div>
<p class="hint">${t.submitOnce}</p>
<button type="submit" class="primary">${t.submit}</button>
</section>
</form>`
}
<section aria-labelledby="recent-title"><h2 id="recent-title">${t.recent}</h2>
${
  view.recent.length === 0
    ? html`<p>${t.noRecent}</p>`
    : html`<ul class="plain">${view.recent.map((sheetPosted) => html`<li><a href="/app/collection-sheets/${sheetPosted.id}">${date(sheetPosted.date)}</a> · ${money(page, sheetPosted.cashTotal, sheet.currency)}</li>`)}</ul>`
}</section>`,
    { scripts: ['meeting.js'] },
  );
}

/** What meeting.js says, in the page's language ({date} and {amount} are filled in by the script). */
function scriptTexts(page: SignedInPage): string {
  const t = page.t.meeting;
  return JSON.stringify({ sending: t.sending, sent: t.sent, pendingSaved: t.pendingSaved, pendingFound: t.pendingFound('{date}'), pendingRefused: t.pendingRefused('{date}'), pendingRefusedLink: t.pendingRefusedLink, cashMatches: t.cashMatches, cashDiffers: t.cashDiffers('{amount}') });
}

/** The typed sheet as the command takes it: amounts as the person wrote them, read the same way everywhere. */
/** The sheet as typed: what the form posts and what meeting.js sends, amounts still as the person wrote them. */
const typedSheet = z.object({
  date: z.string().max(10),
  cashTotal: z.string().max(40),
  lines: z
    .array(
      z.object({
        memberId: z.string().max(64),
        loanId: z.string().max(64).nullish(),
        repayment: z.string().max(40).optional(),
        compulsorySavings: z.string().max(40).optional(),
        voluntarySavings: z.string().max(40).optional(),
      }),
    )
    .max(400),
});

function sheetInput(page: SignedInPage, currency: string, typed: z.infer<typeof typedSheet>) {
  const amount = (text: string | undefined) => parseAmountInput(text, page.lang, { emptyIsZero: true });
  return parseWith(collectionSheetBody, {
    date: typed.date,
    cashTotal: parseAmountInput(typed.cashTotal, page.lang),
    lines: typed.lines.map((line) => ({
      memberId: line.memberId,
      ...(line.loanId ? { loanId: line.loanId } : {}),
      repayment: amount(line.repayment),
      compulsorySavings: amount(line.compulsorySavings),
      voluntarySavings: amount(line.voluntarySavings),
    })),
  });
}

/** The lines of a posted form, in their numbered order. */
function linesOfForm(fields: FormFields) {
  const indexes = new Set<number>();
  for (const name of Object.keys(fields)) {
    const match = /^lines\.(\d+)\./.exec(name);
    if (match) indexes.add(Number(match[1]));
  }
  return [...indexes]
    .sort((a, b) => a - b)
    .map((index) => ({
      memberId: value(fields, `lines.${index}.memberId`),
      loanId: value(fields, `lines.${index}.loanId`) || null,
      repayment: value(fields, `lines.${index}.repayment`),
      compulsorySavings: value(fields, `lines.${index}.compulsorySavings`),
      voluntarySavings: value(fields, `lines.${index}.voluntarySavings`),
    }));
}

/** The meeting day a page may be asked for: a real date, not after today. */
const meetingDay = (today: string) => z.object({ date: isoDate.refine((date) => date <= today, { message: 'must not be in the future' }) });

export function meetingRoutes(context: ServiceContext, write: Write): FastifyPluginAsync {
  return async (app) => {
    const render = (request: FastifyRequest, reply: FastifyReply, groupId: string, options: { date?: string; typed?: FormFields | null; errors?: FormErrors | null; key?: string }) => {
      const page = signedIn(request, sheetRoles);
      const group = registry.getGroup(context, page.actor, groupId);
      // A day asked for that is no day, or is still to come, is refused beside the date picker, over the usual day's sheet.
      const asked = options.date ? attempt(page.lang, () => parseWith(meetingDay(today(context)), { date: options.date }).date) : null;
      const meetingOn = asked?.ok ? asked.value : defaultMeetingDate(group, today(context));
      const errors = options.errors ?? (asked && !asked.ok ? asked.errors : null);
      const sheet = collectionSheet(context, page.actor, groupId, meetingOn);
      const posted = listCollectionSheets(context, page.actor, groupId, { date: meetingOn, limit: 5 });
      const recent = listCollectionSheets(context, page.actor, groupId, { limit: 6 });
      const body = meetingPage(page, { group, sheet, typed: options.typed ?? null, errors, key: options.key ?? randomUUID(), posted, recent });
      return sendPage(reply, body, errors?.status ?? 200);
    };

    app.get('/meeting', async (request) => {
      const page = signedIn(request, sheetRoles);
      if (page.actor.role === 'leader' && page.actor.groupId) throw new Redirect(`/app/groups/${page.actor.groupId}/meeting`);
      throw new Redirect('/app/groups');
    });

    app.get('/groups/:id/meeting', async (request, reply) => {
      const { id } = request.params as { id: string };
      const { date: meetingOn } = request.query as { date?: string };
      return render(request, reply, id, { date: meetingOn });
    });

    // Posted as a form (no script) or as JSON by meeting.js, which sends the Idempotency-Key header and wants JSON back.
    app.post('/groups/:id/meeting', async (request, reply) => {
      const isJson = String(request.headers['content-type'] ?? '').startsWith('application/json');
      // The script cannot follow a redirect to the sign-in page: it is told, and keeps the sheet until then.
      const current = pageOf(request);
      if (isJson && !current.actor) return reply.status(401).send({ error: { summary: current.t.login.expired, fields: {} } });
      const page = signedIn(request, sheetRoles);
      const { id } = request.params as { id: string };
      const fields = isJson ? {} : postedForm(request, page);
      if (isJson && !sameToken(page.csrf, String(request.headers['x-csrf-token'] ?? ''))) return reply.status(403).send({ error: { summary: page.t.errors.formExpired, fields: {} } });
      const shape = attempt(page.lang, () => parseWith(typedSheet, isJson ? request.body : { date: value(fields, 'date'), cashTotal: value(fields, 'cashTotal'), lines: linesOfForm(fields) }));
      if (!shape.ok) return reply.status(shape.errors.status).send({ error: { summary: shape.errors.summary, fields: shape.errors.fields } });
      const typed = shape.value;
      const key = isJson ? String(request.headers['idempotency-key'] ?? '') : value(fields, 'idempotencyKey');
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /groups/:id/collection-sheet', id, () =>
          postCollectionSheet(context, page.actor, id, sheetInput(page, page.currency, typed), { key, route: `POST /v1/groups/${id}/collection-sheet` }),
        ),
      );
      if (result.ok) {
        const receiptUrl = `/app/collection-sheets/${result.value.body.id}`;
        return isJson ? reply.status(result.value.statusCode).send({ receiptUrl, replayed: result.value.replayed }) : seeOther(reply, receiptUrl);
      }
      if (isJson) return reply.status(result.errors.status).send({ error: { summary: result.errors.summary, fields: result.errors.fields } });
      // A key already spent on another sheet cannot be used again: the corrected form gets a new one.
      const freshKey = result.errors.status === 409 ? randomUUID() : key;
      return render(request, reply, id, { date: typed.date, typed: fields, errors: result.errors, key: freshKey });
    });

    app.get('/collection-sheets/:id', async (request, reply) => {
      const page = signedIn(request, [...sheetRoles, 'auditor']);
      const { id } = request.params as { id: string };
      const sheet = getPostedSheet(context, page.actor, id);
      const group = registry.getGroup(context, page.actor, sheet.groupId);
      const names = registry.namesOf(context, page.actor, { memberIds: [...sheet.repayments, ...sheet.savings].map((line) => line.memberId) }).memberNames;
      const nameOf = (memberId: string) => names.get(memberId) ?? memberId;
      const byMember = new Map<string, { repayment: bigint; compulsory: bigint; voluntary: bigint }>();
      const minor = (amount: string) => minorUnitsOf(amount, sheet.currency);
      const wire = (units: bigint) => amountOfMinorUnits(units, sheet.currency);
      const entry = (memberId: string) => {
        let found = byMember.get(memberId);
        if (!found) byMember.set(memberId, (found = { repayment: 0n, compulsory: 0n, voluntary: 0n }));
        return found;
      };
      for (const repayment of sheet.repayments) if (!repayment.reversed) entry(repayment.memberId).repayment += minor(repayment.amount);
      for (const saving of sheet.savings) entry(saving.memberId)[saving.kind === 'compulsory' ? 'compulsory' : 'voluntary'] += minor(saving.amount);
      const t = page.t.receipt;
      const m = page.t.meeting;
      const cells = (amounts: { repayment: string; compulsory: string; voluntary: string }) =>
        html`<td class="num" data-label="${m.repayment}">${money(page, amounts.repayment, sheet.currency)}</td><td class="num" data-label="${m.compulsory}">${money(page, amounts.compulsory, sheet.currency)}</td><td class="num" data-label="${m.voluntary}">${money(page, amounts.voluntary, sheet.currency)}</td>`;
      const table = html`<table class="stack"><caption>${t.title}</caption>
<thead><tr><th scope="col">${m.member}</th><th scope="col" class="num">${m.repayment}</th><th scope="col" class="num">${m.compulsory}</th><th scope="col" class="num">${m.voluntary}</th></tr></thead>
<tbody>${[...byMember].map(
        ([memberId, amounts]) => html`<tr><th scope="row">${nameOf(memberId)}</th>${cells({ repayment: wire(amounts.repayment), compulsory: wire(amounts.compulsory), voluntary: wire(amounts.voluntary) })}</tr>`,
      )}</tbody>
<tfoot><tr><th scope="row">${page.t.common.total}</th>${cells({ repayment: sheet.totals.repayments, compulsory: sheet.totals.compulsorySavings, voluntary: sheet.totals.voluntarySavings })}</tr></tfoot>
</table>`;
      const reversed = sheet.repayments.filter((repayment) => repayment.reversed);
      return sendPage(
        reply,
        layout(
          page,
          t.title,
          html`<div class="receipt">
<p class="lead">${m.group(group.code, group.name)}</p>
<dl class="facts">
<div><dt>${m.date}</dt><dd>${date(sheet.date)}</dd></div>
<div><dt>${t.number}</dt><dd><code>${sheet.id}</code></dd></div>
<div><dt>${t.postedAt}</dt><dd>${formatTimestamp(sheet.postedAt, page.timeZone)}</dd></div>
<div class="grand"><dt>${t.cash}</dt><dd>${money(page, sheet.cashTotal, sheet.currency)}</dd></div>
</dl>
${scrollTable(t.title, table)}
${reversed.length > 0 ? html`<p class="hint">${reversed.map((repayment) => html`${nameOf(repayment.memberId)}: ${money(page, repayment.amount, sheet.currency)} (${t.reversed}). `)}</p>` : ''}
<p class="hint no-print">${t.printHint}</p>
<p class="no-print"><button type="button" data-print hidden>${page.t.common.print}</button> <a href="/app/groups/${sheet.groupId}/meeting?date=${sheet.date}">${t.backToMeeting}</a></p>
</div>`,
        ),
      );
    });
  };
}
