// buildApp(config, deps): the HTTP face of the fund ledger. Plugins and routes are registered explicitly, in order.
import cors from '@fastify/cors';
import rateLimit from '@fastify/rate-limit';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import Fastify, { type FastifyError, type FastifyInstance, type FastifyReply, type FastifyRequest, LogController } from 'fastify';
import {
  type ZodTypeProvider,
  hasZodFastifySchemaValidationErrors,
  isResponseSerializationError,
  jsonSchemaTransform,
  jsonSchemaTransformObject,
  serializerCompiler,
  validatorCompiler,
} from 'fastify-type-provider-zod';
import helmet from 'helmet';
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import { type DatabaseHandle, health } from '../modules/system/health.service.js';
import { type FileSync, checkpointInBackground, flushInBackground } from '../modules/system/checkpoint.service.js';
import * as auth from '../modules/auth/auth.service.js';
import './actor.js';
import { type Clock, systemClock } from '../modules/shared/clock.js';
import { createServiceContext } from '../modules/shared/context.js';
import { createGroupCommit, isStorageFailure } from '../modules/shared/group-commit.js';
import { DomainError, type ErrorDetail } from '../modules/shared/domain-error.js';
import { type ErrorCode, statusOf } from './error-table.js';
import { auditCommands, carryAuditScopes, recordRefusal, signInFloodRecorder } from './audit.js';
import { jsonDepth } from './json-depth.js';

/** No request body needs more nesting than this (a collection sheet is four deep). */
export const maxJsonDepth = 32;
import { authRoutes } from './routes/auth.routes.js';
import { importRoutes } from './routes/import.routes.js';
import { registryRoutes } from './routes/registry.routes.js';
import { settingsRoutes } from './routes/settings.routes.js';
import { ledgerRoutes } from './routes/ledger.routes.js';
import { savingsRoutes } from './routes/savings.routes.js';
import { loanRoutes } from './routes/loan.routes.js';
import { collectionRoutes } from './routes/collection.routes.js';
import { reportRoutes } from './routes/report.routes.js';
import { reportRunner } from '../modules/reports/report-runner.js';
import { scheduleRoutes } from './routes/schedule.routes.js';
import { auditRoutes } from './routes/audit.routes.js';
import { exportRoutes } from './routes/export.routes.js';
import { webApp } from '../web/plugin.js';

export interface AppDependencies {
  database: DatabaseHandle;
  clock?: Clock;
  /** How a commit's WAL is flushed to the disk (fs.fdatasync on the thread pool; a test may make the disk refuse). */
  fileSync?: FileSync;
  /**
   * Called once when a flush of committed writes fails: what was committed can no longer be known to be on disk,
   * so the process should stop and open the file again (SQLite's recovery keeps what reached it).
   */
  onStorageLost?: (error: Error) => void;
}

export type App = FastifyInstance;

/** Routes under /v1 that answer without a token. */
const publicRoutes = new Set(['/v1/auth/login']);
/** POSTs that change nothing in the fund's records, so an auditor may send them: her own sign-in is hers to end or guard. */
const readOnlyPosts = new Set(['/v1/auth/logout', '/v1/auth/password', '/v1/schedules/preview']);

export function sendError(code: ErrorCode, message: string, details?: ErrorDetail[]) {
  return { status: statusOf(code), body: { error: { code, message, ...(details && details.length > 0 ? { details } : {}) } } };
}

function errorOf(error: FastifyError | DomainError | Error, request: FastifyRequest) {
  if (error instanceof DomainError) return sendError(error.code, error.message, error.details);
  if (hasZodFastifySchemaValidationErrors(error)) {
    const context = (error as FastifyError).validationContext ?? 'body';
    if (context === 'headers' && error.validation.some((issue) => issue.instancePath === '/idempotency-key')) {
      const sent = request.headers['idempotency-key'] !== undefined;
      return sendError('idempotency_key_required', `${sent ? 'The Idempotency-Key header is not a valid key. Send' : 'Send'} an Idempotency-Key header (a new UUID for each new request, the same one when you retry).`, [
        { path: 'headers.idempotency-key', message: error.validation.find((issue) => issue.instancePath === '/idempotency-key')?.message ?? 'required' },
      ]);
    }
    const details = error.validation.map((issue) => ({ path: `${context}${issue.instancePath.replaceAll('/', '.')}`.replace(/\.$/, ''), message: issue.message ?? 'is not valid' }));
    return sendError('invalid_request', `The request is not valid: ${details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}.`, details);
  }
  const fastifyCode = (error as FastifyError).code;
  switch (fastifyCode) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return sendError('malformed_json', 'The request body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return sendError('unsupported_media_type', `This route does not take ${request.headers['content-type'] ?? 'that content type'}.`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return sendError('body_too_large', 'The request body is larger than this route accepts.');
    case 'FST_ERR_CTP_INVALID_CONTENT_LENGTH':
      return sendError('invalid_request', 'The Content-Length header does not match the body.');
    default:
      break;
  }
  if (isStorageFailure(error)) {
    return sendError('storage_unavailable', 'The fund’s database cannot take writes right now (the disk may be full or read-only). Nothing was recorded; try again shortly.');
  }
  const status = (error as FastifyError).statusCode;
  if (status !== undefined && status >= 400 && status < 500) return sendError('invalid_request', error.message);
  return null;
}

