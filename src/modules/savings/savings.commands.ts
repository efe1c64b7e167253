// Requests and replies of members' savings.
import { z } from 'zod';
import { savingsKinds } from '../../../db/schema.js';
import { amount, freeText, isoDate, timestamp } from '../shared/schemas.js';

export const savingsKind = z.enum(savingsKinds);

export const savingsMovementBody = z.strictObject({
  amount,
  paidOn: isoDate,
  note: freeText(500).optional(),
});
export type SavingsMovementInput = z.infer<typeof savingsMovementBody>;

export const savingsTransactionReply = z
  .object({
    id: z.string(),
    memberId: z.string(),
    kind: z.enum(savingsKinds),
    type: z.enum(['deposit', 'withdrawal', 'transfer_to_loan']),
    amount: z.string().meta({ description: 'Signed: deposits positive, withdrawals negative' }),
    date: z.string(),
    loanId: z.string().nullable(),
    collectionSheetId: z.string().nullable(),
    journalEntryId: z.string(),
    note: z.string().nullable(),
    reversed: z.boolean(),
    recordedAt: timestamp,
  })
  .meta({ id: 'SavingsTransaction' });
export type SavingsTransactionReply = z.infer<typeof savingsTransactionReply>;

export const savingsMovementReply = z.object({
  transaction: savingsTransactionReply,
  balance: z.string().meta({ description: 'The account’s balance after this movement' }),
});

export const savingsReply = z
  .object({
    memberId: z.string(),
    currency: z.string(),
    balances: z.object({ compulsory: z.string(), voluntary: z.string() }),
    transactions: z.array(savingsTransactionReply),
  })
  .meta({ id: 'MemberSavings' });
