// Requests and replies of the collection sheet: one group, one meeting date.
import { z } from 'zod';
import { amount, entityId, isoDate, timestamp } from '../shared/schemas.js';

export const collectionSheetQuery = z.strictObject({ date: isoDate.optional().meta({ description: 'The meeting date; today if left out' }) });

export const collectionSheetBody = z.strictObject({
  date: isoDate,
  cashTotal: amount.meta({ description: 'The cash counted at the meeting: must equal the sum of every line' }),
  lines: z
    .array(
      z.strictObject({
        memberId: entityId,
        loanId: entityId.optional().meta({ description: 'Needed when the member has more than one loan' }),
        repayment: amount.default('0'),
        compulsorySavings: amount.default('0'),
        voluntarySavings: amount.default('0'),
      }),
    )
    .min(1, 'a sheet has at least one line')
    .max(200),
});
export type CollectionSheetInput = z.infer<typeof collectionSheetBody>;

const money = z.string();

export const sheetLoanReply = z.object({
  loanId: z.string(),
  principalDue: money,
  interestDue: money,
  overduePrincipal: money,
  overdueInterest: money,
  penalty: money,
  creditHeld: money,
  totalDue: money,
  daysPastDue: z.number().int(),
  nextDueOn: z.string().nullable(),
  compulsorySavingsDue: money,
});

export const collectionSheetReply = z
  .object({
    groupId: z.string(),
    groupCode: z.string(),
    date: z.string(),
    currency: z.string(),
    lines: z.array(
      z.object({
        memberId: z.string(),
        fullName: z.string(),
        loans: z.array(sheetLoanReply),
        repaymentDue: money,
        compulsorySavingsDue: money,
        savingsBalances: z.object({ compulsory: money, voluntary: money }),
      }),
    ),
    totals: z.object({ repaymentDue: money, overdue: money, penalty: money, compulsorySavingsDue: money }),
  })
  .meta({ id: 'CollectionSheet' });

export const postedSheetReply = z
  .object({
    id: z.string(),
    groupId: z.string(),
    date: z.string(),
    currency: z.string(),
    cashTotal: money,
    postedBy: z.string(),
    postedAt: timestamp,
    repayments: z.array(z.object({ transactionId: z.string(), memberId: z.string(), loanId: z.string(), type: z.string(), amount: money, reversed: z.boolean() })),
    savings: z.array(z.object({ transactionId: z.string(), memberId: z.string(), kind: z.string(), amount: money })),
    totals: z.object({ repayments: money, compulsorySavings: money, voluntarySavings: money }),
  })
  .meta({ id: 'PostedCollectionSheet' });
