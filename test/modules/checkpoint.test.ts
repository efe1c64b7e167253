// The service's WAL is copied back into the file by a thread of its own: the writer's commits do not checkpoint
// while it runs, everything written reaches the file without them, and the writer checkpoints again once it stops.
import { existsSync, statSync } from 'node:fs';
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
});
