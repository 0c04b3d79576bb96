/**
 * Streaming NDJSON (JSON Lines) reader.
 *
 * One JSON object per line, flattened to string columns so NDJSON exports
 * go through the same importer as CSV. Pure web APIs (browser and Node).
 */
import { AttribError } from '../errors.ts';
import type { FileSource } from './source.ts';
import { DecodedText } from './csv.ts';
import { emptyBatch, truncateRaw, type RecordBatch, type RecordReader, type StructuralReject } from './records.ts';
import { LONG_DIGITS, parseRaw, RawNumber, RawObject, rawToJson } from './json.ts';

/** Options for {@link openNdjson}. */
export interface NdjsonOptions {
  /** Records per batch (default 65536). */
  batchSize?: number;
  /** Number of leading records whose keys make up the header (default 10000). */
  sampleLines?: number;
  /**
   * Top-level keys whose objects stay one column of JSON text instead of dot
   * keys: a layout that expands them (expand.ts) then gets all their fields,
   * also those first seen after the sample, as it does from a CSV's JSON cells.
   */
  keepAsJson?: string[];
}

const LF = 10;
const CR = 13;
const BUFFER_CHARS = 1 << 18;
const DEFAULT_BATCH = 65536;
const DEFAULT_SAMPLE = 10000;
/** How many late key names `detected.lateKeyNames` lists. */
const LATE_NAMES_SHOWN = 10;

/** A non-blank physical line. */
interface Line {
  text: string;
  line: number;
}

/** A parsed line: flattened fields, or a reject. */
type Parsed = { row: number; line: number; fields: Map<string, string> } | StructuralReject;

/**
 * Splits decoded text into lines on LF, CRLF or lone CR. Splitting on CR is
 * safe because JSON strings cannot contain raw newlines. Blank lines are
 * dropped but still counted, so line numbers stay physical.
 */
class LineSplitter {
  private rest = '';
  private line = 1;
  /** The previous buffer ended with CR: a leading LF belongs to that terminator. */
  private skipLF = false;

  constructor(private readonly text: DecodedText) {}

  /** Returns the next group of complete lines, or `null` at end of file. */
  async next(): Promise<Line[] | null> {
    for (;;) {
      if (this.text.eof && this.rest === '') return null;
      const buf = await this.text.read(Math.max(BUFFER_CHARS, this.rest.length));
      const out: Line[] = [];
      if (buf === null) {
        // End of file: the unterminated last line.
        this.push(out, this.rest, 0, this.rest.length);
        this.rest = '';
        return out;
      }
      const n = buf.length;
      let i = 0;
      if (this.skipLF && buf.charCodeAt(0) === LF) i = 1;
      this.skipLF = false;
      let start = i;
      let rest = this.rest;
      for (; i < n; i++) {
        const c = buf.charCodeAt(i);
        if (c !== LF && c !== CR) continue;
        if (rest !== '') {
          // Finish the line carried from the last buffer; only it is copied.
          const line = rest + buf.slice(start, i);
          this.push(out, line, 0, line.length);
          rest = '';
        } else this.push(out, buf, start, i);
        this.line++;
        if (c === CR) {
          if (i + 1 < n) {
            if (buf.charCodeAt(i + 1) === LF) i++;
          } else this.skipLF = true;
        }
        start = i + 1;
      }
      this.rest = rest + buf.slice(start);
      if (this.text.eof) {
        this.push(out, this.rest, 0, this.rest.length);
        this.rest = '';
        return out;
      }
      if (out.length > 0) return out;
    }
  }

  private push(out: Line[], buf: string, start: number, end: number): void {
    if (start === end) return;
    const text = buf.slice(start, end);
    if (text.trim() === '') return;
    out.push({ text, line: this.line });
  }
}

function flattenRaw(o: RawObject, prefix: string, out: Map<string, string>, asJson: ReadonlySet<string>): void {
  for (const [k, v] of o.members) {
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (v instanceof RawObject && prefix === '' && asJson.has(k)) out.set(key, rawToJson(v));
    else if (v instanceof RawObject) flattenRaw(v, key, out, asJson);
    else if (v === null) out.set(key, '');
    else if (v instanceof RawNumber) out.set(key, v.text);
    else if (Array.isArray(v)) out.set(key, rawToJson(v));
    else if (typeof v === 'boolean') out.set(key, v ? 'true' : 'false');
    else out.set(key, v);
  }
}

/** Flattens a parsed object: nested objects become dot keys (those in `asJson` their JSON text), arrays their JSON text, null ''. */
function flatten(o: Record<string, unknown>, prefix: string, out: Map<string, string>, asJson: ReadonlySet<string>): void {
  for (const k of Object.keys(o)) {
    const v = o[k];
    const key = prefix === '' ? k : `${prefix}.${k}`;
    if (v === null || v === undefined) out.set(key, '');
    else if (typeof v === 'string') out.set(key, v);
    else if (typeof v === 'number') out.set(key, String(v));
    else if (typeof v === 'boolean') out.set(key, v ? 'true' : 'false');
    else if (Array.isArray(v) || (prefix === '' && asJson.has(k))) out.set(key, JSON.stringify(v));
    else flatten(v as Record<string, unknown>, key, out, asJson);
  }
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return `a ${typeof v}`;
}

