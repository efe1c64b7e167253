// Forms through the pages: each action asks for confirmation before it is recorded, money-moving ones record once,
// refusals come back beside their field in the page's language (the API's own words in English), and a CSV import
// lists its bad rows.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';
import { adminPassword, buildTestApp, type TestApp } from '../helper.js';
import { Browser, inputValue } from './browser.js';

let test: TestApp;
let fund: SmallFund;
let officer: Browser;
let loanId: string;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await buildSmallFund(test, 3);
  ({ loanId } = await disbursedLoan(fund, { disbursedOn: '2026-06-15' }));
  officer = new Browser(test.app);
  await officer.signIn('lan.officer', 'officer-pass-1');
});
afterAll(async () => test.close());

const repayments = () => (test.database.sqlite.prepare("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'").get() as { count: number }).count;

describe('loan actions', () => {
  it('show what will be recorded, record it on confirmation, and only once', async () => {
    const form = await officer.get(`/app/loans/${loanId}/repay`);
    const key = inputValue(form.body, 'idempotencyKey') as string;
    const typed = { idempotencyKey: key, amount: '1.000.000', paidOn: '2026-11-20', note: '' };
    const confirm = await officer.post(`/app/loans/${loanId}/repay`, typed);
    expect(confirm.statusCode).toBe(200);
    expect(confirm.body).toContain('Xác nhận: Ghi trả nợ');
    expect(confirm.body).toContain('1.000.000\u00a0₫');
    expect(confirm.body).toContain('20/11/2026');
    expect(repayments()).toBe(0);
    const done = await officer.post(`/app/loans/${loanId}/repay`, { ...typed, confirmed: '1' });
    expect(done.statusCode, done.body).toBe(303);
    expect(done.headers.location).toBe(`/app/loans/${loanId}?done=repay`);
    const twice = await officer.post(`/app/loans/${loanId}/repay`, { ...typed, confirmed: '1' });
    expect(twice.statusCode).toBe(303);
    expect(repayments()).toBe(1);
    // The page's key is the API's: the same repayment sent to the API with it is answered, not recorded again.
    const api = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '1000000', paidOn: '2026-11-20' }, { 'idempotency-key': key });
    expect(api.statusCode, api.body).toBe(201);
    expect(repayments()).toBe(1);
    const page = await officer.get(String(done.headers.location));
    expect(page.body).toContain('Đã thực hiện: Ghi trả nợ.');
  });

  it('go back from the confirmation to the form, recording nothing', async () => {
    const form = await officer.get(`/app/loans/${loanId}/repay`);
    const typed = { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '750.000', paidOn: '2026-11-20', note: 'Họp tổ' };
    const confirm = await officer.post(`/app/loans/${loanId}/repay`, typed);
    expect(confirm.body).toContain('name="back"');
    const before = repayments();
    // Back, as a browser sends it: the form's hidden fields, then the button pressed.
    const back = await officer.post(`/app/loans/${loanId}/repay`, { ...typed, confirmed: '1', back: '1' });
    expect(back.statusCode).toBe(200);
    expect(inputValue(back.body, 'amount')).toBe('750.000');
    expect(repayments()).toBe(before);
  });

  it('leave the same audit record as the API: who, from where, what, and the change', async () => {
    const record = test.database.sqlite
      .prepare("SELECT username, role, action, entity, entity_id AS entityId, outcome, ip FROM audit_log WHERE action = 'POST /loans/:id/repayments' ORDER BY at DESC LIMIT 1")
      .get() as Record<string, string>;
    expect(record).toMatchObject({ username: 'lan.officer', role: 'officer', entity: 'loans', entityId: loanId, outcome: 'done' });
    const auditor = new Browser(test.app);
    await auditor.signIn('auditor', 'auditor-pass-1');
    const page = await auditor.get('/app/audit/log?entity=loans');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('POST /loans/:id/repayments');
    expect(page.body).toContain('lan.officer');
  });

  it('record a post refused for its role in the audit trail', async () => {
    const leader = new Browser(test.app);
    await leader.signIn('thu.leader', 'leader-pass-1');
    await leader.get('/app/meeting');
    const refused = await leader.post(`/app/loans/${loanId}/write-off`, { writtenOffOn: '2026-11-20', reason: 'x', confirmed: '1' });
    expect(refused.statusCode).toBe(403);
    const record = test.database.sqlite.prepare("SELECT username, outcome FROM audit_log WHERE action LIKE 'POST /app/loans/%' ORDER BY at DESC LIMIT 1").get() as Record<string, string>;
    expect(record).toEqual({ username: 'thu.leader', outcome: 'refused' });
  });

  it('reverse a repayment with a reason', async () => {
    const loan = (await fund.officer('GET', `/v1/loans/${loanId}`)).json() as { transactions: { id: string; type: string }[] };
    const repayment = loan.transactions.find((transaction) => transaction.type === 'repayment');
    const url = `/app/loans/${loanId}/transactions/${repayment?.id}/reverse`;
    const form = await officer.get(url);
    expect(form.body).toContain('Hủy giao dịch');
    expect((await officer.get(`/app/loans/${loanId}/transactions/tx-nothing/reverse`)).statusCode).toBe(404);
    const missing = await officer.post(url, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, reason: '' });
    expect(missing.statusCode).toBe(400);
    expect(missing.body).toContain('id="f-reason-error">Cần nhập ô này.');
    const done = await officer.post(url, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, reason: 'Ghi nhầm số tiền', confirmed: '1' });
    expect(done.statusCode, done.body).toBe(303);
    const page = await officer.get(`/app/loans/${loanId}`);
    expect(page.body).toContain('Đã hủy');
  });

  it('reschedule once however often the confirmation is sent, and say which day a later one must follow', async () => {
    const { loanId: other } = await disbursedLoan(fund, { memberIndex: 2, disbursedOn: '2026-06-15' });
    const versions = () => (test.database.sqlite.prepare('SELECT count(*) AS count FROM schedule_versions WHERE loan_id = ?').get(other) as { count: number }).count;
    const form = await officer.get(`/app/loans/${other}/reschedule`);
    const typed = { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, effectiveOn: '2026-11-22', installments: '10', reason: 'Lũ cuốn trôi chuồng trại', confirmed: '1' };
    const done = await officer.post(`/app/loans/${other}/reschedule`, typed);
    expect(done.statusCode, done.body).toBe(303);
    const twice = await officer.post(`/app/loans/${other}/reschedule`, typed);
    expect(twice.statusCode, twice.body).toBe(303);
    expect(twice.headers.location).toBe(`/app/loans/${other}?done=reschedule`);
    expect(versions()).toBe(2);
    const again = await officer.get(`/app/loans/${other}/reschedule`);
    const sameDay = await officer.post(`/app/loans/${other}/reschedule`, { ...typed, idempotencyKey: inputValue(again.body, 'idempotencyKey') as string });
    expect(sameDay.statusCode).toBe(422);
    expect(sameDay.body).toContain('id="f-effectiveOn-error">Phải sau ngày 22/11/2026.');
    expect(versions()).toBe(2);
  });

  it('bring a refusal back beside its field, with what was typed', async () => {
    const form = await officer.get(`/app/loans/${loanId}/repay`);
    const refused = await officer.post(`/app/loans/${loanId}/repay`, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '999.000.000', paidOn: '2026-11-20', confirmed: '1' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('Số tiền lớn hơn số còn phải trả.');
    expect(inputValue(refused.body, 'amount')).toBe('999.000.000');
  });

  it('refuse an amount with a decimal comma that đồng cannot hold before the confirmation, rather than read it larger', async () => {
    const form = await officer.get(`/app/loans/${loanId}/repay`);
    const before = repayments();
    const refused = await officer.post(`/app/loans/${loanId}/repay`, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '1.234,567', paidOn: '2026-11-20', note: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).not.toContain('Xác nhận: Ghi trả nợ');
    expect(refused.body).toContain('Số tiền có quá nhiều chữ số thập phân.');
    expect(refused.body).toMatch(/aria-invalid="true"[^>]*name="amount"|name="amount"[^>]*aria-invalid="true"/);
    expect(inputValue(refused.body, 'amount')).toBe('1.234,567');
    // A fraction of zeros only is the same amount, and goes on to the confirmation.
    const whole = await officer.post(`/app/loans/${loanId}/repay`, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '1.000,00', paidOn: '2026-11-20', note: '' });
    expect(whole.statusCode).toBe(200);
    expect(whole.body).toContain('1.000\u00a0₫');
    expect(repayments()).toBe(before);
  });

  it('bring a bad expected disbursement date in the schedule preview back beside that field', async () => {
    const productId = (test.database.sqlite.prepare('SELECT id FROM loan_products ORDER BY code LIMIT 1').get() as { id: string }).id;
    await officer.get(`/app/loans/new?memberId=${fund.memberIds[1]}`);
    const preview = await officer.post('/app/loans', {
      intent: 'preview',
      memberId: fund.memberIds[1] as string,
      productId,
      principal: '5.000.000',
      installments: '12',
      appliedOn: '2026-11-20',
      purpose: 'nuôi lợn',
      expectedDisbursement: '2026-02-30',
    });
    expect(preview.body).toMatch(/name="expectedDisbursement"[^>]*aria-invalid="true"|aria-invalid="true"[^>]*name="expectedDisbursement"/);
    expect(preview.body).toContain('Ngày chưa đúng.');
    expect(preview.body).not.toContain('disbursedOn');
    expect(inputValue(preview.body, 'expectedDisbursement')).toBe('2026-02-30');
  });

  it('in English, show the API’s own message', async () => {
    const english = new Browser(test.app);
    await english.get('/app/lang?to=en&next=/app/login');
    await english.signIn('lan.officer', 'officer-pass-1');
    const form = await english.get(`/app/loans/${loanId}/repay`);
    expect(form.body).toContain('Record a repayment');
    const refused = await english.post(`/app/loans/${loanId}/repay`, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '1,000', paidOn: '2030-01-01', confirmed: '1' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('is after today');
    expect(refused.body).toContain('1,000');
    // A validator's own words (a type, a format) come in the page's words, each reason a sentence.
    const blank = await english.post(`/app/loans/${loanId}/repay`, { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, amount: '', paidOn: 'someday', confirmed: '1' });
    expect(blank.statusCode).toBe(400);
    expect(blank.body).toContain('Required.');
    expect(blank.body).toContain('Not a real date.');
  });
});

