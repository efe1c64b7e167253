// Exports for auditors and the admin: the journal, the general ledger, the trial balance, the loan book, savings
// balances and a member's statement, as CSV or XLSX, streamed from a snapshot of the database; and each file's
// manifest (its parameters, row count, totals, SHA-256 and the journal entry it reaches).
import { createHash } from 'node:crypto';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type CurrencyCode, currencies } from '../../domain/money.js';
import { chartOfAccounts } from '../../ledger/chart.js';
import { type FundDatabase, type Snapshot, openSnapshot } from '../../../db/client.js';
import { lastEntry } from '../ledger/journal.repo.js';
import { requireAccount } from '../ledger/ledger.service.js';
import { findArea, findMember } from '../registry/registry.repo.js';
import { readSettings } from '../settings/settings.service.js';
import { type Actor, requireRole } from '../shared/access.js';
import { type ServiceContext, nowTimestamp, requireNotAfter, today } from '../shared/context.js';
import { DomainError } from '../shared/domain-error.js';
import { formatAmount } from '../shared/money-input.js';
import { csvChunks } from './csv-writer.js';
import type { ExportFormat, ExportName, ExportRequest } from './export.commands.js';
import { generalLedgerTable, journalTable, loanBookTable, memberStatementTable, savingsBalancesTable, trialBalanceTable } from './export.tables.js';
import { type ExportTable, type TableSummary, summarised } from './table.js';
import { xlsxStream } from './xlsx-writer.js';

export const contentTypes: Record<ExportFormat, string> = {
  csv: 'text/csv; charset=utf-8',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
};

/** An export ready to stream: its bytes come as the stream is read; the summary is whole once the stream has ended. */
export interface OpenedExport {
  name: ExportName;
  format: ExportFormat;
  fileName: string;
  contentType: string;
  parameters: Record<string, string>;
  currency: CurrencyCode;
  journalThrough: { sequence: number; hash: string } | null;
  stream: Readable;
  summary: TableSummary;
}

/** What an export covers once its defaults are filled in, and the date that names the file and stamps the XLSX. */
interface Resolved {
  parameters: Record<string, string>;
  fileStem: string;
  documentDate: string;
  table(db: FundDatabase): ExportTable;
}

function areaPathOf(db: FundDatabase, areaId: string | undefined): string | undefined {
  if (areaId === undefined) return undefined;
  const area = findArea(db, areaId);
  if (!area) throw new DomainError('area_not_found', `No area has the id ${areaId}.`, [{ path: 'areaId', message: 'unknown area' }]);
  return area.path;
}

/** Fills in defaults and checks what needs the database, before the first byte: a refusal is still a JSON error. */
function resolve(db: FundDatabase, request: ExportRequest, businessToday: string): Resolved {
  // A state as of a day to come would be a projection; a period (journal, general ledger) may run past today.
  const asOfOf = (asOf: string | undefined) => {
    const day = asOf ?? businessToday;
    requireNotAfter(day, businessToday, 'asOf');
    return day;
  };
  switch (request.name) {
    case 'journal': {
      const { from, to } = request.query;
      return { parameters: { from, to }, fileStem: `journal-${from}-${to}`, documentDate: to, table: (on) => journalTable(on, from, to) };
    }
    case 'general-ledger': {
      const { from, to, accountCode } = request.query;
      const account = accountCode === undefined ? undefined : requireAccount(accountCode);
      return {
        parameters: { from, to, ...(account ? { accountCode: account.code } : {}) },
        fileStem: `general-ledger-${account ? `${account.code}-` : ''}${from}-${to}`,
        documentDate: to,
        table: (on) => generalLedgerTable(on, from, to, account ? [account] : chartOfAccounts),
      };
    }
    case 'trial-balance': {
      const asOf = asOfOf(request.query.asOf);
      return { parameters: { asOf }, fileStem: `trial-balance-${asOf}`, documentDate: asOf, table: (on) => trialBalanceTable(on, asOf) };
    }
    case 'loan-book':
    case 'savings-balances': {
      const { name } = request;
      const asOf = asOfOf(request.query.asOf);
      const { areaId } = request.query;
      const areaPath = areaPathOf(db, areaId);
      return {
        parameters: { asOf, ...(areaId ? { areaId } : {}) },
        fileStem: `${name}-${asOf}`,
        documentDate: asOf,
        table: (on) => (name === 'loan-book' ? loanBookTable(on, asOf, areaPath) : savingsBalancesTable(on, asOf, areaPath)),
      };
    }
    case 'member-statement': {
      const { memberId } = request.query;
      const asOf = asOfOf(request.query.asOf);
      if (!findMember(db, memberId)) throw new DomainError('member_not_found', `No member has the id ${memberId}.`, [{ path: 'memberId', message: 'unknown member' }]);
      return { parameters: { memberId, asOf }, fileStem: `member-statement-${memberId}-${asOf}`, documentDate: asOf, table: (on) => memberStatementTable(on, memberId, asOf) };
    }
  }
}

