// npm run import -- groups|members FILE.csv: the same import as POST /v1/imports/... (nothing of a file with a bad row), from a file.
import { readFileSync } from 'node:fs';
import { importGroups, importMembers } from '../src/modules/registry/import.service.js';
import { systemActor } from '../src/modules/shared/access.js';
import { DomainError } from '../src/modules/shared/domain-error.js';
import { fail, openOperator } from './operator.js';

const [kind, file] = process.argv.slice(2);
if ((kind !== 'groups' && kind !== 'members') || !file) fail('Usage: npm run import -- groups|members FILE.csv');

const csv = readFileSync(file, 'utf8');
const { database, context } = openOperator();
const started = performance.now();
if (process.stdout.isTTY) process.stdout.write(`Checking ${file}...\r`);
try {
  const result = await (kind === 'groups' ? importGroups : importMembers)(context, systemActor(), csv);
  console.log(`Imported ${result.imported} ${kind} from ${file} in ${((performance.now() - started) / 1000).toFixed(2)} s.`);
} catch (error) {
  if (error instanceof DomainError) {
    fail(`${error.message}\n${error.details.map((detail) => `  ${detail.path}: ${detail.message}`).join('\n')}`);
  }
  throw error;
} finally {
  database.close();
}
