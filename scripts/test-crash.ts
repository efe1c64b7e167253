// npm run test:crash: the service is killed (SIGKILL) at random moments while several clients post repayments,
// savings deposits and collection sheets; after each restart the clients resend, with the same Idempotency-Key,
// every request whose answer they never saw. At the end: every acknowledged write is stored exactly once, every
// key answers what it answered first, the ledger verifies, the trial balance balances and the subledgers reconcile.
//
//   npm run test:crash                       12 rounds, 6 clients
//   npm run test:crash -- --rounds 20 --clients 8 --seed 7
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { buildApp } from '../src/http/app.js';
import { prepareFund } from '../src/modules/system/setup.service.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext, today } from '../src/modules/shared/context.js';
import { activeLoanDates, seedActiveLoans } from './lib/active-loans.js';
import { startService, stopService } from './lib/service-process.js';

const { values: flags } = parseArgs({
  options: { rounds: { type: 'string', default: '12' }, clients: { type: 'string', default: '6' }, seed: { type: 'string', default: '20261123' } },
  strict: true,
});
const rounds = Math.max(10, Number(flags.rounds));
const clientCount = Math.max(2, Number(flags.clients));
const password = 'crash-test-password';
const interactive = process.stdout.isTTY === true;
const say = (text: string) => (interactive ? process.stdout.write(`\r${text.padEnd(100)}`) : undefined);

// A small deterministic generator, so a failing run can be repeated with its --seed.
let state = Number(flags.seed) >>> 0 || 1;
function random(): number {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
}
const pick = <T>(items: T[]): T => items[Math.floor(random() * items.length)] as T;

type Kind = 'repayment' | 'deposit' | 'sheet';
interface Sent {
  kind: Kind;
  key: string;
  url: string;
  body: unknown;
}
interface Acknowledged extends Sent {
  reply: { transaction?: { id: string }; id?: string };
  text: string;
}

const folder = mkdtempSync(join(tmpdir(), 'fund-crash-'));
const databasePath = join(folder, 'fund.db');
const acknowledged = new Map<string, Acknowledged>();
const unanswered = new Map<string, Sent>();
const problems: string[] = [];
let keyCounter = 0;
let resentTotal = 0;
let child: ChildProcess | undefined;

