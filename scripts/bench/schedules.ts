// Schedules per second: the exact engine (src/domain/schedule.ts) against a float twin of the same
// algorithm written here on plain JS numbers, the floor that exactness is measured against.
//
//   npm run bench:schedules              100,000 twelve-installment schedules per method and day count
//   npm run bench:schedules -- --count 20000
//
// For every method and day count it times, one core, one after the other:
//   exact plan      planSchedule: the schedule in integer minor units (bigint), invariants checked; no
//                   Decimal, no solved rate. What a loan stores.
//   exact schedule  buildScheduleWithoutRates: the plan plus Decimal amounts, without the solved rates.
//   exact full      buildSchedule: the same plus effectiveAnnualRate (XIRR on actual days, Newton on bigint
//                   fixed point) and, for flat, equivalentDecliningAnnualRate. What the preview answers.
//   float           the twin below on numbers (Math.round), no solved rate: the floor for the schedule.
//   float full      the twin plus the same two solved rates (Newton on numbers).
//   rates           the solved rates alone, on ready plans: what "exact full" spends on them.
// and prints schedules per CPU-second and the ratios exact schedule / float and exact full / float full.
import { cpus, loadavg } from 'node:os';
import { reportFigures } from './summary.js';
import { addMonths, parseIsoDate, type DayNumber } from '../../src/domain/calendar.js';
import { actualDaysByYearKind, dayCounts, type DayCount } from '../../src/domain/day-count.js';
import { Decimal } from '../../src/domain/money.js';
import { decliningAnnualRatePercent, effectiveAnnualRatePercentOf } from '../../src/domain/rates.js';
import { buildSchedule, buildScheduleWithoutRates, planSchedule, scheduleMethods, type ScheduleInput, type ScheduleMethod } from '../../src/domain/schedule.js';

const countArgument = process.argv.indexOf('--count');
const count = countArgument > 0 ? Number(process.argv[countArgument + 1]) : 100_000;
if (!Number.isSafeInteger(count) || count < 1) throw new Error('--count takes a positive whole number');
const installments = 12;
const variety = 1_000; // distinct inputs cycled through, so no run repeats one schedule
const interactive = process.stdout.isTTY === true;

// ---------------------------------------------------------------------------------------------------
// Inputs: 10,000,000 to 10,999,000 VND at 9.6 %/year, 12 months, disbursed on each day of 2025.

interface Terms {
  readonly method: ScheduleMethod;
  readonly dayCount: DayCount;
  readonly principal: number;
  readonly annualPercent: number;
  readonly disbursedOn: DayNumber;
}

const firstDisbursement = parseIsoDate('2025-01-01')!;

function termsFor(method: ScheduleMethod, dayCount: DayCount): Terms[] {
  return Array.from({ length: variety }, (_, index) => ({
    method,
    dayCount,
    principal: 10_000_000 + index * 1_000,
    annualPercent: 9.6,
    disbursedOn: firstDisbursement + (index % 365),
  }));
}

function exactInput(terms: Terms): ScheduleInput {
  return {
    currency: 'VND',
    principal: new Decimal(terms.principal),
    rate: { kind: 'annual', annualRate: new Decimal('9.6') },
    method: terms.method,
    installmentCount: installments,
    frequency: { every: 1, unit: 'month' },
    dayCount: terms.dayCount,
    disbursedOn: terms.disbursedOn,
    rounding: { mode: 'half_up' },
  };
}

// ---------------------------------------------------------------------------------------------------
// The float twin: the engine's algorithm, line for line, on numbers. Bench-only: money never lives in
// a number anywhere else.

interface FloatInstallment {
  number: number;
  dueOn: number;
  days: number;
  principal: number;
  interest: number;
  total: number;
  balanceAfter: number;
}

interface FloatSchedule {
  installments: FloatInstallment[];
  totals: { principal: number; interest: number; total: number };
  effectiveAnnualRate?: number;
  equivalentDecliningAnnualRate?: number;
}

