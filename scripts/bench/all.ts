// npm run bench: every benchmark of the project, one after the other, then their headline figures in one table.
//
//   npm run bench                                  all of them
//   npm run bench -- --only repayments,reports     some of them
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import type { Figure } from './summary.js';

const benchmarks = ['schedules', 'imports', 'repayments', 'reports', 'startup', 'exports', 'pages'];
const { values } = parseArgs({ options: { only: { type: 'string' } }, strict: true });
const chosen = values.only ? values.only.split(',').map((name) => name.trim()) : benchmarks;
const unknown = chosen.filter((name) => !benchmarks.includes(name));
if (unknown.length > 0) {
  console.error(`No benchmark called ${unknown.join(', ')}; there are ${benchmarks.join(', ')}.`);
  process.exit(1);
}

const folder = mkdtempSync(join(tmpdir(), 'fund-bench-'));
const summary = join(folder, 'figures.jsonl');
const outcomes: { bench: string; seconds: number; exit: number | null }[] = [];
console.log(`Node ${process.version}; load average ${loadavg()[0]?.toFixed(2)} at the start.`);
for (const bench of chosen) {
  const script = join('scripts', 'bench', `${bench}.ts`);
  if (!existsSync(script)) {
    outcomes.push({ bench, seconds: 0, exit: null });
    continue;
  }
  console.log(`\n=== bench:${bench} ===`);
  const started = performance.now();
  const run = spawnSync(process.execPath, ['--import', 'tsx', script], { stdio: 'inherit', env: { ...process.env, BENCH_SUMMARY: summary } });
  outcomes.push({ bench, seconds: (performance.now() - started) / 1000, exit: run.status });
}

const figures = existsSync(summary)
  ? readFileSync(summary, 'utf8')
      .split('\n')
      .filter((line) => line.trim() !== '')
      .map((line) => JSON.parse(line) as Figure & { bench: string })
  : [];
rmSync(folder, { recursive: true, force: true });
console.log(`\nEvery benchmark, in one table (load average ${loadavg()[0]?.toFixed(2)} at the end):`);
console.table(
  figures.map((figure) => ({
    bench: figure.bench,
    figure: figure.figure,
    value: figure.value,
    target: figure.target ?? '',
    verdict: figure.meets === undefined ? '' : figure.meets ? 'meets' : 'MISSES',
  })),
);
console.table(outcomes.map((outcome) => ({ bench: outcome.bench, seconds: outcome.seconds.toFixed(0), result: outcome.exit === null ? 'not present' : outcome.exit === 0 ? 'ran' : `failed (exit ${outcome.exit})` })));
if (outcomes.some((outcome) => outcome.exit !== null && outcome.exit !== 0)) process.exitCode = 1;
