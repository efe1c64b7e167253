// What verification reads beyond the journal itself: the business records set against the entries that booked them,
// record by record, so that a loan transaction, a repayment's split or a savings movement edited in the file is found
// even where the fund's totals still agree. Each query answers only the records that disagree.
import { sql } from 'drizzle-orm';
import type { FundDatabase } from '../../../db/client.js';
import { accountCodes } from '../../ledger/chart.js';

/** What the lines `jl` summed over move on one account: debits less credits. */
const netDebit = (account: string) => sql.raw(`COALESCE(SUM(CASE WHEN jl.account_code = '${account}' THEN jl.debit - jl.credit ELSE 0 END), 0)`);

/**
 * Each loan's principal and advance payments held as its transactions and their current splits give them, against the
 * journal's lines on the loans and advances accounts that name the loan: any loan where either differs.
 */
export function loanBalancesDisagreeing(db: FundDatabase) {
  return db.all<{ loanId: string; principal: number; ledgerPrincipal: number; credit: number; ledgerCredit: number }>(sql`
    WITH reversed AS (SELECT transaction_id FROM transaction_reversals),
    figures(loan_id, principal, credit, ledger_principal, ledger_credit) AS (
      SELECT loan_id, SUM(CASE type WHEN 'disbursement' THEN amount WHEN 'write_off' THEN -amount ELSE 0 END), 0, 0, 0
      FROM loan_transactions WHERE id NOT IN reversed GROUP BY loan_id
      UNION ALL
      SELECT loan_id, -SUM(principal), SUM(credit_added - credit_used), 0, 0
      FROM repayment_allocations WHERE current = 1 AND transaction_id NOT IN reversed GROUP BY loan_id
      UNION ALL
      SELECT jl.loan_id, 0, 0, ${netDebit(accountCodes.loansToMembers)}, -${netDebit(accountCodes.memberCredit)}
      FROM journal_lines AS jl WHERE jl.account_code IN (${accountCodes.loansToMembers}, ${accountCodes.memberCredit}) GROUP BY jl.loan_id
    )
    SELECT COALESCE(loan_id, '') AS loanId, SUM(principal) AS principal, SUM(ledger_principal) AS ledgerPrincipal, SUM(credit) AS credit, SUM(ledger_credit) AS ledgerCredit
    FROM figures GROUP BY loan_id
    HAVING SUM(principal) <> SUM(ledger_principal) OR SUM(credit) <> SUM(ledger_credit)
    ORDER BY loan_id`);
}

/** Each member's savings of each kind as her savings transactions give them, against the savings accounts' lines naming her. */
export function savingsBalancesDisagreeing(db: FundDatabase) {
  return db.all<{ memberId: string; kind: string; balance: number; ledger: number }>(sql`
    WITH held AS (
      SELECT member_id, kind, SUM(amount) AS balance, 0 AS ledger FROM savings_transactions
      WHERE id NOT IN (SELECT transaction_id FROM transaction_reversals) GROUP BY member_id, kind
      UNION ALL
      SELECT jl.member_id, CASE jl.account_code WHEN ${accountCodes.compulsorySavings} THEN 'compulsory' ELSE 'voluntary' END, 0, SUM(jl.credit - jl.debit)
      FROM journal_lines AS jl WHERE jl.account_code IN (${accountCodes.compulsorySavings}, ${accountCodes.voluntarySavings}) GROUP BY jl.member_id, jl.account_code
    )
    SELECT COALESCE(member_id, '') AS memberId, kind, SUM(balance) AS balance, SUM(ledger) AS ledger
    FROM held GROUP BY member_id, kind HAVING SUM(balance) <> SUM(ledger)
    ORDER BY member_id, kind`);
}

/**
 * Each loan transaction against the entry that books it now (a repayment's current split names its entry; any other
 * transaction's is its latest entry that is not a reversal): the entry's date, the member and loan its lines name, and
 * what it moves on the accounts the transaction's type and split say it moves. Reversed transactions are set against
 * their reversal instead: the entry booking them must have been reversed.
 */
