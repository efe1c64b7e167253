// npm run bench:pages [-- --database FILE] [--rounds N]
// The web app's pages on a large fund: per page, the server's render time (median and p95 over several requests, after
// one warm-up) and the first-load weight (the HTML plus every script, stylesheet, icon and font it loads, as sent
// gzipped and raw), then a summary against the budgets: 100 ms and 200 KB.
//
// The data set: --database FILE, else data/bench/province-seed1.db or data/bench/tenth-seed1.db when present, else a
// `sample` fund seeded once into data/bench/. The file is never written to: the bench works on a copy beside it
// (data/bench/pages-<name>), made once and reused while the original is unchanged.
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { basename, join } from 'node:path';
import { parseArgs } from 'node:util';
import type { LightMyRequestResponse } from 'fastify';
import { migrateDatabase, openDatabase } from '../../db/client.js';
import { loadConfig } from '../../src/config.js';
import { buildApp } from '../../src/http/app.js';
import { createUser } from '../../src/modules/auth/auth.service.js';
import { findUserByUsername } from '../../src/modules/auth/auth.repo.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { systemClock } from '../../src/modules/shared/clock.js';
import { createServiceContext } from '../../src/modules/shared/context.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { reportFigures } from './summary.js';
import { endProgress, readModelProgress } from '../operator.js';

const { values } = parseArgs({ options: { database: { type: 'string' }, rounds: { type: 'string', default: '9' } } });
const rounds = Math.max(3, Number(values.rounds));
const folder = 'data/bench';
mkdirSync(folder, { recursive: true });
const renderBudgetMs = 100;
const weightBudgetKb = 200;

function dataset(): string {
  if (values.database) return values.database;
  for (const candidate of [`${folder}/province-seed1.db`, `${folder}/tenth-seed1.db`]) if (existsSync(candidate)) return candidate;
  const sample = `${folder}/sample-seed1.db`;
  if (!existsSync(sample)) {
    console.log(`No data set given or found: seeding a sample fund into ${sample} (once)...`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--scale', 'sample', '--seed', '1', '--database', sample], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error('seeding the sample fund failed');
  }
  return sample;
}

/** A copy to work on, so the data set itself is only ever read; reused while the original's size and time match. */
async function workingCopy(source: string): Promise<string> {
  const copy = join(folder, `pages-${basename(source)}`);
  const stamp = `${copy}.source.json`;
  const { size, mtimeMs } = statSync(source);
  const wanted = JSON.stringify({ source, size, mtimeMs });
  if (existsSync(copy) && existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return copy;
  console.log(`Copying ${source} (${(size / 1024 ** 3).toFixed(1)} GB) to ${copy}, once; the original is opened read-only...`);
  if (existsSync(`${source}-wal`)) {
    // A write-ahead log may hold committed pages: SQLite's backup reads them consistently, read-only.
    const reader = new Database(source, { readonly: true, fileMustExist: true });
    try {
      await reader.backup(copy);
    } finally {
      reader.close();
    }
  } else {
    copyFileSync(source, copy);
  }
  writeFileSync(stamp, wanted);
  return copy;
}

function statistics(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] as number;
  return { median: at(0.5), p95: at(0.95) };
}

const source = dataset();
const path = await workingCopy(source);
const config = loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'silent' }, false);
const database = openDatabase(path);
migrateDatabase(database);
const context = createServiceContext(config, database.db, systemClock);
prepareFund(context, config.adminPassword, readModelProgress);
endProgress();
const sqlite = database.sqlite;

// The people the pages are seen by: an officer over the commune with the most groups, the leader of its group with the
// most active loans, an auditor and an admin.
const commune = sqlite
  .prepare("SELECT a.id AS id, count(*) AS groups FROM areas a JOIN areas v ON v.parent_id = a.id JOIN groups g ON g.area_id = v.id WHERE a.level = 'commune' GROUP BY a.id ORDER BY groups DESC LIMIT 1")
  .get() as { id: string } | undefined;
if (!commune) throw new Error(`${source} has no commune with groups`);
const group = sqlite
  .prepare(
    "SELECT g.id AS id FROM groups g JOIN areas v ON v.id = g.area_id JOIN loans l ON l.group_id = g.id AND l.status = 'active' WHERE v.parent_id = ? GROUP BY g.id ORDER BY count(*) DESC LIMIT 1",
  )
  .get(commune.id) as { id: string } | undefined;
