// Sign-in and sign-out through the pages: the session cookie, role homes, CSRF, the language switch.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';
import { Browser } from './browser.js';

let test: TestApp;

beforeAll(async () => {
  test = await buildTestApp();
  await buildSmallFund(test);
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
