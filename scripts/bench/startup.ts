// npm run bench:startup: how long the service takes from starting the process to answering /health, on each data
// set present in data/bench (a tenth, the province, national-lite when built), beside the file's size: as built for
// production (`npm run build`, then `npm run serve`) and as `npm start` runs it (TypeScript compiled on load by tsx).
// Start-up reads no table in full (migrations check their journal, set-up counts users): it does not grow with the file.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { reportFigures } from './summary.js';

const sets = ['tenth', 'province', 'national-lite'].map((scale) => ({ scale, path: `data/bench/${scale}-seed1.db` })).filter((set) => existsSync(set.path));
const rounds = 3;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const ways = { built: ['--enable-source-maps', 'dist/src/server.js'], tsx: ['--import', 'tsx', 'src/server.ts'] };

async function startOnce(path: string, way: keyof typeof ways): Promise<number> {
  const port = await freePort();
  const started = performance.now();
  const child = spawn(process.execPath, ways[way], { env: { ...process.env, DATABASE_PATH: path, PORT: String(port), LOG_LEVEL: 'warn' }, stdio: ['ignore', 'ignore', 'inherit'] });
  try {
    for (;;) {
      try {
        if ((await fetch(`http://127.0.0.1:${port}/health`)).ok) return (performance.now() - started) / 1000;
      } catch {
        // not listening yet
      }
      if (performance.now() - started > 60_000) throw new Error(`no answer from the service on ${path} within 60 s`);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  } finally {
    await new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    });
  }
}

if (sets.length === 0) console.log('No data set in data/bench: build one with npm run seed -- --scale tenth --seed 1 --database data/bench/tenth-seed1.db');
const build = spawnSync('npm', ['run', '--silent', 'build'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('npm run build failed');
const rows: { scale: string; gigabytes: number; built: number; tsx: number }[] = [];
const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] as number;
for (const set of sets) {
  const times: Record<keyof typeof ways, number[]> = { built: [], tsx: [] };
  for (let round = 0; round < rounds; round += 1) for (const way of ['built', 'tsx'] as const) times[way].push(await startOnce(set.path, way));
  rows.push({ scale: set.scale, gigabytes: statSync(set.path).size / 1024 ** 3, built: median(times.built), tsx: median(times.tsx) });
}
console.log(`Start-up to the first answer of /health (median of ${rounds}), from the start of the process:`);
console.table(
  rows.map((row) => ({ 'data set': row.scale, 'file GB': row.gigabytes.toFixed(2), 'built (npm run serve) s': row.built.toFixed(2), 'tsx (npm start) s': row.tsx.toFixed(2), 'built under 2 s': row.built < 2 ? 'yes' : 'NO' })),
);
reportFigures(
  'startup',
  rows.flatMap((row) => [
    { figure: `start-up on ${row.scale} (${row.gigabytes.toFixed(1)} GB), built`, value: `${row.built.toFixed(2)} s`, target: '< 2 s', meets: row.built < 2 },
    { figure: `start-up on ${row.scale}, npm start (tsx)`, value: `${row.tsx.toFixed(2)} s` },
  ]),
);
