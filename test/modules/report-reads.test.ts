// The reports' reads keep to a report's groups in SQL, by two access paths: a few groups reached through their loans,
// many (or the whole fund) by scanning the day's timeline. Both must give what the whole fund's read gives for those
// groups, on a real database.
import fc from 'fast-check';
import { sql } from 'drizzle-orm';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseIsoDate } from '../../src/domain/calendar.js';
import { activeBorrowersOn, classifiedPastDue, classifiedTotals, eachGroup, type GroupIds, groupOfEachMember, loansOnBooksOn, portfolioAtRiskOn, portfolioOn, repaymentProgress } from '../../src/modules/reports/classification.repo.js';
import { classifyLoansOn } from '../../src/domain/classification.js';
import { rebuildAllReadModels } from '../../src/modules/loans/loan-read-models.js';
import { arrearsDetailsOf, dueAndPaidBetween, loanTransactionsByMonth, savingsOn } from '../../src/modules/reports/report.repo.js';
import { findMember } from '../../src/modules/registry/registry.repo.js';
import { findLoan } from '../../src/modules/loans/loan.repo.js';
import { accrualParts } from '../../db/schema.js';
import { classificationRules, readSettings } from '../../src/modules/settings/settings.service.js';
import { balancesOn } from '../../src/modules/ledger/ledger.service.js';
import { accountCodes } from '../../src/ledger/chart.js';
import { outreachReport } from '../../src/modules/reports/outreach.service.js';
import { systemActor } from '../../src/modules/shared/access.js';
import { fundWithBooks, memberInput, standardProduct } from '../fixtures.js';
import { buildTestApp, type TestApp } from '../helper.js';

let test: TestApp;
let groupId: string;
let otherGroupId: string;
let fund: Awaited<ReturnType<typeof fundWithBooks>>;

