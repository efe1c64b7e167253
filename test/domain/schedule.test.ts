// Worked examples. Every table was computed independently of the engine (exact rational arithmetic on
// calendar dates, outside this code base) and the key figures are checked by hand in the comments.
import { PMT, XIRR } from '@formulajs/formulajs';
import { describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import { Decimal, formatMoney, type CurrencyCode, type RoundingModeName } from '../../src/domain/money.js';
import {
  buildSchedule,
  buildScheduleWithoutRates,
  planSchedule,
  scheduleInputProblems,
  ScheduleInputError,
  type Schedule,
  type ScheduleInput,
  type ScheduleMethod,
} from '../../src/domain/schedule.js';
import type { DayCount } from '../../src/domain/day-count.js';

type Row = [number, string, number, string, string, string, string];

const day = (text: string): number => {
  const parsed = parseIsoDate(text);
  if (parsed === null) throw new Error(`bad test date ${text}`);
  return parsed;
};

function rows(schedule: Schedule): Row[] {
  const money = (amount: Decimal): string => formatMoney(amount, schedule.currency);
  return schedule.installments.map((installment) => [
    installment.number,
    formatIsoDate(installment.dueOn),
    installment.days,
    money(installment.principal),
    money(installment.interest),
    money(installment.total),
    money(installment.balanceAfter),
  ]);
}

interface Terms {
  currency?: CurrencyCode;
  principal: string;
  annualRate?: string;
  monthlyRate?: string;
  method: ScheduleMethod;
  installments: number;
  disbursedOn: string;
  firstDueOn?: string;
  dayCount?: DayCount;
  every?: number;
  unit?: 'month' | 'week' | 'day';
  mode?: RoundingModeName;
  multiple?: string;
  graceOnPrincipal?: number;
  graceOnInterestPayment?: number;
}

function input(terms: Terms): ScheduleInput {
  return {
    currency: terms.currency ?? 'VND',
    principal: new Decimal(terms.principal),
    rate:
      terms.monthlyRate !== undefined
        ? { kind: 'monthly', monthlyRate: new Decimal(terms.monthlyRate), monthlyToAnnual: 'x12' }
        : { kind: 'annual', annualRate: new Decimal(terms.annualRate ?? '0') },
    method: terms.method,
    installmentCount: terms.installments,
    frequency: { every: terms.every ?? 1, unit: terms.unit ?? 'month' },
    dayCount: terms.dayCount ?? 'actual/365',
    disbursedOn: day(terms.disbursedOn),
    firstDueOn: terms.firstDueOn === undefined ? null : day(terms.firstDueOn),
    graceOnPrincipal: terms.graceOnPrincipal ?? 0,
    graceOnInterestPayment: terms.graceOnInterestPayment ?? 0,
    rounding: { mode: terms.mode ?? 'half_up', ...(terms.multiple === undefined ? {} : { installmentMultiple: new Decimal(terms.multiple) }) },
  };
}

const build = (terms: Terms): Schedule => buildSchedule(input(terms));

// 10,000,000 VND at 0.8 %/month, x12 = 9.6 %/year, 12 monthly installments from 10 January 2025.
const tenMillion = { principal: '10000000', monthlyRate: '0.8', installments: 12, disbursedOn: '2025-01-10' } as const;

describe('10,000,000 VND at 0.8 %/month (x12: 9.6 %/year) over 12 months, actual/365', () => {
  it('states the annual rate', () => {
    expect(build({ ...tenMillion, method: 'flat' }).annualRate.toString()).toBe('9.6');
  });

  it('equal principal', () => {
    // Principal part: 10,000,000 / 12 = 833,333.33 -> 833,333; the last takes 10,000,000 - 11 x 833,333 = 833,337.
    // Interest 1: 10,000,000 x 9.6 % x 31 / 365 = 29,760,000 / 365 = 81,534.246... -> 81,534.
    // Interest 2: 9,166,667 x 0.096 x 28 / 365 = 24,640,000.9 / 365 = 67,506.85... -> 67,507 (February 2025: 28 days).
    // Interest 12: 833,337 x 0.096 x 31 / 365 = 2,480,010.9 / 365 = 6,794.55... -> 6,795.
    const schedule = build({ ...tenMillion, method: 'declining_equal_principal' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '833333', '81534', '914867', '9166667'],
      [2, '2025-03-10', 28, '833333', '67507', '900840', '8333334'],
      [3, '2025-04-10', 31, '833333', '67945', '901278', '7500001'],
      [4, '2025-05-10', 30, '833333', '59178', '892511', '6666668'],
      [5, '2025-06-10', 31, '833333', '54356', '887689', '5833335'],
      [6, '2025-07-10', 30, '833333', '46027', '879360', '5000002'],
      [7, '2025-08-10', 31, '833333', '40767', '874100', '4166669'],
      [8, '2025-09-10', 31, '833333', '33973', '867306', '3333336'],
      [9, '2025-10-10', 30, '833333', '26301', '859634', '2500003'],
      [10, '2025-11-10', 31, '833333', '20384', '853717', '1666670'],
      [11, '2025-12-10', 30, '833333', '13151', '846484', '833337'],
      [12, '2026-01-10', 31, '833337', '6795', '840132', '0'],
    ]);
    expect(schedule.totals.principal.toString()).toBe('10000000');
    expect(schedule.totals.interest.toString()).toBe('517918');
    expect(schedule.totals.total.toString()).toBe('10517918');
    expect(schedule.equivalentDecliningAnnualRate).toBeUndefined();
  });

  it('equal installment (annuity) over the actual month lengths', () => {
    // The generalized annuity: 10,000,000 / sum_k prod_{j<=k} 1 / (1 + 0.096 x days_j / 365) = 877,116.69
    // (the textbook PMT at 0.8 %/month would be 877,299.60: a 365-day year makes the average month
    // 30.42 days, a little cheaper than 1/12 of a year). Rounded: 877,117.
    // Row 1: interest 81,534 (as above), principal 877,117 - 81,534 = 795,583.
    // Row 12 takes the remaining 870,020: interest 870,020 x 0.096 x 31 / 365 = 7,093.77 -> 7,094, total 877,114,
    // 3 below the level; one đồng more (877,118) would leave it 12 x 1 further below, so 877,117 stays.
    const schedule = build({ ...tenMillion, method: 'declining_equal_installment' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '795583', '81534', '877117', '9204417'],
      [2, '2025-03-10', 28, '809332', '67785', '877117', '8395085'],
      [3, '2025-04-10', 31, '808668', '68449', '877117', '7586417'],
      [4, '2025-05-10', 30, '817257', '59860', '877117', '6769160'],
      [5, '2025-06-10', 31, '821925', '55192', '877117', '5947235'],
      [6, '2025-07-10', 30, '830191', '46926', '877117', '5117044'],
      [7, '2025-08-10', 31, '835396', '41721', '877117', '4281648'],
      [8, '2025-09-10', 31, '842207', '34910', '877117', '3439441'],
      [9, '2025-10-10', 30, '849978', '27139', '877117', '2589463'],
      [10, '2025-11-10', 31, '856004', '21113', '877117', '1733459'],
      [11, '2025-12-10', 30, '863439', '13678', '877117', '870020'],
      [12, '2026-01-10', 31, '870020', '7094', '877114', '0'],
    ]);
    expect(schedule.totals.interest.toString()).toBe('525401');
    // Effective annual rate: (1 + 0.8 %)^12 - 1 = 10.03 %, the compounding of 9.6 % monthly.
    expect(schedule.effectiveAnnualRate.toString()).toBe('10.03');
  });

  it('flat', () => {
    // Interest on the original 10,000,000 every period: 81,534 for 31 days, 73,644 for 28 (26,880,000 / 365 =
    // 73,643.8), 78,904 for 30 (28,800,000 / 365 = 78,904.1). Seven 31-day months, four 30-day, one 28-day:
    // 7 x 81,534 + 4 x 78,904 + 73,644 = 959,998 (1 year of 9.6 % less 2 đồng of rounding).
    // Level: (10,000,000 + 959,998) / 12 = 913,333.17 -> 913,333; the last takes principal 831,801.
    const schedule = build({ ...tenMillion, method: 'flat' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '831799', '81534', '913333', '9168201'],
      [2, '2025-03-10', 28, '839689', '73644', '913333', '8328512'],
      [3, '2025-04-10', 31, '831799', '81534', '913333', '7496713'],
      [4, '2025-05-10', 30, '834429', '78904', '913333', '6662284'],
      [5, '2025-06-10', 31, '831799', '81534', '913333', '5830485'],
      [6, '2025-07-10', 30, '834429', '78904', '913333', '4996056'],
      [7, '2025-08-10', 31, '831799', '81534', '913333', '4164257'],
      [8, '2025-09-10', 31, '831799', '81534', '913333', '3332458'],
      [9, '2025-10-10', 30, '834429', '78904', '913333', '2498029'],
      [10, '2025-11-10', 31, '831799', '81534', '913333', '1666230'],
      [11, '2025-12-10', 30, '834429', '78904', '913333', '831801'],
      [12, '2026-01-10', 31, '831801', '81534', '913335', '0'],
    ]);
    expect(schedule.totals.interest.toString()).toBe('959998');
    // A flat 9.6 % costs about what a declining 17.3 % does (the usual rule of thumb: a bit under double).
    expect(schedule.equivalentDecliningAnnualRate?.toString()).toBe('17.34');
    expect(schedule.effectiveAnnualRate.toString()).toBe('18.79');
  });
});

