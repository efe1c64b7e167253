// The reads of every loan's segment on a day take it from three ranges of the as-of indexes (ending within two months,
// longer bounded ones, open-ended ones): held to the plain condition on a fund with monthly, quarterly and closed
// loans, on days across their lives and on each segment's edges.
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatIsoDate, parseIsoDate } from '../../src/domain/calendar.js';
import { segmentsContaining } from '../../src/modules/reports/classification.repo.js';
import { buildSmallFund, disbursedLoan } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;

beforeAll(async () => {
  test = await buildTestApp();
  const fund = await buildSmallFund(test, 3);
  const monthly = await disbursedLoan(fund);
  for (const line of monthly.loan.schedule.slice(0, 3)) {
    const paid = await fund.officer('POST', `/v1/loans/${monthly.loanId}/repayments`, { amount: line.totalDue, paidOn: line.dueOn });
    expect(paid.statusCode, paid.body).toBe(201);
  }
  // Quarterly installments: segments of about ninety days, longer than the as-of index's two-month range.
  await disbursedLoan(fund, { memberIndex: 1, principal: '6000000', installments: 4, disbursedOn: '2025-02-10', product: { frequency: { every: 3, unit: 'month' } } });
  // Repaid in full: closed, its last segment open-ended from the day it closed.
  const short = await disbursedLoan(fund, { memberIndex: 2, principal: '3000000', installments: 3, disbursedOn: '2025-01-20' });
  for (const line of short.loan.schedule) {
    const paid = await fund.officer('POST', `/v1/loans/${short.loanId}/repayments`, { amount: line.totalDue, paidOn: line.dueOn });
    expect(paid.statusCode, paid.body).toBe(201);
  }
});
afterAll(async () => test.close());

const columns = ['loan_id', 'from_day', 'to_day', 'principal_outstanding', 'overdue_principal', 'oldest_unpaid_due_day', 'closed', 'principal_fallen_due'];
const selected = sql.raw(columns.map((column) => `t.${column}`).join(', '));
const ordered = (rows: Record<string, unknown>[]) => rows.map((row) => columns.map((column) => row[column])).sort((a, b) => `${a[0]} ${a[1]}`.localeCompare(`${b[0]} ${b[1]}`));

describe('the segments containing a day', () => {
  it('are the plain read’s, from three ranges, on every week of the loans’ lives and on every segment’s edges', () => {
    const db = test.context.db;
    const long = db.get<{ count: number }>(sql`SELECT count(*) AS count FROM loan_timeline_segments WHERE to_day - from_day > 62 AND to_day < 99999999`);
    expect(long?.count).toBeGreaterThan(0);
    // Every week, and the first and last days of every segment and the day after it.
    const first = parseIsoDate('2025-01-06') as number;
    const days = new Set(Array.from({ length: 80 }, (_, week) => first + 7 * week));
    for (const segment of db.all<{ fromDay: number; toDay: number }>(sql`SELECT from_day AS fromDay, to_day AS toDay FROM loan_timeline_segments`)) {
      days.add(segment.fromDay);
      if (segment.toDay < 99_999_999) for (const day of [segment.toDay - 1, segment.toDay]) days.add(day);
    }
    let seen = 0;
    for (const day of [...days].sort((a, b) => a - b)) {
      const plain = db.all<Record<string, unknown>>(sql`SELECT ${selected} FROM loan_timeline_segments AS t WHERE t.to_day > ${day} AND t.from_day <= ${day}`);
      const split = db.all<Record<string, unknown>>(segmentsContaining(day, selected, sql`1 = 1`));
      expect(ordered(split), formatIsoDate(day)).toEqual(ordered(plain));
      seen += plain.length;
    }
    expect(seen).toBeGreaterThan(150);
  });

  it('reads the two-month range, the longer segments and the open-ended ones each by an index', () => {
    const plan = test.context.db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN ${segmentsContaining(parseIsoDate('2025-06-30') as number, selected, sql`1 = 1`)}`);
    expect(plan.map((step) => step.detail)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/COVERING INDEX loan_timeline_as_of_idx \(to_day>\? AND to_day<\?\)/),
        expect.stringMatching(/COVERING INDEX loan_timeline_long_idx/),
        expect.stringMatching(/COVERING INDEX loan_timeline_as_of_idx \(to_day=\? AND from_day<\?\)/),
      ]),
    );
  });
});
