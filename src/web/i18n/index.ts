// Which language a page speaks, and how a refusal from the services reads in it.
import type { ErrorCode } from '../../http/error-table.js';
import type { ErrorDetail } from '../../modules/shared/domain-error.js';
import { en } from './en.js';
import { asSentence, fieldMessagesEn } from './errors.en.js';
import { errorMessagesVi, fieldMessagesVi } from './errors.vi.js';
import { type Messages, vi } from './vi.js';

export type Lang = 'vi' | 'en';
export const languages: readonly Lang[] = ['vi', 'en'];
export type { Messages };

const dictionaries: Record<Lang, Messages> = { vi, en };

export function messagesFor(lang: Lang): Messages {
  return dictionaries[lang];
}

export function isLang(value: unknown): value is Lang {
  return value === 'vi' || value === 'en';
}

/** The refusal as a whole, in the page's language: Vietnamese from the table, English as the API says it. */
export function errorText(lang: Lang, code: ErrorCode, apiMessage: string): string {
  if (lang === 'en') return apiMessage;
  return errorMessagesVi[code] ?? apiMessage;
}

/** A reason as one of a table's phrases says it, when the table knows it; null otherwise. */
function knownReason(table: [RegExp, (match: RegExpExecArray) => string][], reason: string): string | null {
  for (const [pattern, say] of table) {
    const match = pattern.exec(reason);
    if (match) return say(match);
  }
  return null;
}

/** A service's reason in Vietnamese, when it is one the table knows; null otherwise. */
export function knownReasonVi(reason: string): string | null {
  return knownReason(fieldMessagesVi, reason);
}

/**
 * The reason beside one field: in English the service's own words as a sentence (a validator's, such as a type or
 * another field's name, in the page's words); in Vietnamese a known phrase, else the code's message.
 */
export function fieldText(lang: Lang, code: ErrorCode, detail: ErrorDetail): string {
  if (lang === 'en') return knownReason(fieldMessagesEn, detail.message) ?? asSentence(detail.message);
  return knownReasonVi(detail.message) ?? errorMessagesVi[code] ?? detail.message;
}
