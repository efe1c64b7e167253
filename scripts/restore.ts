// npm run restore -- --from FILE [--database FILE]: replaces the fund's database with a backup copy, only if the copy
// checks (SQLite's integrity check and the ledger's verification), once brought to this version as the service would
// at its start (schema migrated, read models rebuilt when older rules made them). Stop the service first: a database
// file that is open elsewhere is refused. The replaced file is kept beside it as <file>.before-restore-<time>.
import { parseArgs } from 'node:util';
import { restore } from '../src/modules/system/backup.service.js';
import { businessDate, systemClock } from '../src/modules/shared/clock.js';
import { describeVerification, endProgress, fail, operatorConfig, verificationProgress } from './operator.js';

const { values } = parseArgs({ options: { from: { type: 'string' }, database: { type: 'string' } } });
if (!values.from) fail('Usage: npm run restore -- --from FILE [--database FILE]   (stop the service first)');
const config = operatorConfig(values.database);

const started = performance.now();
const result = await restore(values.from, config.databasePath, {
  asOf: businessDate(systemClock.now(), config.fundTimeZone),
  now: systemClock.now(),
  onCheckProgress: verificationProgress(`Checking ${values.from}`),
});
endProgress();
if (!result.restored) {
  console.error(`Not restored: ${config.databasePath} is unchanged.`);
  for (const problem of result.problems.slice(0, 20)) console.error(`  ${problem}`);
  if (result.reason === 'copy_does_not_check') console.error('That copy is damaged or was altered: try an older one.');
  process.exit(1);
}
console.log(`Restored ${config.databasePath} from ${values.from} in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
if (result.check.ledger) for (const line of describeVerification(result.check.ledger)) console.log(line);
if (result.previous) console.log(`The file it replaced is kept as ${result.previous} (delete it once the service runs well).`);
console.log('Start the service again: npm start');