describe('10,000,000 VND at 0.8 %/month over 12 months, 30/360', () => {
  it('equal principal: every month is 1/12 of the year', () => {
    // Interest k = balance x 0.096 / 12 = balance x 0.8 %: 80,000; 9,166,667 x 0.008 = 73,333.336 -> 73,333;
    // 8,333,334 x 0.008 = 66,666.672 -> 66,667; ... 833,337 x 0.008 = 6,666.696 -> 6,667.
    const schedule = build({ ...tenMillion, method: 'declining_equal_principal', dayCount: '30/360' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '833333', '80000', '913333', '9166667'],
      [2, '2025-03-10', 28, '833333', '73333', '906666', '8333334'],
      [3, '2025-04-10', 31, '833333', '66667', '900000', '7500001'],
      [4, '2025-05-10', 30, '833333', '60000', '893333', '6666668'],
      [5, '2025-06-10', 31, '833333', '53333', '886666', '5833335'],
      [6, '2025-07-10', 30, '833333', '46667', '880000', '5000002'],
      [7, '2025-08-10', 31, '833333', '40000', '873333', '4166669'],
      [8, '2025-09-10', 31, '833333', '33333', '866666', '3333336'],
      [9, '2025-10-10', 30, '833333', '26667', '860000', '2500003'],
      [10, '2025-11-10', 31, '833333', '20000', '853333', '1666670'],
      [11, '2025-12-10', 30, '833333', '13333', '846666', '833337'],
      [12, '2026-01-10', 31, '833337', '6667', '840004', '0'],
    ]);
    expect(schedule.totals.interest.toString()).toBe('520000');
  });

  it('equal installment: the textbook PMT', () => {
    // PMT = 10,000,000 x 0.008 / (1 - 1.008^-12); 1.008^12 = 1.100338694..., so 80,000 / 0.091188559... =
    // 877,299.596 -> 877,300. Row 1: interest 80,000, principal 797,300.
    const schedule = build({ ...tenMillion, method: 'declining_equal_installment', dayCount: '30/360' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '797300', '80000', '877300', '9202700'],
      [2, '2025-03-10', 28, '803678', '73622', '877300', '8399022'],
      [3, '2025-04-10', 31, '810108', '67192', '877300', '7588914'],
      [4, '2025-05-10', 30, '816589', '60711', '877300', '6772325'],
      [5, '2025-06-10', 31, '823121', '54179', '877300', '5949204'],
      [6, '2025-07-10', 30, '829706', '47594', '877300', '5119498'],
      [7, '2025-08-10', 31, '836344', '40956', '877300', '4283154'],
      [8, '2025-09-10', 31, '843035', '34265', '877300', '3440119'],
      [9, '2025-10-10', 30, '849779', '27521', '877300', '2590340'],
      [10, '2025-11-10', 31, '856577', '20723', '877300', '1733763'],
      [11, '2025-12-10', 30, '863430', '13870', '877300', '870333'],
      [12, '2026-01-10', 31, '870333', '6963', '877296', '0'],
    ]);
  });

  it('flat: 80,000 of interest every month, 960,000 in all', () => {
    // Level (10,000,000 + 960,000) / 12 = 913,333.33 -> 913,333, principal 833,333; the last takes 833,337 + 80,000
    // = 913,337, 4 above. One more (913,334) would leave the last at 913,326, 8 below: 913,333 stays.
    const schedule = build({ ...tenMillion, method: 'flat', dayCount: '30/360' });
    const expected: Row[] = [];
    const dueDates = ['2025-02-10', '2025-03-10', '2025-04-10', '2025-05-10', '2025-06-10', '2025-07-10', '2025-08-10', '2025-09-10', '2025-10-10', '2025-11-10', '2025-12-10', '2026-01-10'];
    const days = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    for (let index = 0; index < 11; index += 1) {
      expected.push([index + 1, dueDates[index]!, days[index]!, '833333', '80000', '913333', String(10_000_000 - 833_333 * (index + 1))]);
    }
    expected.push([12, '2026-01-10', 31, '833337', '80000', '913337', '0']);
    expect(rows(schedule)).toEqual(expected);
    expect(schedule.totals.interest.toString()).toBe('960000');
  });
});

