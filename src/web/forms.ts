// Forms: the posted fields, their check against the same zod schemas the API validates with, and a refusal turned into
// what the page shows: the message at the top and each field's reason beside it, in the page's language.
import { randomUUID } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import type { z } from 'zod';
import { statusOf, type ErrorCode } from '../http/error-table.js';
import { DomainError, type ErrorDetail } from '../modules/shared/domain-error.js';
import type { IdempotencyContext } from '../modules/shared/idempotency.js';
import { idempotencyKeyHeader } from '../modules/shared/schemas.js';
import { errorText, fieldText, type Lang } from './i18n/index.js';
import { FormExpired, type Page } from './page.js';
import { sameToken } from './session.js';

/** A posted form: each field's values in order (most fields have one). */
export type FormFields = Record<string, string[]>;

export function parseUrlEncoded(body: string): FormFields {
  const fields: FormFields = {};
  for (const [name, value] of new URLSearchParams(body)) (fields[name] ??= []).push(value);
  return fields;
}

/** The form of a POST, after its CSRF token is checked against the session's. */
export function postedForm(request: FastifyRequest, page: Page): FormFields {
  const body = request.body;
  const fields: FormFields = body && typeof body === 'object' && !Array.isArray(body) ? (body as FormFields) : {};
  const token = fields._csrf?.[0] ?? (request.headers['x-csrf-token'] as string | undefined);
  if (!sameToken(page.csrf, token)) throw new FormExpired();
  return fields;
}

export function value(fields: FormFields, name: string): string {
  return fields[name]?.[0] ?? '';
}

/** The field's value, or undefined when left empty (for optional fields). */
export function optional(fields: FormFields, name: string): string | undefined {
  const text = value(fields, name).trim();
  return text === '' ? undefined : text;
}

/**
 * The key of a form that makes something (an application, a member, a group), drawn with the form and sent with it:
 * the same form sent twice, by a double tap or again over a weak connection, then makes one, under the API route's key.
 * A form from before the field was drawn has none, and is taken as it comes.
 */
export function submissionKeyOf(fields: FormFields, route: string): IdempotencyContext | undefined {
  const key = optional(fields, 'idempotencyKey');
  if (key === undefined) return undefined;
  return { key: parseWith(idempotencyKeyHeader, key), route };
}

/**
 * A form that makes something, sent again with other content under the key of a send already recorded (edited after
 * Back, say): drawn again with a new key and a summary saying what happened, so that she opens the record to change
 * it or sends the form as a new one, rather than meeting the same refusal at every send.
 */
export function afterSentBefore(page: Page, fields: FormFields, errors: FormErrors): { fields: FormFields; errors: FormErrors } {
  if (errors.code !== 'idempotency_key_reused') return { fields, errors };
  return { fields: { ...fields, idempotencyKey: [randomUUID()] }, errors: { ...errors, summary: page.t.errors.sentBefore } };
}

/** A whole number typed in a field; what is not one goes through as typed, for the schema to refuse by name. */
export function wholeNumber(text: string | undefined): number | string | undefined {
  if (text === undefined) return undefined;
  return /^\d{1,9}$/.test(text) ? Number(text) : text;
}

/** Checks input with a command's zod schema, refusing as the API does: invalid_request with each field's path. */
export function parseWith<T extends z.ZodType>(schema: T, input: unknown): z.infer<T> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const details: ErrorDetail[] = result.error.issues.map((issue) => ({ path: issue.path.join('.'), message: issue.message }));
  throw new DomainError('invalid_request', `The request is not valid: ${details.map((detail) => `${detail.path} ${detail.message}`).join('; ')}.`, details);
}

export interface FormErrors {
  /** The refusal's code, where a page answers one refusal otherwise than the rest. */
  code?: ErrorCode;
  summary: string;
  /** Field path → reason, in the page's language. */
  fields: Record<string, string>;
  status: number;
}

export function formErrorsOf(lang: Lang, error: DomainError): FormErrors {
  const code = error.code as ErrorCode;
  const fields: Record<string, string> = {};
  for (const detail of error.details) {
    const path = detail.path.replace(/^body\./, '');
    fields[path] ??= fieldText(lang, code, detail);
  }
  return { code, summary: errorText(lang, code, error.message), fields, status: statusOf(code) };
}

export type Attempt<T> = { ok: true; value: T } | { ok: false; errors: FormErrors };

/** Runs a command; a refusal becomes the form's errors, anything else is thrown on. */
export function attempt<T>(lang: Lang, run: () => T): Attempt<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, errors: formErrorsOf(lang, error) };
    throw error;
  }
}

export async function attemptAsync<T>(lang: Lang, run: () => Promise<T>): Promise<Attempt<T>> {
  try {
    return { ok: true, value: await run() };
  } catch (error) {
    if (error instanceof DomainError) return { ok: false, errors: formErrorsOf(lang, error) };
    throw error;
  }
}
