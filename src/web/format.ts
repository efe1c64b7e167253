// How amounts, dates and figures read on screen: 1.500.000 ₫ and 23/11/2026 in Vietnamese, 1,500,000 ₫ in English.
// Amounts stay decimal strings from the services to the page (DESIGN.md §2): digits are grouped as text, never
// through a floating-point number.
import { type CurrencyCode, currencies, formatMinorUnits, isCurrencyCode, parseDecimalString, parseMoney, toMinorUnits } from '../domain/money.js';
import type { Lang } from './i18n/index.js';

const separators: Record<Lang, { group: string; decimal: string }> = { vi: { group: '.', decimal: ',' }, en: { group: ',', decimal: '.' } };
const symbols: Partial<Record<CurrencyCode, string>> = { VND: '₫' };
const noBreak = '\u00a0';

/** Groups an integer's digits in threes with the language's separator: 1500000 → 1.500.000. */
export function groupDigits(digits: string, lang: Lang): string {
  return digits.replace(/\B(?=(\d{3})+(?!\d))/g, separators[lang].group);
}

/** A wire amount ("1500000", "-1250.50") as a reader expects it: "1.500.000 ₫", "-1.250,50 USD". */
export function formatMoney(amount: string, currency: string, lang: Lang): string {
  const match = /^(-?)(\d+)(?:\.(\d+))?$/.exec(amount);
  const code = isCurrencyCode(currency) ? currency : 'VND';
  if (!match) return amount;
  const [, sign = '', whole = '0', fraction] = match;
  const number = `${sign}${groupDigits(whole, lang)}${fraction ? separators[lang].decimal + fraction : ''}`;
  return `${number}${noBreak}${symbols[code] ?? code}`;
}

/** A count: 45126 → 45.126. */
export function formatCount(count: number, lang: Lang): string {
  return groupDigits(String(count), lang);
}

/** A percentage given as a decimal string ("12.34", "1250.5"), or a dash when there is none: 12,34 %, 1.250,5 %. */
export function formatPercent(percent: string | null, lang: Lang): string {
  if (percent === null) return '—';
  const [whole = '', fraction] = percent.split('.');
  const sign = whole.startsWith('-') ? '-' : '';
  return `${sign}${groupDigits(whole.slice(sign.length), lang)}${fraction === undefined ? '' : separators[lang].decimal + fraction}${noBreak}%`;
}

/** A business date YYYY-MM-DD as dd/mm/yyyy. */
export function formatDate(date: string | null | undefined): string {
  if (!date) return '';
  const match = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return match ? `${match[3]}/${match[2]}/${match[1]}` : date;
}

const timestampFormatters = new Map<string, Intl.DateTimeFormat>();

/** An ISO timestamp as dd/mm/yyyy HH:mm in the fund's time zone. */
export function formatTimestamp(timestamp: string, timeZone: string): string {
  let formatter = timestampFormatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-GB', { timeZone, day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', hour12: false });
    timestampFormatters.set(timeZone, formatter);
  }
  const instant = new Date(timestamp);
  return Number.isNaN(instant.getTime()) ? timestamp : formatter.format(instant).replace(',', '');
}

/** The amount a form field holds, as an input's value: grouped digits, no currency sign ("1.500.000"). */
export function amountInputValue(amount: string, lang: Lang): string {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(amount);
  if (!match) return amount;
  return `${groupDigits(match[1] ?? '0', lang)}${match[2] ? separators[lang].decimal + match[2] : ''}`;
}

/**
 * What someone typed into an amount field, as a wire amount: "1.500.000", "1 500 000 ₫" and "1500000" are all
 * "1500000". The language says which mark groups digits and which one starts the decimals, whatever the currency:
 * "1.234,5" in Vietnamese is a thousand and a bit, which a currency without minor units refuses, never 12.345. A
 * fraction of zeros only is dropped ("1.500.000,00" is "1500000"). Anything else is passed on unchanged, for the
 * service to refuse with its message. An empty field is "0" when `emptyIsZero`, else "".
 */
export function parseAmountInput(text: string | undefined, lang: Lang, options: { emptyIsZero?: boolean } = {}): string {
  const compact = (text ?? '').replace(/[\s\u00a0₫]/g, '').replace(/(VND|đ)$/i, '');
  if (compact === '') return options.emptyIsZero ? '0' : '';
  const { group, decimal } = separators[lang];
  const plain = compact.split(group).join('').replace(decimal, '.');
  if (!parseDecimalString(plain, 40).ok) return compact;
  return plain.includes('.') ? plain.replace(/\.?0+$/, '') : plain;
}

function currencyCodeOf(currency: string): CurrencyCode {
  return isCurrencyCode(currency) ? currency : 'VND';
}

/** A wire amount from a service as integer minor units (it is well-formed: the service wrote it). */
export function minorUnitsOf(amount: string, currency: string): bigint {
  const parsed = parseMoney(amount.replace(/^-/, ''), currencyCodeOf(currency));
  if (!parsed.ok) throw new RangeError(`not an amount of ${currency}: ${amount}`);
  const units = toMinorUnits(parsed.value, currencyCodeOf(currency));
  return amount.startsWith('-') ? -units : units;
}

/** Integer minor units as a wire amount. */
export function amountOfMinorUnits(units: bigint, currency: string): string {
  return formatMinorUnits(units, currencies[currencyCodeOf(currency)].minorUnitDigits);
}

export function sumAmounts(amounts: string[], currency: string): string {
  return amountOfMinorUnits(
    amounts.reduce((sum, amount) => sum + minorUnitsOf(amount, currency), 0n),
    currency,
  );
}