export async function buildApp(config: Config, dependencies: AppDependencies): Promise<App> {
  const context = createServiceContext(config, dependencies.database.db, dependencies.clock ?? systemClock);
  // Batched commits are flushed off the thread; one commit per command (batching off) flushes in each commit.
  const flusher = config.writeBatchMax > 1 ? flushInBackground(dependencies.database, dependencies.fileSync) : null;
  let storageLost = false;
  const durable = flusher
    ? () =>
        flusher.durable().catch((error: unknown) => {
          if (!storageLost) {
            storageLost = true;
            app.log.fatal({ err: error }, 'committed writes could not be flushed to the disk: the service must be restarted');
            dependencies.onStorageLost?.(error as Error);
          }
          throw error;
        })
    : undefined;
  const checkpointer = checkpointInBackground(dependencies.database);
  const writes = createGroupCommit(dependencies.database.sqlite, {
    maxBatch: config.writeBatchMax,
    wrap: auditCommands(context),
    ...(durable ? { durable } : {}),
    ...(checkpointer ? { beforeBatch: () => checkpointer.bound() } : {}),
  });
  const reports = reportRunner(context, { path: dependencies.database.sqlite.name, inMemory: dependencies.database.sqlite.memory });

  const app = Fastify({
    logger: {
      level: config.logLevel,
      ...(config.logPretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:standard', ignore: 'pid,hostname' } } } : {}),
    },
    requestIdHeader: 'x-request-id',
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    genReqId: () => randomUUID(),
    bodyLimit: 1024 * 1024,
    // Addresses the router refuses before any route sees them (a broken %-escape, a path part longer than any id)
    // answer in the API's error shape like every other bad request.
    frameworkErrors: (error, _request, reply) => {
      const refused =
        error.code === 'FST_ERR_BAD_URL'
          ? sendError('invalid_request', 'The address is not a valid URL: it has a broken %-escape or character.')
          : error.code === 'FST_ERR_MAX_PARAM_LENGTH'
            ? sendError('invalid_request', 'A part of the address is longer than any id this service gives out.')
            : sendError('invalid_request', 'The request could not be routed.');
      void (reply as FastifyReply).status(refused.status).send(refused.body);
    },
  });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.decorateRequest('actor', null);
  app.addHook('onListen', async () => reports.start());
  app.addHook('onClose', async () => reports.close());
  if (checkpointer) app.addHook('onClose', async () => checkpointer.stop());
  if (flusher) {
    // Every answer waits until what the service had committed when it was sent is on disk: a write made outside the
    // group commit, or another request's commit that this one read, is never shown before it is durable.
    // A 5xx is sent as it is: it tells of nothing committed, and it is what a failed flush itself is answered with.
    app.addHook('onSend', async (_request, reply) => {
      if (durable && reply.statusCode < 500) await durable();
    });
    app.addHook('onClose', async () => flusher.stop());
  }

  // The default JSON parser (which refuses __proto__ and constructor.prototype keys), behind a nesting check.
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (jsonDepth(text, maxJsonDepth) > maxJsonDepth) {
      done(new DomainError('json_too_deep', `The request body nests deeper than ${maxJsonDepth} levels; no request needs that.`), undefined);
      return;
    }
    parseJson(request, text, done);
  });
  app.addContentTypeParser(['text/csv', 'text/plain'], { parseAs: 'string', bodyLimit: 20 * 1024 * 1024 }, (_request, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const known = errorOf(error, request);
    if (known) {
      if (known.status >= 500) request.log.error({ err: error }, 'request failed');
      if (known.status === 403) {
        try {
          recordRefusal(context, request, known.body.error.message);
        } catch (failure) {
          request.log.error({ err: failure }, 'the refusal could not be recorded in the audit trail');
        }
      }
      return reply.status(known.status).send(known.body);
    }
    if (isResponseSerializationError(error)) request.log.error({ err: error, issues: error.cause.issues }, 'reply did not match its schema');
    else request.log.error({ err: error }, 'request failed');
    const internal = sendError('internal_error', 'Something went wrong on our side. The request was not completed; try again, and tell the fund’s administrator if it keeps happening.');
    return reply.status(internal.status).send(internal.body);
  });
  app.setNotFoundHandler((request, reply) => {
    const notFound = sendError('route_not_found', `There is no route ${request.method} ${request.url.split('?')[0]}.`);
    return reply.status(notFound.status).send(notFound.body);
  });

  app.addHook('onSend', async (request, reply) => {
    reply.header('x-request-id', request.id);
  });

  // Every /v1 route but sign-in needs a bearer token; an auditor reads and exports but never writes.
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?')[0] ?? '';
    if (!path.startsWith('/v1/') || publicRoutes.has(path)) return;
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)$/i.exec(header) : null;
    if (!match?.[1]) throw new DomainError('unauthenticated', 'Sign in first: send the token from POST /v1/auth/login as "Authorization: Bearer <token>".');
    request.actor = auth.authenticate(context, match[1]);
    const reads = request.method === 'GET' || request.method === 'HEAD';
    if (request.actor.role === 'auditor' && !reads && !readOnlyPosts.has(path)) {
      throw new DomainError('role_forbidden', 'An auditor reads and exports; she changes nothing.');
    }
  });

  // Helmet's security headers, its middleware built once: @fastify/helmet built it again for every request (parsing
  // the policy each time: about 3 % of a repayment's time on the service's thread).
  const securityHeaders = helmet({
    contentSecurityPolicy: {
      directives: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'", "'unsafe-inline'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        fontSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        objectSrc: ["'none'"],
      },
    },
  });
  app.addHook('onRequest', (request, reply, done) => securityHeaders(request.raw, reply.raw, (error?: unknown) => done(error as Error | undefined)));
  // Browsers may call the API from another site only when the fund names that site.
  if (config.corsOrigins.length > 0) await app.register(cors, { origin: config.corsOrigins, credentials: false });
  await app.register(rateLimit, {
    global: false,
    errorResponseBuilder: (_request, limit) => new DomainError('too_many_requests', `Too many requests from this address; try again in ${limit.after}.`),
    // Only the sign-in routes (API and pages) are limited.
    onExceeded: signInFloodRecorder(context),
  });

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'The fund ledger',
        description: 'System of record for a Women’s Development Support Fund’s savings-and-loan groups. Sign in with POST /v1/auth/login and send the token as a bearer token.',
        version: '1',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });
  await app.register(swaggerUi, { routePrefix: '/docs', staticCSP: true });

  carryAuditScopes(app);
  const typed = app.withTypeProvider<ZodTypeProvider>();
  typed.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  typed.get('/health', { schema: { hide: true } }, async () => health(dependencies.database));

  await app.register(authRoutes(context, writes, { loginRateLimitPerMinute: config.loginRateLimitPerMinute }), { prefix: '/v1' });
  await app.register(registryRoutes(context, writes), { prefix: '/v1' });
  await app.register(importRoutes(context, writes), { prefix: '/v1' });
  await app.register(settingsRoutes(context, writes), { prefix: '/v1' });
  await app.register(savingsRoutes(context, writes), { prefix: '/v1' });
  await app.register(ledgerRoutes(context, writes), { prefix: '/v1' });
  await app.register(loanRoutes(context, writes), { prefix: '/v1' });
  await app.register(collectionRoutes(context, writes), { prefix: '/v1' });
  await app.register(reportRoutes(context, writes, reports), { prefix: '/v1' });
  await app.register(scheduleRoutes(), { prefix: '/v1' });
  await app.register(auditRoutes(context), { prefix: '/v1' });
  await app.register(exportRoutes(context), { prefix: '/v1' });
  await app.register(webApp(context, writes, { loginRateLimitPerMinute: config.loginRateLimitPerMinute }, reports));
  return app;
}
