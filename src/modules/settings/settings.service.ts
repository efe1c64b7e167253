// Fund-wide settings: stored per key as JSON, validated on the way in and out, with the fund's defaults.
import { z } from 'zod';
import { currencyCodes, parseMoney } from '../../domain/money.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import * as repo from './settings.repo.js';
import { lastEntry } from '../ledger/journal.repo.js';

const capAmount = z.string().regex(/^\d{1,15}(\.\d{1,2})?$/, 'must be a decimal string such as "50000000"');

export const fundSettingsSchema = z
  .strictObject({
    /** The fund's currency: savings and reports are kept in it. */
    currency: z.enum(currencyCodes).default('VND'),
    minGroupMembers: z.number().int().min(1).max(200).default(3),
    maxGroupMembers: z.number().int().min(1).max(200).default(60),
    /** A member's outstanding principal across her loans may not pass this (Decision 20/2017: 50 million đồng). */
    memberOutstandingCap: capAmount.default('50000000'),
    /** Maker-checker: a loan is approved by someone other than the officer who entered the application. */
    approvalNeedsSecondPerson: z.boolean().default(false),
  })
  .meta({ id: 'FundSettings' });

export type FundSettings = z.infer<typeof fundSettingsSchema>;

export const updateSettingsBody = z
  .strictObject({
    currency: z.enum(currencyCodes).optional(),
    minGroupMembers: z.number().int().min(1).max(200).optional(),
    maxGroupMembers: z.number().int().min(1).max(200).optional(),
    memberOutstandingCap: capAmount.optional(),
    approvalNeedsSecondPerson: z.boolean().optional(),
  })
  .refine((body) => Object.keys(body).length > 0, { message: 'give at least one setting to change' });

export function readSettings(db: FundDatabase): FundSettings {
  return fundSettingsSchema.parse(repo.storedSettings(db));
}

export function getSettings(context: ServiceContext): FundSettings {
  return readSettings(context.db);
}

export function updateSettings(context: ServiceContext, actor: Actor, changes: z.infer<typeof updateSettingsBody>): FundSettings {
  requireRole(actor, ['admin'], 'change the fund’s settings');
  return context.db.transaction((tx) => {
    const next = { ...readSettings(tx), ...changes };
    if (next.minGroupMembers > next.maxGroupMembers) {
      throw new DomainError('settings_invalid', 'The smallest group size cannot be above the largest.', [
        { path: 'minGroupMembers', message: `must be at most maxGroupMembers (${next.maxGroupMembers})` },
      ]);
    }
    if (changes.currency !== undefined && changes.currency !== readSettings(tx).currency && lastEntry(tx) !== undefined) {
      throw new DomainError('settings_invalid', 'The fund’s currency cannot change once money has moved in it.', [{ path: 'currency', message: 'money has already moved' }]);
    }
    if (!parseMoney(next.memberOutstandingCap, next.currency).ok) {
      throw new DomainError('settings_invalid', `The member cap has more decimals than ${next.currency} has.`, [{ path: 'memberOutstandingCap', message: 'too many decimals for the currency' }]);
    }
    const updatedAt = nowTimestamp(context);
    for (const [key, value] of Object.entries(changes)) repo.saveSetting(tx, key, value, updatedAt);
    return readSettings(tx);
  });
}
