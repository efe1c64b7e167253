// The pieces pages are built from: labelled fields with their error beside them, the error summary, tables of money,
// pagers. Every field has a visible label, and an error is tied to its field with aria-describedby.
import { randomUUID } from 'node:crypto';
import { type FormErrors, type FormFields, optional } from '../forms.js';
import { formatDate, formatMoney, formatPercent } from '../format.js';
import { type Html, attribute, html } from '../html.js';
import type { Page } from '../page.js';

/** A field's element id; `form` tells apart the fields of the same name in two forms of one page. */
export function fieldId(name: string, form = ''): string {
  return `f-${form ? `${form}-` : ''}${name.replace(/[^A-Za-z0-9_-]/g, '-')}`;
}

export function csrfField(page: Page): Html {
  return html`<input type="hidden" name="_csrf" value="${page.csrf}">`;
}

/** The key submissionKeyOf reads: made when the form is first drawn, and kept through its errors and previews. */
export function submissionKeyField(fields: FormFields | null): Html {
  return html`<input type="hidden" name="idempotencyKey" value="${(fields && optional(fields, 'idempotencyKey')) ?? randomUUID()}">`;
}

interface FieldOptions {
  name: string;
  label: string;
  value?: string | undefined;
  errors?: FormErrors | null | undefined;
  /** The error's key when it differs from the field's name (`lines.0.repayment`). */
  errorPath?: string;
  /** The form's name, where a page has two forms with fields of the same name. */
  form?: string;
  type?: 'text' | 'date' | 'password' | 'number' | 'tel' | 'search' | 'file';
  required?: boolean;
  hint?: string | undefined;
  inputmode?: 'numeric' | 'decimal' | 'tel' | 'text';
  autocomplete?: string;
  pattern?: string;
  maxlength?: number;
  accept?: string;
  extra?: Html;
}

function describedBy(id: string, hint: string | undefined, error: string | undefined): Html {
  const ids = [hint ? `${id}-hint` : '', error ? `${id}-error` : ''].filter(Boolean).join(' ');
  return ids ? html` aria-describedby="${ids}"` : html``;
}

function labelText(page: Page, label: string, required: boolean | undefined): Html {
  return required ? html`${label} <span class="required">(${page.t.common.required})</span>` : html`${label}`;
}

function fieldMessages(id: string, hint: string | undefined, error: string | undefined): Html {
  return html`${hint ? html`<span class="hint" id="${id}-hint">${hint}</span>` : ''}${error ? html`<span class="field-error" id="${id}-error">${error}</span>` : ''}`;
}

export function inputField(page: Page, options: FieldOptions): Html {
  const id = fieldId(options.name, options.form);
  const error = options.errors?.fields[options.errorPath ?? options.name];
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${id}">${labelText(page, options.label, options.required)}</label>
<input id="${id}" name="${options.name}" type="${options.type ?? 'text'}"${options.type === 'file' ? '' : html` value="${options.value ?? ''}"`}${attribute('required', options.required === true)}${
    options.inputmode ? html` inputmode="${options.inputmode}"` : ''
  }${options.autocomplete ? html` autocomplete="${options.autocomplete}"` : ''}${options.pattern ? html` pattern="${options.pattern}"` : ''}${options.maxlength ? html` maxlength="${options.maxlength}"` : ''}${
    options.accept ? html` accept="${options.accept}"` : ''
  }${error ? html` aria-invalid="true"` : ''}${describedBy(id, options.hint, error)}${options.extra ?? ''}>
${fieldMessages(id, options.hint, error)}</div>`;
}

/** An amount field: grouped digits are fine ("1.500.000"), the keyboard is the number pad. */
export function amountField(page: Page, options: Omit<FieldOptions, 'type' | 'inputmode'>): Html {
  return inputField(page, { ...options, type: 'text', inputmode: 'numeric', hint: options.hint ?? page.t.common.amountHint, autocomplete: 'off' });
}

export function dateField(page: Page, options: Omit<FieldOptions, 'type'>): Html {
  return inputField(page, { ...options, type: 'date' });
}

export interface Choice {
  value: string;
  label: string;
}

export function selectField(
  page: Page,
  options: { name: string; label: string; choices: Choice[]; value?: string | undefined; errors?: FormErrors | null; required?: boolean; hint?: string; empty?: string; multiple?: boolean; values?: string[]; form?: string },
): Html {
  const id = fieldId(options.name, options.form);
  const error = options.errors?.fields[options.name];
  const chosen = new Set(options.values ?? (options.value === undefined ? [] : [options.value]));
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${id}">${labelText(page, options.label, options.required)}</label>
<select id="${id}" name="${options.name}"${attribute('required', options.required === true)}${attribute('multiple', options.multiple === true)}${error ? html` aria-invalid="true"` : ''}${describedBy(id, options.hint, error)}>
${options.empty !== undefined ? html`<option value="">${options.empty}</option>` : ''}${options.choices.map((choice) => html`<option value="${choice.value}"${attribute('selected', chosen.has(choice.value))}>${choice.label}</option>`)}
</select>
${fieldMessages(id, options.hint, error)}</div>`;
}

