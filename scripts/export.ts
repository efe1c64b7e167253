// npm run export -- NAME.csv|NAME.xlsx --out FILE [--from D --to D | --asOf D] [--areaId ID] [--memberId ID]
//   [--accountCode C] [--database FILE]: an export written to a file on the fund's own machine (the same bytes as
// GET /v1/exports/NAME.FORMAT), then its manifest printed: rows, totals, SHA-256, the journal entry it reaches.
import { createHash } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { openDatabase } from '../db/client.js';
import { type ExportRequest, exportFormats, exportNames, exportQueries } from '../src/modules/exports/export.commands.js';
import { openExport } from '../src/modules/exports/export.service.js';
import { systemActor } from '../src/modules/shared/access.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext } from '../src/modules/shared/context.js';
import { DomainError } from '../src/modules/shared/domain-error.js';
import { formatAmount } from '../src/modules/shared/money-input.js';
import { fail, operatorConfig } from './operator.js';

const parameters = ['from', 'to', 'asOf', 'areaId', 'memberId', 'accountCode'] as const;
const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: { out: { type: 'string' }, database: { type: 'string' }, ...Object.fromEntries(parameters.map((name) => [name, { type: 'string' as const }])) },
});
const [file] = positionals;
const match = file ? /^([a-z-]+)\.([a-z]+)$/.exec(file) : null;
const name = match?.[1] as (typeof exportNames)[number] | undefined;
const format = match?.[2] as (typeof exportFormats)[number] | undefined;
if (!name || !format || !exportNames.includes(name) || !exportFormats.includes(format) || !values.out) {
  fail(`Usage: npm run export -- NAME.csv|NAME.xlsx --out FILE [parameters]; NAME is one of ${exportNames.join(', ')}.`);
}
if (existsSync(values.out)) fail(`${values.out} already exists.`);
const given = values as Record<string, string | undefined>;
const query = exportQueries[name].safeParse(Object.fromEntries(parameters.flatMap((key) => (given[key] === undefined ? [] : [[key, given[key]]]))));
if (!query.success) fail(`Bad parameters: ${query.error.issues.map((issue) => `${issue.path.join('.') || name}: ${issue.message}`).join('; ')}`);

const config = operatorConfig(values.database);
if (!existsSync(config.databasePath)) fail(`${config.databasePath} does not exist.`);
const database = openDatabase(config.databasePath);
const context = createServiceContext(config, database.db, systemClock);
try {
  const opened = openExport(context, systemActor(), { name, format, query: query.data } as ExportRequest);
  const hash = createHash('sha256');
  let bytes = 0;
  const counting = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      hash.update(chunk);
      bytes += chunk.length;
      done(null, chunk);
    },
  });
  await pipeline(opened.stream, counting, createWriteStream(values.out, { flags: 'wx' }));
  console.log(`Wrote ${values.out}: ${opened.summary.rowCount} rows, ${bytes} bytes.`);
  console.log(`Parameters: ${JSON.stringify(opened.parameters)}`);
  for (const [key, total] of Object.entries(opened.summary.totals)) console.log(`Total ${key}: ${formatAmount(total, opened.currency)} ${opened.currency}`);
  console.log(`Journal through entry ${opened.journalThrough?.sequence ?? '-'} (${opened.journalThrough?.hash ?? '-'})`);
  console.log(`SHA-256: ${hash.digest('hex')}`);
} catch (error) {
  if (error instanceof DomainError) fail(`${error.code}: ${error.message}`);
  throw error;
} finally {
  database.close();
}
