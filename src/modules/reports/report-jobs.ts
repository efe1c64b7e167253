// The reports that read the whole of a fund's history, as jobs the reports' thread runs (report-runner.ts), for the
// API and the web app alike: each takes the asker and the checked query, and answers JSON, or CSV text with the file's
// name.
import type { Actor } from '../shared/access.js';
import type { ServiceContext } from '../shared/context.js';
import { arrearsCsv, arrearsReport } from './arrears.service.js';
import { type Dashboard, dashboard } from './dashboard.service.js';
import { type OutreachReport, outreachCsv, outreachReport } from './outreach.service.js';
import { type PortfolioReport, portfolioCsv, portfolioReport } from './portfolio.service.js';
import type { ArrearsQuery, OutreachQuery, PortfolioQuery } from './report.commands.js';

export interface CsvAnswer {
  csv: string;
  fileName: string;
}
/** A report as JSON, or as the CSV the query asked for. */
export type ReportAnswer<T = unknown> = { json: T } | CsvAnswer;

export const reportJobs = {
  outreach(context: ServiceContext, actor: Actor, query: OutreachQuery): ReportAnswer<OutreachReport> {
    const result = outreachReport(context, actor, query);
    return query.format === 'csv' ? { csv: outreachCsv(result), fileName: `outreach-${result.from}-${result.to}` } : { json: result };
  },
  portfolio(context: ServiceContext, actor: Actor, query: PortfolioQuery): ReportAnswer<PortfolioReport> {
    const result = portfolioReport(context, actor, query);
    return query.format === 'csv' ? { csv: portfolioCsv(result), fileName: `portfolio-${result.asOf}` } : { json: result };
  },
  arrears(context: ServiceContext, actor: Actor, query: ArrearsQuery): ReportAnswer<ArrearsReport> {
    const result = arrearsReport(context, actor, query);
    return query.format === 'csv' ? { csv: arrearsCsv(result), fileName: `arrears-${result.asOf}` } : { json: result };
  },
  dashboard(context: ServiceContext, actor: Actor, query: { asOf?: string }): ReportAnswer<Dashboard> {
    return { json: dashboard(context, actor, query.asOf) };
  },
};

export type ArrearsReport = ReturnType<typeof arrearsReport>;
export type ReportJob = keyof typeof reportJobs;
export type ReportQuery<J extends ReportJob> = Parameters<(typeof reportJobs)[J]>[2];
export type ReportResult<J extends ReportJob> = ReturnType<(typeof reportJobs)[J]>;

/** Runs a job by name on a query checked before it crossed to this thread (the one place jobs are called by name). */
export function runReportJob(job: ReportJob, context: ServiceContext, actor: Actor, query: unknown): ReportAnswer {
  return (reportJobs[job] as (context: ServiceContext, actor: Actor, query: unknown) => ReportAnswer)(context, actor, query);
}

/** The report as JSON; a CSV where JSON was asked for is the caller's mistake, and fails loudly. */
export function jsonOf<T>(answer: ReportAnswer<T>): T {
  if (!('json' in answer)) throw new Error(`a report asked for as JSON came as CSV (${answer.fileName})`);
  return answer.json;
}

/** The report as CSV; JSON where a CSV was asked for is the caller's mistake, and fails loudly. */
export function csvOf(answer: ReportAnswer): CsvAnswer {
  if (!('csv' in answer)) throw new Error('a report asked for as CSV came as JSON');
  return answer;
}
