// Builds the real app on a real SQLite file in a temporary folder, with a clock the test controls.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { LightMyRequestResponse } from 'fastify';
import { expect } from 'vitest';
import { loadConfig, type Config } from '../src/config.js';
import { type DatabaseHandle, migrateDatabase, openDatabase } from '../db/client.js';
import { type App, type AppDependencies, buildApp } from '../src/http/app.js';
import { prepareFund } from '../src/modules/system/setup.service.js';
import { createServiceContext, type ServiceContext } from '../src/modules/shared/context.js';

export const adminPassword = 'admin-password-1';

export class TestClock {
  constructor(public instant: Date = new Date('2026-11-23T03:00:00.000Z')) {}
  now(): Date {
    return new Date(this.instant);
  }
  advanceMinutes(minutes: number): void {
    this.instant = new Date(this.instant.getTime() + minutes * 60_000);
  }
}

export interface TestApp {
  app: App;
  database: DatabaseHandle;
  clock: TestClock;
  config: Config;
  context: ServiceContext;
  close(): Promise<void>;
}

export async function buildTestApp(environment: Record<string, string> = {}, dependencies: Omit<AppDependencies, 'database' | 'clock'> = {}): Promise<TestApp> {
  const folder = mkdtempSync(join(tmpdir(), 'fund-ledger-test-'));
  const config = loadConfig({ DATABASE_PATH: join(folder, 'fund.db'), LOG_LEVEL: 'silent', FUND_ADMIN_PASSWORD: adminPassword, ...environment }, false);
  const database = openDatabase(config.databasePath);
  migrateDatabase(database);
  const clock = new TestClock();
  const context = createServiceContext(config, database.db, clock);
  prepareFund(context, config.adminPassword);
  const app = await buildApp(config, { database, clock, ...dependencies });
  await app.ready();
  return {
    app,
    database,
    clock,
    config,
    context,
    async close() {
      await app.close();
      database.close();
      rmSync(folder, { recursive: true, force: true });
    },
  };
}

export async function login(app: App, username: string, password: string): Promise<string> {
  const response = await app.inject({ method: 'POST', url: '/v1/auth/login', payload: { username, password } });
  if (response.statusCode !== 200) throw new Error(`login of ${username} failed: ${response.body}`);
  return (response.json() as { token: string }).token;
}

export type Caller = (
  method: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE',
  url: string,
  payload?: unknown,
  headers?: Record<string, string>,
) => Promise<LightMyRequestResponse>;

let generatedKeys = 0;
/** A fresh Idempotency-Key for a money-moving request. */
export function freshKey(): string {
  generatedKeys += 1;
  return `test-key-${process.pid}-${generatedKeys}`;
}

/** A function that sends requests with a token, as one signed-in user would. */
export function as(app: App, token: string): Caller {
  return (method, url, payload, headers = {}) =>
    app.inject({ method, url, headers: { authorization: `Bearer ${token}`, ...headers }, ...(payload === undefined ? {} : { payload: payload as object }) });
}

/** The same, adding a fresh Idempotency-Key to every POST unless one is given. */
export function asWithKeys(app: App, token: string): Caller {
  const caller = as(app, token);
  return (method, url, payload, headers = {}) => caller(method, url, payload, method === 'POST' && !headers['idempotency-key'] ? { 'idempotency-key': freshKey(), ...headers } : headers);
}

/**
 * Every row of every table, in a stable order: two equal snapshots mean the database did not change. The audit
 * trail is left out: it records refused attempts by design (test/http/audit.test.ts reads it directly).
 */
export function snapshot(database: DatabaseHandle, except: string[] = []): string {
  const tables = database.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all() as { name: string }[];
  return JSON.stringify(tables.filter(({ name }) => name !== 'audit_log' && !except.includes(name)).map(({ name }) => [name, database.sqlite.prepare(`SELECT * FROM "${name}" ORDER BY rowid`).all()]));
}

/**
 * A request that must be refused and leave the database as it was: its status, its error code and the fields the
 * error names, for one assertion.
 */
export async function refusedUnchanged(database: DatabaseHandle, request: () => Promise<{ statusCode: number; json: () => unknown }>): Promise<(number | string)[]> {
  const before = snapshot(database, ['login_attempts']);
  const reply = await request();
  expect(snapshot(database, ['login_attempts'])).toBe(before);
  const { error } = reply.json() as { error: { code: string; details?: { path: string }[] } };
  return [reply.statusCode, error.code, ...(error.details ?? []).map((detail) => detail.path)];
}
