// What a probe asks: is the service up, and which migration does its database stand at.
import { type DatabaseHandle, schemaVersion } from '../../../db/client.js';

export type { DatabaseHandle };

export function health(database: DatabaseHandle): { status: 'ok'; schemaVersion: string } {
  return { status: 'ok', schemaVersion: schemaVersion(database) };
}