export function loanTransactionsDisagreeing(db: FundDatabase) {
  return db.all<{ transactionId: string; type: string; problem: string }>(sql`
    WITH reversed_entries AS MATERIALIZED (SELECT reverses_entry_id AS id FROM journal_entries WHERE reverses_entry_id IS NOT NULL),
    booking AS (
      SELECT t.id AS transaction_id, t.type, t.amount, t.transaction_date, t.loan_id, t.member_id,
        COALESCE(ra.journal_entry_id, (SELECT e.id FROM journal_entries AS e WHERE e.source_type = 'loan_transaction' AND e.source_id = t.id AND e.kind <> 'reversal' ORDER BY e.sequence DESC LIMIT 1)) AS entry_id,
        ra.principal, ra.interest, ra.penalty + ra.late_interest AS penalty, ra.credit_added - ra.credit_used AS credit_net,
        t.id IN (SELECT transaction_id FROM transaction_reversals) AS reversed
      FROM loan_transactions AS t LEFT JOIN repayment_allocations AS ra ON ra.transaction_id = t.id AND ra.current = 1
    ),
    booked AS (
      SELECT b.transaction_id, b.type, b.amount, b.transaction_date, b.principal, b.interest, b.penalty, b.credit_net, b.reversed,
        e.entry_date, e.source_id, b.entry_id IN reversed_entries AS entry_reversed,
        SUM(CASE WHEN jl.loan_id IS NOT b.loan_id OR jl.member_id IS NOT b.member_id THEN 1 ELSE 0 END) AS strangers,
        ${netDebit(accountCodes.loansToMembers)} AS loans,
        ${netDebit(accountCodes.interestIncome)} AS interest_income,
        ${netDebit(accountCodes.penaltyIncome)} AS penalty_income,
        ${netDebit(accountCodes.memberCredit)} AS member_credit,
        ${netDebit(accountCodes.recoveryIncome)} AS recovery_income,
        ${netDebit(accountCodes.cash)} + ${netDebit(accountCodes.compulsorySavings)} AS money_in
      FROM booking AS b LEFT JOIN journal_entries AS e ON e.id = b.entry_id LEFT JOIN journal_lines AS jl ON jl.entry_id = b.entry_id
      GROUP BY b.transaction_id
    )
    SELECT transaction_id AS transactionId, type, CASE
        WHEN entry_date IS NULL THEN 'no journal entry books it'
        WHEN source_id IS NOT transaction_id THEN 'the entry its split names books another record (' || source_id || ')'
        WHEN entry_date <> transaction_date THEN 'it is dated ' || transaction_date || ', the entry booking it ' || entry_date
        WHEN reversed AND NOT entry_reversed THEN 'it is recorded as reversed, and the entry booking it was never reversed'
        WHEN NOT reversed AND entry_reversed THEN 'the entry booking it was reversed, and it is not recorded as reversed'
        WHEN strangers > 0 THEN 'the entry booking it names another member or loan'
        WHEN type = 'disbursement' AND loans <> amount THEN 'it lends ' || amount || ', the entry ' || loans
        WHEN type = 'write_off' AND -loans <> amount THEN 'it writes off ' || amount || ', the entry ' || -loans
        WHEN type = 'recovery' AND (-recovery_income <> amount OR money_in <> amount) THEN 'it recovers ' || amount || ', the entry ' || -recovery_income
        WHEN type = 'repayment' AND principal IS NULL THEN 'it has no split'
        WHEN type = 'repayment' AND money_in <> amount THEN 'it is ' || amount || ' received, the entry ' || money_in
        WHEN type = 'repayment' AND (-loans <> principal OR -interest_income <> interest OR -penalty_income <> penalty OR -member_credit <> credit_net)
          THEN 'its split (principal ' || principal || ', interest ' || interest || ', penalty ' || penalty || ', advance ' || credit_net || ') is not the entry''s ('
            || -loans || ', ' || -interest_income || ', ' || -penalty_income || ', ' || -member_credit || ')'
      END AS problem
    FROM booked
    WHERE problem IS NOT NULL
    ORDER BY transaction_id`);
}

/** Each current split against the installments it says it paid: principal and interest over its lines, and the same day. */
export function splitsDisagreeingWithLines(db: FundDatabase) {
  return db.all<{ transactionId: string; principal: number; interest: number; linesPrincipal: number; linesInterest: number }>(sql`
    SELECT ra.transaction_id AS transactionId, ra.principal, ra.interest,
      COALESCE(SUM(ral.principal), 0) AS linesPrincipal, COALESCE(SUM(ral.interest), 0) AS linesInterest
    FROM repayment_allocations AS ra
    JOIN loan_transactions AS t ON t.id = ra.transaction_id
    LEFT JOIN repayment_allocation_lines AS ral ON ral.transaction_id = ra.transaction_id
    WHERE ra.current = 1 AND t.id NOT IN (SELECT transaction_id FROM transaction_reversals)
    GROUP BY ra.transaction_id
    HAVING ra.principal <> COALESCE(SUM(ral.principal), 0) OR ra.interest <> COALESCE(SUM(ral.interest), 0)
      OR SUM(CASE WHEN ral.paid_on <> t.transaction_date OR ral.loan_id <> t.loan_id THEN 1 ELSE 0 END) > 0
    ORDER BY ra.transaction_id`);
}

/**
 * Each savings transaction against the entry it names: its date, and what the entry moves on her savings account of
 * that kind (the transactions sharing an entry, a deposit withheld at a disbursement or savings applied to a loan,
 * together).
 */
