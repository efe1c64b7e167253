import { describe, expect, it } from 'vitest';
import { DomainError } from '../../src/modules/shared/domain-error.js';
import {
  previewSchedule,
  scheduleInputFromBody,
  schedulePreviewBody,
  schedulePreviewReply,
  type SchedulePreviewBody,
} from '../../src/modules/schedules/schedule.commands.js';

const valid = {
  principal: '10000000',
  monthlyRate: '0.8',
  method: 'declining_equal_installment',
  installments: 12,
  disbursedOn: '2025-01-10',
} as const;

/** The issues of a body as "path: message" pairs, the way the HTTP layer reports them. */
function issuesOf(body: unknown): { path: string; message: string }[] {
  const result = schedulePreviewBody.safeParse(body);
  if (result.success) return [];
  return result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
}

const pathsOf = (body: unknown): string[] => issuesOf(body).map((issue) => issue.path);

describe('schedulePreviewBody', () => {
  it('accepts a minimal body and fills no defaults into the wire shape', () => {
    const result = schedulePreviewBody.safeParse(valid);
    expect(result.success).toBe(true);
  });

  it('accepts every optional field', () => {
    expect(
      issuesOf({
        currency: 'USD',
        principal: '1250.50',
        annualRate: '12.5',
        method: 'flat',
        installments: 24,
        frequency: { every: 2, unit: 'week' },
        dayCount: '30/360',
        disbursedOn: '2025-01-31',
        firstDueOn: '2025-02-20',
        graceOnPrincipal: 2,
        graceOnInterestPayment: 1,
        rounding: { mode: 'half_even', installmentMultiple: '0.05' },
      }),
    ).toEqual([]);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['an exponent in the principal', { principal: '1e7' }, 'principal'],
    ['a signed principal', { principal: '+10000000' }, 'principal'],
    ['a negative principal', { principal: '-10000000' }, 'principal'],
    ['an empty principal', { principal: '' }, 'principal'],
    ['a principal as a number', { principal: 10000000 }, 'principal'],
    ['a zero principal', { principal: '0' }, 'principal'],
    ['a fraction of a đồng', { principal: '10000000.5' }, 'principal'],
    ['a rate as a JSON number', { monthlyRate: 0.8 }, 'monthlyRate'],
    ['a negative rate', { monthlyRate: '-0.8' }, 'monthlyRate'],
    ['an exponent in the rate', { monthlyRate: '8e-1' }, 'monthlyRate'],
    ['a rate above 100 %/year', { monthlyRate: '8.5' }, 'monthlyRate'],
    ['a rate with 11 decimals', { monthlyRate: '0.80000000001' }, 'monthlyRate'],
    ['no installments', { installments: 0 }, 'installments'],
    ['601 installments', { installments: 601 }, 'installments'],
    ['a fractional term', { installments: 1.5 }, 'installments'],
    ['a term as a string', { installments: '12' }, 'installments'],
    ['an unknown method', { method: 'balloon' }, 'method'],
    ['an unknown currency', { currency: 'XYZ' }, 'currency'],
    ['an unknown day count', { dayCount: 'actual/360' }, 'dayCount'],
    ['a non-date', { disbursedOn: '2025-02-30' }, 'disbursedOn'],
    ['a first due date on disbursement', { firstDueOn: '2025-01-10' }, 'firstDueOn'],
    ['a first due date before disbursement', { firstDueOn: '2024-12-31' }, 'firstDueOn'],
    ['grace as long as the term', { graceOnPrincipal: 12 }, 'graceOnPrincipal'],
    ['interest grace as long as the term', { graceOnInterestPayment: 12 }, 'graceOnInterestPayment'],
    ['negative grace', { graceOnPrincipal: -1 }, 'graceOnPrincipal'],
    ['13 months', { frequency: { every: 13, unit: 'month' } }, 'frequency.every'],
    ['an unknown unit', { frequency: { every: 1, unit: 'year' } }, 'frequency.unit'],
    ['an unknown rounding mode', { rounding: { mode: 'bankers' } }, 'rounding.mode'],
    ['a multiple finer than a đồng', { rounding: { installmentMultiple: '0.5' } }, 'rounding.installmentMultiple'],
    ['a zero multiple', { rounding: { installmentMultiple: '0' } }, 'rounding.installmentMultiple'],
    ['an unknown field', { lateFee: '1000' }, ''],
    ['an unknown field in rounding', { rounding: { step: '1000' } }, 'rounding'],
  ])('refuses %s, naming %j', (_name, change, path) => {
    expect(pathsOf({ ...valid, ...change })).toEqual([path]);
  });

  it('needs exactly one rate, and a conversion only with a monthly one', () => {
    const { monthlyRate: _monthlyRate, ...withoutRate } = valid;
    expect(pathsOf(withoutRate)).toEqual(['annualRate']);
    expect(pathsOf({ ...valid, annualRate: '9.6' })).toEqual(['monthlyRate']);
    expect(pathsOf({ ...withoutRate, annualRate: '9.6', monthlyToAnnual: 'x12' })).toEqual(['monthlyToAnnual']);
    expect(pathsOf({ ...valid, monthlyToAnnual: 'x365/30' })).toEqual([]);
  });

  it('checks amounts against the body currency', () => {
    expect(pathsOf({ ...valid, currency: 'USD', principal: '1250.50' })).toEqual([]);
    expect(pathsOf({ ...valid, currency: 'USD', principal: '1250.505' })).toEqual(['principal']);
    expect(issuesOf({ ...valid, currency: 'USD', principal: '1250.505' })[0]!.message).toContain('USD');
    expect(pathsOf({ ...valid, currency: 'JPY', principal: '1250.5' })).toEqual(['principal']);
  });

  it('reports several problems at once, each at its field', () => {
    expect(pathsOf({ ...valid, principal: '0', graceOnPrincipal: 12, firstDueOn: '2025-01-01' }).sort()).toEqual(['principal']);
    // The engine's rules are checked once the amounts parse: then every engine problem is reported together.
    expect(pathsOf({ ...valid, graceOnPrincipal: 12, firstDueOn: '2025-01-01' }).sort()).toEqual(['firstDueOn', 'graceOnPrincipal']);
  });
});

