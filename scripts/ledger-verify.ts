// npm run ledger:verify [-- --database FILE]: recomputes the books from the stored rows (every entry balances, the hash
// chain is unbroken, the trial balance balances, the subledgers reconcile), prints a summary and exits 1 when anything
// is wrong. It reads a snapshot of the file, so it runs beside the service without holding it up.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openSnapshot } from '../db/client.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { businessDate, systemClock } from '../src/modules/shared/clock.js';
import { describeVerification, endProgress, fail, operatorConfig, verificationProgress } from './operator.js';

const { values } = parseArgs({ options: { database: { type: 'string' } } });
const config = operatorConfig(values.database);
if (!existsSync(config.databasePath)) fail(`${config.databasePath} does not exist.`);

const started = performance.now();
let verification;
try {
  const snapshot = openSnapshot(config.databasePath);
  try {
    verification = await verifyLedger(snapshot.db, businessDate(systemClock.now(), config.fundTimeZone), verificationProgress(`Verifying ${config.databasePath}`));
  } finally {
    snapshot.close();
  }
} catch (error) {
  // A folder, an empty file, a file of another kind or another program's database: said plainly, not as a stack.
  endProgress();
  fail(`${config.databasePath} cannot be read as the fund's database: ${(error as Error).message}`);
}
endProgress();
console.log(`Ledger of ${config.databasePath}`);
for (const line of describeVerification(verification, (performance.now() - started) / 1000)) console.log(line);
process.exit(verification.ok ? 0 : 1);
