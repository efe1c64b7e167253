// The fund ledger's tables (drizzle, SQLite dialect). Dates are `YYYY-MM-DD` TEXT, timestamps ISO 8601 UTC TEXT,
// amounts INTEGER minor units; every id is an opaque TEXT. Migrations under db/migrations are generated from this.
import { type AnySQLiteColumn, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from 'drizzle-orm/sqlite-core';
import { type SQL, sql } from 'drizzle-orm';

export const areaLevels = ['province', 'commune', 'village'] as const;
export const roles = ['admin', 'officer', 'leader', 'auditor'] as const;
export const sexes = ['female', 'male'] as const;
export const povertyStatuses = ['poor', 'near_poor', 'recently_out_of_poverty', 'other'] as const;
export const groupStatuses = ['active', 'dissolved'] as const;
export const memberStatuses = ['active', 'exited'] as const;

export const areas = sqliteTable(
  'areas',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    searchName: text('search_name').notNull(),
    level: text('level', { enum: areaLevels }).notNull(),
    parentId: text('parent_id').references((): AnySQLiteColumn => areas.id),
    /** Ids from the root down to this area, `/id/id/id/`: a subtree is a prefix match, in any SQL dialect. */
    path: text('path').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('areas_code_unique').on(table.code), index('areas_parent_idx').on(table.parentId), index('areas_path_idx').on(table.path)],
);

export const users = sqliteTable(
  'users',
  {
    id: text('id').primaryKey(),
    username: text('username').notNull(),
    passwordHash: text('password_hash').notNull(),
    fullName: text('full_name').notNull(),
    role: text('role', { enum: roles }).notNull(),
    groupId: text('group_id').references((): AnySQLiteColumn => groups.id),
    status: text('status', { enum: ['active', 'disabled'] }).notNull().default('active'),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('users_username_unique').on(table.username)],
);

export const userAreas = sqliteTable(
  'user_areas',
  {
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
  },
  (table) => [primaryKey({ columns: [table.userId, table.areaId] })],
);

export const sessions = sqliteTable(
  'sessions',
  {
    id: text('id').primaryKey(),
    /** SHA-256 of the bearer token: the token itself is never stored. */
    tokenHash: text('token_hash').notNull(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id),
    createdAt: text('created_at').notNull(),
    expiresAt: text('expires_at').notNull(),
    revokedAt: text('revoked_at'),
  },
  (table) => [uniqueIndex('sessions_token_hash_unique').on(table.tokenHash), index('sessions_user_idx').on(table.userId)],
);

export const loginAttempts = sqliteTable(
  'login_attempts',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    username: text('username').notNull(),
    attemptedAt: text('attempted_at').notNull(),
    succeeded: integer('succeeded', { mode: 'boolean' }).notNull(),
    ip: text('ip'),
  },
  (table) => [index('login_attempts_username_idx').on(table.username, table.attemptedAt)],
);

