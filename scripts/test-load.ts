// npm run test:load: 50 clients for 60 s against the service on a copy of the `province` data set, with the mix a
// fund's day brings: 49 clients at meetings and desks (collection sheets, repayments, deposits, loan pages, arrears,
// searches, the day's journal) and one office client running a province-wide report or export every 5 s. It prints
// each route's p50/p99, fails on any error, and checks that the service's resident memory at the end is within
// 20 % of its level after the first 10 s. Not part of `npm test`: it needs the province data set (npm run seed).
//
//   npm run test:load                                  50 clients, 60 s
//   npm run test:load -- --clients 20 --duration 30 --database data/bench/tenth-seed1.db
import { type ChildProcess, spawnSync } from 'node:child_process';
import { closeSync, copyFileSync, existsSync, fsyncSync, openSync, rmSync } from 'node:fs';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { createUser } from '../src/modules/auth/auth.service.js';
import { findUserByUsername } from '../src/modules/auth/auth.repo.js';
import { systemActor } from '../src/modules/shared/access.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext, today } from '../src/modules/shared/context.js';
import { residentMemory, serviceEntries, startService } from './lib/service-process.js';

const { values: flags } = parseArgs({
  options: {
    clients: { type: 'string', default: '50' },
    duration: { type: 'string', default: '60' },
    database: { type: 'string', default: 'data/bench/province-seed1.db' },
  },
  strict: true,
});
const clients = Number(flags.clients);
const durationSeconds = Number(flags.duration);
const source = flags.database;
const password = 'load-test-password';
const interactive = process.stdout.isTTY === true;

if (!existsSync(source)) {
  console.error(`${source} does not exist: build it with  npm run seed -- --scale province --seed 1 --database ${source}`);
  process.exit(1);
}


interface Sample {
  route: string;
  status: number;
  ms: number;
}

const copy = `${source}.load-${process.pid}.db`;
let service: ChildProcess | undefined;

