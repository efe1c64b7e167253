// The reads exports stream: a general ledger account's lines, the loan book and savings balances as of a day, each
// one row at a time in a fixed order (the same database gives the same rows in the same order, so the same bytes).
import { and, eq, gte, lte, sql } from 'drizzle-orm';
import { type FundDatabase, iterateRows } from '../../../db/client.js';
import { areas, groups, journalEntries, journalLines, loanProducts, loanTimelineSegments, loans, members, savingsTransactions, transactionReversals, users } from '../../../db/schema.js';
import { type DebtGroupTable, type LoanClassification, type ProvisionRates, classifyLoansOn } from '../../domain/classification.js';
import { loansOnBooksOn } from '../reports/classification.repo.js';

export interface LedgerLineRow {
  entryDate: string;
  sequence: number;
  entryId: string;
  kind: string;
  description: string;
  debit: number;
  credit: number;
  memberId: string | null;
  loanId: string | null;
}

/**
 * One account's lines dated in a period, by date and then in posting order. `fewEntries` (fewEntriesDatedIn) says
 * the period's entries are few: they are reached by date and their lines picked out, rather than the account's lines
 * over the whole journal looked up one by one (a day of the cash account: seconds against milliseconds on `province`).
 */
export function accountLines(db: FundDatabase, accountCode: string, from: string, to: string, fewEntries: boolean): IterableIterator<LedgerLineRow> {
  const e = journalEntries;
  const l = journalLines;
  // CROSS JOIN keeps the tables in the order written, and the unary + keeps the lines off the account's index: each
  // entry's lines come through the entry index.
  const source = fewEntries ? sql`${e} CROSS JOIN ${l} ON ${l.entryId} = ${e.id}` : sql`${l} JOIN ${e} ON ${e.id} = ${l.entryId}`;
  const ofAccount = fewEntries ? sql`+${l.accountCode} = ${accountCode}` : eq(l.accountCode, accountCode);
  return iterateRows<LedgerLineRow>(
    db,
    sql`SELECT ${e.entryDate} AS "entryDate", ${e.sequence} AS "sequence", ${e.id} AS "entryId", ${e.kind} AS "kind", ${e.description} AS "description",
          ${l.debit} AS "debit", ${l.credit} AS "credit", ${l.memberId} AS "memberId", ${l.loanId} AS "loanId"
        FROM ${source}
        WHERE ${and(ofAccount, gte(e.entryDate, from), lte(e.entryDate, to))}
        ORDER BY ${e.entryDate}, ${e.sequence}, ${l.lineNumber}`,
  );
}

const inArea = (areaPath: string | undefined) => (areaPath ? sql`${areas.path} LIKE ${`${areaPath}%`}` : sql`1 = 1`);

export interface LoanBookRow {
  loanId: string;
  memberId: string;
  memberName: string;
  nationalId: string;
  groupCode: string;
  groupName: string;
  areaCode: string;
  areaName: string;
  officerName: string | null;
  productCode: string;
  disbursedOn: string;
  principal: number;
  principalOutstanding: number;
  overduePrincipal: number;
  overdueInterest: number;
  daysPastDue: number;
  agingBucket: string;
  debtGroup: number;
  provision: number;
}

