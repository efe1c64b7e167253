// npm run rebuild-read-models [-- --database FILE]: recomputes every loan's timeline and allocation lines from its
// stored history, and the accounts' daily totals from the journal's lines (after a migration that adds to them, or
// when ledger:verify finds the daily totals differ from lines it otherwise verifies).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext, nowTimestamp } from '../src/modules/shared/context.js';
import { rebuildAllReadModels } from '../src/modules/loans/loan-read-models.js';
import { rebuildAccountDayTotals } from '../src/modules/ledger/journal.repo.js';

const { values } = parseArgs({ options: { database: { type: 'string' } } });
const config = loadConfig({ ...process.env, ...(values.database ? { DATABASE_PATH: values.database } : {}) }, false);
const database = openDatabase(config.databasePath);
migrateDatabase(database);
const context = createServiceContext(config, database.db, systemClock);
const started = performance.now();
const result = rebuildAllReadModels(context.db, nowTimestamp(context), (done, total) => {
  if (process.stdout.isTTY) process.stdout.write(`\rRebuilding read models: ${done}/${total}`);
});
const totals = rebuildAccountDayTotals(context.db);
database.close();
console.log(`${process.stdout.isTTY ? '\r' : ''}Rebuilt the read models of ${result.loans} loans and ${totals.days} account-days of totals in ${((performance.now() - started) / 1000).toFixed(1)} s.`.padEnd(60));
