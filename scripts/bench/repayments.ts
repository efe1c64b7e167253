// npm run bench:repayments: durable repayments per second through the whole service (HTTP, auth, replayed
// allocation, journal entry, idempotency record), with group commit and with one commit per request, beside a bare
// Fastify route that inserts one row per request, all on fresh file databases with the service's pragmas (WAL,
// synchronous=FULL), one after the other, at each number of connections.
//
//   npm run bench:repayments                                   10 s per server, at 10 then 50 connections, 3 rounds
//   npm run bench:repayments -- --duration 20 --connections 4,10 --warmup 3 --rounds 5
//
// The three servers take turns, round after round, and each figure is the median of its rounds: the machine's disk
// and processor drift by a fifth or more over minutes, and a ratio taken from runs minutes apart measured the drift.
//
// It seeds 1,000 active loans a round through the API (areas, 20 groups of 50 members a round by CSV import, a product, then each
// loan applied, approved and disbursed three months ago), starts each server on 127.0.0.1 and an ephemeral port,
// and drives it with autocannon: every request a unique Idempotency-Key, 10,000 đồng paid today, the loans taken
// in turn so that no loan's history grows long. Autocannon runs in a worker thread so that the load generator
// does not share the servers' event loop. Any non-2xx answer or connection error fails the run (exit code 1).
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { Worker } from 'node:worker_threads';
import Fastify, { type FastifyInstance } from 'fastify';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../../db/client.js';
import { type App, buildApp } from '../../src/http/app.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { activeLoanDates, seedActiveLoans } from '../lib/active-loans.js';
import { type Figure, reportFigures } from './summary.js';
import { systemClock } from '../../src/modules/shared/clock.js';
import { createServiceContext, today } from '../../src/modules/shared/context.js';

const { values: flags } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    connections: { type: 'string', default: '10,50' },
    warmup: { type: 'string', default: '2' },
    rounds: { type: 'string', default: '3' },
  },
  strict: true,
});
function positiveWhole(name: string, text: string): number {
  const value = Number(text);
  if (!Number.isSafeInteger(value) || value < 1) throw new Error(`--${name} takes a positive whole number, not ${text}`);
  return value;
}
const duration = positiveWhole('duration', flags.duration);
const connectionCounts = flags.connections.split(',').map((text) => positiveWhole('connections', text.trim()));
const warmup = positiveWhole('warmup', flags.warmup);
const rounds = positiveWhole('rounds', flags.rounds);

// A thousand loans a round, so that the loans' histories grow no longer with more rounds (a repayment replays its loan).
const loanCount = 1000 * rounds;
const groupCount = 20 * rounds;
const repaymentAmount = '10000';
const password = 'bench-password';
const interactive = process.stdout.isTTY === true;
const progress = (text: string) => {
  if (interactive) process.stdout.write(`\r${text.padEnd(72)}`);
};

// ---------------------------------------------------------------------------------------------------
// The load generator: autocannon in a worker thread, one run per call. The worker is plain JavaScript (tsx does
// not load TypeScript into worker threads on Node 20), importing autocannon by its resolved file URL.

interface LoadOptions {
  url: string;
  connections: number;
  duration: number;
  headers: Record<string, string>;
  pathPrefix: string;
  pathSuffix: string;
  loanIds: string[];
  /** Where in loanIds the first request goes; the next ones take the loans in turn. */
  firstLoan: number;
  keyPrefix: string;
  body: string;
}

interface LoadResult {
  total: number;
  seconds: number;
  latency: { p50: number; p90: number; p97_5: number; p99: number; max: number; average: number };
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** The first few answers that were not 2xx, status and the start of the body. */
  rejected: string[];
  /** Requests built (sent or about to be): where the next run should continue the loans' rotation. */
  built: number;
}

