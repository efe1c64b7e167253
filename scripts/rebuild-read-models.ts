// npm run rebuild-read-models [-- --database FILE]: recomputes every loan's timeline and allocation lines from its
// stored history (after a migration that adds to them, or to prove the stored ones right: it reports differences).
import { parseArgs } from 'node:util';
import { loadConfig } from '../src/config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext } from '../src/modules/shared/context.js';
import { rebuildAllReadModels } from '../src/modules/loans/loan-read-models.js';

const { values } = parseArgs({ options: { database: { type: 'string' } } });
const config = loadConfig({ ...process.env, ...(values.database ? { DATABASE_PATH: values.database } : {}) }, false);
const database = openDatabase(config.databasePath);
migrateDatabase(database);
const context = createServiceContext(config, database.db, systemClock);
const started = performance.now();
const result = rebuildAllReadModels(context.db, (done, total) => {
  if (process.stdout.isTTY) process.stdout.write(`\rRebuilding read models: ${done}/${total}`);
});
database.close();
console.log(`${process.stdout.isTTY ? '\r' : ''}Rebuilt the read models of ${result.loans} loans in ${((performance.now() - started) / 1000).toFixed(1)} s.`.padEnd(60));
