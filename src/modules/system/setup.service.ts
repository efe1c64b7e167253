// What a fund's database needs before the first request: the chart of accounts, a first admin, and loan read models
// made by the rules this version of the service follows.
import { ensureAdminUser } from '../auth/auth.service.js';
import { upgradeLoanReadModels } from '../loans/loan-read-models.js';
import { ensureChartOfAccounts } from '../ledger/journal.repo.js';
import { type ServiceContext, nowTimestamp } from '../shared/context.js';

export function prepareFund(
  context: ServiceContext,
  adminPassword: string | undefined,
  onReadModelProgress?: (done: number, total: number) => void,
): { created: boolean; generatedPassword: string | null; readModelsRebuilt: { loans: number; from: number; seconds: number } | null } {
  context.db.transaction((tx) => ensureChartOfAccounts(tx));
  const started = performance.now();
  const upgraded = upgradeLoanReadModels(context.db, nowTimestamp(context), onReadModelProgress);
  const readModelsRebuilt = upgraded && { ...upgraded, seconds: (performance.now() - started) / 1000 };
  return { ...ensureAdminUser(context, adminPassword), readModelsRebuilt };
}