if (!group) throw new Error('no group with active loans in that commune');
const password = 'bench-pages-password';
const people = {
  officer: { username: 'bench.pages.officer', role: 'officer' as const, areaIds: [commune.id] },
  leader: { username: 'bench.pages.leader', role: 'leader' as const, groupId: group.id },
  auditor: { username: 'bench.pages.auditor', role: 'auditor' as const },
  admin: { username: 'bench.pages.admin', role: 'admin' as const },
};
for (const person of Object.values(people)) {
  if (!findUserByUsername(database.db, person.username)) createUser(context, systemActor(), { ...person, password, fullName: `Bench ${person.role}` });
}
const loan = sqlite.prepare("SELECT id, member_id AS memberId FROM loans WHERE group_id = ? AND status = 'active' ORDER BY id LIMIT 1").get(group.id) as { id: string; memberId: string };
const sheet = sqlite.prepare('SELECT id FROM collection_sheets WHERE group_id = ? ORDER BY meeting_on DESC LIMIT 1').get(group.id) as { id: string } | undefined;
const product = sqlite.prepare('SELECT id FROM loan_products ORDER BY code LIMIT 1').get() as { id: string };
const counts = sqlite.prepare('SELECT (SELECT count(*) FROM groups) AS groups, (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM loans) AS loans').get() as Record<string, number>;

const app = await buildApp(config, { database });
await app.ready();

/** A browser's cookies for one person, signed in through the sign-in form. */
async function signIn(username: string): Promise<string> {
  const form = await app.inject({ method: 'GET', url: '/app/login' });
  const loginCookie = String(form.headers['set-cookie']).split(';')[0] as string;
  const token = decodeURIComponent(loginCookie.split('=')[1] ?? '');
  const answer = await app.inject({
    method: 'POST',
    url: '/app/login',
    headers: { cookie: loginCookie, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: token, username, password }).toString(),
  });
  const session = [answer.headers['set-cookie']].flat().find((cookie) => String(cookie).startsWith('fl_session='));
  if (!session) throw new Error(`cannot sign in as ${username}: ${answer.statusCode} ${answer.body.slice(0, 200)}`);
  return String(session).split(';')[0] as string;
}
const cookies: Record<string, string> = { anonymous: '' };
for (const [role, person] of Object.entries(people)) cookies[role] = await signIn(person.username);

const today = new Date().toISOString().slice(0, 10);
const pages: { name: string; role: string; url: string }[] = [
  { name: 'sign-in', role: 'anonymous', url: '/app/login' },
  { name: 'leader: meeting sheet', role: 'leader', url: `/app/groups/${group.id}/meeting` },
  ...(sheet ? [{ name: 'leader: receipt', role: 'leader', url: `/app/collection-sheets/${sheet.id}` }] : []),
  { name: 'leader: members', role: 'leader', url: '/app/members' },
  { name: 'officer: dashboard (first view)', role: 'officer', url: '/app/dashboard' },
  { name: 'officer: dashboard figures (computed)', role: 'officer', url: '/app/dashboard/figures?refresh=1' },
  { name: 'officer: dashboard (figures kept)', role: 'officer', url: '/app/dashboard' },
  { name: 'officer: arrears list', role: 'officer', url: '/app/arrears' },
  { name: 'officer: groups', role: 'officer', url: '/app/groups' },
  { name: 'officer: group', role: 'officer', url: `/app/groups/${group.id}` },
  { name: 'officer: members search', role: 'officer', url: '/app/members?q=nguyen%20thi' },
  { name: 'officer: member', role: 'officer', url: `/app/members/${loan.memberId}` },
  { name: 'officer: new member form', role: 'officer', url: `/app/members/new?groupId=${group.id}` },
  { name: 'officer: loans', role: 'officer', url: '/app/loans' },
  { name: 'officer: loan application', role: 'officer', url: `/app/loans/new?memberId=${loan.memberId}` },
  { name: 'officer: loan page', role: 'officer', url: `/app/loans/${loan.id}` },
  { name: 'officer: repayment form', role: 'officer', url: `/app/loans/${loan.id}/repay` },
  { name: 'officer: reports form', role: 'officer', url: '/app/reports' },
  { name: 'officer: portfolio report', role: 'officer', url: `/app/reports/portfolio?asOf=${today}` },
  { name: 'officer: outreach report', role: 'officer', url: `/app/reports/outreach?from=${today.slice(0, 4)}-01-01&to=${today}` },
  { name: 'officer: CSV import form', role: 'officer', url: '/app/imports' },
  { name: 'officer: own password', role: 'officer', url: '/app/password' },
  { name: 'auditor: exports', role: 'auditor', url: '/app/audit' },
  { name: 'auditor: ledger check', role: 'auditor', url: '/app/audit/verify' },
  { name: 'auditor: audit log', role: 'auditor', url: '/app/audit/log' },
  { name: 'auditor: portfolio report (fund)', role: 'auditor', url: `/app/reports/portfolio?asOf=${today}&groupBy=commune` },
  { name: 'admin: home', role: 'admin', url: '/app/admin' },
  { name: 'admin: users', role: 'admin', url: '/app/admin/users' },
  { name: 'admin: a user', role: 'admin', url: `/app/admin/users/${findUserByUsername(database.db, people.officer.username)?.id ?? ''}` },
  { name: 'admin: loan products', role: 'admin', url: '/app/admin/products' },
  { name: 'admin: product form', role: 'admin', url: `/app/admin/products/${product.id}` },
  { name: 'admin: fund settings', role: 'admin', url: '/app/admin/settings' },
  { name: 'admin: fund capital', role: 'admin', url: '/app/admin/capital' },
];

