// The web app's templates are TypeScript functions that return `html` tagged templates: every interpolated value is
// escaped unless it is already Html (made by `html` itself or, deliberately, by `raw`). The compiler checks each view's
// data, and nothing is parsed at run time.

export class Html {
  constructor(readonly text: string) {}
  toString(): string {
    return this.text;
  }
}

const escapes: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => escapes[character] ?? character);
}

/** What a template may interpolate: text (escaped), Html (as is), lists of either, or nothing. */
export type Interpolation = Html | string | number | bigint | boolean | null | undefined | readonly Interpolation[];

function render(value: Interpolation): string {
  if (value instanceof Html) return value.text;
  if (value === null || value === undefined || value === false || value === true) return '';
  if (Array.isArray(value)) return value.map(render).join('');
  return escapeHtml(String(value));
}

export function html(strings: TemplateStringsArray, ...values: Interpolation[]): Html {
  let text = strings[0] ?? '';
  for (let index = 0; index < values.length; index += 1) text += render(values[index]) + (strings[index + 1] ?? '');
  return new Html(text);
}

/** Markup that is already safe (built here, never from user input). */
export function raw(text: string): Html {
  return new Html(text);
}

/** An attribute that is present or absent: `${attribute('selected', isChosen)}`. */
export function attribute(name: string, present: boolean): Html {
  return new Html(present ? ` ${name}` : '');
}
