// Cursor pagination for lists: `{items, nextCursor}`, ordered by id (ids are time-ordered).
import { DomainError } from './domain-error.js';
import type { IdPrefix } from './ids.js';

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export function encodeCursor(lastId: string): string {
  return Buffer.from(JSON.stringify({ after: lastId }), 'utf8').toString('base64url');
}

/**
 * The id a cursor continues after, for a list of one kind of record (`kind`, the ids' prefix): a cursor from another
 * list is refused rather than answered with an empty page.
 */
export function decodeCursor(cursor: string | undefined, kind: IdPrefix): string | undefined {
  if (cursor === undefined) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof parsed.after === 'string' && parsed.after.startsWith(`${kind}-`)) return parsed.after;
  } catch {
    // fall through to the refusal below
  }
  throw new DomainError('invalid_request', 'The cursor is not one this service gave out.', [{ path: 'cursor', message: 'unknown cursor' }]);
}

/** Rows were fetched with limit + 1: the extra row says whether a next page exists. */
export function toPage<T extends { id: string }>(rows: T[], limit: number): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.id) : null };
}
