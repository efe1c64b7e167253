// npm run bench:startup: how long the service takes from starting the process to answering /health, on each data
// set present in data/bench (a tenth, the province, national-lite when built), beside the file's size: as built for
// production (`npm start`: built, then served) and as `npm run dev` runs it (TypeScript compiled on load by tsx).
// Start-up reads no table in full (migrations check their journal, set-up counts users): it does not grow with the file.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { type ServiceEntry, serviceEntries, startService, stopService } from '../lib/service-process.js';
import { reportFigures } from './summary.js';

const sets = ['tenth', 'province', 'national-lite'].map((scale) => ({ scale, path: `data/bench/${scale}-seed1.db` })).filter((set) => existsSync(set.path));
const rounds = 3;

async function startOnce(path: string, way: ServiceEntry): Promise<number> {
  const service = await startService(path, { entry: serviceEntries[way] });
  await stopService(service.process);
  return service.startSeconds;
}

if (sets.length === 0) console.log('No data set in data/bench: build one with npm run seed -- --scale tenth --seed 1 --database data/bench/tenth-seed1.db');
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');
const rows: { scale: string; gigabytes: number; built: number; tsx: number }[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
for (const set of sets) {
  const times: Record<ServiceEntry, number[]> = { built: [], tsx: [] };
  for (let round = 0; round < rounds; round += 1) for (const way of ['built', 'tsx'] as const) times[way].push(await startOnce(set.path, way));
  rows.push({ scale: set.scale, gigabytes: statSync(set.path).size / 1024 ** 3, built: median(times.built), tsx: median(times.tsx) });
}
console.log(`Start-up to the first answer of /health (median of ${rounds}), from the start of the process:`);
console.table(
  rows.map((row) => ({ 'data set': row.scale, 'file GB': row.gigabytes.toFixed(2), 'built (npm start) s': row.built.toFixed(2), 'tsx (npm run dev) s': row.tsx.toFixed(2), 'built under 2 s': row.built < 2 ? 'yes' : 'NO' })),
);
reportFigures(
  'startup',
  rows.flatMap((row) => [
    { figure: `start-up on ${row.scale} (${row.gigabytes.toFixed(1)} GB), built`, value: `${row.built.toFixed(2)} s`, target: '< 2 s', meets: row.built < 2 },
    { figure: `start-up on ${row.scale}, npm run dev (tsx)`, value: `${row.tsx.toFixed(2)} s` },
  ]),
);
