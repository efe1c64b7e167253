// Hostile input: limits on bodies, nesting and pages; security headers; no CORS unless configured; a sign-in rate
// limit per address; SQL, HTML and script payloads stored as text and answered inert; no path outside the API.
import { afterEach, describe, expect, it } from 'vitest';
import { adminPassword, buildTestApp, snapshot, type TestApp } from '../helper.js';
import { buildSmallFund, memberInput } from '../fixtures.js';

let test: TestApp | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

const nested = (depth: number) => `${'['.repeat(depth)}${']'.repeat(depth)}`;

describe('hostile input', () => {
  it('refuses bodies nested too deep, too large, or poisoning prototypes, and changes nothing', async () => {
    test = await buildTestApp();
    const token = (await test.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password: adminPassword } })).json().token as string;
    const asAdmin = (payload: string) => test!.app.inject({ method: 'POST', url: '/v1/areas', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, payload });
    const before = snapshot(test.database);

    const deep = await asAdmin(`{"code":"X","name":"x","level":"province","extra":${nested(5000)}}`);
    expect([deep.statusCode, deep.json().error.code]).toEqual([400, 'json_too_deep']);
    // Brackets inside strings are text, not nesting.
    const poisoned = await asAdmin('{"code":"X","name":"x","level":"province","__proto__":{"role":"admin"}}');
    expect([poisoned.statusCode, poisoned.json().error.code]).toEqual([400, 'malformed_json']);
    const huge = await asAdmin(JSON.stringify({ code: 'X', name: 'x'.repeat(2 * 1024 * 1024), level: 'province' }));
    expect([huge.statusCode, huge.json().error.code]).toEqual([413, 'body_too_large']);
    const bigPage = await test.app.inject({ method: 'GET', url: '/v1/members?limit=100000', headers: { authorization: `Bearer ${token}` } });
    expect([bigPage.statusCode, bigPage.json().error.code]).toEqual([400, 'invalid_request']);
    expect(snapshot(test.database)).toBe(before);
    // Brackets inside strings are text, not nesting.
    const bracketsInText = await asAdmin(JSON.stringify({ code: 'HB2', name: `Tỉnh ${'['.repeat(100)}`, level: 'province' }));
    expect(bracketsInText.statusCode).toBe(201);
  });

  it('sends security headers and no CORS headers unless origins are configured', async () => {
    test = await buildTestApp();
    const health = await test.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(health.headers['x-content-type-options']).toBe('nosniff');
    expect(health.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(String(health.headers['content-security-policy'])).toContain("default-src 'self'");
    expect(String(health.headers['content-security-policy'])).toContain("frame-ancestors 'none'");
    expect(health.headers['strict-transport-security']).toBeDefined();
    expect(health.headers['access-control-allow-origin']).toBeUndefined();
    const preflight = await test.app.inject({ method: 'OPTIONS', url: '/v1/members', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    await test.close();

    test = await buildTestApp({ CORS_ORIGINS: 'https://office.quyphunu.vn' });
    const allowed = await test.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://office.quyphunu.vn' } });
    expect(allowed.headers['access-control-allow-origin']).toBe('https://office.quyphunu.vn');
    const other = await test.app.inject({ method: 'GET', url: '/health', headers: { origin: 'https://evil.example' } });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('limits sign-in attempts per address, whatever the usernames', async () => {
    test = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '3' });
    const attempt = (username: string) => test!.app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password: 'guessing-1' } });
    expect((await attempt('a1')).statusCode).toBe(401);
    expect((await attempt('a2')).statusCode).toBe(401);
    expect((await attempt('a3')).statusCode).toBe(401);
    const limited = await attempt('a4');
    expect([limited.statusCode, limited.json().error.code]).toEqual([429, 'too_many_requests']);
    expect(limited.headers['retry-after']).toBeDefined();
    // The trail shows the flood once for the minute, not once per guess.
    expect((await attempt('a5')).statusCode).toBe(429);
    const floods = () => test!.database.sqlite.prepare("SELECT ip, outcome, after FROM audit_log WHERE action = 'POST /auth/login' AND after LIKE '%too many sign-ins from this address%'").all() as { ip: string; outcome: string }[];
    expect(floods().map((row) => [row.ip, row.outcome])).toEqual([['127.0.0.1', 'sign_in_failed']]);
    test.clock.advanceMinutes(2);
    await attempt('a6');
    await attempt('a7');
    await attempt('a8');
    expect((await attempt('a9')).statusCode).toBe(429);
    expect(floods()).toHaveLength(2);
    // Another address is not held back.
    const elsewhere = await test.app.inject({ method: 'POST', url: '/v1/auth/login', remoteAddress: '10.0.0.9', payload: { username: 'admin', password: adminPassword } });
    expect(elsewhere.statusCode).toBe(200);
  });

  it('stores SQL, HTML and script payloads as plain text and answers them inert', async () => {
    test = await buildTestApp();
    const fund = await buildSmallFund(test, 1);
    const payloads = ["Robert'); DROP TABLE members;--", '<script>alert("x")</script>', '" OR 1=1 --', '<img src=x onerror=alert(1)>', '{{7*7}} ${7*7}'];
    const ids: string[] = [];
    for (const name of payloads) {
      const created = await fund.officer('POST', '/v1/members', memberInput(fund.group.id, { fullName: name }));
      expect(created.statusCode, created.body).toBe(201);
      expect(created.headers['content-type']).toContain('application/json');
      expect(created.json().fullName).toBe(name);
      ids.push(created.json().id);
    }
    for (const [index, id] of ids.entries()) expect((await fund.officer('GET', `/v1/members/${id}`)).json().fullName).toBe(payloads[index]);
    // Searches with SQL in them find what they say, and nothing else.
    const injected = await fund.officer('GET', `/v1/members?q=${encodeURIComponent("' OR '1'='1")}`);
    expect(injected.statusCode).toBe(200);
    expect(injected.json().items).toEqual([]);
    const wildcard = await fund.officer('GET', `/v1/members?q=${encodeURIComponent('%')}`);
    expect(wildcard.json().items).toEqual([]);
    const tables = test.database.sqlite.prepare("SELECT count(*) AS count FROM sqlite_master WHERE type = 'table' AND name = 'members'").get() as { count: number };
    expect(tables.count).toBe(1);
  });

  it('reaches no file through route or report parameters', async () => {
    test = await buildTestApp();
    const fund = await buildSmallFund(test, 1);
    for (const url of ['/v1/../../etc/passwd', '/v1/reports/..%2F..%2Fetc%2Fpasswd', '/v1/reports/outreach/../../../../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd']) {
      const reply = await fund.auditor('GET', url);
      expect(reply.statusCode, url).toBeGreaterThanOrEqual(400);
      expect(reply.statusCode, url).toBeLessThan(500);
      expect(reply.body).not.toContain('root:');
    }
    const format = await fund.auditor('GET', '/v1/reports/outreach?from=2025-01-01&to=2025-06-30&format=../../../etc/passwd');
    expect([format.statusCode, format.json().error.code]).toEqual([400, 'invalid_request']);
  });

  it('answers addresses the router refuses (a broken escape, a path part longer than any id) in the API’s error shape', async () => {
    test = await buildTestApp();
    const fund = await buildSmallFund(test, 1);
    for (const url of [`/v1/areas/${'a'.repeat(200)}`, `/v1/loans/${'x'.repeat(101)}/repayments`, '/v1/members/%E0%A4%A']) {
      const reply = await fund.auditor('GET', url);
      expect([reply.statusCode, reply.json().error.code], url).toEqual([400, 'invalid_request']);
      expect(reply.json().error.message.length).toBeGreaterThan(10);
    }
  });
});
