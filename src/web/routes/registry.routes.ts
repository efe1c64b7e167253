// Groups and members: lists with accent-blind search, the forms to form and edit a group and to register and edit a
// member, and the CSV import with its row errors. Each calls the registry service the API calls.
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { ethnicities } from '../../domain/ethnicities.js';
import { assignableOfficers, staffNames } from '../../modules/auth/auth.service.js';
import { listLoans } from '../../modules/loans/loan.service.js';
import { importGroups, importMembers } from '../../modules/registry/import.service.js';
import {
  createGroupBody,
  createMemberBody,
  type GroupReply,
  type MemberDetailReply,
  updateGroupBody,
  updateMemberBody,
} from '../../modules/registry/registry.commands.js';
import * as registry from '../../modules/registry/registry.service.js';
import { memberSavings } from '../../modules/savings/savings.service.js';
import type { Role } from '../../modules/shared/access.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { DomainError } from '../../modules/shared/domain-error.js';
import { communeChoices, enumChoices, ethnicityChoices, villageChoices } from '../choices.js';
import { afterSentBefore, attemptAsync, type FormErrors, type FormFields, formErrorsOf, optional, parseWith, postedForm, submissionKeyOf, value, wholeNumber } from '../forms.js';
import { knownReasonVi } from '../i18n/index.js';
import { sameToken } from '../session.js';
import { type Html, html } from '../html.js';
import { FormExpired, type SignedInPage, sendPage, seeOther, signedIn } from '../page.js';
import { csrfField, date, dateField, errorSummary, facts, inputField, money, notice, pager, scrollTable, selectField, submissionKeyField } from '../views/components.js';
import { layout } from '../views/layout.js';
import type { Write } from '../writes.js';

const sexes = createMemberBody.shape.sex.options;
const povertyStatuses = createMemberBody.shape.povertyStatus.options;
const readers: Role[] = ['admin', 'officer', 'auditor', 'leader'];
const writers: Role[] = ['admin', 'officer'];

const doneMessages = (page: SignedInPage, done: string | undefined): string | null =>
  ({ created: page.t.groups.created, updated: page.t.groups.updated, memberCreated: page.t.members.created, memberUpdated: page.t.members.updated })[done ?? ''] ?? null;

