/**
 * CSV through the engine's own reader (DuckDB `read_csv`), with the TypeScript
 * reader's exact results or not at all.
 *
 * The TypeScript reader (csv.ts) defines what a CSV file means here: row and
 * line numbers, structural rejects and their text, whole-file errors. DuckDB's
 * reader is several times faster but differs at the edges (it trims spaces
 * around quoted values, takes a stray quote inside a field as text, skips
 * blank lines, counts records rather than physical lines). So the engine's
 * rows are only used when they provably equal the TypeScript reader's:
 *
 * - one pass over the bytes ({@link scanCsvBytes}) counts line breaks, quotes,
 *   carriage returns and NULs, and finds blank lines;
 * - every record is then one physical line (no blank line, no line break
 *   inside a value, no lone CR), so row n starts on line n + 1;
 * - every byte of the file is accounted for by the values DuckDB returned,
 *   the delimiters, the quotes and the line breaks: nothing was trimmed,
 *   skipped or merged; no value holds a quote (so every quote in the file
 *   opened or closed a field, as the TypeScript reader requires);
 * - DuckDB's rejects are all wrong field counts (ragged_row), whose text
 *   gives the field count.
 *
 * When any of that fails (or DuckDB reports an error: bad UTF-8, an
 * unterminated quote...), the caller reads the file with the TypeScript
 * reader, which gives the same rows, or the same one-line error, as always.
 * The checks cost one read of the bytes (memchr-like scans) and one SQL
 * aggregate; the files that fail them are the unusual ones.
 */
import type { CsvLoadSpec, Database } from '../db.ts';
import { ident, sqlString } from '../db.ts';
import type { FileSource } from './source.ts';
import { truncateRaw, type StructuralReject } from './records.ts';

const LF = 10;
const CR = 13;

/** What one pass over a file's bytes found (see {@link scanCsvBytes}). */
export interface CsvByteCounts {
  /** Line feeds. */
  lf: number;
  /** Carriage returns. */
  cr: number;
  /** Quote bytes, and those of them in the header line. */
  quotes: number;
  headerQuotes: number;
  /** A NUL byte (the TypeScript reader refuses the file: probably UTF-16). */
  nul: boolean;
  /** A CR not followed by LF (a line break of its own for the TypeScript reader). */
  loneCr: boolean;
  /** An empty line anywhere (the TypeScript reader skips it but counts the line). */
  blankLine: boolean;
  /** The last byte is a line feed. */
  endsWithLf: boolean;
  /** A UTF-8 byte-order mark opens the file. */
  bom: boolean;
  /** Bytes of the header line without its terminator; -1 when no line feed ends it. */
  headerBytes: number;
  /** Bytes read in all. */
  bytes: number;
  /**
   * A line with a quote that the TypeScript reader would not take as RFC 4180
   * quoting on one line: a quote inside an unquoted field, text after a
   * closing quote, or a quoted field that runs past the line's end.
   */
  oddQuoting: boolean;
  /** Doubled quotes ("" in a quoted field: one quote of the value) in the data lines. */
  escapedQuotes: number;
}

/**
 * Counts, in one pass over the bytes, what {@link loadCsvWithEngine} needs to
 * prove DuckDB's rows equal the TypeScript reader's. Uses indexOf (native
 * scans) per special byte rather than a JavaScript loop over every byte.
 */
