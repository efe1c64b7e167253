// The Idempotency-Key a request came with, and the API route it names: the key space the web app's forms share.
import type { FastifyRequest } from 'fastify';
import type { IdempotencyContext } from '../modules/shared/idempotency.js';

/** A money-moving request's key; its headers schema has already required it. */
export function idempotencyOf(request: FastifyRequest): IdempotencyContext {
  return { key: String(request.headers['idempotency-key']), route: `${request.method} ${request.url.split('?')[0]}` };
}

/** The key of a request that may come without one (a command that moves no money): undefined when it did. */
export function keyIfSent(request: FastifyRequest): IdempotencyContext | undefined {
  return request.headers['idempotency-key'] === undefined ? undefined : idempotencyOf(request);
}
