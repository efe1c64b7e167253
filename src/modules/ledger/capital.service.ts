// The fund's capital: money received from those who fund it (Dr cash / Cr fund capital) and returned to them, each a
// row and its journal entry in one transaction. Capital is never returned beyond what was received.
import type { CurrencyCode } from '../../domain/money.js';
import { accountCodes } from '../../ledger/chart.js';
import * as recipes from '../../ledger/recipes.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotFuture } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { type IdempotencyContext, once } from '../shared/idempotency.js';
import { newId } from '../shared/ids.js';
import { amountInMinorUnits, formatAmount } from '../shared/money-input.js';
import { readSettings } from '../settings/settings.service.js';
import type { CapitalMovementInput } from './capital.commands.js';
import * as repo from './capital.repo.js';
import { toStoredAmount } from './journal.repo.js';
import { balancesOn, post, requireOpenPeriod } from './ledger.service.js';

/** The last day any entry can carry: a balance "as of" it is the balance after everything. */
const endOfTime = '9999-12-31';

/** The fund capital account's balance as of a day. */
function capitalOn(db: ServiceContext['db'], asOf: string): bigint {
  return balancesOn(db, asOf, [accountCodes.fundCapital])(accountCodes.fundCapital);
}

function movementReply(row: repo.CapitalMovementRow, currency: CurrencyCode) {
  return { ...row, amount: formatAmount(BigInt(row.amount), currency) };
}

export function recordCapitalMovement(context: ServiceContext, actor: Actor, input: CapitalMovementInput, idempotency: IdempotencyContext) {
  requireRole(actor, ['admin'], 'record the fund’s capital');
  const currency = readSettings(context.db).currency;
  const amount = amountInMinorUnits(input.amount, currency, 'amount');
  return context.db.transaction((tx) =>
    once(tx, { key: idempotency.key, userId: actor.userId, route: idempotency.route, input }, nowTimestamp(context), 201, () => {
      requireNotFuture(context, input.movedOn, 'movedOn');
      requireOpenPeriod(tx, input.movedOn, 'movedOn');
      if (input.direction === 'returned') {
        // On its day and after every later movement: a return dated back must leave no day with negative capital.
        const onItsDay = capitalOn(tx, input.movedOn);
        const afterAll = capitalOn(tx, endOfTime);
        const held = onItsDay < afterAll ? onItsDay : afterAll;
        if (amount > held) {
          throw new DomainError('amount_exceeds_balance', `The fund holds ${formatAmount(held, currency)} ${currency} of capital to return.`, [{ path: 'amount', message: 'more than the capital held' }]);
        }
      }
      const id = newId('cp');
      const now = nowTimestamp(context);
      const description = `capital ${input.direction} ${input.direction === 'received' ? 'from' : 'to'} ${input.source}`;
      const entry = post(tx, recipes.capitalMovement({ entryDate: input.movedOn, sourceType: 'capital_movement', sourceId: id, description }, input.direction, amount), actor, now);
      const row: repo.CapitalMovementRow = {
        id,
        direction: input.direction,
        amount: toStoredAmount(amount),
        movedOn: input.movedOn,
        source: input.source,
        note: input.note ?? null,
        journalEntryId: entry.id,
        recordedBy: actor.userId,
        recordedAt: now,
      };
      repo.insertCapitalMovement(tx, row);
      return movementReply(row, currency);
    }),
  );
}

export function capitalMovements(context: ServiceContext, actor: Actor) {
  requireRole(actor, ['admin', 'auditor'], 'read the fund’s capital');
  const currency = readSettings(context.db).currency;
  return { currency, balance: formatAmount(capitalOn(context.db, endOfTime), currency), items: repo.listCapitalMovements(context.db).map((row) => movementReply(row, currency)) };
}