export function savingsTransactionsDisagreeing(db: FundDatabase) {
  return db.all<{ entryId: string; memberId: string; kind: string; problem: string }>(sql`
    WITH named AS (
      SELECT journal_entry_id AS entry_id, member_id, kind, SUM(amount) AS amount, MIN(transaction_date) AS first_day, MAX(transaction_date) AS last_day
      FROM savings_transactions GROUP BY journal_entry_id, member_id, kind
    ),
    booked AS (
      SELECT n.entry_id, n.member_id, n.kind, n.amount, n.first_day, n.last_day, e.id AS found, e.entry_date,
        COALESCE(SUM(CASE WHEN jl.member_id = n.member_id AND jl.account_code = CASE n.kind WHEN 'compulsory' THEN ${accountCodes.compulsorySavings} ELSE ${accountCodes.voluntarySavings} END
          THEN jl.credit - jl.debit ELSE 0 END), 0) AS ledger
      FROM named AS n LEFT JOIN journal_entries AS e ON e.id = n.entry_id LEFT JOIN journal_lines AS jl ON jl.entry_id = n.entry_id
      GROUP BY n.entry_id, n.member_id, n.kind
    )
    SELECT entry_id AS entryId, member_id AS memberId, kind, CASE
        WHEN found IS NULL THEN 'no journal entry has the id it names'
        WHEN entry_date <> first_day OR entry_date <> last_day THEN 'it is dated ' || first_day || ', the entry ' || entry_date
        WHEN ledger <> amount THEN 'it moves ' || amount || ' on her ' || kind || ' savings, the entry ' || ledger
      END AS problem
    FROM booked WHERE problem IS NOT NULL
    ORDER BY entry_id, member_id, kind`);
}

/** Entries whose source record is not there: every entry books a record of the kind it names, or reverses an entry. */
export function entriesWithoutSource(db: FundDatabase) {
  return db.all<{ entryId: string; sequence: number; sourceType: string; sourceId: string }>(sql`
    SELECT e.id AS entryId, e.sequence, e.source_type AS sourceType, e.source_id AS sourceId FROM journal_entries AS e
    WHERE CASE e.source_type
      WHEN 'loan_transaction' THEN NOT EXISTS (SELECT 1 FROM loan_transactions AS t WHERE t.id = e.source_id)
      WHEN 'savings_transaction' THEN NOT EXISTS (SELECT 1 FROM savings_transactions AS s WHERE s.id = e.source_id)
      WHEN 'provision_run' THEN NOT EXISTS (SELECT 1 FROM provision_runs AS p WHERE p.id = e.source_id AND p.journal_entry_id = e.id)
      WHEN 'capital_movement' THEN NOT EXISTS (SELECT 1 FROM capital_movements AS c WHERE c.id = e.source_id AND c.journal_entry_id = e.id)
      ELSE 1 END
    ORDER BY e.sequence`);
}

/** The triggers that keep the journal, the audit trail and the closed periods append-only, as they stand in the file. */
export function storedTriggers(db: FundDatabase): Map<string, string> {
  return new Map(db.all<{ name: string; sql: string | null }>(sql`SELECT name, sql FROM sqlite_master WHERE type = 'trigger'`).map((row) => [row.name, row.sql ?? '']));
}

/**
 * What a loan's row keeps of its transactions and schedule, against them: the principal and day it was disbursed, its
 * write-off and the day of it, its number of reschedulings and of installments. The row is what lists and reports
 * read; its transactions and schedule are what the journal and the replay hold.
 */
export function loansDisagreeingWithRecords(db: FundDatabase) {
  return db.all<{ loanId: string; problem: string }>(sql`
    WITH reversed AS (SELECT transaction_id FROM transaction_reversals),
    kept AS (
      SELECT l.id, l.status, l.principal, l.disbursed_on, l.written_off_on, l.reschedule_count, l.installments,
        (SELECT t.amount FROM loan_transactions AS t WHERE t.loan_id = l.id AND t.type = 'disbursement' AND t.id NOT IN reversed) AS lent,
        (SELECT t.transaction_date FROM loan_transactions AS t WHERE t.loan_id = l.id AND t.type = 'disbursement' AND t.id NOT IN reversed) AS lent_on,
        (SELECT t.transaction_date FROM loan_transactions AS t WHERE t.loan_id = l.id AND t.type = 'write_off' AND t.id NOT IN reversed) AS written_off_day,
        (SELECT COUNT(*) FROM schedule_versions AS v WHERE v.loan_id = l.id) AS versions,
        (SELECT COUNT(*) FROM schedule_installments AS i WHERE i.loan_id = l.id AND i.version = 1) AS first_installments
      FROM loans AS l
    )
    SELECT id AS loanId, CASE
        WHEN disbursed_on IS NOT lent_on THEN 'it is kept as disbursed on ' || COALESCE(disbursed_on, 'no day') || ', its disbursement is dated ' || COALESCE(lent_on, 'nowhere')
        WHEN lent IS NOT NULL AND lent <> principal THEN 'it is kept as lending ' || principal || ', its disbursement lent ' || lent
        WHEN (status = 'written_off') <> (written_off_day IS NOT NULL) OR written_off_on IS NOT written_off_day
          THEN 'it is kept as ' || status || COALESCE(' (written off on ' || written_off_on || ')', '') || ', and its transactions write it off ' || COALESCE('on ' || written_off_day, 'never')
        WHEN lent_on IS NOT NULL AND reschedule_count <> versions - 1 THEN 'it is kept as rescheduled ' || reschedule_count || ' times, and it has ' || versions || ' schedule versions'
        WHEN lent_on IS NOT NULL AND installments <> first_installments THEN 'it is kept as lent over ' || installments || ' installments, and the schedule frozen at its disbursement has ' || first_installments
      END AS problem
    FROM kept WHERE problem IS NOT NULL
    ORDER BY id`);
}

