/**
 * Import: a file -> the `events` and `rejects` tables.
 *
 * CSV, TSV and NDJSON are tokenised in TypeScript (identically for both
 * engines, with line numbers and structural rejects) and loaded batch by
 * batch, except that an engine with its own CSV reader (native) reads a CSV
 * file in one go where that gives the very same rows (csvEngine.ts; the
 * switch is engineCsvWanted); Parquet is loaded by the engine (natively, or with parquet-wasm row
 * group by row group). Every batch then goes through models/staging.sql, so
 * the wasm heap holds the typed events plus one raw batch, never the whole
 * raw file twice.
 */
import type { Database, ProgressFn, Row } from '../db.ts';
import { ident, sqlString } from '../db.ts';
import { AttribError } from '../errors.ts';
import type { FileSource, InputFormat } from './source.ts';
import { formatFromName, gunzipped, isGzipName } from './source.ts';
import { CANONICAL_FIELDS, resolveFlagColumn, resolveMapping, requireCoreColumns, type ColumnMapping, type Preset, type ResolvedMapping, type TimeUnit } from './columns.ts';
import { openCsv } from './csv.ts';
import { openNdjson } from './ndjson.ts';
import { expandReader, expansionNeeded, nestedColumns } from './expand.ts';
import { expandParquetView } from './expandSql.ts';
import { markDuplicateTransactions } from './transactions.ts';
import { layoutLine, shapeOf } from './layoutLine.ts';
import { dropEngineTables, engineCsvEligible, loadCsvWithEngine, type EngineCsvResult } from './csvEngine.ts';
import type { RecordReader, StructuralReject } from './records.ts';
import { zoneOffsets } from './timezone.ts';
import { bindNamed, type ModelSpec } from '../modelHeader.ts';
import { SETUP_SQL } from '../sqlSetup.ts';
import { beginPseudonymize, endPseudonymize, pidSql, rawScrubSql, scrubSql } from '../pseudonymSql.ts';
import { fromHex, keyId, PII_NAME_RE } from '../pseudonym.ts';

/** What the user chose (or the CLI passed) for reading a file. */
export interface ImportOptions {
  format?: InputFormat;
  delimiter?: string;
  encoding?: 'utf-8' | 'latin1' | 'windows-1252' | 'utf-16le';
  preset?: string;
  map?: ColumnMapping;
  /** IANA zone for timestamps without an offset (default UTC). */
  timezone?: string;
  timeUnit?: TimeUnit;
  /** Event names that are conversions (default: purchase, or none with `conversionFlag`). */
  conversionEvents?: string[];
  /**
   * A column that says per row whether it is a conversion (`--conversion-flag`):
   * 1/true/yes are, 0/false/no/empty are not, anything else is rejected
   * (`bad_conversion_flag`). Named event types (`conversionEvents`) still count
   * when given; the default `purchase` then does not apply.
   */
  conversionFlag?: string;
  /** The site's own domains: referrers from them are not a channel. */
  siteDomains?: string[];
  batchSize?: number;
  /**
   * Source columns carried verbatim (as text; an empty field is NULL) into the
   * table `event_extras` (_file, _row, one column per name, lower case), for
   * outputs that must show a file's own values, e.g. Snowplow's refr_urlpath
   * or a campaign's original case. Matched to the header case-insensitively.
   */
  keepColumns?: string[];
  /**
   * Which reader splits a CSV/TSV file into rows. `auto` (the default): the
   * engine's own reader where it has one (Database.loadCsv, native) and the
   * file needs nothing done in TypeScript, checked to give exactly the
   * TypeScript reader's rows (common/import/csvEngine.ts), else that reader.
   * `typescript`: always the TypeScript reader (common/import/csv.ts).
   */
  csvReader?: 'auto' | 'typescript';
  /**
   * Pseudonymise at import (trust.md section 4.1): user_id and anon_id become
   * HMAC-SHA-256 hex under this key (hex of 32 to 64 bytes), e-mail addresses
   * anywhere become the HMAC of the lower-cased address or are cut out of
   * longer text, and the raw text of rejected rows is scrubbed, so no raw
   * identifier reaches any table. The key itself is never stored or returned.
   */
  pseudonymize?: { key: string };
  /**
   * Files of conversions kept apart from the touches (orders from a shop or
   * CRM beside sessions from analytics): every row is a conversion of the
   * first conversion event name, joined to the people of the event files by
   * user_id or anon_id. Mapped by the `orders` layout's aliases, then
   * `conversionsMap` (field=column, as --map).
   */
  conversionFiles?: FileSource[];
  conversionsMap?: ColumnMapping;
}

/** What one file of a multi-file import gave. */
export interface FileReport {
  file: string;
  /** `events`, or `conversions` for a file of --conversions. */
  role: 'events' | 'conversions';
  format: InputFormat;
  presetLabel: string;
  rowsRead: number;
  rowsLoaded: number;
  conversions: number;
  rejects: number;
}

/** What the import did, for the user to see: nothing is dropped silently. */
export interface ImportReport {
  file: string;
  format: InputFormat;
  detected: Record<string, string | boolean | number>;
  preset: string;
  presetLabel: string;
  mapping: ColumnMapping;
  /** Columns that fill a mapped field's empty rows, in order (only layouts that merge two places of a value). */
  fallbacks?: ResolvedMapping['fallbacks'];
  unusedColumns: string[];
  rowsRead: number;
  rowsLoaded: number;
  rejectsByReason: Record<string, number>;
  /** How event_ts values were read, with counts (e.g. iso_offset: 10, iso_naive: 3). */
  timestampKinds: Record<string, number>;
  timezone: string;
  conversions: number;
  warnings: string[];
  /** CSV/TSV only: whose reader split the rows (see ImportOptions.csvReader). */
  reader?: 'engine' | 'typescript';
  /** Set when the import pseudonymised: the key's public id and what was hashed or scrubbed. */
  pseudonymized?: { keyId: string; fields: string[]; keptColumns: string[] };
  /** Each file, when more than one was read (several --events, a folder, --conversions). */
  files?: FileReport[];
  /**
   * The vendor's own attribution found on conversions (Preset.reported), per
   * model that shows it: how many loaded conversions carry it. Absent when none does.
   */
  reported?: { model: string; conversions: number }[];
  /**
   * The event files' layout in words, for people: "GA4 BigQuery export, nested NDJSON, 31 daily files
   * (2026-03-01 to 2026-03-31)" (layoutLine.ts). Files of conversions are not part of it.
   */
  layout: string;
  /**
   * With files of conversions: the first one's columns and what they feed (the orders layout's
   * aliases, then ImportOptions.conversionsMap), so a front end can show and change the mapping.
   */
  conversionMapping?: { file: string; columns: string[]; mapping: ColumnMapping };
}