export async function scanCsvBytes(source: FileSource, quote: number, delimiter: number): Promise<CsvByteCounts> {
  const s: CsvByteCounts = { lf: 0, cr: 0, quotes: 0, headerQuotes: 0, nul: false, loneCr: false, blankLine: false, endsWithLf: false, bom: false, headerBytes: -1, bytes: 0, oddQuoting: false, escapedQuotes: 0 };
  let offset = 0; // file offset of the chunk's first byte
  let last = -1; // the previous chunk's last byte
  let headerEnd = -1; // file offset of the header's LF
  const lines = new QuotedLines(quote, delimiter);
  for await (const chunk of source.stream()) {
    if (chunk.length === 0) continue;
    if (!s.oddQuoting && !lines.feed(chunk)) s.oddQuoting = true;
    if (offset === 0) {
      s.bom = chunk[0] === 0xef && chunk[1] === 0xbb && chunk[2] === 0xbf;
      const first = chunk[s.bom ? 3 : 0];
      if (first === LF || first === CR) s.blankLine = true;
    }
    // a terminator ending the previous chunk, followed by another here: an empty line
    if (last === LF && (chunk[0] === LF || chunk[0] === CR)) s.blankLine = true;
    if (last === CR && chunk[0] !== LF) s.loneCr = true;
    for (let i = chunk.indexOf(LF); i >= 0; i = chunk.indexOf(LF, i + 1)) {
      s.lf++;
      const next = chunk[i + 1];
      if (next === LF || next === CR) s.blankLine = true;
      if (headerEnd < 0) {
        headerEnd = offset + i;
        const before = i > 0 ? chunk[i - 1] : last;
        s.headerBytes = headerEnd - (s.bom ? 3 : 0) - (before === CR ? 1 : 0);
      }
    }
    for (let i = chunk.indexOf(CR); i >= 0; i = chunk.indexOf(CR, i + 1)) {
      s.cr++;
      if (i + 1 < chunk.length && chunk[i + 1] !== LF) s.loneCr = true;
    }
    for (let i = chunk.indexOf(quote); i >= 0; i = chunk.indexOf(quote, i + 1)) {
      s.quotes++;
      if (headerEnd < 0 || offset + i < headerEnd) s.headerQuotes++;
    }
    if (!s.nul && chunk.indexOf(0) >= 0) s.nul = true;
    last = chunk[chunk.length - 1]!;
    offset += chunk.length;
  }
  if (!s.oddQuoting && !lines.end()) s.oddQuoting = true;
  s.escapedQuotes = lines.escaped;
  if (last === CR) s.loneCr = true;
  s.endsWithLf = last === LF;
  s.bytes = offset;
  return s;
}

/**
 * Checks the quoting of every line that holds a quote, as whole lines: the
 * bytes after the chunk's last line feed are carried into the next chunk.
 * Lines without a quote (nearly all) cost one indexOf per chunk.
 */
class QuotedLines {
  /** Doubled quotes met in quoted fields of the data lines (the header's are not counted). */
  escaped = 0;
  private carry: Uint8Array = new Uint8Array(0);
  /** File offset of the carried bytes' first byte. */
  private offset = 0;
  constructor(
    private readonly Q: number,
    private readonly D: number,
  ) {}

  /** Takes the next chunk; false at the first line whose quoting is odd. */
  feed(chunk: Uint8Array): boolean {
    let buf = chunk;
    if (this.carry.length) {
      buf = new Uint8Array(this.carry.length + chunk.length);
      buf.set(this.carry);
      buf.set(chunk, this.carry.length);
    }
    const lastLf = buf.lastIndexOf(LF);
    const ok = lastLf < 0 || this.lines(buf, lastLf + 1);
    this.carry = buf.slice(lastLf + 1);
    this.offset += lastLf + 1;
    return ok;
  }

  /** The last line (no line feed after it). */
  end(): boolean {
    return this.lines(this.carry, this.carry.length);
  }

  /** Checks the lines of buf[0, end) that hold a quote. */
  private lines(buf: Uint8Array, end: number): boolean {
    for (let q = buf.indexOf(this.Q); q >= 0 && q < end; ) {
      const start = buf.lastIndexOf(LF, q) + 1;
      let stop = buf.indexOf(LF, q);
      if (stop < 0 || stop > end) stop = end;
      const lineEnd = stop > start && buf[stop - 1] === CR ? stop - 1 : stop;
      const escaped = rfcQuoted(buf, start, lineEnd, this.Q, this.D);
      if (escaped < 0) return false;
      if (this.offset + start > 0) this.escaped += escaped;
      q = stop >= end ? -1 : buf.indexOf(this.Q, stop);
    }
    return true;
  }
}

