// The reports that read the whole of a fund's history, as jobs the reports' thread runs (report-runner.ts), for the
// API and the web app alike: each takes the asker and the checked query, and answers JSON, or CSV text with the file's
// name.
import type { Actor } from '../shared/access.js';
import type { ServiceContext } from '../shared/context.js';
import { arrearsCsv, arrearsReport } from './arrears.service.js';
import { dashboard } from './dashboard.service.js';
import { outreachCsv, outreachReport } from './outreach.service.js';
import { portfolioCsv, portfolioReport } from './portfolio.service.js';
import type { ArrearsQuery, OutreachQuery, PortfolioQuery } from './report.commands.js';

export type ReportAnswer = { json: unknown } | { csv: string; fileName: string };

export const reportJobs = {
  outreach(context: ServiceContext, actor: Actor, query: OutreachQuery): ReportAnswer {
    const result = outreachReport(context, actor, query);
    return query.format === 'csv' ? { csv: outreachCsv(result), fileName: `outreach-${result.from}-${result.to}` } : { json: result };
  },
  portfolio(context: ServiceContext, actor: Actor, query: PortfolioQuery): ReportAnswer {
    const result = portfolioReport(context, actor, query);
    return query.format === 'csv' ? { csv: portfolioCsv(result), fileName: `portfolio-${result.asOf}` } : { json: result };
  },
  arrears(context: ServiceContext, actor: Actor, query: ArrearsQuery): ReportAnswer {
    const result = arrearsReport(context, actor, query);
    return query.format === 'csv' ? { csv: arrearsCsv(result), fileName: `arrears-${result.asOf}` } : { json: result };
  },
  dashboard(context: ServiceContext, actor: Actor, query: { asOf?: string }): ReportAnswer {
    return { json: dashboard(context, actor, query.asOf) };
  },
};

export type ReportJob = keyof typeof reportJobs;
export type ReportQuery<J extends ReportJob> = Parameters<(typeof reportJobs)[J]>[2];
