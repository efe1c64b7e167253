// The writers on their own: what goes in a cell comes back exactly (markup, spaces, control characters, cents,
// amounts beyond Excel's 15 digits), CSV quoting is RFC 4180, and the same table gives the same bytes at any time.
import { createHash } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { Readable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import ExcelJS from 'exceljs';
import { describe, expect, it, vi } from 'vitest';
import { csvChunks } from '../../src/modules/exports/csv-writer.js';
import type { Cell, ExportTable } from '../../src/modules/exports/table.js';
import { summarised } from '../../src/modules/exports/table.js';
import { xlsxStream } from '../../src/modules/exports/xlsx-writer.js';

const rows: Cell[][] = [
  ['Nguyễn Thị <Hoa> & "Lan"', '2025-06-30', 125050n, 7],
  ['  leading and trailing  ', '2024-02-29', -1n, 0],
  ['bell\u0007 and tab\tand\r\nnew line', '1999-12-31', 12345678901234567n, null],
  ['a, b; c', null, null, 42],
  ['a bare\nline feed', '2025-01-01', 0n, 1],
];

function table(): ExportTable {
  return {
    sheetName: 'Test',
    columns: [
      { key: 'name', kind: 'text', width: 20 },
      { key: 'on', kind: 'date', width: 12 },
      { key: 'amount', kind: 'amount', width: 16, summed: true },
      { key: 'count', kind: 'integer', width: 8 },
    ],
    rows: rows.values(),
  };
}

async function workbookOf(bytes: Buffer): Promise<ExcelJS.Worksheet> {
  const workbook = new ExcelJS.Workbook();
  await workbook.xlsx.load(bytes as unknown as ArrayBuffer);
  return workbook.worksheets[0] as ExcelJS.Worksheet;
}

describe('the XLSX writer', () => {
  it('keeps text, dates and cents exact, and writes amounts beyond 15 digits as text', async () => {
    const sheet = await workbookOf(await buffer(xlsxStream(table(), 2, new Date('2025-06-30T00:00:00Z'))));
    const values = [2, 3, 4, 5, 6].map((number) => (sheet.getRow(number).values as unknown[]).slice(1));
    expect(values[0]).toEqual(['Nguyễn Thị <Hoa> & "Lan"', new Date('2025-06-30T00:00:00Z'), 1250.5, 7]);
    expect(values[1]).toEqual(['  leading and trailing  ', new Date('2024-02-29T00:00:00Z'), -0.01, 0]);
    // The bell cannot live in XML; everything else does. 17 digits do not fit Excel's double: exact text instead.
    expect(values[2]).toEqual(['bell and tab\tand\r\nnew line', new Date('1999-12-31T00:00:00Z'), '123456789012345.67']);
    expect(values[3]).toEqual(['a, b; c', undefined, undefined, 42]);
    expect(values[4]).toEqual(['a bare\nline feed', new Date('2025-01-01T00:00:00Z'), 0, 1]);
    expect(sheet.getRow(2).getCell(3).numFmt).toBe('#,##0.00');
    expect(sheet.getRow(2).getCell(2).numFmt).toBe('yyyy-mm-dd');
  });

  it('gives the same bytes for the same table and date, whatever the time it is made', async () => {
    const make = async () => createHash('sha256').update(await buffer(xlsxStream(table(), 0, new Date('2025-06-30T00:00:00Z')))).digest('hex');
    const first = await make();
    vi.useFakeTimers({ now: new Date('2031-01-01T10:11:12Z'), toFake: ['Date'] });
    try {
      expect(await make()).toBe(first);
    } finally {
      vi.useRealTimers();
    }
    expect(createHash('sha256').update(await buffer(xlsxStream(table(), 0, new Date('2025-07-01T00:00:00Z')))).digest('hex')).not.toBe(first);
  });

  it('stops reading rows when the reader goes away', async () => {
    let read = 0;
    let closed = false;
    function* many(): Generator<Cell[]> {
      try {
        for (; read < 1_000_000; read += 1) yield [`row ${read}`, '2025-01-01', BigInt(read), read];
      } finally {
        closed = true;
      }
    }
    const stream = xlsxStream({ ...table(), rows: many() }, 0, new Date('2025-01-01T00:00:00Z'));
    for await (const chunk of stream) {
      expect(chunk.length).toBeGreaterThan(0);
      break;
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(closed).toBe(true);
    expect(read).toBeLessThan(1_000_000);
  });
});

describe('the CSV writer', () => {
  it('writes a BOM, quotes as RFC 4180 does, and prints amounts with the currency’s digits', async () => {
    const { table: counted, summary } = summarised(table());
    const bytes = await buffer(Readable.from(csvChunks(counted, 2)));
    expect(bytes.subarray(0, 3).toString('hex')).toBe('efbbbf');
    expect(bytes.toString('utf8')).toContain('"Nguyễn Thị <Hoa> & ""Lan"""');
    expect(parse(bytes, { bom: true })).toEqual([
      ['name', 'on', 'amount', 'count'],
      ['Nguyễn Thị <Hoa> & "Lan"', '2025-06-30', '1250.50', '7'],
      ['  leading and trailing  ', '2024-02-29', '-0.01', '0'],
      ['bell\u0007 and tab\tand\r\nnew line', '1999-12-31', '123456789012345.67', ''],
      ['a, b; c', '', '', '42'],
      ['a bare\nline feed', '2025-01-01', '0.00', '1'],
    ]);
    // A line break alone is quoted too (RFC 4180), not only a CRLF.
    expect(bytes.toString('utf8')).toContain('"a bare\nline feed"');
    expect(summary).toEqual({ rowCount: 5, totals: { amount: 125050n - 1n + 12345678901234567n } });
  });
});

describe('a table longer than a sheet', () => {
  it('goes on in further sheets, each with its header, and loses no row', async () => {
    const many: Cell[][] = Array.from({ length: 7 }, (_, index) => [`row ${index}`, '2025-01-01', BigInt(index), index]);
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load((await buffer(xlsxStream({ ...table(), rows: many.values() }, 0, new Date('2025-01-01T00:00:00Z'), { rowsPerSheet: 3 }))) as unknown as ArrayBuffer);
    expect(workbook.worksheets.map((sheet) => sheet.name)).toEqual(['Test', 'Test (2)', 'Test (3)']);
    const names = workbook.worksheets.map((sheet) => {
      expect((sheet.getRow(1).values as unknown[]).slice(1)).toEqual(['name', 'on', 'amount', 'count']);
      expect(sheet.views[0]).toMatchObject({ state: 'frozen', ySplit: 1 });
      return sheet.getSheetValues().slice(2).map((row) => (row as unknown[])[1]);
    });
    expect(names).toEqual([['row 0', 'row 1', 'row 2'], ['row 3', 'row 4', 'row 5'], ['row 6']]);
  });
});