async function get(url: string, role: string): Promise<LightMyRequestResponse> {
  return app.inject({ method: 'GET', url, headers: { cookie: cookies[role] ?? '', 'accept-encoding': 'gzip' } });
}

/** What the page loads besides itself: scripts, stylesheets, icons, and any url() in a stylesheet (fonts). */
async function firstLoad(html: string, role: string): Promise<{ gzipped: number; raw: number }> {
  const urls = new Set([...html.matchAll(/<(?:script|link)[^>]+(?:src|href)="(\/[^"]+)"/g)].map((match) => match[1] as string));
  let gzipped = 0;
  let raw = 0;
  for (const url of urls) {
    const asset = await get(url, role);
    gzipped += asset.rawPayload.length;
    const plain = await app.inject({ method: 'GET', url });
    raw += plain.rawPayload.length;
    if (url.endsWith('.css')) for (const match of plain.body.matchAll(/url\(["']?(\/[^"')]+)/g)) urls.add(match[1] as string);
  }
  return { gzipped, raw };
}

const results: { page: string; ms: { median: number; p95: number }; kb: number; rawKb: number; status: number }[] = [];
for (const page of pages) {
  const warm = performance.now();
  const first = await get(page.url, page.role);
  const warmMs = performance.now() - warm;
  if (first.statusCode !== 200) throw new Error(`${page.name} answered ${first.statusCode}: ${first.body.slice(0, 300)}`);
  // Slow pages (a province-wide report) get fewer rounds; every page gets at least three.
  const count = warmMs > 1000 ? 3 : rounds;
  const samples: number[] = [];
  let last = first;
  for (let round = 0; round < count; round += 1) {
    const started = performance.now();
    last = await get(page.url, page.role);
    samples.push(performance.now() - started);
    if (process.stdout.isTTY) process.stdout.write(`\r${page.name} ${round + 1}/${count}`.padEnd(70));
  }
  const plain = await app.inject({ method: 'GET', url: page.url, headers: { cookie: cookies[page.role] ?? '' } });
  const assets = await firstLoad(plain.body, page.role);
  results.push({ page: page.name, ms: statistics(samples), kb: (last.rawPayload.length + assets.gzipped) / 1024, rawKb: (plain.rawPayload.length + assets.raw) / 1024, status: last.statusCode });
}
if (process.stdout.isTTY) process.stdout.write('\r'.padEnd(72) + '\r');
await app.close();
database.close();

console.log(`Data set ${source} (working on ${path}): ${JSON.stringify(counts)}; ${rounds} rounds after a warm-up (3 for pages over a second); load average ${loadavg()[0]?.toFixed(2)}`);
for (const result of results) {
  console.log(`${result.page.padEnd(40)} render median ${result.ms.median.toFixed(1).padStart(7)} ms, p95 ${result.ms.p95.toFixed(1).padStart(7)} ms; first load ${result.kb.toFixed(1).padStart(6)} KB gzipped (${result.rawKb.toFixed(1)} KB raw)`);
}
console.table(
  results.map((result) => ({
    page: result.page,
    'median ms': result.ms.median.toFixed(1),
    'p95 ms': result.ms.p95.toFixed(1),
    'first load KB': result.kb.toFixed(1),
    'raw KB': result.rawKb.toFixed(1),
    [`≤ ${renderBudgetMs} ms`]: result.ms.p95 <= renderBudgetMs ? 'yes' : 'NO',
    [`≤ ${weightBudgetKb} KB`]: result.rawKb <= weightBudgetKb ? 'yes' : 'NO',
  })),
);

const within = results.filter((result) => result.ms.p95 <= renderBudgetMs);
const heaviest = results.reduce((most, result) => (result.rawKb > most.rawKb ? result : most));
const meetingSheet = results.find((result) => result.page === 'leader: meeting sheet');
reportFigures('pages', [
  { figure: `pages rendered within ${renderBudgetMs} ms (p95)`, value: `${within.length} of ${results.length}; over: ${results.filter((result) => result.ms.p95 > renderBudgetMs).map((result) => result.page).join(', ') || 'none'}`, target: 'all', meets: within.length === results.length },
  { figure: 'leader meeting sheet p95', value: `${meetingSheet?.ms.p95.toFixed(1) ?? '-'} ms`, target: `≤ ${renderBudgetMs} ms`, meets: (meetingSheet?.ms.p95 ?? Infinity) <= renderBudgetMs },
  { figure: 'heaviest first load', value: `${heaviest.rawKb.toFixed(1)} KB raw (${heaviest.page})`, target: `≤ ${weightBudgetKb} KB`, meets: heaviest.rawKb <= weightBudgetKb },
]);
