/**
 * What a data cell shows of the imported events: the fields an analyst
 * mapped, in the order they read a row (when, what, who, from where), with
 * the time as a timestamp rather than the staging table's microseconds, and
 * the file and line each row came from last. Staging's own bookkeeping
 * (row numbers, how a timestamp was parsed, whether an id was generated) is
 * not the user's data and stays out.
 */
import { ident, type ColumnInfo } from '../db.ts';

/** One preview column: its name, the SQL over the `events` view that gives it, its type. */
export interface PreviewColumn { name: string; expr: string; type: string }

/** The preview's columns, in the order shown (before empty ones are dropped). */
export const PREVIEW_COLUMNS: readonly PreviewColumn[] = [
  { name: 'event_ts', expr: 'make_timestamp(ts_us)', type: 'TIMESTAMP' },
  ...['event_id', 'event_name'].map((n) => ({ name: n, expr: n, type: 'VARCHAR' })),
  { name: 'is_conversion', expr: 'is_conversion', type: 'BOOLEAN' },
  { name: 'revenue', expr: 'revenue', type: 'DOUBLE' },
  ...['currency', 'transaction_id', 'user_id', 'anon_id', 'session_id', 'channel_explicit',
    'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer_host', 'page_url',
    'gclid', 'msclkid', 'fbclid', 'ttclid', 'li_fat_id', 'rdt_cid', 'dclid', 'srsltid', 'click_token'].map((n) => ({ name: n, expr: n, type: 'VARCHAR' })),
  { name: 'file', expr: '_file', type: 'VARCHAR' },
  { name: 'line', expr: '_line', type: 'INTEGER' },
];

/** The preview reads at most this many rows: a preview, not a second grid of the whole table. */
export const PREVIEW_ROWS = 1000;

/**
 * SQL counting, per preview column, the non-NULL values in the first
 * {@link PREVIEW_ROWS} events: a column with none there is hidden (a click id
 * the export never has would be a column of NULLs).
 */
export function previewCountsSql(columns: readonly PreviewColumn[] = PREVIEW_COLUMNS): string {
  return `SELECT ${columns.map((c, i) => `count(${c.expr}) AS c${i}`).join(', ')} FROM (SELECT * FROM events LIMIT ${PREVIEW_ROWS})`;
}

/** The columns to show, given {@link previewCountsSql}'s row; the time and the file and line always show. */
export function keptColumns(counts: Record<string, unknown>, columns: readonly PreviewColumn[] = PREVIEW_COLUMNS): PreviewColumn[] {
  return columns.filter((c, i) => ['event_ts', 'file', 'line'].includes(c.name) || Number(counts[`c${i}`] ?? 0) > 0);
}

/** SQL for one page of the preview (offset and limit are clamped to the preview's rows). */
export function previewPageSql(columns: readonly PreviewColumn[], offset: number, limit: number): string {
  const o = Math.max(0, Math.min(PREVIEW_ROWS, Math.floor(offset)));
  const l = Math.max(0, Math.min(PREVIEW_ROWS - o, Math.floor(limit)));
  return `SELECT ${columns.map((c) => `${c.expr} AS ${ident(c.name)}`).join(', ')} FROM events LIMIT ${l} OFFSET ${o}`;
}

/** The grid's column list for `columns`. */
export const previewInfo = (columns: readonly PreviewColumn[]): ColumnInfo[] => columns.map((c) => ({ name: c.name, type: c.type }));
