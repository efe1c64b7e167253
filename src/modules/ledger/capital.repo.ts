// The capital movements table: written with each movement's journal entry, read in date order.
import { asc } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import { capitalMovements } from '../../../db/schema.js';

export type CapitalMovementRow = typeof capitalMovements.$inferSelect;

export function insertCapitalMovement(db: FundDatabase, row: CapitalMovementRow): void {
  db.insert(capitalMovements).values(row).run();
}

export function listCapitalMovements(db: FundDatabase): CapitalMovementRow[] {
  return db.select().from(capitalMovements).orderBy(asc(capitalMovements.movedOn), asc(capitalMovements.id)).all();
}
