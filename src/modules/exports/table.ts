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