describe('3,000,000 VND at 12 %/year over 6 months, installments in thousands of đồng', () => {
  const terms = { principal: '3000000', annualRate: '12', installments: 6, disbursedOn: '2025-03-05', multiple: '1000' } as const;

  it('equal principal: 500,000 a month, already a multiple of 1000', () => {
    // Interest 1: 3,000,000 x 0.12 x 31 / 365 = 11,160,000 / 365 = 30,575.3 -> 30,575.
    expect(rows(build({ ...terms, method: 'declining_equal_principal' }))).toEqual<Row[]>([
      [1, '2025-04-05', 31, '500000', '30575', '530575', '2500000'],
      [2, '2025-05-05', 30, '500000', '24658', '524658', '2000000'],
      [3, '2025-06-05', 31, '500000', '20384', '520384', '1500000'],
      [4, '2025-07-05', 30, '500000', '14795', '514795', '1000000'],
      [5, '2025-08-05', 31, '500000', '10192', '510192', '500000'],
      [6, '2025-09-05', 31, '500000', '5096', '505096', '0'],
    ]);
  });

  it('annuity: 517,763.54 rounds to 518,000, and the last installment absorbs the difference', () => {
    // 5 installments paid 236.46 more than the exact level, so the last is about 5 x 236 + interest savings
    // = 1,455 lighter: 516,545. 517,000 would make the last about 4,600 heavier: 518,000 stays.
    expect(rows(build({ ...terms, method: 'declining_equal_installment' }))).toEqual<Row[]>([
      [1, '2025-04-05', 31, '487425', '30575', '518000', '2512575'],
      [2, '2025-05-05', 30, '493218', '24782', '518000', '2019357'],
      [3, '2025-06-05', 31, '497419', '20581', '518000', '1521938'],
      [4, '2025-07-05', 30, '502989', '15011', '518000', '1018949'],
      [5, '2025-08-05', 31, '507615', '10385', '518000', '511334'],
      [6, '2025-09-05', 31, '511334', '5211', '516545', '0'],
    ]);
  });

  it('flat: the last installment keeps both totals exact', () => {
    // Interest 30,575 (31 days) or 29,589 (30 days: 10,800,000 / 365 = 29,589.04); 4 x 30,575 + 2 x 29,589 = 181,478.
    // Level (3,000,000 + 181,478) / 6 = 530,246.33 -> 530,000 to the thousand.
    const schedule = build({ ...terms, method: 'flat' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-04-05', 31, '499425', '30575', '530000', '2500575'],
      [2, '2025-05-05', 30, '500411', '29589', '530000', '2000164'],
      [3, '2025-06-05', 31, '499425', '30575', '530000', '1500739'],
      [4, '2025-07-05', 30, '500411', '29589', '530000', '1000328'],
      [5, '2025-08-05', 31, '499425', '30575', '530000', '500903'],
      [6, '2025-09-05', 31, '500903', '30575', '531478', '0'],
    ]);
    expect(schedule.totals.interest.toString()).toBe('181478');
    expect(schedule.totals.total.toString()).toBe('3181478');
  });
});