const loadWorkerSource = `
(async () => {
  const { parentPort, workerData } = await import('node:worker_threads');
  const { default: autocannon } = await import(workerData.autocannonUrl);
  const { url, connections, duration, headers, pathPrefix, pathSuffix, loanIds, firstLoan, keyPrefix, body } = workerData.options;
  let built = 0;
  const rejected = [];
  const times = [];
  const instance = autocannon(
    {
      url, connections, duration, method: 'POST', headers,
      requests: [{
        setupRequest(request) {
          const index = built++;
          request.path = pathPrefix + loanIds[(firstLoan + index) % loanIds.length] + pathSuffix;
          request.headers['idempotency-key'] = keyPrefix + index;
          request.body = body;
          return request;
        },
        onResponse(status, responseBody) {
          const sample = status + ' ' + String(responseBody).slice(0, 400);
          if ((status < 200 || status > 299) && rejected.length < 3 && !rejected.includes(sample)) rejected.push(sample);
        },
      }],
    },
    (error, result) => {
      if (error) { parentPort.postMessage({ kind: 'failed', message: String(error && error.stack || error) }); return; }
      // In a worker thread autocannon hands back its raw result (histograms encoded); the latencies are taken
      // from the response events instead, in fractions of a millisecond, 2xx or not.
      times.sort((a, b) => a - b);
      const at = (fraction) => times.length === 0 ? 0 : times[Math.min(times.length - 1, Math.ceil(fraction * times.length) - 1)];
      const statusCodes = {};
      for (const [code, { count }] of Object.entries(result.statusCodeStats || {})) statusCodes[code] = Number(count);
      parentPort.postMessage({ kind: 'done', result: {
        total: result.totalCompletedRequests,
        seconds: result.duration,
        latency: { p50: at(0.5), p90: at(0.9), p97_5: at(0.975), p99: at(0.99), max: at(1), average: times.reduce((sum, time) => sum + time, 0) / Math.max(1, times.length) },
        ok: result['2xx'],
        non2xx: result.non2xx,
        errors: result.errors,
        timeouts: result.timeouts,
        statusCodes,
        rejected,
        built,
      } });
    },
  );
  instance.on('response', (client, statusCode, bytes, responseTime) => { times.push(responseTime); });
  let seconds = 0;
  instance.on('tick', ({ counter }) => { seconds += 1; parentPort.postMessage({ kind: 'tick', seconds, counter }); });
})().catch((error) => {
  import('node:worker_threads').then(({ parentPort }) => parentPort.postMessage({ kind: 'failed', message: String(error && error.stack || error) }));
});
`;

const autocannonUrl = pathToFileURL(createRequire(import.meta.url).resolve('autocannon')).href;

function runLoad(label: string, options: LoadOptions): Promise<LoadResult> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(loadWorkerSource, { eval: true, workerData: { autocannonUrl, options } });
    let settled = false;
    worker.on('message', (message: { kind: 'tick'; seconds: number; counter: number } | { kind: 'done'; result: LoadResult } | { kind: 'failed'; message: string }) => {
      if (message.kind === 'tick') {
        if (message.seconds <= options.duration) progress(`${label}: ${message.seconds}/${options.duration} s, ${message.counter} req/s`);
      } else {
        settled = true;
        void worker.terminate();
        if (message.kind === 'done') resolve(message.result);
        else reject(new Error(`autocannon failed: ${message.message}`));
      }
    });
    worker.on('error', (error) => {
      settled = true;
      reject(error);
    });
    worker.on('exit', (code) => {
      if (!settled) reject(new Error(`the load worker stopped (exit code ${code}) before it answered`));
    });
  });
}

async function listen(server: FastifyInstance): Promise<string> {
  await server.listen({ host: '127.0.0.1', port: 0 });
  const address = server.server.address() as AddressInfo;
  return `http://127.0.0.1:${address.port}`;
}

// ---------------------------------------------------------------------------------------------------
// The bare floor: one INSERT per request on a file with the same pragmas, behind a plain Fastify route.

