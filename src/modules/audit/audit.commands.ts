// What GET /v1/audit-log takes and answers.
import { z } from 'zod';
import { listQuery, timestamp } from '../shared/schemas.js';

const instant = z.iso.datetime({ offset: true, message: 'must be a date-time such as 2026-11-23T08:00:00Z' });

export const auditLogQuery = z
  .strictObject({
    userId: z.string().max(64).optional(),
    entity: z.string().max(64).optional(),
    entityId: z.string().max(64).optional(),
    action: z.string().max(200).optional(),
    outcome: z.enum(['done', 'refused', 'sign_in_failed']).optional(),
    from: instant.optional(),
    to: instant.optional(),
    limit: listQuery.limit,
    cursor: listQuery.cursor,
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, { message: 'from must not be after to', path: ['from'] });
export type AuditLogQuery = z.infer<typeof auditLogQuery>;

export const auditRecordReply = z.object({
  id: z.string(),
  at: timestamp,
  userId: z.string().nullable(),
  username: z.string().nullable(),
  role: z.string().nullable(),
  ip: z.string().nullable(),
  requestId: z.string().nullable(),
  action: z.string(),
  entity: z.string(),
  entityId: z.string().nullable(),
  outcome: z.enum(['done', 'refused', 'sign_in_failed']),
  before: z.unknown(),
  after: z.unknown(),
});

export const auditLogReply = z.object({ items: z.array(auditRecordReply), nextCursor: z.string().nullable() });
