// Builds a route's documented replies: its success schema and one error entry per status, listing the codes
// that status can carry (from the error table), so /openapi.json says exactly how each route can fail.
import type { z } from 'zod';
import { errorReply } from '../modules/shared/schemas.js';
import { type ErrorCode, statusOf } from './error-table.js';

const alwaysPossible: ErrorCode[] = ['invalid_request', 'internal_error'];
const whenSignedIn: ErrorCode[] = ['unauthenticated', 'token_expired'];

export function replies(success: Record<number, z.ZodType>, codes: ErrorCode[], options: { public?: boolean } = {}): Record<number, z.ZodType> {
  const all = [...alwaysPossible, ...(options.public ? [] : whenSignedIn), ...codes];
  const byStatus = new Map<number, Set<ErrorCode>>();
  for (const code of all) {
    const status = statusOf(code);
    byStatus.set(status, (byStatus.get(status) ?? new Set()).add(code));
  }
  const documented: Record<number, z.ZodType> = { ...success };
  for (const [status, statusCodes] of [...byStatus].sort(([a], [b]) => a - b)) {
    documented[status] = errorReply.describe(`error.code is one of: ${[...statusCodes].join(', ')}`);
  }
  return documented;
}
