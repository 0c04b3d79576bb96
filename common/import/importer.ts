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
import { formatFromName } from './source.ts';
import { CANONICAL_FIELDS, resolveMapping, requireCoreColumns, type ColumnMapping, type ResolvedMapping, type TimeUnit } from './columns.ts';
import { openCsv } from './csv.ts';
import { openNdjson } from './ndjson.ts';
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
  /** Event names that are conversions (default: purchase). */
  conversionEvents?: string[];
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
}

/** What the import did, for the user to see: nothing is dropped silently. */
export interface ImportReport {
  file: string;
  format: InputFormat;
  detected: Record<string, string | boolean | number>;
  preset: string;
  presetLabel: string;
  mapping: ColumnMapping;
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
  gclid VARCHAR, msclkid VARCHAR, fbclid VARCHAR, ttclid VARCHAR, li_fat_id VARCHAR, rdt_cid VARCHAR, click_token VARCHAR,
  revenue DOUBLE, currency VARCHAR, is_conversion BOOLEAN, reason VARCHAR, reason_detail VARCHAR, raw_text VARCHAR)`;

const NATIVE_TIME_TYPES = /^(TIMESTAMP|TIMESTAMP_S|TIMESTAMP_MS|TIMESTAMP_NS|DATE|TIMESTAMP WITH TIME ZONE|TIMESTAMPTZ)$/;

/**
 * Imports one file into `events` and `rejects`. Throws an {@link AttribError}
 * naming the file (and line/column where known) for whole-file problems.
 */
export async function importEvents(
  db: Database,
  source: FileSource,
  staging: ModelSpec,
  opts: ImportOptions = {},
  onProgress?: ProgressFn,
): Promise<ImportReport> {
  try {
    return await importAll(db, source, staging, opts, onProgress);
  } finally {
    // the padded key must not outlive the import, whatever happened
    if (opts.pseudonymize) await endPseudonymize(db).catch(() => undefined);
  }
}

async function importAll(
  db: Database,
  source: FileSource,
  staging: ModelSpec,
  opts: ImportOptions,
  onProgress?: ProgressFn,
): Promise<ImportReport> {
  const format = opts.format ?? formatFromName(source.name);
  if (!format) {
    throw new AttribError('file_unsupported', 'unknown file type: use .csv, .tsv, .parquet or .ndjson/.jsonl (or pass --format)', { file: source.name });
  }
  if (source.size === 0) throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file: source.name });
  // rough bytes per event row of our formats (Parquet compresses, text does not)
  await db.expectRows?.(source.size / (format === 'parquet' ? 30 : 200));
  for (const s of SETUP_SQL) await db.run(s);
  await prepareTables(db, opts);
  const pseudo = !!opts.pseudonymize;
  if (opts.pseudonymize) await beginPseudonymize(db, opts.pseudonymize.key);
  const warnings: string[] = [];
  let detected: Record<string, string | boolean | number> = {};
  let resolved: ResolvedMapping;
  let rowsRead = 0;
  let readerUsed: ImportReport['reader'] = format === 'csv' || format === 'tsv' ? 'typescript' : undefined;
  const keep = keptColumnNames(opts.keepColumns);
  let keptHeader: string[] = [];
  await db.run(`CREATE OR REPLACE TABLE event_extras (_file VARCHAR, _row INTEGER${keep.map((k) => `, ${ident(k)} VARCHAR`).join('')})`);

  const stageBatch = async (rawTable: string, columns: { name: string; type: string }[], rawNames: string[]) => {
    await db.run(srcView(rawTable, columns, rawNames, resolved.mapping, source.name, pseudo));
    const { sql, params } = bindNamed(staging.sql, {
      time_unit: opts.timeUnit ?? resolved.preset.timeUnit ?? 'auto',
      site_domains_re: siteDomainsRegex(opts.siteDomains ?? []),
    });
    await db.run(sql, params);
    const pii = pseudo ? piiColumns(rawNames, resolved.mapping) : undefined;
    await db.run(fillRawText(rawTable, columns, (detected.delimiter as string) ?? ',', pii));
    if (keep.length) await db.run(extrasInsert(rawTable, columns, rawNames, keep, source.name, pii));
  };

  if (format === 'parquet') {
    let header: string[] | undefined;
    let fileCols: { name: string; type: string }[] = [];
    await db.loadParquet(source, 'raw', async () => {
      if (!header) {
        const cols = (await db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE raw)`)) as { name: string; type: string }[];
        fileCols = cols.filter((c) => c.name !== '_row' && c.name !== '_line');
        header = fileCols.map((c) => c.name);
        keptHeader = header;
        resolved = resolveMapping(header, { presetId: opts.preset, overrides: opts.map, file: source.name });
        requireCoreColumns(resolved, header, source.name);
        detected = { columns: header.length };
      }
      rowsRead += Number((await db.all('SELECT count(*) AS n FROM raw'))[0].n);
      await stageBatch('raw', fileCols, header);
    }, onProgress);
    if (rowsRead === 0) throw new AttribError('file_header_only', 'the Parquet file has columns but no rows', { file: source.name });
  } else {
    let reader: RecordReader | undefined =
      format === 'ndjson'
        ? await openNdjson(source, { batchSize: opts.batchSize ?? DEFAULT_BATCH_ROWS })
        : await openCsv(source, { delimiter: opts.delimiter, encoding: opts.encoding, tsv: format === 'tsv', batchSize: opts.batchSize ?? DEFAULT_BATCH_ROWS });
    detected = { ...reader.detected };
    const header = reader.header;
    keptHeader = header;
    resolved = resolveMapping(header, { presetId: opts.preset, overrides: opts.map, file: source.name });
    requireCoreColumns(resolved, header, source.name);
    if (Number(reader.detected.lateKeys ?? 0) > 0) {
      warnings.push(`${reader.detected.lateKeys} keys first appear after the sampled lines and are not imported as columns`);
    }
    // Raw columns are positional (c0, c1...) so no file header can collide with ours.
    const rawNames = header.map((_, i) => `c${i}`);
    const cols = rawNames.map((name) => ({ name, type: 'VARCHAR' }));
    const engine = format !== 'ndjson' && engineCsvWanted(opts) ? await readCsvWithEngine(db, source, reader, header.length) : null;
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

  for (const k of keep) {
    if (!keptHeader.some((h) => h.toLowerCase() === k)) warnings.push(`column '${k}' to keep is not in the file: its values are empty`);
  }
  await shiftNaiveTimes(db, opts.timezone);
  await markDuplicates(db);
  // A view, not a copy: copying every event cost a sixth of the import and, in wasm, the heap twice over.
  await db.run(`CREATE OR REPLACE VIEW events AS SELECT * EXCLUDE (reason, reason_detail, raw_text) FROM staged WHERE reason IS NULL`);
  await db.run(`CREATE OR REPLACE TABLE rejects AS
    SELECT _file AS file, _row AS row_number, _line AS line, reason, reason_detail AS detail, raw_text AS raw FROM staged WHERE reason IS NOT NULL
    UNION ALL SELECT _file, _row, _line, reason, reason_detail, raw_text FROM struct_rejects`);
  const kinds = await db.all(`SELECT ts_kind AS k, count(*) AS n FROM staged WHERE ts_kind <> 'invalid' GROUP BY 1 ORDER BY 1`);

  const byReason = await db.all(`SELECT reason, count(*) AS n FROM rejects GROUP BY 1 ORDER BY 1`);
  const loaded = Number((await db.all('SELECT count(*) AS n FROM events'))[0].n);
  const conversions = Number((await db.all('SELECT count(*) AS n FROM events WHERE is_conversion'))[0].n);
  const rejectsByReason = Object.fromEntries(byReason.map((r: Row) => [String(r.reason), Number(r.n)]));
  const timestampKinds = Object.fromEntries(kinds.map((r: Row) => [String(r.k), Number(r.n)]));
  if (loaded === 0) {
    const firstReject = (await db.all('SELECT row_number, line, reason, detail FROM rejects ORDER BY row_number LIMIT 1'))[0];
    const summary = Object.entries(rejectsByReason).map(([k, v]) => `${v} ${k}`).join(', ');
    throw new AttribError(
      'all_rows_rejected',
      `all ${rowsRead} rows were rejected (${summary}); first: row ${firstReject?.row_number} ${firstReject?.reason}${firstReject?.detail ? ` (${firstReject.detail})` : ''}. Check the column mapping (--map) and the file`,
      { file: source.name, line: firstReject?.line == null ? undefined : Number(firstReject.line) },
    );
  }
  if (timestampKinds.iso_naive) {
    warnings.push(`${timestampKinds.iso_naive} timestamps have no UTC offset and were read as ${opts.timezone ?? 'UTC'} (set --timezone to change)`);
  }
  if (conversions === 0) {
    warnings.push(`no conversions: no event is named ${(opts.conversionEvents ?? ['purchase']).join(' or ')} (set --conversion-events)`);
  }
  return {
    file: source.name,
    format,
    detected,
    preset: resolved!.preset.id,
    presetLabel: resolved!.preset.label,
    mapping: resolved!.mapping,
    unusedColumns: resolved!.unused,
    rowsRead,
    rowsLoaded: loaded,
    rejectsByReason,
    timestampKinds,
    timezone: opts.timezone ?? 'UTC',
    conversions,
    warnings,
    ...(readerUsed ? { reader: readerUsed } : {}),
    ...(opts.pseudonymize
      ? {
          pseudonymized: {
            keyId: await keyId(fromHex(opts.pseudonymize.key.toLowerCase())),
            fields: (['user_id', 'anon_id'] as const).filter((f) => resolved!.mapping[f]).map((f) => `${f} (${resolved!.mapping[f]})`),
            keptColumns: keep.filter((k) => PII_NAME_RE.test(k)),
          },
        }
      : {}),
  };
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
async function prepareTables(db: Database, opts: ImportOptions): Promise<void> {
  await db.run(STAGED_DDL);
  await db.run(`CREATE OR REPLACE TABLE struct_rejects (_file VARCHAR, _row INTEGER, _line INTEGER, reason VARCHAR, reason_detail VARCHAR, raw_text VARCHAR)`);
  await db.run('CREATE OR REPLACE TABLE tz_offsets (local_from_us BIGINT, offset_us BIGINT)');
  for (const r of zoneOffsets(opts.timezone ?? 'UTC')) await db.run('INSERT INTO tz_offsets VALUES ($1, $2)', [r.local_from_us, r.offset_us]);
  await db.run('CREATE OR REPLACE TABLE conversion_names (name VARCHAR PRIMARY KEY)');
  for (const n of new Set((opts.conversionEvents ?? ['purchase']).map((x) => x.trim().toLowerCase()))) {
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
    const c = colFor(mapping[f]);
    const alias = f === 'revenue' ? 'revenue_raw' : f;
    parts.push(c ? `${text(c.ref, c.type, f)} AS ${alias}` : `CAST(NULL AS VARCHAR) AS ${alias}`);
  }
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
  return `CREATE OR REPLACE VIEW src AS SELECT i.* REPLACE (${replace.join(', ')}) FROM (${inner}) i CROSS JOIN __pkey k`;
}

/**
 * Under pseudonymisation, the raw columns (by position) whose whole value is
 * an identifier: those mapped to user_id or anon_id and those named like one
 * (an e-mail, IP or device id column the mapping does not use).
 */
function piiColumns(sourceNames: string[], mapping: ColumnMapping): Set<number> {
  const out = new Set<number>();
  sourceNames.forEach((n, i) => {
    if (n === mapping.user_id || n === mapping.anon_id || PII_NAME_RE.test(n)) out.add(i);
  });
  return out;
}

/**
 * Gives the rows of this batch that staging rejected their raw text (the file's
 * fields joined by its delimiter). Done after staging, for rejects only: building
 * it for every row cost more than a tenth of the import.
 */
function fillRawText(rawTable: string, columns: { name: string }[], delimiter: string, pii?: Set<number>): string {
  const field = (c: { name: string }, i: number) => {
    const v = `CAST(r.${ident(c.name)} AS VARCHAR)`;
    // pseudonymised: identifier columns hashed, e-mail and IP addresses elsewhere hashed or cut out
    return `coalesce(${!pii ? v : pii.has(i) ? pidSql(`trim(${v})`) : rawScrubSql(v)}, '')`;
  };
  const rawText = `concat_ws(${sqlString(delimiter)}, ${columns.map(field).join(', ')})`;
  return `UPDATE staged SET raw_text = ${rawText} FROM ${ident(rawTable)} r${pii ? ' CROSS JOIN __pkey k' : ''}
    WHERE staged.reason IS NOT NULL AND staged.raw_text IS NULL AND staged._row = r._row`;
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
async function shiftNaiveTimes(db: Database, zone: string | undefined): Promise<void> {
  if (!zone || /^(utc|z|gmt|etc\/utc)$/i.test(zone)) return;
  await db.run(`UPDATE staged SET ts_us = staged.ts_us - x.offset_us
    FROM (SELECT s._file, s._row, z.offset_us FROM staged s ASOF JOIN tz_offsets z ON s.ts_us >= z.local_from_us WHERE s.ts_kind = 'iso_naive') x
    WHERE staged._file = x._file AND staged._row = x._row`);
}

/** Marks every repeat of an event_id after its first row (spec section 2). */
async function markDuplicates(db: Database): Promise<void> {
  await db.run(`CREATE OR REPLACE TEMP TABLE dup_ids AS
    SELECT event_id FROM staged WHERE NOT event_id_generated GROUP BY event_id HAVING count(*) > 1`);
  await db.run(`UPDATE staged SET reason = 'duplicate_event_id', reason_detail = 'event_id ' || d.event_id || ' first seen at row ' || CAST(d.first_row AS VARCHAR),
      raw_text = coalesce(staged.raw_text, concat_ws(', ', 'event_id=' || staged.event_id,
        'event_ts=' || strftime(make_timestamp(staged.ts_us), '%Y-%m-%dT%H:%M:%S.%fZ'), 'event_name=' || staged.event_name,
        'user_id=' || staged.user_id, 'anon_id=' || staged.anon_id, 'session_id=' || staged.session_id))
    FROM (SELECT s._file, s._row, s.event_id,
            row_number() OVER (PARTITION BY s.event_id ORDER BY s._file, s._row) AS k,
            min(s._row) OVER (PARTITION BY s.event_id) AS first_row
          FROM staged s WHERE s.event_id IN (SELECT event_id FROM dup_ids)) d
    WHERE staged._file = d._file AND staged._row = d._row AND d.k > 1`);
  await db.run('DROP TABLE dup_ids');
}
