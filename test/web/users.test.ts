// The admin's page of one user (role, scope, status, a new password) and everyone's own password page, through the
// pages as a browser posts them.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildSmallFund, type SmallFund } from '../fixtures.js';
import { asWithKeys, buildTestApp, login, type TestApp } from '../helper.js';
import { Browser } from './browser.js';

let test: TestApp;
let fund: SmallFund;
let admin: Browser;
let officer: Browser;
beforeEach(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test);
  admin = new Browser(test.app);
  await admin.signIn('admin', 'admin-password-1');
  officer = new Browser(test.app);
  await officer.signIn('lan.officer', 'officer-pass-1');
});
afterEach(async () => test.close());

describe("the admin's page of a user", () => {
  it('disables an officer: her open page sends her to sign in, and she cannot', async () => {
    const list = await admin.get('/app/admin/users');
    expect(list.body).toContain(`href="/app/admin/users/${fund.officerId}"`);
    const page = await admin.get(`/app/admin/users/${fund.officerId}`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('lan.officer');
    expect(page.body).toContain('Đã khóa');

    const areaIds = [fund.areas.commune];
    const saved = await admin.post(`/app/admin/users/${fund.officerId}`, { fullName: 'Trần Thị Lan', role: 'officer', areaIds, groupCode: '', status: 'disabled' });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    expect((await admin.get(saved.headers.location as string)).body).toContain('Đã lưu người dùng.');

    const after = await officer.get('/app/dashboard');
    expect([after.statusCode, after.headers.location]).toEqual([303, '/app/login?next=%2Fapp%2Fdashboard']);
    const again = await new Browser(test.app).signIn('lan.officer', 'officer-pass-1');
    expect(again.statusCode).toBe(401);
  });

  it('shows a refusal beside its field and keeps what was typed', async () => {
    await admin.get(`/app/admin/users/${fund.officerId}`);
    const refused = await admin.post(`/app/admin/users/${fund.officerId}`, { fullName: 'Trần Thị Lan B', role: 'leader', groupCode: 'KHONG-CO', status: 'active' });
    expect(refused.statusCode).toBe(404);
    expect(refused.body).toContain('aria-invalid="true"');
    expect(refused.body).toContain('value="Trần Thị Lan B"');
    expect(refused.body).toContain('value="KHONG-CO"');
    // Nothing changed: she is still the officer she was.
    expect((await officer.get('/app/dashboard')).statusCode).toBe(200);
  });

  it('keeps a village an officer was given through the API when her page is saved', async () => {
    const apiAdmin = asWithKeys(test.app, await login(test.app, 'admin', 'admin-password-1'));
    expect((await apiAdmin('PATCH', `/v1/users/${fund.officerId}`, { areaIds: [fund.areas.village, fund.areas.otherCommune] })).statusCode).toBe(200);
    const page = await admin.get(`/app/admin/users/${fund.officerId}`);
    const selected = [...page.body.matchAll(/<option value="([^"]+)" selected>/g)].map((match) => match[1]);
    expect(selected).toEqual(expect.arrayContaining([fund.areas.village, fund.areas.otherCommune]));
    // Posted as the browser posts the form: the areas it shows selected.
    const saved = await admin.post(`/app/admin/users/${fund.officerId}`, { fullName: 'Trần Thị Lan', role: 'officer', areaIds: [fund.areas.village, fund.areas.otherCommune], groupCode: '', status: 'active' });
    expect(saved.statusCode, saved.body.slice(0, 500)).toBe(303);
    expect((await apiAdmin('GET', `/v1/users/${fund.officerId}`)).json().areaIds).toEqual([fund.areas.village, fund.areas.otherCommune].sort());
  });

  it('sets a new password: her sign-ins end and the new password lets her in', async () => {
    await admin.get(`/app/admin/users/${fund.officerId}`);
    const short = await admin.post(`/app/admin/users/${fund.officerId}/password`, { password: 'ngan' });
    expect(short.statusCode).toBe(400);
    expect(short.body).toContain('aria-invalid="true"');
    expect(short.body).toContain('Cần ít nhất 8 ký tự.');
    const set = await admin.post(`/app/admin/users/${fund.officerId}/password`, { password: 'mat-khau-moi-1' });
    expect(set.statusCode, set.body.slice(0, 500)).toBe(303);
    expect((await admin.get(set.headers.location as string)).body).toContain('Đã đặt mật khẩu mới');
    expect((await officer.get('/app/dashboard')).statusCode).toBe(303);
    expect((await new Browser(test.app).signIn('lan.officer', 'mat-khau-moi-1')).statusCode).toBe(303);
  });
});

describe('changing your own password', () => {
  it('asks for the current one, says so beside it when wrong, and keeps this sign-in when right', async () => {
    const page = await officer.get('/app/password');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('Mật khẩu hiện tại');
    const wrong = await officer.post('/app/password', { currentPassword: 'khong-dung', newPassword: 'mat-khau-cua-lan' });
    expect(wrong.statusCode).toBe(422);
    expect(wrong.body).toContain('Mật khẩu hiện tại không đúng.');
    const other = new Browser(test.app);
    await other.signIn('lan.officer', 'officer-pass-1');
    const changed = await officer.post('/app/password', { currentPassword: 'officer-pass-1', newPassword: 'mat-khau-cua-lan' });
    expect(changed.statusCode, changed.body.slice(0, 500)).toBe(303);
    expect((await officer.get(changed.headers.location as string)).body).toContain('Đã đổi mật khẩu.');
    expect((await officer.get('/app/dashboard')).statusCode).toBe(200);
    expect((await other.get('/app/dashboard')).statusCode).toBe(303);
  });
});
