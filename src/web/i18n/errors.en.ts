// The reasons beside a field in English, where the API's own words are a validator's (a type, a format, another field's
// name) rather than a sentence for the person at the form; dates as the page writes them. Any other reason is the
// API's, as a sentence.

const pageDate = (isoDate: string | undefined) => (isoDate ?? '').split('-').reverse().join('/');

export const fieldMessagesEn: [RegExp, (match: RegExpExecArray) => string][] = [
  [/^(must not be empty|required|Required)$|received undefined/i, () => 'Required.'],
  [/calendar date|must be a real date/, () => 'Not a real date.'],
  [/must be on or after (\d{4}-\d{2}-\d{2})/, (match) => `Must be on or after ${pageDate(match[1])}.`],
  [/must be after disbursedOn/, () => 'Must be after the disbursement date.'],
  [/must be after (\d{4}-\d{2}-\d{2})/, (match) => `Must be after ${pageDate(match[1])}.`],
  [/must not be after asOf \((\d{4}-\d{2}-\d{2})\)/, (match) => `Must not be after the report's date (${pageDate(match[1])}).`],
  [/must not be after (\w+)$/, () => 'Must not be after the end of the period.'],
  [/decimal string|not_a_decimal/, () => 'An amount in digits only, such as 1,500,000.'],
  [/Invalid option|Invalid enum|expected one of/i, () => 'Choose a value from the list.'],
  [/expected (number|int)|Too small|Too big/i, () => 'Not a number, or out of range.'],
];

/** A reason as a sentence: its first letter a capital, a full stop at its end. */
export function asSentence(reason: string): string {
  const text = reason.trim();
  if (text === '') return text;
  const capital = text.charAt(0).toUpperCase() + text.slice(1);
  return /[.!?)]$/.test(capital) ? capital : `${capital}.`;
}
