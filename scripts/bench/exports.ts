// npm run bench:exports [-- --lines N] [--rebuild] [--only csv|xlsx|verify] [--service built|tsx]: exports a journal of a
// million lines (N) through the HTTP route of a real service, as CSV and as XLSX, and verifies the same ledger through
// GET /v1/ledger/verify; prints rows a second, seconds and the service's peak resident memory for each, with the service
// built (npm start) and from the sources by tsx (npm run dev). Targets: under 15 s and under
// 250 MB for 1,000,000 lines.
//
// The ledger is generated once into data/bench/exports-<N>.db (reused by later runs) by posting balanced entries
// through the ledger module's appendEntry, in large transactions with synchronous=OFF: the bench is about reading the
// journal out, so it writes it the fast way. Each measurement runs in a fresh service process whose peak resident set (VmHWM in /proc) is read after the request: what the export cost, startup included.
import { type ChildProcess, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, renameSync, rmSync, statSync } from 'node:fs';
import { get } from 'node:http';
import { parseArgs } from 'node:util';
import { sql } from 'drizzle-orm';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../db/client.js';
import { formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import type { JournalEntryDraft } from '../../src/ledger/journal.js';
import { createUser } from '../../src/modules/auth/auth.service.js';
import { appendEntry } from '../../src/modules/ledger/journal.repo.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { systemClock } from '../../src/modules/shared/clock.js';
import { createServiceContext } from '../../src/modules/shared/context.js';
import { newId } from '../../src/modules/shared/ids.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { endProgress, progress } from '../operator.js';
import { reportFigures } from './summary.js';
import { type ServiceEntry, residentMemory, serviceEntries, startService, stopService } from '../lib/service-process.js';

const { values } = parseArgs({ options: { lines: { type: 'string', default: '1000000' }, rebuild: { type: 'boolean', default: false }, only: { type: 'string' }, service: { type: 'string' } } });
if (values.service !== undefined && values.service !== 'built' && values.service !== 'tsx') throw new Error('--service is built or tsx');
const lines = Number(values.lines);
if (!Number.isInteger(lines) || lines < 10) throw new Error('--lines takes a whole number of at least 10');
const folder = 'data/bench';
const path = `${folder}/exports-${lines}.db`;
const auditor = { username: 'bench.auditor', password: 'bench-auditor-password' };
const firstDay = parseIsoDate('2020-01-01') as number;
const lastDay = parseIsoDate('2025-12-31') as number;

/** Entries of three lines (cash in, interest, penalty: a member's repayment of income) and two (capital, provision). */
function draftOf(index: number, day: number, members: string[], loans: string[], twoLines: boolean): JournalEntryDraft {
  const entryDate = formatIsoDate(day);
  if (twoLines) {
    const amount = BigInt(5_000_000 + (index % 1000) * 1000);
    const [debit, credit, kind, description] = index % 2 === 0 ? ['1011', '3111', 'capital', 'Góp vốn của quỹ'] as const : ['8823', '2191', 'provision', 'Trích lập dự phòng rủi ro'] as const;
    return { entryDate, kind, description, sourceType: kind, sourceId: `${kind}-${index}`, reversesEntryId: null, lines: [
      { accountCode: debit, debit: amount, credit: 0n, memberId: null, loanId: null },
      { accountCode: credit, debit: 0n, credit: amount, memberId: null, loanId: null },
    ] };
  }
  const owner = { memberId: members[index % members.length] as string, loanId: loans[index % loans.length] as string };
  const interest = BigInt(40_000 + (index % 997) * 100);
  const penalty = BigInt(index % 5 === 0 ? 1_234 + (index % 89) : 1);
  return { entryDate, kind: 'repayment', description: 'Thu lãi kỳ trả nợ', sourceType: 'loan_transaction', sourceId: newId('tx'), reversesEntryId: null, lines: [
    { accountCode: '1011', debit: interest + penalty, credit: 0n, ...owner },
    { accountCode: '7021', debit: 0n, credit: interest, ...owner },
    { accountCode: '7022', debit: 0n, credit: penalty, ...owner },
  ] };
}

function buildLedger(): void {
  mkdirSync(folder, { recursive: true });
  const partial = `${path}.partial`;
  rmSync(partial, { force: true });
  console.log(`Building ${path}: a ledger of ${lines} journal lines (once; later runs reuse it)...`);
  const started = performance.now();
  const config = loadConfig({ DATABASE_PATH: partial, LOG_LEVEL: 'silent' }, false);
  const database = openDatabase(partial);
  migrateDatabase(database);
  database.sqlite.pragma('synchronous = OFF');
  const context = createServiceContext(config, database.db, systemClock);
  prepareFund(context, 'bench-admin-password');
  createUser(context, systemActor(), { ...auditor, fullName: 'Bench auditor', role: 'auditor' });
  const members = Array.from({ length: 5_000 }, () => newId('mb'));
  const loans = Array.from({ length: 8_000 }, () => newId('ln'));
  let written = 0;
  for (let index = 0; lines - written >= 2; ) {
    database.db.transaction((tx) => {
      for (let batch = 0; batch < 20_000 && lines - written >= 2; batch += 1, index += 1) {
        // Six entries of three lines to one of two, dated evenly over six years; two lines to finish on the count.
        const day = firstDay + Math.floor(((lastDay - firstDay) * written) / lines);
        const draft = draftOf(index, day, members, loans, index % 7 === 6 || lines - written < 3);
        appendEntry(tx, draft, 'bench', '2026-01-01T00:00:00.000Z');
        written += draft.lines.length;
      }
    });
    progress(`Building: ${written} / ${lines} lines`);
  }
  const counted = database.db.get<{ count: number }>(sql`SELECT COUNT(*) AS count FROM journal_lines`)?.count;
  database.sqlite.pragma('wal_checkpoint(TRUNCATE)');
  database.close();
  renameSync(partial, path);
  endProgress();
  console.log(`Built ${path}: ${counted} lines in ${((performance.now() - started) / 1000).toFixed(1)} s (${(statSync(path).size / 1e6).toFixed(0)} MB).`);
}

interface Service {
  child: ChildProcess;
  base: string;
  token: string;
}

async function startServiceAs(way: ServiceEntry): Promise<Service> {
  const service = await startService(path, { entry: serviceEntries[way], env: { BACKUP_INTERVAL_MINUTES: '0' } });
  const login = await fetch(`${service.base}/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(auditor) });
  if (!login.ok) throw new Error(`cannot sign in as ${auditor.username}: ${await login.text()}`);
  return { child: service.process, base: service.base, token: ((await login.json()) as { token: string }).token };
}


/** One GET streamed to a hash (never kept): seconds, bytes, the number of line ends, and the service's memory. */
async function measure(name: string, url: string, way: ServiceEntry): Promise<{ name: string; way: ServiceEntry; seconds: number; bytes: number; lineEnds: number; rssBefore: number; peak: number; sha256: string }> {
  const service = await startServiceAs(way);
  const pid = service.child.pid as number;
  const rssBefore = residentMemory(pid).rss;
  const hash = createHash('sha256');
  let bytes = 0;
  let lineEnds = 0;
  const started = performance.now();
  await new Promise<void>((resolve, reject) => {
    get(`${service.base}${url}`, { headers: { authorization: `Bearer ${service.token}` } }, (response) => {
      if (response.statusCode !== 200) reject(new Error(`${name} answered ${response.statusCode}`));
      response.on('data', (chunk: Buffer) => {
        hash.update(chunk);
        bytes += chunk.length;
        for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lineEnds += 1;
        progress(`${name}: ${(bytes / 1e6).toFixed(0)} MB in ${((performance.now() - started) / 1000).toFixed(1)} s, ${(residentMemory(pid).rss / 1e6).toFixed(0)} MB resident`);
      });
      response.on('end', resolve);
      response.on('error', reject);
    }).on('error', reject);
  });
  const seconds = (performance.now() - started) / 1000;
  const { peak } = residentMemory(pid);
  await stopService(service.child);
  endProgress();
  return { name, way, seconds, bytes, lineEnds, rssBefore, peak, sha256: hash.digest('hex') };
}

if (values.rebuild) rmSync(path, { force: true });
if (!existsSync(path)) buildLedger();
const period = `from=${formatIsoDate(firstDay)}&to=${formatIsoDate(lastDay)}`;
const runs = [
  { name: 'journal CSV', only: 'csv', url: `/v1/exports/journal.csv?${period}` },
  { name: 'journal XLSX', only: 'xlsx', url: `/v1/exports/journal.xlsx?${period}` },
  { name: 'ledger verify', only: 'verify', url: '/v1/ledger/verify' },
].filter((run) => values.only === undefined || run.only === values.only);
const ways: ServiceEntry[] = values.service === undefined ? ['built', 'tsx'] : [values.service as ServiceEntry];
if (ways.includes('built')) {
  const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
  if (build.status !== 0) throw new Error('npm run build failed');
}
const results = [];
for (const way of ways) for (const run of runs) results.push(await measure(run.name, run.url, way));
const csv = results.find((result) => result.name === 'journal CSV');
console.log(`Ledger ${path}: ${lines} journal lines (${(statSync(path).size / 1e6).toFixed(0)} MB)${csv ? `; the CSV had ${csv.lineEnds - 1} rows` : ''}.`);
console.table(
  results.map((result) => ({
    run: result.name,
    service: result.way === 'built' ? 'built (npm start)' : 'tsx (npm run dev)',
    seconds: result.seconds.toFixed(1),
    'lines/s': Math.round(lines / result.seconds).toLocaleString('en-US'),
    'MB sent': (result.bytes / 1e6).toFixed(1),
    'RSS before MB': (result.rssBefore / 1e6).toFixed(0),
    'peak RSS MB': (result.peak / 1e6).toFixed(0),
    'under 15 s': result.seconds < 15 ? 'yes' : 'NO',
    'under 250 MB': result.peak < 250e6 ? 'yes' : 'NO',
  })),
);
reportFigures(
  'exports',
  results.flatMap((result) => [
    { figure: `${result.name}, ${lines.toLocaleString('en-US')} lines, ${result.way}`, value: `${result.seconds.toFixed(1)} s (${Math.round(lines / result.seconds).toLocaleString('en-US')} lines/s)`, target: '< 15 s', meets: result.seconds < 15 },
    { figure: `${result.name}, peak resident memory, ${result.way}`, value: `${(result.peak / 1e6).toFixed(0)} MB`, target: '< 250 MB', meets: result.peak < 250e6 },
  ]),
);
