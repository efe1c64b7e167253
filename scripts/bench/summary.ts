// Each benchmark's headline figures, for `npm run bench` to gather into one table: appended as JSON lines to the
// file named by BENCH_SUMMARY when it is set (a benchmark run on its own prints its own tables only).
import { appendFileSync } from 'node:fs';

export interface Figure {
  figure: string;
  value: string;
  target?: string;
  /** Whether the target is met; absent when the figure has no target. */
  meets?: boolean;
}

export function reportFigures(bench: string, figures: Figure[]): void {
  const file = process.env.BENCH_SUMMARY;
  if (!file) return;
  appendFileSync(file, figures.map((figure) => `${JSON.stringify({ bench, ...figure })}\n`).join(''));
}
