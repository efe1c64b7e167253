// While the service runs, its file is kept in step with the WAL by a thread of its own (db/client's startCheckpointer),
// so that no request's commit stops to copy pages; and its commits are flushed to the disk from the thread pool
// (db/client's flushCommitsInBackground), so that no request's commit stops for the disk.
import { type Checkpointer, type CommitFlusher, type DatabaseHandle, type FileSync, flushCommitsInBackground, startCheckpointer } from '../../../db/client.js';

export type { CommitFlusher, FileSync };

/** Starts the checkpoints of a file database; an in-memory or read-only one has none to make (null). */
export function checkpointInBackground(database: DatabaseHandle): Checkpointer | null {
  if (database.sqlite.memory || database.sqlite.readonly) return null;
  return startCheckpointer(database);
}

/** Flushes a file database's commits off the service's thread; an in-memory or read-only one has nothing to flush (null). */
export function flushInBackground(database: DatabaseHandle, sync?: FileSync): CommitFlusher | null {
  if (database.sqlite.memory || database.sqlite.readonly) return null;
  return flushCommitsInBackground(database, sync);
}
