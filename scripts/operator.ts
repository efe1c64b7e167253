// What every operator script shares: the configuration, the migrated database, and a service context.
import { loadConfig, ConfigError, type Config } from '../src/config.js';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../db/client.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext, type ServiceContext } from '../src/modules/shared/context.js';
import { prepareFund } from '../src/modules/system/setup.service.js';
import type { LedgerVerification, VerifyProgress } from '../src/modules/ledger/verify.service.js';

export interface Operator {
  config: Config;
  database: DatabaseHandle;
  context: ServiceContext;
}

/** The configuration, with `--database FILE` in place of DATABASE_PATH when given; a bad value ends the command. */
export function operatorConfig(database?: string): Config {
  try {
    return loadConfig({ ...process.env, ...(database ? { DATABASE_PATH: database } : {}) });
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
}

export function openOperator(): Operator {
  const config = operatorConfig();
  const database = openDatabase(config.databasePath);
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  const admin = prepareFund(context, config.adminPassword, readModelProgress);
  endProgress();
  if (admin.generatedPassword) console.log(`Created the first user "admin" with the password ${admin.generatedPassword} (shown only this once).`);
  return { config, database, context };
}

export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}

/** A line that rewrites itself on a terminal (progress of a long command); nothing when the output is a file. */
export function progress(text: string): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${text}`.padEnd(78));
}

/** The loans' read models rebuilt under this version's rules (prepareFund, on a database older rules made). */
export function readModelProgress(done: number, total: number): void {
  progress(`Rebuilding the loans' read models under this version's rules: ${done} / ${total}`);
}

/** A verification's progress on a TTY: the journal's entries read, then the loans replayed. */
export function verificationProgress(what: string): VerifyProgress {
  return (checked, total, of) => progress(`${what}: ${checked} / ${total} ${of === 'entries' ? 'journal entries' : 'loans replayed'}`);
}

export function endProgress(): void {
  if (process.stdout.isTTY) process.stdout.write(`\r${''.padEnd(78)}\r`);
}

const count = new Intl.NumberFormat('en-US');

/** The verification of a ledger in words: what was checked, the chain's end, and the problems, first first. */
export function describeVerification(verification: LedgerVerification, seconds?: number): string[] {
  const lines = [
    `${count.format(verification.entriesChecked)} journal entries and ${count.format(verification.linesChecked)} lines checked${seconds === undefined ? '' : ` in ${seconds.toFixed(1)} s`} (as of ${verification.asOf}).`,
    `Chain ends at entry ${verification.lastSequence ?? '-'} with hash ${verification.lastHash ?? '-'}`,
    `Debits ${count.format(verification.totalDebit)}, credits ${count.format(verification.totalCredit)}.`,
    `Subledgers: ${verification.reconciliation.checks.map((check) => `${check.name} ${check.ok ? 'reconcile' : `DIFFER by ${check.difference}`}`).join('; ')}.`,
  ];
  if (verification.ok) return [...lines, 'OK: every entry balances, the hash chain is unbroken, the trial balance balances, the subledgers reconcile, every record agrees with the entry that booked it and every loan with its history.'];
  return [
    ...lines,
    `BROKEN: ${verification.problemCount} problem${verification.problemCount === 1 ? '' : 's'}.`,
    ...verification.problems.slice(0, 20).map((problem) => `  ${problem.check}${problem.sequence === undefined ? '' : ` at entry ${problem.sequence} (${problem.entryId})`}: ${problem.message}`),
    ...(verification.problemCount > 20 ? [`  … and ${verification.problemCount - 20} more`] : []),
  ];
}
