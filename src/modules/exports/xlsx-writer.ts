// A table as an XLSX workbook, streamed: exceljs's WorkbookWriter makes the package (workbook, styles, the sheet with
// its styled and frozen header row, document properties, the zip) and the data rows go into the sheet as
// SpreadsheetML text with the style ids exceljs gave out.
//
// Why not exceljs's addRow for the data: it builds a cell model, a style record and an XML tree for every cell, about
// 20,000 rows a second, and writes into the zip without backpressure; a million journal lines would take a minute
// and buffer the whole sheet. Text rows run at several times that speed and wait whenever the zip falls behind.
//
// Why the same bytes every time: the zip entries carry a modification time, and exceljs stamps the document's
// created and modified dates; both are set to a date taken from the export's parameters, never to the clock.
import { once } from 'node:events';
import { setImmediate } from 'node:timers/promises';
import { PassThrough, type Readable } from 'node:stream';
import { createRequire } from 'node:module';
import { crc32 } from 'node:zlib';
import type ExcelJS from 'exceljs';
import { parseIsoDate } from '../../domain/calendar.js';
import { ByteChunks, type Cell, type ExportColumn, type ExportTable, amountText } from './table.js';

/** The few internals of exceljs's streaming writer this module relies on (checked by the export tests). */
interface WorkbookWriterInternals {
  /** The archiver that makes the zip, and its zip module, which stamps each entry. */
  zip: { append(source: unknown, data: { name: string }): void; _module: { append(source: unknown, data: Record<string, unknown>, callback: unknown): void } };
  styles: { addStyleModel(model: Record<string, unknown>): number };
  sharedStrings: SharedStrings['table'];
  /** Opens the stream of one part of the package (the sheet's, here). */
  _openStream(path: string): unknown;
}

/**
 * exceljs is loaded at the first workbook (an export's, or a report page's download), not at start-up: memory that a
 * service which never makes one does not hold (14 MB of resident memory at rest, measured).
 */
const load = createRequire(import.meta.url);
let excelLoaded: typeof ExcelJS | undefined;
/**
 * exceljs, loaded at the first workbook. The zip's checksum of each part comes from the crc-32 package, in
 * JavaScript, over every byte of a gigabyte of sheet text: it is given zlib's native CRC-32 (the same function,
 * the same results; the read-back tests check the archives) before the zip code first runs.
 */
export function excel(): typeof ExcelJS {
  if (!excelLoaded) {
    const checksums = load('crc-32') as { buf: (data: Uint8Array, seed?: unknown) => number };
    checksums.buf = (data, seed) => crc32(data, typeof seed === 'number' ? seed >>> 0 : 0) | 0;
    excelLoaded = load('exceljs') as typeof ExcelJS;
  }
  return excelLoaded;
}

/** Excel keeps 15 significant digits; an amount with more is written as exact text rather than rounded. */
const excelDigits = 10 ** 15;
/** Days from Excel's day 0 (1899-12-30) to 1970-01-01, where the calendar's day numbers start. */
const excelEpochOffset = 25_569;
/**
 * Bytes of rows gathered before a write into the sheet, and the bytes a part's stream holds before it says to wait.
 * Pieces of 64 KB spare most of the per-piece costs of streams and zlib on a gigabyte of sheet text, and are gone
 * before the garbage collector would move them to the old generation; larger ones doubled the heap a million rows take.
 */
const chunkBytes = 1 << 16;
const partBuffer = 1 << 18;

/** Excel's column letters: A … Z, AA … */
function columnLetters(index: number): string {
  let letters = '';
  for (let rest = index + 1; rest > 0; rest = Math.floor((rest - 1) / 26)) letters = String.fromCharCode(65 + ((rest - 1) % 26)) + letters;
  return letters;
}

// XML 1.0 cannot hold most control characters, even escaped: they are dropped. A carriage return is kept as a
// character reference, since a reader turns a literal CR LF into LF.
// eslint-disable-next-line no-control-regex
const markup = /[<>&\r\u0000-\u0008\u000b\u000c\u000e-\u001f\ufffe\uffff]/g;
const replacements: Record<string, string> = { '<': '&lt;', '>': '&gt;', '&': '&amp;', '\r': '&#13;' };