describe('calendar edge cases', () => {
  it('a disbursement on the 31st keeps the anchor day: 29 Feb, 31 Mar, 30 Apr, 31 May 2024', () => {
    // 5,000,000 at 12 %: interest 1 = 5,000,000 x 0.12 x 29 / 365 = 17,400,000 / 365 = 47,671.2 -> 47,671.
    expect(rows(build({ principal: '5000000', annualRate: '12', method: 'declining_equal_installment', installments: 4, disbursedOn: '2024-01-31' }))).toEqual<Row[]>([
      [1, '2024-02-29', 29, '1233299', '47671', '1280970', '3766701'],
      [2, '2024-03-31', 31, '1242581', '38389', '1280970', '2524120'],
      [3, '2024-04-30', 30, '1256075', '24895', '1280970', '1268045'],
      [4, '2024-05-31', 31, '1268045', '12924', '1280969', '0'],
    ]);
  });

  it('a period across 29 February 2024 and a year end: actual/365 against actual/actual', () => {
    const terms = { principal: '12000000', annualRate: '12', method: 'declining_equal_principal', installments: 3, disbursedOn: '2023-12-15' } as const;
    // Period 1, 15 Dec 2023 > 15 Jan 2024, 31 days: actual/365 gives 1,440,000 x 31 / 365 = 122,301.4 -> 122,301;
    // actual/actual gives 1,440,000 x (16 / 365 + 15 / 366) = 63,120.0 + 59,016.4 = 122,139.75... -> 122,140.
    // Period 3, 15 Feb > 15 Mar 2024, 29 days with 29 February: 480,000 x 29 / 365 = 38,137.0 -> 38,137 against
    // 480,000 x 29 / 366 = 38,032.8 -> 38,033. Circular 14/2017 keeps 365 in a leap year.
    expect(rows(build({ ...terms, dayCount: 'actual/365' }))).toEqual<Row[]>([
      [1, '2024-01-15', 31, '4000000', '122301', '4122301', '8000000'],
      [2, '2024-02-15', 31, '4000000', '81534', '4081534', '4000000'],
      [3, '2024-03-15', 29, '4000000', '38137', '4038137', '0'],
    ]);
    expect(rows(build({ ...terms, dayCount: 'actual/actual' }))).toEqual<Row[]>([
      [1, '2024-01-15', 31, '4000000', '122140', '4122140', '8000000'],
      [2, '2024-02-15', 31, '4000000', '81311', '4081311', '4000000'],
      [3, '2024-03-15', 29, '4000000', '38033', '4038033', '0'],
    ]);
  });

  it('a broken first period carries interest for its actual days; later dates follow from it', () => {
    // 10 Jan > 25 Feb 2025 is 46 days: 10,000,000 x 0.096 x 46 / 365 = 120,986.3 -> 120,986.
    // Under 30/360 the broken period is measured 30E/360: 30 + 15 = 45 days, 10,000,000 x 0.096 x 45 / 360 = 120,000.
    const terms = { principal: '10000000', annualRate: '9.6', method: 'declining_equal_installment', installments: 4, disbursedOn: '2025-01-10', firstDueOn: '2025-02-25' } as const;
    expect(rows(build(terms))).toEqual<Row[]>([
      [1, '2025-02-25', 46, '2438501', '120986', '2559487', '7561499'],
      [2, '2025-03-25', 28, '2503801', '55686', '2559487', '5057698'],
      [3, '2025-04-25', 31, '2518249', '41238', '2559487', '2539449'],
      [4, '2025-05-25', 30, '2539449', '20037', '2559486', '0'],
    ]);
    expect(rows(build({ ...terms, dayCount: '30/360' }))).toEqual<Row[]>([
      [1, '2025-02-25', 46, '2440319', '120000', '2560319', '7559681'],
      [2, '2025-03-25', 28, '2499842', '60477', '2560319', '5059839'],
      [3, '2025-04-25', 31, '2519840', '40479', '2560319', '2539999'],
      [4, '2025-05-25', 30, '2539999', '20320', '2560319', '0'],
    ]);
  });

  it('a first due date exactly one period out is a regular period (30/360 still counts 1/12)', () => {
    const regular = build({ ...tenMillion, method: 'declining_equal_installment', dayCount: '30/360' });
    const withFirstDue = build({ ...tenMillion, method: 'declining_equal_installment', dayCount: '30/360', firstDueOn: '2025-02-10' });
    expect(rows(withFirstDue)).toEqual(rows(regular));
    // From the 31st, giving the regular first date (29 Feb) changes nothing: the dates stay on month-ends.
    const monthEnds = { principal: '5000000', annualRate: '12', method: 'declining_equal_installment', installments: 4, disbursedOn: '2024-01-31' } as const;
    expect(rows(build({ ...monthEnds, firstDueOn: '2024-02-29' }))).toEqual(rows(build(monthEnds)));
  });

  it('fortnightly installments count their 14 days', () => {
    // 2,000,000 at 18 %: interest 1 = 2,000,000 x 0.18 x 14 / 365 = 5,040,000 / 365 = 13,808.2 -> 13,808.
    expect(rows(build({ principal: '2000000', annualRate: '18', method: 'declining_equal_principal', installments: 6, disbursedOn: '2025-01-10', every: 2, unit: 'week' }))).toEqual<Row[]>([
      [1, '2025-01-24', 14, '333333', '13808', '347141', '1666667'],
      [2, '2025-02-07', 14, '333333', '11507', '344840', '1333334'],
      [3, '2025-02-21', 14, '333333', '9205', '342538', '1000001'],
      [4, '2025-03-07', 14, '333333', '6904', '340237', '666668'],
      [5, '2025-03-21', 14, '333333', '4603', '337936', '333335'],
      [6, '2025-04-04', 14, '333335', '2301', '335636', '0'],
    ]);
  });

  it('every 15 days and every 2 months step from the anchor', () => {
    const fifteenDays = build({ principal: '1000000', annualRate: '12', method: 'flat', installments: 3, disbursedOn: '2025-01-31', every: 15, unit: 'day' });
    expect(fifteenDays.installments.map((installment) => formatIsoDate(installment.dueOn))).toEqual(['2025-02-15', '2025-03-02', '2025-03-17']);
    const twoMonths = build({ principal: '1000000', annualRate: '12', method: 'flat', installments: 3, disbursedOn: '2024-12-31', every: 2, unit: 'month', dayCount: '30/360' });
    expect(twoMonths.installments.map((installment) => formatIsoDate(installment.dueOn))).toEqual(['2025-02-28', '2025-04-30', '2025-06-30']);
    // 30/360, two months: 1,000,000 x 12 % x 2/12 = 20,000 a period.
    expect(twoMonths.installments.map((installment) => installment.interest.toString())).toEqual(['20000', '20000', '20000']);
  });
});

