// npm run backup -- --to FILE [--database FILE]: a consistent copy of the fund's database, taken while the service runs
// (SQLite's online backup API, from a read-only connection), then checked (SQLite's integrity check and the ledger's
// verification) before it takes its name. Prints the result; exits 1 when the copy does not check.
import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import { openSnapshot } from '../db/client.js';
import { backUp } from '../src/modules/system/backup.service.js';
import { businessDate, systemClock } from '../src/modules/shared/clock.js';
import { describeVerification, endProgress, fail, operatorConfig, verificationProgress } from './operator.js';

const { values } = parseArgs({ options: { to: { type: 'string' }, database: { type: 'string' } } });
if (!values.to) fail('Usage: npm run backup -- --to FILE [--database FILE]   (for example --to /media/usb/fund-2026-11-23.db)');
const config = operatorConfig(values.database);
if (!existsSync(config.databasePath)) fail(`${config.databasePath} does not exist.`);
if (existsSync(values.to)) fail(`${values.to} already exists: a backup never overwrites a file. Choose a new name (the date in it helps).`);
mkdirSync(dirname(values.to), { recursive: true });

const source = openSnapshot(config.databasePath);
let result;
try {
  // From another process the copy is taken in one step: a write by the service between steps would restart it.
  result = await backUp(source.db, values.to, {
    asOf: businessDate(systemClock.now(), config.fundTimeZone),
    pagesPerStep: 0x7fffffff,
    onCheckProgress: verificationProgress('Checking the copy'),
  });
} finally {
  source.close();
}
endProgress();
console.log(`Copied ${config.databasePath} to ${result.path} (${(result.bytes / 1e6).toFixed(1)} MB) and checked the copy in ${result.seconds.toFixed(1)} s.`);
console.log(`Integrity check: ${result.check.integrity.join('; ') || 'not run'}`);
if (result.check.ledger) for (const line of describeVerification(result.check.ledger)) console.log(line);
if (result.ok) {
  console.log(`The copy checks. Keep it away from this computer (a USB stick in another building), and note its last hash above.`);
} else {
  for (const problem of result.check.problems.slice(0, 20)) console.log(`  ${problem}`);
  console.log(`The copy does NOT check; it was left as ${result.path} for inspection. Run npm run ledger:verify on the database itself.`);
}
process.exit(result.ok ? 0 : 1);