/** Timeline rows of no disbursed loan: the reports read every row, whoever it names. */
export function timelinesOfNoLoan(db: FundDatabase) {
  return db.all<{ loanId: string; rows: number }>(sql`
    SELECT s.loan_id AS loanId, COUNT(*) AS rows FROM loan_timeline_segments AS s
    WHERE NOT EXISTS (SELECT 1 FROM loans AS l WHERE l.id = s.loan_id AND l.disbursed_on IS NOT NULL)
    GROUP BY s.loan_id ORDER BY s.loan_id`);
}

/**
 * Each collection sheet against the money recorded at it (every repayment and savings deposit pointing at it, reversed
 * or not: the cash counted at the meeting stays what it was), and money pointing at a sheet that is not there.
 */
export function collectionSheetsDisagreeing(db: FundDatabase) {
  return db.all<{ sheetId: string; problem: string }>(sql`
    WITH recorded AS (
      SELECT collection_sheet_id AS sheet_id, amount, transaction_date FROM loan_transactions WHERE collection_sheet_id IS NOT NULL
      UNION ALL
      SELECT collection_sheet_id, amount, transaction_date FROM savings_transactions WHERE collection_sheet_id IS NOT NULL
    ),
    per_sheet AS (SELECT sheet_id, SUM(amount) AS total, MIN(transaction_date) AS first_day, MAX(transaction_date) AS last_day FROM recorded GROUP BY sheet_id)
    SELECT COALESCE(c.id, p.sheet_id) AS sheetId, CASE
        WHEN c.id IS NULL THEN 'money recorded at it points at a sheet that is not there'
        WHEN COALESCE(p.total, 0) <> c.cash_total THEN 'it counted ' || c.cash_total || ' in cash, and what was recorded at it adds up to ' || COALESCE(p.total, 0)
        WHEN p.first_day <> c.meeting_on OR p.last_day <> c.meeting_on THEN 'its meeting was on ' || c.meeting_on || ', and money recorded at it is dated otherwise'
      END AS problem
    FROM per_sheet AS p FULL JOIN collection_sheets AS c ON c.id = p.sheet_id
    WHERE problem IS NOT NULL
    ORDER BY sheetId`);
}

/** Savings movements whose type says one way and amount the other (amounts are signed: deposits in, the rest out). */
export function savingsTypesDisagreeing(db: FundDatabase) {
  return db.all<{ id: string; type: string; amount: number }>(sql`
    SELECT id, type, amount FROM savings_transactions
    WHERE (type = 'deposit' AND amount <= 0) OR (type IN ('withdrawal', 'transfer_to_loan') AND amount >= 0) OR type NOT IN ('deposit', 'withdrawal', 'transfer_to_loan')
    ORDER BY id`);
}

/** Each provision run against its entry: the provision account moved from the balance it found to the one required. */
export function provisionRunsDisagreeing(db: FundDatabase) {
  return db.all<{ runId: string; change: number; ledger: number | null }>(sql`
    SELECT p.id AS runId, p.required - p.previous_balance AS change,
      (SELECT -${netDebit(accountCodes.loanLossProvision)} FROM journal_lines AS jl WHERE jl.entry_id = p.journal_entry_id) AS ledger
    FROM provision_runs AS p
    WHERE (p.journal_entry_id IS NULL AND p.required <> p.previous_balance)
      OR (p.journal_entry_id IS NOT NULL AND (SELECT -${netDebit(accountCodes.loanLossProvision)} FROM journal_lines AS jl WHERE jl.entry_id = p.journal_entry_id) IS NOT p.required - p.previous_balance)
    ORDER BY p.id`);
}
