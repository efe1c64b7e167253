// Group commit: commands that arrive together share one transaction and one commit; each fails on its own; a
// batch SQLite abandons fails as a whole; nothing is answered before it is committed.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DatabaseHandle, type FileSync, flushCommitsInBackground, openDatabase } from '../../db/client.js';
import { BatchNotCommitted, createGroupCommit, isStorageFailure } from '../../src/modules/shared/group-commit.js';

let folder: string;
let database: DatabaseHandle;

beforeEach(() => {
  folder = mkdtempSync(join(tmpdir(), 'fund-group-commit-'));
  database = openDatabase(join(folder, 'fund.db'));
  database.sqlite.exec('CREATE TABLE payments (id INTEGER PRIMARY KEY, amount INTEGER NOT NULL CHECK (amount > 0))');
});

afterEach(() => {
  database.close();
  rmSync(folder, { recursive: true, force: true });
});

/** A command as a service writes one: its own transaction, which nests as a savepoint inside a batch. */
const pay = (amount: number) => () =>
  database.sqlite.transaction(() => {
    database.sqlite.prepare('INSERT INTO payments (amount) VALUES (?)').run(amount);
    return { amount, inBatch: database.sqlite.inTransaction };
  })();

const stored = () => (database.sqlite.prepare('SELECT amount FROM payments ORDER BY id').all() as { amount: number }[]).map((row) => row.amount);

function countCommits(): { commits: () => number } {
  let commits = 0;
  const original = database.sqlite.prepare.bind(database.sqlite);
  // Counts the batches' own COMMIT statements (prepared once by the group commit).
  database.sqlite.prepare = ((source: string) => {
    const statement = original(source);
    if (source !== 'COMMIT') return statement;
    const run = statement.run.bind(statement);
    statement.run = ((...args: unknown[]) => {
      commits += 1;
      return run(...(args as []));
    }) as typeof statement.run;
    return statement;
  }) as typeof database.sqlite.prepare;
  return { commits: () => commits };
}