/**
 * Whether one line, buf[start, end), is one record whose quotes the
 * TypeScript reader takes without a reject (a quote opens a field only at
 * its start, `""` inside is a quote, the closing quote is followed by the
 * delimiter or the line's end): the number of doubled quotes if so, else -1.
 */
function rfcQuoted(buf: Uint8Array, start: number, end: number, Q: number, D: number): number {
  let escaped = 0;
  let i = start;
  for (;;) {
    if (i < end && buf[i] === Q) {
      // a quoted field: up to a quote that is not doubled
      for (i++; ; i += 2, escaped++) {
        i = buf.indexOf(Q, i);
        if (i < 0 || i >= end) return -1; // runs past the line
        if (buf[i + 1] !== Q || i + 1 >= end) break;
      }
      i++;
      if (i >= end) return escaped;
      if (buf[i] !== D) return -1; // text after the closing quote
      i++;
      continue;
    }
    let d = buf.indexOf(D, i);
    if (d < 0 || d > end) d = end;
    const q = buf.indexOf(Q, i);
    if (q >= 0 && q < d) return -1; // a quote inside an unquoted field
    if (d >= end) return escaped;
    i = d + 1;
  }
}

/** What the TypeScript reader found at the start of the file (its sniffing and header). */
export interface CsvHead {
  delimiter: string;
  quote: string;
  /** Number of header columns. */
  columns: number;
  lineEnding: string;
}

/** Rows loaded by the engine's reader: the raw view is in place. */
export interface EngineCsvResult {
  /** Data records read, rejects included. */
  rowsRead: number;
  /** The ragged rows, as the TypeScript reader reports them. */
  rejects: StructuralReject[];
}

/**
 * The statements of Database.loadCsv, the same on both engines: DuckDB's
 * `read_csv` of the file at `path` (as the engine sees it) into `table`,
 * every column VARCHAR, as the TypeScript reader sniffed it (no DuckDB
 * sniffing: its guesses could differ); malformed records into
 * `table`_rejects (store_rejects) rather than failing the file. Run
 * {@link csvLoadCleanup} after them, whatever happened.
 */
export function csvLoadSql(path: string, table: string, spec: CsvLoadSpec): string[] {
  const columns = Array.from({ length: spec.columns }, (_, i) => `${sqlString(`c${i}`)}: 'VARCHAR'`).join(', ');
  return [
    // header=false, skip=1: the header is ours (csv.ts); DuckDB must not rename or validate it.
    // No new_line: DuckDB takes LF and CRLF alike, and given either explicitly it read a CRLF
    // file as no rows at all (1.5.6; the importer's line count would refuse that, not trust it).
    `CREATE OR REPLACE TABLE ${ident(table)} AS SELECT * FROM read_csv(${sqlString(path)},
       columns = {${columns}}, header = false, skip = 1, auto_detect = false,
       delim = ${sqlString(spec.delimiter)}, quote = ${sqlString(spec.quote)}, escape = ${sqlString(spec.quote)},
       encoding = 'utf-8', strict_mode = true, null_padding = false,
       store_rejects = true, rejects_table = ${sqlString(`${table}_errors`)}, rejects_scan = ${sqlString(`${table}_scans`)})`,
    `CREATE OR REPLACE TABLE ${ident(`${table}_rejects`)} AS SELECT line, error_type, csv_line FROM ${ident(`${table}_errors`)}`,
  ];
}

/** Drops the reject tables DuckDB made for {@link csvLoadSql}. */
export function csvLoadCleanup(table: string): string[] {
  return [`DROP TABLE IF EXISTS ${ident(`${table}_errors`)}`, `DROP TABLE IF EXISTS ${ident(`${table}_scans`)}`];
}

/**
 * Whether the engine's reader can be tried for this file at all: single-byte
 * ASCII delimiter and the standard quote (DuckDB's escape for it is the same
 * doubled quote the TypeScript reader takes), line feeds as line breaks.
 */
