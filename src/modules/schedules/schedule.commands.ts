// The schedule preview: its request and reply (zod, so they also feed the OpenAPI document), the
// conversion of a request into the engine's input, and of the engine's schedule into the reply.
// Every refusal is a zod issue whose path names the field, so the HTTP layer answers 400 with it.
import { z } from 'zod';
import { formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import { dayCounts, defaultDayCount } from '../../domain/day-count.js';
import {
  currencies,
  currencyCodes,
  Decimal,
  defaultCurrencyCode,
  defaultRoundingMode,
  formatDecimal,
  formatMoney,
  parseDecimalString,
  parseMoney,
  roundingModeNames,
  type CurrencyCode,
  type MoneyParseFailure,
} from '../../domain/money.js';
import { defaultMonthlyToAnnual, maximumRateDecimalPlaces, monthlyToAnnualConversions, type RateQuote } from '../../domain/rates.js';
import {
  buildSchedule,
  defaultFrequency,
  frequencyUnits,
  maximumFrequencyEvery,
  maximumInstallmentCount,
  scheduleInputProblems,
  scheduleMethods,
  type Schedule,
  type ScheduleInput,
  type ScheduleInputProblem,
} from '../../domain/schedule.js';
import { DomainError } from '../shared/domain-error.js';

// ---------------------------------------------------------------------------------------------------
// Request

const decimalText = /^[0-9]+(\.[0-9]+)?$/;
const decimalMessage = 'must be a decimal string of digits, such as "1500000" (no sign, no exponent)';

/** An amount on the wire; the currency's digits are checked against the body's currency below. */
const amountString = z.string().max(40).regex(decimalText, decimalMessage).meta({ example: '10000000' });
/** A rate in percent on the wire: a string, like money, never a JSON number. */
const rateString = z
  .string()
  .max(40)
  .regex(decimalText, 'must be a decimal string of digits, such as "9.6" (no sign, no exponent)')
  .meta({ example: '9.6' });
const isoDateString = z
  .string()
  .refine((text) => parseIsoDate(text) !== null, { message: 'must be a real calendar date written YYYY-MM-DD' })
  .meta({ format: 'date', example: '2026-01-10' });
const wholeNumber = (minimum: number, maximum: number) => z.number().int('must be a whole number').min(minimum).max(maximum);

const schedulePreviewShape = z.strictObject({
  currency: z.enum(currencyCodes).optional().meta({ description: `ISO 4217 code; default ${defaultCurrencyCode}` }),
  principal: amountString.meta({ description: 'The loan, in the currency, e.g. "10000000"' }),
  annualRate: rateString.optional().meta({ description: 'Annual nominal rate in percent, e.g. "9.6"; or give monthlyRate' }),
  monthlyRate: rateString.optional().meta({ description: 'Monthly rate in percent, e.g. "0.8"; or give annualRate' }),
  monthlyToAnnual: z
    .enum(monthlyToAnnualConversions)
    .optional()
    .meta({ description: `How monthlyRate becomes the annual rate: x12 (default) or x365/30 (Circular 14/2017)` }),
  method: z.enum(scheduleMethods),
  installments: wholeNumber(1, maximumInstallmentCount).meta({ description: 'The number of installments (the term)' }),
  frequency: z
    .strictObject({ every: wholeNumber(1, maximumFrequencyEvery.day), unit: z.enum(frequencyUnits) })
    .optional()
    .meta({ description: 'Default monthly: {"every": 1, "unit": "month"}; fortnightly is {"every": 2, "unit": "week"}' }),
  dayCount: z.enum(dayCounts).optional().meta({ description: `Default ${defaultDayCount}` }),
  disbursedOn: isoDateString,
  firstDueOn: isoDateString.optional().meta({ description: 'A first due date other than one period after disbursement' }),
  graceOnPrincipal: wholeNumber(0, maximumInstallmentCount - 1).optional().meta({ description: 'Installments paying interest only' }),
  graceOnInterestPayment: wholeNumber(0, maximumInstallmentCount - 1)
    .optional()
    .meta({ description: 'Installments whose interest is deferred to the first installment after them' }),
  rounding: z
    .strictObject({
      mode: z.enum(roundingModeNames).optional().meta({ description: `Default ${defaultRoundingMode}` }),
      installmentMultiple: amountString.optional().meta({ description: 'Round the equal installment to this, e.g. "1000" đồng' }),
    })
    .optional(),
});

export type SchedulePreviewBody = z.infer<typeof schedulePreviewShape>;

/** The preview request: the shape, then the checks that need several fields (currency digits, the engine's rules). */
export const schedulePreviewBody = schedulePreviewShape
  .superRefine(
    (body, context) => {
      for (const problem of schedulePreviewProblems(body)) context.addIssue({ code: 'custom', path: problem.path, message: problem.message });
    },
    // Only a body whose every field has the right shape: a field already refused is not refused twice.
    { when: (payload) => payload.issues.length === 0 },
  )
  .meta({ id: 'SchedulePreviewRequest' });

interface BodyProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

const parseFailureMessages: Record<MoneyParseFailure, string> = {
  not_a_decimal_string: decimalMessage,
  too_many_decimals: 'has more decimal places than allowed',
  negative: 'must not be negative',
  too_large: 'is too large',
};

/**
 * Everything wrong with a body that has the right shape, each with the path of its field: amounts against
 * the currency's digits, the choice of rate, then the engine's own rules (scheduleInputProblems), so the
 * engine and the 400 can never disagree.
 */
export function schedulePreviewProblems(body: SchedulePreviewBody): BodyProblem[] {
  const conversion = convert(body);
  if (!conversion.ok) return conversion.problems;
  return scheduleInputProblems(conversion.input).map((problem) => ({ path: bodyPathOf(problem, body), message: problem.message }));
}

/** The engine's input for a valid body; throws a DomainError naming the fields of an invalid one. */
export function scheduleInputFromBody(body: SchedulePreviewBody): ScheduleInput {
  const conversion = convert(body);
  const problems = conversion.ok ? scheduleInputProblems(conversion.input).map((problem) => ({ path: bodyPathOf(problem, body), message: problem.message })) : conversion.problems;
  if (!conversion.ok || problems.length > 0) {
    const details = problems.map((problem) => ({ path: problem.path.join('.'), message: problem.message }));
    throw new DomainError('invalid_request', `The schedule cannot be made: ${details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}.`, details);
  }
  return conversion.input;
}

type Conversion = { readonly ok: true; readonly input: ScheduleInput } | { readonly ok: false; readonly problems: BodyProblem[] };

function convert(body: SchedulePreviewBody): Conversion {
  const problems: BodyProblem[] = [];
  const currency: CurrencyCode = body.currency ?? defaultCurrencyCode;
  const digits = currencies[currency].minorUnitDigits;
  const amountOf = (text: string, path: (string | number)[]): Decimal | null => {
    const parsed = parseMoney(text, currency);
    if (!parsed.ok) {
      const message = parsed.reason === 'too_many_decimals' ? `has more decimal places than ${currency} has (${digits})` : parseFailureMessages[parsed.reason];
      problems.push({ path, message });
      return null;
    }
    if (parsed.value.isZero()) {
      problems.push({ path, message: 'must be more than zero' });
      return null;
    }
    return parsed.value;
  };
  const rateOf = (text: string, path: string): Decimal | null => {
    const parsed = parseDecimalString(text, maximumRateDecimalPlaces);
    if (parsed.ok) return parsed.value;
    const message = parsed.reason === 'too_many_decimals' ? `must have at most ${maximumRateDecimalPlaces} decimal places` : parseFailureMessages[parsed.reason];
    problems.push({ path: [path], message });
    return null;
  };

  const principal = amountOf(body.principal, ['principal']);

  let rate: RateQuote | null = null;
  if (body.annualRate === undefined && body.monthlyRate === undefined) {
    problems.push({ path: ['annualRate'], message: 'give annualRate or monthlyRate' });
  } else if (body.annualRate !== undefined && body.monthlyRate !== undefined) {
    problems.push({ path: ['monthlyRate'], message: 'give annualRate or monthlyRate, not both' });
  } else if (body.annualRate !== undefined) {
    if (body.monthlyToAnnual !== undefined) problems.push({ path: ['monthlyToAnnual'], message: 'applies to monthlyRate only' });
    const annualRate = rateOf(body.annualRate, 'annualRate');
    if (annualRate !== null) rate = { kind: 'annual', annualRate };
  } else if (body.monthlyRate !== undefined) {
    const monthlyRate = rateOf(body.monthlyRate, 'monthlyRate');
    if (monthlyRate !== null) rate = { kind: 'monthly', monthlyRate, monthlyToAnnual: body.monthlyToAnnual ?? defaultMonthlyToAnnual };
  }

  const multipleText = body.rounding?.installmentMultiple;
  const installmentMultiple = multipleText === undefined ? undefined : amountOf(multipleText, ['rounding', 'installmentMultiple']);

  const disbursedOn = parseIsoDate(body.disbursedOn);
  const firstDueOn = body.firstDueOn === undefined ? null : parseIsoDate(body.firstDueOn);
  // The shape already refused a non-date; these guard direct callers.
  if (disbursedOn === null) problems.push({ path: ['disbursedOn'], message: 'must be a real calendar date written YYYY-MM-DD' });
  if (body.firstDueOn !== undefined && firstDueOn === null) problems.push({ path: ['firstDueOn'], message: 'must be a real calendar date written YYYY-MM-DD' });

  if (problems.length > 0 || principal === null || rate === null || disbursedOn === null || installmentMultiple === null) return { ok: false, problems };
  return {
    ok: true,
    input: {
      currency,
      principal,
      rate,
      method: body.method,
      installmentCount: body.installments,
      frequency: body.frequency ?? defaultFrequency,
      dayCount: body.dayCount ?? defaultDayCount,
      disbursedOn,
      firstDueOn,
      graceOnPrincipal: body.graceOnPrincipal ?? 0,
      graceOnInterestPayment: body.graceOnInterestPayment ?? 0,
      rounding: { mode: body.rounding?.mode ?? defaultRoundingMode, ...(installmentMultiple === undefined ? {} : { installmentMultiple }) },
    },
  };
}

/** The body field an engine problem is about. */
function bodyPathOf(problem: ScheduleInputProblem, body: SchedulePreviewBody): (string | number)[] {
  switch (problem.field) {
    case 'rate':
      return [body.annualRate !== undefined ? 'annualRate' : 'monthlyRate'];
    case 'installmentCount':
      return ['installments'];
    case 'frequency':
      return ['frequency', 'every'];
    case 'rounding':
      return problem.code === 'unknown_rounding_mode' ? ['rounding', 'mode'] : ['rounding', 'installmentMultiple'];
    default:
      return [problem.field];
  }
}

// ---------------------------------------------------------------------------------------------------
// Reply

const amountReply = z.string().meta({ description: "A decimal string with exactly the currency's digits", example: '877117' });
const percentReply = z.string().meta({ description: 'Percent a year, as a decimal string', example: '10.03' });

export const scheduleInstallmentReply = z
  .object({
    number: z.number().int(),
    dueOn: z.string().meta({ format: 'date', example: '2026-02-10' }),
    days: z.number().int().meta({ description: 'Days of the period: previous due date (or disbursement) out, due date in' }),
    principal: amountReply,
    interest: amountReply,
    total: amountReply,
    balanceAfter: amountReply,
  })
  .meta({ id: 'ScheduleInstallment' });

export const schedulePreviewReply = z
  .object({
    currency: z.enum(currencyCodes),
    method: z.enum(scheduleMethods),
    dayCount: z.enum(dayCounts),
    annualRate: percentReply.meta({ description: 'The annual nominal rate; 10 decimal places when an x365/30 monthly quote makes it a repeating decimal' }),
    effectiveAnnualRate: percentReply.meta({ description: 'XIRR of the installments on actual days (365-day years), 2 decimal places' }),
    equivalentDecliningAnnualRate: percentReply
      .optional()
      .meta({ description: 'Flat method only: the declining-balance annual rate with the same installments (Circular 39/2016), 2 places' }),
    installments: z.array(scheduleInstallmentReply),
    totals: z.object({ principal: amountReply, interest: amountReply, total: amountReply }),
  })
  .meta({ id: 'SchedulePreview' });

export type SchedulePreviewReply = z.infer<typeof schedulePreviewReply>;

/** The JSON reply for a schedule: every amount and rate as a decimal string, dates as YYYY-MM-DD. */
export function scheduleReplyOf(schedule: Schedule, input: Pick<ScheduleInput, 'method' | 'dayCount'>): SchedulePreviewReply {
  const currency = schedule.currency;
  const money = (amount: Decimal): string => formatMoney(amount, currency);
  const reply: SchedulePreviewReply = {
    currency,
    method: input.method,
    dayCount: input.dayCount ?? defaultDayCount,
    annualRate: schedule.annualRate.toString(),
    effectiveAnnualRate: formatDecimal(schedule.effectiveAnnualRate, 2),
    installments: schedule.installments.map((installment) => ({
      number: installment.number,
      dueOn: formatIsoDate(installment.dueOn),
      days: installment.days,
      principal: money(installment.principal),
      interest: money(installment.interest),
      total: money(installment.total),
      balanceAfter: money(installment.balanceAfter),
    })),
    totals: { principal: money(schedule.totals.principal), interest: money(schedule.totals.interest), total: money(schedule.totals.total) },
  };
  if (schedule.equivalentDecliningAnnualRate !== undefined) reply.equivalentDecliningAnnualRate = formatDecimal(schedule.equivalentDecliningAnnualRate, 2);
  return reply;
}

/** The preview: a parsed body in, the reply out. Pure; throws a DomainError naming the field of a body the schema would refuse. */
export function previewSchedule(body: SchedulePreviewBody): SchedulePreviewReply {
  const input = scheduleInputFromBody(body);
  return scheduleReplyOf(buildSchedule(input), input);
}
