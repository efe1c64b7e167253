// A table as CSV the way Excel opens it with Vietnamese intact (UTF-8 with a BOM, RFC 4180 quoting, CRLF), the same
// dialect as the reports' toCsv, produced a chunk at a time so a million rows never sit in memory.
import { stringify } from 'csv-stringify/sync';
import { formatMinorUnits } from '../../domain/money.js';
import type { Cell, ColumnKind, ExportTable } from './table.js';

/** Rows per chunk: a few hundred kilobytes, large enough that the per-chunk costs vanish. */
const rowsPerChunk = 2_000;

function csvCell(cell: Cell, kind: ColumnKind, amountDigits: number): string {
  if (cell === null) return '';
  if (kind === 'amount') return formatMinorUnits(cell as bigint, amountDigits);
  return String(cell);
}

export async function* csvChunks(table: ExportTable, amountDigits: number): AsyncGenerator<Buffer> {
  const kinds = table.columns.map((column) => column.kind);
  const options = { record_delimiter: '\r\n' } as const;
  yield Buffer.from(`\uFEFF${stringify([table.columns.map((column) => column.key)], options)}`);
  let batch: string[][] = [];
  for (const row of table.rows) {
    batch.push(row.map((cell, index) => csvCell(cell, kinds[index] as ColumnKind, amountDigits)));
    if (batch.length === rowsPerChunk) {
      yield Buffer.from(stringify(batch, options));
      batch = [];
    }
  }
  if (batch.length > 0) yield Buffer.from(stringify(batch, options));
}
