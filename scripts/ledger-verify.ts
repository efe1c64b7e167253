// npm run ledger:verify [-- --database FILE]: recomputes the books from the stored rows (every entry balances, the hash
// chain is unbroken, the trial balance balances, the subledgers reconcile), prints a summary and exits 1 when anything
// is wrong. It reads a snapshot of the file, so it runs beside the service without holding it up.
import { existsSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { openSnapshot } from '../db/client.js';
import { verifyLedger } from '../src/modules/ledger/verify.service.js';
import { businessDate, systemClock } from '../src/modules/shared/clock.js';
import { describeVerification, endProgress, fail, operatorConfig, progress } from './operator.js';

const { values } = parseArgs({ options: { database: { type: 'string' } } });
const config = operatorConfig(values.database);
if (!existsSync(config.databasePath)) fail(`${config.databasePath} does not exist.`);

const started = performance.now();
const snapshot = openSnapshot(config.databasePath);
let verification;
try {
  verification = await verifyLedger(snapshot.db, businessDate(systemClock.now(), config.fundTimeZone), (checked, entries) => progress(`Verifying ${config.databasePath}: ${checked} / ${entries} entries`));
} finally {
  snapshot.close();
}
endProgress();
console.log(`Ledger of ${config.databasePath}`);
for (const line of describeVerification(verification, (performance.now() - started) / 1000)) console.log(line);
process.exit(verification.ok ? 0 : 1);
