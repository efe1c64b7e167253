// Money-moving commands are idempotent by key: the key, a hash of the input and the answer are stored in the
// same transaction as the write. The same key with the same input answers the first result again; with other
// input it is refused.
import { createHash } from 'node:crypto';
import { type FundDatabase, columnsAs, insertOf, statementOn } from '../../../db/client.js';
import { idempotencyRecords } from '../../../db/schema.js';
import { DomainError } from './domain-error.js';

export interface IdempotentRequest {
  key: string;
  userId: string;
  /** What the key was used for, e.g. `POST /v1/loans/ln-.../repayments`. */
  route: string;
  input: unknown;
}

export interface IdempotentResult<T> {
  statusCode: number;
  body: T;
  replayed: boolean;
}

/** JSON with keys sorted, so the same input hashes the same whatever order its fields came in. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonicalJson((value as Record<string, unknown>)[key])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export function requestHash(request: Pick<IdempotentRequest, 'route' | 'input'>): string {
  return createHash('sha256').update(`${request.route}\n${canonicalJson(request.input)}`).digest('hex');
}

/** Every money-moving command reads and writes its key's record: written out in SQL, prepared once per connection. */
const recordStatements = {
  find: `SELECT ${columnsAs(idempotencyRecords, 'r')} FROM idempotency_records AS r WHERE r.key = ?`,
  insert: insertOf(idempotencyRecords),
};

/** The Idempotency-Key a money-moving request came with, and the route it names (API or web, one key space). */
export interface IdempotencyContext {
  key: string;
  route: string;
}

/** Runs `write` once per key, inside the caller's transaction; a repeat answers the stored result. */
export function once<T>(db: FundDatabase, request: IdempotentRequest, createdAt: string, statusCode: number, write: () => T): IdempotentResult<T> {
  const hash = requestHash(request);
  const existing = statementOn(db, recordStatements.find).get(request.key) as typeof idempotencyRecords.$inferSelect | undefined;
  if (existing) {
    if (existing.requestHash !== hash || existing.userId !== request.userId) {
      throw new DomainError('idempotency_key_reused', 'This Idempotency-Key was already used for a different request. Use a new key for a new request.');
    }
    return { statusCode: existing.statusCode, body: JSON.parse(existing.responseBody) as T, replayed: true };
  }
  const body = write();
  statementOn(db, recordStatements.insert).run({
    key: request.key,
    userId: request.userId,
    route: request.route,
    requestHash: hash,
    statusCode,
    responseBody: JSON.stringify(body),
    createdAt,
  });
  return { statusCode, body, replayed: false };
}

/**
 * A command that moves no money (an application, a new member or group) takes a key when its caller has one: a form
 * sent twice over a weak connection, or a double tap, then makes one of it and answers the first result again. Without
 * a key it runs as it is. Runs inside the caller's transaction.
 */
export function onceIfKeyed<T>(db: FundDatabase, userId: string, idempotency: IdempotencyContext | undefined, input: unknown, createdAt: string, statusCode: number, write: () => T): T {
  if (!idempotency) return write();
  return once(db, { key: idempotency.key, userId, route: idempotency.route, input }, createdAt, statusCode, write).body;
}
