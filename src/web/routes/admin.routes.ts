// The admin's pages: users, loan products, fund settings, the fund's capital. The services refuse anyone else; the
// pages only show the admin the way in.
import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';
import { currencyCodes } from '../../domain/money.js';
import { frequencyUnits, scheduleMethods } from '../../domain/schedule.js';
import { createUserBody, setPasswordBody, updateUserBody, type UserReply } from '../../modules/auth/auth.commands.js';
import { capitalMovementBody } from '../../modules/ledger/capital.commands.js';
import * as capital from '../../modules/ledger/capital.service.js';
import * as auth from '../../modules/auth/auth.service.js';
import { createProductBody, type ProductReply, updateProductBody } from '../../modules/loans/loan.commands.js';
import * as products from '../../modules/loans/product.service.js';
import * as registry from '../../modules/registry/registry.service.js';
import type { Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { DomainError } from '../../modules/shared/domain-error.js';
import { type FundSettings, getSettings, updateSettings, updateSettingsBody } from '../../modules/settings/settings.service.js';
import { enumChoices, officerAreaChoices, reportAreaChoices } from '../choices.js';
import { attemptAsync, type FormErrors, type FormFields, optional, parseWith, postedForm, value, wholeNumber } from '../forms.js';
import { amountInputValue, formatPercent, parseAmountInput } from '../format.js';
import { type Html, html } from '../html.js';
import { type SignedInPage, sendPage, seeOther, signedIn } from '../page.js';
import { amountField, checkboxField, csrfField, date, dateField, errorSummary, inputField, money, notice, pager, scrollTable, selectField } from '../views/components.js';
import { layout } from '../views/layout.js';
import type { Write } from '../writes.js';

const admins: Role[] = ['admin'];
const roles = createUserBody.shape.role.options;
const userStatuses = ['active', 'disabled'] as const;
const capitalDirections = capitalMovementBody.shape.direction.options;

function done(page: SignedInPage, key: string | undefined): string | null {
  return ({ user: page.t.admin.userCreated, userSaved: page.t.admin.userSaved, passwordSet: page.t.admin.passwordSet, product: page.t.admin.productCreated, productUpdated: page.t.admin.productUpdated, settings: page.t.admin.settingsSaved, capital: page.t.admin.capitalRecorded })[key ?? ''] ?? null;
}

// ---- users

function userForm(page: SignedInPage, view: { fields: FormFields | null; errors: FormErrors | null; areas: { value: string; label: string }[]; groupCode?: string }): Html {
  const t = page.t.admin;
  const typed = (name: string, initial = '') => (view.fields ? value(view.fields, name) : initial);
  return layout(
    page,
    t.newUser,
    html`${errorSummary(page, view.errors, { username: t.username, fullName: t.fullName, role: t.role, password: t.password, areaIds: t.areas, groupId: t.groupOfLeader, groupCode: t.groupOfLeader })}
<form method="post" action="/app/admin/users" class="narrow">
${csrfField(page)}
${inputField(page, { name: 'username', label: t.username, value: typed('username'), errors: view.errors, required: true, autocomplete: 'off' })}
${inputField(page, { name: 'fullName', label: t.fullName, value: typed('fullName'), errors: view.errors, required: true })}
${selectField(page, { name: 'role', label: t.role, choices: enumChoices(roles, page.t.roles), value: typed('role', view.groupCode ? 'leader' : 'officer'), errors: view.errors, required: true })}
${inputField(page, { name: 'password', label: t.password, type: 'password', errors: view.errors, required: true, hint: t.passwordHint, autocomplete: 'new-password' })}
${selectField(page, { name: 'areaIds', label: t.areas, choices: view.areas, values: view.fields ? (view.fields.areaIds ?? []) : [], errors: view.errors, multiple: true })}
${inputField(page, { name: 'groupCode', label: `${t.groupOfLeader}: ${page.t.groups.code}`, value: typed('groupCode', view.groupCode ?? ''), errors: view.errors, errorPath: 'groupId' })}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="/app/admin/users">${page.t.common.cancel}</a></div>
</form>`,
  );
}

/** The admin's page of one user: her name, role, scope and status, and a new password when she forgot hers. */
function userEditPage(
  page: SignedInPage,
  view: { user: UserReply; groupCode: string; fields: FormFields | null; errors: FormErrors | null; passwordErrors: FormErrors | null; areas: { value: string; label: string }[]; message?: string | null },
): Html {
  const t = page.t.admin;
  const user = view.user;
  const typed = (name: string, initial: string) => (view.fields ? value(view.fields, name) : initial);
  const labels = { fullName: t.fullName, role: t.role, areaIds: t.areas, groupId: t.groupOfLeader, groupCode: t.groupOfLeader, status: page.t.common.status };
  return layout(
    page,
    `${t.editUser}: ${user.username}`,
    html`${notice(view.message)}
${errorSummary(page, view.errors, labels, 'user')}
<form method="post" action="/app/admin/users/${user.id}" class="narrow">
${csrfField(page)}
<p>${t.username}: <strong>${user.username}</strong></p>
${inputField(page, { name: 'fullName', form: 'user', label: t.fullName, value: typed('fullName', user.fullName), errors: view.errors, required: true })}
${selectField(page, { name: 'role', form: 'user', label: t.role, choices: enumChoices(roles, page.t.roles), value: typed('role', user.role), errors: view.errors, required: true, hint: t.roleHint })}
${selectField(page, { name: 'areaIds', form: 'user', label: t.areas, choices: view.areas, values: view.fields ? (view.fields.areaIds ?? []) : user.areaIds, errors: view.errors, multiple: true })}
${inputField(page, { name: 'groupCode', form: 'user', label: `${t.groupOfLeader}: ${page.t.groups.code}`, value: typed('groupCode', view.groupCode), errors: view.errors, errorPath: 'groupId' })}
${selectField(page, { name: 'status', form: 'user', label: page.t.common.status, choices: enumChoices(userStatuses, t.userStatus), value: typed('status', user.status), errors: view.errors, required: true, hint: t.statusHint })}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="/app/admin/users">${page.t.common.cancel}</a></div>
</form>
<h2>${t.setPassword}</h2>
${errorSummary(page, view.passwordErrors, { password: t.password }, 'password')}
<form method="post" action="/app/admin/users/${user.id}/password" class="narrow">
${csrfField(page)}
${inputField(page, { name: 'password', form: 'password', label: t.password, type: 'password', errors: view.passwordErrors, required: true, hint: `${t.passwordHint} ${t.setPasswordHint}`, autocomplete: 'new-password' })}
<div class="actions"><button type="submit">${t.setPassword}</button></div>
</form>`,
  );
}

/** A leader's group is typed by its code; the services take its id. */
function groupIdOfCode(context: ServiceContext, page: SignedInPage, groupCode: string | undefined): string | undefined {
  if (!groupCode) return undefined;
  const found = registry.listGroups(context, page.actor, { q: groupCode, limit: 20 }).items.find((group) => group.code.toLowerCase() === groupCode.toLowerCase());
  if (!found) throw new DomainError('group_not_found', `No group has the code ${groupCode}.`, [{ path: 'groupId', message: 'unknown group' }]);
  return found.id;
}

// ---- products

function productForm(page: SignedInPage, view: { product: ProductReply | null; fields: FormFields | null; errors: FormErrors | null }): Html {
  const t = page.t.admin;
  const terms = view.product?.terms;
  const typed = (name: string, initial: string | number | undefined) => (view.fields ? value(view.fields, name) : initial === undefined ? '' : String(initial));
  const amount = (text: string | undefined) => (text === undefined ? '' : amountInputValue(text, page.lang));
  const product = view.product;
  const labels: Record<string, string> = {
    code: page.t.common.code,
    name: page.t.common.name,
    minPrincipal: t.minPrincipal,
    maxPrincipal: t.maxPrincipal,
    minInstallments: t.minInstallments,
    maxInstallments: t.maxInstallments,
    monthlyRate: t.monthlyRate,
    annualRate: t.annualRate,
    method: t.method,
    'frequency.every': t.frequencyEvery,
    'frequency.unit': t.frequencyUnit,
    'rounding.installmentMultiple': t.installmentMultiple,
    overdueMultiplier: t.overdueMultiplier,
    compulsorySavingsPercentOfPrincipal: t.compulsoryPercent,
    compulsorySavingsPerInstallment: t.compulsoryPerInstallment,
  };
  return layout(
    page,
    product ? t.editProduct : t.newProduct,
    html`${errorSummary(page, view.errors, labels)}
<form method="post" action="${product ? `/app/admin/products/${product.id}` : '/app/admin/products'}" class="narrow">
${csrfField(page)}
${product ? html`<p><strong>${page.t.common.code}:</strong> ${product.code}</p>` : inputField(page, { name: 'code', label: page.t.common.code, value: typed('code', ''), errors: view.errors, required: true })}
${inputField(page, { name: 'name', label: page.t.common.name, value: typed('name', view.product?.name), errors: view.errors, required: true })}
${amountField(page, { name: 'minPrincipal', label: t.minPrincipal, value: typed('minPrincipal', amount(terms?.minPrincipal)), errors: view.errors, required: true })}
${amountField(page, { name: 'maxPrincipal', label: t.maxPrincipal, value: typed('maxPrincipal', amount(terms?.maxPrincipal)), errors: view.errors, required: true })}
${inputField(page, { name: 'minInstallments', label: t.minInstallments, value: typed('minInstallments', terms?.minInstallments), errors: view.errors, required: true, inputmode: 'numeric' })}
${inputField(page, { name: 'maxInstallments', label: t.maxInstallments, value: typed('maxInstallments', terms?.maxInstallments), errors: view.errors, required: true, inputmode: 'numeric' })}
<p class="hint">${t.rateHint}</p>
${inputField(page, { name: 'monthlyRate', label: t.monthlyRate, value: typed('monthlyRate', terms?.monthlyRate), errors: view.errors, inputmode: 'decimal' })}
${inputField(page, { name: 'annualRate', label: t.annualRate, value: typed('annualRate', terms?.annualRate), errors: view.errors, inputmode: 'decimal' })}
${selectField(page, { name: 'method', label: t.method, choices: enumChoices(scheduleMethods, page.t.methods), value: typed('method', terms?.method ?? 'declining_equal_principal'), errors: view.errors, required: true })}
${inputField(page, { name: 'frequency.every', label: t.frequencyEvery, value: typed('frequency.every', terms?.frequency.every ?? 1), errors: view.errors, inputmode: 'numeric' })}
${selectField(page, { name: 'frequency.unit', label: t.frequencyUnit, choices: enumChoices(frequencyUnits, page.t.frequencyUnits), value: typed('frequency.unit', terms?.frequency.unit ?? 'month'), errors: view.errors })}
${amountField(page, { name: 'rounding.installmentMultiple', label: t.installmentMultiple, value: typed('rounding.installmentMultiple', amount(terms?.rounding.installmentMultiple)), errors: view.errors })}
${inputField(page, { name: 'overdueMultiplier', label: t.overdueMultiplier, value: typed('overdueMultiplier', terms?.overdueMultiplier ?? '1.30'), errors: view.errors, inputmode: 'decimal' })}
${inputField(page, { name: 'compulsorySavingsPercentOfPrincipal', label: t.compulsoryPercent, value: typed('compulsorySavingsPercentOfPrincipal', terms?.compulsorySavingsPercentOfPrincipal ?? '0'), errors: view.errors, inputmode: 'decimal' })}
${amountField(page, { name: 'compulsorySavingsPerInstallment', label: t.compulsoryPerInstallment, value: typed('compulsorySavingsPerInstallment', amount(terms?.compulsorySavingsPerInstallment ?? '0')), errors: view.errors })}
${product ? selectField(page, { name: 'status', label: page.t.common.status, choices: enumChoices(['active', 'retired'] as const, t.productStatus), value: typed('status', product.status), errors: view.errors }) : ''}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="/app/admin/products">${page.t.common.cancel}</a></div>
</form>`,
  );
}

function productInput(page: SignedInPage, fields: FormFields) {
  const amount = (name: string) => {
    const typed = optional(fields, name);
    return typed === undefined ? undefined : parseAmountInput(typed, page.lang);
  };
  const decimal = (name: string) => optional(fields, name)?.replace(',', '.');
  const multiple = amount('rounding.installmentMultiple');
  return {
    minPrincipal: amount('minPrincipal'),
    maxPrincipal: amount('maxPrincipal'),
    minInstallments: wholeNumber(optional(fields, 'minInstallments')),
    maxInstallments: wholeNumber(optional(fields, 'maxInstallments')),
    monthlyRate: decimal('monthlyRate'),
    annualRate: decimal('annualRate'),
    method: optional(fields, 'method'),
    frequency: { every: wholeNumber(optional(fields, 'frequency.every') ?? '1'), unit: optional(fields, 'frequency.unit') ?? 'month' },
    rounding: { mode: 'half_up' as const, ...(multiple ? { installmentMultiple: multiple } : {}) },
    overdueMultiplier: decimal('overdueMultiplier'),
    compulsorySavingsPercentOfPrincipal: decimal('compulsorySavingsPercentOfPrincipal'),
    compulsorySavingsPerInstallment: amount('compulsorySavingsPerInstallment'),
  };
}

/** Leaves out what was left empty, so the schema's defaults (or the product's current terms) apply. */
function withoutEmpty<T extends Record<string, unknown>>(input: T): Partial<T> {
  return Object.fromEntries(Object.entries(input).filter(([, shown]) => shown !== undefined)) as Partial<T>;
}

// ---- settings

function settingsForm(page: SignedInPage, view: { settings: FundSettings; fields: FormFields | null; errors: FormErrors | null; message: string | null }): Html {
  const t = page.t.admin;
  const s = view.settings;
  const typed = (name: string, initial: string | number) => (view.fields ? value(view.fields, name) : String(initial));
  const checked = (name: string, initial: boolean) => (view.fields ? value(view.fields, name) === 'true' : initial);
  const presets = (current: string) => enumChoices((current === 'custom' ? ['microfinance', 'bank', 'custom'] : ['microfinance', 'bank']) as ('microfinance' | 'bank' | 'custom')[], t.presets);
  return layout(
    page,
    t.settings,
    html`${notice(view.message)}
${errorSummary(page, view.errors, { currency: t.currency, minGroupMembers: t.minGroupMembers, maxGroupMembers: t.maxGroupMembers, memberOutstandingCap: t.memberOutstandingCap, debtGroupPreset: t.debtGroupPreset, provisionPreset: t.provisionPreset })}
<form method="post" action="/app/admin/settings" class="narrow">
${csrfField(page)}
${selectField(page, { name: 'currency', label: t.currency, choices: currencyCodes.map((code) => ({ value: code, label: code })), value: typed('currency', s.currency), errors: view.errors })}
${inputField(page, { name: 'minGroupMembers', label: t.minGroupMembers, value: typed('minGroupMembers', s.minGroupMembers), errors: view.errors, inputmode: 'numeric' })}
${inputField(page, { name: 'maxGroupMembers', label: t.maxGroupMembers, value: typed('maxGroupMembers', s.maxGroupMembers), errors: view.errors, inputmode: 'numeric' })}
${amountField(page, { name: 'memberOutstandingCap', label: t.memberOutstandingCap, value: typed('memberOutstandingCap', amountInputValue(s.memberOutstandingCap, page.lang)), errors: view.errors })}
${checkboxField(page, { name: 'approvalNeedsSecondPerson', label: t.approvalNeedsSecondPerson, checked: checked('approvalNeedsSecondPerson', s.approvalNeedsSecondPerson), errors: view.errors })}
${selectField(page, { name: 'debtGroupPreset', label: t.debtGroupPreset, choices: presets(s.debtGroupPreset), value: typed('debtGroupPreset', s.debtGroupPreset), errors: view.errors })}
${selectField(page, { name: 'provisionPreset', label: t.provisionPreset, choices: presets(s.provisionPreset), value: typed('provisionPreset', s.provisionPreset), errors: view.errors })}
${checkboxField(page, { name: 'memberWorstDebtGroup', label: t.memberWorstDebtGroup, checked: checked('memberWorstDebtGroup', s.memberWorstDebtGroup), errors: view.errors })}
<button type="submit" class="primary">${page.t.common.save}</button>
</form>`,
  );
}

// ---- the fund's capital

function capitalPage(context: ServiceContext, page: SignedInPage, view: { fields: FormFields | null; errors: FormErrors | null; key: string; message: string | null }): Html {
  const t = page.t.admin;
  const found = capital.capitalMovements(context, page.actor);
  const typed = (name: string, initial = '') => (view.fields ? value(view.fields, name) : initial);
  const table = found.items.length === 0
    ? html`<p>${t.noCapital}</p>`
    : scrollTable(
        t.capital,
        html`<table><thead><tr><th scope="col">${t.movedOn}</th><th scope="col">${t.direction}</th><th scope="col">${t.source}</th><th scope="col" class="num">${page.t.common.amount}</th><th scope="col">${t.note}</th></tr></thead>
<tbody>${found.items.map((item) => html`<tr><td>${date(item.movedOn)}</td><td>${t.directions[item.direction]}</td><td>${item.source}</td><td class="num">${money(page, item.direction === 'returned' ? `-${item.amount}` : item.amount, found.currency)}</td><td>${item.note ?? ''}</td></tr>`)}</tbody></table>`,
      );
  return layout(
    page,
    t.capital,
    html`${notice(view.message)}<p>${t.capitalIntro}</p>
<p><strong>${t.capitalBalance}:</strong> ${money(page, found.balance, found.currency)}</p>
${table}
<h2 id="capital-form">${t.recordCapital}</h2>
${errorSummary(page, view.errors, { direction: t.direction, amount: page.t.common.amount, movedOn: t.movedOn, source: t.source, note: t.note })}
<form method="post" action="/app/admin/capital" class="narrow" aria-labelledby="capital-form">
${csrfField(page)}
<input type="hidden" name="idempotencyKey" value="${view.key}">
${selectField(page, { name: 'direction', label: t.direction, choices: enumChoices(capitalDirections, t.directions), value: typed('direction', 'received'), errors: view.errors, required: true })}
${amountField(page, { name: 'amount', label: page.t.common.amount, value: typed('amount'), errors: view.errors, required: true })}
${dateField(page, { name: 'movedOn', label: t.movedOn, value: typed('movedOn', page.today), errors: view.errors, required: true })}
${inputField(page, { name: 'source', label: t.source, value: typed('source'), errors: view.errors, required: true })}
${inputField(page, { name: 'note', label: t.note, value: typed('note'), errors: view.errors })}
<div class="actions"><button type="submit" class="primary">${t.recordCapital}</button></div>
</form>`,
  );
}

export function adminRoutes(context: ServiceContext, write: Write): FastifyPluginAsync {
  return async (app) => {
    app.get('/admin', async (request, reply) => {
      const page = signedIn(request, admins);
      const t = page.t;
      const links: [string, string][] = [
        [t.nav.users, '/app/admin/users'],
        [t.nav.products, '/app/admin/products'],
        [t.nav.settings, '/app/admin/settings'],
        [t.nav.capital, '/app/admin/capital'],
        [t.nav.dashboard, '/app/dashboard'],
        [t.nav.groups, '/app/groups'],
        [t.nav.members, '/app/members'],
        [t.nav.loans, '/app/loans'],
        [t.nav.arrears, '/app/arrears'],
        [t.nav.reports, '/app/reports'],
        [t.nav.imports, '/app/imports'],
        [t.nav.exports, '/app/audit'],
        [t.nav.verify, '/app/audit/verify'],
        [t.nav.auditLog, '/app/audit/log'],
      ];
      return sendPage(reply, layout(page, t.admin.title, html`<ul class="actions plain">${links.map(([label, href]) => html`<li><a class="button" href="${href}">${label}</a></li>`)}</ul>`));
    });

    app.get('/admin/users', async (request, reply) => {
      const page = signedIn(request, admins);
      const query = request.query as { cursor?: string; done?: string };
      const found = auth.listUsers(context, page.actor, { limit: 50, cursor: query.cursor || undefined });
      const t = page.t.admin;
      const table = html`<table><thead><tr><th scope="col">${t.username}</th><th scope="col">${t.fullName}</th><th scope="col">${t.role}</th><th scope="col">${page.t.common.status}</th><th scope="col">${page.t.common.date}</th></tr></thead>
<tbody>${found.items.map((user) => html`<tr><td><a href="/app/admin/users/${user.id}">${user.username}</a></td><td>${user.fullName}</td><td>${page.t.roles[user.role]}</td><td>${t.userStatus[user.status]}</td><td>${date(user.createdAt.slice(0, 10))}</td></tr>`)}</tbody></table>`;
      return sendPage(
        reply,
        layout(page, t.users, html`${notice(done(page, query.done))}<p><a class="button primary" href="/app/admin/users/new">${t.newUser}</a></p>${scrollTable(t.users, table)}${pager(page, '/app/admin/users', { cursor: query.cursor }, found.nextCursor)}`),
      );
    });

    app.get('/admin/users/new', async (request, reply) => {
      const page = signedIn(request, admins);
      return sendPage(reply, userForm(page, { fields: null, errors: null, areas: reportAreaChoices(context, page), groupCode: (request.query as { groupCode?: string }).groupCode }));
    });

    app.post('/admin/users', async (request, reply) => {
      const page = signedIn(request, admins);
      const fields = postedForm(request, page);
      const role = value(fields, 'role');
      const result = await attemptAsync(page.lang, () => write(request, page.actor, 'POST /users', null, () => {
        const groupId = role === 'leader' ? groupIdOfCode(context, page, optional(fields, 'groupCode')) : undefined;
        const areaIds = role === 'officer' ? (fields.areaIds ?? []).filter(Boolean) : [];
        return auth.createUser(
          context,
          page.actor,
          parseWith(createUserBody, {
            username: value(fields, 'username'),
            fullName: value(fields, 'fullName'),
            role,
            password: value(fields, 'password'),
            ...(areaIds.length > 0 ? { areaIds } : {}),
            ...(groupId ? { groupId } : {}),
          }),
        );
      }));
      if (result.ok) return seeOther(reply, '/app/admin/users?done=user');
      return sendPage(reply, userForm(page, { fields, errors: result.errors, areas: reportAreaChoices(context, page) }), result.errors.status);
    });

    const editView = (page: SignedInPage, id: string) => {
      const user = auth.getUser(context, page.actor, id);
      const groupCode = user.groupId ? registry.getGroup(context, page.actor, user.groupId).code : '';
      return { user, groupCode, areas: officerAreaChoices(context, page, user.areaIds) };
    };

    app.get('/admin/users/:id', async (request, reply) => {
      const page = signedIn(request, admins);
      const view = editView(page, (request.params as { id: string }).id);
      return sendPage(reply, userEditPage(page, { ...view, fields: null, errors: null, passwordErrors: null, message: done(page, (request.query as { done?: string }).done) }));
    });

    app.post('/admin/users/:id', async (request, reply) => {
      const page = signedIn(request, admins);
      const id = (request.params as { id: string }).id;
      const view = editView(page, id);
      const fields = postedForm(request, page);
      const role = value(fields, 'role');
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'PATCH /users/:id', id, () => {
          const groupId = role === 'leader' ? groupIdOfCode(context, page, optional(fields, 'groupCode')) : undefined;
          const areaIds = role === 'officer' ? (fields.areaIds ?? []).filter(Boolean) : undefined;
          return auth.updateUser(
            context,
            page.actor,
            id,
            parseWith(updateUserBody, { fullName: value(fields, 'fullName'), role, status: value(fields, 'status'), ...(areaIds ? { areaIds } : {}), ...(groupId ? { groupId } : {}) }),
          );
        }),
      );
      // The admin who disabled or demoted herself is signed out with it: the sign-in page follows.
      if (result.ok) return seeOther(reply, `/app/admin/users/${id}?done=userSaved`);
      return sendPage(reply, userEditPage(page, { ...view, fields, errors: result.errors, passwordErrors: null }), result.errors.status);
    });

    app.post('/admin/users/:id/password', async (request, reply) => {
      const page = signedIn(request, admins);
      const id = (request.params as { id: string }).id;
      const view = editView(page, id);
      const fields = postedForm(request, page);
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /users/:id/password', id, () => auth.setUserPassword(context, page.actor, id, parseWith(setPasswordBody, { password: value(fields, 'password') }).password)),
      );
      if (result.ok) return seeOther(reply, `/app/admin/users/${id}?done=passwordSet`);
      return sendPage(reply, userEditPage(page, { ...view, fields: null, errors: null, passwordErrors: result.errors }), result.errors.status);
    });

    app.get('/admin/products', async (request, reply) => {
      const page = signedIn(request, admins);
      const t = page.t.admin;
      const query = request.query as { done?: string };
      const table = html`<table><thead><tr><th scope="col">${page.t.common.code}</th><th scope="col">${page.t.common.name}</th><th scope="col">${page.t.loans.rate}</th><th scope="col" class="num">${t.minPrincipal}</th><th scope="col" class="num">${t.maxPrincipal}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${products.listProducts(context).map(
        (product) =>
          html`<tr><td><a href="/app/admin/products/${product.id}">${product.code}</a></td><td>${product.name}</td><td>${
            product.terms.annualRate !== undefined ? `${formatPercent(product.terms.annualRate, page.lang)} ${page.t.loans.perYear}` : `${formatPercent(product.terms.monthlyRate ?? '0', page.lang)} ${page.t.loans.perMonth}`
          }</td><td class="num">${money(page, product.terms.minPrincipal, product.currency)}</td><td class="num">${money(page, product.terms.maxPrincipal, product.currency)}</td><td>${t.productStatus[product.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(reply, layout(page, t.products, html`${notice(done(page, query.done))}<p><a class="button primary" href="/app/admin/products/new">${t.newProduct}</a></p>${scrollTable(t.products, table)}`));
    });

    app.get('/admin/products/new', async (request, reply) => sendPage(reply, productForm(signedIn(request, admins), { product: null, fields: null, errors: null })));

    app.post('/admin/products', async (request, reply) => {
      const page = signedIn(request, admins);
      const fields = postedForm(request, page);
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /loan-products', null, () =>
          products.createProduct(context, page.actor, parseWith(createProductBody, withoutEmpty({ code: value(fields, 'code'), name: value(fields, 'name'), ...productInput(page, fields) }))),
        ),
      );
      if (result.ok) return seeOther(reply, '/app/admin/products?done=product');
      return sendPage(reply, productForm(page, { product: null, fields, errors: result.errors }), result.errors.status);
    });

    const editProduct = (reply: FastifyReply, page: SignedInPage, id: string, fields: FormFields | null, errors: FormErrors | null) =>
      sendPage(reply, productForm(page, { product: products.getProduct(context, id), fields, errors }), errors?.status ?? 200);

    app.get('/admin/products/:id', async (request, reply) => editProduct(reply, signedIn(request, admins), (request.params as { id: string }).id, null, null));

    app.post('/admin/products/:id', async (request, reply) => {
      const page = signedIn(request, admins);
      const fields = postedForm(request, page);
      const product = products.getProduct(context, (request.params as { id: string }).id);
      const input = withoutEmpty({ name: value(fields, 'name'), status: optional(fields, 'status'), ...productInput(page, fields) });
      // The rate the form leaves is the product's rate: the other one is not sent (naming it would replace it).
      if (input.monthlyRate !== undefined && input.annualRate !== undefined && input.annualRate === product.terms.annualRate) delete input.annualRate;
      if (input.monthlyRate !== undefined && input.annualRate !== undefined && input.monthlyRate === product.terms.monthlyRate) delete input.monthlyRate;
      const result = await attemptAsync(page.lang, () => write(request, page.actor, 'PATCH /loan-products/:id', product.id, () => products.updateProduct(context, page.actor, product.id, parseWith(updateProductBody, input))));
      if (result.ok) return seeOther(reply, '/app/admin/products?done=productUpdated');
      return editProduct(reply, page, product.id, fields, result.errors);
    });

    app.get('/admin/capital', async (request, reply) => {
      const page = signedIn(request, admins);
      return sendPage(reply, capitalPage(context, page, { fields: null, errors: null, key: randomUUID(), message: done(page, (request.query as { done?: string }).done) }));
    });

    app.post('/admin/capital', async (request, reply) => {
      const page = signedIn(request, admins);
      const fields = postedForm(request, page);
      // The key came with the form: sending it twice (a double click, a reload) records the capital once.
      const key = optional(fields, 'idempotencyKey') ?? randomUUID();
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /ledger/capital', null, () =>
          capital.recordCapitalMovement(
            context,
            page.actor,
            parseWith(capitalMovementBody, withoutEmpty({ direction: value(fields, 'direction'), amount: parseAmountInput(value(fields, 'amount'), page.lang), movedOn: value(fields, 'movedOn'), source: value(fields, 'source'), note: optional(fields, 'note') })),
            { key, route: 'POST /v1/ledger/capital' },
          ),
        ),
      );
      if (result.ok) return seeOther(reply, '/app/admin/capital?done=capital');
      return sendPage(reply, capitalPage(context, page, { fields, errors: result.errors, key, message: null }), result.errors.status);
    });

    app.get('/admin/settings', async (request, reply) => {
      const page = signedIn(request, admins);
      return sendPage(reply, settingsForm(page, { settings: getSettings(context), fields: null, errors: null, message: done(page, (request.query as { done?: string }).done) }));
    });

    app.post('/admin/settings', async (request, reply) => {
      const page = signedIn(request, admins);
      const fields = postedForm(request, page);
      const current = getSettings(context);
      const typed = {
        currency: value(fields, 'currency'),
        minGroupMembers: wholeNumber(value(fields, 'minGroupMembers')),
        maxGroupMembers: wholeNumber(value(fields, 'maxGroupMembers')),
        memberOutstandingCap: parseAmountInput(value(fields, 'memberOutstandingCap'), page.lang),
        approvalNeedsSecondPerson: value(fields, 'approvalNeedsSecondPerson') === 'true',
        debtGroupPreset: value(fields, 'debtGroupPreset'),
        provisionPreset: value(fields, 'provisionPreset'),
        memberWorstDebtGroup: value(fields, 'memberWorstDebtGroup') === 'true',
      };
      // Only what changed is sent: a setting the admin did not touch is not written again.
      const changes = Object.fromEntries(Object.entries(typed).filter(([key, shown]) => shown !== (current as Record<string, unknown>)[key]));
      if (Object.keys(changes).length === 0) return seeOther(reply, '/app/admin/settings?done=settings');
      const result = await attemptAsync(page.lang, () => write(request, page.actor, 'PATCH /settings', null, () => updateSettings(context, page.actor, parseWith(updateSettingsBody, changes))));
      if (result.ok) return seeOther(reply, '/app/admin/settings?done=settings');
      return sendPage(reply, settingsForm(page, { settings: current, fields, errors: result.errors, message: null }), result.errors.status);
    });
  };
}
