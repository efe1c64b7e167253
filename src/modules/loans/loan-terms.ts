// A product's terms, checked as a whole against the currency and the schedule engine, and turned into the engine's
// and the allocation rules' inputs. Pure apart from the DomainErrors it throws for refusals.
import { parseIsoDate } from '../../domain/calendar.js';
import { type CurrencyCode, Decimal, fromMinorUnits, parseDecimalString } from '../../domain/money.js';
import type { RateQuote } from '../../domain/rates.js';
import { type ScheduleInput, scheduleInputProblems } from '../../domain/schedule.js';
import { DomainError, type ErrorDetail } from '../shared/domain-error.js';
import { amountInMinorUnits } from '../shared/money-input.js';
import type { ProductTerms } from './loan.commands.js';

export const maximumOverdueMultiplier = new Decimal('1.50');
export const maximumLateInterestAnnualRate = new Decimal('10');

export function rateQuoteOf(terms: ProductTerms): RateQuote {
  if (terms.annualRate !== undefined) return { kind: 'annual', annualRate: new Decimal(terms.annualRate) };
  return { kind: 'monthly', monthlyRate: new Decimal(terms.monthlyRate ?? '0'), monthlyToAnnual: terms.monthlyToAnnual };
}

export function scheduleInputOf(
  terms: ProductTerms,
  currency: CurrencyCode,
  loan: { principal: bigint; installments: number; disbursedOn: string; firstDueOn?: string | null; graceOnPrincipal?: number },
): ScheduleInput {
  const disbursedOn = parseIsoDate(loan.disbursedOn);
  if (disbursedOn === null) throw new Error(`not a date: ${loan.disbursedOn}`);
  const firstDueOn = loan.firstDueOn ? parseIsoDate(loan.firstDueOn) : null;
  return {
    currency,
    principal: fromMinorUnits(loan.principal, currency),
    rate: rateQuoteOf(terms),
    method: terms.method,
    installmentCount: loan.installments,
    frequency: terms.frequency,
    dayCount: terms.dayCount,
    disbursedOn,
    firstDueOn,
    graceOnPrincipal: loan.graceOnPrincipal ?? terms.graceOnPrincipal,
    graceOnInterestPayment: terms.graceOnInterestPayment,
    rounding: { mode: terms.rounding.mode, ...(terms.rounding.installmentMultiple ? { installmentMultiple: new Decimal(terms.rounding.installmentMultiple) } : {}) },
  };
}

/** Every problem with a product's terms, each naming its field; empty when the product can lend. */
export function productTermsProblems(terms: ProductTerms, currency: CurrencyCode): ErrorDetail[] {
  const problems: ErrorDetail[] = [];
  const amountOf = (field: 'minPrincipal' | 'maxPrincipal' | 'compulsorySavingsPerInstallment', allowZero: boolean) => {
    try {
      return amountInMinorUnits(terms[field], currency, field, { allowZero });
    } catch (error) {
      if (error instanceof DomainError) problems.push(...error.details);
      return null;
    }
  };
  const minPrincipal = amountOf('minPrincipal', false);
  const maxPrincipal = amountOf('maxPrincipal', false);
  amountOf('compulsorySavingsPerInstallment', true);
  if (minPrincipal !== null && maxPrincipal !== null && minPrincipal > maxPrincipal) problems.push({ path: 'minPrincipal', message: 'must not be above maxPrincipal' });
  if (terms.minInstallments > terms.maxInstallments) problems.push({ path: 'minInstallments', message: 'must not be above maxInstallments' });
  if ((terms.annualRate === undefined) === (terms.monthlyRate === undefined)) problems.push({ path: 'annualRate', message: 'give exactly one of annualRate and monthlyRate' });
  if (new Decimal(terms.overdueMultiplier).gt(maximumOverdueMultiplier)) problems.push({ path: 'overdueMultiplier', message: 'must be at most 1.50 (the legal ceiling)' });
  if (new Decimal(terms.overdueMultiplier).lt(1)) problems.push({ path: 'overdueMultiplier', message: 'must be at least 1.00' });
  if (new Decimal(terms.lateInterestAnnualRate).gt(maximumLateInterestAnnualRate)) problems.push({ path: 'lateInterestAnnualRate', message: 'must be at most 10 percent a year' });
  if (new Decimal(terms.compulsorySavingsPercentOfPrincipal).gt(100)) problems.push({ path: 'compulsorySavingsPercentOfPrincipal', message: 'must be at most 100' });
  if (terms.rounding.installmentMultiple !== undefined && !parseDecimalString(terms.rounding.installmentMultiple, 2).ok) {
    problems.push({ path: 'rounding.installmentMultiple', message: 'must be a decimal string' });
  }
  if (problems.length === 0 && minPrincipal !== null) {
    // The engine knows the rest (rate ceiling, grace against term, rounding multiple against the currency): ask it
    // with the smallest loan the product allows.
    const sample = scheduleInputOf(terms, currency, { principal: minPrincipal, installments: terms.minInstallments, disbursedOn: '2000-01-01' });
    for (const problem of scheduleInputProblems(sample)) {
      const field = { rate: terms.annualRate !== undefined ? 'annualRate' : 'monthlyRate', installmentCount: 'minInstallments' }[problem.field as string] ?? problem.field;
      problems.push({ path: field, message: problem.message });
    }
  }
  return problems;
}

export function requireValidTerms(terms: ProductTerms, currency: CurrencyCode): void {
  const problems = productTermsProblems(terms, currency);
  if (problems.length > 0) throw new DomainError('product_invalid', `The product's terms do not hold together: ${problems.map((problem) => `${problem.path} ${problem.message}`).join('; ')}.`, problems);
}
