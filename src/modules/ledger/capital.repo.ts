// The capital movements table: written with each movement's journal entry, read in date order.
import { asc, lte, sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import { capitalMovements } from '../../../db/schema.js';

export type CapitalMovementRow = typeof capitalMovements.$inferSelect;

export function insertCapitalMovement(db: FundDatabase, row: CapitalMovementRow): void {
  db.insert(capitalMovements).values(row).run();
}

export function listCapitalMovements(db: FundDatabase): CapitalMovementRow[] {
  return db.select().from(capitalMovements).orderBy(asc(capitalMovements.movedOn), asc(capitalMovements.id)).all();
}

/** The capital the movements leave as of a day: received less returned (minor units). */
export function capitalTotal(db: FundDatabase, asOf: string): bigint {
  const row = db
    .select({ total: sql<string | null>`CAST(SUM(CASE ${capitalMovements.direction} WHEN 'received' THEN ${capitalMovements.amount} ELSE -${capitalMovements.amount} END) AS TEXT)` })
    .from(capitalMovements)
    .where(lte(capitalMovements.movedOn, asOf))
    .get();
  return BigInt(row?.total ?? '0');
}
