// What every operator script shares: the configuration, the migrated database, and a service context.
import { loadConfig, ConfigError, type Config } from '../src/config.js';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../db/client.js';
import { systemClock } from '../src/modules/shared/clock.js';
import { createServiceContext, type ServiceContext } from '../src/modules/shared/context.js';
import { prepareFund } from '../src/modules/system/setup.service.js';

export interface Operator {
  config: Config;
  database: DatabaseHandle;
  context: ServiceContext;
}

export function openOperator(): Operator {
  let config: Config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) fail(error.message);
    throw error;
  }
  const database = openDatabase(config.databasePath);
  migrateDatabase(database);
  const context = createServiceContext(config, database.db, systemClock);
  const admin = prepareFund(context, config.adminPassword);
  if (admin.generatedPassword) console.log(`Created the first user "admin" with the password ${admin.generatedPassword} (shown only this once).`);
  return { config, database, context };
}

export function fail(message: string): never {
  console.error(message);
  process.exit(1);
}
