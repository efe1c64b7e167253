// Fund-wide settings: stored per key as JSON, validated on the way in and out, with the fund's defaults.
import { z } from 'zod';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import * as repo from './settings.repo.js';

export const fundSettingsSchema = z
  .strictObject({
    minGroupMembers: z.number().int().min(1).max(200).default(3),
    maxGroupMembers: z.number().int().min(1).max(200).default(60),
  })
  .meta({ id: 'FundSettings' });

export type FundSettings = z.infer<typeof fundSettingsSchema>;

export const updateSettingsBody = z
  .strictObject({
    minGroupMembers: z.number().int().min(1).max(200).optional(),
    maxGroupMembers: z.number().int().min(1).max(200).optional(),
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
    const updatedAt = nowTimestamp(context);
    for (const [key, value] of Object.entries(changes)) repo.saveSetting(tx, key, value, updatedAt);
    return readSettings(tx);
  });
}
