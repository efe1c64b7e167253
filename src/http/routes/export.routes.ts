// Exports as files (GET /v1/exports/{name}.{csv|xlsx}) and their manifests ({...}.manifest.json), for an admin or an
// auditor. The file streams from the service to the client; nothing is built in memory.
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { type ExportName, type ExportRequest, exportFormats, exportNames, exportQueries } from '../../modules/exports/export.commands.js';
import { exportManifest, openExport } from '../../modules/exports/export.service.js';
import type { ServiceContext } from '../../modules/shared/context.js';
import { DomainError } from '../../modules/shared/domain-error.js';
import type { ErrorCode } from '../error-table.js';
import { actorOf } from '../actor.js';
import { replies } from '../replies.js';

const summaries: Record<ExportName, string> = {
  journal: 'Every journal line of entries dated in a period, in chain order, with the hashes',
  'general-ledger': 'Per account: opening balance, the period’s lines with a running balance, closing balance',
  'trial-balance': 'Every account’s turnover and balance as of a date',
  'loan-book': 'Every loan on the books as of a date: member, CCCD, group, area, officer, product, amounts, days past due, debt group, provision',
  'savings-balances': 'Each member’s compulsory and voluntary savings as of a date',
  'member-statement': 'One member’s loans, schedules, payments and savings as of a date',
};

/** What each export can be refused with, besides its role and bad parameters. */
const refusals: Record<ExportName, ErrorCode[]> = {
  journal: [],
  'general-ledger': ['account_not_found'],
  'trial-balance': ['date_in_future'],
  'loan-book': ['area_not_found', 'date_in_future'],
  'savings-balances': ['area_not_found', 'date_in_future'],
  'member-statement': ['member_not_found', 'date_in_future'],
};

const file = z.string().meta({ description: 'The file: CSV (UTF-8 with a BOM, RFC 4180) or XLSX' });
const manifest = z.object({
  export: z.string(),
  format: z.string(),
  fileName: z.string(),
  parameters: z.record(z.string(), z.string()),
  currency: z.string(),
  rowCount: z.number().int(),
  totals: z.record(z.string(), z.string()).meta({ description: 'Sums of the amount columns that add up (debit and credit for the ledger exports)' }),
  bytes: z.number().int(),
  sha256: z.string().meta({ description: 'SHA-256 of the exact bytes the file route sends for the same parameters and the same books' }),
  journalThrough: z.object({ sequence: z.number().int(), hash: z.string() }).nullable().meta({ description: 'The last journal entry of the books the file was read from' }),
  generatedAt: z.string(),
});

export function exportRoutes(context: ServiceContext): FastifyPluginAsync {
  return async (plugin) => {
    const app = plugin.withTypeProvider<ZodTypeProvider>();
    for (const name of exportNames) {
      for (const format of exportFormats) {
        const codes: ErrorCode[] = ['role_forbidden', ...refusals[name]];
        const request = (query: unknown) => ({ name, format, query }) as ExportRequest;
        app.get(
          `/exports/${name}.${format}`,
          { schema: { tags: ['exports'], summary: `${summaries[name]} (${format.toUpperCase()})`, querystring: exportQueries[name], response: replies({ 200: file }, codes) } },
          async (incoming, reply) => {
            const opened = openExport(context, actorOf(incoming), request(incoming.query));
            reply.header('content-type', opened.contentType).header('content-disposition', `attachment; filename="${opened.fileName}"`);
            // A HEAD asks whether the file would come: the same checks, no rows read.
            if (incoming.method === 'HEAD') {
              opened.stream.destroy();
              return reply.send();
            }
            return reply.send(opened.stream);
          },
        );
        app.get(
          `/exports/${name}.${format}.manifest.json`,
          { schema: { tags: ['exports'], summary: `The manifest of ${name}.${format}: parameters, rows, totals, SHA-256`, querystring: exportQueries[name], response: replies({ 200: manifest }, codes) } },
          async (incoming) => exportManifest(context, actorOf(incoming), request(incoming.query)),
        );
      }
    }
    app.get('/exports/:file', { schema: { hide: true, params: z.object({ file: z.string() }) } }, async (incoming) => {
      throw new DomainError(
        'export_not_found',
        `There is no export ${incoming.params.file}: the exports are ${exportNames.join(', ')}, each as .csv or .xlsx, and each with a .manifest.json.`,
        [{ path: 'file', message: 'unknown export or format' }],
      );
    });
  };
}
