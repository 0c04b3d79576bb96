/**
 * Deterministic CSV output: RFC 4180 quoting, LF line ends, and numbers
 * rounded to 10 decimals so both engines (whose sums may differ in the last
 * bit) write byte-identical files.
 */
import type { Row } from './db.ts';

/** Formats a number with at most 10 decimals, no exponent, no trailing zeros. */
export function formatNumber(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  const r = Math.round(x * 1e10) / 1e10;
  if (Object.is(r, -0) || r === 0) return '0';
  let s = r.toFixed(10);
  s = s.replace(/\.?0+$/, '');
  return s;
}

/** Quotes a field when it holds a delimiter, quote or line break. */
export function csvField(v: unknown): string {
  if (v === null || v === undefined) return '';
  const s = typeof v === 'number' ? formatNumber(v) : String(v);
  return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
}

/** Renders rows as CSV text with the given columns. */
export function toCsv(columns: string[], rows: Row[]): string {
  const out = [columns.join(',')];
  for (const r of rows) out.push(columns.map((c) => csvField(r[c])).join(','));
  return out.join('\n') + '\n';
}