/**
 * Rows per CSV/NDJSON staging batch. Small batches pay the staging query's
 * planning and lose parallelism on every batch (32k-row batches made a 1M-row
 * CSV import 1.6x slower); this size keeps a batch's text near 50 MB.
 */
export const DEFAULT_BATCH_ROWS = 262_144;

const STAGED_DDL = `CREATE OR REPLACE TABLE staged (
  _file VARCHAR, _row INTEGER, _line INTEGER, event_id VARCHAR, event_id_generated BOOLEAN, ts_us BIGINT, ts_kind VARCHAR,
  event_name VARCHAR, user_id VARCHAR, anon_id VARCHAR, session_id VARCHAR, channel_explicit VARCHAR,
  utm_source VARCHAR, utm_medium VARCHAR, utm_campaign VARCHAR, utm_content VARCHAR, utm_term VARCHAR,
  referrer_host VARCHAR, referrer_internal BOOLEAN, page_url VARCHAR,
  gclid VARCHAR, msclkid VARCHAR, fbclid VARCHAR, ttclid VARCHAR, li_fat_id VARCHAR, rdt_cid VARCHAR, click_token VARCHAR, dclid VARCHAR, srsltid VARCHAR,
  revenue DOUBLE, currency VARCHAR, transaction_id VARCHAR, is_conversion BOOLEAN, reason VARCHAR, reason_detail VARCHAR, raw_text VARCHAR)`;

const NATIVE_TIME_TYPES = /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATE|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/;

/**
 * Imports one file into `events` and `rejects`. Throws an {@link AttribError}
 * naming the file (and line/column where known) for whole-file problems.
 */
export async function importEvents(
  db: Database,
  source: FileSource | FileSource[],
  staging: ModelSpec,
  opts: ImportOptions = {},
  onProgress?: ProgressFn,
): Promise<ImportReport> {
  const parts: { source: FileSource; role: FileReport['role'] }[] = [
    ...(Array.isArray(source) ? source : [source]).map((s) => ({ source: s, role: 'events' as const })),
    ...(opts.conversionFiles ?? []).map((s) => ({ source: s, role: 'conversions' as const })),
  ];
  if (!parts.some((p) => p.role === 'events')) throw new AttribError('bad_parameter', 'no event file to import');
  if (opts.conversionFlag && opts.conversionFiles?.length) {
    // two definitions of a conversion at once: say which one, rather than guess how they combine
    throw new AttribError('bad_parameter', '--conversion-flag and --conversions are two ways to say what a conversion is: use one');
  }
  const seen = new Set<string>();
  for (const { source: s } of parts) {
    // rows are told apart by (file, row): two files of one name would mix
    if (seen.has(s.name)) throw new AttribError('bad_parameter', `two files are named '${s.name}': give them by paths that differ`, { file: s.name });
    seen.add(s.name);
  }
  try {
    const staged: StagedFile[] = [];
    for (const [i, p] of parts.entries()) {
      const o = p.role === 'conversions' ? { ...opts, preset: 'orders', map: opts.conversionsMap ?? {} } : opts;
      staged.push(await importAll(db, decompressed(p.source, o), staging, o, onProgress, { append: i > 0, role: p.role }));
    }
    return await finish(db, staged, opts);
  } finally {
    // the padded key must not outlive the import, whatever happened
    if (opts.pseudonymize) await endPseudonymize(db).catch(() => undefined);
  }
}

/**
 * The columns of a file as the importer's mapping sees them (its header;
 * Parquet's columns), without importing it: what a front end offers for
 * mapping a file whose import failed for want of one (a file of orders whose
 * columns no alias matches). Reads the header only (Parquet: its schema).
 */
export async function fileColumns(db: Database, source: FileSource, opts: Pick<ImportOptions, 'format' | 'delimiter' | 'encoding'> = {}): Promise<string[]> {
  const src = decompressed(source, opts);
  const format = opts.format ?? formatFromName(src.name);
  if (!format) throw new AttribError('file_unsupported', 'unknown file type: use .csv, .tsv, .parquet or .ndjson/.jsonl', { file: src.name });
  if (src.size === 0) throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file: src.name });
  if (format === 'parquet') {
    let cols: string[] = [];
    const stop = new Error('columns read');
    try {
      await db.loadParquet(src, '__columns', async () => {
        cols = (await db.all('SELECT column_name AS name FROM (DESCRIBE __columns)')).map((r) => String(r.name)).filter((n) => n !== '_row' && n !== '_line');
        throw stop; // the schema is all that is wanted: no row group is read
      });
    } catch (e) {
      if (e !== stop) throw e;
    }
    return cols;
  }
  const reader = format === 'ndjson'
    ? await openNdjson(src, { batchSize: 1 })
    : await openCsv(src, { delimiter: opts.delimiter, encoding: opts.encoding, tsv: format === 'tsv', batchSize: 1 });
  await reader.close?.();
  return reader.header;
}

/** What staging one file left for the report. */
interface StagedFile {
  file: string;
  role: FileReport['role'];
  format: InputFormat;
  detected: Record<string, string | boolean | number>;
  resolved: ResolvedMapping;
  rowsRead: number;
  warnings: string[];
  keptMissing: string[];
  /** The --conversion-flag column, as the file names it. */
  flagCol?: string;
  /** Who split the CSV rows (text formats only). */
  reader?: ImportReport['reader'];
  /** The file's layout and its form in words (layoutLine.ts shapeOf). */
  shape: string;
  /** The columns the mapping was made on (after a layout's expansion). */
  header: string[];
}

/**
 * A `.gz` file read through its decompressed stream (CSV, TSV, NDJSON): the
 * text readers never see the compressed bytes. Parquet compresses itself and
 * is read by the engine from its footer, so a gzip-compressed one is refused.
 */
function decompressed(source: FileSource, opts: ImportOptions): FileSource {
  if (!isGzipName(source.name)) return source;
  if ((opts.format ?? formatFromName(source.name)) === 'parquet') {
    throw new AttribError('file_unsupported', 'a gzip-compressed Parquet file: Parquet compresses itself; decompress the file (gunzip) and open the .parquet', { file: source.name });
  }
  return gunzipped(source);
}

/**
 * Stages one file into `staged` (and its structural rejects into
 * `struct_rejects`): the first file creates the tables, later ones
 * (`part.append`) add to them. The conversions role makes every row a
 * conversion.
 */
