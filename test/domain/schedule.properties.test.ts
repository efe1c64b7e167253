// Properties of every schedule (DESIGN.md §3): the split conserves the principal, nothing is negative,
// the balance ends at exactly zero, due dates increase, and the same input gives the same schedule.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../src/domain/calendar.js';
import { dayCounts } from '../../src/domain/day-count.js';
import { Decimal, decimalRounding, fromMinorUnits, minorUnit, roundingModeNames, toMinorUnits, type CurrencyCode } from '../../src/domain/money.js';
import { annualRateFraction } from '../../src/domain/rates.js';
import { buildSchedule, planSchedule, scheduleMethods, type Frequency, type Schedule, type ScheduleInput, type SchedulePlan } from '../../src/domain/schedule.js';

const firstDay = parseIsoDate('2020-01-01')!;
const lastDay = parseIsoDate('2030-12-31')!;

const frequencies: Frequency[] = [
  { every: 1, unit: 'month' },
  { every: 2, unit: 'month' },
  { every: 3, unit: 'month' },
  { every: 1, unit: 'week' },
  { every: 2, unit: 'week' },
  { every: 4, unit: 'week' },
  { every: 15, unit: 'day' },
];

/** VND with multiples of 1, 100 or 1000 đồng, or USD with cents (a multiple of 0.01 or the default). */
const money = fc.oneof(
  fc.record({
    currency: fc.constant<CurrencyCode>('VND'),
    principalMinor: fc.bigInt({ min: 1_000n, max: 100_000_000_000n }),
    multiple: fc.constantFrom('1', '100', '1000'),
  }),
  fc.record({
    currency: fc.constant<CurrencyCode>('USD'),
    principalMinor: fc.bigInt({ min: 100_000n, max: 10_000_000_000_000n }),
    multiple: fc.constantFrom('0.01', undefined),
  }),
);

/** 0 to 60 %/year in hundredths of a percent, quoted per year or per month (x12 or x365/30). */
const rate = fc.oneof(
  fc.integer({ min: 0, max: 6000 }).map((hundredths) => ({ kind: 'annual' as const, annualRate: new Decimal(hundredths).div(100) })),
  fc
    .tuple(fc.integer({ min: 0, max: 480 }), fc.constantFrom('x12' as const, 'x365/30' as const))
    .map(([hundredths, monthlyToAnnual]) => ({ kind: 'monthly' as const, monthlyRate: new Decimal(hundredths).div(100), monthlyToAnnual })),
);

const scheduleInput: fc.Arbitrary<ScheduleInput> = fc
  .record({
    money,
    rate,
    method: fc.constantFrom(...scheduleMethods),
    installmentCount: fc.integer({ min: 1, max: 120 }),
    frequency: fc.constantFrom(...frequencies),
    dayCount: fc.constantFrom(...dayCounts),
    disbursedOn: fc.integer({ min: firstDay, max: lastDay }),
    firstDueAfter: fc.option(fc.integer({ min: 1, max: 75 }), { freq: 4 }),
    grace: fc.option(fc.tuple(fc.nat(), fc.nat()), { freq: 4 }),
    mode: fc.constantFrom(...roundingModeNames),
  })
  .map(({ money, rate, method, installmentCount, frequency, dayCount, disbursedOn, firstDueAfter, grace, mode }) => ({
    currency: money.currency,
    principal: fromMinorUnits(money.principalMinor, money.currency),
    rate,
    method,
    installmentCount,
    frequency,
    dayCount,
    disbursedOn,
    firstDueOn: firstDueAfter === null ? null : disbursedOn + firstDueAfter,
    graceOnPrincipal: grace === null ? 0 : grace[0] % installmentCount,
    graceOnInterestPayment: grace === null ? 0 : grace[1] % installmentCount,
    rounding: { mode, ...(money.multiple === undefined ? {} : { installmentMultiple: new Decimal(money.multiple) }) },
  }));

const numRuns = 250;

