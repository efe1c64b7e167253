// The one place where outcome codes become HTTP statuses (DESIGN.md §7). Routes never pick a failure status.
import type { DomainErrorCode } from '../modules/shared/domain-error.js';

/** Codes the HTTP layer itself produces before a service is reached. */
export type TransportErrorCode =
  | 'malformed_json'
  | 'unsupported_media_type'
  | 'body_too_large'
  | 'route_not_found'
  | 'method_not_allowed'
  | 'internal_error'
  | 'storage_unavailable';

export type ErrorCode = DomainErrorCode | TransportErrorCode;

export const errorStatus: Record<ErrorCode, number> = {
  invalid_request: 400,
  malformed_json: 400,
  unauthenticated: 401,
  token_expired: 401,
  invalid_credentials: 401,
  role_forbidden: 403,
  scope_forbidden: 403,
  not_found: 404,
  route_not_found: 404,
  area_not_found: 404,
  group_not_found: 404,
  member_not_found: 404,
  user_not_found: 404,
  method_not_allowed: 405,
  duplicate_code: 409,
  duplicate_username: 409,
  last_admin: 409,
  duplicate_national_id: 409,
  group_dissolved: 409,
  group_has_active_members: 409,
  member_not_active: 409,
  member_has_open_loans: 409,
  member_already_in_group: 409,
  body_too_large: 413,
  unsupported_media_type: 415,
  area_parent_invalid: 422,
  area_level_invalid: 422,
  group_area_not_village: 422,
  group_full: 422,
  group_too_small: 422,
  group_officer_invalid: 422,
  group_leader_not_member: 422,
  member_under_age: 422,
  date_in_future: 422,
  date_before_group_formed: 422,
  date_before_joined: 422,
  date_before_application: 422,
  date_before_approval: 422,
  date_before_status_change: 422,
  date_before_member_activity: 422,
  user_scope_invalid: 422,
  current_password_wrong: 422,
  import_rows_invalid: 422,
  import_interrupted: 409,
  settings_invalid: 422,
  too_many_login_attempts: 429,
  too_many_requests: 429,
  json_too_deep: 400,
  idempotency_key_required: 400,
  idempotency_key_reused: 409,
  product_not_found: 404,
  loan_not_found: 404,
  transaction_not_found: 404,
  loan_not_applied: 409,
  loan_not_approved: 409,
  transaction_already_reversed: 409,
  loan_not_disbursed: 422,
  loan_closed: 422,
  loan_written_off: 422,
  loan_not_written_off: 422,
  period_closed: 422,
  provision_before_last_run: 422,
  product_invalid: 422,
  terms_outside_product: 422,
  member_cap_exceeded: 422,
  approval_needs_second_person: 422,
  date_before_disbursement: 422,
  date_before_reschedule: 422,
  exceeds_outstanding: 422,
  amount_exceeds_balance: 422,
  compulsory_savings_locked: 422,
  reversal_not_allowed: 422,
  cash_total_mismatch: 422,
  sheet_line_invalid: 422,
  export_not_found: 404,
  account_not_found: 404,
  internal_error: 500,
  storage_unavailable: 503,
};

export function statusOf(code: ErrorCode): number {
  return errorStatus[code];
}
