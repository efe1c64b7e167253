// Sign-in, tokens and their end: expiry, sign-out, lockout after repeated failures.
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { adminPassword, as, buildTestApp, login, type TestApp } from '../helper.js';
import { ensureAdminUser } from '../../src/modules/auth/auth.service.js';

let test: TestApp;
beforeEach(async () => {
  test = await buildTestApp({ TOKEN_TTL_MINUTES: '60', LOGIN_MAX_FAILURES: '3', LOGIN_LOCKOUT_MINUTES: '10' });
});
afterEach(async () => {
  await test.close();
});

const signIn = (password: string, username = 'admin') => test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password } });

describe('sign-in', () => {
  it('answers a token and the user, and the token works until it expires', async () => {
    const reply = await signIn(adminPassword);
    expect(reply.statusCode).toBe(200);
    const body = reply.json();
    expect(body.user).toMatchObject({ username: 'admin', role: 'admin' });
    expect(body.expiresAt).toBe('2026-11-23T04:00:00.000Z');
    const admin = as(test.app, body.token);
    expect((await admin('GET', '/v1/auth/me')).statusCode).toBe(200);
    test.clock.advanceMinutes(61);
    const expired = await admin('GET', '/v1/auth/me');
    expect([expired.statusCode, expired.json().error.code]).toEqual([401, 'token_expired']);
  });

  it('stores only a hash of the token and of the password', async () => {
    const token = await login(test.app, 'admin', adminPassword);
    const stored = JSON.stringify(test.database.sqlite.prepare('SELECT * FROM sessions').all()) + JSON.stringify(test.database.sqlite.prepare('SELECT * FROM users').all());
    expect(stored).not.toContain(token);
    expect(stored).not.toContain(adminPassword);
    expect(stored).toContain('scrypt$');
  });

  it('revokes the token on sign-out', async () => {
    const admin = as(test.app, await login(test.app, 'admin', adminPassword));
    expect((await admin('POST', '/v1/auth/logout')).statusCode).toBe(204);
    const after = await admin('GET', '/v1/groups');
    expect([after.statusCode, after.json().error.code]).toEqual([401, 'unauthenticated']);
  });

  it('refuses a wrong password and an unknown user alike', async () => {
    const wrong = await signIn('not-the-password');
    const unknown = await signIn('whatever', 'nobody');
    expect([wrong.statusCode, wrong.json().error.code]).toEqual([401, 'invalid_credentials']);
    expect(unknown.json()).toEqual(wrong.json());
  });

  it('locks a username after repeated failures, even for the right password, until the window passes', async () => {
    for (let attempt = 0; attempt < 3; attempt += 1) expect((await signIn('wrong')).statusCode).toBe(401);
    const locked = await signIn(adminPassword);
    expect([locked.statusCode, locked.json().error.code]).toEqual([429, 'too_many_login_attempts']);
    expect(locked.json().error.message).toMatch(/Try again in 10 minutes/);
    test.clock.advanceMinutes(11);
    expect((await signIn(adminPassword)).statusCode).toBe(200);
  });

  it('creates the first admin once, with a generated password when none is configured', () => {
    expect(ensureAdminUser(test.context, undefined)).toEqual({ created: false, generatedPassword: null });
    test.database.sqlite.exec('DELETE FROM sessions; DELETE FROM users;');
    const made = ensureAdminUser(test.context, undefined);
    expect(made.created).toBe(true);
    expect(made.generatedPassword).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });
});

describe('the service around the routes', () => {
  it('says it is healthy with its schema version, and carries a request id', async () => {
    const health = await test.app.inject({ method: 'GET', url: '/health' });
    const journal = JSON.parse(readFileSync(new URL('../../db/migrations/meta/_journal.json', import.meta.url), 'utf8')) as { entries: { tag: string }[] };
    expect(health.json()).toEqual({ status: 'ok', schemaVersion: journal.entries[journal.entries.length - 1]?.tag });
    expect(health.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const echoed = await test.app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'meeting-42' } });
    expect(echoed.headers['x-request-id']).toBe('meeting-42');
  });

  it('publishes OpenAPI 3 with every route, its error codes, and interactive docs', async () => {
    const document = (await test.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(document.openapi).toMatch(/^3\./);
    for (const path of ['/v1/auth/login', '/v1/users', '/v1/areas', '/v1/groups', '/v1/groups/{id}', '/v1/groups/{id}/dissolve', '/v1/members', '/v1/members/{id}/move', '/v1/imports/members', '/v1/reference/ethnicities']) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    const createMember = document.paths['/v1/members'].post;
    expect(createMember.requestBody.content['application/json'].schema).toBeDefined();
    expect(createMember.responses['409'].description).toContain('duplicate_national_id');
    expect(createMember.responses['403'].description).toContain('scope_forbidden');
    const docs = await test.app.inject({ method: 'GET', url: '/docs/' });
    expect(docs.statusCode).toBe(200);
    expect(docs.body).toContain('swagger');
  });

  it('serves the 54 ethnic groups', async () => {
    const admin = as(test.app, await login(test.app, 'admin', adminPassword));
    const list = (await admin('GET', '/v1/reference/ethnicities')).json();
    expect(list).toHaveLength(54);
    expect(list[0]).toEqual({ code: '01', name: 'Kinh' });
    expect(list.find((item: { code: string }) => item.code === '08').name).toBe('Hmông');
  });
});