async function importAll(
  db: Database,
  source: FileSource,
  staging: ModelSpec,
  opts: ImportOptions,
  onProgress: ProgressFn | undefined,
  part: { append: boolean; role: FileReport['role'] },
): Promise<StagedFile> {
  const format = opts.format ?? formatFromName(source.name);
  if (!format) {
    throw new AttribError('file_unsupported', 'unknown file type: use .csv, .tsv, .parquet or .ndjson/.jsonl (or pass --format)', { file: source.name });
  }
  if (source.size === 0) throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file: source.name });
  // rough bytes per event row of our formats (Parquet compresses, text does not)
  await db.expectRows?.(source.size / (format === 'parquet' ? 30 : 200));
  if (!part.append) for (const s of SETUP_SQL) await db.run(s);
  await prepareTables(db, opts, part.append);
  const pseudo = !!opts.pseudonymize;
  if (opts.pseudonymize) await beginPseudonymize(db, opts.pseudonymize.key);
  const warnings: string[] = [];
  let detected: Record<string, string | boolean | number> = {};
  let resolved: ResolvedMapping;
  let flagCol: string | undefined;
  let shape = '';
  let rowsRead = 0;
  let readerUsed: ImportReport['reader'] = format === 'csv' || format === 'tsv' ? 'typescript' : undefined;
  const keep = keptColumnNames(opts.keepColumns);
  let keptHeader: string[] = [];
  if (!part.append) await db.run(`CREATE OR REPLACE TABLE event_extras (_file VARCHAR, _row INTEGER${keep.map((k) => `, ${ident(k)} VARCHAR`).join('')})`);
  if (!part.append) await db.run(REPORTED_DDL);

  const stageBatch = async (rawTable: string, columns: { name: string; type: string }[], rawNames: string[]) => {
    await db.run(srcView(rawTable, columns, rawNames, resolved.mapping, source.name, pseudo, resolved.fallbacks, flagCol, part.role === 'conversions' ? conversionName(opts) : undefined));
    const { sql, params } = bindNamed(staging.sql, {
      time_unit: opts.timeUnit ?? resolved.preset.timeUnit ?? 'auto',
      site_domains_re: siteDomainsRegex(opts.siteDomains ?? []),
      session_per_anon: resolved.preset.sessionPerAnon ?? false,
    });
    await db.run(sql, params);
    const pii = pseudo ? piiColumns(rawNames, resolved.mapping, resolved.fallbacks) : undefined;
    const fill = fillRawText(rawTable, columns, (detected.delimiter as string) ?? ',', source.name, pii);
    await db.run(fill.sql, fill.params);
    if (keep.length) await db.run(extrasInsert(rawTable, columns, rawNames, keep, source.name, pii));
    const reported = reportedInsert(rawTable, columns, rawNames, resolved.preset, source.name, pseudo);
    if (reported) await db.run(reported.sql, reported.params);
  };

  if (format === 'parquet') {
    let header: string[] | undefined;
    let fileCols: { name: string; type: string }[] = [];
    let layout: Preset | undefined;
    await db.loadParquet(source, 'raw', async () => {
      let cols = fileCols;
      if (layout?.expand || !header) {
        fileCols = (await db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE raw)`) as { name: string; type: string }[])
          .filter((c) => c.name !== '_row' && c.name !== '_line');
        if (!layout) {
          layout = layoutOf(fileCols.map((c) => c.name), opts.preset);
          // nested: the layout's nested columns are structs or lists here, not flattened ones
          const nests = layout.expand ? nestedColumns(layout.expand) : [];
          shape = shapeOf(layout, format, fileCols.map((c) => c.name), fileCols.some((c) => nests.includes(c.name.toLowerCase()) && /STRUCT|MAP|\[\]/i.test(c.type)));
        }
        // layout hook: structs and lists as flat columns (expandSql.ts), a view per batch
        cols = layout.expand ? await expandParquetView(db, 'raw', 'raw_flat', fileCols, layout.expand, source.name) : fileCols;
      }
      if (!header) {
        header = cols.map((c) => c.name);
        keptHeader = header;
        resolved = resolveMapping(header, { presetId: layout!.expand ? layout!.id : opts.preset, overrides: opts.map, file: source.name, mapFlag: mapFlagOf(part.role) });
        requireCoreColumns(resolved, header, source.name, mapFlagOf(part.role));
        await layoutConversions(db, resolved.preset, opts, part.role);
        flagCol = resolveFlagColumn(header, opts.conversionFlag, source.name);
        detected = { columns: fileCols.length };
      }
      rowsRead += Number((await db.all('SELECT count(*) AS n FROM raw'))[0].n);
      await stageBatch(layout!.expand ? 'raw_flat' : 'raw', cols, header);
    }, onProgress);
    await db.run('DROP VIEW IF EXISTS raw_flat');
    if (rowsRead === 0) throw new AttribError('file_header_only', 'the Parquet file has columns but no rows', { file: source.name });
  } else {
    let reader: RecordReader | undefined =
      format === 'ndjson'
        ? await openNdjson(source, { batchSize: opts.batchSize ?? DEFAULT_BATCH_ROWS })
        : await openCsv(source, { delimiter: opts.delimiter, encoding: opts.encoding, tsv: format === 'tsv', batchSize: opts.batchSize ?? DEFAULT_BATCH_ROWS });
    // layout hook: nested cells (JSON text) as flat columns (expand.ts), mapped on those. A layout
    // with `expand` needs its rows as a RecordReader: the expansion is TypeScript so both engines agree.
    const layout = layoutOf(reader.header, opts.preset);
    const expand = layout.expand && expansionNeeded(layout.expand, reader.header) ? layout.expand : undefined;
    {
      // nested: NDJSON objects (flattened to dot names by ndjson.ts) or arrays, or CSV cells of JSON text
      const nests = layout.expand ? nestedColumns(layout.expand) : [];
      const lower = reader.header.map((h) => h.toLowerCase());
      shape = shapeOf(layout, format, reader.header, lower.some((h) => nests.includes(h) || (format === 'ndjson' && nests.some((n) => h.startsWith(`${n}.`)))));
    }
    if (expand && format === 'ndjson') {
      // opened again with the layout's records kept whole, so fields first seen after the sample are not lost
      await reader.close?.();
      reader = await openNdjson(source, { batchSize: opts.batchSize ?? DEFAULT_BATCH_ROWS, keepAsJson: nestedColumns(expand) });
    }
    if (expand) reader = expandReader(reader, expand);
    resolved = resolveMapping(reader.header, { presetId: layout.expand ? layout.id : opts.preset, overrides: opts.map, file: source.name, mapFlag: mapFlagOf(part.role) });
    detected = { ...reader.detected };
    const header = reader.header;
    keptHeader = header;
    requireCoreColumns(resolved, header, source.name, mapFlagOf(part.role));
    await layoutConversions(db, resolved.preset, opts, part.role);
    flagCol = resolveFlagColumn(header, opts.conversionFlag, source.name);
    if (Number(reader.detected.lateKeys ?? 0) > 0) {
      warnings.push(`${reader.detected.lateKeys} keys first appear after the sampled lines and are not imported as columns`);
    }
    // Raw columns are positional (c0, c1...) so no file header can collide with ours.
    const rawNames = header.map((_, i) => `c${i}`);
    const cols = rawNames.map((name) => ({ name, type: 'VARCHAR' }));
    // a layout that unpacks text cells must see its records in TypeScript: such a file keeps that reader
    const engine = format !== 'ndjson' && !expand && engineCsvWanted(opts) ? await readCsvWithEngine(db, source, reader, header.length) : null;
    if (engine) {
      reader = undefined;
      readerUsed = 'engine';
      rowsRead = engine.rowsRead;
      onProgress?.(0, 0, 'staging rows');
      try {
        if (rowsRead > engine.rejects.length) await stageBatch('raw', cols, header);
        await flushStructural(db, source.name, engine.rejects, pseudo);
      } finally {
        await dropEngineTables(db, 'raw_csv', 'raw');
      }
      onProgress?.(rowsRead, 0, 'parsing and staging rows');
    }
    const rejectBuf: StructuralReject[] = [];
    let first = true;
    for await (const batch of reader?.batches() ?? []) {
      rowsRead += batch.rowCount + batch.rejects.length;
      rejectBuf.push(...batch.rejects);
      if (batch.rowCount > 0) {
        await db.appendText('raw', rawNames, batch, true);
        await stageBatch('raw', cols, header);
        first = false;
      }
      if (rejectBuf.length >= 10000) await flushStructural(db, source.name, rejectBuf.splice(0), pseudo);
      onProgress?.(rowsRead, 0, 'parsing and staging rows');
    }
    await flushStructural(db, source.name, rejectBuf, pseudo);
    if (!first) await db.run('DROP TABLE IF EXISTS raw');
  }

  await shiftNaiveTimes(db, opts.timezone, source.name);
  if (resolved!.preset.anonIdBecomesUserId) await identifiedAnonIds(db, source.name);
  return {
    file: source.name,
    role: part.role,
    format,
    detected,
    resolved: resolved!,
    rowsRead,
    warnings,
    keptMissing: keep.filter((k) => !keptHeader.some((h) => h.toLowerCase() === k)),
    flagCol,
    reader: readerUsed,
    shape,
    header: keptHeader,
  };
}

/**
 * After every file is staged: duplicates marked across all of them, the
 * `events` view and `rejects` table made, and the report, per file where
 * there were several. A file none of whose rows loaded stops the import,
 * naming it.
 */
async function finish(db: Database, staged: StagedFile[], opts: ImportOptions): Promise<ImportReport> {
  const first = staged.find((f) => f.role === 'events')!;
  const many = staged.length > 1;
  const warnings = staged.flatMap((f) => f.warnings.map((w) => (many ? `${f.file}: ${w}` : w)));
  for (const k of new Set(staged.flatMap((f) => f.keptMissing))) warnings.push(`column '${k}' to keep is not in the file: its values are empty`);
  await markDuplicates(db, staged);
  // only a layout's duplicate key can leave an id shared by accepted rows
  const renamed = staged.some((f) => f.resolved.preset.duplicateKey?.length) ? await separateSharedIds(db) : 0;
  if (renamed) warnings.push(`${renamed} events share an event id with an earlier event of another name, person or time (not a duplicate to the export): kept, with ~2, ~3, ... added to their ids`);
  // a file of conversions carries its order id as transaction id too (srcView)
  if (staged.some((f) => f.resolved.mapping.transaction_id || (f.role === 'conversions' && f.resolved.mapping.event_id))) await markDuplicateTransactions(db);
  // A view, not a copy: copying every event cost a sixth of the import and, in wasm, the heap twice over.
  await db.run(`CREATE OR REPLACE VIEW events AS SELECT * EXCLUDE (reason, reason_detail, raw_text) FROM staged WHERE reason IS NULL`);
  await db.run(`CREATE OR REPLACE TABLE rejects AS
    SELECT _file AS file, _row AS row_number, _line AS line, reason, reason_detail AS detail, raw_text AS raw FROM staged WHERE reason IS NOT NULL
    UNION ALL SELECT _file, _row, _line, reason, reason_detail, raw_text FROM struct_rejects`);
  const kinds = await db.all(`SELECT ts_kind AS k, count(*) AS n FROM staged WHERE ts_kind <> 'invalid' GROUP BY 1 ORDER BY 1`);
  const byReason = await db.all(`SELECT reason, count(*) AS n FROM rejects GROUP BY 1 ORDER BY 1`);
  const perFile = new Map<string, { loaded: number; conversions: number; rejects: number }>();
  for (const r of await db.all(`SELECT _file AS f, count(*) AS n, count(*) FILTER (WHERE is_conversion) AS c FROM events GROUP BY 1`)) {
    perFile.set(String(r.f), { loaded: Number(r.n), conversions: Number(r.c), rejects: 0 });
  }
  for (const r of await db.all(`SELECT file AS f, count(*) AS n FROM rejects GROUP BY 1`)) {
    const x = perFile.get(String(r.f)) ?? { loaded: 0, conversions: 0, rejects: 0 };
    x.rejects = Number(r.n);
    perFile.set(String(r.f), x);
  }
  const rowsRead = staged.reduce((a, f) => a + f.rowsRead, 0);
  const loaded = [...perFile.values()].reduce((a, x) => a + x.loaded, 0);
  const conversions = [...perFile.values()].reduce((a, x) => a + x.conversions, 0);
  const rejectsByReason = Object.fromEntries(byReason.map((r: Row) => [String(r.reason), Number(r.n)]));
  const timestampKinds = Object.fromEntries(kinds.map((r: Row) => [String(r.k), Number(r.n)]));
  for (const f of staged) {
    if ((perFile.get(f.file)?.loaded ?? 0) > 0) continue;
    const firstReject = (await db.all('SELECT row_number, line, reason, detail FROM rejects WHERE file = $1 ORDER BY row_number LIMIT 1', [f.file]))[0];
    const summary = (await db.all('SELECT reason, count(*) AS n FROM rejects WHERE file = $1 GROUP BY 1 ORDER BY 1', [f.file])).map((r) => `${r.n} ${r.reason}`).join(', ');
    throw new AttribError(
      'all_rows_rejected',
      `all ${f.rowsRead} rows were rejected (${summary}); first: row ${firstReject?.row_number} ${firstReject?.reason}${firstReject?.detail ? ` (${firstReject.detail})` : ''}. Check the column mapping (${mapFlagOf(f.role)}) and the file`,
      { file: f.file, line: firstReject?.line == null ? undefined : Number(firstReject.line) },
    );
  }
  const overlap = await conversionsInBoth(db, staged);
  if (overlap) warnings.push(overlap);
  if (timestampKinds.iso_naive) {
    warnings.push(`${timestampKinds.iso_naive} timestamps have no UTC offset and were read as ${opts.timezone ?? 'UTC'} (set --timezone to change)`);
  }
  if (conversions === 0) {
    const names = opts.conversionEvents ?? first.resolved.preset.conversionEvents ?? ['purchase'];
    warnings.push(first.flagCol
      ? `no conversions: no row has ${first.flagCol} set to 1, true or yes${opts.conversionEvents?.length ? ` and no event is named ${opts.conversionEvents.join(' or ')}` : ''}`
      : `no conversions: no event is named ${names.join(' or ')} (set --conversion-events)`);
  }
  const resolved = first.resolved;
  const reported = (await db.all(`SELECT a.model, count(*) AS n FROM reported_attribution a
    JOIN events e ON e._file = a._file AND e._row = a._row GROUP BY a.model ORDER BY a.model`)).map((r: Row) => ({ model: String(r.model), conversions: Number(r.n) }));
  const conv = staged.find((f) => f.role === 'conversions');
  return {
    file: many ? staged.map((f) => f.file).join(', ') : first.file,
    format: first.format,
    detected: many ? { ...first.detected, files: staged.length } : first.detected,
    preset: resolved.preset.id,
    presetLabel: resolved.preset.label,
    mapping: resolved.mapping,
    ...(Object.keys(resolved.fallbacks).length ? { fallbacks: resolved.fallbacks } : {}),
    unusedColumns: resolved.unused.filter((c) => c !== first.flagCol),
    rowsRead,
    rowsLoaded: loaded,
    rejectsByReason,
    timestampKinds,
    timezone: opts.timezone ?? 'UTC',
    conversions,
    warnings,
    ...(first.reader ? { reader: first.reader } : {}),
    ...(reported.length ? { reported } : {}),
    layout: layoutLine(staged.filter((f) => f.role === 'events').map((f) => ({ file: f.file, shape: f.shape }))),
    ...(conv ? { conversionMapping: { file: conv.file, columns: conv.header, mapping: conv.resolved.mapping } } : {}),
    ...(opts.pseudonymize
      ? {
          pseudonymized: {
            keyId: await keyId(fromHex(opts.pseudonymize.key.toLowerCase())),
            fields: (['user_id', 'anon_id'] as const).filter((f) => resolved.mapping[f]).map((f) => `${f} (${[resolved.mapping[f], ...(resolved.fallbacks[f] ?? [])].join(', ')})`),
            keptColumns: keptColumnNames(opts.keepColumns).filter((k) => PII_NAME_RE.test(k)),
          },
        }
      : {}),
    ...(many
      ? {
          files: staged.map((f) => {
            const x = perFile.get(f.file) ?? { loaded: 0, conversions: 0, rejects: 0 };
            return { file: f.file, role: f.role, format: f.format, presetLabel: f.resolved.preset.label, rowsRead: f.rowsRead, rowsLoaded: x.loaded, conversions: x.conversions, rejects: x.rejects };
          }),
        }
      : {}),
  };
}

/**
 * A layout's own conversion events (Preset.conversionEvents) replace the
 * default `purchase` when the user named none and gave no flag column.
 */
async function layoutConversions(db: Database, preset: Preset, opts: ImportOptions, role: FileReport['role']): Promise<void> {
  if (role !== 'events' || !preset.conversionEvents || opts.conversionEvents !== undefined || opts.conversionFlag !== undefined) return;
  await db.run('DELETE FROM conversion_names');
  for (const n of new Set(preset.conversionEvents.map((x) => x.toLowerCase()))) await db.run('INSERT INTO conversion_names VALUES ($1)', [n]);
}

/**
 * Identity stitching for exports whose anonymous id becomes the user's id
 * once identified (Preset.anonIdBecomesUserId, PostHog): the `$identify`
 * row links the earlier anonymous id to the user (its user_id), and every
 * row of this file whose anon_id is such a user id gets it as its user_id,
 * so the user's later rows and the linked anonymous ones are one person
 * (identity.sql). Pseudonymised imports hash both sides alike, so they match.
 */
async function identifiedAnonIds(db: Database, file: string): Promise<void> {
  await db.run(`UPDATE staged SET user_id = anon_id
    WHERE _file = $1 AND user_id IS NULL AND anon_id IN (SELECT user_id FROM staged WHERE _file = $1 AND reason IS NULL AND user_id IS NOT NULL)`, [file]);
}

/** The option a file's mapping is given by, for its messages. */
const mapFlagOf = (role: FileReport['role']) => (role === 'conversions' ? '--conversions-map' : '--map');

/** The event name the rows of a conversions file take: the first conversion event name. */
function conversionName(opts: ImportOptions): string {
  return (opts.conversionEvents ?? ['purchase'])[0]?.trim().toLowerCase() || 'purchase';
}

/**
 * The layout a header belongs to (or the one named), before `--map`, whose
 * columns may only exist once the layout has expanded the nested ones.
 */
function layoutOf(header: string[], presetId: string | undefined): Preset {
  return resolveMapping(header, { presetId }).preset;
}

/**
 * Whether the options let the engine's CSV reader be tried: the switch
 * between the fast path and the TypeScript reader. Anything that must see or
 * change records in TypeScript (another text encoding; an export layout that
 * unpacks text cells) adds its condition here, so such files keep going
 * through common/import/csv.ts.
 */
export function engineCsvWanted(opts: ImportOptions): boolean {
  return opts.csvReader !== 'typescript' && (opts.encoding ?? 'utf-8') === 'utf-8';
}

/**
 * Reads the CSV file with the engine's reader into the view `raw` when it can
 * give exactly the TypeScript reader's rows; `head` (whose sniffing and
 * header-only checks already ran) is then closed unread. Null otherwise.
 */
async function readCsvWithEngine(db: Database, source: FileSource, head: RecordReader, columns: number): Promise<EngineCsvResult | null> {
  const spec = {
    delimiter: String(head.detected.delimiter),
    quote: String(head.detected.quote),
    columns,
    lineEnding: String(head.detected.lineEnding),
  };
  if (!engineCsvEligible(db, source, spec)) return null;
  const result = await loadCsvWithEngine(db, source, spec, 'raw');
  if (result) await head.close?.();
  return result;
}

/** Creates the helper tables staging reads: time-zone offsets, conversion names, site domains. */
async function prepareTables(db: Database, opts: ImportOptions, append = false): Promise<void> {
  if (!append) {
    await db.run(STAGED_DDL);
    await db.run(`CREATE OR REPLACE TABLE struct_rejects (_file VARCHAR, _row INTEGER, _line INTEGER, reason VARCHAR, reason_detail VARCHAR, raw_text VARCHAR)`);
  }
  await db.run('CREATE OR REPLACE TABLE tz_offsets (local_from_us BIGINT, offset_us BIGINT)');
  for (const r of zoneOffsets(opts.timezone ?? 'UTC')) await db.run('INSERT INTO tz_offsets VALUES ($1, $2)', [r.local_from_us, r.offset_us]);
  await db.run('CREATE OR REPLACE TABLE conversion_names (name VARCHAR PRIMARY KEY)');
  // with a conversion flag column the flag decides; only names given explicitly add to it
  for (const n of new Set((opts.conversionEvents ?? (opts.conversionFlag !== undefined ? [] : ['purchase'])).map((x) => x.trim().toLowerCase()))) {
    await db.run('INSERT INTO conversion_names VALUES ($1)', [n]);
  }
}

/**
 * The site's own domains as one anchored regular expression (a bound
 * parameter): a host matches a domain or any subdomain of it.
 */
export function siteDomainsRegex(domains: string[]): string {
  const parts = domains
    .map((d) => d.trim().toLowerCase().replace(/^https?:\/\//, '').replace(/^www\./, '').replace(/\/.*$/, ''))
    .filter(Boolean)
    .map((d) => d.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return parts.length ? `^(.*\\.)?(${parts.join('|')})$` : '';
}

/**
 * The per-batch view `src`: canonical text columns from the raw table.
 * Native typed time columns (Parquet TIMESTAMP) pass through as ts_native.
 */
function srcView(
  rawTable: string,
  columns: { name: string; type: string }[],
  sourceNames: string[],
  mapping: ColumnMapping,
  file: string,
  pseudo = false,
  fallbacks: ResolvedMapping['fallbacks'] = {},
  flagCol?: string,
  eventName?: string,
): string {
  const colFor = (sourceName: string | undefined) => {
    if (sourceName === undefined) return undefined;
    // `columns` are the raw table's physical columns, `sourceNames` the file's names, position for position.
    const i = sourceNames.indexOf(sourceName);
    return i < 0 ? undefined : { ref: ident(columns[i].name), type: columns[i].type.toUpperCase() };
  };
  // Text columns are trimmed here, once, so staging.sql's aw_tok can skip trimming; long,
  // repetitive page_url and referrer are trimmed there, once per distinct value.
  const text = (ref: string, type: string, field?: string) =>
    /^(DOUBLE|FLOAT|REAL|DECIMAL.*)$/.test(type)
      ? `CAST(CAST(${ref} AS DECIMAL(38,6)) AS VARCHAR)`
      : field === 'page_url' || field === 'referrer' ? `CAST(${ref} AS VARCHAR)` : `trim(CAST(${ref} AS VARCHAR))`;
  const parts = [`_row`, `_line`, `${sqlString(file)} AS _file`];
  const ts = colFor(mapping.event_ts);
  const nativeTs = ts && NATIVE_TIME_TYPES.test(ts.type);
  parts.push(nativeTs ? `CAST(NULL AS VARCHAR) AS ts_raw` : ts ? `${text(ts.ref, ts.type)} AS ts_raw` : 'CAST(NULL AS VARCHAR) AS ts_raw');
  parts.push(nativeTs ? `CAST(${ts!.ref} AS TIMESTAMP) AS ts_native` : 'CAST(NULL AS TIMESTAMP) AS ts_native');
  for (const f of CANONICAL_FIELDS) {
    if (f === 'event_ts') continue;
    // A file of conversions: its order id is also the transaction id, so an event of the event
    // files that carries the same one (GA4's transaction_id is the shop's order number) and the
    // order count once (duplicate_transaction), not twice.
    const c = colFor(mapping[f] ?? (f === 'transaction_id' && eventName !== undefined ? mapping.event_id : undefined));
    const alias = f === 'revenue' ? 'revenue_raw' : f;
    // a layout's fallback columns fill the rows where the mapped one is empty (Preset.coalesce)
    const more = (fallbacks[f] ?? []).map(colFor).filter((x) => x !== undefined);
    const expr = !c ? 'CAST(NULL AS VARCHAR)'
      : more.length ? `coalesce(${[c, ...more].map((x) => `nullif(${text(x.ref, x.type, f)}, '')`).join(', ')})`
      : text(c.ref, c.type, f);
    // a file of conversions: every row is one, whatever its own event column says
    parts.push(f === 'event_name' && eventName !== undefined ? `${sqlString(eventName)} AS event_name` : `${expr} AS ${alias}`);
  }
  // --conversion-flag: the flag column's text and name (for a reject's detail); NULL without one
  const flag = colFor(flagCol);
  parts.push(flag ? `${text(flag.ref, flag.type)} AS conversion_flag, ${sqlString(flagCol!)} AS conversion_flag_column` : 'CAST(NULL AS VARCHAR) AS conversion_flag, CAST(NULL AS VARCHAR) AS conversion_flag_column');
  const inner = `SELECT ${parts.join(',\n  ')} FROM ${ident(rawTable)}`;
  if (!pseudo) return `CREATE OR REPLACE VIEW src AS ${inner}`;
  // Pseudonymised: staging never sees a raw identifier. ts_raw and revenue_raw are scrubbed
  // too: their text can reach a reject's detail when a column was mapped wrongly.
  const replace = ['user_id', 'anon_id'].map((f) => `${pidSql(`i.${f}`)} AS ${f}`);
  for (const f of CANONICAL_FIELDS) {
    if (f === 'user_id' || f === 'anon_id') continue;
    const alias = f === 'event_ts' ? 'ts_raw' : f === 'revenue' ? 'revenue_raw' : f;
    replace.push(`${scrubSql(`i.${alias}`)} AS ${alias}`);
  }
  replace.push(`${scrubSql('i.conversion_flag')} AS conversion_flag`);
  return `CREATE OR REPLACE VIEW src AS SELECT i.* REPLACE (${replace.join(', ')}) FROM (${inner}) i CROSS JOIN __pkey k`;
}

/**
 * Under pseudonymisation, the raw columns (by position) whose whole value is
 * an identifier: those mapped to user_id or anon_id and those named like one
 * (an e-mail, IP or device id column the mapping does not use).
 */
function piiColumns(sourceNames: string[], mapping: ColumnMapping, fallbacks: ResolvedMapping['fallbacks'] = {}): Set<number> {
  const out = new Set<number>();
  const ids = new Set([mapping.user_id, mapping.anon_id, ...(fallbacks.user_id ?? []), ...(fallbacks.anon_id ?? [])]);
  sourceNames.forEach((n, i) => {
    if (ids.has(n) || PII_NAME_RE.test(n)) out.add(i);
  });
  return out;
}

/**
 * Gives the rows of this batch that staging rejected their raw text (the file's
 * fields joined by its delimiter). Done after staging, for rejects only: building
 * it for every row cost more than a tenth of the import.
 */
function fillRawText(rawTable: string, columns: { name: string }[], delimiter: string, file: string, pii?: Set<number>): { sql: string; params: string[] } {
  const field = (c: { name: string }, i: number) => {
    const v = `CAST(r.${ident(c.name)} AS VARCHAR)`;
    // pseudonymised: identifier columns hashed, e-mail and IP addresses elsewhere hashed or cut out
    return `coalesce(${!pii ? v : pii.has(i) ? pidSql(`trim(${v})`) : rawScrubSql(v)}, '')`;
  };
  const rawText = `concat_ws(${sqlString(delimiter)}, ${columns.map(field).join(', ')})`;
  // The rejected rows are picked before their text is built: joined after, the text of every
  // row of the file was built (a tenth of a 10M-row import) to keep a few thousand.
  const open = `_file = $1 AND reason IS NOT NULL AND raw_text IS NULL`;
  return {
    sql: `UPDATE staged SET raw_text = x.raw_text
      FROM (SELECT r._row, ${rawText} AS raw_text FROM ${ident(rawTable)} r${pii ? ' CROSS JOIN __pkey k' : ''}
            WHERE r._row IN (SELECT _row FROM staged WHERE ${open})) x
      WHERE staged.${open.replace(/ AND /g, ' AND staged.')} AND staged._row = x._row`,
    params: [file],
  };
}

/** The keepColumns option as distinct lower-case names; names that would clash with _file/_row are refused. */
function keptColumnNames(names: string[] | undefined): string[] {
  const out = [...new Set((names ?? []).map((n) => n.trim().toLowerCase()).filter(Boolean))];
  for (const n of out) {
    if (n === '_file' || n === '_row') throw new AttribError('bad_parameter', `cannot keep a column named '${n}': the name is reserved`);
  }
  return out;
}

/** Copies this batch's kept columns into event_extras, verbatim; an empty field becomes NULL. */
function extrasInsert(rawTable: string, columns: { name: string }[], sourceNames: string[], keep: string[], file: string, pii?: Set<number>): string {
  const lower = sourceNames.map((n) => n.toLowerCase());
  const cols = keep.map((k) => {
    const i = lower.indexOf(k);
    if (i < 0) return 'CAST(NULL AS VARCHAR)';
    const v = `nullif(CAST(r.${ident(columns[i].name)} AS VARCHAR), '')`;
    return !pii ? v : pii.has(i) ? pidSql(`trim(${v})`) : rawScrubSql(v);
  });
  return `INSERT INTO event_extras SELECT ${sqlString(file)}, r._row, ${cols.join(', ')} FROM ${ident(rawTable)} r${pii ? ' CROSS JOIN __pkey k' : ''}`;
}

/**
 * The vendor's own attribution of each conversion (Preset.reported), one row
 * per conversion row that carries any of it: `model` names the credit model
 * that shows it beside ours (models/reported.sql, models/ga4_reported.sql).
 * Always created, so the pipeline can read it for every layout.
 */
const REPORTED_DDL = `CREATE OR REPLACE TABLE reported_attribution (_file VARCHAR, _row INTEGER, model VARCHAR,
  channel_group VARCHAR, source VARCHAR, medium VARCHAR, campaign VARCHAR)`;

/**
 * This batch's conversion rows' reported attribution (Preset.reported), or
 * undefined when the layout has none or the file lacks all of its columns.
 * Conversion rows only: every GA4 event repeats the session's record, and
 * only a conversion's is an attribution. Empty text is NULL; a row with no
 * value at all is left out (the comparison counts it as '(not set)').
 * Pseudonymised: the text has its e-mail addresses hashed, as UTMs do.
 */
function reportedInsert(rawTable: string, columns: { name: string; type: string }[], sourceNames: string[], preset: Preset, file: string, pseudo: boolean): { sql: string; params: string[] } | undefined {
  const spec = preset.reported;
  if (!spec) return undefined;
  const lower = sourceNames.map((n) => n.toLowerCase());
  const pick = (candidates: string[]) => {
    const i = candidates.map((c) => lower.indexOf(c.toLowerCase())).find((k) => k >= 0);
    if (i === undefined) return undefined;
    const v = `nullif(trim(CAST(r.${ident(columns[i].name)} AS VARCHAR)), '')`;
    return pseudo ? scrubSql(v) : v;
  };
  const fields = [pick(spec.channelGroup), pick(spec.source), pick(spec.medium), pick(spec.campaign)];
  if (fields.every((f) => f === undefined)) return undefined;
  const exprs = fields.map((f) => f ?? 'CAST(NULL AS VARCHAR)');
  return {
    sql: `INSERT INTO reported_attribution
      SELECT $1, r._row, $2, ${exprs.join(', ')}
      FROM ${ident(rawTable)} r JOIN staged s ON s._file = $1 AND s._row = r._row${pseudo ? ' CROSS JOIN __pkey k' : ''}
      WHERE s.is_conversion AND coalesce(${exprs.join(', ')}) IS NOT NULL`,
    params: [file, spec.model],
  };
}

/** Appends structural rejects (ragged rows, bad quoting, bad JSON) to struct_rejects. */
async function flushStructural(db: Database, file: string, rejects: StructuralReject[], pseudo = false): Promise<void> {
  if (!rejects.length) return;
  // Pseudonymised: a malformed row's fields cannot be told apart reliably, so its text is
  // withheld (file, line and reason still say where to look); JSON.parse quotes the text too.
  const withheld = '(withheld: pseudonymised import)';
  const detail = rejects.map((r) => {
    const d = pseudo ? r.detail.replace(/,?\s*".*"\s+is not valid JSON.*$/s, ' (text withheld)') : r.detail;
    return r.column ? `${d} (column ${r.column})` : d;
  });
  if (pseudo) for (const r of rejects) r.raw = withheld;
  await db.appendText(
    '__struct',
    ['file', 'reason', 'detail', 'raw'],
    {
      columns: [rejects.map(() => file), rejects.map((r) => r.reason), detail, rejects.map((r) => r.raw)],
      rowNumbers: rejects.map((r) => r.row),
      lines: rejects.map((r) => r.line),
      rowCount: rejects.length,
    },
    true,
  );
  await db.run(pseudo
    ? `INSERT INTO struct_rejects SELECT file, _row, _line, reason, ${rawScrubSql('detail')}, raw FROM __struct CROSS JOIN __pkey k`
    : `INSERT INTO struct_rejects SELECT file, _row, _line, reason, detail, raw FROM __struct`);
  await db.run('DROP TABLE __struct');
}

/**
 * Naive timestamps were staged as UTC; in a named zone, subtract that zone's
 * offset at each local time (ASOF over the tabulated transitions). Only the
 * naive rows are touched, so files with offsets or epochs pay nothing.
 */
async function shiftNaiveTimes(db: Database, zone: string | undefined, file: string): Promise<void> {
  if (!zone || /^(utc|z|gmt|etc\/utc)$/i.test(zone)) return;
  // this file's rows only: the files staged before it were shifted already
  await db.run(`UPDATE staged SET ts_us = staged.ts_us - x.offset_us
    FROM (SELECT s._file, s._row, z.offset_us FROM staged s ASOF JOIN tz_offsets z ON s.ts_us >= z.local_from_us WHERE s.ts_kind = 'iso_naive' AND s._file = $1) x
    WHERE staged._file = x._file AND staged._row = x._row`, [file]);
}

/**
 * With files of conversions: whether the event files hold conversions too
 * (events named as the orders are), which then count beside the orders.
 * Said as a warning: one order and one event of the same transaction id
 * count once, but an event with another id, or none, is a second conversion.
 */
async function conversionsInBoth(db: Database, staged: StagedFile[]): Promise<string | undefined> {
  const convFiles = staged.filter((f) => f.role === 'conversions').map((f) => f.file);
  const eventFiles = staged.filter((f) => f.role === 'events').map((f) => f.file);
  if (!convFiles.length) return undefined;
  const [r] = await db.all(`SELECT count(*) AS n, string_agg(DISTINCT event_name, ' or ' ORDER BY event_name) AS names
    FROM staged WHERE is_conversion AND reason IS NULL AND _file IN (${eventFiles.map(sqlString).join(', ')})`);
  const n = Number(r?.n ?? 0);
  if (!n) return undefined;
  return `${n} ${n === 1 ? 'event of the event files is a conversion' : 'events of the event files are conversions'} too (named ${r.names}) and ${n === 1 ? 'counts' : 'count'} beside the orders of ${convFiles.join(', ')}: ` +
    'an event and an order count once only when they carry the same transaction id (the order id)';
}

/**
 * Marks every repeat of an event_id after its first row (spec section 2). A
 * layout with a duplicate key (Preset.duplicateKey: Mixpanel) counts a repeat
 * only when that key matches too.
 */
async function markDuplicates(db: Database, staged: StagedFile[]): Promise<void> {
  // per file, what besides the id a repeat must share (NULL: nothing; the same for every file of no key)
  const keyed = staged.filter((f) => f.resolved.preset.duplicateKey?.length);
  const key = keyed.length
    ? `, CASE ${keyed.map((f) => `WHEN s._file = ${sqlString(f.file)} THEN struct_pack(${f.resolved.preset.duplicateKey!.map((c) => `${c} := s.${c}`).join(', ')})`).join(' ')} END`
    : '';
  // Grouping 10M event ids as text cost a tenth of a 10M-row import: the ids whose 64-bit hash
  // repeats are found first (integers), and only their rows are grouped by the text itself, so a
  // hash collision of two different ids is never taken for a duplicate.
  await db.run(`CREATE OR REPLACE TEMP TABLE dup_ids AS
    WITH h AS (SELECT hash(event_id) AS h FROM staged WHERE NOT event_id_generated GROUP BY 1 HAVING count(*) > 1)
    SELECT event_id FROM staged WHERE NOT event_id_generated AND hash(event_id) IN (SELECT h FROM h)
    GROUP BY event_id HAVING count(*) > 1`);
  await db.run(`UPDATE staged SET reason = 'duplicate_event_id', reason_detail = 'event_id ' || d.event_id || ' first seen at row ' || CAST(d.first_row AS VARCHAR)
        || CASE WHEN d.first_file <> staged._file THEN ' of ' || d.first_file ELSE '' END,
      raw_text = coalesce(staged.raw_text, concat_ws(', ', 'event_id=' || staged.event_id,
        'event_ts=' || strftime(make_timestamp(staged.ts_us), '%Y-%m-%dT%H:%M:%S.%fZ'), 'event_name=' || staged.event_name,
        'user_id=' || staged.user_id, 'anon_id=' || staged.anon_id, 'session_id=' || staged.session_id))
    FROM (SELECT s._file, s._row, s.event_id,
            row_number() OVER w AS k, first_value(s._row) OVER w AS first_row, first_value(s._file) OVER w AS first_file
          FROM staged s WHERE s.event_id IN (SELECT event_id FROM dup_ids)
          WINDOW w AS (PARTITION BY s.event_id${key} ORDER BY s._file, s._row)) d
    WHERE staged._file = d._file AND staged._row = d._row AND d.k > 1`);
  await db.run('DROP TABLE dup_ids');
}

/**
 * Ids still shared after duplicates are marked (a layout's duplicate key told
 * the rows apart) would make one conversion of two: each later row's id gets
 * `~k` (its rank by file and row), so every accepted event id is unique.
 * Returns how many were renamed.
 */
async function separateSharedIds(db: Database): Promise<number> {
  await db.run(`CREATE OR REPLACE TEMP TABLE shared_ids AS
    SELECT s._file, s._row, s.event_id, row_number() OVER (PARTITION BY s.event_id ORDER BY s._file, s._row) AS k
    FROM staged s WHERE s.reason IS NULL AND NOT s.event_id_generated
      AND s.event_id IN (SELECT event_id FROM staged WHERE reason IS NULL AND NOT event_id_generated GROUP BY 1 HAVING count(*) > 1)`);
  const n = Number((await db.all('SELECT count(*) AS n FROM shared_ids WHERE k > 1'))[0].n);
  if (n) {
    await db.run(`UPDATE staged SET event_id = d.event_id || '~' || CAST(d.k AS VARCHAR)
      FROM shared_ids d WHERE staged._file = d._file AND staged._row = d._row AND d.k > 1`);
  }
  await db.run('DROP TABLE shared_ids');
  return n;
}