function minor(schedule: Schedule) {
  const units = (amount: Decimal): bigint => toMinorUnits(amount, schedule.currency);
  return schedule.installments.map((installment) => ({
    dueOn: installment.dueOn,
    principal: units(installment.principal),
    interest: units(installment.interest),
    total: units(installment.total),
    balanceAfter: units(installment.balanceAfter),
  }));
}

describe('schedule properties', () => {
  it('conserve the principal, never go negative, end at zero, and keep dates increasing', () => {
    fc.assert(
      fc.property(scheduleInput, (input) => {
        const schedule = buildSchedule(input);
        const rows = minor(schedule);
        const principal = toMinorUnits(input.principal, schedule.currency);
        expect(rows).toHaveLength(input.installmentCount);

        let principalSum = 0n;
        let interestSum = 0n;
        let balance = principal;
        let previousDue = input.disbursedOn;
        for (const row of rows) {
          expect(row.principal >= 0n && row.interest >= 0n && row.total >= 0n && row.balanceAfter >= 0n).toBe(true);
          expect(row.total).toBe(row.principal + row.interest);
          expect(row.dueOn).toBeGreaterThan(previousDue);
          previousDue = row.dueOn;
          balance -= row.principal;
          expect(row.balanceAfter).toBe(balance);
          principalSum += row.principal;
          interestSum += row.interest;
        }
        expect(principalSum).toBe(principal);
        expect(rows.at(-1)!.balanceAfter).toBe(0n);
        expect(toMinorUnits(schedule.totals.principal, schedule.currency)).toBe(principal);
        expect(toMinorUnits(schedule.totals.interest, schedule.currency)).toBe(interestSum);
        expect(toMinorUnits(schedule.totals.total, schedule.currency)).toBe(principal + interestSum);
        expect(schedule.effectiveAnnualRate.gte(0)).toBe(true);
        expect(schedule.equivalentDecliningAnnualRate !== undefined).toBe(input.method === 'flat');

        // Grace: no principal during the principal grace, no interest paid during the interest grace.
        for (let index = 0; index < (input.graceOnPrincipal ?? 0); index += 1) expect(rows[index]!.principal).toBe(0n);
        for (let index = 0; index < (input.graceOnInterestPayment ?? 0); index += 1) expect(rows[index]!.interest).toBe(0n);
      }),
      { numRuns },
    );
  });

  it('are deterministic: the same input gives the same schedule', () => {
    fc.assert(
      fc.property(scheduleInput, (input) => {
        const copy: ScheduleInput = {
          ...input,
          principal: new Decimal(input.principal.toString()),
          rate: input.rate.kind === 'annual' ? { ...input.rate, annualRate: new Decimal(input.rate.annualRate.toString()) } : { ...input.rate, monthlyRate: new Decimal(input.rate.monthlyRate.toString()) },
        };
        const first = buildSchedule(input);
        const second = buildSchedule(copy);
        expect(minor(second)).toEqual(minor(first));
        expect(second.effectiveAnnualRate.toString()).toBe(first.effectiveAnnualRate.toString());
        expect(second.equivalentDecliningAnnualRate?.toString()).toBe(first.equivalentDecliningAnnualRate?.toString());
        expect(planSchedule(copy).totalDue).toEqual(minor(first).map((row) => row.total));
      }),
      { numRuns: Math.floor(numRuns / 2) },
    );
  });

  it('level installments are equal except where the engine must depart from the level, and say why', () => {
    fc.assert(
      fc.property(
        scheduleInput.filter((input) => input.method !== 'declining_equal_principal' && !input.graceOnPrincipal && !input.graceOnInterestPayment),
        (input) => {
          const plan = planSchedule(input);
          const count = plan.totalDue.length;
          let balanceBefore = plan.principal;
          for (let index = 0; index < count - 1; index += 1) {
            const total = plan.totalDue[index]!;
            if (total !== plan.level) {
              // Only two departures exist: the period's interest alone exceeds the level (principal 0), or the
              // balance ran out before the last installment (a multiple that is coarse for a small loan).
              const interestAboveLevel = plan.principalDue[index] === 0n && plan.interestAccrued[index]! >= plan.level;
              const balanceRanOut = plan.principalDue[index] === balanceBefore;
              expect(interestAboveLevel || balanceRanOut).toBe(true);
            }
            balanceBefore -= plan.principalDue[index]!;
          }
        },
      ),
      { numRuns },
    );
  });

  it('every annuity installment but the last is equal when no grace, no broken period and a sane multiple', () => {
    // Up to 24 installments: beyond that, at 60 %/year with quarterly periods of 90 to 92 days, a 92-day
    // quarter's interest alone can exceed the level (see the property above).
    const sane = fc
      .record({
        base: scheduleInput,
        installmentCount: fc.integer({ min: 1, max: 24 }),
        principalMinor: fc.bigInt({ min: 1_000_000_000n, max: 100_000_000_000n }),
      })
      .map(({ base, installmentCount, principalMinor }) => ({
        ...base,
        method: 'declining_equal_installment' as const,
        principal: fromMinorUnits(principalMinor, base.currency ?? 'VND'),
        installmentCount,
        firstDueOn: null,
        graceOnPrincipal: 0,
        graceOnInterestPayment: 0,
      }));
    fc.assert(
      fc.property(sane, (input) => {
        const plan = planSchedule(input);
        for (let index = 0; index < plan.totalDue.length - 1; index += 1) expect(plan.totalDue[index]).toBe(plan.level);
        const currency = input.currency ?? 'VND';
        const multiple = toMinorUnits(input.rounding?.installmentMultiple ?? minorUnit(currency), currency);
        expect(plan.level % multiple).toBe(0n);
      }),
      { numRuns },
    );
  });

  it('flat interest is charged on the original principal and its total is exact', () => {
    fc.assert(
      fc.property(
        scheduleInput.map((input) => ({ ...input, method: 'flat' as const })),
        (input) => {
          const plan = planSchedule(input);
          // Every period's interest depends on its length only: periods of equal year fraction charge the same.
          const byFraction = new Map<string, bigint>();
          plan.yearFractions.forEach((fraction, index) => {
            const key = `${fraction.numerator}/${fraction.denominator}`;
            const interest = plan.interestAccrued[index]!;
            if (byFraction.has(key)) expect(interest).toBe(byFraction.get(key));
            else byFraction.set(key, interest);
          });
          const accrued = plan.interestAccrued.reduce((sum, value) => sum + value, 0n);
          const due = plan.interestDue.reduce((sum, value) => sum + value, 0n);
          expect(due).toBe(accrued);
        },
      ),
      { numRuns: Math.floor(numRuns / 2) },
    );
  });

  it('equal principal parts are equal until the balance runs out', () => {
    fc.assert(
      fc.property(
        scheduleInput.map((input) => ({ ...input, method: 'declining_equal_principal' as const })),
        (input) => {
          const plan = planSchedule(input);
          const grace = input.graceOnPrincipal ?? 0;
          let balanceBefore = plan.principal;
          for (let index = 0; index < plan.principalDue.length - 1; index += 1) {
            const part = plan.principalDue[index]!;
            if (index < grace) expect(part).toBe(0n);
            else expect(part === plan.level || part === balanceBefore).toBe(true);
            balanceBefore -= part;
          }
        },
      ),
      { numRuns: Math.floor(numRuns / 2) },
    );
  });

  it('agree with a naive Decimal model that tries all three candidate levels', () => {
    fc.assert(
      fc.property(scheduleInput, (input) => {
        const plan = planSchedule(input);
        const model = naiveModel(input, plan);
        expect(plan.level).toBe(model.level);
        expect(plan.principalDue).toEqual(model.principalDue);
        expect(plan.interestAccrued).toEqual(model.interestAccrued);
      }),
      { numRuns },
    );
  });
});