export const groups = sqliteTable(
  'groups',
  {
    id: text('id').primaryKey(),
    /**
     * A whole number of its own, the next one when the group is registered (a trigger numbers a row written without
     * one): the timeline's as-of index keeps it beside the id, and a report over a province's loans keys them by it.
     * The numbering triggers of groups, members and timeline rows are migration 0014's: drizzle-kit keeps no
     * triggers, so a migration that rebuilds one of these tables must make its trigger again.
     */
    number: integer('number'),
    code: text('code').notNull(),
    name: text('name').notNull(),
    searchName: text('search_name').notNull(),
    areaId: text('area_id')
      .notNull()
      .references(() => areas.id),
    formedOn: text('formed_on').notNull(),
    /** Day of the month the group meets (1-31; a short month meets on its last day). */
    meetingDay: integer('meeting_day'),
    officerId: text('officer_id').references((): AnySQLiteColumn => users.id),
    leaderMemberId: text('leader_member_id').references((): AnySQLiteColumn => members.id),
    status: text('status', { enum: groupStatuses }).notNull().default('active'),
    dissolvedOn: text('dissolved_on'),
    dissolutionReason: text('dissolution_reason'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('groups_code_unique').on(table.code),
    uniqueIndex('groups_number_unique').on(table.number),
    index('groups_area_idx').on(table.areaId),
    index('groups_officer_idx').on(table.officerId),
    index('groups_formed_on_idx').on(table.formedOn),
  ],
);

export const members = sqliteTable(
  'members',
  {
    id: text('id').primaryKey(),
    /** A whole number of its own, as a group's (groups.number): the reports tell a member's loans apart by it. */
    number: integer('number'),
    fullName: text('full_name').notNull(),
    searchName: text('search_name').notNull(),
    sex: text('sex', { enum: sexes }).notNull(),
    dateOfBirth: text('date_of_birth').notNull(),
    /** The 12-digit citizen identity card number (CCCD). */
    nationalId: text('national_id').notNull(),
    phone: text('phone'),
    ethnicity: text('ethnicity').notNull(),
    /** The household's latest status; its dated history is in poverty_status_changes. */
    povertyStatus: text('poverty_status', { enum: povertyStatuses }).notNull(),
    /** The current group, or the last one for a member who has left. */
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    status: text('status', { enum: memberStatuses }).notNull().default('active'),
    joinedOn: text('joined_on').notNull(),
    leftOn: text('left_on'),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    uniqueIndex('members_national_id_unique').on(table.nationalId),
    uniqueIndex('members_number_unique').on(table.number),
    index('members_group_idx').on(table.groupId, table.status),
    index('members_search_name_idx').on(table.searchName),
  ],
);

export const memberships = sqliteTable(
  'memberships',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    joinedOn: text('joined_on').notNull(),
    leftOn: text('left_on'),
    leftReason: text('left_reason'),
  },
  (table) => [
    // Covers outreach's lookup of the group each member belonged to on a day (report.repo's membersInPeriod).
    index('memberships_member_idx').on(table.memberId, table.joinedOn, table.id, table.leftOn, table.groupId),
    index('memberships_group_idx').on(table.groupId, table.joinedOn),
  ],
);

export const povertyStatusChanges = sqliteTable(
  'poverty_status_changes',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    status: text('status', { enum: povertyStatuses }).notNull(),
    effectiveOn: text('effective_on').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  // Covers the lookup of a household's status on a day, its last change by then (report.repo's membersInPeriod).
  (table) => [index('poverty_status_changes_member_idx').on(table.memberId, table.effectiveOn, table.id, table.status)],
);

/** Fund-wide settings, one row per key, the value as JSON validated by the settings module. */
export const settings = sqliteTable('settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: text('updated_at').notNull(),
});

// Ledger

export const accounts = sqliteTable('accounts', {
  code: text('code').primaryKey(),
  nameVi: text('name_vi').notNull(),
  nameEn: text('name_en').notNull(),
  type: text('type', { enum: ['asset', 'liability', 'equity', 'income', 'expense'] }).notNull(),
  normalSide: text('normal_side', { enum: ['debit', 'credit'] }).notNull(),
});

/** Append-only (triggers refuse UPDATE and DELETE); each entry hashes its content and the previous entry's hash. */
export const journalEntries = sqliteTable(
  'journal_entries',
  {
    id: text('id').primaryKey(),
    sequence: integer('sequence').notNull(),
    entryDate: text('entry_date').notNull(),
    postedAt: text('posted_at').notNull(),
    kind: text('kind').notNull(),
    description: text('description').notNull(),
    sourceType: text('source_type').notNull(),
    sourceId: text('source_id').notNull(),
    reversesEntryId: text('reverses_entry_id'),
    postedBy: text('posted_by').notNull(),
    previousHash: text('previous_hash').notNull(),
    hash: text('hash').notNull(),
  },
  (table) => [
    uniqueIndex('journal_entries_sequence_unique').on(table.sequence),
    index('journal_entries_date_idx').on(table.entryDate),
    index('journal_entries_source_idx').on(table.sourceType, table.sourceId),
  ],
);

export const journalLines = sqliteTable(
  'journal_lines',
  {
    id: integer('id').primaryKey({ autoIncrement: true }),
    entryId: text('entry_id')
      .notNull()
      .references(() => journalEntries.id),
    lineNumber: integer('line_number').notNull(),
    accountCode: text('account_code')
      .notNull()
      .references(() => accounts.code),
    debit: integer('debit').notNull(),
    credit: integer('credit').notNull(),
    memberId: text('member_id'),
    loanId: text('loan_id'),
  },
  (table) => [index('journal_lines_entry_idx').on(table.entryId), index('journal_lines_account_idx').on(table.accountCode)],
);

