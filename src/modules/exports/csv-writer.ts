// A table as CSV (the shared dialect: UTF-8 with a BOM, RFC 4180, CRLF), produced a chunk at a time so that a million
// rows never sit in memory.
import { byteOrderMark, csvRecord } from '../shared/csv.js';
import { type Cell, type ExportTable, amountText } from './table.js';

/** Characters gathered before a chunk is handed on: large enough that the per-chunk costs vanish. */
const chunkCharacters = 1 << 16;

export async function* csvChunks(table: ExportTable, amountDigits: number): AsyncGenerator<Buffer> {
  const amounts = table.columns.map((column) => column.kind === 'amount');
  const text = (cell: Cell, index: number) => (cell === null ? '' : amounts[index] ? amountText(cell as bigint | number, amountDigits) : String(cell));
  let chunk = byteOrderMark + csvRecord(table.columns.map((column) => column.key));
  for (const row of table.rows) {
    chunk += csvRecord(row.map(text));
    if (chunk.length >= chunkCharacters) {
      yield Buffer.from(chunk);
      chunk = '';
    }
  }
  yield Buffer.from(chunk);
}