describe('zero rate', () => {
  it.each(['declining_equal_principal', 'declining_equal_installment', 'flat'] as const)('%s splits the principal and charges nothing', (method) => {
    // 1,000,000 / 3 = 333,333.33 -> 333,333; the last takes 333,334 (closer than 333,334 x 2 leaving 333,332).
    const schedule = build({ principal: '1000000', annualRate: '0', method, installments: 3, disbursedOn: '2025-01-10' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '333333', '0', '333333', '666667'],
      [2, '2025-03-10', 28, '333333', '0', '333333', '333334'],
      [3, '2025-04-10', 31, '333334', '0', '333334', '0'],
    ]);
    expect(schedule.effectiveAnnualRate.toString()).toBe('0');
    if (method === 'flat') expect(schedule.equivalentDecliningAnnualRate?.toString()).toBe('0');
  });
});

describe('USD with cents', () => {
  it('annuity at 1 %/month, 30/360, half_even: PMT 88.8487... -> 88.85', () => {
    // 1,000.00 x 0.01 / (1 - 1.01^-12) = 88.848788...; interest 1 = 10.00; the last takes 87.96 + 0.88 = 88.84.
    const schedule = build({ currency: 'USD', principal: '1000.00', annualRate: '12', method: 'declining_equal_installment', installments: 12, disbursedOn: '2025-01-10', dayCount: '30/360', mode: 'half_even' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '78.85', '10.00', '88.85', '921.15'],
      [2, '2025-03-10', 28, '79.64', '9.21', '88.85', '841.51'],
      [3, '2025-04-10', 31, '80.43', '8.42', '88.85', '761.08'],
      [4, '2025-05-10', 30, '81.24', '7.61', '88.85', '679.84'],
      [5, '2025-06-10', 31, '82.05', '6.80', '88.85', '597.79'],
      [6, '2025-07-10', 30, '82.87', '5.98', '88.85', '514.92'],
      [7, '2025-08-10', 31, '83.70', '5.15', '88.85', '431.22'],
      [8, '2025-09-10', 31, '84.54', '4.31', '88.85', '346.68'],
      [9, '2025-10-10', 30, '85.38', '3.47', '88.85', '261.30'],
      [10, '2025-11-10', 31, '86.24', '2.61', '88.85', '175.06'],
      [11, '2025-12-10', 30, '87.10', '1.75', '88.85', '87.96'],
      [12, '2026-01-10', 31, '87.96', '0.88', '88.84', '0.00'],
    ]);
    expect(formatMoney(schedule.totals.interest, 'USD')).toBe('66.19');
  });

  it('an exact tie of half a cent goes to the even cent under half_even and up under half_up', () => {
    // 1,234.50 x 12 % / 12 = 12.345 exactly.
    const terms = { currency: 'USD', principal: '1234.50', annualRate: '12', method: 'declining_equal_principal', installments: 2, disbursedOn: '2025-01-10', dayCount: '30/360' } as const;
    expect(rows(build({ ...terms, mode: 'half_even' }))).toEqual<Row[]>([
      [1, '2025-02-10', 31, '617.25', '12.34', '629.59', '617.25'],
      [2, '2025-03-10', 28, '617.25', '6.17', '623.42', '0.00'],
    ]);
    expect(rows(build({ ...terms, mode: 'half_up' }))).toEqual<Row[]>([
      [1, '2025-02-10', 31, '617.25', '12.35', '629.60', '617.25'],
      [2, '2025-03-10', 28, '617.25', '6.17', '623.42', '0.00'],
    ]);
  });

  it('multiplies before dividing: 2,300.35 x 10 % x 365 / 365 = 230.035 exactly, rounded half-up to 230.04', () => {
    // Dividing first (10 % / 365 = 0.000273972602...) would give 230.0349999... and round to 230.03.
    const schedule = build({ currency: 'USD', principal: '2300.35', annualRate: '10', method: 'declining_equal_principal', installments: 1, disbursedOn: '2025-01-01', every: 12 });
    expect(rows(schedule)).toEqual<Row[]>([[1, '2026-01-01', 365, '2300.35', '230.04', '2530.39', '0.00']]);
    const down = build({ currency: 'USD', principal: '2300.35', annualRate: '10', method: 'declining_equal_principal', installments: 1, disbursedOn: '2025-01-01', every: 12, mode: 'down' });
    expect(formatMoney(down.installments[0]!.interest, 'USD')).toBe('230.03');
  });
});

