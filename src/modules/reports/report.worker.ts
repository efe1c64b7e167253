// The reports' thread (report-runner.ts): a read-only connection to the fund's file, and each report asked of it run
// in a read transaction of its own, with the clock the service had when it was asked.
import { parentPort, workerData } from 'node:worker_threads';
import { openReader } from '../../../db/client.js';
import { createServiceContext } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { runReportJob } from './report-jobs.js';
import type { ReportReply, ReportRequest, ReportThreadData } from './report-runner.js';

if (parentPort) {
  const port = parentPort;
  const data = workerData as ReportThreadData;
  const reader = openReader(data.databasePath);
  port.on('message', (request: ReportRequest) => {
    let reply: ReportReply;
    try {
      const answer = reader.read((db) => runReportJob(request.job, createServiceContext(data.settings, db, { now: () => new Date(request.now) }), request.actor, request.query));
      reply = { id: request.id, answer };
    } catch (error) {
      reply =
        error instanceof DomainError
          ? { id: request.id, refusal: { code: error.code, message: error.message, details: error.details } }
          : { id: request.id, failure: error instanceof Error ? (error.stack ?? error.message) : String(error) };
    }
    port.postMessage(reply);
  });
}