function bareServer(database: DatabaseHandle): FastifyInstance {
  database.sqlite.exec(
    'CREATE TABLE IF NOT EXISTS repayments (id INTEGER PRIMARY KEY, loan_id TEXT NOT NULL, amount TEXT NOT NULL, paid_on TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, recorded_at TEXT NOT NULL)',
  );
  const insert = database.sqlite.prepare('INSERT INTO repayments (loan_id, amount, paid_on, idempotency_key, recorded_at) VALUES (?, ?, ?, ?, ?)');
  const server = Fastify({ logger: false });
  server.post<{ Params: { id: string }; Body: { amount: string; paidOn: string } }>('/bare/loans/:id/repayments', async (request, reply) => {
    const result = insert.run(request.params.id, request.body.amount, request.body.paidOn, String(request.headers['idempotency-key']), new Date().toISOString());
    return reply.status(201).send({ id: Number(result.lastInsertRowid) });
  });
  return server;
}

// ---------------------------------------------------------------------------------------------------

const folder = mkdtempSync(join(tmpdir(), 'fund-bench-repayments-'));
const config = loadConfig({ DATABASE_PATH: join(folder, 'fund.db'), LOG_LEVEL: 'silent', FUND_ADMIN_PASSWORD: password }, false);
const database = openDatabase(config.databasePath);
const bareDatabase = openDatabase(join(folder, 'bare.db'));
let app: App | undefined;
let bare: FastifyInstance | undefined;
let cleanedUp = false;
const closed = new Set<FastifyInstance>();
async function closeServer(server: FastifyInstance | undefined): Promise<void> {
  if (!server || closed.has(server)) return;
  closed.add(server);
  await server.close();
}
async function cleanUp(): Promise<void> {
  if (cleanedUp) return;
  cleanedUp = true;
  await closeServer(bare);
  await closeServer(app);
  bareDatabase.close();
  database.close();
  rmSync(folder, { recursive: true, force: true });
}
process.once('SIGINT', () => {
  void cleanUp().finally(() => process.exit(130));
});

interface Measured {
  what: string;
  connections: number;
  round: number;
  warm: LoadResult;
  run: LoadResult;
}

const rateOf = (measured: Measured) => measured.run.total / measured.run.seconds;
const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[middle] as number) : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
};

/** One server's rounds at one number of connections, summed up by their medians. */
interface Summary {
  what: string;
  connections: number;
  rate: number;
  rates: number[];
  p50: number;
  p99: number;
  max: number;
  requests: number;
  non2xx: number;
  errors: number;
}

function summarise(results: Measured[]): Summary {
  const first = results[0] as Measured;
  return {
    what: first.what,
    connections: first.connections,
    rate: median(results.map(rateOf)),
    rates: results.map(rateOf),
    p50: median(results.map((result) => result.run.latency.p50)),
    p99: median(results.map((result) => result.run.latency.p99)),
    max: Math.max(...results.map((result) => result.run.latency.max)),
    requests: results.reduce((sum, result) => sum + result.run.total, 0),
    non2xx: results.reduce((sum, result) => sum + result.run.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.run.errors, 0),
  };
}

