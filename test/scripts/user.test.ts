// npm run user on the fund's own machine: each change lands in the audit trail as the operator's, bad arguments are
// refused with the usage, and the last active admin stays.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const folder = mkdtempSync(join(tmpdir(), 'fund-user-'));
const file = join(folder, 'fund.db');
afterAll(() => rmSync(folder, { recursive: true, force: true }));

const user = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'scripts/user.ts', ...args], { encoding: 'utf8', env: { ...process.env, DATABASE_PATH: file, FUND_ADMIN_PASSWORD: 'admin-pass-123', LOG_LEVEL: 'silent' } });

describe('npm run user', () => {
  it('creates, sets a password, disables and enables, each recorded as the operator’s', () => {
    expect(user('create', '--username', 'kiem', '--role', 'auditor', '--full-name', 'Phạm Kiểm', '--password', 'kiem-pass-1').status).toBe(0);
    const reset = user('password', '--username', 'kiem');
    expect(reset.stdout).toMatch(/Set a new password for kiem: \S{16} \(shown only this once\)/);
    expect(user('disable', '--username', 'kiem').status).toBe(0);
    expect(user('enable', '--username', 'kiem').status).toBe(0);
    const lastAdmin = user('disable', '--username', 'admin');
    expect([lastAdmin.status, lastAdmin.stderr]).toEqual([1, expect.stringContaining('only active admin')]);
    for (const wrong of [['disable', '--username'], ['disable', '--username', 'kiem', '--username', 'admin'], ['rename', '--username', 'kiem'], ['password', '--username', 'kiem', '--password', 'short']]) {
      const refused = user(...wrong);
      expect(refused.status, wrong.join(' ')).toBe(1);
      expect(refused.stderr, wrong.join(' ')).not.toMatch(/at .*\.ts:\d+/);
    }
    const database = new Database(file, { readonly: true });
    const trail = database.prepare("SELECT username, action, outcome, after FROM audit_log WHERE entity = 'users' ORDER BY rowid").all() as { username: string; action: string; outcome: string; after: string }[];
    const status = database.prepare("SELECT status FROM users WHERE username = 'kiem'").pluck().get();
    database.close();
    expect(trail.map((row) => [row.username, row.action, row.outcome])).toEqual([
      ['operator (npm run user)', 'POST /users', 'done'],
      ['operator (npm run user)', 'POST /users/:id/password', 'done'],
      ['operator (npm run user)', 'PATCH /users/:id', 'done'],
      ['operator (npm run user)', 'PATCH /users/:id', 'done'],
    ]);
    expect(trail.map((row) => JSON.parse(row.after).state.status)).toEqual(['active', 'active', 'disabled', 'active']);
    expect(JSON.stringify(trail)).not.toMatch(/scrypt/);
    expect(status).toBe('active');
  });
});
