// The process: reads the configuration, opens and migrates the database, serves, and shuts down cleanly.
import { ConfigError, loadConfig } from './config.js';
import { migrateDatabase, openDatabase } from '../db/client.js';
import { buildApp } from './http/app.js';
import { prepareFund } from './modules/system/setup.service.js';
import { systemClock } from './modules/shared/clock.js';
import { createServiceContext } from './modules/shared/context.js';
import { type BackupSchedule, scheduleBackups } from './modules/system/backup.service.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }

  const database = openDatabase(config.databasePath);
  migrateDatabase(database);
  // A failed flush of committed writes leaves the file's state unknown to this process: stop, and let the
  // supervisor start it again on what the disk holds (clients resend with their idempotency keys).
  const app = await buildApp(config, {
    database,
    onStorageLost: () => {
      process.exitCode = 1;
      void shutdown('storage lost');
    },
  });

  const context = createServiceContext(config, database.db, systemClock);
  // Loan read models made by an older version's rules are rebuilt before the service answers: a province's take
  // minutes, told as they go.
  const admin = prepareFund(context, config.adminPassword, (done, total) => {
    if (done % 10_000 === 0 || done === total) app.log.info({ done, total }, 'rebuilding the loans’ read models under this version’s rules');
  });
  if (admin.readModelsRebuilt && admin.readModelsRebuilt.loans > 0) {
    const { loans, from, seconds } = admin.readModelsRebuilt;
    app.log.warn(`Rebuilt the read models of ${loans} loans, made by the rules of version ${from}, under this version's in ${seconds.toFixed(1)} s.`);
  }
  if (admin.generatedPassword) {
    app.log.warn(`Created the first user "admin" with the password ${admin.generatedPassword} — it is shown only this once: sign in and keep it safe.`);
  } else if (admin.created) {
    app.log.info('Created the first user "admin" with the password from FUND_ADMIN_PASSWORD.');
  }

  let backups: BackupSchedule | undefined;
  let closing = false;
  async function shutdown(signal: string) {
    if (closing) return;
    closing = true;
    app.log.info({ signal }, 'closing: finishing requests in flight');
    try {
      await backups?.stop();
      await app.close();
    } finally {
      database.close();
      app.log.info('closed');
    }
  }
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
  process.once('SIGINT', () => void shutdown('SIGINT'));

  await app.listen({ host: config.host, port: config.port });
  app.log.info({ database: config.databasePath }, 'the fund ledger is serving');
  if (config.backupIntervalMinutes > 0) {
    backups = scheduleBackups(context, { folder: config.backupFolder, intervalMinutes: config.backupIntervalMinutes, keep: config.backupKeep }, app.log);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