try {
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  prepareFund(context, config.adminPassword);
  const seeding = await buildApp(config, { database });
  await seeding.ready();
  const login = await seeding.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password } });
  if (login.statusCode !== 200) throw new Error(`login failed: ${login.body}`);
  const token = (login.json() as { token: string }).token;

  const paidOn = today(context);
  const dates = activeLoanDates(paidOn);
  const seedStarted = performance.now();
  const loanIds = await seedActiveLoans(seeding, token, { loanCount, groupCount, dates, onProgress: progress });
  const seedSeconds = (performance.now() - seedStarted) / 1000;
  await seeding.close();
  database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  progress('');
  if (interactive) process.stdout.write('\r');
  console.log(`Seeded ${loanIds.length} active loans (disbursed ${dates.disbursedOn}) through the API in ${seedSeconds.toFixed(1)} s.`);

  const body = JSON.stringify({ amount: repaymentAmount, paidOn });
  const runId = `${process.pid}-${Date.now()}`;
  let nextLoan = 0;

  // One server at a time: warm-up, then the measured run, then it is closed. The loans are taken in turn across
  // runs, so that no loan's history grows much longer than another's.
  const measure = async (what: string, server: FastifyInstance, connections: number, round: number, options: Pick<LoadOptions, 'headers' | 'pathPrefix' | 'pathSuffix'>): Promise<Measured> => {
    const url = await listen(server);
    const slug = `${what.replace(/[^a-z]+/g, '-')}-${connections}-${round}`;
    const common = { ...options, url, connections, loanIds, body };
    const label = `round ${round + 1}/${rounds}: ${what} × ${connections}`;
    const warm = await runLoad(`${label}: warm-up`, { ...common, duration: warmup, firstLoan: nextLoan, keyPrefix: `bench-${runId}-${slug}-warm-` });
    const run = await runLoad(label, { ...common, duration, firstLoan: nextLoan + warm.built, keyPrefix: `bench-${runId}-${slug}-run-` });
    nextLoan += warm.built + run.built;
    await closeServer(server);
    return { what, connections, round, warm, run };
  };
  const serviceOptions = { headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, pathPrefix: '/v1/loans/', pathSuffix: '/repayments' };
  const bareOptions = { headers: { 'content-type': 'application/json' }, pathPrefix: '/bare/loans/', pathSuffix: '/repayments' };

  const measured: Measured[] = [];
  for (const connections of connectionCounts) {
    for (let round = 0; round < rounds; round += 1) {
      bare = bareServer(bareDatabase);
      measured.push(await measure('bare insert', bare, connections, round, bareOptions));
      app = await buildApp({ ...config, writeBatchMax: 1 }, { database });
      measured.push(await measure('repayments, one commit each', app, connections, round, serviceOptions));
      app = await buildApp(config, { database });
      measured.push(await measure('repayments, group commit', app, connections, round, serviceOptions));
    }
  }
  const summaries = connectionCounts.flatMap((connections) =>
    ['bare insert', 'repayments, one commit each', 'repayments, group commit'].map((what) => summarise(measured.filter((result) => result.what === what && result.connections === connections))),
  );
  progress('');
  if (interactive) process.stdout.write('\r');

  // What reached the files: every 2xx is a row, plus at most one request per connection still in flight when a run ended.
  const storedRepayments = (database.sqlite.prepare("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'").get() as { count: number }).count;
  const storedBareRows = (bareDatabase.sqlite.prepare('SELECT count(*) AS count FROM repayments').get() as { count: number }).count;
  const loansRepaid = (database.sqlite.prepare("SELECT count(DISTINCT loan_id) AS count FROM loan_transactions WHERE type = 'repayment'").get() as { count: number }).count;

  const ms = (value: number) => Number(value.toFixed(2));
  const row = (result: Summary) => {
    const floor = summaries.find((candidate) => candidate.what === 'bare insert' && candidate.connections === result.connections);
    return {
      what: result.what === 'bare insert' ? 'bare Fastify INSERT (floor)' : `POST repayments, ${result.what.replace('repayments, ', '')}`,
      conns: result.connections,
      requests: result.requests,
      'req/s': Math.round(result.rate),
      'rounds req/s': result.rates.map((rate) => Math.round(rate)).join(' / '),
      'vs bare': floor ? Number((result.rate / floor.rate).toFixed(2)) : null,
      'p50 ms': ms(result.p50),
      'p99 ms': ms(result.p99),
      'max ms': ms(result.max),
      'non-2xx': result.non2xx,
      errors: result.errors,
    };
  };
  console.log(
    `\nRepayments against a bare insert: ${rounds} rounds of ${duration} s each after a ${warmup} s warm-up, the servers in turn; medians of the rounds. ` +
      `Durable commits: bare insert and one commit each synchronous=FULL; group commit up to ${config.writeBatchMax} per commit, its WAL flushed off the thread before answering`,
  );
  console.table(summaries.map(row));

  const figures: Figure[] = [];
  const at = (what: string, connections: number) => summaries.find((candidate) => candidate.what === what && candidate.connections === connections);
  const verdict = (ok: boolean) => (ok ? 'meets' : 'MISSES');
  for (const connections of connectionCounts) {
    const floor = at('bare insert', connections);
    const single = at('repayments, one commit each', connections);
    const grouped = at('repayments, group commit', connections);
    if (!floor || !single || !grouped) continue;
    const ratio = grouped.rate / floor.rate;
    const gain = grouped.rate / single.rate;
    const p99 = grouped.p99;
    figures.push(
      { figure: `repayments/s, group commit, ${connections} connections`, value: `${Math.round(grouped.rate)} (bare insert ${Math.round(floor.rate)})` },
      { figure: `group commit / bare insert, ${connections} connections`, value: `${ratio.toFixed(2)}x`, target: '≥ 0.35x (issue 4), ≥ 1x (issue 8)', meets: ratio >= 1 },
      { figure: `group commit / one commit each, ${connections} connections`, value: `${gain.toFixed(2)}x`, target: '≥ 2.5x', meets: gain >= 2.5 },
      { figure: `repayment p99, group commit, ${connections} connections`, value: `${p99.toFixed(1)} ms`, target: '< 30 ms (issue 4), < 15 ms (issue 8)', meets: p99 < 15 },
    );
    console.log(
      `${connections} connections: group commit / bare insert ${ratio.toFixed(2)}x (targets ≥ 0.35x: ${verdict(ratio >= 0.35)}, ≥ 1x: ${verdict(ratio >= 1)}); ` +
        `group commit / one commit each ${gain.toFixed(2)}x (target ≥ 2.5x: ${verdict(gain >= 2.5)}); p99 ${p99.toFixed(1)} ms (targets < 30 ms: ${verdict(p99 < 30)}, < 15 ms: ${verdict(p99 < 15)}).`,
    );
  }
  reportFigures('repayments', figures);
  console.log(`Stored: ${storedRepayments} repayments on ${loansRepaid} loans, ${storedBareRows} bare rows (warm-up included).`);

  // A benchmark of failing requests measures nothing.
  const problems: string[] = [];
  for (const { what, connections, round, warm, run } of measured) {
    for (const [phase, result] of [['warm-up', warm], ['run', run]] as const) {
      if (result.non2xx > 0 || result.errors > 0 || result.timeouts > 0) {
        problems.push(`${what} × ${connections}, round ${round + 1} ${phase}: ${result.non2xx} non-2xx of ${result.total} (status codes ${JSON.stringify(result.statusCodes)}), ${result.errors} connection errors, ${result.timeouts} timeouts`);
        for (const rejected of result.rejected) problems.push(`  e.g. ${rejected}`);
      }
    }
  }
  const answered = (results: Measured[]) => results.reduce((sum, result) => sum + result.warm.ok + result.run.ok, 0);
  const service = measured.filter((result) => result.what !== 'bare insert');
  const bares = measured.filter((result) => result.what === 'bare insert');
  const slack = (results: Measured[]) => results.reduce((sum, result) => sum + 2 * result.connections, 0);
  if (storedRepayments < answered(service) || storedRepayments > answered(service) + slack(service)) {
    problems.push(`repayments: ${answered(service)} answered 2xx but ${storedRepayments} stored`);
  }
  if (storedBareRows < answered(bares) || storedBareRows > answered(bares) + slack(bares)) {
    problems.push(`bare insert: ${answered(bares)} answered 2xx but ${storedBareRows} stored`);
  }
  if (problems.length > 0) {
    console.error(`\nFAILED: a benchmark of failing requests measures nothing; these figures do not count:\n${problems.join('\n')}`);
    process.exitCode = 1;
  }
} catch (error) {
  progress('');
  console.error(`\nbench:repayments failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanUp();
}
