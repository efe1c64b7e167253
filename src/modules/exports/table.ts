// The shape every export takes before it becomes bytes: typed columns and a stream of rows. The CSV and XLSX writers
// read the same table, so both formats carry the same rows, and the row count and totals are counted once.
import { formatMinorUnits } from '../../domain/money.js';

/**
 * text and timestamp cells are strings; integer cells numbers; amount cells minor units (bigint, or a number as stored,
 * always a safe integer), written with the currency's digits; date cells `YYYY-MM-DD` strings (real dates in XLSX).
 * A null cell is left empty.
 */
export type ColumnKind = 'text' | 'integer' | 'amount' | 'date' | 'timestamp';
export type Cell = string | number | bigint | null;

export interface ExportColumn {
  key: string;
  kind: ColumnKind;
  /** Column width in XLSX, in characters. */
  width: number;
  /** Summed into the manifest's totals (amount columns whose sum means something). */
  summed?: boolean;
  /** A text column of few distinct values (a kind, an account, a group): XLSX keeps them in its shared table. */
  repeats?: boolean;
}

export interface ExportTable {
  sheetName: string;
  columns: ExportColumn[];
  rows: Iterable<Cell[]>;
}

export interface TableSummary {
  rowCount: number;
  totals: Record<string, bigint>;
}

/** The table's rows as they pass, counted and summed; the summary is complete once the rows have all been read. */
export function summarised(table: ExportTable): { table: ExportTable; summary: TableSummary } {
  const summed = table.columns.flatMap((column, index) => (column.summed ? [{ key: column.key, index }] : []));
  const summary: TableSummary = { rowCount: 0, totals: Object.fromEntries(summed.map(({ key }) => [key, 0n])) };
  function* rows() {
    for (const row of table.rows) {
      summary.rowCount += 1;
      for (const { key, index } of summed) {
        const cell = row[index];
        if (typeof cell === 'bigint' || typeof cell === 'number') summary.totals[key] = (summary.totals[key] ?? 0n) + BigInt(cell);
      }
      yield row;
    }
  }
  return { table: { ...table, rows: rows() }, summary };
}

/** An amount cell's minor units as a plain decimal string with the currency's digits. */
export function amountText(cell: bigint | number, amountDigits: number): string {
  if (amountDigits === 0) return String(cell);
  return formatMinorUnits(BigInt(cell), amountDigits);
}

/**
 * Text gathered into byte chunks of a fixed size as it is written: each row's text is encoded at once and dies young,
 * rather than a rope of a chunk's worth of rows living on until the chunk is encoded (which grew the heap by a
 * hundred megabytes on a million rows).
 */
export class ByteChunks {
  private buffer: Buffer;
  private used = 0;

  constructor(private readonly size: number) {
    this.buffer = Buffer.allocUnsafe(size);
  }

  /** Adds text; answers the chunk it filled, if it filled one. */
  add(text: string): Buffer | null {
    // A UTF-16 unit takes at most three bytes in UTF-8.
    if (this.used + text.length * 3 <= this.size) {
      this.used += this.buffer.write(text, this.used);
      return null;
    }
    const full = this.take();
    if (text.length * 3 > this.size) return Buffer.concat([full, Buffer.from(text)]);
    this.used = this.buffer.write(text, 0);
    return full;
  }

  /** The bytes gathered since the last chunk (possibly none). */
  take(): Buffer {
    const full = this.buffer.subarray(0, this.used);
    this.buffer = Buffer.allocUnsafe(this.size);
    this.used = 0;
    return full;
  }
}
