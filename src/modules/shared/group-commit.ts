// Group commit: the writes that arrive together (every write route hands its command here) share one SQLite
// transaction and one durable commit, so a batch pays the disk's flush once instead of once per request. Each command runs in its own savepoint:
// its failure rolls back only itself. No command is answered before the commit that makes it durable; when the
// disk's flush is made off the thread (options.durable), the next batch runs while the last one is flushed.

/** What the group commit needs of the database connection (better-sqlite3's, in the service). */
export interface Connection {
  readonly inTransaction: boolean;
  prepare(source: string): { run(): unknown };
  transaction<T>(run: () => T): () => T;
}

export interface GroupCommit {
  /** Runs `command` (which opens its own transaction) in the next batch and settles once the batch is durable. */
  run<T>(command: () => T): Promise<T>;
  /** Commands waiting for the next batch. */
  readonly waiting: number;
}

export interface GroupCommitOptions {
  /** The most commands one commit carries; 1 turns batching off (one commit per command, run at once). */
  maxBatch: number;
  /**
   * Called as a command is handed in (in the caller's context): may wrap it with what must happen in the same
   * transaction, such as its audit record.
   */
  wrap?: (command: () => unknown) => () => unknown;
  /**
   * Settles once everything committed so far is on disk, for a connection whose commits do not flush it themselves
   * (db/client's flushCommitsInBackground). Without it each commit is durable when it returns (synchronous = FULL).
   */
  durable?: () => Promise<void>;
  /** Called before each batch's transaction, outside any: keeps the WAL bounded (db/client's Checkpointer.bound). */
  beforeBatch?: () => void;
}

interface Waiting {
  command: () => unknown;
  resolve: (value: unknown) => void;
  reject: (error: unknown) => void;
}

type Outcome = { ok: true; value: unknown } | { ok: false; error: unknown };

/** Raised to every command of a batch whose transaction SQLite abandoned or could not commit. */
export class BatchNotCommitted extends Error {
  constructor(override readonly cause: unknown) {
    super(`the batch was not committed: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
}

const storageFailureCodes = ['SQLITE_FULL', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_CANTOPEN', 'SQLITE_PROTOCOL', 'SQLITE_NOMEM'];

/** True when the database could not take the write (full disk, read-only file, I/O error), not when the write was wrong. */
export function isStorageFailure(error: unknown): boolean {
  const failure = error instanceof BatchNotCommitted ? error.cause : error;
  const code = (failure as { code?: unknown } | null)?.code;
  return typeof code === 'string' && storageFailureCodes.some((prefix) => code === prefix || code.startsWith(`${prefix}_`));
}

export function createGroupCommit(sqlite: Connection, options: GroupCommitOptions): GroupCommit {
  const queue: Waiting[] = [];
  let scheduled = false;

  const begin = sqlite.prepare('BEGIN IMMEDIATE');
  const commit = sqlite.prepare('COMMIT');
  const rollback = sqlite.prepare('ROLLBACK');
  const savepoint = sqlite.prepare('SAVEPOINT batched_command');
  const release = sqlite.prepare('RELEASE batched_command');
  const rollbackToSavepoint = sqlite.prepare('ROLLBACK TO batched_command');

  function commitBatch(batch: Waiting[]): Outcome[] {
    const outcomes: Outcome[] = [];
    options.beforeBatch?.();
    begin.run();
    try {
      for (const item of batch) {
        // Each command in a savepoint: a refused one leaves the batch as it was before it. The command's own
        // transaction nests inside as a further savepoint.
        savepoint.run();
        try {
          outcomes.push({ ok: true, value: item.command() });
          release.run();
        } catch (error) {
          // Some errors (a full disk, an I/O error) make SQLite abandon the whole transaction; what ran before is gone.
          if (!sqlite.inTransaction) throw new BatchNotCommitted(error);
          rollbackToSavepoint.run();
          release.run();
          outcomes.push({ ok: false, error });
        }
      }
      commit.run();
    } catch (error) {
      if (sqlite.inTransaction) rollback.run();
      throw error;
    }
    return outcomes;
  }

  function flush(): void {
    scheduled = false;
    const batch = queue.splice(0, options.maxBatch);
    let outcomes: Outcome[];
    try {
      outcomes = commitBatch(batch);
    } catch (error) {
      const failure = error instanceof BatchNotCommitted ? error : new BatchNotCommitted(error);
      for (const item of batch) item.reject(failure);
      schedule();
      return;
    }
    const answer = () =>
      batch.forEach((item, index) => {
        const outcome = outcomes[index];
        if (!outcome) item.reject(new Error('a batched command has no outcome'));
        else if (outcome.ok) item.resolve(outcome.value);
        else item.reject(outcome.error);
      });
    if (options.durable) {
      // Committed but not yet known to be on disk: nobody hears of it until the flush that covers it ends.
      options.durable().then(answer, (error: unknown) => {
        for (const item of batch) item.reject(new BatchNotCommitted(error));
      });
    } else answer();
    schedule();
  }

  function schedule(): void {
    if (scheduled || queue.length === 0) return;
    scheduled = true;
    // setImmediate runs after the event loop has read every request that arrived meanwhile: they join this batch.
    setImmediate(flush);
  }

  return {
    run<T>(given: () => T): Promise<T> {
      const command = (options.wrap ? options.wrap(given) : given) as () => T;
      if (options.maxBatch <= 1) {
        try {
          options.beforeBatch?.();
          return Promise.resolve(sqlite.transaction(command)());
        } catch (error) {
          return Promise.reject(error as Error);
        }
      }
      return new Promise<T>((resolve, reject) => {
        queue.push({ command, resolve: resolve as (value: unknown) => void, reject });
        schedule();
      });
    },
    get waiting() {
      return queue.length;
    },
  };
}