beforeAll(async () => {
  test = await buildTestApp();
  fund = await fundWithBooks(test);
  groupId = fund.group.id;
  otherGroupId = fund.otherGroup.id;
  // A loan in the other group too, left unpaid, so each group has its own figures.
  const member = await fund.otherOfficer('POST', '/v1/members', memberInput(otherGroupId, { fullName: 'Lò Thị Hoa', joinedOn: '2024-06-01' }));
  expect(member.statusCode, member.body).toBe(201);
  const product = await fund.admin('POST', '/v1/loan-products', { ...standardProduct, code: 'P-OTHER' });
  const applied = await fund.otherOfficer('POST', '/v1/loans', { memberId: member.json().id, productId: product.json().id, principal: '8000000', installments: 6, appliedOn: '2025-01-02', purpose: 'Dệt vải' });
  expect(applied.statusCode, applied.body).toBe(201);
  const loanId = applied.json().id;
  expect((await fund.otherOfficer('POST', `/v1/loans/${loanId}/approve`, { decidedOn: '2025-01-10' })).statusCode).toBe(200);
  expect((await fund.otherOfficer('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn: '2025-02-05' })).statusCode).toBe(200);
});
afterAll(async () => test.close());

/** A list of groups long enough to take the scanning path, naming the same real groups. */
const many = (ids: string[]): string[] => [...ids, ...Array.from({ length: 500 }, (_, index) => `gr-none-${index}`)];
const days = ['2025-03-05', '2025-04-30', '2025-06-30', '2025-09-15', '2026-11-23'];

describe('report reads kept to some groups', () => {
  it('classify the same loans whichever path reads them', () => {
    const rules = classificationRules(readSettings(test.context.db));
    for (const date of days) {
      const day = parseIsoDate(date) as number;
      const whole = classifiedTotals(test.context.db, day, rules, null, eachGroup);
      const sort = (rows: typeof whole) => [...rows].sort((a, b) => `${a.key}${a.debtGroup}${a.bucket}`.localeCompare(`${b.key}${b.debtGroup}${b.bucket}`));
      for (const ids of [[groupId], [otherGroupId], [groupId, otherGroupId]]) {
        const expected = whole.filter((row) => ids.includes(row.key as string));
        expect(sort(classifiedTotals(test.context.db, day, rules, ids, eachGroup)), date).toEqual(sort(expected));
        expect(sort(classifiedTotals(test.context.db, day, rules, many(ids), eachGroup)), date).toEqual(sort(expected));
        const pastDue = classifiedPastDue(test.context.db, day, rules, null, 1).filter((row) => ids.includes(row.groupId));
        expect(classifiedPastDue(test.context.db, day, rules, ids, 1), date).toEqual(pastDue);
        expect(classifiedPastDue(test.context.db, day, rules, many(ids), 1), date).toEqual(pastDue);
      }
      // Without groups, the same sums in one row per debt group and bucket.
      const together = classifiedTotals(test.context.db, day, rules, null, null);
      expect(together.reduce((sum, row) => sum + BigInt(row.outstanding), 0n)).toBe(whole.reduce((sum, row) => sum + BigInt(row.outstanding), 0n));
      expect(together.every((row) => row.key === null)).toBe(true);
      // The portfolio's one pass over the whole fund reads what the two reads do.
      for (const rowOf of [eachGroup, null]) {
        const { totals, progress } = portfolioOn(test.context.db, day, rules, null, rowOf);
        expect(sort(totals), date).toEqual(sort(classifiedTotals(test.context.db, day, rules, null, rowOf)));
        expect(progress, date).toEqual(repaymentProgress(test.context.db, day, null));
      }
    }
    expect(classifiedTotals(test.context.db, parseIsoDate('2025-06-30') as number, rules, [groupId], eachGroup).length).toBeGreaterThan(0);
  });

  it('sum PAR over several days, collections, repayment progress, flows, savings and active borrowers alike on every path', () => {
    const all: GroupIds[] = [null, [groupId, otherGroupId], many([groupId, otherGroupId])];
    const dayNumbers = days.map((date) => parseIsoDate(date) as number);
    const answers = all.map((ids) => ({
      atRisk: portfolioAtRiskOn(test.context.db, dayNumbers, 30, ids).sort((a, b) => a.day - b.day),
      collections: dueAndPaidBetween(test.context.db, '2025-01-01', '2025-12-31', '2025-12-31', ids).sort((a, b) => a.groupId.localeCompare(b.groupId)),
      progress: repaymentProgress(test.context.db, parseIsoDate('2025-06-30') as number, ids),
      flows: loanTransactionsByMonth(test.context.db, '2025-01-01', '2025-12-31', ids).sort((a, b) => `${a.month}${a.type}`.localeCompare(`${b.month}${b.type}`)),
      savings: savingsOn(test.context.db, '2025-12-31', ids),
      // In the as-of index's order on every path: who comes first decides where a member is counted.
      borrowers: dayNumbers.map((day) => activeBorrowersOn(test.context.db, day, ids)),
    }));
    expect(answers[1]).toEqual(answers[0]);
    expect(answers[2]).toEqual(answers[0]);
    expect(answers[0]?.atRisk.map((row) => row.day)).toEqual(dayNumbers.filter((day) => answers[0]?.atRisk.some((row) => row.day === day)));
    expect(answers[0]?.flows.some((row) => row.type === 'disbursement')).toBe(true);
    expect(answers[0]?.borrowers.some((borrowers) => borrowers.size > 1)).toBe(true);

    // One group: its own part of the fund's figures, read through its loans.
    const fundPerDay = new Map(portfolioAtRiskOn(test.context.db, dayNumbers, 30, null).map((row) => [row.day, BigInt(row.outstanding)]));
    const split = [groupId, otherGroupId].map((id) => new Map(portfolioAtRiskOn(test.context.db, dayNumbers, 30, [id]).map((row) => [row.day, BigInt(row.outstanding)])));
    for (const day of dayNumbers) expect((split[0]?.get(day) ?? 0n) + (split[1]?.get(day) ?? 0n)).toBe(fundPerDay.get(day) ?? 0n);
  });

  it('count a member borrowing in several groups once, in the group whose first loan read comes last', () => {
    expect([...groupOfEachMember([['mb-a', 'gr-1'], ['mb-b', 'gr-1'], ['mb-a', 'gr-2'], ['mb-a', 'gr-1'], ['mb-b', 'gr-1']])]).toEqual([
      ['mb-a', 'gr-2'],
      ['mb-b', 'gr-1'],
    ]);
    // The same as each distinct pair once, where first read, then the member's last such pair.
    const pairs = fc.array(fc.tuple(fc.constantFrom('mb-a', 'mb-b', 'mb-c'), fc.constantFrom('gr-1', 'gr-2', 'gr-3')), { maxLength: 40 });
    fc.assert(
      fc.property(pairs, (list) => {
        const distinct = [...new Map(list.map(([memberId, groupId]) => [`${memberId} ${groupId}`, [memberId, groupId] as const])).values()];
        expect([...groupOfEachMember(list)]).toEqual([...new Map(distinct)]);
      }),
    );
  });

  it('leaves an installment nothing was paid on out of what was paid, not out of what fell due', () => {
    // The other group's loan has fallen due and nothing has been paid on it.
    const [row] = dueAndPaidBetween(test.context.db, '2025-03-01', '2025-08-31', '2025-08-31', [otherGroupId]);
    expect(BigInt(row?.due ?? '0')).toBeGreaterThan(0n);
    expect(row?.onTime).toBeNull();
    expect(row?.byDay).toBeNull();
  });

  it('read the whole fund’s savings off the books as the members’ savings add up, on every day', () => {
    const { db } = test.context;
    for (const date of [...days, '2024-12-31']) {
      const scanned = savingsOn(db, date, null);
      const balanceOf = balancesOn(db, date, [accountCodes.compulsorySavings, accountCodes.voluntarySavings]);
      expect({ compulsory: balanceOf(accountCodes.compulsorySavings), voluntary: balanceOf(accountCodes.voluntarySavings) }, date).toEqual({
        compulsory: BigInt(scanned.compulsory ?? '0'),
        voluntary: BigInt(scanned.voluntary ?? '0'),
      });
    }
    expect(BigInt(savingsOn(db, '2026-11-23', null).compulsory ?? '0')).toBeGreaterThan(0n);
  });

  it('read a past-due loan’s details from the segment it was classified on, and fail loudly when there is none', () => {
    const db = test.context.db;
    const day = parseIsoDate('2025-06-30') as number;
    const pastDue = classifiedPastDue(db, day, classificationRules(readSettings(db)), null, 1);
    expect(pastDue.length).toBeGreaterThan(0);
    // Array.from reads every place, holes too: each loan has its member's name.
    expect(Array.from(arrearsDetailsOf(db, pastDue), (detail) => detail?.fullName)).toEqual(pastDue.map((loan) => findMember(db, loan.memberId)?.fullName));
    const first = pastDue[0] as (typeof pastDue)[number];
    // A day the loan has no segment from, and a loan that does not exist: neither is read as something else.
    for (const wrong of [{ ...first, fromDay: first.fromDay + 1 }, { ...first, loanId: 'ln-none' }]) {
      expect(() => arrearsDetailsOf(db, [first, wrong])).toThrow(/has no segment from the day it was classified on/);
    }
  });

  it('read a past-due segment’s accrual from the timeline’s arrears index alone, as it stores it', () => {
    const db = test.context.db;
    const parts = sql.join(accrualParts(sql`t.accrual`), sql`, `);
    const plan = db.all<{ detail: string }>(sql`EXPLAIN QUERY PLAN SELECT ${parts} FROM loan_timeline_segments AS t WHERE t.loan_id = 'ln-x' AND t.from_day = 1 AND t.oldest_unpaid_due_day IS NOT NULL`);
    expect(plan.map((step) => step.detail).join(' ')).toMatch(/USING COVERING INDEX loan_timeline_arrears_idx/);
  });

  it('count in the whole fund’s total an active borrower whose timeline names a group the report does not cover', () => {
    const sqlite = test.database.sqlite;
    const query = { from: '2025-01-01', to: '2025-06-30', groupBy: 'commune' as const, format: 'json' as const };
    const before = outreachReport(test.context, systemActor(), query);
    expect(before.totals.activeBorrowers).toBeGreaterThan(0);
    // A loan's timeline as a row made before timelines carried their group left it: blank.
    sqlite.exec('SAVEPOINT stale_group');
    try {
      sqlite.prepare("UPDATE loan_timeline_segments SET group_id = '' WHERE loan_id = (SELECT loan_id FROM loan_timeline_segments WHERE principal_outstanding > 0 LIMIT 1)").run();
      const after = outreachReport(test.context, systemActor(), query);
      expect(after.totals.activeBorrowers).toBe(before.totals.activeBorrowers);
    } finally {
      sqlite.exec('ROLLBACK TO stale_group');
      sqlite.exec('RELEASE stale_group');
    }
  });
});

/** Runs a change on the test's database and undoes it, whatever it does. */
const undone = (change: () => void) => {
  const sqlite = test.database.sqlite;
  sqlite.exec('SAVEPOINT undone');
  try {
    change();
  } finally {
    sqlite.exec('ROLLBACK TO undone');
    sqlite.exec('RELEASE undone');
  }
};

describe('members’ and groups’ numbers, which the whole fund’s totals key loans by', () => {
  /** Timeline rows whose numbers are not their member’s and group’s. */
  const misnumbered = () =>
    (
      test.database.sqlite
        .prepare(
          `SELECT count(*) AS n FROM loan_timeline_segments AS t JOIN members AS m ON m.id = t.member_id JOIN groups AS g ON g.id = t.group_id
           WHERE t.member_number IS NOT m.number OR t.group_number IS NOT g.number`,
        )
        .get() as { n: number }
    ).n;

  it('gives each group and member a number of its own, which every timeline row keeps', () => {
    const sqlite = test.database.sqlite;
    for (const table of ['groups', 'members']) {
      const { rows, numbered, distinctNumbers } = sqlite.prepare(`SELECT count(*) AS rows, count(number) AS numbered, count(DISTINCT number) AS distinctNumbers FROM ${table}`).get() as Record<string, number>;
      expect(rows, table).toBeGreaterThan(1);
      expect([numbered, distinctNumbers], table).toEqual([rows, rows]);
    }
    expect((sqlite.prepare('SELECT count(*) AS n FROM loan_timeline_segments').get() as { n: number }).n).toBeGreaterThan(0);
    expect(misnumbered()).toBe(0);
  });

  it('numbers a member written without one, and the migration and its trigger number the timeline as its replays do', () => {
    const sqlite = test.database.sqlite;
    undone(() => {
      const { largest } = sqlite.prepare('SELECT max(number) AS largest FROM members').get() as { largest: number };
      sqlite.prepare("INSERT INTO members (id, full_name, search_name, sex, date_of_birth, national_id, ethnicity, poverty_status, group_id, joined_on, created_at, updated_at) SELECT 'mb-unnumbered', full_name, search_name, sex, date_of_birth, '099999999999', ethnicity, poverty_status, group_id, joined_on, created_at, updated_at FROM members LIMIT 1").run();
      expect((sqlite.prepare("SELECT number FROM members WHERE id = 'mb-unnumbered'").get() as { number: number }).number).toBe(largest + 1);
    });
    const migration = readFileSync(new URL('../../db/migrations/0014_member_group_numbers.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').find((statement) => statement.includes('UPDATE `loan_timeline_segments`')) as string;
    /** Each timeline row's numbers, and its loan's member's and group's. */
    const numbersOfLoans = () =>
      sqlite
        .prepare(
          `SELECT t.member_number, t.group_number, m.number AS member, g.number AS "group" FROM loan_timeline_segments AS t
             JOIN loans AS l ON l.id = t.loan_id JOIN members AS m ON m.id = l.member_id JOIN groups AS g ON g.id = l.group_id`,
        )
        .all() as { member_number: number; group_number: number; member: number; group: number }[];
    undone(() => {
      sqlite.exec('UPDATE loan_timeline_segments SET member_number = 0, group_number = 0');
      // A row made before timelines carried their member and group (blank ids): numbered through its loan all the same.
      sqlite.exec("UPDATE loan_timeline_segments SET member_id = '', group_id = '' WHERE rowid = (SELECT min(rowid) FROM loan_timeline_segments)");
      expect(misnumbered()).toBeGreaterThan(0);
      sqlite.exec(backfill);
      expect(misnumbered()).toBe(0);
      const rows = numbersOfLoans();
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((row) => row.member_number === row.member && row.group_number === row.group)).toBe(true);
    });
    undone(() => {
      // A row written as a version from before the numbers writes it (none given) takes them from its ids.
      sqlite.exec('CREATE TEMP TABLE copied AS SELECT * FROM loan_timeline_segments WHERE rowid = (SELECT min(rowid) FROM loan_timeline_segments)');
      sqlite.exec('UPDATE copied SET from_day = -1, member_number = 0, group_number = 0');
      sqlite.exec('INSERT INTO loan_timeline_segments SELECT * FROM copied');
      sqlite.exec('DROP TABLE copied');
      expect(misnumbered()).toBe(0);
      expect((sqlite.prepare('SELECT count(*) AS n FROM loan_timeline_segments WHERE from_day = -1 AND member_number > 0 AND group_number > 0').get() as { n: number }).n).toBe(1);
    });
  });

  it('count a loan whose timeline names no group’s number in the whole fund’s total, in no row, and leave it out of some groups’', () => {
    const db = test.context.db;
    const day = parseIsoDate('2025-06-30') as number;
    const rules = classificationRules(readSettings(db));
    const loansOf = (totals: { loans: number }[]) => totals.reduce((sum, row) => sum + row.loans, 0);
    const before = portfolioOn(db, day, rules, null, eachGroup).totals;
    expect(loansOf(before)).toBeGreaterThan(0);
    undone(() => {
      // As the migration leaves a row made before timelines carried their group (its ids blank): number 0.
      test.database.sqlite.exec('UPDATE loan_timeline_segments SET group_number = 0');
      const after = portfolioOn(db, day, rules, null, eachGroup).totals;
      expect(loansOf(after)).toBe(loansOf(before));
      expect(after.every((row) => row.key === null)).toBe(true);
      expect(classifiedTotals(db, day, rules, [groupId], eachGroup)).toEqual([]);
    });
  });

  it('classify by number as by id: a member who moved, with loans in two groups, takes her worst group in both', async () => {
    const db = test.context.db;
    const member = fund.memberIds[0] as string;
    expect((await fund.admin('POST', `/v1/members/${member}/move`, { groupId: otherGroupId, movedOn: '2026-10-01' })).statusCode).toBe(200);
    const product = await fund.admin('POST', '/v1/loan-products', { ...standardProduct, code: 'P-MOVED' });
    const applied = await fund.admin('POST', '/v1/loans', { memberId: member, productId: product.json().id, principal: '5000000', installments: 6, appliedOn: '2026-10-02', purpose: 'Nuôi gà' });
    expect(applied.statusCode, applied.body).toBe(201);
    const loanId = applied.json().id as string;
    expect((await fund.admin('POST', `/v1/loans/${loanId}/approve`, { decidedOn: '2026-10-03' })).statusCode).toBe(200);
    expect((await fund.admin('POST', `/v1/loans/${loanId}/disburse`, { disbursedOn: '2026-10-05' })).statusCode).toBe(200);
    // Every loan's rows written again from its row: each keeps its own group's number, not the one its member is in now.
    rebuildAllReadModels(db, '2026-12-01T00:00:00.000Z');
    expect(misnumbered()).toBe(0);
    const rules = classificationRules(readSettings(db));
    for (const date of [...days, '2026-10-20', '2026-12-01']) {
      const day = parseIsoDate(date) as number;
      const loans = loansOnBooksOn(db, day, null);
      const cells = new Map<string, { loans: number; outstanding: bigint; provision: bigint }>();
      classifyLoansOn(loans, day, rules).forEach(({ debtGroup, bucket, provision }, index) => {
        const key = `${(loans[index] as (typeof loans)[number]).groupId} ${debtGroup} ${bucket}`;
        const cell = cells.get(key) ?? { loans: 0, outstanding: 0n, provision: 0n };
        cells.set(key, { loans: cell.loans + 1, outstanding: cell.outstanding + (loans[index] as (typeof loans)[number]).outstanding, provision: cell.provision + provision });
      });
      const byNumber = new Map(portfolioOn(db, day, rules, null, eachGroup).totals.map((row) => [`${row.key} ${row.debtGroup} ${row.bucket}`, { loans: row.loans, outstanding: row.outstanding, provision: row.provision }]));
      expect(byNumber, date).toEqual(cells);
    }
    // Her two loans, in two groups, are on the books together, and share her worst group.
    const onBooks = loansOnBooksOn(db, parseIsoDate('2026-12-01') as number, null).filter((loan) => loan.memberId === member);
    expect(new Set(onBooks.map((loan) => loan.groupId)).size).toBe(2);
  });
});

describe('loans’ terms by id, which the arrears list reads a loan’s terms by', () => {
  /** Loans whose terms id does not name their own terms. */
  const misfiled = () => (test.database.sqlite.prepare('SELECT count(*) AS n FROM loans AS l LEFT JOIN loan_terms AS t ON t.id = l.terms_id WHERE t.terms IS NOT l.terms').get() as { n: number }).n;

  it('keep each set of terms once, every loan pointing at its own, and give the list each past-due loan’s own terms', () => {
    const sqlite = test.database.sqlite;
    const db = test.context.db;
    const { loans, distinctTerms } = sqlite.prepare('SELECT count(*) AS loans, count(DISTINCT terms) AS distinctTerms FROM loans').get() as Record<string, number>;
    expect(loans).toBeGreaterThan(1);
    expect((sqlite.prepare('SELECT count(*) AS n FROM loan_terms').get() as { n: number }).n).toBe(distinctTerms);
    expect(misfiled()).toBe(0);
    const day = parseIsoDate('2025-06-30') as number;
    const pastDue = classifiedPastDue(db, day, classificationRules(readSettings(db)), null, 1);
    expect(pastDue.length).toBeGreaterThan(1);
    undone(() => {
      // One past-due loan on terms no other loan has (a higher penalty), kept as the service keeps a new loan's.
      const changed = pastDue[1] as (typeof pastDue)[number];
      const terms = JSON.stringify({ ...JSON.parse(findLoan(db, changed.loanId)?.terms ?? '{}'), overdueMultiplier: '2' });
      sqlite.prepare('INSERT INTO loan_terms (terms) VALUES (?)').run(terms);
      sqlite.prepare('UPDATE loans SET terms = ?, terms_id = (SELECT id FROM loan_terms WHERE terms = ?) WHERE id = ?').run(terms, terms, changed.loanId);
      expect(misfiled()).toBe(0);
      expect(arrearsDetailsOf(db, pastDue).map((detail) => detail.terms)).toEqual(pastDue.map((loan) => findLoan(db, loan.loanId)?.terms));
      // A loan whose terms were never kept fails loudly rather than taking another's.
      sqlite.prepare('UPDATE loans SET terms_id = NULL WHERE id = ?').run(changed.loanId);
      expect(() => arrearsDetailsOf(db, pastDue)).toThrow(/has no terms kept/);
    });
  });

  it('the migration keeps every loan’s terms, and its trigger those of a loan written without their id', () => {
    const sqlite = test.database.sqlite;
    const migration = readFileSync(new URL('../../db/migrations/0015_loan_terms.sql', import.meta.url), 'utf8');
    const backfill = migration.split('--> statement-breakpoint').filter((statement) => /INSERT INTO `loan_terms`|UPDATE `loans`/.test(statement));
    expect(backfill).toHaveLength(2);
    undone(() => {
      sqlite.exec('UPDATE loans SET terms_id = NULL; DELETE FROM loan_terms');
      expect(misfiled()).toBeGreaterThan(0);
      for (const statement of backfill) sqlite.exec(statement);
      expect(misfiled()).toBe(0);
    });
    undone(() => {
      // Two loans written as a version from before the ids writes them: new terms are kept once, known ones found.
      const kept = (sqlite.prepare('SELECT count(*) AS n FROM loan_terms').get() as { n: number }).n;
      sqlite.exec("CREATE TEMP TABLE copied AS SELECT * FROM loans WHERE rowid = (SELECT min(rowid) FROM loans)");
      sqlite.exec("UPDATE copied SET id = 'ln-known-terms', terms_id = NULL");
      // A conflict clause on the loan's own statement reaches the trigger's statements too: terms already kept still pass.
      sqlite.exec('INSERT OR ABORT INTO loans SELECT * FROM copied');
      sqlite.exec("UPDATE copied SET id = 'ln-new-terms', terms = json_set(terms, '$.overdueMultiplier', '3')");
      sqlite.exec('INSERT INTO loans SELECT * FROM copied');
      sqlite.exec('DROP TABLE copied');
      expect(misfiled()).toBe(0);
      expect((sqlite.prepare('SELECT count(*) AS n FROM loan_terms').get() as { n: number }).n).toBe(kept + 1);
    });
  });
});