/**
 * Debits and credits per account per entry date: a read model of the journal, added to in the same transaction as
 * each entry, so that balances as of a date sum a few rows per account and day rather than every line. `ledger:verify`
 * checks it against the lines.
 */
export const accountDayTotals = sqliteTable(
  'account_day_totals',
  {
    accountCode: text('account_code').notNull(),
    day: text('day').notNull(),
    debit: integer('debit').notNull(),
    credit: integer('credit').notNull(),
  },
  (table) => [primaryKey({ columns: [table.accountCode, table.day] })],
);

export const periodCloses = sqliteTable('period_closes', {
  id: text('id').primaryKey(),
  through: text('through').notNull(),
  closedBy: text('closed_by').notNull(),
  closedAt: text('closed_at').notNull(),
});

/**
 * The audit trail: who did what, when, from where, and what it changed, written in the same transaction as the
 * write; refused attempts (403, failed sign-ins) too. Append-only (triggers in the migration).
 */
export const auditLog = sqliteTable(
  'audit_log',
  {
    id: text('id').primaryKey(),
    at: text('at').notNull(),
    userId: text('user_id'),
    username: text('username'),
    role: text('role'),
    ip: text('ip'),
    requestId: text('request_id'),
    action: text('action').notNull(),
    entity: text('entity').notNull(),
    entityId: text('entity_id'),
    outcome: text('outcome', { enum: ['done', 'refused', 'sign_in_failed'] }).notNull(),
    before: text('before'),
    after: text('after'),
  },
  (table) => [
    index('audit_log_at_idx').on(table.at),
    index('audit_log_user_idx').on(table.userId, table.at),
    index('audit_log_entity_idx').on(table.entity, table.entityId, table.at),
    index('audit_log_action_idx').on(table.action, table.at),
  ],
);

/** A money-moving request's key, the hash of its input and its answer, stored with the write itself. */
export const idempotencyRecords = sqliteTable('idempotency_records', {
  key: text('key').primaryKey(),
  userId: text('user_id').notNull(),
  route: text('route').notNull(),
  requestHash: text('request_hash').notNull(),
  statusCode: integer('status_code').notNull(),
  responseBody: text('response_body').notNull(),
  createdAt: text('created_at').notNull(),
});

// Lending

export const loanProducts = sqliteTable(
  'loan_products',
  {
    id: text('id').primaryKey(),
    code: text('code').notNull(),
    name: text('name').notNull(),
    currency: text('currency').notNull(),
    /** The product's terms as validated JSON (limits, rate, method, rounding, penalties, allocation, savings rule). */
    terms: text('terms').notNull(),
    status: text('status', { enum: ['active', 'retired'] }).notNull(),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [uniqueIndex('loan_products_code_unique').on(table.code)],
);

/**
 * Each distinct set of terms the fund's loans were made on, once: a fund lends on a few, and a report that needs many
 * loans' terms groups them by this id rather than by each loan's own copy (loans.terms, which stays the loan's record).
 */
export const loanTerms = sqliteTable('loan_terms', {
  id: integer('id').primaryKey(),
  terms: text('terms').notNull().unique(),
});

export const loanStatuses = ['applied', 'approved', 'rejected', 'withdrawn', 'active', 'closed', 'written_off'] as const;

export const loans = sqliteTable(
  'loans',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    productId: text('product_id')
      .notNull()
      .references(() => loanProducts.id),
    currency: text('currency').notNull(),
    principal: integer('principal').notNull(),
    installments: integer('installments').notNull(),
    /** The terms this loan was made on, copied from the product at application: a product change never reaches it. */
    terms: text('terms').notNull(),
    /** The same terms among the fund's distinct ones (loan_terms). */
    termsId: integer('terms_id').references(() => loanTerms.id),
    purpose: text('purpose').notNull(),
    status: text('status', { enum: loanStatuses }).notNull(),
    appliedOn: text('applied_on').notNull(),
    appliedBy: text('applied_by').notNull(),
    decidedOn: text('decided_on'),
    decidedBy: text('decided_by'),
    decisionNote: text('decision_note'),
    disbursedOn: text('disbursed_on'),
    firstDueOn: text('first_due_on'),
    closedOn: text('closed_on'),
    writtenOffOn: text('written_off_on'),
    rescheduleCount: integer('reschedule_count').notNull().default(0),
    createdAt: text('created_at').notNull(),
    updatedAt: text('updated_at').notNull(),
  },
  (table) => [
    index('loans_member_idx').on(table.memberId),
    index('loans_group_idx').on(table.groupId),
    index('loans_status_idx').on(table.status),
    // Covers outreach's read of the loans disbursed in a period, in the order they were disbursed.
    index('loans_disbursed_on_idx').on(table.disbursedOn, table.id, table.memberId, table.groupId, table.principal),
    // Covers the reports' join from an installment or a transaction to its loan's schedule versions, group, and the
    // day it left the books, so a collection rate over a month does not read a whole loan row (its terms) per installment;
    // and from a loan to its terms' id, so the arrears list finds the terms of thousands of loans without their rows.
    index('loans_report_idx').on(table.id, table.rescheduleCount, table.groupId, table.status, table.closedOn, table.writtenOffOn, table.termsId),
  ],
);