export function textAreaField(page: Page, options: { name: string; label: string; value?: string; errors?: FormErrors | null; required?: boolean; rows?: number }): Html {
  const id = fieldId(options.name);
  const error = options.errors?.fields[options.name];
  return html`<div class="field${error ? ' has-error' : ''}">
<label for="${id}">${labelText(page, options.label, options.required)}</label>
<textarea id="${id}" name="${options.name}" rows="${options.rows ?? 3}"${attribute('required', options.required === true)}${error ? html` aria-invalid="true"` : ''}${describedBy(id, undefined, error)}>${options.value ?? ''}</textarea>
${fieldMessages(id, undefined, error)}</div>`;
}

export function checkboxField(page: Page, options: { name: string; label: string; checked: boolean; errors?: FormErrors | null }): Html {
  const id = fieldId(options.name);
  const error = options.errors?.fields[options.name];
  return html`<div class="field checkbox${error ? ' has-error' : ''}">
<input type="checkbox" id="${id}" name="${options.name}" value="true"${attribute('checked', options.checked)}${describedBy(id, undefined, error)}>
<label for="${id}">${options.label}</label>
${fieldMessages(id, undefined, error)}</div>`;
}

/**
 * The refusal at the top of a form: its message, then each field's reason as a link to the field. Focused on load
 * (tabindex=-1 and the app script), so a keyboard or screen-reader user hears it first.
 */
export function errorSummary(page: Page, errors: FormErrors | null | undefined, labels: Record<string, string> = {}, form = ''): Html {
  if (!errors) return html``;
  const entries = Object.entries(errors.fields);
  return html`<div class="error-summary" role="alert" tabindex="-1" id="error-summary">
<p><strong>${page.t.common.errorSummary}</strong> ${errors.summary}</p>
${entries.length > 0 ? html`<ul>${entries.map(([path, message]) => html`<li><a href="#${fieldId(path, form)}">${labels[path] ?? path}</a>: ${message}</li>`)}</ul><p>${page.t.common.fixFields}</p>` : ''}
</div>`;
}

export function notice(text: string | null | undefined): Html {
  return text ? html`<p class="notice" role="status">${text}</p>` : html``;
}

export function money(page: Page, amount: string | null | undefined, currency = page.currency): string {
  return amount === null || amount === undefined ? '' : formatMoney(amount, currency, page.lang);
}

export function percent(page: Page, value: string | null): string {
  return formatPercent(value, page.lang);
}

export { formatDate as date };

/** A wide table scrolls sideways inside its own box on a narrow phone; the box is focusable so a keyboard can scroll it. */
export function scrollTable(caption: string, table: Html): Html {
  return html`<div class="table-scroll" role="region" aria-label="${caption}" tabindex="0">${table}</div>`;
}

/** "Next page" for cursor lists, keeping the other query parameters. */
export function pager(page: Page, basePath: string, query: Record<string, string | undefined>, nextCursor: string | null): Html {
  const params = (cursor?: string) => {
    const search = new URLSearchParams();
    // The page's own cursor is left behind: the first page has none, the next its own.
    for (const [name, text] of Object.entries(query)) if (text && name !== 'cursor') search.set(name, text);
    if (cursor) search.set('cursor', cursor);
    const text = search.toString();
    return text ? `${basePath}?${text}` : basePath;
  };
  if (!nextCursor && !query.cursor) return html``;
  return html`<nav class="pager" aria-label="${page.t.common.next}">${query.cursor ? html`<a href="${params()}">${page.t.common.first}</a>` : ''}${nextCursor ? html`<a href="${params(nextCursor)}" rel="next">${page.t.common.next} →</a>` : ''}</nav>`;
}

/** A definition list of label → value pairs. */
export function facts(pairs: [string, Html | string | number | null | undefined][]): Html {
  return html`<dl class="facts">${pairs.filter(([, shown]) => shown !== null && shown !== undefined && shown !== '').map(([label, shown]) => html`<div><dt>${label}</dt><dd>${shown}</dd></div>`)}</dl>`;
}
