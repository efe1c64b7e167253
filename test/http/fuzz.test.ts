// Every route of /openapi.json, driven with requests generated from its own schemas (fast-check), valid and
// invalid, by every role: no answer is a 5xx, every refusal is a JSON error with a code, and the ledger's
// invariants hold afterwards (trial balance, reconciliation, and the full verification of the stored journal).
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { adminPassword, buildTestApp, login, type TestApp } from '../helper.js';
import { buildSmallFund, disbursedLoan, type SmallFund } from '../fixtures.js';

type Schema = {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  maxItems?: number;
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
};
interface Operation {
  method: 'GET' | 'POST' | 'PATCH';
  path: string;
  parameters: { in: string; name: string; required?: boolean; schema: Schema }[];
  body: Schema | undefined;
  bodyType: string | undefined;
}

let test: TestApp;
let fund: SmallFund;
let operations: Operation[];
let components: Record<string, Schema>;
const tokens: Record<string, string> = {};
const ids: string[] = [];
const requestCount = 5000;
// A fixed seed keeps the run repeatable; FUZZ_SEED explores other requests.
const fuzzSeed = Number(process.env.FUZZ_SEED ?? 20261123);

beforeAll(async () => {
  test = await buildTestApp({ LOGIN_RATE_LIMIT_PER_MINUTE: '1000' });
  fund = await buildSmallFund(test, 4);
  for (const [index, memberIndex] of [0, 1, 2].entries()) {
    const { loanId, productId } = await disbursedLoan(fund, { memberIndex, disbursedOn: `2025-0${index + 1}-15` });
    const repaid = await fund.officer('POST', `/v1/loans/${loanId}/repayments`, { amount: '900000', paidOn: '2025-05-15' });
    ids.push(loanId, productId, repaid.json().transaction.id);
  }
  ids.push(...fund.memberIds, fund.group.id, fund.otherGroup.id, ...Object.values(fund.areas), fund.officerId);
  tokens.admin = await login(test.app, 'admin', adminPassword);
  tokens.officer = await login(test.app, 'lan.officer', 'officer-pass-1');
  tokens.leader = await login(test.app, 'thu.leader', 'leader-pass-1');
  tokens.auditor = await login(test.app, 'auditor', 'auditor-pass-1');

  const spec = (await test.app.inject({ method: 'GET', url: '/openapi.json' })).json() as {
    paths: Record<string, Record<string, { parameters?: Operation['parameters']; requestBody?: { content: Record<string, { schema: Schema }> } }>>;
    components: { schemas: Record<string, Schema> };
  };
  components = spec.components.schemas;
  operations = Object.entries(spec.paths).flatMap(([path, byMethod]) =>
    Object.entries(byMethod).map(([method, operation]) => {
      const [bodyType, content] = Object.entries(operation.requestBody?.content ?? {})[0] ?? [];
      return { method: method.toUpperCase() as Operation['method'], path, parameters: operation.parameters ?? [], body: content?.schema, bodyType };
    }),
  );
}, 120_000);

afterAll(async () => {
  await test.close();
});

const hostileText = fc.constantFrom("'; DROP TABLE loans;--", '<script>alert(1)</script>', '../../etc/passwd', '\u0000', '💥'.repeat(50), ' ', '-1', '1e309', 'NaN', '2025-02-30');
const dates = fc.oneof(
  fc.date({ min: new Date('2024-01-01T00:00:00Z'), max: new Date('2026-12-31T00:00:00Z'), noInvalidDate: true }).map((date) => date.toISOString().slice(0, 10)),
  fc.constantFrom('2025-02-29', '2025-13-01', '0000-00-00', '9999-12-31', '2025-1-5'),
);
const amounts = fc.oneof(fc.bigInt({ min: 0n, max: 50_000_000n }).map(String), fc.constantFrom('0', '-100', '1.5', '100.005', '1e6', '99999999999999999999'));

