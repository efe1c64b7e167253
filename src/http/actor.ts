// The signed-in actor travels on the request, set by the token check in buildApp.
import type { FastifyRequest } from 'fastify';
import type { Actor } from '../modules/shared/access.js';
import { DomainError } from '../modules/shared/domain-error.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: (Actor & { sessionId: string }) | null;
  }
}

export function actorOf(request: FastifyRequest): Actor & { sessionId: string } {
  if (!request.actor) throw new DomainError('unauthenticated', 'Sign in first.');
  return request.actor;
}
