// The fund's plan: targets per period (a year or a half-year) and area, beside which outreach is reported.
import type { CurrencyCode } from '../../domain/money.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { newId } from '../shared/ids.js';
import { amountInMinorUnits, formatAmount } from '../shared/money-input.js';
import { findArea } from '../registry/registry.repo.js';
import { readSettings } from '../settings/settings.service.js';
import type { PlanInput } from './report.commands.js';
import * as repo from './report.repo.js';

function planReplies(context: ServiceContext) {
  const currency = readSettings(context.db).currency as CurrencyCode;
  return repo.listPlans(context.db).map((row) => ({
    id: row.id,
    areaId: row.areaId,
    periodStart: row.periodStart,
    periodEnd: row.periodEnd,
    metric: row.metric,
    target: row.metric === 'amountDisbursed' ? formatAmount(BigInt(row.target), currency) : String(row.target),
  }));
}

export function setPlan(context: ServiceContext, actor: Actor, input: PlanInput) {
  requireRole(actor, ['admin'], 'set the fund’s plan');
  if (input.periodStart > input.periodEnd) throw new DomainError('invalid_request', 'The period starts after it ends.', [{ path: 'periodStart', message: 'must not be after periodEnd' }]);
  const currency = readSettings(context.db).currency as CurrencyCode;
  context.db.transaction((tx) => {
    if (input.areaId !== null && !findArea(tx, input.areaId)) throw new DomainError('area_not_found', `No area has the id ${input.areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
    const now = nowTimestamp(context);
    for (const [metric, value] of Object.entries(input.targets)) {
      if (value === undefined) continue;
      const target = metric === 'amountDisbursed' ? amountInMinorUnits(String(value), currency, 'targets.amountDisbursed', { allowZero: true }) : BigInt(value);
      repo.savePlanTarget(tx, {
        id: newId('pl'),
        areaId: input.areaId,
        periodStart: input.periodStart,
        periodEnd: input.periodEnd,
        metric: metric as 'groupsFormed',
        target: Number(target),
        createdBy: actor.userId,
        createdAt: now,
      });
    }
  });
  return { items: planReplies(context) };
}

export function listPlans(context: ServiceContext) {
  return { items: planReplies(context) };
}