function floatSchedule(terms: Terms, solveRates: boolean): FloatSchedule {
  const rate = terms.annualPercent / 100;
  const count = installments;
  const dueOn = new Array<number>(count);
  const fractions = new Array<number>(count);
  let previous = terms.disbursedOn;
  for (let index = 0; index < count; index += 1) {
    const end = addMonths(terms.disbursedOn, index + 1);
    dueOn[index] = end;
    if (terms.dayCount === 'actual/365') fractions[index] = (end - previous) / 365;
    else if (terms.dayCount === '30/360') fractions[index] = 1 / 12;
    else {
      const { commonYearDays, leapYearDays } = actualDaysByYearKind(previous, end);
      fractions[index] = commonYearDays / 365 + leapYearDays / 366;
    }
    previous = end;
  }
  const principalDue = new Array<number>(count);
  const interestAccrued = new Array<number>(count);
  let level: number;
  if (terms.method === 'declining_equal_principal') {
    level = Math.round(terms.principal / count);
    let balance = terms.principal;
    for (let index = 0; index < count; index += 1) {
      interestAccrued[index] = Math.round(balance * rate * fractions[index]!);
      const part = index === count - 1 ? balance : Math.min(level, balance);
      principalDue[index] = part;
      balance -= part;
    }
  } else {
    let flatInterest: number[] | null = null;
    let exact: number;
    if (terms.method === 'flat') {
      flatInterest = fractions.map((fraction) => Math.round(terms.principal * rate * fraction));
      exact = (terms.principal + flatInterest.reduce((sum, value) => sum + value, 0)) / count;
    } else {
      let sum = 0;
      let product = 1;
      for (let index = 0; index < count; index += 1) {
        product /= 1 + rate * fractions[index]!;
        sum += product;
      }
      exact = terms.principal / sum;
    }
    const run = (candidate: number, principalParts: number[], interests: number[]): number => {
      let balance = terms.principal;
      let last = 0;
      for (let index = 0; index < count; index += 1) {
        const interest = flatInterest === null ? Math.round(balance * rate * fractions[index]!) : flatInterest[index]!;
        let part: number;
        if (index === count - 1) {
          part = balance;
          last = balance + interest;
        } else part = Math.min(Math.max(candidate - interest, 0), balance);
        principalParts[index] = part;
        interests[index] = interest;
        balance -= part;
      }
      return last;
    };
    level = Math.round(exact);
    const last = run(level, principalDue, interestAccrued);
    if (last !== level) {
      const neighbour = last > level ? level + 1 : level - 1;
      const otherParts = new Array<number>(count);
      const otherInterests = new Array<number>(count);
      const otherLast = run(neighbour, otherParts, otherInterests);
      if (Math.abs(otherLast - neighbour) < Math.abs(last - level)) {
        level = neighbour;
        for (let index = 0; index < count; index += 1) {
          principalDue[index] = otherParts[index]!;
          interestAccrued[index] = otherInterests[index]!;
        }
      }
    }
  }
  const result: FloatInstallment[] = new Array<FloatInstallment>(count);
  let balance = terms.principal;
  let interestSum = 0;
  previous = terms.disbursedOn;
  for (let index = 0; index < count; index += 1) {
    balance -= principalDue[index]!;
    interestSum += interestAccrued[index]!;
    result[index] = {
      number: index + 1,
      dueOn: dueOn[index]!,
      days: dueOn[index]! - previous,
      principal: principalDue[index]!,
      interest: interestAccrued[index]!,
      total: principalDue[index]! + interestAccrued[index]!,
      balanceAfter: balance,
    };
    previous = dueOn[index]!;
  }
  // The same invariants the engine asserts.
  if (balance !== 0 || result.some((row) => row.principal < 0 || row.interest < 0)) throw new Error('float twin broke an invariant');
  const schedule: FloatSchedule = { installments: result, totals: { principal: terms.principal, interest: interestSum, total: terms.principal + interestSum } };
  if (!solveRates) return schedule;
  const totals = result.map((row) => row.total);
  schedule.effectiveAnnualRate = floatXirr(terms.principal, dueOn.map((due) => due - terms.disbursedOn), totals);
  if (terms.method === 'flat') schedule.equivalentDecliningAnnualRate = floatDecliningRate(terms.principal, totals, fractions);
  return schedule;
}

