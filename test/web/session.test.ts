// Sign-in and sign-out through the pages: the session cookie, role homes, CSRF, the language switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund, nextNationalId, type SmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { Browser, inputValue } from './browser.js';

let test: TestApp;
let fund: SmallFund;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test);
});
afterAll(async () => test.close());

describe('signing in', () => {
  it('shows the sign-in page in Vietnamese by default', async () => {
    const browser = new Browser(test.app);
    const page = await browser.get('/app/login');
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain('<html lang="vi">');
    expect(page.body).toContain('Đăng nhập');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
  });

  it('sends each role to its own home, with an HttpOnly SameSite=Strict session cookie', async () => {
    const homes: [string, string, string][] = [
      ['admin', 'admin-password-1', '/app/admin'],
      ['lan.officer', 'officer-pass-1', '/app/dashboard'],
      ['thu.leader', 'leader-pass-1', '/app/meeting'],
      ['auditor', 'auditor-pass-1', '/app/audit'],
    ];
    for (const [username, password, home] of homes) {
      const browser = new Browser(test.app);
      const signedIn = await browser.signIn(username, password);
      expect(signedIn.statusCode, signedIn.body).toBe(303);
      expect(signedIn.headers.location).toBe(home);
      const cookie = String(signedIn.headers['set-cookie']);
      expect(cookie).toMatch(/fl_session=[^;]+; Path=\/; SameSite=Strict; HttpOnly/);
    }
  });

  it('keeps the username and says why beside nothing but the form when the password is wrong', async () => {
    const browser = new Browser(test.app);
    await browser.get('/app/login');
    const refused = await browser.post('/app/login', { username: 'lan.officer', password: 'wrong-password' });
    expect(refused.statusCode).toBe(401);
    expect(refused.body).toContain('Tên đăng nhập hoặc mật khẩu không đúng.');
    expect(refused.body).toContain('value="lan.officer"');
  });

  it('refuses a sign-in form without its CSRF token', async () => {
    const browser = new Browser(test.app);
    await browser.get('/app/login');
    const refused = await browser.post('/app/login', { username: 'lan.officer', password: 'officer-pass-1', _csrf: 'forged' });
    expect(refused.statusCode).toBe(403);
    expect(browser.cookies.has('fl_session')).toBe(false);
  });

  it('sends a visitor without a session to sign in, and back afterwards', async () => {
    const browser = new Browser(test.app);
    const page = await browser.get('/app/groups');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/app/login?next=%2Fapp%2Fgroups');
    await browser.get(String(page.headers.location));
    const signedIn = await browser.post('/app/login', { username: 'lan.officer', password: 'officer-pass-1', next: '/app/groups' });
    expect(signedIn.headers.location).toBe('/app/groups');
  });

  it('signs out: the token stops working', async () => {
    const browser = new Browser(test.app);
    await browser.signIn('lan.officer', 'officer-pass-1');
    const token = browser.cookies.get('fl_session') as string;
    await browser.get('/app/dashboard');
    const out = await browser.post('/app/logout', {});
    expect(out.statusCode).toBe(303);
    expect(browser.cookies.has('fl_session')).toBe(false);
    const api = await test.app.inject({ method: 'GET', url: '/v1/auth/me', headers: { authorization: `Bearer ${token}` } });
    expect(api.statusCode).toBe(401);
  });

  it('refuses a state-changing form without the session’s CSRF token', async () => {
    const browser = new Browser(test.app);
    await browser.signIn('lan.officer', 'officer-pass-1');
    await browser.get('/app/dashboard');
    const forged = await browser.post('/app/logout', { _csrf: 'not-the-token' });
    expect(forged.statusCode).toBe(403);
  });

  it('switches to English and back', async () => {
    const browser = new Browser(test.app);
    const switched = await browser.get('/app/lang?to=en&next=/app/login');
    expect(switched.headers.location).toBe('/app/login');
    const page = await browser.get('/app/login');
    expect(page.body).toContain('<html lang="en">');
    expect(page.body).toContain('Sign in');
    const away = await browser.get('/app/lang?to=en&next=https://example.com/');
    expect(away.headers.location).toBe('/app');
  });

  it('keeps pages out of the OpenAPI document', async () => {
    const document = (await test.app.inject({ method: 'GET', url: '/openapi.json' })).json() as { paths: Record<string, unknown> };
    expect(Object.keys(document.paths).filter((path) => !path.startsWith('/v1/'))).toEqual([]);
  });
});

