// While the service runs, its file is kept in step with the WAL by a thread of its own (db/client's startCheckpointer),
// so that no request's commit stops to copy pages.
import { type Checkpointer, type DatabaseHandle, startCheckpointer } from '../../../db/client.js';

/** Starts the checkpoints of a file database; an in-memory or read-only one has none to make (null). */
export function checkpointInBackground(database: DatabaseHandle): Checkpointer | null {
  if (database.sqlite.memory || database.sqlite.readonly) return null;
  return startCheckpointer(database);
}
