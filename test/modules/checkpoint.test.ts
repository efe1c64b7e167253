// The service's WAL is copied back into the file by a thread of its own: the writer's commits do not checkpoint
// while it runs, everything written reaches the file without them, and the writer checkpoints again once it stops.
import { existsSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase, startCheckpointer } from '../../db/client.js';
import { afterEach, describe, expect, it } from 'vitest';
import { fundWithBooks } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp | undefined;
afterEach(async () => {
  await test?.close();
  test = undefined;
});

describe('checkpoints in a thread of their own', () => {
  it('keeps the writer from checkpointing in its commits, and still brings every committed page into the file', async () => {
    test = await buildTestApp();
    const { sqlite } = test.database;
    expect(sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(0);
    // A fund with loans and repayments: far more than the 1,000 pages after which a commit would checkpoint.
    await fundWithBooks(test);
    const wal = `${sqlite.name}-wal`;
    const walSize = () => statSync(wal).size;
    const written = walSize();
    expect(written).toBeGreaterThan(100 * 4096);
    // Once the thread has copied every page into the file, the next write starts the WAL over from its beginning, so
    // the file stops growing; without the thread it would only ever grow (nothing else checkpoints).
    await new Promise((resolve) => setTimeout(resolve, 1000));
    sqlite.exec('CREATE TABLE checkpoint_probe (round INTEGER)');
    for (let round = 0; round < 20; round += 1) sqlite.prepare('INSERT INTO checkpoint_probe (round) VALUES (?)').run(round);
    expect(walSize()).toBe(written);
    expect(existsSync(sqlite.name)).toBe(true);
  });

  it('gives checkpoints back to the writer when the service stops', async () => {
    test = await buildTestApp();
    await test.app.close();
    expect(test.database.sqlite.pragma('wal_autocheckpoint', { simple: true })).toBe(1000);
  });

  it('bounds the WAL under a steady stream of commits: the writer copies the rest and starts it over', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'fund-wal-bound-'));
    try {
      // A stream that never pauses: a commit every millisecond, each a few pages, for two seconds.
      const stream = async (bounded: boolean) => {
        const database = openDatabase(join(folder, `${bounded ? 'bounded' : 'unbounded'}.db`));
        database.sqlite.exec('CREATE TABLE payments (id INTEGER PRIMARY KEY, note TEXT NOT NULL)');
        const checkpointer = startCheckpointer(database, { everyMilliseconds: 20, boundPages: 200 });
        const insert = database.sqlite.prepare('INSERT INTO payments (note) VALUES (?)');
        const started = Date.now();
        let largest = 0;
        while (Date.now() - started < 2000) {
          if (bounded) checkpointer.bound();
          database.sqlite.transaction(() => {
            for (let row = 0; row < 20; row += 1) insert.run('x'.repeat(500));
          })();
          largest = Math.max(largest, statSync(`${database.sqlite.name}-wal`).size);
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
        await checkpointer.stop();
        const rows = (database.sqlite.prepare('SELECT count(*) AS count FROM payments').get() as { count: number }).count;
        database.close();
        return { largest, rows };
      };
      const unbounded = await stream(false);
      const bounded = await stream(true);
      expect(unbounded.rows).toBeGreaterThan(500);
      expect(bounded.rows).toBeGreaterThan(500);
      // 200 pages of 4 KB and what one turn of the thread adds: well under a megabyte or two, where the stream alone
      // wrote several times that.
      expect(bounded.largest).toBeLessThan(3 * 1024 * 1024);
      expect(unbounded.largest).toBeGreaterThan(2 * bounded.largest);
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  });
});
