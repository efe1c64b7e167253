// Fund-wide settings: stored per key as JSON, validated on the way in and out, with the fund's defaults.
import { z } from 'zod';
import { currencyCodes, parseMoney } from '../../domain/money.js';
import { type DebtGroupTable, type ProvisionRates, debtGroupPresets, provisionPresets, validDebtGroupTable, validProvisionRates } from '../../domain/classification.js';
import type { FundDatabase } from '../../../db/client.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import * as repo from './settings.repo.js';
import { lastEntry } from '../ledger/journal.repo.js';

// A provision rate is a share of the outstanding principal: never more than all of it.
const percent = z.string().regex(/^(100(\.0{1,4})?|\d{1,2}(\.\d{1,4})?)$/, 'must be a percentage from 0 to 100, such as "2" or "0.5"');
const debtGroupTable = z.strictObject({
  minimumDaysPastDue: z.tuple([z.number().int().min(1), z.number().int().min(1), z.number().int().min(1), z.number().int().min(1)]),
  groupAfterRescheduling: z.tuple([z.number().int().min(1).max(5), z.number().int().min(1).max(5), z.number().int().min(1).max(5)]),
});
const provisionRates = z.strictObject({ specificPercent: z.tuple([percent, percent, percent, percent, percent]), generalPercent: percent });

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
    /** Which table classifies loans into debt groups: Circular 14/2024 (microfinance), 31/2024 (bank), or the fund's own. */
    debtGroupPreset: z.enum(['microfinance', 'bank', 'custom']).default('microfinance'),
    customDebtGroups: debtGroupTable.optional(),
    provisionPreset: z.enum(['microfinance', 'bank', 'custom']).default('microfinance'),
    customProvisionRates: provisionRates.optional(),
    /** All of a member's loans take her worst debt group. */
    memberWorstDebtGroup: z.boolean().default(true),
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
    debtGroupPreset: z.enum(['microfinance', 'bank', 'custom']).optional(),
    customDebtGroups: debtGroupTable.optional(),
    provisionPreset: z.enum(['microfinance', 'bank', 'custom']).optional(),
    customProvisionRates: provisionRates.optional(),
    memberWorstDebtGroup: z.boolean().optional(),
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
    const cap = parseMoney(next.memberOutstandingCap, next.currency);
    if (!cap.ok) {
      throw new DomainError('settings_invalid', `The member cap has more decimals than ${next.currency} has.`, [{ path: 'memberOutstandingCap', message: 'too many decimals for the currency' }]);
    }
    // A cap of nothing would refuse every disbursement while reading as a setting like any other.
    if (changes.memberOutstandingCap !== undefined && cap.value.isZero()) {
      throw new DomainError('settings_invalid', 'The member cap must be more than 0: with 0 no member could borrow.', [{ path: 'memberOutstandingCap', message: 'must be more than 0' }]);
    }
    if (next.debtGroupPreset === 'custom' && !next.customDebtGroups) {
      throw new DomainError('settings_invalid', 'A custom debt-group preset needs its table.', [{ path: 'customDebtGroups', message: 'required with the custom preset' }]);
    }
    if (next.customDebtGroups && !validDebtGroupTable(next.customDebtGroups as DebtGroupTable)) {
      throw new DomainError('settings_invalid', 'The days of a debt-group table must rise from group 2 to group 5; a rescheduled loan is in group 2 at least, and a later rescheduling may not lower its group.', [
        { path: 'customDebtGroups', message: 'thresholds must increase' },
      ]);
    }
    if (next.provisionPreset === 'custom' && !next.customProvisionRates) {
      throw new DomainError('settings_invalid', 'A custom provision preset needs its rates.', [{ path: 'customProvisionRates', message: 'required with the custom preset' }]);
    }
    if (next.customProvisionRates && !validProvisionRates(next.customProvisionRates as ProvisionRates)) {
      throw new DomainError('settings_invalid', 'Specific provision rates must not fall from group 1 to group 5, and with the general rate no group 1 to 4 may pass 100 % of what is lent.', [
        { path: 'customProvisionRates', message: 'rates must rise with the debt group and stay within 100 %' },
      ]);
    }
    const updatedAt = nowTimestamp(context);
    for (const [key, value] of Object.entries(changes)) repo.saveSetting(tx, key, value, updatedAt);
    return readSettings(tx);
  });
}

/** The debt-group table and provision rates the fund's settings choose. */
export function classificationRules(settings: FundSettings): { table: DebtGroupTable; rates: ProvisionRates; memberWorst: boolean } {
  const table = settings.debtGroupPreset === 'custom' && settings.customDebtGroups ? (settings.customDebtGroups as DebtGroupTable) : debtGroupPresets[settings.debtGroupPreset === 'bank' ? 'bank' : 'microfinance'];
  const rates = settings.provisionPreset === 'custom' && settings.customProvisionRates ? settings.customProvisionRates : provisionPresets[settings.provisionPreset === 'bank' ? 'bank' : 'microfinance'];
  return { table, rates, memberWorst: settings.memberWorstDebtGroup };
}