async function main(): Promise<void> {
  // A copy, so the load's writes never change the data set the report benchmarks read.
  process.stdout.write(`Copying ${source} for the run...`);
  const checkpoint = new Database(source);
  checkpoint.pragma('wal_checkpoint(TRUNCATE)');
  checkpoint.close();
  copyFileSync(source, copy);
  // The copy's gigabytes sit in the page cache until written back; the service's first checkpoint would wait for
  // all of them (a stall of seconds inside the measurement). Written back now, before the clock starts.
  const copied = openSync(copy, 'r+');
  fsyncSync(copied);
  closeSync(copied);
  console.log(' done.');

  const config = loadConfig({ DATABASE_PATH: copy, LOG_LEVEL: 'silent' }, false);
  const database = openDatabase(copy);
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  if (!findUserByUsername(database.db, 'load.admin')) createUser(context, systemActor(), { username: 'load.admin', password, fullName: 'Load test', role: 'admin' });
  const day = today(context);
  // Loans with enough left to owe that a day of small payments never passes their payoff.
  const loanIds = (
    database.sqlite
      .prepare(
        "SELECT s.loan_id AS id FROM loan_timeline_segments s JOIN loans l ON l.id = s.loan_id WHERE s.to_day = 99999999 AND s.principal_outstanding > 2000000 AND l.status = 'active' " +
          // A loan rescheduled today takes money from tomorrow on.
          'AND NOT EXISTS (SELECT 1 FROM schedule_versions v WHERE v.loan_id = l.id AND v.version > 1 AND v.effective_on >= ?) ORDER BY random() LIMIT 3000',
      )
      .all(day) as { id: string }[]
  ).map((row) => row.id);
  const sheetGroups = database.sqlite
    .prepare("SELECT g.id AS id, json_group_array(m.id) AS members FROM groups g JOIN members m ON m.group_id = g.id AND m.status = 'active' WHERE g.status = 'active' GROUP BY g.id ORDER BY random() LIMIT 500")
    .all() as { id: string; members: string }[];
  const groups = sheetGroups.map((group) => ({ id: group.id, members: (JSON.parse(group.members) as string[]).slice(0, 5) }));
  const memberIds = groups.flatMap((group) => group.members);
  database.close();

  // The service as npm start runs it: built.
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
  const started = await startService(copy, { entry: serviceEntries.built });
  service = started.process;
  const base = started.base;
  console.log(`The service started on the copy in ${started.startSeconds.toFixed(2)} s.`);
  const login = await fetch(`${base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username: 'load.admin', password }) });
  const token = ((await login.json()) as { token: string }).token;

  let counter = 0;
  const pick = <T>(items: T[]): T => items[Math.floor(Math.random() * items.length)] as T;
  const monthStart = `${day.slice(0, 8)}01`;
  // The day's mix: mostly meetings, payments and loan pages; now and then a report or an export.
  const mix: { weight: number; route: string; request: () => { url: string; body?: unknown } }[] = [
    { weight: 25, route: 'POST /loans/:id/repayments', request: () => ({ url: `/v1/loans/${pick(loanIds)}/repayments`, body: { amount: '10000', paidOn: day } }) },
    {
      weight: 12,
      route: 'POST /groups/:id/collection-sheet',
      request: () => {
        const group = pick(groups);
        const lines = group.members.map((memberId) => ({ memberId, repayment: '0', compulsorySavings: '0', voluntarySavings: '20000' }));
        return { url: `/v1/groups/${group.id}/collection-sheet`, body: { date: day, cashTotal: String(20000 * lines.length), lines } };
      },
    },
    { weight: 10, route: 'POST /members/:id/savings/voluntary/deposits', request: () => ({ url: `/v1/members/${pick(memberIds)}/savings/voluntary/deposits`, body: { amount: '50000', paidOn: day } }) },
    { weight: 25, route: 'GET /loans/:id', request: () => ({ url: `/v1/loans/${pick(loanIds)}` }) },
    { weight: 8, route: 'GET /loans/:id/arrears', request: () => ({ url: `/v1/loans/${pick(loanIds)}/arrears?asOf=${day}` }) },
    { weight: 6, route: 'GET /groups/:id/collection-sheet', request: () => ({ url: `/v1/groups/${pick(groups).id}/collection-sheet?date=${day}` }) },
    { weight: 4, route: 'GET /members?q=', request: () => ({ url: `/v1/members?q=${encodeURIComponent(pick(['hoa', 'lan', 'nguyen thi', 'mai', 'thu']))}&limit=20` }) },
    { weight: 3, route: 'GET /ledger/journal (a day)', request: () => ({ url: `/v1/ledger/journal?from=${day}&to=${day}&limit=100` }) },
  ];
  // The office's desk work, a request at a time every few seconds (not a share of the meetings' traffic): each of
  // these reads the whole province, and a fund runs a few an hour, not one in twenty requests.
  const deskWork: { route: string; url: string }[] = [
    { route: 'GET /reports/arrears', url: `/v1/reports/arrears?asOf=${day}&limit=50` },
    { route: 'GET /reports/portfolio', url: `/v1/reports/portfolio?asOf=${day}&from=${monthStart}&to=${day}` },
    { route: 'GET /reports/outreach', url: `/v1/reports/outreach?from=${day.slice(0, 4)}-01-01&to=${day}` },
    { route: 'GET /exports/trial-balance.csv', url: `/v1/exports/trial-balance.csv?asOf=${day}` },
    { route: 'GET /exports/journal.csv (a day)', url: `/v1/exports/journal.csv?from=${day}&to=${day}` },
  ];
  const deskPauseMs = 5000;
  const totalWeight = mix.reduce((sum, entry) => sum + entry.weight, 0);
  const choose = () => {
    let roll = Math.random() * totalWeight;
    for (const entry of mix) {
      roll -= entry.weight;
      if (roll <= 0) return entry;
    }
    return mix[0] as (typeof mix)[number];
  };

  const samples: Sample[] = [];
  const failures: string[] = [];
  const rss: { second: number; megabytes: number }[] = [];
  const pid = service.pid as number;
  const deadline = performance.now() + durationSeconds * 1000;
  const sampler = setInterval(() => {
    const second = Math.round((performance.now() - (deadline - durationSeconds * 1000)) / 1000);
    rss.push({ second, megabytes: residentMemory(pid).rss / 1024 / 1024 });
    if (interactive) process.stdout.write(`\r${second}/${durationSeconds} s: ${samples.length} requests, ${failures.length} failures, ${rss.at(-1)?.megabytes.toFixed(0)} MB resident`.padEnd(90));
  }, 1000);
  const client = async (desk: boolean) => {
    let turn = 0;
    while (performance.now() < deadline) {
      // The desk's item is fixed now: its request is made after the pause, when the turn has moved on.
      const work = deskWork[turn % deskWork.length];
      const entry = desk ? { route: work?.route ?? '', request: () => ({ url: work?.url ?? '', body: undefined }) } : choose();
      turn += 1;
      if (desk) await new Promise((resolve) => setTimeout(resolve, deskPauseMs));
      if (performance.now() >= deadline) break;
      const { url, body } = entry.request();
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) {
        headers['content-type'] = 'application/json';
        counter += 1;
        headers['idempotency-key'] = `load-${process.pid}-${counter}`;
      }
      const begun = performance.now();
      try {
        const response = await fetch(`${base}${url}`, { method: body === undefined ? 'GET' : 'POST', headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
        const text = await response.text();
        samples.push({ route: entry.route, status: response.status, ms: performance.now() - begun });
        if (response.status >= 300 && failures.length < 20) failures.push(`${entry.route} ${url} → ${response.status} ${text.slice(0, 200)}`);
      } catch (error) {
        samples.push({ route: entry.route, status: 0, ms: performance.now() - begun });
        if (failures.length < 20) failures.push(`${entry.route} ${url} → ${String(error)}`);
      }
    }
  };
  // One of the clients is the office: a report or an export every few seconds.
  await Promise.all([client(true), ...Array.from({ length: clients - 1 }, () => client(false))]);
  clearInterval(sampler);
  if (interactive) process.stdout.write('\r'.padEnd(92) + '\r');

  const routes = [...new Set(samples.map((sample) => sample.route))].sort();
  const percentile = (sorted: number[], fraction: number) => sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
  const table = routes.map((route) => {
    const times = samples.filter((sample) => sample.route === route).map((sample) => sample.ms).sort((a, b) => a - b);
    const errors = samples.filter((sample) => sample.route === route && (sample.status === 0 || sample.status >= 300)).length;
    return { route, requests: times.length, errors, 'p50 ms': Number(percentile(times, 0.5).toFixed(1)), 'p99 ms': Number(percentile(times, 0.99).toFixed(1)), 'max ms': Number((times.at(-1) ?? 0).toFixed(1)) };
  });
  console.log(`\nLoad: ${clients} clients for ${durationSeconds} s on a copy of ${source}: ${samples.length} requests, ${(samples.length / durationSeconds).toFixed(0)} per second.`);
  console.table(table);
  const afterTen = rss.find((entry) => entry.second >= 10)?.megabytes ?? Number.NaN;
  const atEnd = rss.at(-1)?.megabytes ?? Number.NaN;
  const growth = atEnd / afterTen;
  console.log(`Resident memory: ${afterTen.toFixed(0)} MB after 10 s, ${atEnd.toFixed(0)} MB at the end (${((growth - 1) * 100).toFixed(1)} %; target within 20 %: ${Math.abs(growth - 1) <= 0.2 ? 'meets' : 'MISSES'}).`);
  // The whole course, so that a level that keeps rising (a leak) is told from one taken at a collection's peak.
  console.log(`Resident memory every 10 s (MB): ${rss.filter((entry) => entry.second % 10 === 0).map((entry) => entry.megabytes.toFixed(0)).join(', ')}.`);
  const errors = samples.filter((sample) => sample.status === 0 || sample.status >= 300).length;
  if (errors > 0) {
    console.error(`\nFAILED: ${errors} requests failed, e.g.\n${failures.join('\n')}`);
    process.exitCode = 1;
  }
  if (!(Math.abs(growth - 1) <= 0.2)) process.exitCode = 1;
}

main()
  .catch((error: unknown) => {
    console.error(`test:load failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(() => {
    service?.kill('SIGTERM');
    for (const suffix of ['', '-wal', '-shm']) rmSync(`${copy}${suffix}`, { force: true });
  });
