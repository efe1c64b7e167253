// What people type into amount fields, read the way the page's language writes numbers.
import { describe, expect, it } from 'vitest';
import { formatPercent, parseAmountInput } from '../../src/web/format.js';

describe('parseAmountInput', () => {
  it('reads the language’s grouping and decimal marks, whatever the currency', () => {
    expect(parseAmountInput('1.500.000', 'vi')).toBe('1500000');
    expect(parseAmountInput('1 500 000 ₫', 'vi')).toBe('1500000');
    expect(parseAmountInput('1500000đ', 'vi')).toBe('1500000');
    expect(parseAmountInput('1,500,000', 'en')).toBe('1500000');
    expect(parseAmountInput('1.234,5', 'vi')).toBe('1234.5');
    expect(parseAmountInput('1,234.5', 'en')).toBe('1234.5');
  });

  it('keeps a decimal comma as decimals, for the currency to refuse, never as a larger amount', () => {
    expect(parseAmountInput('1.234,567', 'vi')).toBe('1234.567');
    expect(parseAmountInput('1500,5', 'vi')).toBe('1500.5');
    expect(parseAmountInput('10.000.000,5', 'vi')).toBe('10000000.5');
  });

  it('drops a fraction of zeros only, which is the same amount', () => {
    expect(parseAmountInput('1.500.000,00', 'vi')).toBe('1500000');
    expect(parseAmountInput('1,500.50', 'en')).toBe('1500.5');
    expect(parseAmountInput('100', 'en')).toBe('100');
  });

  it('passes anything else on as typed, for the service to refuse with its message', () => {
    expect(parseAmountInput('1,500,000', 'vi')).toBe('1,500,000');
    expect(parseAmountInput('1.500.000', 'en')).toBe('1.500.000');
    expect(parseAmountInput('-5', 'vi')).toBe('-5');
    expect(parseAmountInput('abc', 'vi')).toBe('abc');
  });

  it('reads an empty field as nothing, or as zero where the form says so', () => {
    expect(parseAmountInput('', 'vi')).toBe('');
    expect(parseAmountInput(' ', 'vi', { emptyIsZero: true })).toBe('0');
  });
});

describe('formatPercent', () => {
  it('writes the language’s decimal mark and groups a large percentage’s digits, with a dash for none', () => {
    expect(formatPercent('12.34', 'vi')).toBe('12,34\u00a0%');
    expect(formatPercent('12.34', 'en')).toBe('12.34\u00a0%');
    expect(formatPercent('1566666666.7', 'vi')).toBe('1.566.666.666,7\u00a0%');
    expect(formatPercent('-1250.50', 'en')).toBe('-1,250.50\u00a0%');
    expect(formatPercent('100', 'vi')).toBe('100\u00a0%');
    expect(formatPercent(null, 'vi')).toBe('—');
  });
});