function floatXirr(principal: number, afterDays: number[], amounts: number[]): number {
  let daily = 0.0003;
  for (let step = 0; step < 50; step += 1) {
    let present = 0;
    let slope = 0;
    for (let index = 0; index < amounts.length; index += 1) {
      const factor = Math.pow(1 + daily, -afterDays[index]!);
      present += amounts[index]! * factor;
      slope += afterDays[index]! * amounts[index]! * factor / (1 + daily);
    }
    const increment = (present - principal) / slope;
    daily += increment;
    if (Math.abs(increment) < 1e-15) break;
  }
  return Math.round((Math.pow(1 + daily, 365) - 1) * 10_000) / 100;
}

function floatDecliningRate(principal: number, amounts: number[], fractions: number[]): number {
  let rate = 0.1;
  for (let step = 0; step < 50; step += 1) {
    let product = 1;
    let weight = 0;
    let present = 0;
    let slope = 0;
    for (let index = 0; index < amounts.length; index += 1) {
      const discount = 1 / (1 + rate * fractions[index]!);
      product *= discount;
      weight += fractions[index]! * discount;
      present += amounts[index]! * product;
      slope += amounts[index]! * product * weight;
    }
    const increment = (present - principal) / slope;
    rate += increment;
    if (Math.abs(increment) < 1e-13) break;
  }
  return Math.round(rate * 10_000) / 100;
}

// ---------------------------------------------------------------------------------------------------
// Timing

interface Timing {
  /** Per schedule, in CPU time of this process (user + system): what one core spends. */
  readonly microseconds: number;
  readonly perSecond: number;
  /** Per schedule, in wall-clock time: the same on an idle machine, more when other work shares the cores. */
  readonly wallMicroseconds: number;
}

let sink = 0; // consumed results, so no run can be optimised away

// Schedules per second are counted on CPU time: this machine may be shared, and wall-clock time would
// charge the engine for other processes' turns. (CPU time also counts V8's helper threads, such as
// concurrent garbage collection, so it errs against the engine, never for it.)
function time(label: string, run: (index: number) => number): Timing {
  const warmup = Math.min(5_000, count);
  for (let index = 0; index < warmup; index += 1) sink += run(index);
  const startCpu = process.cpuUsage();
  const start = process.hrtime.bigint();
  const reportEvery = Math.max(1, Math.floor(count / 20));
  for (let index = 0; index < count; index += 1) {
    sink += run(index);
    if (interactive && index % reportEvery === 0) {
      process.stdout.write(`\r  ${label.padEnd(58)} ${String(Math.round((100 * index) / count)).padStart(3)} %`);
    }
  }
  const wallNanoseconds = Number(process.hrtime.bigint() - start);
  const cpu = process.cpuUsage(startCpu);
  if (interactive) process.stdout.write(`\r${' '.repeat(70)}\r`);
  const microseconds = (cpu.user + cpu.system) / count;
  return { microseconds, perSecond: 1_000_000 / microseconds, wallMicroseconds: wallNanoseconds / 1_000 / count };
}

interface Row {
  readonly method: ScheduleMethod;
  readonly dayCount: DayCount;
  readonly exactPlan: Timing;
  readonly exactSchedule: Timing;
  readonly exactFull: Timing;
  readonly floatPlan: Timing;
  readonly floatFull: Timing;
  readonly ratesAlone: Timing;
  readonly largestDifference: number;
}

console.log(`Schedules: ${count.toLocaleString('en')} per measurement, ${installments} installments, VND, 9.6 %/year, half_up to the đồng.`);
console.log(`Node ${process.version} on ${cpus()[0]?.model ?? 'an unknown CPU'} (${cpus().length} cores); load average ${loadavg()[0]!.toFixed(2)} at the start.`);
console.log('Rates are schedules per second of CPU time on one core (see time() below); wall-clock µs are shown for the full schedule.');
console.log('');

