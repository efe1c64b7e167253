// Zod pieces every module's commands share: dates, ids, list paging, the error reply.
import { z } from 'zod';
import { isIsoDate } from '../../domain/calendar.js';

export const isoDate = z
  .string()
  .refine(isIsoDate, { message: 'must be a real calendar date written YYYY-MM-DD' })
  .meta({ format: 'date', example: '2026-06-30' });

export const entityId = z.string().min(1).max(64).meta({ description: 'An opaque id given out by this service' });

/** A route's `:id`, one of the ids above. */
export const byId = z.strictObject({ id: entityId });

/** Half of a UTF-16 pair without its other half: no character at all, and it prints as "�" wherever it goes. */
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
/**
 * Whether text holds a control character: nobody types one in a name, and a NUL or an escape breaks the CSV, the
 * search and the page. A note or a reason (`lines`) may hold tabs and line breaks.
 */
function hasControlCharacter(text: string, lines: boolean): boolean {
  for (let index = 0; index < text.length; index += 1) {
    const unit = text.charCodeAt(index);
    if (unit === 0x7f || (unit < 0x20 && !(lines && (unit === 0x09 || unit === 0x0a || unit === 0x0d)))) return true;
  }
  return false;
}
const unprintable = 'must not hold control characters or broken characters';

export const name = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(200, 'must be at most 200 characters')
  .refine((text) => !hasControlCharacter(text, false) && !loneSurrogate.test(text), unprintable);

/** Free text a person writes (a note, a reason, a loan's purpose): up to `maximum` characters, lines allowed. */
export function freeText(maximum: number) {
  return z
    .string()
    .trim()
    .max(maximum, `must be at most ${maximum} characters`)
    .refine((text) => !hasControlCharacter(text, true) && !loneSurrogate.test(text), unprintable);
}

/** Why something was done (an exit, a reversal, a write-off): required free text. */
export const reason = freeText(500).pipe(z.string().min(1, 'must not be empty'));

export const code = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(32, 'must be at most 32 characters')
  .regex(/^[A-Za-z0-9._-]+$/, 'may use only letters without accents, digits, dot, dash and underscore');

export const listQuery = {
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().max(500).optional(),
  q: z.string().trim().max(200).optional(),
};

export const errorReply = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    }),
  })
  .meta({ id: 'Error' });

export const timestamp = z.string().meta({ format: 'date-time' });

/** A decimal string on the wire; the currency's own digits are checked where the currency is known. */
export const amount = z
  .string()
  // An empty field is one left blank, and says so rather than that its digits are wrong.
  .min(1, { error: 'must not be empty', abort: true })
  .max(32)
  .regex(/^\d+(\.\d+)?$/, 'must be a decimal string of digits, such as "1500000" (no sign, no exponent)')
  .meta({ example: '1500000' });

export const idempotencyKeyHeader = z
  .string()
  .min(8, 'must be at least 8 characters (a UUID is a good key)')
  .max(200, 'must be at most 200 characters')
  .regex(/^[\x21-\x7e]+$/, 'must be printable ASCII without spaces');

/** The headers of a money-moving POST: other headers pass through untouched. */
export const idempotentHeaders = z.looseObject({ 'idempotency-key': idempotencyKeyHeader });

/** The headers of a POST that moves no money: a key is taken when sent, so that sending it twice makes one. */
export const keyableHeaders = z.looseObject({
  'idempotency-key': idempotencyKeyHeader.optional().meta({ description: 'Optional: the same key sent again answers the first result instead of making another' }),
});
