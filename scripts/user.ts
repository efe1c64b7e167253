// npm run user -- create --username lan --role officer --full-name "Trần Thị Lan" --area HB-TL [--password ...]
// npm run user -- list
// npm run user -- password --username lan [--password ...]      a new password; her sign-ins end
// npm run user -- disable|enable --username lan
// Manages users from the fund's own machine, as the admin would through /v1/users, each change in the audit trail as
// the operator's: the way back in for an admin who forgot her password, or when no admin is left to sign in.
import { parseArgs } from 'node:util';
import { createUserBody, setPasswordBody } from '../src/modules/auth/auth.commands.js';
import { createUser, listUsers, setUserPassword, updateUser } from '../src/modules/auth/auth.service.js';
import { findUserByUsername } from '../src/modules/auth/auth.repo.js';
import { generatePassword } from '../src/modules/auth/password.js';
import { type AuditScope, audited } from '../src/modules/audit/audit.service.js';
import { findAreaByCode, findGroupByCode } from '../src/modules/registry/registry.repo.js';
import { systemActor } from '../src/modules/shared/access.js';
import { nowTimestamp } from '../src/modules/shared/context.js';
import { DomainError } from '../src/modules/shared/domain-error.js';
import { fail, openOperator } from './operator.js';

const usage =
  'Usage: npm run user -- create --username NAME --role admin|officer|leader|auditor --full-name "NAME" [--area CODE ...] [--group CODE] [--password PASSWORD]\n' +
  '       npm run user -- list\n' +
  '       npm run user -- password --username NAME [--password PASSWORD]\n' +
  '       npm run user -- disable|enable --username NAME';

function parsedArguments() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        username: { type: 'string', multiple: true },
        role: { type: 'string' },
        'full-name': { type: 'string' },
        password: { type: 'string' },
        area: { type: 'string', multiple: true },
        group: { type: 'string' },
      },
    });
  } catch (error) {
    return fail(`${error instanceof Error ? error.message : String(error)}\n${usage}`);
  }
}

const { positionals, values } = parsedArguments();
// Given twice, a username would leave which user was meant to the order of the words: refused rather than guessed.
if ((values.username?.length ?? 0) > 1) fail('Give --username once.');
const username = values.username?.[0];

const { database, context } = openOperator();

/** A change made here, recorded as the operator's on the fund's machine, in the change's own transaction. */
function asOperator<T>(action: string, entityId: string | null, change: () => T): T {
  const scope: AuditScope = { userId: null, username: 'operator (npm run user)', role: 'admin', ip: null, requestId: null, action, entity: 'users', entityId };
  return database.sqlite.transaction(() => audited(database.db, scope, nowTimestamp(context), change))();
}

try {
  if (positionals[0] === 'list') {
    for (const user of listUsers(context, systemActor(), { limit: 200 }).items) console.log(`${user.username}\t${user.role}\t${user.status}\t${user.fullName}`);
  } else if (positionals[0] === 'create') {
    const areaIds = (values.area ?? []).map((code) => findAreaByCode(database.db, code)?.id ?? fail(`No area has the code ${code}.`));
    const groupId = values.group === undefined ? undefined : (findGroupByCode(database.db, values.group)?.id ?? fail(`No group has the code ${values.group}.`));
    const password = values.password ?? generatePassword();
    const input = createUserBody.safeParse({
      username,
      password,
      fullName: values['full-name'],
      role: values.role,
      ...(areaIds.length > 0 ? { areaIds } : {}),
      ...(groupId ? { groupId } : {}),
    });
    if (!input.success) fail(input.error.issues.map((issue) => `--${String(issue.path[0] ?? '').replace('fullName', 'full-name')}: ${issue.message}`).join('\n'));
    const user = asOperator('POST /users', null, () => createUser(context, systemActor(), input.data));
    console.log(`Created ${user.role} ${user.username}${values.password ? '' : ` with the password ${password} (shown only this once)`}.`);
  } else if (positionals[0] === 'password' || positionals[0] === 'disable' || positionals[0] === 'enable') {
    const user = findUserByUsername(database.db, username ?? '') ?? fail(`No user has the username ${username ?? '(none given)'}.`);
    if (positionals[0] === 'password') {
      const password = values.password ?? generatePassword();
      const checked = setPasswordBody.safeParse({ password });
      if (!checked.success) fail(checked.error.issues.map((issue) => `--password: ${issue.message}`).join('\n'));
      asOperator('POST /users/:id/password', user.id, () => setUserPassword(context, systemActor(), user.id, checked.data.password));
      console.log(`Set a new password for ${user.username}${values.password ? '' : `: ${password} (shown only this once)`}; her sign-ins have ended.`);
    } else {
      asOperator('PATCH /users/:id', user.id, () => updateUser(context, systemActor(), user.id, { status: positionals[0] === 'disable' ? 'disabled' : 'active' }));
      console.log(`${user.username} is ${positionals[0] === 'disable' ? 'disabled, and her sign-ins have ended' : 'active again'}.`);
    }
  } else {
    fail(usage);
  }
} catch (error) {
  if (error instanceof DomainError) fail(`${error.message}${error.details.map((detail) => `\n  ${detail.path}: ${detail.message}`).join('')}`);
  throw error;
} finally {
  database.close();
}
