// npm run bench:imports: times a 5,000-member CSV import end to end (HTTP, validation, all-or-nothing write) on a
// fresh file database with the service's pragmas, beside a bare prepared-statement insert of the same rows.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { reportFigures } from './summary.js';
import { loadConfig } from '../../src/config.js';
import { migrateDatabase, openDatabase } from '../../db/client.js';
import { buildApp } from '../../src/http/app.js';
import { prepareFund } from '../../src/modules/system/setup.service.js';
import { systemClock } from '../../src/modules/shared/clock.js';
import { createServiceContext } from '../../src/modules/shared/context.js';

const memberCount = 5000;
const groupCount = 100;
const rounds = 3;
const progress = (text: string) => {
  if (process.stdout.isTTY) process.stdout.write(`\r${text.padEnd(60)}`);
};

function membersCsv(): string {
  const rows = ['fullName,sex,dateOfBirth,nationalId,ethnicity,povertyStatus,groupCode,joinedOn,phone'];
  for (let index = 0; index < memberCount; index += 1) {
    rows.push(`Nguyễn Thị Bích ${index},female,1980-05-${String((index % 28) + 1).padStart(2, '0')},${String(300000000000 + index)},01,poor,G${index % groupCount},2024-06-01,0912345678`);
  }
  return rows.join('\n');
}

async function importOnce(round: number): Promise<number> {
  const folder = mkdtempSync(join(tmpdir(), 'fund-bench-import-'));
  const config = loadConfig({ DATABASE_PATH: join(folder, 'fund.db'), LOG_LEVEL: 'silent', FUND_ADMIN_PASSWORD: 'bench-password' }, false);
  const database = openDatabase(config.databasePath);
  migrateDatabase(database);
  prepareFund(createServiceContext(config, database.db, systemClock), config.adminPassword);
  const app = await buildApp(config, { database });
  const token = (await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username: 'admin', password: 'bench-password' } })).json().token as string;
  const call = (url: string, payload: unknown) => app.inject({ method: 'POST', url, headers: { authorization: `Bearer ${token}` }, payload: payload as object });
  const province = (await call('/v1/areas', { code: 'P', name: 'Province', level: 'province' })).json();
  const commune = (await call('/v1/areas', { code: 'C', name: 'Commune', level: 'commune', parentId: province.id })).json();
  await call('/v1/areas', { code: 'V', name: 'Village', level: 'village', parentId: commune.id });
  const groupsCsv = ['code,name,areaCode,formedOn,meetingDay', ...Array.from({ length: groupCount }, (_, index) => `G${index},Group ${index},V,2024-01-01,10`)].join('\n');
  await app.inject({ method: 'POST', url: '/v1/imports/groups', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: groupsCsv });
  progress(`round ${round}: importing ${memberCount} members...`);
  const csv = membersCsv();
  const started = performance.now();
  const reply = await app.inject({ method: 'POST', url: '/v1/imports/members', headers: { authorization: `Bearer ${token}`, 'content-type': 'text/csv' }, payload: csv });
  const elapsed = performance.now() - started;
  if (reply.statusCode !== 201) throw new Error(`import failed: ${reply.body.slice(0, 500)}`);
  await app.close();
  database.close();
  rmSync(folder, { recursive: true, force: true });
  return elapsed;
}

function bareInsertOnce(): number {
  const folder = mkdtempSync(join(tmpdir(), 'fund-bench-bare-'));
  const database = openDatabase(join(folder, 'fund.db'));
  database.sqlite.exec('CREATE TABLE people (id TEXT PRIMARY KEY, full_name TEXT, national_id TEXT UNIQUE, group_code TEXT)');
  const insert = database.sqlite.prepare('INSERT INTO people VALUES (?, ?, ?, ?)');
  const started = performance.now();
  database.sqlite.transaction(() => {
    for (let index = 0; index < memberCount; index += 1) insert.run(`m${index}`, `Nguyễn Thị Bích ${index}`, String(300000000000 + index), `G${index % groupCount}`);
  })();
  const elapsed = performance.now() - started;
  database.close();
  rmSync(folder, { recursive: true, force: true });
  return elapsed;
}

const importTimes: number[] = [];
for (let round = 1; round <= rounds; round += 1) importTimes.push(await importOnce(round));
const bareTimes = Array.from({ length: rounds }, bareInsertOnce);
progress('');
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
const importMedian = median(importTimes);
const bareMedian = median(bareTimes);
console.log(`\nCSV import of ${memberCount} members (${rounds} rounds, median)`);
console.table([
  { what: 'POST /v1/imports/members', 'median ms': importMedian.toFixed(0), 'rows/s': Math.round((memberCount / importMedian) * 1000), target: '< 5000 ms' },
  { what: 'bare prepared insert (floor)', 'median ms': bareMedian.toFixed(0), 'rows/s': Math.round((memberCount / bareMedian) * 1000), target: '' },
]);
console.log(`import / bare insert: ${(importMedian / bareMedian).toFixed(1)}x; ${importMedian < 5000 ? 'meets' : 'MISSES'} the 5 s target.`);
reportFigures('imports', [
  { figure: `CSV import of ${memberCount} members`, value: `${importMedian.toFixed(0)} ms`, target: '< 5000 ms', meets: importMedian < 5000 },
  { figure: 'import / bare insert', value: `${(importMedian / bareMedian).toFixed(1)}x` },
]);
