/**
 * CSV writing with formula-injection neutralisation: a text cell that a spreadsheet would run
 * (starting with = + - @, tab or carriage return) is prefixed with a single quote, which makes
 * spreadsheets show it as text. Numbers the platform computed are written as numbers.
 */
const formulaTriggers = /^[=+\-@\t\r]/;

export function neutraliseFormula(text: string): string {
  return formulaTriggers.test(text) ? `'${text}` : text;
}

function quote(text: string): string {
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export type CsvValue = string | number | boolean | null;

export function csvCell(value: CsvValue): string {
  if (value === null) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : '';
  if (typeof value === 'boolean') return String(value);
  return quote(neutraliseFormula(value));
}

export function csvLine(values: readonly CsvValue[]): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}