export function engineCsvEligible(db: Database, source: FileSource, head: CsvHead): boolean {
  const d = head.delimiter.charCodeAt(0);
  return !!db.loadCsv && !!db.canLoadCsv?.(source) && head.quote === '"' && head.delimiter.length === 1 && d > 0 && d < 128 && d !== LF && d !== CR
    && (head.lineEnding === 'LF' || head.lineEnding === 'CRLF');
}

/**
 * Reads a CSV file with the engine's reader into the view `table` (`_row`,
 * `_line`, c0..cN, empty fields as '' like the TypeScript reader), or returns
 * null, leaving nothing behind, when the result would not be identical to the
 * TypeScript reader's (see the file comment): the caller then uses that.
 */
export async function loadCsvWithEngine(db: Database, source: FileSource, head: CsvHead, table: string): Promise<EngineCsvResult | null> {
  const base = `${table}_csv`;
  const cols = Array.from({ length: head.columns }, (_, i) => `c${i}`);
  let counts: CsvByteCounts;
  try {
    // The byte scan runs in JavaScript while DuckDB reads on its own threads.
    const [scan, loaded] = await Promise.all([
      scanCsvBytes(source, head.quote.charCodeAt(0), head.delimiter.charCodeAt(0)),
      db.loadCsv!(source, base, { delimiter: head.delimiter, quote: head.quote, columns: head.columns }),
    ]);
    if (!loaded) return null;
    counts = scan;
  } catch {
    // DuckDB refused the file (bad UTF-8, an unterminated quote, a line too long...): the
    // TypeScript reader gives the error, or the rows, in its own words.
    await dropEngineTables(db, base);
    return null;
  }
  const result = await checkAndShape(db, counts, head, base, cols, table);
  if (!result) await dropEngineTables(db, base);
  return result;
}

/** Drops what {@link loadCsvWithEngine} made (the raw view first: it reads the table). */
export async function dropEngineTables(db: Database, base: string, view?: string): Promise<void> {
  if (view) await db.run(`DROP VIEW IF EXISTS ${ident(view)}`);
  await db.run(`DROP TABLE IF EXISTS ${ident(base)}`);
  await db.run(`DROP TABLE IF EXISTS ${ident(base + '_rejects')}`);
  await db.run(`DROP TABLE IF EXISTS ${ident(base + '_rj')}`);
}

/** The checks of the file comment; on success, creates the raw view and returns the rejects. */
async function checkAndShape(db: Database, s: CsvByteCounts, head: CsvHead, base: string, cols: string[], table: string): Promise<EngineCsvResult | null> {
  if (s.nul || s.loneCr || s.blankLine || s.oddQuoting || s.headerBytes < 0) return null;
  // DuckDB files one error per missing or extra column: one reject per record here.
  const rows = await db.all(`SELECT CAST(line AS BIGINT) AS line, bool_and(error_type IN ('MISSING COLUMNS', 'TOO MANY COLUMNS')) AS ragged,
      any_value(csv_line) AS csv_line FROM ${ident(base + '_rejects')} GROUP BY line ORDER BY line`);
  // In a CRLF file DuckDB splits at the CR: its text of a record starts with the LF before it.
  const rejects = rows.map((r) => ({ line: Number(r.line), ragged: r.ragged, text: String(r.csv_line).replace(/^\n/, '').replace(/\r$/, '') }));
  const q = head.quote;
  if (rejects.some((r) => !r.ragged || /[\r\n]/.test(r.text))) return null;
  const utf8 = new TextEncoder();
  let rejectBytes = 0;
  let rejectQuotes = 0;
  let rejectEscapes = 0;
  for (const r of rejects) {
    const bytes = utf8.encode(r.text);
    rejectBytes += bytes.length;
    rejectQuotes += r.text.split(q).length - 1;
    // counted as the scan counted them (its lines passed rfcQuoted)
    if (r.text.includes(q)) rejectEscapes += rfcQuoted(bytes, 0, bytes.length, q.charCodeAt(0), head.delimiter.charCodeAt(0));
  }
  // Per-column sums (a sum of sums runs at half the speed). No value can hold a line break:
  // the scan found every quoted field closed on its own line.
  const [agg] = await db.all(`SELECT count(*) AS n, ${cols.map((c, i) => `CAST(sum(strlen(${ident(c)})) AS BIGINT) AS b${i}`).join(', ')} FROM ${ident(base)}`);
  const good = Number(agg.n);
  const valueBytes = cols.reduce((a, _, i) => a + Number(agg[`b${i}`] ?? 0), 0);
  // Records: every line of the file but the header (no blank lines, none inside a value).
  const records = s.lf + (s.endsWithLf ? 0 : 1) - 1;
  if (good + rejects.length !== records) return null;
  // A doubled quote is one byte of its value and two of the file; the other quotes enclose fields.
  const goodQuotes = s.quotes - s.headerQuotes - rejectQuotes;
  const goodEscapes = s.escapedQuotes - rejectEscapes;
  const expected = (s.bom ? 3 : 0) + s.headerBytes + valueBytes + good * (cols.length - 1)
    + rejectBytes + (goodQuotes - goodEscapes) + s.lf + s.cr;
  if (expected !== s.bytes) return null;
  await createRawView(db, base, cols, rejects.length, table);
  return {
    rowsRead: records,
    rejects: rejects.map((r) => raggedReject(r.text, r.line, head)),
  };
}