describe('previewSchedule', () => {
  it('answers with decimal strings that match the reply schema', () => {
    const body = schedulePreviewBody.parse(valid);
    const reply = previewSchedule(body);
    expect(schedulePreviewReply.parse(reply)).toEqual(reply);
    expect(reply.currency).toBe('VND');
    expect(reply.method).toBe('declining_equal_installment');
    expect(reply.dayCount).toBe('actual/365');
    expect(reply.annualRate).toBe('9.6');
    expect(reply.effectiveAnnualRate).toBe('10.03');
    expect(reply.equivalentDecliningAnnualRate).toBeUndefined();
    expect(reply.installments).toHaveLength(12);
    // See test/domain/schedule.test.ts for the hand-checked table.
    expect(reply.installments[0]).toEqual({ number: 1, dueOn: '2025-02-10', days: 31, principal: '795583', interest: '81534', total: '877117', balanceAfter: '9204417' });
    expect(reply.installments[11]).toEqual({ number: 12, dueOn: '2026-01-10', days: 31, principal: '870020', interest: '7094', total: '877114', balanceAfter: '0' });
    expect(reply.totals).toEqual({ principal: '10000000', interest: '525401', total: '10525401' });
  });

  it('gives cents their two digits and states the equivalent declining rate of a flat loan', () => {
    const body: SchedulePreviewBody = schedulePreviewBody.parse({
      currency: 'USD',
      principal: '1000',
      annualRate: '12',
      method: 'flat',
      installments: 12,
      dayCount: '30/360',
      disbursedOn: '2025-01-10',
    });
    const reply = previewSchedule(body);
    // 1,000 x 1 % = 10.00 interest a month; level (1,000 + 120) / 12 = 93.333 -> 93.33.
    expect(reply.installments[0]).toMatchObject({ principal: '83.33', interest: '10.00', total: '93.33', balanceAfter: '916.67' });
    expect(reply.installments[11]).toMatchObject({ principal: '83.37', interest: '10.00', total: '93.37', balanceAfter: '0.00' });
    expect(reply.totals).toEqual({ principal: '1000.00', interest: '120.00', total: '1120.00' });
    expect(reply.equivalentDecliningAnnualRate).toMatch(/^\d+\.\d{2}$/);
    expect(Number(reply.equivalentDecliningAnnualRate)).toBeGreaterThan(21);
    expect(Number(reply.equivalentDecliningAnnualRate)).toBeLessThan(22);
  });

  it('shows a zero rate with its two places and an x365/30 rate to ten', () => {
    expect(previewSchedule(schedulePreviewBody.parse({ ...valid, monthlyRate: '0' })).effectiveAnnualRate).toBe('0.00');
    expect(previewSchedule(schedulePreviewBody.parse({ ...valid, monthlyToAnnual: 'x365/30' })).annualRate).toBe('9.7333333333');
  });

  it('refuses, naming the fields, a body that skipped the schema', () => {
    const unchecked = { ...valid, graceOnPrincipal: 12, principal: '1e7' } as unknown as SchedulePreviewBody;
    expect(() => previewSchedule(unchecked)).toThrow(DomainError);
    try {
      scheduleInputFromBody(unchecked);
    } catch (error) {
      expect(error).toBeInstanceOf(DomainError);
      expect((error as DomainError).details.map((detail) => detail.path)).toEqual(['principal']);
    }
  });
});
