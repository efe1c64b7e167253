// Amounts cross the wire as decimal strings and live as integer minor units: the conversions, with the field named
// in every refusal.
import { type CurrencyCode, currencies, formatMinorUnits, parseMoney, toMinorUnits } from '../../domain/money.js';
import { DomainError } from './domain-error.js';

const reasons = {
  not_a_decimal_string: 'must be a decimal string of digits, such as "1500000" (no sign, no exponent)',
  too_many_decimals: 'has more decimal places than the currency has',
  negative: 'must not be negative',
  too_large: 'is too large',
} as const;

/** A positive amount (or zero, where allowed) in the currency's minor units. */
export function amountInMinorUnits(text: string, currency: CurrencyCode, field: string, options: { allowZero?: boolean } = {}): bigint {
  const parsed = parseMoney(text, currency);
  if (!parsed.ok) {
    const digits = currencies[currency].minorUnitDigits;
    const message = parsed.reason === 'too_many_decimals' ? `${reasons.too_many_decimals} (${currency}: ${digits})` : reasons[parsed.reason];
    throw new DomainError('invalid_request', `${field} ${message}.`, [{ path: field, message }]);
  }
  const units = toMinorUnits(parsed.value, currency);
  if (units === 0n && !options.allowZero) throw new DomainError('invalid_request', `${field} must be more than zero.`, [{ path: field, message: 'must be more than zero' }]);
  // One row holds at most 2^53 minor units: 90 trillion đồng, far beyond any loan or deposit.
  if (units > BigInt(Number.MAX_SAFE_INTEGER)) throw new DomainError('invalid_request', `${field} ${reasons.too_large}.`, [{ path: field, message: reasons.too_large }]);
  return units;
}

export function formatAmount(units: bigint, currency: CurrencyCode): string {
  return formatMinorUnits(units, currencies[currency].minorUnitDigits);
}
