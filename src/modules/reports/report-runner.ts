// Where the reports over a fund's whole history run: on a thread of their own with a read-only connection to the
// file, so that a province's report (hundreds of milliseconds of SQL and arithmetic) never holds up the requests the
// service's own thread answers meanwhile, collection sheets and repayments first among them. Each report reads in
// one read transaction: one moment of the books, which includes every write acknowledged before it was asked for.
// A database in memory has no file for a second connection: its reports run on the service's thread.
import type { Worker } from 'node:worker_threads';
import type { Actor } from '../shared/access.js';
import type { ServiceContext } from '../shared/context.js';
import { DomainError, type ErrorDetail } from '../shared/domain-error.js';
import { siblingModule, startModuleWorker } from '../shared/module-worker.js';
import { type ReportAnswer, type ReportJob, type ReportQuery, type ReportResult, runReportJob } from './report-jobs.js';

/** What the reports' thread is given at its start. */
export interface ReportThreadData {
  databasePath: string;
  settings: Pick<ServiceContext, 'fundTimeZone' | 'tokenTtlMinutes' | 'loginMaxFailures' | 'loginLockoutMinutes'>;
}

/** A report asked of the thread; `now` is the service's clock when it was asked (its business date and "today"). */
export interface ReportRequest {
  id: number;
  job: ReportJob;
  actor: Actor;
  query: unknown;
  now: number;
}

/** The thread's answer: the report, a refusal to pass on as it is, or a failure. */
export type ReportReply =
  | { id: number; answer: ReportAnswer }
  | { id: number; refusal: { code: string; message: string; details: ErrorDetail[] } }
  | { id: number; failure: string };

/**
 * A report's rows die young, and a province's come as one parse of a few megabytes of JSON: a young generation of
 * 32 MB lets them die there (outreach on province 480-520 ms against 600-630 with 8 MB and 530-640 with 16, measured
 * alternately), while a bound keeps the thread's resident memory near what it holds (test:load: 320-427 MB, as before).
 */
const resourceLimits = { maxYoungGenerationSizeMb: 32 };

export interface ReportRunner {
  run<J extends ReportJob>(job: J, actor: Actor, query: ReportQuery<J>): Promise<ReportResult<J>>;
  /** Starts the thread now rather than at the first report (a listening service does, so its first report waits for nothing). */
  start(): void;
  close(): Promise<void>;
}

export function reportRunner(context: ServiceContext, database: { path: string; inMemory: boolean }): ReportRunner {
  if (database.inMemory) {
    return {
      run: async <J extends ReportJob>(job: J, actor: Actor, query: ReportQuery<J>) => runReportJob(job, context, actor, query) as ReportResult<J>,
      start: () => undefined,
      close: async () => undefined,
    };
  }
  let worker: Worker | null = null;
  let nextId = 1;
  const waiting = new Map<number, { resolve: (answer: ReportAnswer) => void; reject: (error: Error) => void }>();
  const abandon = (error: Error) => {
    for (const { reject } of waiting.values()) reject(error);
    waiting.clear();
    worker = null;
  };
  // Started by a listening service, or else at the first report (tests and scripts that ask for none never start it).
  const thread = (): Worker => {
    if (worker) return worker;
    const data: ReportThreadData = {
      databasePath: database.path,
      settings: { fundTimeZone: context.fundTimeZone, tokenTtlMinutes: context.tokenTtlMinutes, loginMaxFailures: context.loginMaxFailures, loginLockoutMinutes: context.loginLockoutMinutes },
    };
    const started = startModuleWorker(siblingModule(import.meta.url, 'report.worker'), { workerData: data, resourceLimits });
    started.on('message', (reply: ReportReply) => {
      const waiter = waiting.get(reply.id);
      if (!waiter) return;
      waiting.delete(reply.id);
      if ('answer' in reply) waiter.resolve(reply.answer);
      else if ('refusal' in reply) waiter.reject(new DomainError(reply.refusal.code as never, reply.refusal.message, reply.refusal.details));
      else waiter.reject(new Error(`the report failed on the reports' thread: ${reply.failure}`));
    });
    // A thread that fails takes its waiting reports with it; the next report starts another.
    started.on('error', (error) => {
      if (worker === started) abandon(error);
    });
    started.on('exit', (code) => {
      if (worker === started) abandon(new Error(`the reports' thread stopped (exit code ${code})`));
    });
    worker = started;
    return started;
  };
  return {
    run<J extends ReportJob>(job: J, actor: Actor, query: ReportQuery<J>) {
      return new Promise<ReportResult<J>>((resolve, reject) => {
        const id = nextId++;
        // The thread's answer is the job's own result, cloned across: the shape the job's type says.
        waiting.set(id, { resolve: (answer) => resolve(answer as ReportResult<J>), reject });
        const request: ReportRequest = { id, job, actor, query, now: context.clock.now().getTime() };
        thread().postMessage(request);
      });
    },
    start() {
      thread();
    },
    async close() {
      const running = worker;
      worker = null;
      if (running) await running.terminate();
      abandon(new Error('the service is closing'));
    },
  };
}