describe('a sign-in that ends while a form is being filled in', () => {
  it('keeps what was typed: the sign-in page carries it, and after signing in it is sent again', async () => {
    const officer = new Browser(test.app);
    await officer.signIn('lan.officer', 'officer-pass-1');
    await officer.get(`/app/members/new?groupId=${fund.group.id}`);
    const nationalId = nextNationalId();
    const typed = { fullName: 'Lường Thị Xuân', sex: 'female', dateOfBirth: '1990-03-08', nationalId, phone: '0912000111', ethnicity: '03', povertyStatus: 'near_poor', groupId: fund.group.id, joinedOn: '2026-11-20' };
    // The officer's sign-in lasts 480 minutes; she filled the form in longer than that.
    test.clock.advanceMinutes(481);
    const expired = await officer.post('/app/members', typed, { 'sec-fetch-site': 'same-origin' });
    expect(expired.statusCode).toBe(401);
    expect(expired.body).toContain('những gì bạn nhập vẫn còn');
    const resendField = inputValue(expired.body, 'resend');
    expect(resendField).toBeDefined();
    // Nothing was recorded, and the typed name rides along with the sign-in form.
    const named = () => test.database.sqlite.prepare('SELECT count(*) FROM members WHERE national_id = ?').pluck().get(nationalId);
    expect(named()).toBe(0);
    const carried = JSON.parse((resendField as string).replaceAll('&quot;', '"')) as { action: string; fields: Record<string, string[]> };
    expect(carried.action).toBe('/app/members');
    expect(carried.fields.fullName).toEqual(['Lường Thị Xuân']);
    expect(carried.fields._csrf).toBeUndefined();

    const signedIn = await officer.post('/app/login', { username: 'lan.officer', password: 'officer-pass-1', next: '/app/members', resend: JSON.stringify(carried) });
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toContain('action="/app/members"');
    expect(inputValue(signedIn.body, 'fullName')).toBe('Lường Thị Xuân');
    expect(inputValue(signedIn.body, 'nationalId')).toBe(nationalId);
    // She sees what will be sent before she sends it.
    expect(signedIn.body).toContain('<dd>Lường Thị Xuân</dd>');
    // Sent again as the page shows it, with the new sign-in's token.
    const fields = Object.fromEntries([...signedIn.body.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)">/g)].map((match) => [match[1] as string, (match[2] as string).replaceAll('&#39;', "'")]));
    const sent = await officer.post('/app/members', fields);
    expect(sent.statusCode, sent.body.slice(0, 400)).toBe(303);
    expect(named()).toBe(1);
  });

  it('carries no password: it is typed again', async () => {
    const officer = new Browser(test.app);
    await officer.signIn('mai.officer', 'officer-pass-2');
    await officer.get('/app/password');
    test.clock.advanceMinutes(481);
    const expired = await officer.post('/app/password', { currentPassword: 'officer-pass-2', newPassword: 'secret-new-pass' }, { origin: 'http://localhost:80', host: 'localhost:80' });
    expect(expired.statusCode).toBe(401);
    expect(expired.body).not.toContain('officer-pass-2');
    expect(expired.body).not.toContain('secret-new-pass');
    expect(inputValue(expired.body, 'resend')).toContain('/app/password');
  });

  it('carries no form another site posted: it is never shown back as the user’s own', async () => {
    const browser = new Browser(test.app);
    await browser.get('/app/login');
    const tries: Record<string, string>[] = [{ 'sec-fetch-site': 'cross-site' }, { origin: 'https://evil.example' }, { origin: 'null' }, {}];
    for (const headers of tries) {
      const forged = await browser.post(`/app/admin/users/${fund.officerId}`, { fullName: 'X', role: 'admin', status: 'active' }, headers);
      expect([forged.statusCode, forged.headers.location], JSON.stringify(headers)).toEqual([303, `/app/login?next=${encodeURIComponent(`/app/admin/users/${fund.officerId}`)}`]);
    }
  });

  it('carries nothing that is not a form of this app', async () => {
    const browser = new Browser(test.app);
    await browser.get('/app/login');
    for (const resend of ['not json', JSON.stringify({ action: 'https://evil.example/steal', fields: {} }), JSON.stringify({ action: '/app/logout', fields: {} }), JSON.stringify({ action: '/app/members', fields: { fullName: [1] } })]) {
      const answer = await browser.post('/app/login', { username: 'lan.officer', password: 'officer-pass-1', next: '', resend });
      expect([answer.statusCode, answer.headers.location], resend).toEqual([303, '/app/dashboard']);
      await browser.get('/app/login');
      browser.cookies.delete('fl_session');
      await browser.get('/app/login');
    }
  });
});