/** Text as XML character data. */
function xmlText(text: string): string {
  markup.lastIndex = 0;
  if (!markup.test(text)) return text;
  return text.replace(markup, (character) => replacements[character] ?? '');
}

const isSpace = (code: number | undefined) => code === 32 || code === 9 || code === 10 || code === 13;

function inlineString(reference: string, text: string, style = ''): string {
  // Leading or trailing spaces survive only when the element says to keep them.
  const space = isSpace(text.charCodeAt(0)) || isSpace(text.charCodeAt(text.length - 1)) ? ' xml:space="preserve"' : '';
  return `<c r="${reference}"${style} t="inlineStr"><is><t${space}>${xmlText(text)}</t></is></c>`;
}

/** Distinct texts a workbook's shared table takes at most; past it, new texts are written in their cells. */
const sharedTextsAtMost = 20_000;

interface CellStyles {
  amount: string;
  date: string;
}

type CellWriter = (cell: Cell, reference: string) => string;

/** exceljs's table of the workbook's shared strings (written at commit when it holds any), and the texts in it. */
interface SharedStrings {
  table: { add(text: string): number };
  texts: Set<string>;
}

/** How each column's cells become SpreadsheetML, chosen once per column rather than once per cell. */
function cellWriter(column: ExportColumn, styles: CellStyles, amountDigits: number, shared: SharedStrings): CellWriter {
  switch (column.kind) {
    case 'amount':
      return (cell, reference) => {
        const units = cell as bigint | number;
        const text = amountText(units, amountDigits);
        // The value is the exact decimal text; Excel reads it as a number and shows it with the currency's digits.
        return units < excelDigits && units > -excelDigits ? `<c r="${reference}"${styles.amount}><v>${text}</v></c>` : inlineString(reference, text, styles.amount);
      };
    case 'integer':
      return (cell, reference) => `<c r="${reference}"><v>${cell}</v></c>`;
    case 'date': {
      // Consecutive rows mostly share their date.
      let lastText = '';
      let lastSerial = 0;
      return (cell, reference) => {
        if (cell !== lastText) {
          const day = parseIsoDate(cell as string);
          if (day === null) return inlineString(reference, cell as string);
          lastText = cell as string;
          lastSerial = day + excelEpochOffset;
        }
        return `<c r="${reference}"${styles.date}><v>${lastSerial}</v></c>`;
      };
    }
    default:
      if (!column.repeats) return (cell, reference) => inlineString(reference, String(cell));
      // A column of few distinct texts (a kind, an account, a group) refers to the shared table: a shorter sheet.
      return (cell, reference) => {
        const text = String(cell);
        if (!shared.texts.has(text)) {
          if (shared.texts.size >= sharedTextsAtMost) return inlineString(reference, text);
          shared.texts.add(text);
        }
        return `<c r="${reference}" t="s"><v>${shared.table.add(text)}</v></c>`;
      };
  }
}

/** The number format that shows an amount with exactly the currency's digits: #,##0 for đồng, #,##0.00 for cents. */
export function amountFormat(amountDigits: number): string {
  return amountDigits === 0 ? '#,##0' : `#,##0.${'0'.repeat(amountDigits)}`;
}

/** Excel opens at most 1,048,576 rows a sheet: a longer table goes on in a second sheet, and so on. */
export const excelRowsPerSheet = 1_048_575;

/**
 * The workbook's bytes as a stream. `documentDate` stamps the document and its zip entries: the same table and date
 * give the same bytes. The rows are read as the stream is consumed; destroying the stream stops reading them.
 */
