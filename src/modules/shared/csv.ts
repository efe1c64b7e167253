// CSV as Excel opens it with Vietnamese intact: UTF-8 with a byte order mark, RFC 4180 (a field holding a comma, a
// quote or a line break is quoted, its quotes doubled), CRLF between records. The reports and the exports write it.

export const byteOrderMark = '\uFEFF';

const needsQuotes = /[",\r\n]/;

export function csvField(text: string): string {
  return needsQuotes.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, its line end included. */
export function csvRecord(fields: readonly string[]): string {
  let record = '';
  for (let index = 0; index < fields.length; index += 1) record += (index === 0 ? '' : ',') + csvField(fields[index] as string);
  return `${record}\r\n`;
}