const rows: Row[] = [];
for (const method of scheduleMethods) {
  for (const dayCount of dayCounts) {
    const terms = termsFor(method, dayCount);
    const inputs = terms.map(exactInput);
    // The twin computes the same schedule: compare the interest totals over all inputs (floats may differ
    // by a rounding at a near-tie; the exact engine is the reference).
    let largestDifference = 0;
    for (let index = 0; index < variety; index += 1) {
      const exact = Number(buildSchedule(inputs[index]!).totals.interest.toString());
      largestDifference = Math.max(largestDifference, Math.abs(exact - floatSchedule(terms[index]!, false).totals.interest));
    }
    const label = `${method} ${dayCount}`;
    const exactPlan = time(`${label}: exact plan`, (index) => planSchedule(inputs[index % variety]!).dueOn.length);
    const exactSchedule = time(`${label}: exact schedule`, (index) => buildScheduleWithoutRates(inputs[index % variety]!).installments.length);
    const exactFull = time(`${label}: exact full`, (index) => buildSchedule(inputs[index % variety]!).installments.length);
    const floatPlan = time(`${label}: float plan`, (index) => floatSchedule(terms[index % variety]!, false).installments.length);
    const floatFull = time(`${label}: float full`, (index) => floatSchedule(terms[index % variety]!, true).installments.length);
    const plans = inputs.map((input) => planSchedule(input));
    const ratesAlone = time(`${label}: solved rates alone`, (index) => {
      const plan = plans[index % variety]!;
      const afterDays = plan.dueOn.map((dueOn) => dueOn - plan.disbursedOn);
      const effective = effectiveAnnualRatePercentOf(plan.principal, afterDays, plan.totalDue);
      if (method !== 'flat') return effective.isZero() ? 0 : 1;
      return decliningAnnualRatePercent(plan.principal, plan.totalDue, plan.yearFractions).isZero() ? 0 : 1;
    });
    rows.push({ method, dayCount, exactPlan, exactSchedule, exactFull, floatPlan, floatFull, ratesAlone, largestDifference });
    if (!interactive) console.log(`  done: ${label}`);
  }
}

const format = (value: number): string => Math.round(value).toLocaleString('en').padStart(11);
const ratio = (exact: Timing, float: Timing): string => `${(exact.microseconds / float.microseconds).toFixed(1)}x`.padStart(7);

console.log('');
console.log('schedules per CPU-second, one core  exact plan  exact schedule       float  ratio   exact full  float full  ratio  µs full: cpu   wall  rates');
for (const row of rows) {
  console.log(
    `${`${row.method.replace('declining_', '')} ${row.dayCount}`.padEnd(34)}${format(row.exactPlan.perSecond)} ${format(row.exactSchedule.perSecond).padStart(15)} ` +
      `${format(row.floatPlan.perSecond)} ${ratio(row.exactSchedule, row.floatPlan)} ` +
      `${format(row.exactFull.perSecond)} ${format(row.floatFull.perSecond)} ${ratio(row.exactFull, row.floatFull)} ` +
      `${row.exactFull.microseconds.toFixed(1).padStart(12)} ${row.exactFull.wallMicroseconds.toFixed(1).padStart(6)} ${row.ratesAlone.microseconds.toFixed(1).padStart(6)}`,
  );
}
console.log('');
const annuity = rows.filter((row) => row.method === 'declining_equal_installment');
const slowest = (pick: (row: Row) => Timing): string => format(Math.min(...annuity.map((row) => pick(row).perSecond))).trim();
const worst = (pick: (row: Row) => number): string => Math.max(...rows.map(pick)).toFixed(1);
console.log(`Annuity, slowest day count: ${slowest((row) => row.exactPlan)}/s as a plan, ${slowest((row) => row.exactSchedule)}/s as a Decimal schedule, ${slowest((row) => row.exactFull)}/s with the solved rate read (target 40,000/s).`);
console.log(
  `Exactness costs at most ${worst((row) => row.exactSchedule.microseconds / row.floatPlan.microseconds)}x the float floor for the schedule, ` +
    `${worst((row) => row.exactFull.microseconds / row.floatFull.microseconds)}x with the solved rates (target 20x).`,
);
console.log(`The float twin's interest totals differ from the exact ones by at most ${Math.max(...rows.map((row) => row.largestDifference))} đồng over ${variety} inputs per row.`);
console.log(`Load average ${loadavg()[0]!.toFixed(2)} at the end.`);
const slowestFull = Math.min(...annuity.map((row) => row.exactFull.perSecond));
const exactnessCost = Math.max(...rows.map((row) => row.exactFull.microseconds / row.floatFull.microseconds));
reportFigures('schedules', [
  { figure: 'annuity schedules/s, slowest day count', value: format(slowestFull).trim(), target: '≥ 40,000/s', meets: slowestFull >= 40_000 },
  { figure: 'exact / float cost, worst', value: `${exactnessCost.toFixed(1)}x`, target: '≤ 20x', meets: exactnessCost <= 20 },
]);
if (sink === 0) console.log('(no schedules were made)');