describe('grace', () => {
  it('grace on principal pays interest only; grace on interest payment defers it to the first installment after', () => {
    // 6,000,000 at 12 %, 2 installments of principal grace, 1 of interest grace, thousands.
    // Interest 1 (31 days): 720,000 x 31 / 365 = 61,150.7 -> 61,151, deferred.
    // Interest 2 (28 days): 720,000 x 28 / 365 = 55,232.9 -> 55,233; due with it: 55,233 + 61,151 = 116,384.
    // Then an annuity over 4 periods on 6,000,000: 1,537,916.04 -> 1,538,000.
    const schedule = build({ principal: '6000000', annualRate: '12', method: 'declining_equal_installment', installments: 6, disbursedOn: '2025-01-10', graceOnPrincipal: 2, graceOnInterestPayment: 1, multiple: '1000' });
    expect(rows(schedule)).toEqual<Row[]>([
      [1, '2025-02-10', 31, '0', '0', '0', '6000000'],
      [2, '2025-03-10', 28, '0', '116384', '116384', '6000000'],
      [3, '2025-04-10', 31, '1476849', '61151', '1538000', '4523151'],
      [4, '2025-05-10', 30, '1493388', '44612', '1538000', '3029763'],
      [5, '2025-06-10', 31, '1507121', '30879', '1538000', '1522642'],
      [6, '2025-07-10', 30, '1522642', '15018', '1537660', '0'],
    ]);
    const plan = planSchedule(input({ principal: '6000000', annualRate: '12', method: 'declining_equal_installment', installments: 6, disbursedOn: '2025-01-10', graceOnPrincipal: 2, graceOnInterestPayment: 1, multiple: '1000' }));
    expect(plan.interestAccrued.slice(0, 2)).toEqual([61151n, 55233n]);
    expect(schedule.totals.interest.toString()).toBe('268044');
  });

  it('equal principal with grace spreads the principal over the remaining installments', () => {
    const schedule = build({ principal: '3000000', annualRate: '12', method: 'declining_equal_principal', installments: 5, disbursedOn: '2025-03-05', graceOnPrincipal: 2, dayCount: '30/360' });
    // 3,000,000 x 1 % = 30,000 interest in each grace month; then 1,000,000 a month.
    expect(rows(schedule).map((row) => [row[3], row[4]])).toEqual([
      ['0', '30000'],
      ['0', '30000'],
      ['1000000', '30000'],
      ['1000000', '20000'],
      ['1000000', '10000'],
    ]);
  });
});

