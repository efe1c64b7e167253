// npm run bench:reports [-- --rounds N]: every report over the `province` synthetic fund and over a tenth of it,
// through the HTTP layer (app.inject), printing each report's median time and the ratio between the two sizes.
// The data sets are built once with `npm run seed` (seed 1) into data/bench/ and reused by later runs.
import { existsSync, mkdirSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../db/client.js';
import { buildApp } from '../../src/http/app.js';
import { systemClock } from '../../src/modules/shared/clock.js';
import { createServiceContext, today } from '../../src/modules/shared/context.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { createUser } from '../../src/modules/auth/auth.service.js';
import { findUserByUsername } from '../../src/modules/auth/auth.repo.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { reportFigures } from './summary.js';
import { endProgress, readModelProgress } from '../operator.js';

const { values } = parseArgs({ options: { rounds: { type: 'string', default: '5' }, only: { type: 'string' } } });
const rounds = Math.max(1, Number(values.rounds));
const folder = 'data/bench';
mkdirSync(folder, { recursive: true });

function dataset(scale: 'tenth' | 'province'): string {
  const path = `${folder}/${scale}-seed1.db`;
  if (!existsSync(path)) {
    console.log(`Building the ${scale} data set into ${path} (once; later runs reuse it)...`);
    const result = spawnSync(process.execPath, ['--import', 'tsx', 'scripts/seed.ts', '--scale', scale, '--seed', '1', '--database', path], { stdio: 'inherit' });
    if (result.status !== 0) throw new Error(`seeding ${scale} failed`);
  }
  return path;
}

async function measure(scale: 'tenth' | 'province') {
  const path = dataset(scale);
  const config = loadConfig({ DATABASE_PATH: path, LOG_LEVEL: 'silent' }, false);
  const database = openDatabase(path);
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  prepareFund(context, config.adminPassword, readModelProgress);
  endProgress();
  // Reports are read as an auditor, who sees the whole fund, whatever the seed made the admin's password.
  if (!findUserByUsername(database.db, 'bench.auditor')) createUser(context, systemActor(), { username: 'bench.auditor', password: 'bench-auditor-password', fullName: 'Bench', role: 'auditor' });
  const app = await buildApp(config, { database });
  const login = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'bench.auditor', password: 'bench-auditor-password' } });
  if (login.statusCode !== 200) throw new Error(`cannot sign in to ${path}: ${login.body}`);
  const token = login.json().token as string;
  const asOf = today(context);
  const year = Number(asOf.slice(0, 4));
  const halfYear = asOf.slice(5, 7) <= '06' ? { from: `${year - 1}-07-01`, to: `${year - 1}-12-31` } : { from: `${year}-01-01`, to: `${year}-06-30` };
  const monthStart = `${asOf.slice(0, 8)}01`;
  const loans = (await app.inject({ method: 'GET', url: '/v1/loans?status=active&limit=1', headers: { authorization: `Bearer ${token}` } })).json().items as { id: string }[];
  const reports: Record<string, string> = {
    'outreach (half-year)': `/v1/reports/outreach?from=${halfYear.from}&to=${halfYear.to}`,
    'outreach by commune': `/v1/reports/outreach?from=${halfYear.from}&to=${halfYear.to}&groupBy=commune`,
    'portfolio (today)': `/v1/reports/portfolio?asOf=${asOf}&from=${monthStart}&to=${asOf}`,
    'portfolio by officer': `/v1/reports/portfolio?asOf=${asOf}&from=${monthStart}&to=${asOf}&groupBy=officer`,
    'portfolio (30 June)': `/v1/reports/portfolio?asOf=${halfYear.to}&from=${halfYear.to.slice(0, 8)}01&to=${halfYear.to}`,
    'arrears list': `/v1/reports/arrears?asOf=${asOf}`,
    'arrears list (CSV)': `/v1/reports/arrears?asOf=${asOf}&format=csv`,
    ...(loans[0] ? { 'one loan’s arrears': `/v1/loans/${loans[0].id}/arrears?asOf=${asOf}` } : {}),
  };
  const times: Record<string, number> = {};
  const sizes: Record<string, number> = {};
  for (const [name, url] of Object.entries(reports)) {
    const samples: number[] = [];
    for (let round = 0; round <= rounds; round += 1) {
      const started = performance.now();
      const reply = await app.inject({ method: 'GET', url, headers: { authorization: `Bearer ${token}` } });
      const elapsed = performance.now() - started;
      if (reply.statusCode !== 200) throw new Error(`${name} answered ${reply.statusCode}: ${reply.body.slice(0, 300)}`);
      // The first round warms the statement caches and the page cache; it is not counted.
      if (round > 0) samples.push(elapsed);
      sizes[name] = reply.body.length;
      if (process.stdout.isTTY) process.stdout.write(`\r${scale}: ${name} ${round}/${rounds}`.padEnd(70));
    }
    samples.sort((a, b) => a - b);
    times[name] = samples[Math.floor(samples.length / 2)] as number;
  }
  // The process's resident memory with the reports' thread and its page cache after every report has run.
  const residentMb = process.memoryUsage().rss / 1024 ** 2;
  const counts = database.sqlite.prepare("SELECT (SELECT count(*) FROM groups) AS groups, (SELECT count(*) FROM members) AS members, (SELECT count(*) FROM loans) AS loans, (SELECT count(*) FROM loan_transactions WHERE type = 'repayment') AS repayments").get() as Record<string, number>;
  await app.close();
  database.close();
  if (process.stdout.isTTY) process.stdout.write('\r'.padEnd(72) + '\r');
  return { times, sizes, counts, residentMb };
}

if (values.only === 'tenth' || values.only === 'province') {
  const single = await measure(values.only);
  console.log(`Data set ${values.only}: ${JSON.stringify(single.counts)}; resident memory after the reports ${single.residentMb.toFixed(0)} MB`);
  console.table(Object.entries(single.times).map(([report, ms]) => ({ report, ms: ms.toFixed(1), KB: ((single.sizes[report] ?? 0) / 1024).toFixed(0) })));
  process.exit(0);
}
const small = await measure('tenth');
const large = await measure('province');
console.log(`Data sets: tenth ${JSON.stringify(small.counts)}; province ${JSON.stringify(large.counts)}`);
console.log(`Resident memory after the reports: tenth ${small.residentMb.toFixed(0)} MB, province ${large.residentMb.toFixed(0)} MB`);
console.table(
  Object.keys(large.times).map((name) => ({
    report: name,
    'tenth ms': (small.times[name] ?? 0).toFixed(1),
    'province ms': (large.times[name] ?? 0).toFixed(1),
    'ratio (target ≤ 10)': ((large.times[name] ?? 0) / (small.times[name] ?? 1)).toFixed(1),
    'province KB': ((large.sizes[name] ?? 0) / 1024).toFixed(0),
    'under 300 ms': (large.times[name] ?? 0) < 300 ? 'yes' : 'NO',
  })),
);
reportFigures(
  'reports',
  Object.keys(large.times).map((name) => {
    const provinceMs = large.times[name] ?? 0;
    const ratio = provinceMs / (small.times[name] ?? 1);
    return { figure: `${name}, province (ratio to a tenth)`, value: `${provinceMs.toFixed(0)} ms (${ratio.toFixed(1)})`, target: '< 300 ms, ratio ≤ 10', meets: provinceMs < 300 && ratio <= 10 };
  }),
);
