// The month-end provision run: the provision the classified portfolio requires, and the entry that moves the
// provision account from its balance to it.
import { daysInMonth, parseIsoDate } from '../../domain/calendar.js';
import type { CurrencyCode } from '../../domain/money.js';
import { accountCodes } from '../../ledger/chart.js';
import * as recipes from '../../ledger/recipes.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { once } from '../shared/idempotency.js';
import { newId } from '../shared/ids.js';
import { formatAmount } from '../shared/money-input.js';
import { accountTotals, toStoredAmount } from '../ledger/journal.repo.js';
import { post, requireOpenPeriod } from '../ledger/ledger.service.js';
import { readSettings } from '../settings/settings.service.js';
import { requiredProvision } from './portfolio.service.js';
import * as repo from './report.repo.js';

export function runProvisions(context: ServiceContext, actor: Actor, asOf: string, idempotency: { key: string; route: string }) {
  requireRole(actor, ['admin'], 'run provisions');
  const [year, month, day] = asOf.split('-').map(Number) as [number, number, number];
  if (day !== daysInMonth(year, month)) {
    throw new DomainError('invalid_request', 'Provisions are run as of a month end.', [{ path: 'asOf', message: `must be the last day of a month (${asOf.slice(0, 8)}${daysInMonth(year, month)})` }]);
  }
  const currency = readSettings(context.db).currency as CurrencyCode;
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input: { asOf } }, nowTimestamp(context), 201, () => {
      if (asOf > today(context)) throw new DomainError('date_in_future', `${asOf} has not ended yet.`, [{ path: 'asOf', message: 'must not be in the future' }]);
      requireOpenPeriod(tx, asOf, 'asOf');
      // Each run moves the account from its balance on its day to what that day requires, and the next run starts from
      // there: a run for an earlier month end, after a later one, would add its change beneath the later run's, and the
      // account would hold both. The latest month end may be run again (a backdated repayment changed what it requires).
      const lastRun = repo.lastProvisionRunAsOf(tx);
      if (lastRun !== null && asOf < lastRun) {
        throw new DomainError('provision_before_last_run', `Provisions were run as of ${lastRun}: a run as of an earlier month end would leave the provision account wrong.`, [{ path: 'asOf', message: `must be ${lastRun} or a later month end` }]);
      }
      const required = requiredProvision({ ...context, db: tx }, parseIsoDate(asOf) as number);
      const totals = accountTotals(tx, asOf, [accountCodes.loanLossProvision]).get(accountCodes.loanLossProvision) ?? { debit: 0n, credit: 0n };
      // The provision account is credit-normal: its balance is what the fund holds against losses.
      const balance = totals.credit - totals.debit;
      const change = required.total - balance;
      const id = newId('pr');
      const now = nowTimestamp(context);
      const entry =
        change === 0n
          ? null
          : post(tx, recipes.provisionChange({ entryDate: asOf, sourceType: 'provision_run', sourceId: id, description: `provision as of ${asOf}` }, change), actor, now);
      repo.insertProvisionRun(tx, { id, asOf, required: toStoredAmount(required.total), previousBalance: toStoredAmount(balance), journalEntryId: entry?.id ?? null, runBy: actor.userId, runAt: now });
      return {
        id,
        asOf,
        currency,
        loansClassified: required.loans,
        specific: formatAmount(required.specific, currency),
        general: formatAmount(required.general, currency),
        required: formatAmount(required.total, currency),
        previousBalance: formatAmount(balance, currency),
        change: formatAmount(change, currency),
        journalEntryId: entry?.id ?? null,
      };
    }),
  );
}
