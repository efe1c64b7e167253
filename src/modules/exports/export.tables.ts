// What each export holds: its columns and its rows, read from one snapshot of the database. Amounts stay bigint
// minor units until a writer prints them with the currency's digits.
import { addDays, formatIsoDate, parseIsoDate } from '../../domain/calendar.js';
import type { Account } from '../../ledger/chart.js';
import type { FundDatabase } from '../../../db/client.js';
import { accountTotals, fewEntriesDatedIn, iterateJournal } from '../ledger/journal.repo.js';
import { normalBalance, trialBalanceOf } from '../ledger/ledger.service.js';
import { loanHistory, positionOf } from '../loans/loan-history.js';
import * as loanRepo from '../loans/loan.repo.js';
import { classificationRules, readSettings } from '../settings/settings.service.js';
import { savingsHistory } from '../savings/savings.repo.js';
import * as repo from './export.repo.js';
import type { Cell, ColumnKind, ExportColumn, ExportTable } from './table.js';

const text = (key: string, width = 16): ExportColumn => ({ key, kind: 'text', width });
/** A text column of few distinct values. */
const label = (key: string, width = 16): ExportColumn => ({ key, kind: 'text', width, repeats: true });
const id = (key: string): ExportColumn => ({ key, kind: 'text', width: 30 });
const column = (key: string, kind: ColumnKind, width: number, summed = false): ExportColumn => ({ key, kind, width, summed });
const amount = (key: string, summed = true) => column(key, 'amount', 16, summed);

/** Every journal line of entries dated in the period, in chain order, with every field the entry's hash covers. */
export function journalTable(db: FundDatabase, from: string, to: string): ExportTable {
  function* rows(): Generator<Cell[]> {
    // The stored row is the file's row: its columns are selected in the file's order.
    for (const row of iterateJournal(db, { from, to })) if (row[9] !== null) yield row;
  }
  return {
    sheetName: 'Journal',
    columns: [
      column('sequence', 'integer', 10),
      id('entryId'),
      column('entryDate', 'date', 12),
      column('postedAt', 'timestamp', 26),
      label('kind', 18),
      text('description', 40),
      label('sourceType', 18),
      id('sourceId'),
      id('reversesEntryId'),
      column('lineNumber', 'integer', 6),
      label('accountCode', 8),
      amount('debit'),
      amount('credit'),
      id('memberId'),
      id('loanId'),
      text('previousHash', 66),
      text('hash', 66),
    ],
    rows: rows(),
  };
}

/**
 * Per account of the chart (or the one asked for): its opening balance on the first day of the period, its lines by
 * date with the running balance, and its closing balance. Balances are on the account's normal side.
 */
export function generalLedgerTable(db: FundDatabase, from: string, to: string, accounts: readonly Account[]): ExportTable {
  const dayBefore = formatIsoDate(addDays(parseIsoDate(from) as number, -1));
  function* rows(): Generator<Cell[]> {
    const opening = accountTotals(db, dayBefore, accounts.map((account) => account.code));
    const fewEntries = fewEntriesDatedIn(db, { from, to });
    for (const account of accounts) {
      let balance = normalBalance(account, opening.get(account.code));
      const sign = account.normalSide === 'debit' ? 1n : -1n;
      yield [account.code, account.nameVi, 'opening', from, null, null, null, null, null, null, balance, null, null];
      for (const line of repo.accountLines(db, account.code, from, to, fewEntries)) {
        balance += sign * (BigInt(line.debit) - BigInt(line.credit));
        yield [account.code, account.nameVi, 'line', line.entryDate, line.sequence, line.entryId, line.kind, line.description, BigInt(line.debit), BigInt(line.credit), balance, line.memberId, line.loanId];
      }
      yield [account.code, account.nameVi, 'closing', to, null, null, null, null, null, null, balance, null, null];
    }
  }
  return {
    sheetName: 'General ledger',
    columns: [
      label('accountCode', 8),
      label('accountName', 30),
      label('row', 8),
      column('entryDate', 'date', 12),
      column('sequence', 'integer', 10),
      id('entryId'),
      label('kind', 18),
      text('description', 40),
      amount('debit'),
      amount('credit'),
      amount('balance', false),
      id('memberId'),
      id('loanId'),
    ],
    rows: rows(),
  };
}

export function trialBalanceTable(db: FundDatabase, asOf: string): ExportTable {
  const { rows } = trialBalanceOf(db, asOf);
  return {
    sheetName: 'Trial balance',
    columns: [text('code', 8), text('nameVi', 34), text('nameEn', 34), text('type', 10), amount('debitTurnover'), amount('creditTurnover'), amount('debit'), amount('credit')],
    rows: rows.map((row) => [row.account.code, row.account.nameVi, row.account.nameEn, row.account.type, row.debitTurnover, row.creditTurnover, row.debit, row.credit]),
  };
}

