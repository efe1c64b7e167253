// Requests of the reports: a period or an as-of date, an area subtree, a grouping, and JSON or CSV.
import { z } from 'zod';
import { entityId, isoDate } from '../shared/schemas.js';

export const groupByValues = ['province', 'commune', 'village', 'group', 'officer'] as const;
export type GroupBy = (typeof groupByValues)[number];

const common = {
  areaId: entityId.optional().meta({ description: 'Only this area and everything below it' }),
  groupBy: z.enum(groupByValues).optional(),
  format: z.enum(['json', 'csv']).default('json'),
};

export const outreachQuery = z
  .strictObject({ from: isoDate, to: isoDate, ...common })
  .refine((query) => query.from <= query.to, { message: 'must not be after to', path: ['from'] });
export type OutreachQuery = z.infer<typeof outreachQuery>;

export const portfolioQuery = z
  .strictObject({
    asOf: isoDate.optional().meta({ description: 'Defaults to today' }),
    from: isoDate.optional().meta({ description: 'Start of the collection period; defaults to the first of asOf’s month' }),
    to: isoDate.optional().meta({ description: 'End of the collection period; defaults to asOf' }),
    ...common,
  })
  .refine((query) => query.from === undefined || query.to === undefined || query.from <= query.to, { message: 'must not be after to', path: ['from'] });
export type PortfolioQuery = z.infer<typeof portfolioQuery>;

export const arrearsQuery = z.strictObject({
  asOf: isoDate.optional(),
  areaId: entityId.optional(),
  groupId: entityId.optional(),
  minimumDaysPastDue: z.coerce.number().int().min(1).max(10000).default(1),
  format: z.enum(['json', 'csv']).default('json'),
  limit: z.coerce.number().int().min(1).max(1000).default(200).meta({ description: 'Loans per page of the JSON list; the CSV has them all' }),
  cursor: z.string().regex(/^\d{1,9}$/, 'is not a cursor this service gave out').optional(),
});
export type ArrearsQuery = z.infer<typeof arrearsQuery>;

export const planBody = z.strictObject({
  areaId: entityId.nullable().default(null).meta({ description: 'null for the whole fund' }),
  periodStart: isoDate,
  periodEnd: isoDate,
  targets: z
    .strictObject({
      groupsFormed: z.number().int().min(0).optional(),
      membersJoined: z.number().int().min(0).optional(),
      borrowingMembers: z.number().int().min(0).optional(),
      loansDisbursed: z.number().int().min(0).optional(),
      amountDisbursed: z.string().regex(/^\d{1,15}$/, 'must be a whole amount in the fund’s currency').optional(),
      householdsOutOfPoverty: z.number().int().min(0).optional(),
    })
    .refine((targets) => Object.keys(targets).length > 0, { message: 'give at least one target' }),
});
export type PlanInput = z.infer<typeof planBody>;
/** What the fund sets a target for, in the order the outreach report shows its figures. */
export type PlanMetric = keyof PlanInput['targets'];
export const planMetrics = ['groupsFormed', 'membersJoined', 'borrowingMembers', 'loansDisbursed', 'amountDisbursed', 'householdsOutOfPoverty'] as const satisfies readonly PlanMetric[];