describe('the annuity under 30/360 is the spreadsheet PMT', () => {
  // PMT returns a float; round it half-up to the multiple the same way. The cases avoid amounts within a
  // millionth of a tie, where the float could land on the wrong side.
  const cases: [string, string, number, string][] = [
    ['10000000', '9.6', 12, '1'],
    ['10000000', '9.6', 12, '1000'],
    ['3000000', '12', 6, '1000'],
    ['50000000', '7.2', 36, '1000'],
    ['125000000', '10.5', 60, '1'],
    ['1000000', '60', 24, '100'],
    ['99999999', '18.25', 120, '1000'],
    ['7000000', '0.5', 18, '1'],
  ];
  it.each(cases)('%s VND at %s %% over %i months, multiple %s', (principal, annualRate, installments, multiple) => {
    const schedule = build({ principal, annualRate, method: 'declining_equal_installment', installments, disbursedOn: '2025-01-10', dayCount: '30/360', multiple });
    const payment = PMT(Number(annualRate) / 1200, installments, -Number(principal));
    if (typeof payment !== 'number') throw payment;
    const quotient = payment / Number(multiple);
    expect(Math.abs(quotient - Math.floor(quotient) - 0.5)).toBeGreaterThan(1e-6);
    const expected = Math.floor(quotient + 0.5) * Number(multiple);
    expect(schedule.installments[0]!.total.toString()).toBe(String(expected));
  });
});

describe('effective annual rate is XIRR on actual days', () => {
  it.each([
    ['declining_equal_installment', '9.6', 'actual/365'],
    ['declining_equal_principal', '18', '30/360'],
    ['flat', '9.6', 'actual/365'],
    ['flat', '24', 'actual/actual'],
  ] as const)('%s at %s %% (%s) matches the spreadsheet XIRR to 0.01 %%', (method, annualRate, dayCount) => {
    const schedule = build({ principal: '10000000', annualRate, method, installments: 12, disbursedOn: '2024-01-10', dayCount });
    // Spreadsheet dates are days since 1899-12-30; only the differences matter.
    const excelDay = (dayNumber: number): number => dayNumber + 25569;
    const values = [-10_000_000, ...schedule.installments.map((installment) => Number(installment.total.toString()))];
    const dates = [excelDay(day('2024-01-10')), ...schedule.installments.map((installment) => excelDay(installment.dueOn))];
    const xirr = XIRR(values, dates) as number;
    expect(Math.abs(Number(schedule.effectiveAnnualRate.toString()) - xirr * 100)).toBeLessThanOrEqual(0.005 + 1e-9);
  });
});