/** A value for a JSON schema: valid most of the time, with the edges and wrong values a client may send. */
function arbitraryFor(schema: Schema, name = '', depth = 0): fc.Arbitrary<unknown> {
  if (schema.$ref) return arbitraryFor(components[schema.$ref.replace('#/components/schemas/', '')] ?? {}, name, depth);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.oneof({ arbitrary: fc.constantFrom(...schema.enum), weight: 9 }, { arbitrary: fc.string({ maxLength: 8 }), weight: 1 });
  const choices = schema.anyOf ?? schema.oneOf;
  if (choices) return fc.oneof(...choices.map((choice) => arbitraryFor(choice, name, depth)));
  if (schema.allOf?.[0]) return arbitraryFor(schema.allOf[0], name, depth);
  const types = Array.isArray(schema.type) ? schema.type : [schema.type ?? 'string'];
  return fc.oneof(...types.map((type) => arbitraryOfType(schema, type, name, depth)));
}

function arbitraryOfType(schema: Schema, type: string, name: string, depth: number): fc.Arbitrary<unknown> {
  switch (type) {
    case 'null':
      return fc.constant(null);
    case 'boolean':
      return fc.boolean();
    case 'integer':
    case 'number': {
      const min = Math.ceil(Math.max(schema.minimum ?? -10, -(2 ** 31)));
      const max = Math.floor(Math.min(schema.maximum ?? Math.max(min + 100, 100), 2 ** 31));
      return fc.oneof({ arbitrary: fc.integer({ min, max: Math.max(min, max) }), weight: 8 }, { arbitrary: fc.constantFrom(-1, 0, 1e12, 0.5), weight: 2 });
    }
    case 'array': {
      const item = depth > 3 ? fc.constant(null) : arbitraryFor(schema.items ?? {}, name, depth + 1);
      const minLength = Math.min(schema.minItems ?? 0, 4);
      return fc.array(item, { minLength, maxLength: Math.max(minLength, Math.min(schema.maxItems ?? 4, 4)) });
    }
    case 'object': {
      if (depth > 3 || !schema.properties) return fc.constant({});
      const model: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, inner] of Object.entries(schema.properties)) model[key] = arbitraryFor(inner, key, depth + 1);
      return fc.record(model, { requiredKeys: (schema.required ?? []).filter((key) => key in model) });
    }
    default:
      return stringFor(schema, name);
  }
}

function stringFor(schema: Schema, name: string): fc.Arbitrary<unknown> {
  const known = fc.constantFrom(...ids);
  const minLength = Math.min(schema.minLength ?? 0, 64);
  const plain = fc.string({ minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 40, 40)) });
  if (schema.format === 'date' || /On$|^asOf$|^from$|^to$|^date$|^through$/.test(name)) return fc.oneof({ arbitrary: dates, weight: 8 }, { arbitrary: hostileText, weight: 1 });
  if (schema.pattern === '^\\d+(\\.\\d+)?$' || /amount|principal|cashTotal|repayment|Savings$|Cap$/i.test(name)) return fc.oneof({ arbitrary: amounts, weight: 8 }, { arbitrary: hostileText, weight: 1 });
  if (/[iI]d$|^cursor$/.test(name)) return fc.oneof({ arbitrary: known, weight: 6 }, { arbitrary: plain, weight: 2 }, { arbitrary: hostileText, weight: 1 });
  if (schema.pattern) {
    try {
      return fc.oneof({ arbitrary: fc.stringMatching(new RegExp(schema.pattern)).filter((text) => text.length <= (schema.maxLength ?? 200) && text.length >= (schema.minLength ?? 0)), weight: 6 }, { arbitrary: plain, weight: 1 });
    } catch {
      return plain;
    }
  }
  return fc.oneof({ arbitrary: plain, weight: 6 }, { arbitrary: hostileText, weight: 1 });
}

/** A whole request for one operation: valid by its schema, or broken in one of the ways clients break them. */
function requestFor(operation: Operation) {
  const pathParameters = operation.parameters.filter((parameter) => parameter.in === 'path');
  const queryParameters = operation.parameters.filter((parameter) => parameter.in === 'query');
  const path = fc.tuple(...pathParameters.map((parameter) => (parameter.name === 'kind' ? fc.constantFrom('compulsory', 'voluntary', 'other') : fc.oneof({ arbitrary: fc.constantFrom(...ids), weight: 8 }, { arbitrary: hostileText, weight: 1 }))));
  const query = fc.record(Object.fromEntries(queryParameters.map((parameter) => [parameter.name, arbitraryFor(parameter.schema, parameter.name)])), { requiredKeys: [] });
  const validBody = operation.body ? arbitraryFor(operation.body) : fc.constant(undefined);
  const body = fc.oneof(
    { arbitrary: validBody, weight: 7 },
    { arbitrary: fc.jsonValue({ maxDepth: 3 }), weight: 1 },
    { arbitrary: validBody.map((value) => (value && typeof value === 'object' ? { ...value, unexpected: '<b>x</b>' } : value)), weight: 1 },
    { arbitrary: fc.constant('{"truncated": '), weight: 1 },
  );
  return fc.record({
    role: fc.constantFrom('admin', 'officer', 'leader', 'auditor', 'admin', 'officer', 'nobody'),
    path,
    query,
    body,
    key: fc.oneof({ arbitrary: fc.uuid(), weight: 9 }, { arbitrary: fc.constantFrom('fuzz-key-reused-1', 'short', ''), weight: 1 }),
  });
}