/** The rows, closing the snapshot when they are done, fail, or are abandoned. */
function* closing<T>(rows: Iterable<T>, snapshot: Snapshot): Generator<T> {
  try {
    yield* rows;
  } finally {
    snapshot.close();
  }
}

/**
 * Opens an export on a snapshot taken now: every row comes from the database as it is at this moment, whatever is
 * written while the file streams. Only an admin or an auditor exports.
 */
export function openExport(context: ServiceContext, actor: Actor, request: ExportRequest): OpenedExport {
  requireRole(actor, ['admin', 'auditor'], 'export the books');
  const snapshot = openSnapshot(context.db);
  try {
    const resolved = resolve(snapshot.db, request, today(context));
    const currency = readSettings(snapshot.db).currency;
    const digits = currencies[currency].minorUnitDigits;
    const journalThrough = lastEntry(snapshot.db) ?? null;
    const source = resolved.table(snapshot.db);
    const rows = closing(source.rows, snapshot);
    const { table, summary } = summarised({ ...source, rows });
    const stream =
      request.format === 'csv'
        ? Readable.from(csvChunks(table, digits), { objectMode: false })
        : xlsxStream(table, digits, new Date(`${resolved.documentDate}T00:00:00Z`));
    // However the stream ends (read to the end, failed, or dropped by the client), the snapshot is let go.
    stream.once('close', () => {
      rows.return(undefined);
      snapshot.close();
    });
    return {
      name: request.name,
      format: request.format,
      fileName: `${resolved.fileStem}.${request.format}`,
      contentType: contentTypes[request.format],
      parameters: resolved.parameters,
      currency,
      journalThrough,
      stream,
      summary,
    };
  } catch (error) {
    snapshot.close();
    throw error;
  }
}

export interface ExportManifest {
  export: ExportName;
  format: ExportFormat;
  fileName: string;
  parameters: Record<string, string>;
  currency: CurrencyCode;
  rowCount: number;
  totals: Record<string, string>;
  bytes: number;
  sha256: string;
  /** The last journal entry in the database the file was read from: the file reflects the books up to it. */
  journalThrough: { sequence: number; hash: string } | null;
  generatedAt: string;
}

/** Makes the file into a hash (never into memory) and describes it; the same request on the same books gives the same SHA-256. */
export async function exportManifest(context: ServiceContext, actor: Actor, request: ExportRequest): Promise<ExportManifest> {
  const generatedAt = nowTimestamp(context);
  const opened = openExport(context, actor, request);
  const hash = createHash('sha256');
  let bytes = 0;
  await pipeline(
    opened.stream,
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        hash.update(chunk);
        bytes += chunk.length;
        done();
      },
    }),
  );
  return {
    export: opened.name,
    format: opened.format,
    fileName: opened.fileName,
    parameters: opened.parameters,
    currency: opened.currency,
    rowCount: opened.summary.rowCount,
    totals: Object.fromEntries(Object.entries(opened.summary.totals).map(([key, total]) => [key, formatAmount(total, opened.currency)])),
    bytes,
    sha256: hash.digest('hex'),
    journalThrough: opened.journalThrough,
    generatedAt,
  };
}
