/**
 * The reading options every event command takes (`attribute`, `sweep`):
 * checked before any data is read, turned into the importer's options.
 */
import { AttribError } from '../common/errors.ts';
import { parseMapOption } from '../common/import/columns.ts';
import type { ImportOptions } from '../common/import/importer.ts';
import { pseudonymizeFrom } from './pseudonymize.ts';

/** Comma-separated list option; undefined when not given. */
export function list(v: string | undefined): string[] | undefined {
  return v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean);
}

/** The raw option values the reading options come from (node:util parseArgs values). */
export interface ReadingFlags {
  format?: string;
  delimiter?: string;
  encoding?: string;
  preset?: string;
  map?: string[];
  timezone?: string;
  'time-unit'?: string;
  'conversion-events'?: string;
  'conversion-flag'?: string;
  'site-domains'?: string;
  pseudonymize?: boolean;
  'key-file'?: string;
  'csv-reader'?: string;
}

/** `--conversion-flag COLUMN`: one column name, checked against the file when it is read. */
function conversionFlagFrom(v: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if (v.trim() === '' || v.includes(',')) throw new AttribError('bad_parameter', `--conversion-flag takes one column name, e.g. --conversion-flag is_conversion_purchase`);
  return v.trim();
}

/** Checks the reading flags and returns the importer's options. @throws AttribError `bad_parameter`. */
export function importOptionsFrom(o: ReadingFlags): ImportOptions {
  if (o['time-unit'] && !['auto', 's', 'ms', 'us'].includes(o['time-unit'])) throw new AttribError('bad_parameter', `--time-unit must be auto, s, ms or us`);
  if (o.format && !['csv', 'tsv', 'parquet', 'ndjson'].includes(o.format)) throw new AttribError('bad_parameter', `--format must be csv, tsv, parquet or ndjson`);
  if (o.encoding && !['utf-8', 'latin1', 'windows-1252', 'utf-16le'].includes(o.encoding)) throw new AttribError('bad_parameter', `--encoding must be utf-8, latin1, windows-1252 or utf-16le`);
  if (o['csv-reader'] && !['auto', 'typescript'].includes(o['csv-reader'])) throw new AttribError('bad_parameter', `--csv-reader must be auto or typescript`);
  return {
    format: o.format as ImportOptions['format'],
    delimiter: o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter,
    encoding: o.encoding as ImportOptions['encoding'],
    preset: o.preset,
    map: parseMapOption(o.map ?? []),
    timezone: o.timezone,
    timeUnit: o['time-unit'] as ImportOptions['timeUnit'],
    conversionEvents: list(o['conversion-events']),
    conversionFlag: conversionFlagFrom(o['conversion-flag']),
    siteDomains: list(o['site-domains']),
    pseudonymize: pseudonymizeFrom(o),
    ...(o['csv-reader'] ? { csvReader: o['csv-reader'] as ImportOptions['csvReader'] } : {}),
  };
}
