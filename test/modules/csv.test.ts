// The CSV the reports and exports write: quoted as RFC 4180 asks, and no text that Excel would run as a formula.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { csvField, csvRecord } from '../../src/modules/shared/csv.js';

describe('a CSV field', () => {
  it('keeps text Excel would run as a formula as text: a leading apostrophe, then quoted as usual', () => {
    expect(csvField('=HYPERLINK("http://evil.example","Bấm")')).toBe(`"'=HYPERLINK(""http://evil.example"",""Bấm"")"`);
    expect(csvField('+cmd')).toBe("'+cmd");
    expect(csvField('-2+3')).toBe("'-2+3");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('\tx')).toBe("'\tx");
    expect(csvField('\r=1')).toBe(`"'\r=1"`);
  });

  it('leaves numbers, dates, names and empty fields as they are', () => {
    for (const text of ['-150000', '+84912345678', '-1250.50', '1500000', '2025-01-15', 'Hà Thị Thu', '', 'TL01-T1', 'a=b']) expect(csvField(text)).toBe(text);
    expect(csvRecord(['Hà Thị Thu', '-150000', 'a,b'])).toBe('Hà Thị Thu,-150000,"a,b"\r\n');
  });

  it('never starts with a character Excel takes for a formula, whatever the text, unless it is a plain number', () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const field = csvField(text);
        const unquoted = field.startsWith('"') ? field.slice(1) : field;
        if (/^[-+]?\d+(\.\d+)?$/.test(text)) expect(field).toBe(text);
        else expect(unquoted).not.toMatch(/^[=+\-@\t\r]/);
      }),
    );
  });
});
