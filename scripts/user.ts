// npm run user -- create --username lan --role officer --full-name "Trần Thị Lan" --area HB-TL [--password ...]
// npm run user -- list
// npm run user -- password --username lan [--password ...]      a new password; her sign-ins end
// npm run user -- disable|enable --username lan
// Manages users from the fund's own machine, as the admin would through /v1/users: the way back in for an admin who
// forgot her password, or when no admin is left to sign in.
import { parseArgs } from 'node:util';
import { createUserBody, setPasswordBody } from '../src/modules/auth/auth.commands.js';
import { createUser, listUsers, setUserPassword, updateUser } from '../src/modules/auth/auth.service.js';
import { findUserByUsername } from '../src/modules/auth/auth.repo.js';
import { generatePassword } from '../src/modules/auth/password.js';
import { findAreaByCode, findGroupByCode } from '../src/modules/registry/registry.repo.js';
import { systemActor } from '../src/modules/shared/access.js';
import { DomainError } from '../src/modules/shared/domain-error.js';
import { fail, openOperator } from './operator.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    username: { type: 'string' },
    role: { type: 'string' },
    'full-name': { type: 'string' },
    password: { type: 'string' },
    area: { type: 'string', multiple: true },
    group: { type: 'string' },
  },
});

const { database, context } = openOperator();
try {
  if (positionals[0] === 'list') {
    for (const user of listUsers(context, systemActor(), { limit: 200 }).items) console.log(`${user.username}\t${user.role}\t${user.status}\t${user.fullName}`);
  } else if (positionals[0] === 'create') {
    const areaIds = (values.area ?? []).map((code) => findAreaByCode(database.db, code)?.id ?? fail(`No area has the code ${code}.`));
    const groupId = values.group === undefined ? undefined : (findGroupByCode(database.db, values.group)?.id ?? fail(`No group has the code ${values.group}.`));
    const password = values.password ?? generatePassword();
    const input = createUserBody.safeParse({
      username: values.username,
      password,
      fullName: values['full-name'],
      role: values.role,
      ...(areaIds.length > 0 ? { areaIds } : {}),
      ...(groupId ? { groupId } : {}),
    });
    if (!input.success) fail(input.error.issues.map((issue) => `--${String(issue.path[0] ?? '').replace('fullName', 'full-name')}: ${issue.message}`).join('\n'));
    const user = createUser(context, systemActor(), input.data);
    console.log(`Created ${user.role} ${user.username}${values.password ? '' : ` with the password ${password} (shown only this once)`}.`);
  } else if (positionals[0] === 'password' || positionals[0] === 'disable' || positionals[0] === 'enable') {
    const user = findUserByUsername(database.db, values.username ?? '') ?? fail(`No user has the username ${values.username ?? '(none given)'}.`);
    if (positionals[0] === 'password') {
      const password = values.password ?? generatePassword();
      const checked = setPasswordBody.safeParse({ password });
      if (!checked.success) fail(checked.error.issues.map((issue) => `--password: ${issue.message}`).join('\n'));
      setUserPassword(context, systemActor(), user.id, checked.data.password);
      console.log(`Set a new password for ${user.username}${values.password ? '' : `: ${password} (shown only this once)`}; her sign-ins have ended.`);
    } else {
      updateUser(context, systemActor(), user.id, { status: positionals[0] === 'disable' ? 'disabled' : 'active' });
      console.log(`${user.username} is ${positionals[0] === 'disable' ? 'disabled, and her sign-ins have ended' : 'active again'}.`);
    }
  } else {
    fail('Usage: npm run user -- create --username NAME --role admin|officer|leader|auditor --full-name "NAME" [--area CODE ...] [--group CODE] [--password PASSWORD]\n       npm run user -- list\n       npm run user -- password --username NAME [--password PASSWORD]\n       npm run user -- disable|enable --username NAME');
  }
} catch (error) {
  if (error instanceof DomainError) fail(`${error.message}${error.details.map((detail) => `\n  ${detail.path}: ${detail.message}`).join('')}`);
  throw error;
} finally {
  database.close();
}
