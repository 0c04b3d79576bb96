/**
 * Reads aggregated paths in ChannelAttribution's layout: one CSV/TSV row per
 * path with the columns path, total_conversions, total_conversion_value and
 * total_null (names configurable), the path being channels joined by a
 * separator (default `>`, spaces around steps trimmed).
 *
 * Path exports are small and every row carries weight, so a bad row stops the
 * read with its line and column instead of being quarantined like an event:
 * silently dropping one row would shift every model's numbers.
 */
import { AttribError } from '../errors.ts';
import { openCsv, type TextEncodingName } from '../import/csv.ts';
import type { FileSource } from '../import/source.ts';
import type { AggregatedPath } from './types.ts';

/** File column names for the four fields. */
export interface PathColumns {
  path: string;
  conversions: string;
  value: string;
  nulls: string;
}

/** ChannelAttribution's column names. */
export const DEFAULT_PATH_COLUMNS: Readonly<PathColumns> = {
  path: 'path',
  conversions: 'total_conversions',
  value: 'total_conversion_value',
  nulls: 'total_null',
};

/** Default step separator. */
export const DEFAULT_PATH_SEPARATOR = '>';

/** Options for {@link readPaths}. */
export interface ReadPathsOptions {
  /** Step separator (default `>`); steps are trimmed after splitting. */
  sep?: string;
  /**
   * Column names. The value and null columns are optional while they keep
   * their default names (a file without them reads as 0 and says so in
   * {@link PathTable.columns}); a name given here must exist.
   */
  columns?: Partial<PathColumns>;
  /** CSV delimiter (default: sniffed). */
  delimiter?: string;
  /** Shorthand for a tab delimiter. */
  tsv?: boolean;
  /** Text encoding (default UTF-8). */
  encoding?: TextEncodingName;
}

/** The rows of a path file, as read (not merged). */
export interface PathTable {
  /** One path per data row, in file order. */
  paths: AggregatedPath[];
  /** Physical line of each path's row. */
  lines: number[];
  /** The file column read for each field; `null` where an optional column is absent and 0 was used. */
  columns: { path: string; conversions: string; value: string | null; nulls: string | null };
  /** What the CSV reader detected (delimiter, encoding, ...). */
  detected: Record<string, string | boolean | number>;
}

/** Splits a path into trimmed steps; an empty step stays as `''` (callers decide whether that is an error). */
export function splitPath(text: string, sep: string = DEFAULT_PATH_SEPARATOR): string[] {
  return text.split(sep).map((s) => s.trim());
}

// A plain non-negative decimal: no thousands separators, locale commas, hex or words.
const PLAIN_NUMBER = /^\+?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * Reads a path file.
 *
 * @throws AttribError `file_missing_column` when a needed column is absent,
 *   `file_bad_row` for a row that cannot be used (with line and column),
 *   `bad_parameter` for an empty separator, and the CSV reader's errors.
 */
export async function readPaths(source: FileSource, opts: ReadPathsOptions = {}): Promise<PathTable> {
  const file = source.name;
  const sep = opts.sep ?? DEFAULT_PATH_SEPARATOR;
  if (sep === '') {
    throw new AttribError('bad_parameter', 'the path separator must not be empty', { file });
  }
  const reader = await openCsv(source, { delimiter: opts.delimiter, tsv: opts.tsv, encoding: opts.encoding });
  const header = reader.header;
  const names = { ...DEFAULT_PATH_COLUMNS, ...opts.columns };
  const find = (field: keyof PathColumns, required: boolean): number => {
    const want = names[field].trim().toLowerCase();
    const idx = header.findIndex((h) => h.toLowerCase() === want);
    if (idx < 0 && required) {
      throw new AttribError(
        'file_missing_column',
        `no column '${names[field]}' for the ${FIELD_DOC[field]} (columns: ${header.join(', ')}); name it with --${FIELD_OPTION[field]}`,
        { file, line: 1 },
      );
    }
    return idx;
  };
  const iPath = find('path', true);
  const iConv = find('conversions', true);
  // Value and nulls are optional only under their default names: a name the user typed must exist.
  const iValue = find('value', opts.columns?.value !== undefined);
  const iNulls = find('nulls', opts.columns?.nulls !== undefined);

  const paths: AggregatedPath[] = [];
  const lines: number[] = [];
  for await (const batch of reader.batches()) {
    const bad = batch.rejects[0];
    if (bad) {
      throw new AttribError('file_bad_row', `cannot read this row: ${bad.detail}`, { file, line: bad.line, column: bad.column });
    }
    for (let r = 0; r < batch.rowCount; r++) {
      const line = batch.lines[r]!;
      const cell = (i: number) => batch.columns[i]![r]!;
      const fail = (i: number, msg: string) =>
        new AttribError('file_bad_row', `${header[i]}: ${msg}`, { file, line, column: i + 1 });
      const number = (i: number): number => {
        if (i < 0) return 0;
        const raw = cell(i).trim();
        if (raw === '') throw fail(i, 'empty; write 0 if there are none');
        if (raw.startsWith('-') && PLAIN_NUMBER.test(raw.slice(1))) throw fail(i, `${raw} is negative; counts and values cannot be`);
        const n = Number(raw);
        if (!PLAIN_NUMBER.test(raw) || !Number.isFinite(n)) throw fail(i, `'${raw}' is not a number; write a plain decimal like 3 or 2.5`);
        return n;
      };
      const text = cell(iPath);
      if (text.trim() === '') throw fail(iPath, 'the path is empty; a path needs at least one channel');
      const steps = splitPath(text, sep);
      const empty = steps.indexOf('');
      if (empty >= 0) {
        throw fail(iPath, `step ${empty + 1} of '${text}' is empty (two separators in a row, or one at an end); the separator is '${sep}'`);
      }
      const conversions = number(iConv);
      const value = number(iValue);
      const nulls = number(iNulls);
      if (value > 0 && conversions === 0) throw fail(iValue, `${value} with no conversions; a value needs conversions`);
      paths.push({ steps, conversions, value, nulls });
      lines.push(line);
    }
  }
  return {
    paths,
    lines,
    columns: {
      path: header[iPath]!,
      conversions: header[iConv]!,
      value: iValue >= 0 ? header[iValue]! : null,
      nulls: iNulls >= 0 ? header[iNulls]! : null,
    },
    detected: reader.detected,
  };
}

const FIELD_DOC: Record<keyof PathColumns, string> = {
  path: 'path',
  conversions: 'conversion count',
  value: 'conversion value',
  nulls: 'non-converting count',
};

const FIELD_OPTION: Record<keyof PathColumns, string> = {
  path: 'path-col',
  conversions: 'conversions-col',
  value: 'value-col',
  nulls: 'null-col',
};
