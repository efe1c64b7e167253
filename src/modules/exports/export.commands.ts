// Requests of the exports: which file, in which format, and each export's parameters (a period, an as-of date, an
// area subtree, a member).
import { z } from 'zod';
import { entityId, isoDate } from '../shared/schemas.js';

export const exportNames = ['journal', 'general-ledger', 'trial-balance', 'loan-book', 'savings-balances', 'member-statement'] as const;
export type ExportName = (typeof exportNames)[number];

export const exportFormats = ['csv', 'xlsx'] as const;
export type ExportFormat = (typeof exportFormats)[number];

const period = {
  from: isoDate.meta({ description: 'First entry date of the period (inclusive)' }),
  to: isoDate.meta({ description: 'Last entry date of the period (inclusive)' }),
};
const fromNotAfterTo = (query: { from: string; to: string }) => query.from <= query.to;
const fromAfterTo = { message: 'must not be after to', path: ['from'] };
const asOf = isoDate.optional().meta({ description: 'Defaults to today' });
const areaId = entityId.optional().meta({ description: 'Only this area and everything below it' });

export const exportQueries = {
  journal: z.strictObject(period).refine(fromNotAfterTo, fromAfterTo),
  'general-ledger': z
    .strictObject({ ...period, accountCode: z.string().regex(/^\d{4}$/, 'must be a four-digit account code').optional().meta({ description: 'One account; all of them when absent' }) })
    .refine(fromNotAfterTo, fromAfterTo),
  'trial-balance': z.strictObject({ asOf }),
  'loan-book': z.strictObject({ asOf, areaId }),
  'savings-balances': z.strictObject({ asOf, areaId }),
  'member-statement': z.strictObject({ memberId: entityId, asOf }),
} satisfies Record<ExportName, z.ZodType>;

export type ExportQuery<Name extends ExportName> = z.infer<(typeof exportQueries)[Name]>;

/** One export asked for: its name with its own parameters, and a format. */
export type ExportRequest = { [Name in ExportName]: { name: Name; format: ExportFormat; query: ExportQuery<Name> } }[ExportName];
