// CSV as Excel opens it with Vietnamese intact: UTF-8 with a byte order mark, RFC 4180 (a field holding a comma, a
// quote or a line break is quoted, its quotes doubled), CRLF between records, and no text that Excel would run as a
// formula. The reports and the exports write it.

export const byteOrderMark = '\uFEFF';

const needsQuotes = /[",\r\n]/;

/** A plain decimal number, signed or not: Excel reads it as the number it is. */
const plainNumber = /^[-+]?\d+(\.\d+)?$/;

/**
 * Text Excel would take for a formula when it opens the file (it starts with =, +, -, @, a tab or a carriage return: a
 * member named "=HYPERLINK(...)" would run), unless it is a plain number such as a negative amount: it gets a leading
 * apostrophe, which Excel shows as text and does not run (CWE-1236).
 */
function inertInExcel(text: string): string {
  const first = text.charCodeAt(0);
  const formulaLike = first === 0x3d || first === 0x2b || first === 0x2d || first === 0x40 || first === 0x09 || first === 0x0d;
  return formulaLike && !plainNumber.test(text) ? `'${text}` : text;
}

export function csvField(text: string): string {
  const field = inertInExcel(text);
  return needsQuotes.test(field) ? `"${field.replaceAll('"', '""')}"` : field;
}

/** One record, its line end included. */
export function csvRecord(fields: readonly string[]): string {
  let record = '';
  for (let index = 0; index < fields.length; index += 1) record += (index === 0 ? '' : ',') + csvField(fields[index] as string);
  return `${record}\r\n`;
}