/** Sends one write; an answer moves it to `acknowledged`, no answer leaves it in `unanswered` for the next round. */
async function send(base: string, token: string, request: Sent): Promise<void> {
  unanswered.set(request.key, request);
  let response: Response;
  try {
    response = await fetch(`${base}${request.url}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': request.key },
      body: JSON.stringify(request.body),
    });
  } catch {
    return; // the service died under it: resent after the restart
  }
  let text: string;
  try {
    text = await response.text();
  } catch {
    return; // died while answering: the client never saw it
  }
  if (response.status === 201 || response.status === 200) {
    const earlier = acknowledged.get(request.key);
    if (earlier && earlier.text !== text) problems.push(`${request.key}: answered differently the second time`);
    acknowledged.set(request.key, { ...request, reply: JSON.parse(text) as Acknowledged['reply'], text });
    unanswered.delete(request.key);
  } else {
    unanswered.delete(request.key);
    problems.push(`${request.kind} ${request.url} (${request.key}) answered ${response.status}: ${text.slice(0, 300)}`);
  }
}

async function main(): Promise<void> {
  // The fund: 3 groups of 20 members, each with an active loan, built in-process through the API.
  say('building the fund...');
  const config = loadConfig({ DATABASE_PATH: databasePath, LOG_LEVEL: 'silent', FUND_ADMIN_PASSWORD: password }, false);
  const database = openDatabase(databasePath);
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  prepareFund(context, password);
  const setup = await buildApp(config, { database });
  const token = ((await setup.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password } })).json() as { token: string }).token;
  const day = today(context);
  const loanIds = await seedActiveLoans(setup, token, { loanCount: 60, groupCount: 3, dates: activeLoanDates(day) });
  const groups = (await setup.inject({ method: 'GET', url: '/v1/groups?limit=200', headers: { authorization: `Bearer ${token}` } })).json() as { items: { id: string }[] };
  const membersOf = new Map<string, string[]>();
  for (const group of groups.items) {
    const members = (await setup.inject({ method: 'GET', url: `/v1/members?groupId=${group.id}&limit=200`, headers: { authorization: `Bearer ${token}` } })).json() as { items: { id: string }[] };
    membersOf.set(group.id, members.items.map((member) => member.id));
  }
  const memberIds = [...membersOf.values()].flat();
  await setup.close();
  database.close();

  const nextRequest = (): Sent => {
    keyCounter += 1;
    const key = `crash-${flags.seed}-${keyCounter}`;
    const roll = random();
    if (roll < 0.5) return { kind: 'repayment', key, url: `/v1/loans/${pick(loanIds)}/repayments`, body: { amount: String(1000 * (1 + Math.floor(random() * 20))), paidOn: day } };
    if (roll < 0.85) return { kind: 'deposit', key, url: `/v1/members/${pick(memberIds)}/savings/voluntary/deposits`, body: { amount: String(5000 * (1 + Math.floor(random() * 10))), paidOn: day } };
    const groupId = pick([...membersOf.keys()]);
    const lines = (membersOf.get(groupId) ?? []).slice(0, 4).map((memberId) => ({ memberId, repayment: '0', compulsorySavings: '0', voluntarySavings: '10000' }));
    return { kind: 'sheet', key, url: `/v1/groups/${groupId}/collection-sheet`, body: { date: day, cashTotal: String(10000 * lines.length), lines } };
  };

  for (let round = 1; round <= rounds; round += 1) {
    const service = await startService(databasePath, { env: { FUND_ADMIN_PASSWORD: password } });
    child = service.process;
    // First, what went unanswered: the same keys, the same bodies.
    const resend = [...unanswered.values()];
    resentTotal += resend.length;
    await Promise.all(resend.map((request) => send(service.base, token, request)));
    let running = true;
    const clients = Array.from({ length: clientCount }, async () => {
      while (running) await send(service.base, token, nextRequest());
    });
    await new Promise((resolve) => setTimeout(resolve, 150 + Math.floor(random() * 900)));
    running = false;
    await stopService(service.process, 'SIGKILL');
    await Promise.all(clients);
    say(`round ${round}/${rounds}: ${acknowledged.size} acknowledged, ${unanswered.size} unanswered at the kill, ${resend.length} resent`);
  }

  // The last start: resend what is left, then check.
  const service = await startService(databasePath, { env: { FUND_ADMIN_PASSWORD: password } });
  child = service.process;
  resentTotal += unanswered.size;
  await Promise.all([...unanswered.values()].map((request) => send(service.base, token, request)));
  if (unanswered.size > 0) problems.push(`${unanswered.size} requests still unanswered after the last restart`);
  const get = async (url: string) => (await fetch(`${service.base}${url}`, { headers: { authorization: `Bearer ${token}` } })).json() as Promise<Record<string, unknown>>;
  const trial = await get(`/v1/ledger/trial-balance?asOf=${day}`);
  const reconciliation = await get(`/v1/ledger/reconciliation?asOf=${day}`);
  const verify = await fetch(`${service.base}/v1/ledger/verify`, { headers: { authorization: `Bearer ${token}` } });
  const verification = (await verify.json()) as { ok: boolean };
  if (verify.status !== 200) problems.push(`ledger verify answered ${verify.status}: ${JSON.stringify(verification).slice(0, 300)}`);
  await stopService(service.process, 'SIGKILL');
  child = undefined;

  // Read the file itself: every acknowledged write once, nothing unacknowledged.
  const file = new Database(databasePath, { readonly: true });
  const countWhere = (sql: string, ...values: unknown[]) => (file.prepare(sql).get(...values) as { count: number }).count;
  const byKind = (kind: Kind) => [...acknowledged.values()].filter((entry) => entry.kind === kind);
  for (const entry of byKind('repayment')) {
    if (countWhere("SELECT count(*) AS count FROM loan_transactions WHERE id = ? AND type = 'repayment'", entry.reply.transaction?.id) !== 1) problems.push(`repayment ${entry.key} (${entry.reply.transaction?.id}) is not stored once`);
  }
  for (const entry of byKind('deposit')) {
    if (countWhere('SELECT count(*) AS count FROM savings_transactions WHERE id = ?', entry.reply.transaction?.id) !== 1) problems.push(`deposit ${entry.key} (${entry.reply.transaction?.id}) is not stored once`);
  }
  for (const entry of byKind('sheet')) {
    if (countWhere('SELECT count(*) AS count FROM collection_sheets WHERE id = ?', entry.reply.id) !== 1) problems.push(`sheet ${entry.key} (${entry.reply.id}) is not stored once`);
  }
  const storedRepayments = countWhere("SELECT count(*) AS count FROM loan_transactions WHERE type = 'repayment'");
  const storedSheets = countWhere('SELECT count(*) AS count FROM collection_sheets');
  const storedDeposits = countWhere("SELECT count(*) AS count FROM savings_transactions WHERE type = 'deposit' AND kind = 'voluntary' AND collection_sheet_id IS NULL");
  if (storedRepayments !== byKind('repayment').length) problems.push(`${storedRepayments} repayments stored for ${byKind('repayment').length} keys acknowledged`);
  if (storedSheets !== byKind('sheet').length) problems.push(`${storedSheets} sheets stored for ${byKind('sheet').length} keys acknowledged`);
  if (storedDeposits !== byKind('deposit').length) problems.push(`${storedDeposits} deposits stored for ${byKind('deposit').length} keys acknowledged`);
  for (const entry of acknowledged.values()) {
    const record = file.prepare('SELECT response_body AS body FROM idempotency_records WHERE key = ?').get(entry.key) as { body: string } | undefined;
    if (!record || JSON.stringify(JSON.parse(record.body)) !== JSON.stringify(JSON.parse(entry.text))) problems.push(`key ${entry.key}: the stored answer is not the one given`);
  }
  const integrity = (file.pragma('integrity_check') as { integrity_check: string }[])[0]?.integrity_check;
  file.close();
  if (integrity !== 'ok') problems.push(`integrity_check: ${integrity}`);
  if (trial.totalDebit !== trial.totalCredit) problems.push(`trial balance: debits ${String(trial.totalDebit)} ≠ credits ${String(trial.totalCredit)}`);
  if (reconciliation.ok !== true) problems.push(`reconciliation failed: ${JSON.stringify(reconciliation).slice(0, 500)}`);
  if (verification.ok !== true) problems.push(`ledger verify failed: ${JSON.stringify(verification).slice(0, 500)}`);

  say('');
  if (interactive) process.stdout.write('\r');
  console.log(`Crash test: ${rounds} rounds of ${clientCount} clients, each ended by SIGKILL at a random moment (seed ${flags.seed}).`);
  console.log(`Acknowledged and found exactly once: ${byKind('repayment').length} repayments, ${byKind('deposit').length} deposits, ${byKind('sheet').length} collection sheets.`);
  console.log(`${resentTotal} requests went unanswered at a kill and were resent with the same keys after the restart: each answered once, none posted twice (stored counts equal acknowledged keys).`);
  console.log(`SQLite integrity_check: ${integrity}; trial balance ${trial.totalDebit === trial.totalCredit ? 'balances' : 'DOES NOT balance'}; reconciliation ${reconciliation.ok === true ? 'holds' : 'FAILS'}; ledger verify ${verification.ok ? 'passes' : 'FAILS'}.`);
  if (problems.length > 0) {
    console.error(`\nFAILED:\n${problems.slice(0, 30).join('\n')}`);
    process.exitCode = 1;
  }
}

main()
  .catch((error: unknown) => {
    console.error(`\ntest:crash failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    process.exitCode = 1;
  })
  .finally(async () => {
    if (child) await stopService(child, 'SIGKILL');
    rmSync(folder, { recursive: true, force: true });
  });
