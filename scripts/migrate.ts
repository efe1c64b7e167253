// npm run migrate: applies the committed migrations to DATABASE_PATH (the service also does this at start).
import { schemaVersion } from '../db/client.js';
import { openOperator } from './operator.js';

const { config, database } = openOperator();
console.log(`${config.databasePath} is at migration ${schemaVersion(database)}.`);
database.close();