/** Every loan on the books on the day: who, where, on what terms, and its classification and provision. */
export function loanBookTable(db: FundDatabase, asOf: string, areaPath: string | undefined): ExportTable {
  const rules = classificationRules(readSettings(db));
  function* rows(): Generator<Cell[]> {
    for (const loan of repo.loanBook(db, parseIsoDate(asOf) as number, rules, areaPath)) {
      yield [
        loan.loanId,
        loan.memberId,
        loan.memberName,
        loan.nationalId,
        loan.groupCode,
        loan.groupName,
        loan.areaCode,
        loan.areaName,
        loan.officerName,
        loan.productCode,
        loan.disbursedOn,
        BigInt(loan.principal),
        BigInt(loan.principalOutstanding),
        BigInt(loan.overduePrincipal),
        BigInt(loan.overdueInterest),
        loan.daysPastDue,
        loan.agingBucket,
        loan.debtGroup,
        BigInt(loan.provision),
      ];
    }
  }
  return {
    sheetName: 'Loan book',
    columns: [
      id('loanId'),
      id('memberId'),
      text('memberName', 26),
      text('nationalId', 14),
      label('groupCode', 12),
      label('groupName', 26),
      label('areaCode', 12),
      label('areaName', 20),
      label('officerName', 20),
      label('productCode', 12),
      column('disbursedOn', 'date', 12),
      amount('principal'),
      amount('principalOutstanding'),
      amount('overduePrincipal'),
      amount('overdueInterest'),
      column('daysPastDue', 'integer', 8),
      label('agingBucket', 10),
      column('debtGroup', 'integer', 8),
      amount('provision'),
    ],
    rows: rows(),
  };
}

export function savingsBalancesTable(db: FundDatabase, asOf: string, areaPath: string | undefined): ExportTable {
  function* rows(): Generator<Cell[]> {
    for (const member of repo.savingsBalances(db, asOf, areaPath)) {
      const compulsory = BigInt(member.compulsory);
      const voluntary = BigInt(member.voluntary);
      yield [member.memberId, member.memberName, member.nationalId, member.groupCode, member.areaCode, compulsory, voluntary, compulsory + voluntary];
    }
  }
  return {
    sheetName: 'Savings balances',
    columns: [id('memberId'), text('memberName', 26), text('nationalId', 14), label('groupCode', 12), label('areaCode', 12), amount('compulsory'), amount('voluntary'), amount('total')],
    rows: rows(),
  };
}

/**
 * One member's statement as of a day, one table with a `section` column so that CSV keeps one shape: each loan
 * disbursed by then (`loan`), its schedule in force with what remains of each installment (`installment`), its
 * transactions with their splits (`payment`), then her savings movements with running balances (`savings`).
 */
export function memberStatementTable(db: FundDatabase, memberId: string, asOf: string): ExportTable {
  function* rows(): Generator<Cell[]> {
    for (const stored of loanRepo.loansOfMember(db, memberId)) {
      if (!stored.disbursedOn || stored.disbursedOn > asOf) continue;
      const loan = loanRepo.findLoan(db, stored.id);
      if (!loan) continue;
      const history = loanHistory(db, loan);
      const position = positionOf(history, asOf);
      const status = position.writtenOff ? 'written_off' : position.closed ? 'closed' : 'active';
      yield ['loan', loan.disbursedOn, loan.id, status, loan.purpose, position.principalDisbursed, position.interestPaid, position.penaltyPaid + position.lateInterestPaid, null, position.principalOutstanding];
      for (const installment of position.installments) {
        const remaining = installment.principalDue - installment.principalPaid + installment.interestDue - installment.interestPaid - installment.interestWaived;
        yield ['installment', formatIsoDate(installment.dueOn), loan.id, String(installment.number), `schedule version ${position.version}`, installment.principalDue, installment.interestDue, null, installment.principalDue + installment.interestDue, remaining];
      }
      const splits = loanRepo.currentAllocations(db, loan.id);
      for (const transaction of history.transactions) {
        if (transaction.transactionDate > asOf) continue;
        const split = transaction.reversed ? undefined : splits.get(transaction.id);
        yield [
          'payment',
          transaction.transactionDate,
          loan.id,
          transaction.id,
          transaction.reversed ? `${transaction.type} (reversed)` : transaction.type,
          split ? BigInt(split.principal) : null,
          split ? BigInt(split.interest) : null,
          split ? BigInt(split.penalty) + BigInt(split.lateInterest) : null,
          BigInt(transaction.amount),
          null,
        ];
      }
    }
    const balances = { compulsory: 0n, voluntary: 0n };
    for (const movement of savingsHistory(db, memberId)) {
      if (movement.transactionDate > asOf) continue;
      if (!movement.reversed) balances[movement.kind] += BigInt(movement.amount);
      yield ['savings', movement.transactionDate, movement.loanId, movement.id, `${movement.kind} ${movement.type}${movement.reversed ? ' (reversed)' : ''}`, null, null, null, BigInt(movement.amount), balances[movement.kind]];
    }
  }
  return {
    sheetName: 'Member statement',
    columns: [
      label('section', 12),
      column('date', 'date', 12),
      id('loanId'),
      id('reference'),
      text('description', 32),
      amount('principal', false),
      amount('interest', false),
      amount('penalty', false),
      amount('amount', false),
      amount('balance', false),
    ],
    rows: rows(),
  };
}
