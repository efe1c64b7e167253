// The service's configuration: the only reader of process.env, validated once at start-up.
import { z } from 'zod';

const positiveInteger = z.coerce.number().int().positive();

const environmentSchema = z.object({
  HOST: z.string().min(1).default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  DATABASE_PATH: z.string().min(1).default('./data/fund.db'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  FUND_ADMIN_PASSWORD: z.string().min(8, 'must be at least 8 characters').optional(),
  TOKEN_TTL_MINUTES: positiveInteger.default(8 * 60),
  LOGIN_MAX_FAILURES: positiveInteger.default(5),
  LOGIN_LOCKOUT_MINUTES: positiveInteger.default(15),
  WRITE_BATCH_MAX: positiveInteger.max(1000).default(64),
  LOGIN_RATE_LIMIT_PER_MINUTE: positiveInteger.default(30),
  CORS_ORIGINS: z
    .string()
    .default('')
    .refine((text) => text.split(',').every((origin) => origin.trim() === '' || /^https?:\/\/[^\s/]+$/.test(origin.trim())), 'must be origins such as https://fund.example.vn, separated by commas'),
  BACKUP_INTERVAL_MINUTES: z.coerce.number().int().min(0).default(0),
  BACKUP_FOLDER: z.string().min(1).default('./data/backups'),
  BACKUP_KEEP: positiveInteger.default(7),
  FUND_TIME_ZONE: z
    .string()
    .default('Asia/Ho_Chi_Minh')
    .refine((zone) => isKnownTimeZone(zone), 'must be an IANA time zone such as Asia/Ho_Chi_Minh'),
});

export interface Config {
  host: string;
  port: number;
  databasePath: string;
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  /** Pretty, human-readable logs (a terminal) or one JSON object per line (a log collector). */
  logPretty: boolean;
  adminPassword: string | undefined;
  tokenTtlMinutes: number;
  loginMaxFailures: number;
  loginLockoutMinutes: number;
  fundTimeZone: string;
  /** Group commit: the most money-moving commands one durable commit carries; 1 commits each on its own. */
  writeBatchMax: number;
  /** Sign-in attempts one address may make in a minute, whatever the usernames. */
  loginRateLimitPerMinute: number;
  /** Browser origins allowed to call the API from other sites; none unless configured. */
  corsOrigins: string[];
  /** Minutes between scheduled backups; 0 turns the schedule off. */
  backupIntervalMinutes: number;
  backupFolder: string;
  /** Checked copies the schedule keeps; older ones are deleted. */
  backupKeep: number;
}

export class ConfigError extends Error {}

function isKnownTimeZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/** Reads the configuration; a bad value throws a ConfigError naming the variable. */
export function loadConfig(environment: NodeJS.ProcessEnv = process.env, isTerminal = process.stdout.isTTY === true): Config {
  // An empty variable means "not set", as a shell user who writes `PORT=` expects.
  const present = Object.fromEntries(Object.entries(environment).filter(([, value]) => value !== undefined && value !== ''));
  const parsed = environmentSchema.safeParse(present);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`);
    throw new ConfigError(`Invalid configuration: ${problems.join('; ')}`);
  }
  const values = parsed.data;
  return {
    host: values.HOST,
    port: values.PORT,
    databasePath: values.DATABASE_PATH,
    logLevel: values.LOG_LEVEL,
    logPretty: isTerminal,
    adminPassword: values.FUND_ADMIN_PASSWORD,
    tokenTtlMinutes: values.TOKEN_TTL_MINUTES,
    loginMaxFailures: values.LOGIN_MAX_FAILURES,
    loginLockoutMinutes: values.LOGIN_LOCKOUT_MINUTES,
    fundTimeZone: values.FUND_TIME_ZONE,
    writeBatchMax: values.WRITE_BATCH_MAX,
    loginRateLimitPerMinute: values.LOGIN_RATE_LIMIT_PER_MINUTE,
    corsOrigins: values.CORS_ORIGINS.split(',').map((origin) => origin.trim()).filter((origin) => origin !== ''),
    backupIntervalMinutes: values.BACKUP_INTERVAL_MINUTES,
    backupFolder: values.BACKUP_FOLDER,
    backupKeep: values.BACKUP_KEEP,
  };
}