describe('fuzzing every route of the OpenAPI document', () => {
  it(`answers ${requestCount} generated requests without a 5xx, and the ledger stays whole`, async () => {
    const statuses = new Map<number, number>();
    const routesHit = new Set<string>();
    let sent = 0;
    const perOperation = Math.ceil(requestCount / operations.length);
    for (const operation of operations) {
      const samples = fc.sample(requestFor(operation), { numRuns: perOperation, seed: fuzzSeed + sent });
      for (const sample of samples) {
        let index = 0;
        const url = operation.path.replace(/\{[^}]+\}/g, () => encodeURIComponent(String(sample.path[index++] ?? '')));
        const search = new URLSearchParams(Object.entries(sample.query).map(([key, value]): [string, string] => [key, typeof value === 'string' ? value : JSON.stringify(value)]));
        const headers: Record<string, string> = { 'idempotency-key': sample.key };
        if (sample.role !== 'nobody') headers.authorization = `Bearer ${tokens[sample.role]}`;
        let payload: string | undefined;
        if (operation.method !== 'GET' && sample.body !== undefined) {
          if (operation.bodyType === 'text/csv') {
            headers['content-type'] = 'text/csv';
            payload = typeof sample.body === 'string' ? sample.body : 'fullName,sex\nHoa,female\n';
          } else {
            headers['content-type'] = 'application/json';
            payload = typeof sample.body === 'string' ? sample.body : JSON.stringify(sample.body);
          }
        }
        if (operation.path === '/v1/auth/logout') delete headers.authorization; // keep the tokens alive
        const reply = await test.app.inject({ method: operation.method, url: `${url}${search.size > 0 ? `?${search}` : ''}`, headers, ...(payload === undefined ? {} : { payload }) });
        sent += 1;
        statuses.set(reply.statusCode, (statuses.get(reply.statusCode) ?? 0) + 1);
        routesHit.add(`${operation.method} ${operation.path}`);
        expect(reply.statusCode, `${operation.method} ${url}?${search} ${payload?.slice(0, 300)} → ${reply.body.slice(0, 500)}`).toBeLessThan(500);
        if (reply.statusCode >= 400) {
          const error = reply.json().error;
          expect(typeof error.code, reply.body).toBe('string');
          expect(error.message.length, reply.body).toBeGreaterThan(0);
        }
      }
    }
    expect(sent).toBeGreaterThanOrEqual(requestCount);
    expect(routesHit.size).toBe(operations.length);
    // Some generated requests were good ones: the fuzz reached the services, not only the validators.
    expect([...statuses].filter(([status]) => status < 300).reduce((sum, [, count]) => sum + count, 0)).toBeGreaterThan(200);

    const trial = (await test.app.inject({ method: 'GET', url: '/v1/ledger/trial-balance?asOf=2026-11-23', headers: { authorization: `Bearer ${tokens.auditor}` } })).json();
    expect(trial.totalDebit).toBe(trial.totalCredit);
    const reconciliation = (await test.app.inject({ method: 'GET', url: '/v1/ledger/reconciliation?asOf=2026-11-23', headers: { authorization: `Bearer ${tokens.auditor}` } })).json();
    expect(reconciliation.ok, JSON.stringify(reconciliation)).toBe(true);
    const verification = await test.app.inject({ method: 'GET', url: '/v1/ledger/verify', headers: { authorization: `Bearer ${tokens.auditor}` } });
    expect(verification.statusCode, verification.body).toBe(200);
    expect(verification.json().ok, verification.body.slice(0, 1000)).toBe(true);
  }, 600_000);
});
