// The reports' thread answers what the service's own thread would, refusals included, with the service's clock, and
// starts again after it stops; the service's thread stays free while a report is computed.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { reportJobs } from '../../src/modules/reports/report-jobs.js';
import { reportRunner } from '../../src/modules/reports/report-runner.js';
import { arrearsQuery, outreachQuery, portfolioQuery } from '../../src/modules/reports/report.commands.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { DomainError } from '../../src/modules/shared/domain-error.js';
import { fundWithBooks } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;
beforeAll(async () => {
  test = await buildTestApp();
  await fundWithBooks(test);
});
afterAll(async () => test.close());

const onFile = () => reportRunner(test.context, { path: test.database.sqlite.name, inMemory: false });

describe('the reports’ thread', () => {
  it('answers each report as the service’s thread does, CSV included', async () => {
    const runner = onFile();
    try {
      const actor = systemActor();
      const cases = [
        ['portfolio', portfolioQuery.parse({ asOf: '2025-06-30', groupBy: 'commune' })],
        ['portfolio', portfolioQuery.parse({ format: 'csv' })],
        ['outreach', outreachQuery.parse({ from: '2025-01-01', to: '2025-06-30', groupBy: 'group' })],
        ['arrears', arrearsQuery.parse({ asOf: '2025-09-15' })],
        ['arrears', arrearsQuery.parse({ asOf: '2025-09-15', format: 'csv' })],
      ] as const;
      for (const [job, query] of cases) {
        const here = (reportJobs[job] as (...args: unknown[]) => unknown)(test.context, actor, query);
        expect(await runner.run(job, actor, query as never)).toEqual(here);
      }
    } finally {
      await runner.close();
    }
  });

  it('reads "today" from the service’s clock when the report is asked for', async () => {
    const runner = onFile();
    try {
      const before = test.clock.instant;
      // A day later on the service's clock (the fund's time zone is seven hours ahead of UTC: 23:00 is the next day).
      test.clock.advanceMinutes(20 * 60);
      try {
        const answer = (await runner.run('portfolio', systemActor(), portfolioQuery.parse({}))) as { json: { asOf: string } };
        expect(answer.json.asOf).toBe('2026-11-24');
      } finally {
        test.clock.instant = before;
      }
    } finally {
      await runner.close();
    }
  });

  it('passes a refusal on as the same DomainError, and starts a new thread after its thread stops', async () => {
    const runner = onFile();
    try {
      const refused = runner.run('portfolio', systemActor(), portfolioQuery.parse({ areaId: 'ar-nowhere' }));
      await expect(refused).rejects.toBeInstanceOf(DomainError);
      await expect(refused).rejects.toMatchObject({ code: 'area_not_found', details: [{ path: 'areaId', message: 'unknown area' }] });
      await runner.close();
      expect(await runner.run('portfolio', systemActor(), portfolioQuery.parse({ asOf: '2025-06-30' }))).toMatchObject({ json: { asOf: '2025-06-30' } });
    } finally {
      await runner.close();
    }
  });

  it('leaves the service’s thread free while it computes', async () => {
    const runner = onFile();
    try {
      let turns = 0;
      const ticking = setInterval(() => (turns += 1), 0);
      // The first report also starts the thread; the service's event loop goes on turning meanwhile.
      await runner.run('outreach', systemActor(), outreachQuery.parse({ from: '2025-01-01', to: '2025-06-30' }));
      clearInterval(ticking);
      expect(turns).toBeGreaterThan(0);
    } finally {
      await runner.close();
    }
  });
});