export function xlsxStream(table: ExportTable, amountDigits: number, documentDate: Date, options: { rowsPerSheet?: number } = {}): Readable {
  const rowsPerSheet = options.rowsPerSheet ?? excelRowsPerSheet;
  const output = new PassThrough({ highWaterMark: partBuffer });
  const workbook = new (excel().stream.xlsx.WorkbookWriter)({
    stream: output,
    useStyles: true,
    useSharedStrings: false,
    // Level 1 deflates a journal about as small as the default level, at twice the speed; large output chunks spare
    // the per-chunk costs of a gigabyte of sheet text.
    zip: { zlib: { level: 1, chunkSize: 1 << 17 } },
    created: documentDate,
    modified: documentDate,
    creator: 'The fund ledger',
    lastModifiedBy: 'The fund ledger',
  } as ConstructorParameters<typeof ExcelJS.stream.xlsx.WorkbookWriter>[0]);
  const internals = workbook as unknown as WorkbookWriterInternals;

  // Entries appended so far are still queued (archiver starts on the next turn), so every entry gets the date.
  const zipModule = internals.zip._module;
  const append = zipModule.append.bind(zipModule);
  zipModule.append = (source, data, callback) => append(source, { ...data, date: documentDate }, callback);

  // Each sheet's part gets a stream with backpressure: a write returns false while the zip is behind.
  let sheetPart: SheetPart | undefined;
  const openStream = internals._openStream.bind(workbook);
  internals._openStream = (path: string) => {
    if (!path.includes('worksheets')) return openStream(path);
    const part = new SheetPart({ highWaterMark: partBuffer });
    sheetPart = part;
    internals.zip.append(part, { name: path });
    part.on('finish', () => part.emit('zipped'));
    return part;
  };
  const addSheet = (number: number) => {
    const sheet = workbook.addWorksheet(number === 1 ? table.sheetName : `${table.sheetName} (${number})`, { views: [{ state: 'frozen', xSplit: 0, ySplit: 1, topLeftCell: 'A2', activeCell: 'A2' }] });
    sheet.columns = table.columns.map((column) => ({ header: column.key, key: column.key, width: column.width }));
    const header = sheet.getRow(1);
    header.font = { bold: true };
    header.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFD9E1F2' } };
    header.border = { bottom: { style: 'thin' } };
    header.commit();
    if (!sheetPart) throw new Error('exceljs did not open the sheet’s part');
    return { sheet, part: sheetPart };
  };

  let current = addSheet(1);
  const styles: CellStyles = {
    amount: ` s="${internals.styles.addStyleModel({ numFmt: amountFormat(amountDigits) })}"`,
    date: ` s="${internals.styles.addStyleModel({ numFmt: 'yyyy-mm-dd' })}"`,
  };
  const letters = table.columns.map((_, index) => columnLetters(index));
  const shared: SharedStrings = { table: internals.sharedStrings, texts: new Set() };
  const writers = table.columns.map((column) => cellWriter(column, styles, amountDigits, shared));

  const stopped = new AbortController();
  output.once('close', () => stopped.abort());
  const pump = async () => {
    const chunks = new ByteChunks(chunkBytes);
    let rowNumber = 1;
    let sheetNumber = 1;
    for (const row of table.rows) {
      if (rowNumber > rowsPerSheet) {
        current.part.write(chunks.take());
        await current.sheet.commit();
        sheetNumber += 1;
        current = addSheet(sheetNumber);
        rowNumber = 1;
      }
      rowNumber += 1;
      // The row's number as text once, not once for each of its cells' references.
      const number = String(rowNumber);
      let text = `<row r="${number}">`;
      for (let index = 0; index < row.length; index += 1) {
        const cell = row[index] as Cell;
        if (cell !== null) text += (writers[index] as CellWriter)(cell, (letters[index] as string) + number);
      }
      const full = chunks.add(`${text}</row>`);
      if (full) {
        if (!current.part.write(full)) await once(current.part, 'drain', { signal: stopped.signal });
        // The zip deflates on the thread pool, but only the event loop hands it its next piece: a turn after each
        // piece lets it deflate one while the next rows are written (a third less time on a million rows).
        else await setImmediate();
      }
    }
    current.part.write(chunks.take());
    await current.sheet.commit();
    await workbook.commit();
  };
  pump().catch((error: unknown) => output.destroy(error instanceof Error ? error : new Error(String(error))));
  return output;
}

/** The sheet's part of the zip: exceljs writes its own text as StringBuf objects, copied here as they arrive. */
class SheetPart extends PassThrough {
  override write(chunk: unknown, ...rest: unknown[]): boolean {
    const bytes = typeof chunk === 'string' || Buffer.isBuffer(chunk) ? chunk : (chunk as { toBuffer(): Buffer }).toBuffer();
    return (super.write as (chunk: unknown, ...rest: unknown[]) => boolean)(bytes, ...rest);
  }
}