describe('group commit', () => {
  it('commits the commands of one event-loop turn together, in order, and answers each after the commit', async () => {
    const counter = countCommits();
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64 });
    const answers = await Promise.all([1, 2, 3, 4, 5].map((amount) => writes.run(pay(amount))));
    expect(answers.map((answer) => answer.amount)).toEqual([1, 2, 3, 4, 5]);
    expect(answers.every((answer) => answer.inBatch)).toBe(true);
    expect(counter.commits()).toBe(1);
    expect(stored()).toEqual([1, 2, 3, 4, 5]);
    // Answered only once durable: nothing is left open.
    expect(database.sqlite.inTransaction).toBe(false);
  });

  it('splits a long queue into batches of at most maxBatch', async () => {
    const counter = countCommits();
    const writes = createGroupCommit(database.sqlite, { maxBatch: 3 });
    await Promise.all(Array.from({ length: 10 }, (_, index) => writes.run(pay(index + 1))));
    expect(counter.commits()).toBe(4);
    expect(stored()).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  });

  it('rolls back a refused command alone: the others of its batch are committed', async () => {
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64 });
    const outcomes = await Promise.allSettled([writes.run(pay(10)), writes.run(pay(-1)), writes.run(pay(30))]);
    expect(outcomes.map((outcome) => outcome.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(String((outcomes[1] as PromiseRejectedResult).reason)).toMatch(/CHECK constraint/);
    expect(stored()).toEqual([10, 30]);
  });

  it('fails the whole batch when SQLite abandons its transaction: nothing of it is kept or acknowledged', async () => {
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64 });
    const abandon = () => {
      database.sqlite.prepare('INSERT INTO payments (amount) VALUES (99)').run();
      // What a full disk or an I/O error does: SQLite rolls the whole transaction back.
      database.sqlite.exec('ROLLBACK');
      throw Object.assign(new Error('database or disk is full'), { code: 'SQLITE_FULL' });
    };
    const outcomes = await Promise.allSettled([writes.run(pay(1)), writes.run(abandon), writes.run(pay(3))]);
    expect(outcomes.every((outcome) => outcome.status === 'rejected')).toBe(true);
    for (const outcome of outcomes) {
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(BatchNotCommitted);
      expect(isStorageFailure(reason)).toBe(true);
    }
    expect(stored()).toEqual([]);
    // The next batch works again.
    await writes.run(pay(7));
    expect(stored()).toEqual([7]);
  });

  it('runs each command at once in its own commit when batching is off', async () => {
    const counter = countCommits();
    const writes = createGroupCommit(database.sqlite, { maxBatch: 1 });
    const answer = writes.run(pay(5));
    expect(stored()).toEqual([5]);
    expect((await answer).inBatch).toBe(true);
    expect(counter.commits()).toBe(0);
    await expect(writes.run(pay(-5))).rejects.toThrow(/CHECK constraint/);
  });

  it('flushed off the thread: answers a batch only when its flush has ended, and commits the next one meanwhile', async () => {
    const flushes: (() => void)[] = [];
    const gatedSync: FileSync = () => new Promise<void>((resolve) => flushes.push(resolve));
    const flusher = flushCommitsInBackground(database, gatedSync);
    expect(database.sqlite.pragma('synchronous', { simple: true })).toBe(1);
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64, durable: flusher.durable });
    const answered: number[] = [];
    const first = writes.run(pay(1)).then((answer) => answered.push(answer.amount));
    await new Promise((resolve) => setImmediate(resolve));
    // Committed (another connection would read it) but not answered: its flush has not ended.
    expect(stored()).toEqual([1]);
    expect(flushes).toHaveLength(1);
    const second = writes.run(pay(2)).then((answer) => answered.push(answer.amount));
    await new Promise((resolve) => setImmediate(resolve));
    expect(stored()).toEqual([1, 2]);
    expect(answered).toEqual([]);
    // The flush in flight began before the second commit: it answers the first only; the second waits for its own.
    flushes.shift()?.();
    await first;
    expect(answered).toEqual([1]);
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushes).toHaveLength(1);
    flushes.shift()?.();
    await second;
    expect(answered).toEqual([1, 2]);
    // Nothing committed since: nothing to flush.
    await flusher.durable();
    expect(flushes).toHaveLength(0);
    await flusher.stop();
    expect(database.sqlite.pragma('synchronous', { simple: true })).toBe(2);
  });

  it('flushed off the thread: shares one flush among everyone who committed before it began', async () => {
    let calls = 0;
    const flusher = flushCommitsInBackground(database, async () => {
      calls += 1;
    });
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64, durable: flusher.durable });
    await Promise.all([writes.run(pay(1)), writes.run(pay(2)), writes.run(pay(3)), flusher.durable(), flusher.durable()]);
    expect(calls).toBe(1);
    // A write made outside the group commit is flushed by the next wait for durability.
    database.sqlite.prepare('INSERT INTO payments (amount) VALUES (4)').run();
    await flusher.durable();
    expect(calls).toBe(2);
    await flusher.stop();
  });

  it('flushed off the thread: a flush the disk refuses fails its batch as a storage failure, and every later wait', async () => {
    const flusher = flushCommitsInBackground(database, () => Promise.reject(Object.assign(new Error('input/output error'), { code: 'EIO' })));
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64, durable: flusher.durable });
    const outcomes = await Promise.allSettled([writes.run(pay(1)), writes.run(pay(2))]);
    for (const outcome of outcomes) {
      expect(outcome.status).toBe('rejected');
      const reason = (outcome as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(BatchNotCommitted);
      expect(isStorageFailure(reason)).toBe(true);
    }
    // The kernel may have dropped what it could not write: nothing is known durable from here on.
    await expect(flusher.durable()).rejects.toThrow(/could not be flushed/);
    await expect(writes.run(pay(3))).rejects.toBeInstanceOf(BatchNotCommitted);
    await flusher.stop();
  });

  it('flushed off the thread: the real WAL file, through fdatasync on the thread pool', async () => {
    const flusher = flushCommitsInBackground(database);
    const writes = createGroupCommit(database.sqlite, { maxBatch: 64, durable: flusher.durable });
    await Promise.all([writes.run(pay(5)), writes.run(pay(6))]);
    expect(stored()).toEqual([5, 6]);
    await flusher.stop();
  });

  it('tells storage failures from wrong writes', () => {
    expect(isStorageFailure(Object.assign(new Error('readonly'), { code: 'SQLITE_READONLY' }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('io'), { code: 'SQLITE_IOERR_WRITE' }))).toBe(true);
    expect(isStorageFailure(Object.assign(new Error('constraint'), { code: 'SQLITE_CONSTRAINT_CHECK' }))).toBe(false);
    expect(isStorageFailure(new Error('plain'))).toBe(false);
  });
});