/** A searchable list (groups, members): the way to add one, the accent-blind search, the table, the next page. */
function listPage(
  page: SignedInPage,
  view: { title: string; path: string; newLabel: string; searchLabel: string; query: { q?: string; cursor?: string; groupId?: string }; empty: boolean; table: Html; nextCursor: string | null },
): Html {
  const { q, cursor, groupId } = view.query;
  return layout(
    page,
    view.title,
    html`${writers.includes(page.actor.role) ? html`<p><a class="button primary" href="${view.path}/new">${view.newLabel}</a></p>` : ''}
<form method="get" action="${view.path}" class="inline-form" role="search">
${groupId ? html`<input type="hidden" name="groupId" value="${groupId}">` : ''}
${inputField(page, { name: 'q', label: view.searchLabel, value: q, type: 'search', hint: page.t.common.searchHint })}
<button type="submit">${page.t.common.search}</button>
</form>
${view.empty ? html`<p>${page.t.common.noneFound}</p>` : scrollTable(view.title, view.table)}
${pager(page, view.path, { q, groupId, cursor }, view.nextCursor)}`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Groups

/** A group's fields under their labels on its form, for the errors beside and above them. */
function groupLabels(page: SignedInPage): Record<string, string> {
  const t = page.t.groups;
  return { code: t.code, name: t.name, areaId: t.village, formedOn: t.formedOn, meetingDay: t.meetingDay, officerId: t.officer, leaderMemberId: t.leader };
}

/** A member's fields under their labels on her form. */
function memberLabels(page: SignedInPage): Record<string, string> {
  const t = page.t.members;
  return {
    fullName: t.fullName,
    sex: t.sex,
    dateOfBirth: t.dateOfBirth,
    nationalId: t.nationalId,
    phone: t.phone,
    ethnicity: t.ethnicity,
    povertyStatus: t.povertyStatus,
    povertyStatusOn: t.povertyStatusOn,
    groupId: t.group,
    joinedOn: t.joinedOn,
  };
}

function groupForm(
  page: SignedInPage,
  options: { group: GroupReply | null; fields: FormFields | null; errors: FormErrors | null; villages: { value: string; label: string }[]; communes: { value: string; label: string }[] | null; communeId?: string; officers: { id: string; fullName: string }[]; members: { id: string; fullName: string }[] },
): Html {
  const t = page.t.groups;
  const { group, fields, errors } = options;
  const typed = (name: string, current: string | number | null | undefined) => (fields ? value(fields, name) : current === null || current === undefined ? '' : String(current));
  const editing = group !== null;
  const labels = groupLabels(page);
  return layout(
    page,
    editing ? t.edit : t.new,
    html`${errorSummary(page, errors, labels)}
${
  !editing && options.communes
    ? html`<form method="get" action="/app/groups/new" class="inline-form">${selectField(page, { name: 'communeId', label: page.t.levels.commune, choices: options.communes, value: options.communeId, empty: '—' })}<button type="submit">${page.t.common.show}</button></form>`
    : ''
}
<form method="post" action="${editing ? `/app/groups/${group.id}` : '/app/groups'}" class="narrow">
${csrfField(page)}
${editing ? '' : submissionKeyField(fields)}
${options.communeId ? html`<input type="hidden" name="communeId" value="${options.communeId}">` : ''}
${editing ? html`<p><strong>${t.code}:</strong> ${group.code}</p>` : inputField(page, { name: 'code', label: t.code, value: typed('code', ''), errors, required: true, maxlength: 32 })}
${inputField(page, { name: 'name', label: t.name, value: typed('name', group?.name), errors, required: true, maxlength: 200 })}
${editing ? '' : selectField(page, { name: 'areaId', label: t.village, choices: options.villages, value: typed('areaId', ''), errors, required: true, empty: '—' })}
${editing ? '' : dateField(page, { name: 'formedOn', label: t.formedOn, value: typed('formedOn', page.today), errors, required: true })}
${inputField(page, { name: 'meetingDay', label: t.meetingDay, value: typed('meetingDay', group?.meetingDay), errors, inputmode: 'numeric', hint: t.meetingDayHint })}
${selectField(page, {
  name: 'officerId',
  label: t.officer,
  choices: options.officers.map((officer) => ({ value: officer.id, label: officer.fullName })),
  value: typed('officerId', group ? group.officerId : page.actor.role === 'officer' ? page.actor.userId : ''),
  errors,
  empty: t.noOfficer,
})}
${editing ? selectField(page, { name: 'leaderMemberId', label: t.leader, choices: options.members.map((member) => ({ value: member.id, label: member.fullName })), value: typed('leaderMemberId', group.leaderMemberId), errors, empty: t.noOfficer }) : ''}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="${editing ? `/app/groups/${group.id}` : '/app/groups'}">${page.t.common.cancel}</a></div>
</form>`,
  );
}

// ---------------------------------------------------------------------------------------------------------------
// Members

function memberForm(page: SignedInPage, options: { member: MemberDetailReply | null; fields: FormFields | null; errors: FormErrors | null; groups: { value: string; label: string }[]; groupId?: string }): Html {
  const t = page.t.members;
  const { member, fields, errors } = options;
  const typed = (name: string, current: string | null | undefined) => (fields ? value(fields, name) : (current ?? ''));
  const editing = member !== null;
  const labels = memberLabels(page);
  return layout(
    page,
    editing ? t.edit : t.new,
    html`${errorSummary(page, errors, labels)}
<form method="post" action="${editing ? `/app/members/${member.id}` : '/app/members'}" class="narrow">
${csrfField(page)}
${editing ? '' : submissionKeyField(fields)}
${inputField(page, { name: 'fullName', label: t.fullName, value: typed('fullName', member?.fullName), errors, required: true, maxlength: 200, autocomplete: 'off' })}
${selectField(page, { name: 'sex', label: t.sex, choices: enumChoices(sexes, page.t.sexes), value: typed('sex', member?.sex ?? 'female'), errors, required: true })}
${dateField(page, { name: 'dateOfBirth', label: t.dateOfBirth, value: typed('dateOfBirth', member?.dateOfBirth), errors, required: true })}
${inputField(page, { name: 'nationalId', label: t.nationalId, value: typed('nationalId', member?.nationalId), errors, required: true, inputmode: 'numeric', hint: t.nationalIdHint, maxlength: 12, autocomplete: 'off' })}
${inputField(page, { name: 'phone', label: t.phone, value: typed('phone', member?.phone), errors, type: 'tel', inputmode: 'tel', autocomplete: 'off' })}
${selectField(page, { name: 'ethnicity', label: t.ethnicity, choices: ethnicityChoices(), value: typed('ethnicity', member?.ethnicity ?? '01'), errors, required: true })}
${selectField(page, { name: 'povertyStatus', label: t.povertyStatus, choices: enumChoices(povertyStatuses, page.t.poverty), value: typed('povertyStatus', member?.povertyStatus ?? 'poor'), errors, required: true })}
${editing ? dateField(page, { name: 'povertyStatusOn', label: t.povertyStatusOn, value: typed('povertyStatusOn', ''), errors }) : ''}
${editing ? '' : selectField(page, { name: 'groupId', label: t.group, choices: options.groups, value: typed('groupId', options.groupId), errors, required: true, empty: '—' })}
${editing ? '' : dateField(page, { name: 'joinedOn', label: t.joinedOn, value: typed('joinedOn', page.today), errors, required: true })}
<div class="actions"><button type="submit" class="primary">${page.t.common.save}</button><a href="${editing ? `/app/members/${member.id}` : '/app/members'}">${page.t.common.cancel}</a></div>
</form>`,
  );
}

/** The groups a member can be registered in: those the actor reaches (a few hundred at most for an officer). */
function groupChoices(context: ServiceContext, page: SignedInPage) {
  const choices: { value: string; label: string }[] = [];
  let cursor: string | undefined;
  do {
    const found = registry.listGroups(context, page.actor, { status: 'active', limit: 200, cursor });
    choices.push(...found.items.map((group) => ({ value: group.id, label: `${group.code} · ${group.name}` })));
    cursor = found.nextCursor ?? undefined;
  } while (cursor && choices.length < 2000);
  return choices;
}

function memberInputOf(fields: FormFields) {
  return {
    fullName: value(fields, 'fullName'),
    sex: value(fields, 'sex'),
    dateOfBirth: value(fields, 'dateOfBirth'),
    nationalId: value(fields, 'nationalId').trim(),
    phone: optional(fields, 'phone'),
    ethnicity: value(fields, 'ethnicity'),
    povertyStatus: value(fields, 'povertyStatus'),
  };
}

/**
 * A bad row's reason as the service gives it ("dateOfBirth: must be a real date ..."), in the page's language: in
 * Vietnamese the column under its label on the forms and the reason in words the table knows, else the service's own,
 * so that no row loses what is wrong with it or where.
 */
function importRowText(page: SignedInPage, message: string): string {
  if (page.lang === 'en') return message;
  const split = /^([A-Za-z]+): (.*)$/s.exec(message);
  if (!split) return knownReasonVi(message) ?? message;
  const [, column = '', reason = ''] = split;
  // The file's columns are the forms' fields, but for the codes it names a group and a village by.
  const labels: Record<string, string> = { ...groupLabels(page), ...memberLabels(page), groupCode: page.t.groups.code, areaCode: page.t.groups.village };
  return `${labels[column] ?? column}: ${knownReasonVi(reason) ?? reason}`;
}

export function registryRoutes(context: ServiceContext, write: Write): FastifyPluginAsync {
  return async (app) => {
    // ---- groups
    app.get('/groups', async (request, reply) => {
      const page = signedIn(request, readers);
      const query = request.query as { q?: string; cursor?: string };
      const found = registry.listGroups(context, page.actor, { q: query.q || undefined, cursor: query.cursor || undefined, limit: 50 });
      const t = page.t.groups;
      const table = html`<table><thead><tr><th scope="col">${t.code}</th><th scope="col">${t.name}</th><th scope="col" class="num">${t.activeMembers}</th><th scope="col">${t.meetingDay}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${found.items.map(
        (group) =>
          html`<tr><td><a href="/app/groups/${group.id}">${group.code}</a></td><td>${group.name}</td><td class="num">${group.activeMembers}</td><td>${group.meetingDay ?? ''}</td><td>${page.t.groupStatus[group.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        listPage(page, { title: t.title, path: '/app/groups', newLabel: t.new, searchLabel: t.searchLabel, query, empty: found.items.length === 0, table, nextCursor: found.nextCursor }),
      );
    });

    const renderGroupForm = (request: FastifyRequest, reply: FastifyReply, group: GroupReply | null, fields: FormFields | null, errors: FormErrors | null) => {
      const page = signedIn(request, writers);
      const communeId = (request.query as { communeId?: string }).communeId || (fields ? optional(fields, 'communeId') : undefined);
      const unscoped = page.actor.role !== 'officer';
      const members = group ? registry.listMembers(context, page.actor, { groupId: group.id, status: 'active', limit: 200 }).items : [];
      return sendPage(
        reply,
        groupForm(page, {
          group,
          fields,
          errors,
          villages: villageChoices(context, page, communeId),
          communes: unscoped ? communeChoices(context) : null,
          communeId,
          officers: assignableOfficers(context, page.actor),
          members,
        }),
        errors?.status ?? 200,
      );
    };

    app.get('/groups/new', async (request, reply) => renderGroupForm(request, reply, null, null, null));

    app.post('/groups', async (request, reply) => {
      const page = signedIn(request, writers);
      const fields = postedForm(request, page);
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /groups', null, () => registry.createGroup(
          context,
          page.actor,
          parseWith(createGroupBody, {
            code: value(fields, 'code'),
            name: value(fields, 'name'),
            areaId: value(fields, 'areaId'),
            formedOn: value(fields, 'formedOn'),
            meetingDay: wholeNumber(optional(fields, 'meetingDay')),
            officerId: optional(fields, 'officerId'),
          }),
          submissionKeyOf(fields, 'POST /v1/groups'),
        )),
      );
      if (result.ok) return seeOther(reply, `/app/groups/${result.value.id}?done=created`);
      const again = afterSentBefore(page, fields, result.errors);
      return renderGroupForm(request, reply, null, again.fields, again.errors);
    });

    app.get('/groups/:id', async (request, reply) => {
      const page = signedIn(request, readers);
      const { id } = request.params as { id: string };
      const { done } = request.query as { done?: string };
      const group = registry.getGroup(context, page.actor, id);
      const area = registry.getArea(context, group.areaId);
      const members = registry.listMembers(context, page.actor, { groupId: id, limit: 200 }).items;
      const officers = staffNames(context, group.officerId ? [group.officerId] : []);
      const t = page.t.groups;
      const leader = members.find((member) => member.id === group.leaderMemberId);
      const table = html`<table><thead><tr><th scope="col">${page.t.members.fullName}</th><th scope="col">${page.t.members.phone}</th><th scope="col">${page.t.members.joinedOn}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${members.map(
        (member) =>
          html`<tr><td><a href="/app/members/${member.id}">${member.fullName}</a></td><td>${member.phone ?? ''}</td><td>${date(member.joinedOn)}</td><td>${page.t.memberStatus[member.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        layout(
          page,
          `${group.code} · ${group.name}`,
          html`${notice(doneMessages(page, done))}
${facts([
  [t.village, `${area.name} (${area.code})`],
  [t.formedOn, date(group.formedOn)],
  [t.meetingDay, group.meetingDay],
  [t.officer, group.officerId ? (officers.get(group.officerId) ?? '') : ''],
  [t.leader, leader?.fullName],
  [t.activeMembers, group.activeMembers],
  [page.t.common.status, page.t.groupStatus[group.status]],
])}
<div class="actions">
${page.actor.role !== 'auditor' ? html`<a class="button primary" href="/app/groups/${group.id}/meeting">${t.openMeeting}</a>` : ''}
${writers.includes(page.actor.role) ? html`<a class="button" href="/app/members/new?groupId=${group.id}">${t.addMember}</a><a class="button" href="/app/groups/${group.id}/edit">${page.t.common.edit}</a>` : ''}
</div>
<h2>${t.members}</h2>
${scrollTable(t.members, table)}`,
        ),
      );
    });

    app.get('/groups/:id/edit', async (request, reply) => {
      const page = signedIn(request, writers);
      const group = registry.getGroup(context, page.actor, (request.params as { id: string }).id);
      return renderGroupForm(request, reply, group, null, null);
    });

    app.post('/groups/:id', async (request, reply) => {
      const page = signedIn(request, writers);
      const fields = postedForm(request, page);
      const group = registry.getGroup(context, page.actor, (request.params as { id: string }).id);
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'PATCH /groups/:id', group.id, () => registry.updateGroup(
          context,
          page.actor,
          group.id,
          parseWith(updateGroupBody, {
            name: value(fields, 'name'),
            meetingDay: optional(fields, 'meetingDay') === undefined ? null : wholeNumber(optional(fields, 'meetingDay')),
            officerId: optional(fields, 'officerId') ?? null,
            leaderMemberId: optional(fields, 'leaderMemberId') ?? null,
          }),
        )),
      );
      if (result.ok) return seeOther(reply, `/app/groups/${group.id}?done=updated`);
      return renderGroupForm(request, reply, group, fields, result.errors);
    });

    // ---- members
    app.get('/members', async (request, reply) => {
      const page = signedIn(request, readers);
      const query = request.query as { q?: string; cursor?: string; groupId?: string };
      const found = registry.listMembers(context, page.actor, { q: query.q || undefined, groupId: query.groupId || undefined, cursor: query.cursor || undefined, limit: 50 });
      const { groupCodes } = registry.namesOf(context, page.actor, { groupIds: found.items.map((member) => member.groupId) });
      const t = page.t.members;
      const table = html`<table><thead><tr><th scope="col">${t.fullName}</th><th scope="col">${t.group}</th><th scope="col">${t.nationalId}</th><th scope="col">${t.phone}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${found.items.map(
        (member) =>
          html`<tr><td><a href="/app/members/${member.id}">${member.fullName}</a></td><td><a href="/app/groups/${member.groupId}">${groupCodes.get(member.groupId)}</a></td><td>${member.nationalId}</td><td>${member.phone ?? ''}</td><td>${page.t.memberStatus[member.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        listPage(page, { title: t.title, path: '/app/members', newLabel: t.new, searchLabel: t.searchLabel, query, empty: found.items.length === 0, table, nextCursor: found.nextCursor }),
      );
    });

    app.get('/members/new', async (request, reply) => {
      const page = signedIn(request, writers);
      const { groupId } = request.query as { groupId?: string };
      return sendPage(reply, memberForm(page, { member: null, fields: null, errors: null, groups: groupChoices(context, page), groupId }));
    });

    app.post('/members', async (request, reply) => {
      const page = signedIn(request, writers);
      const fields = postedForm(request, page);
      const result = await attemptAsync(page.lang, () =>
        write(request, page.actor, 'POST /members', null, () =>
          registry.createMember(
            context,
            page.actor,
            parseWith(createMemberBody, { ...memberInputOf(fields), groupId: value(fields, 'groupId'), joinedOn: value(fields, 'joinedOn') }),
            submissionKeyOf(fields, 'POST /v1/members'),
          ),
        ),
      );
      if (result.ok) return seeOther(reply, `/app/members/${result.value.id}?done=memberCreated`);
      const again = afterSentBefore(page, fields, result.errors);
      return sendPage(reply, memberForm(page, { member: null, fields: again.fields, errors: again.errors, groups: groupChoices(context, page) }), result.errors.status);
    });

    app.get('/members/:id', async (request, reply) => {
      const page = signedIn(request, readers);
      const { id } = request.params as { id: string };
      const { done } = request.query as { done?: string };
      const member = registry.getMember(context, page.actor, id);
      const group = registry.getGroup(context, page.actor, member.groupId);
      const savings = memberSavings(context, page.actor, id);
      const loans = listLoans(context, page.actor, { memberId: id, limit: 50 }).items;
      const t = page.t.members;
      const ethnicity = ethnicities.find((each) => each.code === member.ethnicity)?.name ?? member.ethnicity;
      const loansTable = html`<table><thead><tr><th scope="col">${page.t.loans.principal}</th><th scope="col">${page.t.loans.installments}</th><th scope="col">${page.t.loans.appliedOn}</th><th scope="col">${page.t.loans.disbursedOn}</th><th scope="col">${page.t.common.status}</th></tr></thead>
<tbody>${loans.map(
        (loan) =>
          html`<tr><td><a href="/app/loans/${loan.id}">${money(page, loan.principal, loan.currency)}</a></td><td>${loan.installments}</td><td>${date(loan.appliedOn)}</td><td>${date(loan.disbursedOn)}</td><td>${page.t.loanStatus[loan.status]}</td></tr>`,
      )}</tbody></table>`;
      return sendPage(
        reply,
        layout(
          page,
          member.fullName,
          html`${notice(doneMessages(page, done))}
${facts([
  [t.group, html`<a href="/app/groups/${group.id}">${group.code} · ${group.name}</a>`],
  [t.sex, page.t.sexes[member.sex]],
  [t.dateOfBirth, date(member.dateOfBirth)],
  [t.nationalId, member.nationalId],
  [t.phone, member.phone],
  [t.ethnicity, ethnicity],
  [t.povertyStatus, page.t.poverty[member.povertyStatus]],
  [t.joinedOn, date(member.joinedOn)],
  [page.t.common.status, page.t.memberStatus[member.status]],
])}
${
  writers.includes(page.actor.role)
    ? html`<div class="actions">${member.status === 'active' ? html`<a class="button primary" href="/app/loans/new?memberId=${member.id}">${t.apply}</a>` : ''}<a class="button" href="/app/members/${member.id}/edit">${page.t.common.edit}</a></div>`
    : ''
}
<h2>${t.savings}</h2>
${facts([
  [t.compulsory, money(page, savings.balances.compulsory)],
  [t.voluntary, money(page, savings.balances.voluntary)],
])}
<h2>${t.loans}</h2>
${loans.length === 0 ? html`<p>${page.t.common.none}</p>` : scrollTable(t.loans, loansTable)}
<h2>${t.memberships}</h2>
<ul class="plain">${member.memberships.map((membership) => html`<li>${date(membership.joinedOn)} – ${membership.leftOn ? date(membership.leftOn) : ''}</li>`)}</ul>`,
        ),
      );
    });

    app.get('/members/:id/edit', async (request, reply) => {
      const page = signedIn(request, writers);
      const member = registry.getMember(context, page.actor, (request.params as { id: string }).id);
      return sendPage(reply, memberForm(page, { member, fields: null, errors: null, groups: [] }));
    });

    app.post('/members/:id', async (request, reply) => {
      const page = signedIn(request, writers);
      const fields = postedForm(request, page);
      const member = registry.getMember(context, page.actor, (request.params as { id: string }).id);
      // Only what changed is sent: an unchanged household status must not add a line to her history.
      const typed: Record<string, string | undefined> = memberInputOf(fields);
      const current = member as unknown as Record<string, string | null>;
      const changes: Record<string, string | null | undefined> = Object.fromEntries(Object.entries(typed).filter(([name, text]) => (text ?? null) !== (current[name] ?? null)));
      // An emptied phone field removes the number.
      if ('phone' in changes && changes.phone === undefined) changes.phone = null;
      if (changes.povertyStatus !== undefined && optional(fields, 'povertyStatusOn')) changes.povertyStatusOn = optional(fields, 'povertyStatusOn');
      if (Object.keys(changes).length === 0) return seeOther(reply, `/app/members/${member.id}`);
      const result = await attemptAsync(page.lang, () => write(request, page.actor, 'PATCH /members/:id', member.id, () => registry.updateMember(context, page.actor, member.id, parseWith(updateMemberBody, changes))));
      if (result.ok) return seeOther(reply, `/app/members/${member.id}?done=memberUpdated`);
      return sendPage(reply, memberForm(page, { member, fields, errors: result.errors, groups: [] }), result.errors.status);
    });

    // ---- CSV import
    const importPage = (page: SignedInPage, options: { kind: string; errors: FormErrors | null; rows: { path: string; message: string }[]; imported: number | null }) => {
      const t = page.t.imports;
      return layout(
        page,
        t.title,
        html`<p>${t.intro}</p>
${options.imported !== null ? notice(t.imported(options.imported)) : ''}
${errorSummary(page, options.errors, { file: t.file, kind: t.kind })}
${
  options.rows.length > 0
    ? html`<h2>${t.rowErrors}</h2>${scrollTable(
        t.rowErrors,
        html`<table><thead><tr><th scope="col">${t.line}</th><th scope="col">${t.problem}</th></tr></thead><tbody>${options.rows.map((row) => html`<tr><td>${row.path}</td><td>${row.message}</td></tr>`)}</tbody></table>`,
      )}`
    : ''
}
<form method="post" action="/app/imports" enctype="multipart/form-data" class="narrow">
${csrfField(page)}
${selectField(page, { name: 'kind', label: t.kind, choices: [{ value: 'members', label: t.kindMembers }, { value: 'groups', label: t.kindGroups }], value: options.kind, required: true })}
${inputField(page, { name: 'file', label: t.file, type: 'file', accept: '.csv,text/csv', required: true, errors: options.errors })}
<button type="submit" class="primary">${t.submit}</button>
</form>`,
      );
    };

    app.get('/imports', async (request, reply) => {
      const page = signedIn(request, writers);
      return sendPage(reply, importPage(page, { kind: 'members', errors: null, rows: [], imported: null }));
    });

    app.post('/imports', async (request, reply) => {
      const page = signedIn(request, writers);
      let kind = 'members';
      let token = '';
      let text: string | null = null;
      for await (const part of request.parts()) {
        if (part.type === 'field' && part.fieldname === '_csrf') token = String(part.value);
        if (part.type === 'field' && part.fieldname === 'kind') kind = String(part.value) === 'groups' ? 'groups' : 'members';
        if (part.type === 'file' && part.fieldname === 'file') {
          const content = await part.toBuffer();
          if (content.length > 0) text = content.toString('utf8');
        }
      }
      if (!sameToken(page.csrf, token)) throw new FormExpired();
      if (text === null) {
        return sendPage(reply, importPage(page, { kind, errors: { summary: page.t.imports.noFile, fields: { file: page.t.imports.noFile }, status: 400 }, rows: [], imported: null }), 400);
      }
      const csv = text;
      try {
        const imported = await (kind === 'groups' ? importGroups : importMembers)(context, page.actor, csv, (chunk) => write(request, page.actor, `POST /imports/${kind}`, null, chunk));
        return sendPage(reply, importPage(page, { kind, errors: null, rows: [], imported: imported.imported }));
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        // Every bad row, as the service lists it: its line in the file and the reason, in the page's language.
        const refusal = formErrorsOf(page.lang, error);
        const rows = error.details.map((detail) => ({
          path: detail.path.replace(/^line (\d+)$/, `${page.t.imports.line} $1`),
          message: importRowText(page, detail.message),
        }));
        return sendPage(reply, importPage(page, { kind, errors: { ...refusal, fields: {} }, rows, imported: null }), refusal.status);
      }
    });
  };
}
