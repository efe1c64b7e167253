// The outcomes a command can refuse with. Services throw a DomainError (the throw is what rolls a better-sqlite3
// transaction back); src/http/error-table.ts maps each code to its HTTP status, in one place.

export const domainErrorCodes = [
  'invalid_request',
  'unauthenticated',
  'token_expired',
  'invalid_credentials',
  'too_many_login_attempts',
  'too_many_requests',
  'json_too_deep',
  'role_forbidden',
  'scope_forbidden',
  'not_found',
  'area_not_found',
  'group_not_found',
  'member_not_found',
  'user_not_found',
  'duplicate_code',
  'duplicate_username',
  'last_admin',
  'duplicate_national_id',
  'area_parent_invalid',
  'area_level_invalid',
  'group_area_not_village',
  'group_dissolved',
  'group_full',
  'group_too_small',
  'group_has_active_members',
  'group_officer_invalid',
  'group_leader_not_member',
  'member_not_active',
  'member_has_open_loans',
  'date_before_member_activity',
  'member_already_in_group',
  'member_under_age',
  'date_in_future',
  'date_before_group_formed',
  'date_before_joined',
  'date_before_application',
  'date_before_approval',
  'date_before_status_change',
  'user_scope_invalid',
  'current_password_wrong',
  'import_rows_invalid',
  'import_interrupted',
  'settings_invalid',
  'idempotency_key_required',
  'idempotency_key_reused',
  'period_closed',
  'provision_before_last_run',
  'product_not_found',
  'product_invalid',
  'loan_not_found',
  'transaction_not_found',
  'loan_not_applied',
  'loan_not_approved',
  'loan_not_disbursed',
  'loan_closed',
  'loan_written_off',
  'loan_not_written_off',
  'terms_outside_product',
  'member_cap_exceeded',
  'approval_needs_second_person',
  'date_before_disbursement',
  'date_before_reschedule',
  'exceeds_outstanding',
  'amount_exceeds_balance',
  'compulsory_savings_locked',
  'transaction_already_reversed',
  'reversal_not_allowed',
  'cash_total_mismatch',
  'sheet_line_invalid',
  'export_not_found',
  'account_not_found',
] as const;

export type DomainErrorCode = (typeof domainErrorCodes)[number];

export interface ErrorDetail {
  /** Where the problem is: a field path (`lines.3.amount`) or, for a file, `line 12`. */
  path: string;
  message: string;
}

export class DomainError extends Error {
  readonly code: DomainErrorCode;
  readonly details: ErrorDetail[];

  constructor(code: DomainErrorCode, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = 'DomainError';
    this.code = code;
    this.details = details;
  }
}