describe('wrong input is refused', () => {
  const valid = input({ ...tenMillion, method: 'declining_equal_installment' });

  it('accepts the valid input', () => {
    expect(scheduleInputProblems(valid)).toEqual([]);
  });

  it.each<[string, Partial<ScheduleInput>, string, string]>([
    ['zero principal', { principal: new Decimal(0) }, 'principal', 'principal_not_positive'],
    ['negative principal', { principal: new Decimal(-5) }, 'principal', 'principal_not_positive'],
    ['a fraction of a đồng', { principal: new Decimal('1000.5') }, 'principal', 'principal_too_many_decimals'],
    ['a principal beyond reason', { principal: new Decimal('1e15') }, 'principal', 'principal_too_large'],
    ['a negative rate', { rate: { kind: 'annual', annualRate: new Decimal('-1') } }, 'rate', 'rate_negative'],
    ['a rate above 100 %/year', { rate: { kind: 'annual', annualRate: new Decimal('100.01') } }, 'rate', 'rate_above_maximum'],
    ['a monthly rate above 100 %/year', { rate: { kind: 'monthly', monthlyRate: new Decimal('8.34'), monthlyToAnnual: 'x12' } }, 'rate', 'rate_above_maximum'],
    ['no installments', { installmentCount: 0 }, 'installmentCount', 'installment_count_out_of_range'],
    ['601 installments', { installmentCount: 601 }, 'installmentCount', 'installment_count_out_of_range'],
    ['a fractional installment count', { installmentCount: 2.5 }, 'installmentCount', 'installment_count_out_of_range'],
    ['first due on disbursement', { firstDueOn: day('2025-01-10') }, 'firstDueOn', 'first_due_not_after_disbursement'],
    ['first due before disbursement', { firstDueOn: day('2025-01-09') }, 'firstDueOn', 'first_due_not_after_disbursement'],
    ['grace as long as the term', { graceOnPrincipal: 12 }, 'graceOnPrincipal', 'grace_not_shorter_than_term'],
    ['interest grace as long as the term', { graceOnInterestPayment: 12 }, 'graceOnInterestPayment', 'grace_not_shorter_than_term'],
    ['negative grace', { graceOnPrincipal: -1 }, 'graceOnPrincipal', 'grace_out_of_range'],
    ['an unknown currency', { currency: 'XYZ' as CurrencyCode }, 'currency', 'unknown_currency'],
    ['an unknown method', { method: 'balloon' as ScheduleMethod }, 'method', 'unknown_method'],
    ['13 months', { frequency: { every: 13, unit: 'month' } }, 'frequency', 'frequency_out_of_range'],
    ['a multiple finer than a đồng', { rounding: { mode: 'half_up', installmentMultiple: new Decimal('0.5') } }, 'rounding', 'installment_multiple_finer_than_minor_unit'],
    ['a zero multiple', { rounding: { mode: 'half_up', installmentMultiple: new Decimal('0') } }, 'rounding', 'installment_multiple_not_positive'],
  ])('%s', (_name, change, field, code) => {
    const wrong = { ...valid, ...change };
    expect(scheduleInputProblems(wrong)).toEqual([expect.objectContaining({ field, code })]);
    expect(() => buildSchedule(wrong)).toThrow(ScheduleInputError);
  });

  it('accepts exactly 100 %/year, 600 installments and a zero rate', () => {
    expect(scheduleInputProblems({ ...valid, rate: { kind: 'annual', annualRate: new Decimal('100') } })).toEqual([]);
    expect(scheduleInputProblems({ ...valid, installmentCount: 600 })).toEqual([]);
    expect(scheduleInputProblems({ ...valid, rate: { kind: 'annual', annualRate: new Decimal('0') } })).toEqual([]);
  });

  it('converts a monthly rate x365/30 exactly and shows it to 10 places', () => {
    // 0.8 %/month x 365 / 30 = 9.7333... %/year; interest 1 = 10,000,000 x 0.8 % x 31 / 30 = 82,666.67 -> 82,667.
    const schedule = buildSchedule({ ...valid, method: 'declining_equal_principal', rate: { kind: 'monthly', monthlyRate: new Decimal('0.8'), monthlyToAnnual: 'x365/30' } });
    expect(schedule.annualRate.toString()).toBe('9.7333333333');
    expect(schedule.installments[0]!.interest.toString()).toBe('82667');
  });
});

describe('the three views of one schedule', () => {
  it('agree: the plan in minor units, the Decimal schedule without rates, and the full schedule', () => {
    const terms = input({ ...tenMillion, method: 'flat', dayCount: 'actual/actual' });
    const full = buildSchedule(terms);
    const withoutRates = buildScheduleWithoutRates(terms);
    const plan = planSchedule(terms);
    expect(rows({ ...withoutRates, effectiveAnnualRate: new Decimal(0) })).toEqual(rows(full));
    expect(withoutRates.totals).toEqual(full.totals);
    expect(withoutRates.annualRate.toString()).toBe(full.annualRate.toString());
    expect(Object.keys(withoutRates).sort()).toEqual(['annualRate', 'currency', 'installments', 'totals']);
    expect(plan.totalDue.map(String)).toEqual(full.installments.map((installment) => installment.total.toString()));
    expect(plan.principalDue.reduce((sum, part) => sum + part, 0n)).toBe(plan.principal);
    expect(plan.level).toBe(913333n);
  });
});