export const scheduleVersions = sqliteTable(
  'schedule_versions',
  {
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    version: integer('version').notNull(),
    effectiveOn: text('effective_on').notNull(),
    reason: text('reason').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.loanId, table.version] })],
);

export const scheduleInstallments = sqliteTable(
  'schedule_installments',
  {
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    version: integer('version').notNull(),
    number: integer('number').notNull(),
    dueOn: text('due_on').notNull(),
    principalDue: integer('principal_due').notNull(),
    interestDue: integer('interest_due').notNull(),
  },
  (table) => [
    primaryKey({ columns: [table.loanId, table.version, table.number] }),
    // Covers what a collection rate reads of the installments falling due in a period.
    index('schedule_installments_due_covering_idx').on(table.dueOn, table.loanId, table.version, table.number, table.principalDue, table.interestDue),
  ],
);

export const loanTransactionTypes = ['disbursement', 'repayment', 'write_off', 'recovery'] as const;

export const loanTransactions = sqliteTable(
  'loan_transactions',
  {
    id: text('id').primaryKey(),
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    memberId: text('member_id').notNull(),
    type: text('type', { enum: loanTransactionTypes }).notNull(),
    amount: integer('amount').notNull(),
    transactionDate: text('transaction_date').notNull(),
    note: text('note'),
    collectionSheetId: text('collection_sheet_id'),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (table) => [
    index('loan_transactions_loan_idx').on(table.loanId, table.transactionDate),
    index('loan_transactions_date_idx').on(table.transactionDate, table.type),
    // A posted sheet's receipt reads its transactions back.
    index('loan_transactions_sheet_idx').on(table.collectionSheetId),
  ],
);

/** A reversal cancels a transaction by pointing at it; the transaction itself is never edited. */
export const transactionReversals = sqliteTable('transaction_reversals', {
  transactionId: text('transaction_id').primaryKey(),
  reason: text('reason').notNull(),
  reversedBy: text('reversed_by').notNull(),
  reversedAt: text('reversed_at').notNull(),
});

/** How a repayment was split; a backdated transaction may re-split it, which adds a version (the newest counts). */
export const repaymentAllocations = sqliteTable(
  'repayment_allocations',
  {
    transactionId: text('transaction_id')
      .notNull()
      .references(() => loanTransactions.id),
    version: integer('version').notNull(),
    loanId: text('loan_id').notNull(),
    principal: integer('principal').notNull(),
    interest: integer('interest').notNull(),
    penalty: integer('penalty').notNull(),
    lateInterest: integer('late_interest').notNull(),
    creditAdded: integer('credit_added').notNull(),
    creditUsed: integer('credit_used').notNull(),
    journalEntryId: text('journal_entry_id').notNull(),
    current: integer('current', { mode: 'boolean' }).notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [primaryKey({ columns: [table.transactionId, table.version] }), index('repayment_allocations_loan_idx').on(table.loanId, table.current)],
);

// Savings

export const savingsKinds = ['compulsory', 'voluntary'] as const;

export const savingsTransactions = sqliteTable(
  'savings_transactions',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id),
    kind: text('kind', { enum: savingsKinds }).notNull(),
    type: text('type', { enum: ['deposit', 'withdrawal', 'transfer_to_loan'] }).notNull(),
    /** Signed: deposits positive, withdrawals and transfers negative. */
    amount: integer('amount').notNull(),
    transactionDate: text('transaction_date').notNull(),
    loanId: text('loan_id'),
    collectionSheetId: text('collection_sheet_id'),
    journalEntryId: text('journal_entry_id').notNull(),
    note: text('note'),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (table) => [
    index('savings_transactions_member_idx').on(table.memberId, table.kind, table.transactionDate),
    index('savings_transactions_sheet_idx').on(table.collectionSheetId),
    // Covers balances as of a date for every member at once.
    index('savings_transactions_balance_idx').on(table.transactionDate, table.memberId, table.kind, table.amount, table.id),
  ],
);

export const collectionSheets = sqliteTable(
  'collection_sheets',
  {
    id: text('id').primaryKey(),
    groupId: text('group_id')
      .notNull()
      .references(() => groups.id),
    meetingOn: text('meeting_on').notNull(),
    cashTotal: integer('cash_total').notNull(),
    postedBy: text('posted_by').notNull(),
    postedAt: text('posted_at').notNull(),
  },
  (table) => [index('collection_sheets_group_idx').on(table.groupId, table.meetingOn)],
);

// Read models for reports as of any date: derived from the loans' stored history in the same transaction as every
// change to it, and rebuilt from scratch by `npm run rebuild-read-models`.

/** The parts of a timeline segment's accrual (exact whole numbers, as JSON text). */
export const accrualKeys = ['penaltyPaid', 'lateInterestPaid', 'penaltyAmountDays', 'penaltyAmountPerDay', 'lateInterestAmountDays', 'lateInterestAmountPerDay'] as const;

/**
 * A segment's accrual parts in accrualKeys' order, written as the arrears index keeps them: a read that names them so is
 * answered from the index.
 */
export const accrualParts = (accrual: AnySQLiteColumn | SQL) => accrualKeys.map((key) => sql`${accrual} ->> ${sql.raw(`'$.${key}'`)}`);

/** Each loan's as-of state as date segments [fromDay, toDay): a report reads the one segment that contains its date. */
export const loanTimelineSegments = sqliteTable(
  'loan_timeline_segments',
  {
    loanId: text('loan_id')
      .notNull()
      .references(() => loans.id),
    /** The loan's member and group, copied so a report reads segments alone. */
    memberId: text('member_id').notNull().default(''),
    groupId: text('group_id').notNull().default(''),
    /** The member's and the group's numbers (members.number, groups.number): a whole-fund read keys its loans by them. */
    memberNumber: integer('member_number').notNull().default(0),
    groupNumber: integer('group_number').notNull().default(0),
    fromDay: integer('from_day').notNull(),
    /** Exclusive; the last segment runs to 99,999,999 (open-ended). */
    toDay: integer('to_day').notNull(),
    version: integer('version').notNull(),
    principalOutstanding: integer('principal_outstanding').notNull(),
    principalPaid: integer('principal_paid').notNull(),
    interestPaid: integer('interest_paid').notNull(),
    overduePrincipal: integer('overdue_principal').notNull(),
    overdueInterest: integer('overdue_interest').notNull(),
    /** Day number of the oldest unpaid due date: days past due on day D is D minus this. */
    oldestUnpaidDueDay: integer('oldest_unpaid_due_day'),
    credit: integer('credit').notNull(),
    closed: integer('closed', { mode: 'boolean' }).notNull(),
    writtenOff: integer('written_off', { mode: 'boolean' }).notNull(),
    principalWrittenOff: integer('principal_written_off').notNull(),
    rescheduleCount: integer('reschedule_count').notNull(),
    /** Principal of installments due before the segment's days (the cumulative repayment rate's denominator). */
    principalFallenDue: integer('principal_fallen_due').notNull().default(0),
    /** What penalty and late interest on a day inside the segment are computed from (exact, JSON). */
    accrual: text('accrual').notNull(),
  },
  (table) => {
    // Every column the reports' as-of reads aggregate, so that the table itself is not visited.
    const asOf = [
      table.toDay,
      table.fromDay,
      table.loanId,
      table.memberId,
      table.groupId,
      table.principalOutstanding,
      table.principalPaid,
      table.overduePrincipal,
      table.overdueInterest,
      table.oldestUnpaidDueDay,
      table.closed,
      table.writtenOff,
      table.rescheduleCount,
      table.principalFallenDue,
      table.memberNumber,
      table.groupNumber,
    ] as const;
    return [
      index('loan_timeline_as_of_idx').on(...asOf),
      // The same columns for the bounded segments longer than two months, so few (a grace period, a season's
      // installment) that a read of the day's segments takes them from here and reads the as-of index only two months
      // past its day, not through every future segment (src/modules/reports/classification.repo.ts, segmentsContaining).
      index('loan_timeline_long_idx')
        .on(...asOf)
        .where(sql`${table.toDay} - ${table.fromDay} > 62 AND ${table.toDay} < 99999999`),
      index('loan_timeline_loan_idx').on(table.loanId, table.fromDay),
      // A segment with something unpaid past its due date, by its loan and first day, with its accrual's parts: the
      // arrears list reads the penalty state of each of tens of thousands of past-due loans from here, seeking into a
      // few hundred thousand entries, rather than a row each in the whole table.
      index('loan_timeline_arrears_idx')
        .on(table.loanId, table.fromDay, table.oldestUnpaidDueDay, ...accrualParts(table.accrual))
        .where(sql`${table.oldestUnpaidDueDay} IS NOT NULL`),
    ];
  },
);

/** How each repayment's current split falls on installments: collection rates read it. */
export const repaymentAllocationLines = sqliteTable(
  'repayment_allocation_lines',
  {
    transactionId: text('transaction_id')
      .notNull()
      .references(() => loanTransactions.id),
    loanId: text('loan_id').notNull(),
    installmentNumber: integer('installment_number').notNull(),
    paidOn: text('paid_on').notNull(),
    principal: integer('principal').notNull(),
    interest: integer('interest').notNull(),
  },
  (table) => [
    // Covers what a collection rate reads of the payments on an installment.
    index('repayment_allocation_lines_installment_covering_idx').on(table.loanId, table.installmentNumber, table.paidOn, table.principal, table.interest),
    index('repayment_allocation_lines_transaction_idx').on(table.transactionId),
  ],
);

/** The fund's targets for a period and area, beside which the outreach report shows its figures. */
export const plans = sqliteTable(
  'plans',
  {
    id: text('id').primaryKey(),
    areaId: text('area_id').references(() => areas.id),
    periodStart: text('period_start').notNull(),
    periodEnd: text('period_end').notNull(),
    metric: text('metric', { enum: ['groupsFormed', 'membersJoined', 'borrowingMembers', 'loansDisbursed', 'amountDisbursed', 'householdsOutOfPoverty'] }).notNull(),
    target: integer('target').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: text('created_at').notNull(),
  },
  (table) => [uniqueIndex('plans_unique').on(table.areaId, table.periodStart, table.periodEnd, table.metric)],
);

export const capitalDirections = ['received', 'returned'] as const;

/**
 * The fund's capital as it comes in from those who fund it (the province's budget, the Women's Union, a donor) and goes
 * back to them: account 3111 against cash. Without it the cash lent out has no source in the books.
 */
export const capitalMovements = sqliteTable(
  'capital_movements',
  {
    id: text('id').primaryKey(),
    direction: text('direction', { enum: capitalDirections }).notNull(),
    /** Minor units, positive; the direction says which way. */
    amount: integer('amount').notNull(),
    movedOn: text('moved_on').notNull(),
    /** Who the money came from or went back to. */
    source: text('source').notNull(),
    note: text('note'),
    journalEntryId: text('journal_entry_id').notNull(),
    recordedBy: text('recorded_by').notNull(),
    recordedAt: text('recorded_at').notNull(),
  },
  (table) => [index('capital_movements_moved_on_idx').on(table.movedOn, table.id)],
);

export const provisionRuns = sqliteTable('provision_runs', {
  id: text('id').primaryKey(),
  asOf: text('as_of').notNull(),
  required: integer('required').notNull(),
  previousBalance: integer('previous_balance').notNull(),
  journalEntryId: text('journal_entry_id'),
  runBy: text('run_by').notNull(),
  runAt: text('run_at').notNull(),
});