describe('the portfolio report', () => {
  it('shows the specific and the general provision and their sum, as its CSV’s total line gives them', async () => {
    const query = 'asOf=2026-11-23';
    const csv = await officer.get(`/app/reports/portfolio.csv?${query}`);
    const lines = csv.body.replace(/^\uFEFF/, '').trim().split('\r\n');
    const header = (lines[0] as string).split(',');
    const total = (lines[lines.length - 1] as string).split(',');
    const cell = (name: string) => total[header.indexOf(name)] as string;
    expect(BigInt(cell('generalProvision'))).toBeGreaterThan(0n);
    expect(BigInt(cell('specificProvision')) + BigInt(cell('generalProvision'))).toBe(BigInt(cell('requiredProvision')));
    const page = await officer.get(`/app/reports/portfolio?${query}`);
    const shown = (amount: string) => `${amount.replace(/\B(?=(\d{3})+(?!\d))/g, '.')}\u00a0₫`;
    expect(page.body).toContain(`Dự phòng cụ thể</dt><dd>${shown(cell('specificProvision'))}`);
    expect(page.body).toContain(`Dự phòng chung</dt><dd>${shown(cell('generalProvision'))}`);
    expect(page.body).toContain(shown(cell('requiredProvision')));
  });
});

describe('registering', () => {
  it('keeps the form and names the field when a CCCD is already registered', async () => {
    const member = (await fund.officer('GET', `/v1/members/${fund.memberIds[0]}`)).json() as { nationalId: string };
    await officer.get(`/app/members/new?groupId=${fund.group.id}`);
    const refused = await officer.post('/app/members', {
      fullName: 'Vàng Thị Dua',
      sex: 'female',
      dateOfBirth: '1992-05-06',
      nationalId: member.nationalId,
      phone: '',
      ethnicity: '08',
      povertyStatus: 'poor',
      groupId: fund.group.id,
      joinedOn: '2026-11-01',
    });
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Số CCCD này đã được đăng ký cho một thành viên khác.');
    expect(refused.body).toContain('id="f-nationalId-error"');
    expect(inputValue(refused.body, 'fullName')).toBe('Vàng Thị Dua');
  });

  it('finds members without accents', async () => {
    const page = await officer.get('/app/members?q=ha%20thi%20thu');
    expect(page.body).toContain('Hà Thị Thu 1');
  });

  it('lists every bad row of a CSV import and writes nothing', async () => {
    const csv = [
      'Họ và tên,Giới tính,Ngày sinh,Số CCCD,Dân tộc,Hoàn cảnh hộ,Mã tổ,Ngày vào tổ',
      'Lò Thị Én,Nữ,01/02/1990,123,Thái,Hộ nghèo,TL01-T1,01/11/2026',
      'Sùng Thị Mỷ,Nữ,1985-03-04,098765432101,Hmông,Hộ nghèo,NO-SUCH,01/11/2026',
      'Vàng Thị Dợ,Nữ,30/02/1990,098765432102,Hmông,Hộ nghèo,TL01-T1,01/11/2026',
    ].join('\n');
    await officer.get('/app/imports');
    const boundary = '----fundledgerboundary';
    const body = [
      `--${boundary}\r\nContent-Disposition: form-data; name="_csrf"\r\n\r\n${officer.csrf}\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="kind"\r\n\r\nmembers\r\n`,
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="members.csv"\r\nContent-Type: text/csv\r\n\r\n${csv}\r\n`,
      `--${boundary}--\r\n`,
    ].join('');
    const before = (test.database.sqlite.prepare('SELECT count(*) AS count FROM members').get() as { count: number }).count;
    const answer = await test.app.inject({
      method: 'POST',
      url: '/app/imports',
      payload: body,
      headers: { 'content-type': `multipart/form-data; boundary=${boundary}`, cookie: [...officer.cookies].map(([name, value]) => `${name}=${value}`).join('; ') },
    });
    expect(answer.statusCode, answer.body).toBe(422);
    expect(answer.body).toContain('Dòng 2');
    expect(answer.body).toContain('Dòng 3');
    // Each row says which column is wrong and why, in Vietnamese, the reasons the table lacks in the service's words.
    expect(answer.body).toContain('Số CCCD: Số CCCD gồm đúng 12 chữ số.');
    expect(answer.body).toContain('Mã tổ: Không có tổ mã NO-SUCH.');
    expect(answer.body).toContain('Ngày sinh: Ngày chưa đúng.');
    expect((test.database.sqlite.prepare('SELECT count(*) AS count FROM members').get() as { count: number }).count).toBe(before);
  });
});

describe('the loan application form', () => {
  it('starts at a term the product shown first lends over', async () => {
    const product = await fund.admin('POST', '/v1/loan-products', { code: 'A-SIX', name: 'Vay 6 tháng', minPrincipal: '1000000', maxPrincipal: '20000000', minInstallments: 6, maxInstallments: 6, monthlyRate: '0.8', method: 'declining_equal_principal' });
    expect(product.statusCode, product.body).toBe(201);
    const form = await officer.get(`/app/loans/new?memberId=${fund.memberIds[1]}`);
    expect(form.body).toContain('6–6');
    expect(inputValue(form.body, 'installments')).toBe('6');
  });

  it('says an amount left blank is to be filled in, not that its digits are wrong, and keeps the rest', async () => {
    const productId = (test.database.sqlite.prepare("SELECT id FROM loan_products WHERE code = 'A-SIX'").get() as { id: string }).id;
    await officer.get(`/app/loans/new?memberId=${fund.memberIds[1]}`);
    const refused = await officer.post('/app/loans', { intent: 'apply', memberId: fund.memberIds[1] as string, productId, principal: '', installments: '6', appliedOn: '2026-11-20', purpose: 'Mua giống lúa', expectedDisbursement: '' });
    expect(refused.statusCode).toBe(400);
    expect(refused.body).toContain('Cần nhập ô này.');
    expect(refused.body).not.toContain('Số tiền chỉ gồm chữ số');
    expect(inputValue(refused.body, 'installments')).toBe('6');
  });

  it('says, under the member, that her group is too small to lend in, and keeps what was typed', async () => {
    expect((await fund.admin('PATCH', '/v1/settings', { minGroupMembers: 10 })).statusCode).toBe(200);
    try {
      const productId = (test.database.sqlite.prepare("SELECT id FROM loan_products WHERE code = 'A-SIX'").get() as { id: string }).id;
      await officer.get(`/app/loans/new?memberId=${fund.memberIds[1]}`);
      const typed = { intent: 'apply', memberId: fund.memberIds[1] as string, productId, principal: '5.000.000', installments: '6', appliedOn: '2026-11-20', purpose: 'Mua giống lúa', expectedDisbursement: '2026-11-25' };
      const refused = await officer.post('/app/loans', typed);
      expect(refused.statusCode).toBe(422);
      expect(refused.body).toContain('Thành viên</a>: Tổ có ít hơn 10 thành viên đang hoạt động.');
      expect(inputValue(refused.body, 'principal')).toBe('5.000.000');
    } finally {
      await fund.admin('PATCH', '/v1/settings', { minGroupMembers: 1 });
    }
  });
});

describe('a form that makes something, sent twice', () => {
  const count = (table: string) => (test.database.sqlite.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

  it('makes one application, one member and one group, and the second sending shows what the first made', async () => {
    const productId = (test.database.sqlite.prepare("SELECT id FROM loan_products WHERE code = 'A-SIX'").get() as { id: string }).id;
    const form = await officer.get(`/app/loans/new?memberId=${fund.memberIds[2]}`);
    const key = inputValue(form.body, 'idempotencyKey') as string;
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    const typed = { idempotencyKey: key, memberId: fund.memberIds[2] as string, productId, principal: '5.000.000', installments: '6', appliedOn: '2026-11-20', purpose: 'Mua giống lúa', expectedDisbursement: '' };
    // The preview keeps the key, so the application sent from the previewed form is still the one.
    const preview = await officer.post('/app/loans', { ...typed, intent: 'preview' });
    expect(inputValue(preview.body, 'idempotencyKey')).toBe(key);
    const loans = count('loans');
    const first = await officer.post('/app/loans', { ...typed, intent: 'apply' });
    const second = await officer.post('/app/loans', { ...typed, intent: 'apply' });
    expect([first.statusCode, second.statusCode]).toEqual([303, 303]);
    expect(second.headers.location).toBe(first.headers.location);
    expect(count('loans')).toBe(loans + 1);
    // A form drawn again is a new application.
    expect(inputValue((await officer.get(`/app/loans/new?memberId=${fund.memberIds[2]}`)).body, 'idempotencyKey')).not.toBe(key);
    // Sent again after Back with something changed: the page says the first was recorded and draws a new key, so a
    // further send is a new application by choice, not the same refusal again.
    const changed = await officer.post('/app/loans', { ...typed, purpose: 'Mua giống ngô', intent: 'apply' });
    expect(changed.statusCode).toBe(409);
    expect(changed.body).toContain('Biểu mẫu này đã được gửi và lưu trước đó');
    expect(changed.body).toContain('>Mua giống ngô</textarea>');
    const newKey = inputValue(changed.body, 'idempotencyKey') as string;
    expect(newKey).not.toBe(key);
    expect((await officer.post('/app/loans', { ...typed, idempotencyKey: newKey, purpose: 'Mua giống ngô', intent: 'apply' })).statusCode).toBe(303);
    expect(count('loans')).toBe(loans + 2);

    const memberForm = await officer.get(`/app/members/new?groupId=${fund.group.id}`);
    const member = { idempotencyKey: inputValue(memberForm.body, 'idempotencyKey') as string, fullName: 'Hà Thị Mai', sex: 'female', dateOfBirth: '1990-01-02', nationalId: '038190000777', phone: '', ethnicity: '01', povertyStatus: 'poor', groupId: fund.group.id, joinedOn: '2026-11-01' };
    const members = count('members');
    const registered = [await officer.post('/app/members', member), await officer.post('/app/members', member)];
    expect(registered.map((reply) => reply.statusCode)).toEqual([303, 303]);
    expect(registered[1]?.headers.location).toBe(registered[0]?.headers.location);
    expect(count('members')).toBe(members + 1);

    const groupForm = await officer.get('/app/groups/new');
    const group = { idempotencyKey: inputValue(groupForm.body, 'idempotencyKey') as string, code: 'TL01-T9', name: 'Tổ phụ nữ Đồng Bài 9', areaId: fund.areas.village, formedOn: '2026-11-01', meetingDay: '9', officerId: '' };
    const formed = [await officer.post('/app/groups', group), await officer.post('/app/groups', group)];
    expect(formed.map((reply) => reply.statusCode)).toEqual([303, 303]);
    expect(formed[1]?.headers.location).toBe(formed[0]?.headers.location);
    // An edit form makes nothing, and has no key.
    expect(inputValue((await officer.get(String(formed[0]?.headers.location).replace('?done=created', '/edit'))).body, 'idempotencyKey')).toBeUndefined();
  });
});

describe('the fund’s capital page', () => {
  it('records capital received once however often the form is sent, and brings a refusal back beside its field', async () => {
    const admin = new Browser(test.app);
    await admin.signIn('admin', adminPassword);
    const movements = () => (test.database.sqlite.prepare('SELECT count(*) AS count FROM capital_movements').get() as { count: number }).count;
    const form = await admin.get('/app/admin/capital');
    expect(form.statusCode).toBe(200);
    expect(form.body).toContain('Chưa ghi nhận khoản vốn nào.');
    const typed = { idempotencyKey: inputValue(form.body, 'idempotencyKey') as string, direction: 'received', amount: '100.000.000', movedOn: '2026-01-05', source: 'Hội LHPN tỉnh', note: '' };
    const done = await admin.post('/app/admin/capital', typed);
    expect([done.statusCode, done.headers.location]).toEqual([303, '/app/admin/capital?done=capital']);
    expect((await admin.post('/app/admin/capital', typed)).statusCode).toBe(303);
    expect(movements()).toBe(1);
    const page = await admin.get('/app/admin/capital?done=capital');
    expect(page.body).toContain('Đã ghi nhận vốn.');
    expect(page.body).toContain('100.000.000\u00a0₫');
    const again = await admin.get('/app/admin/capital');
    const refused = await admin.post('/app/admin/capital', { ...typed, idempotencyKey: inputValue(again.body, 'idempotencyKey') as string, direction: 'returned', amount: '100.000.001' });
    expect(refused.statusCode).toBe(422);
    expect(refused.body).toContain('id="f-amount-error"');
    expect(movements()).toBe(1);
    // Only the admin reaches the page.
    expect((await officer.get('/app/admin/capital')).statusCode).toBe(403);
  });
});
