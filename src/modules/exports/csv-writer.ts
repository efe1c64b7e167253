// A table as CSV (the shared dialect: UTF-8 with a BOM, RFC 4180, CRLF), produced a chunk at a time so that a million
// rows never sit in memory.
import { byteOrderMark, csvRecord } from '../shared/csv.js';
import { ByteChunks, type Cell, type ExportTable, amountText } from './table.js';

/** Bytes a chunk holds: large enough that the per-chunk costs vanish. */
const chunkBytes = 1 << 16;

export async function* csvChunks(table: ExportTable, amountDigits: number): AsyncGenerator<Buffer> {
  const amounts = table.columns.map((column) => column.kind === 'amount');
  const text = (cell: Cell, index: number) => (cell === null ? '' : amounts[index] ? amountText(cell as bigint | number, amountDigits) : String(cell));
  const chunks = new ByteChunks(chunkBytes);
  chunks.add(byteOrderMark + csvRecord(table.columns.map((column) => column.key)));
  for (const row of table.rows) {
    const full = chunks.add(csvRecord(row.map(text)));
    if (full) yield full;
  }
  yield chunks.take();
}
