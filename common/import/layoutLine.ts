/**
 * The detected layout in words, one line, as the data cell and the CLI's
 * summary show it: "GA4 BigQuery export, nested NDJSON, 31 daily files
 * (2026-03-01 to 2026-03-31)", "Mixpanel raw export, 3 files".
 *
 * Two things make the line: each file's shape (its layout, and the form the
 * layout takes in it: GA4 nested, as CSV with JSON cells, or flattened; a
 * vendor's other export shapes named by the layout file, Preset.shapes), and
 * the file names: GA4's daily tables `events_YYYYMMDD` and
 * `events_intraday_YYYYMMDD` are counted with their date range and any day
 * missing in it (a shard left out of a folder is the usual mistake).
 */
import type { Preset } from './columns.ts';
import { signaturesOf } from './columns.ts';
import type { InputFormat } from './source.ts';

const FORMAT_WORD: Record<InputFormat, string> = { csv: 'CSV', tsv: 'TSV', parquet: 'Parquet', ndjson: 'NDJSON' };

/**
 * One file's shape in words. `nested`: the file holds the layout's nested
 * columns as such (NDJSON objects and arrays, Parquet structs and lists) or,
 * in CSV/TSV, as JSON text cells; false for a layout already flattened to
 * plain columns. Only layouts that expand nested columns (Preset.expand) say
 * their form; a layout with several export shapes (Preset.shapes) names the
 * one whose columns the header has.
 */
export function shapeOf(preset: Preset, format: InputFormat, header: string[], nested: boolean): string {
  if (preset.shapes) {
    const lower = new Set(header.map((h) => h.toLowerCase()));
    const i = signaturesOf(preset).findIndex((sig) => sig.length > 0 && sig.every((s) => lower.has(s)));
    if (i >= 0 && preset.shapes[i]) return preset.shapes[i];
  }
  if (!preset.expand) return preset.label;
  const word = FORMAT_WORD[format];
  if (!nested) return `${preset.label}, flattened ${word}`;
  return format === 'csv' || format === 'tsv' ? `${preset.label}, ${word} with JSON cells` : `${preset.label}, nested ${word}`;
}

/** GA4's shard names: `events_20260301`, `events_intraday_20260301` (any extension, .gz too). */
const SHARD_RE = /(?:^|[^a-z0-9])events_(intraday_)?(\d{4})(\d{2})(\d{2})(?![0-9])/i;

/** The date of a daily or intraday shard's name (YYYY-MM-DD), or undefined for another name. */
export function shardOf(file: string): { kind: 'daily' | 'intraday'; day: string } | undefined {
  const base = file.replace(/^.*[/\\]/, '');
  const m = SHARD_RE.exec(base);
  if (!m) return undefined;
  const day = `${m[2]}-${m[3]}-${m[4]}`;
  // a name of that pattern that is no calendar day is just a name
  if (Number.isNaN(Date.parse(`${day}T00:00:00Z`)) || new Date(`${day}T00:00:00Z`).toISOString().slice(0, 10) !== day) return undefined;
  return { kind: m[1] ? 'intraday' : 'daily', day };
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

/** "(2026-03-01 to 2026-03-31)", with the days missing in that range when there are any. */
function dayRange(days: string[]): string {
  const sorted = [...new Set(days)].sort();
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  if (first === last) return `(${first})`;
  const span = Math.round((Date.parse(`${last}T00:00:00Z`) - Date.parse(`${first}T00:00:00Z`)) / 86_400_000) + 1;
  const missing = span - sorted.length;
  return `(${first} to ${last}${missing > 0 ? `, ${plural(missing, 'day')} missing` : ''})`;
}

/** How many files, in words: daily and intraday shards with their dates, then the others. */
function countWords(files: string[], alone: boolean): string {
  const shards = files.map(shardOf);
  const daily = shards.filter((s) => s?.kind === 'daily').map((s) => s!.day);
  const intraday = shards.filter((s) => s?.kind === 'intraday').map((s) => s!.day);
  const others = shards.filter((s) => !s).length;
  if (alone && others === 1) return '';
  const parts: string[] = [];
  if (daily.length) parts.push(`${plural(daily.length, 'daily file')} ${dayRange(daily)}`);
  if (intraday.length) parts.push(`${plural(intraday.length, 'intraday file')} ${dayRange(intraday)}`);
  if (others) parts.push(parts.length ? plural(others, 'other file') : plural(others, 'file'));
  return parts.join(' and ');
}

/**
 * The layout line of an import's event files (a file of conversions is not
 * part of it): each shape with its files, in the order first seen, e.g.
 * "GA4 BigQuery export, nested NDJSON, 30 daily files (2026-03-01 to
 * 2026-03-31, 1 day missing) and 1 intraday file (2026-04-01)".
 */
export function layoutLine(files: { file: string; shape: string }[]): string {
  const groups = new Map<string, string[]>();
  for (const f of files) groups.set(f.shape, [...(groups.get(f.shape) ?? []), f.file]);
  const alone = files.length === 1;
  return [...groups.entries()].map(([shape, names]) => {
    const count = countWords(names, alone);
    return count ? `${shape}, ${count}` : shape;
  }).join('; ');
}