/**
 * The money part of the engine written the slow, obvious way: Decimal arithmetic at 40 digits, every
 * candidate level run in full. Dates and year fractions come from the plan (the calendar and day-count
 * tests cover them). 40 digits decide every rounding here exactly: the quotients have at most 13 integer
 * digits and denominators below 10^12, whose expansions never run 27 nines or zeros long.
 */
function naiveModel(input: ScheduleInput, plan: SchedulePlan): { level: bigint; principalDue: bigint[]; interestAccrued: bigint[] } {
  const mode = decimalRounding[input.rounding?.mode ?? 'half_up'];
  const currency = input.currency ?? 'VND';
  const principal = new Decimal(toMinorUnits(input.principal, currency).toString());
  const multiple = new Decimal(toMinorUnits(input.rounding?.installmentMultiple ?? minorUnit(currency), currency).toString());
  const rate = annualRateFraction(input.rate);
  const count = input.installmentCount;
  const grace = input.graceOnPrincipal ?? 0;
  const periodRate = plan.yearFractions.map((fraction) => ({
    numerator: new Decimal((rate.numerator * fraction.numerator).toString()),
    denominator: new Decimal((rate.denominator * fraction.denominator).toString()),
  }));
  const interestOn = (balance: Decimal, index: number): Decimal =>
    balance.mul(periodRate[index]!.numerator).div(periodRate[index]!.denominator).toDecimalPlaces(0, mode);
  const big = (value: Decimal): bigint => BigInt(value.toString());

  const run = (level: Decimal, flatInterest: Decimal[] | null) => {
    const principalDue: Decimal[] = [];
    const interestAccrued: Decimal[] = [];
    let balance = principal;
    for (let index = 0; index < count; index += 1) {
      const interest = flatInterest ? flatInterest[index]! : interestOn(balance, index);
      let part: Decimal;
      if (index < grace) part = new Decimal(0);
      else if (index === count - 1) part = balance;
      else part = Decimal.min(Decimal.max(level.sub(interest), 0), balance);
      principalDue.push(part);
      interestAccrued.push(interest);
      balance = balance.sub(part);
    }
    const last = principalDue[count - 1]!.add(interestAccrued[count - 1]!);
    return { level, principalDue, interestAccrued, deviation: last.sub(level).abs() };
  };

  let chosen: ReturnType<typeof run>;
  if (input.method === 'declining_equal_principal') {
    const part = principal.div(multiple.mul(count - grace)).toDecimalPlaces(0, mode).mul(multiple);
    chosen = run(part, null);
    // Equal principal has no level installment: recompute the parts as the engine defines them.
    const principalDue: Decimal[] = [];
    let balance = principal;
    for (let index = 0; index < count; index += 1) {
      const value = index < grace ? new Decimal(0) : index === count - 1 ? balance : Decimal.min(part, balance);
      principalDue.push(value);
      balance = balance.sub(value);
    }
    const interestAccrued: Decimal[] = [];
    balance = principal;
    for (let index = 0; index < count; index += 1) {
      interestAccrued.push(interestOn(balance, index));
      balance = balance.sub(principalDue[index]!);
    }
    chosen = { ...chosen, principalDue, interestAccrued };
  } else {
    let exact: Decimal;
    let flatInterest: Decimal[] | null = null;
    if (input.method === 'flat') {
      flatInterest = periodRate.map((_, index) => interestOn(principal, index));
      const amortizingInterest = flatInterest.slice(grace).reduce((sum, value) => sum.add(value), new Decimal(0));
      exact = principal.add(amortizingInterest).div(count - grace);
    } else {
      let sum = new Decimal(0);
      let product = new Decimal(1);
      for (let index = grace; index < count; index += 1) {
        product = product.div(new Decimal(1).add(periodRate[index]!.numerator.div(periodRate[index]!.denominator)));
        sum = sum.add(product);
      }
      exact = principal.div(sum);
    }
    const rounded = exact.div(multiple).toDecimalPlaces(0, mode).mul(multiple);
    const candidates = [rounded, rounded.sub(multiple), rounded.add(multiple)].filter((candidate) => candidate.gt(0));
    chosen = candidates.map((candidate) => run(candidate, flatInterest)).reduce((best, next) => (next.deviation.lt(best.deviation) ? next : best));
  }
  return { level: big(chosen.level), principalDue: chosen.principalDue.map(big), interestAccrued: chosen.interestAccrued.map(big) };
}