/** Parses and flattens one line. */
function parseLine(l: Line, row: number, asJson: ReadonlySet<string>): Parsed {
  let v: unknown;
  try {
    v = JSON.parse(l.text);
  } catch (e) {
    const detail = e instanceof Error ? e.message : String(e);
    const pos = /position (\d+)/.exec(detail);
    const r: StructuralReject = { row, line: l.line, reason: 'invalid_json', detail, raw: truncateRaw(l.text) };
    if (pos) r.column = Number(pos[1]) + 1;
    return r;
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    return { row, line: l.line, reason: 'not_an_object', detail: `${describe(v)}, expected a JSON object`, raw: truncateRaw(l.text) };
  }
  const fields = new Map<string, string>();
  if (LONG_DIGITS.test(l.text)) flattenRaw(parseRaw(l.text) as RawObject, '', fields, asJson);
  else flatten(v as Record<string, unknown>, '', fields, asJson);
  return { row, line: l.line, fields };
}

function isReject(p: Parsed): p is StructuralReject {
  return 'reason' in p;
}

/**
 * Opens an NDJSON file. Reads the first `sampleLines` records to fix the
 * header (union of flattened keys, first-seen order); keys first seen later
 * are not columns but are counted in `detected.lateKeys` (final once
 * `batches()` is done) so the caller can warn.
 *
 * @throws AttribError `file_empty`, `file_unsupported` (a JSON array file),
 *   `file_not_utf8`, `file_unreadable`.
 */
export async function openNdjson(source: FileSource, opts: NdjsonOptions = {}): Promise<RecordReader> {
  const file = source.name;
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH));
  const sampleLines = Math.max(1, Math.floor(opts.sampleLines ?? DEFAULT_SAMPLE));
  const asJson: ReadonlySet<string> = new Set(opts.keepAsJson ?? []);
  const text = new DecodedText(source, 'utf-8');
  const splitter = new LineSplitter(text);
  try {
    // Sample: parse records until we have sampleLines of them (or EOF).
    const sample: Parsed[] = [];
    let pending: Line[] = []; // lines read past the sample
    let row = 0;
    while (sample.length < sampleLines) {
      const lines = await splitter.next();
      if (lines === null) break;
      let k = 0;
      if (row === 0 && lines.length > 0 && lines[0]!.text.trimStart().startsWith('[')) {
        throw new AttribError(
          'file_unsupported',
          'this is a JSON array, not newline-delimited JSON: write one object per line (NDJSON)',
          { file, line: lines[0]!.line },
        );
      }
      for (; k < lines.length && sample.length < sampleLines; k++) sample.push(parseLine(lines[k]!, ++row, asJson));
      if (k < lines.length) pending = lines.slice(k);
    }
    if (row === 0) throw new AttribError('file_empty', 'the file is empty: export it again with one JSON object per line', { file });

    const index = new Map<string, number>();
    for (const p of sample) {
      if (isReject(p)) continue;
      for (const k of p.fields.keys()) if (!index.has(k)) index.set(k, index.size);
    }
    const header = [...index.keys()];
    const sampleCount = sample.length;
    const ncols = header.length;
    const late = new Set<string>();
    const detected: Record<string, string | boolean | number> = {
      format: 'ndjson',
      encoding: 'utf-8',
      bom: text.bom,
      sampledLines: sampleCount,
      lateKeys: 0,
      lateKeyNames: '',
    };

    let batch = emptyBatch(ncols);
    /** Adds one parsed line; returns whether the batch is full. */
    const add = (p: Parsed): boolean => {
      if (isReject(p)) batch.rejects.push(p);
      else {
        const cols = batch.columns;
        for (let c = 0; c < ncols; c++) cols[c]!.push(p.fields.get(header[c]!) ?? '');
        // Records in the sample cannot have late keys; only look past it.
        if (p.row > sampleCount) {
          for (const k of p.fields.keys()) {
            if (!index.has(k) && !late.has(k)) {
              late.add(k);
              detected.lateKeys = late.size;
              if (late.size <= LATE_NAMES_SHOWN) detected.lateKeyNames = [...late].join(', ');
            }
          }
        }
        batch.rowNumbers.push(p.row);
        batch.lines.push(p.line);
        batch.rowCount++;
      }
      return batch.rowCount >= batchSize || batch.rejects.length >= batchSize;
    };
    const take = (): RecordBatch => {
      const b = batch;
      batch = emptyBatch(ncols);
      return b;
    };

    let started = false;
    return {
      header,
      detected,
      close: () => text.close(),
      async *batches(): AsyncGenerator<RecordBatch> {
        if (started) throw new AttribError('internal', 'batches() can only be iterated once', { file });
        started = true;
        try {
          for (const p of sample) if (add(p)) yield take();
          sample.length = 0; // let the sampled maps go
          let lines: Line[] | null = pending;
          while (lines !== null) {
            for (const l of lines) if (add(parseLine(l, ++row, asJson))) yield take();
            lines = await splitter.next();
          }
          const last = take();
          if (last.rowCount > 0 || last.rejects.length > 0) yield last;
        } finally {
          await text.close();
        }
      },
    };
  } catch (e) {
    await text.close();
    throw e;
  }
}