/** Every loan on the books on a day (disbursed, not closed, not written off), classified as the portfolio report does. */
export function* loanBook(db: FundDatabase, day: number, rules: { table: DebtGroupTable; rates: ProvisionRates; memberWorst: boolean }, areaPath: string | undefined): Generator<LoanBookRow> {
  // Classified over the whole fund, whatever the area: a member's worst group counts her loans everywhere.
  const onBooks = loansOnBooksOn(db, day, null);
  const classified = classifyLoansOn(onBooks, day, rules);
  const onBooksById = new Map(onBooks.map((loan, index) => [loan.loanId, { loan, classification: classified[index] as LoanClassification }]));
  const t = loanTimelineSegments;
  const described = iterateRows<Omit<LoanBookRow, 'principalOutstanding' | 'overduePrincipal' | 'overdueInterest' | 'daysPastDue' | 'agingBucket' | 'debtGroup' | 'provision'>>(
    db,
    sql`SELECT ${loans.id} AS "loanId", ${loans.memberId} AS "memberId", ${members.fullName} AS "memberName", ${members.nationalId} AS "nationalId",
        ${groups.code} AS "groupCode", ${groups.name} AS "groupName", ${areas.code} AS "areaCode", ${areas.name} AS "areaName",
        ${users.fullName} AS "officerName", ${loanProducts.code} AS "productCode", ${loans.disbursedOn} AS "disbursedOn", ${loans.principal} AS "principal"
      FROM ${t}
        JOIN ${loans} ON ${loans.id} = ${t.loanId}
        JOIN ${members} ON ${members.id} = ${loans.memberId}
        JOIN ${groups} ON ${groups.id} = ${t.groupId}
        JOIN ${areas} ON ${areas.id} = ${groups.areaId}
        JOIN ${loanProducts} ON ${loanProducts.id} = ${loans.productId}
        LEFT JOIN ${users} ON ${users.id} = ${groups.officerId}
      WHERE ${t.toDay} > ${day} AND ${t.fromDay} <= ${day} AND ${t.principalOutstanding} > 0 AND ${t.writtenOff} = 0 AND ${t.closed} = 0 AND ${inArea(areaPath)}
      ORDER BY ${groups.code}, ${members.fullName}, ${loans.id}`,
  );
  for (const row of described) {
    const found = onBooksById.get(row.loanId);
    if (!found) throw new Error(`loan ${row.loanId} is on the books on day ${day} but was not classified`);
    const { loan, classification } = found;
    yield {
      ...row,
      principalOutstanding: Number(loan.outstanding),
      overduePrincipal: loan.overduePrincipal,
      overdueInterest: loan.overdueInterest,
      daysPastDue: classification.daysPastDue,
      agingBucket: classification.bucket,
      debtGroup: classification.debtGroup,
      provision: Number(classification.provision),
    };
  }
}

export interface SavingsBalanceRow {
  memberId: string;
  memberName: string;
  nationalId: string;
  groupCode: string;
  areaCode: string;
  compulsory: string;
  voluntary: string;
}

/** Each member's compulsory and voluntary savings on a day (movements dated by then, not reversed), where not both zero. */
export function savingsBalances(db: FundDatabase, asOf: string, areaPath: string | undefined): IterableIterator<SavingsBalanceRow> {
  const s = savingsTransactions;
  const sumOf = (kind: 'compulsory' | 'voluntary') => sql`COALESCE(SUM(CASE WHEN ${s.kind} = ${kind} THEN ${s.amount} ELSE 0 END), 0)`;
  return iterateRows<SavingsBalanceRow>(
    db,
    sql`SELECT ${s.memberId} AS "memberId", ${members.fullName} AS "memberName", ${members.nationalId} AS "nationalId", ${groups.code} AS "groupCode",
          ${areas.code} AS "areaCode", CAST(${sumOf('compulsory')} AS TEXT) AS "compulsory", CAST(${sumOf('voluntary')} AS TEXT) AS "voluntary"
        FROM ${s}
          JOIN ${members} ON ${members.id} = ${s.memberId}
          JOIN ${groups} ON ${groups.id} = ${members.groupId}
          JOIN ${areas} ON ${areas.id} = ${groups.areaId}
        WHERE ${lte(s.transactionDate, asOf)} AND ${s.id} NOT IN (SELECT ${transactionReversals.transactionId} FROM ${transactionReversals}) AND ${inArea(areaPath)}
        GROUP BY ${s.memberId}, ${members.fullName}, ${members.nationalId}, ${groups.code}, ${areas.code}
        HAVING ${sumOf('compulsory')} <> 0 OR ${sumOf('voluntary')} <> 0
        ORDER BY ${groups.code}, ${members.fullName}, ${s.memberId}`,
  );
}
