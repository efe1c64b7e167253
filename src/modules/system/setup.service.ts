// What a fund's database needs before the first request: the chart of accounts and a first admin.
import { ensureAdminUser } from '../auth/auth.service.js';
import { ensureChartOfAccounts } from '../ledger/journal.repo.js';
import type { ServiceContext } from '../shared/context.js';

export function prepareFund(context: ServiceContext, adminPassword: string | undefined): { created: boolean; generatedPassword: string | null } {
  context.db.transaction((tx) => ensureChartOfAccounts(tx));
  return ensureAdminUser(context, adminPassword);
}
