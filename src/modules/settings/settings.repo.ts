// Storage of the fund's settings: one row per key, the value as JSON.
import type { FundDatabase } from '../../../db/client.js';
import { settings } from '../../../db/schema.js';
import { prepared } from '../shared/prepared.js';

export function storedSettings(db: FundDatabase): Record<string, unknown> {
  return Object.fromEntries(
    prepared(db, 'storedSettings', (on) => on.select().from(settings).prepare())
      .all()
      .map((row) => [row.key, JSON.parse(row.value) as unknown]),
  );
}

export function saveSetting(db: FundDatabase, key: string, value: unknown, updatedAt: string): void {
  db.insert(settings)
    .values({ key, value: JSON.stringify(value), updatedAt })
    .onConflictDoUpdate({ target: settings.key, set: { value: JSON.stringify(value), updatedAt } })
    .run();
}
