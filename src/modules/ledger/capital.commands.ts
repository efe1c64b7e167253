// Requests and replies of the fund's capital: money received from those who fund it, and returned to them.
import { z } from 'zod';
import { capitalDirections } from '../../../db/schema.js';
import { amount, freeText, isoDate, name, timestamp } from '../shared/schemas.js';

export const capitalMovementBody = z.strictObject({
  direction: z.enum(capitalDirections).meta({ description: 'received: into the fund’s cash; returned: back to its source' }),
  amount,
  movedOn: isoDate,
  source: name.meta({ description: 'Who the money came from or goes back to, e.g. Hội LHPN tỉnh' }),
  note: freeText(500).optional(),
});
export type CapitalMovementInput = z.infer<typeof capitalMovementBody>;

export const capitalMovementReply = z
  .object({
    id: z.string(),
    direction: z.enum(capitalDirections),
    amount: z.string(),
    movedOn: z.string(),
    source: z.string(),
    note: z.string().nullable(),
    journalEntryId: z.string(),
    recordedBy: z.string(),
    recordedAt: timestamp,
  })
  .meta({ id: 'CapitalMovement' });

export const capitalReply = z.object({
  currency: z.string(),
  balance: z.string().meta({ description: 'The fund’s capital (account 3111) after every movement' }),
  items: z.array(capitalMovementReply),
});