/**
 * A ragged row as the TypeScript reader reports it: `line` is DuckDB's record
 * number counting the header as 1, which is the physical line here (one line
 * per record) and the data row number plus one.
 */
function raggedReject(text: string, line: number, head: CsvHead): StructuralReject {
  const nf = fieldCount(text, head.delimiter, head.quote);
  return {
    row: line - 1,
    line,
    column: nf > head.columns ? head.columns + 1 : nf + 1,
    reason: 'ragged_row',
    detail: `${nf} fields, header has ${head.columns}`,
    raw: truncateRaw(text),
  };
}

/** Fields of one record whose quoting the scan found regular: delimiters outside quotes, plus one. */
function fieldCount(text: string, delimiter: string, quote: string): number {
  let n = 1;
  let quoted = false;
  for (const ch of text) {
    if (ch === quote) quoted = !quoted; // a doubled quote inside toggles twice: no change
    else if (ch === delimiter && !quoted) n++;
  }
  return n;
}

/**
 * The raw view staging reads: `_row` is the record's ordinal among all data
 * records (rejected ones count), `_line` the line it is on. DuckDB's table
 * holds the good records in file order (rowid); each reject before a row
 * shifts its number by one, found with an ASOF join on the small rejects list.
 */
async function createRawView(db: Database, base: string, cols: string[], rejects: number, table: string): Promise<void> {
  // DuckDB returns an empty field as NULL; the TypeScript reader as ''.
  const values = cols.map((c) => `coalesce(r.${ident(c)}, '') AS ${ident(c)}`).join(', ');
  if (rejects === 0) {
    await db.run(`CREATE OR REPLACE VIEW ${ident(table)} AS
      SELECT CAST(r.rowid + 1 AS INTEGER) AS _row, CAST(r.rowid + 2 AS INTEGER) AS _line, ${values} FROM ${ident(base)} r`);
    return;
  }
  // Reject m (1-based, in file order) is data row line_m - 1 and comes after (line_m - 1) - m good rows.
  const rj = base + '_rj';
  await db.run(`CREATE OR REPLACE TABLE ${ident(rj)} AS
    SELECT before_good, max(m) AS shift FROM (
      SELECT line - 1 - row_number() OVER (ORDER BY line) AS before_good, row_number() OVER (ORDER BY line) AS m
      FROM (SELECT DISTINCT line FROM ${ident(base + '_rejects')})
    ) GROUP BY before_good`);
  await db.run(`CREATE OR REPLACE VIEW ${ident(table)} AS
    SELECT CAST(g + coalesce(j.shift, 0) AS INTEGER) AS _row, CAST(g + coalesce(j.shift, 0) + 1 AS INTEGER) AS _line, ${values}
    FROM (SELECT rowid + 1 AS g, * FROM ${ident(base)}) r ASOF LEFT JOIN ${ident(rj)} j ON r.g > j.before_good`);
}
