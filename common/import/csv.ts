/**
 * Streaming CSV/TSV reader.
 *
 * Runs in Node and in the browser, so it only uses web APIs (TextDecoder,
 * Uint8Array). The file is decoded in large text buffers and parsed by a
 * resumable char-code state machine: fields are sliced out of the buffer
 * (never built char by char) and a record that straddles two buffers is
 * carried over with its parse state, so nothing is parsed twice and the
 * whole file is never held in memory.
 */
import { binaryKind, headBytes, looksUtf16 } from './signature.ts';
import { AttribError } from '../errors.ts';
import type { FileSource } from './source.ts';
import { emptyBatch, truncateRaw, type RecordBatch, type RecordReader } from './records.ts';

/** Text encodings the readers accept. */
export type TextEncodingName = 'utf-8' | 'latin1' | 'windows-1252' | 'utf-16le';

/** Options for {@link openCsv}. */
export interface CsvOptions {
  /** Field delimiter (one character). Sniffed when omitted. */
  delimiter?: string;
  /** Quote character (default `"`); `''` turns quoting off. */
  quote?: string;
  /** Text encoding (default strict UTF-8). */
  encoding?: TextEncodingName;
  /** Records per batch (default 65536). */
  batchSize?: number;
  /** Shorthand for `delimiter: '\t'`. */
  tsv?: boolean;
}

const LF = 10;
const CR = 13;
/** Decoded characters handed to the parser at a time; big enough that per-buffer overhead vanishes. */
const BUFFER_CHARS = 1 << 16;
/** Longest first line of a new buffer that append() will bridge rather than copy the whole buffer. */
const BRIDGE_MAX = 1 << 14;
/** How much text the delimiter sniffer looks at. */
const SNIFF_CHARS = 64 * 1024;
/** How many records the sniffer compares. */
const SNIFF_RECORDS = 100;
const DEFAULT_BATCH = 65536;
/** Per-column string cache: 2^CACHE_BITS slots, values up to CACHE_MAX_LEN chars, decided after CACHE_TRIAL misses. */
const CACHE_BITS = 6;
const CACHE_MASK = (1 << CACHE_BITS) - 1;
const CACHE_MAX_LEN = 48;
const CACHE_TRIAL = 2000;
const SNIFF_CANDIDATES = [',', '\t', ';', '|'];

const ENCODING_HINT = 'Re-export as UTF-8, or pass --encoding latin1 (or windows-1252, utf-16le)';
const UTF16_HINT = 'Pass --encoding utf-16le, or re-export as UTF-8';

// ---------------------------------------------------------------------------
// Decoding
// ---------------------------------------------------------------------------

/**
 * Decodes a {@link FileSource} into text buffers of a requested minimum size.
 *
 * UTF-8 is decoded strictly: a bad byte or a NUL (a sign of UTF-16) raises
 * `file_not_utf8`. To give that error a line and column without paying for
 * line counting on the happy path, the file is re-streamed once, only when
 * an error has happened, and the bad byte located by a byte-level validator.
 * Shared by the CSV and NDJSON readers.
 */
export class DecodedText {
  /** Whether a byte-order mark was found (and stripped). */
  bom = false;
  /** Set once the last byte has been decoded. */
  eof = false;
  private readonly decoder: TextDecoder;
  private readonly utf8: boolean;
  private it: AsyncIterator<Uint8Array> | undefined;
  private first = true;

  constructor(
    private readonly source: FileSource,
    /** The encoding in use. */
    readonly encoding: TextEncodingName = 'utf-8',
  ) {
    this.utf8 = encoding === 'utf-8';
    try {
      // ignoreBOM: keep the BOM in the output so we can report that it was there.
      this.decoder = new TextDecoder(encoding, { fatal: this.utf8, ignoreBOM: true });
    } catch {
      throw new AttribError('bad_parameter', `unknown encoding "${encoding}": use utf-8, latin1, windows-1252 or utf-16le`, {
        file: source.name,
      });
    }
  }

  /**
   * Returns at least `minChars` characters of text (fewer only at the end of
   * the file), or `null` when nothing is left.
   */
  async read(minChars: number): Promise<string | null> {
    if (this.eof) return null;
    this.it ??= this.source.stream()[Symbol.asyncIterator]();
    const parts: string[] = [];
    let total = 0;
    while (total < minChars) {
      let r: IteratorResult<Uint8Array>;
      try {
        r = await this.it.next();
      } catch (e) {
        // a source that says what is wrong itself (a .gz that is not gzip) is passed on as it is
        if (e instanceof AttribError) throw e;
        throw new AttribError('file_unreadable', `cannot read the file: ${e instanceof Error ? e.message : String(e)}`, {
          file: this.source.name,
        });
      }
      let s: string;
      try {
        s = r.done ? this.decoder.decode() : this.decoder.decode(r.value, { stream: true });
      } catch {
        // Only the fatal UTF-8 decoder throws.
        throw await this.encodingError();
      }
      if (r.done) this.eof = true;
      if (this.first && s.length > 0) {
        this.first = false;
        if (s.charCodeAt(0) === 0xfeff) {
          this.bom = true;
          s = s.slice(1);
        }
      }
      if (s.length > 0) {
        parts.push(s);
        total += s.length;
      }
      if (this.eof) break;
    }
    if (parts.length === 0) return null;
    // join() yields a flat string, which keeps charCodeAt on the fast path.
    const text = parts.length === 1 ? parts[0]! : parts.join('');
    // NUL never appears in real UTF-8 text exports but is every other byte of UTF-16.
    if (this.utf8 && text.indexOf('\u0000') !== -1) throw await this.encodingError();
    return text;
  }

  /** Releases the underlying stream (e.g. when the consumer stops early). */
  async close(): Promise<void> {
    const it = this.it;
    this.it = undefined;
    this.eof = true;
    try {
      await it?.return?.();
    } catch {
      // Closing is best effort; the stream may already have failed.
    }
  }

  /** Builds the `file_not_utf8` error, locating the first bad byte by re-reading the file. */
  private async encodingError(): Promise<AttribError> {
    await this.close();
    const file = this.source.name;
    // a picture or a workbook picked by mistake is named for what it is, not as text with a bad byte
    const head = await headBytes(this.source, 64).catch(() => new Uint8Array(0));
    const kind = binaryKind(head);
    if (kind) return new AttribError('file_unsupported', `this is ${kind.what}, not a text export: ${kind.hint}`, { file });
    let loc: Utf8Problem | null = null;
    try {
      loc = await locateUtf8Problem(this.source);
    } catch {
      // Fall through to an error without a location.
    }
    if (!loc) return new AttribError('file_not_utf8', `the file is not valid UTF-8. ${ENCODING_HINT}`, { file });
    const where = { file, line: loc.line, column: loc.column };
    switch (loc.kind) {
      case 'utf16_bom':
        return new AttribError('file_not_utf8', `the file looks like UTF-16 (it starts with a UTF-16 byte-order mark), not UTF-8. ${UTF16_HINT}`, where);
      case 'nul':
        // UTF-16 text has a NUL beside nearly every ASCII letter; other NULs are binary data, not text
        return looksUtf16(head)
          ? new AttribError('file_not_utf8', `not valid UTF-8 text: NUL byte at line ${loc.line}, column ${loc.column} (the file is probably UTF-16). ${UTF16_HINT}`, where)
          : new AttribError('file_not_utf8', `not a text file: NUL byte at line ${loc.line}, column ${loc.column}. Choose the export itself (CSV, TSV, NDJSON or Parquet)`, where);
      default:
        return new AttribError(
          'file_not_utf8',
          `not valid UTF-8 at line ${loc.line}, column ${loc.column} (byte 0x${hex(loc.byte)}). ${ENCODING_HINT}`,
          where,
        );
    }
  }
}

function hex(b: number): string {
  return b.toString(16).toUpperCase().padStart(2, '0');
}

interface Utf8Problem {
  kind: 'utf16_bom' | 'nul' | 'invalid';
  line: number;
  /** 1-based character (code point) position in the line. */
  column: number;
  byte: number;
}

/**
 * Finds the first byte that makes the file invalid UTF-8 (or a NUL byte),
 * with its line and column. Follows the WHATWG decoder's rules so it agrees
 * with TextDecoder about which byte is bad; the lead byte of a broken
 * sequence is the one reported. Error path only, so a plain byte loop is fine.
 */
export async function locateUtf8Problem(source: FileSource): Promise<Utf8Problem | null> {
  let line = 1;
  let column = 1; // column of the next character
  let need = 0; // continuation bytes still expected
  let lower = 0x80;
  let upper = 0xbf;
  let seqByte = 0; // lead byte of the current sequence
  let seqCol = 0;
  let prevCR = false;

  const feed = (chunk: Uint8Array, from: number): Utf8Problem | null => {
    for (let k = from; k < chunk.length; k++) {
      const b = chunk[k]!;
      if (need === 0) {
        if (b < 0x80) {
          if (b === 0) return { kind: 'nul', line, column, byte: 0 };
          if (b === LF) {
            if (!prevCR) line++;
            column = 1;
          } else if (b === CR) {
            line++;
            column = 1;
          } else column++;
          prevCR = b === CR;
          continue;
        }
        prevCR = false;
        seqByte = b;
        seqCol = column;
        if (b >= 0xc2 && b <= 0xdf) need = 1;
        else if (b >= 0xe0 && b <= 0xef) {
          need = 2;
          if (b === 0xe0) lower = 0xa0;
          if (b === 0xed) upper = 0x9f;
        } else if (b >= 0xf0 && b <= 0xf4) {
          need = 3;
          if (b === 0xf0) lower = 0x90;
          if (b === 0xf4) upper = 0x8f;
        } else return { kind: 'invalid', line, column, byte: b };
      } else {
        if (b < lower || b > upper) return { kind: 'invalid', line, column: seqCol, byte: seqByte };
        lower = 0x80;
        upper = 0xbf;
        if (--need === 0) column++;
      }
    }
    return null;
  };

  // The first 3 bytes are checked for a byte-order mark as a whole, since
  // they may arrive one per chunk.
  let head: Uint8Array | null = new Uint8Array(0);
  const feedHead = (): Utf8Problem | null => {
    const h = head!;
    head = null;
    if ((h[0] === 0xff && h[1] === 0xfe) || (h[0] === 0xfe && h[1] === 0xff)) {
      return { kind: 'utf16_bom', line: 1, column: 1, byte: h[0] };
    }
    // A UTF-8 BOM is not a character of line 1.
    return feed(h, h[0] === 0xef && h[1] === 0xbb && h[2] === 0xbf ? 3 : 0);
  };
  for await (const chunk of source.stream()) {
    let p: Utf8Problem | null;
    if (head !== null) {
      const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      if (joined.length < 3) continue;
      p = feedHead();
    } else p = feed(chunk, 0);
    if (p) return p;
  }
  if (head !== null) {
    const p = feedHead();
    if (p) return p;
  }
  // The file ends inside a multi-byte sequence.
  if (need > 0) return { kind: 'invalid', line, column: seqCol, byte: seqByte };
  return null;
}

// ---------------------------------------------------------------------------
// Delimiter sniffing
// ---------------------------------------------------------------------------

/**
 * Picks the delimiter whose per-record field count is most consistent
 * (and > 1) over the first records of `text`, counting only outside quotes.
 * Ties go to more fields, then to the candidate order `, \t ; |`.
 */
export function sniffDelimiter(text: string, quote: string, complete: boolean): string {
  const limit = Math.min(text.length, SNIFF_CHARS);
  // If we cut the text, the last record may be partial: leave it out.
  const dropLast = !complete || limit < text.length;
  const Q = quote ? quote.charCodeAt(0) : -1;
  let best = ',';
  let bestScore = -1;
  let bestFields = 0;
  for (const cand of SNIFF_CANDIDATES) {
    const counts = fieldCounts(text, limit, cand.charCodeAt(0), Q, dropLast);
    if (counts.length === 0) continue;
    // Mode of the field counts; ties go to the larger count.
    const freq = new Map<number, number>();
    let mode = 0;
    let modeFreq = 0;
    for (const k of counts) {
      const f = (freq.get(k) ?? 0) + 1;
      freq.set(k, f);
      if (f > modeFreq || (f === modeFreq && k > mode)) {
        mode = k;
        modeFreq = f;
      }
    }
    if (mode <= 1) continue;
    const score = modeFreq / counts.length;
    if (score > bestScore || (score === bestScore && mode > bestFields)) {
      best = cand;
      bestScore = score;
      bestFields = mode;
    }
  }
  return best;
}

/** Field count of each non-empty record in `text[0, limit)`, for the sniffer. */
function fieldCounts(text: string, limit: number, D: number, Q: number, dropLast: boolean): number[] {
  const counts: number[] = [];
  let fields = 1;
  let empty = true; // nothing seen yet in this record
  let atFieldStart = true;
  let inQ = false;
  for (let i = 0; i < limit && counts.length < SNIFF_RECORDS; i++) {
    const c = text.charCodeAt(i);
    if (inQ) {
      if (c === Q) {
        if (text.charCodeAt(i + 1) === Q) i++;
        else inQ = false;
      }
      continue;
    }
    if (c === LF || c === CR) {
      if (!empty) counts.push(fields);
      fields = 1;
      empty = true;
      atFieldStart = true;
      continue;
    }
    empty = false;
    if (c === D) {
      fields++;
      atFieldStart = true;
      continue;
    }
    // Like the parser, a quote only opens a quoted field at the start of a field.
    if (c === Q && atFieldStart) inQ = true;
    atFieldStart = false;
  }
  if (!empty && !dropLast && counts.length < SNIFF_RECORDS) counts.push(fields);
  return counts;
}

// ---------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------

// Parser states. Plain numbers so V8 compares small integers in the hot loop.
const S_REC_START = 0; // before the first character of a record
const S_FIELD_START = 1; // before the first character of a field (after a delimiter)
const S_UNQUOTED = 2; // inside an unquoted field
const S_QUOTED = 3; // inside a quoted field
const S_QUOTE_SEEN = 4; // just after a quote inside a quoted field (closing or first half of "")

/**
 * Resumable RFC 4180 state machine. `run()` parses the current buffer until
 * the batch is full or the buffer ends; `append()` adds text, keeping only the
 * unfinished record (shifting the saved offsets), so no text is re-parsed.
 */
class CsvParser {
  buf = '';
  pos = 0;
  state = S_REC_START;
  /** Offset of the current record's first character (for `raw` and carry-over). */
  recStart = 0;
  recLine = 1;
  line = 1;
  /** Offset of the first character of the current physical line (for quote columns). */
  lineStart = 0;
  fieldStart = 0;
  /** The current quoted field contains doubled quotes to unescape. */
  esc = false;
  nf = 0;
  /** 1-based field index of the first quoting fault in the record, 0 if none. */
  badCol = 0;
  /** The last record ended with CR: an LF right after it belongs to that terminator. */
  skipLF = false;
  quoteLine = 0;
  quoteCol = 0;
  readonly fields: string[] = [];
  ordinal = 0;
  header: string[] | null = null;
  ncols = 0;
  /** The line after the header, for the header-only error. */
  headerNextLine = 2;
  lineEnding: '' | 'LF' | 'CRLF' | 'CR' = '';
  /** The first terminator was CR: check whether LF follows (CRLF). */
  private leCheck = false;
  finished = false;
  /** Text to switch to once the bridge in `buf` is parsed (see append()). */
  private next: string | null = null;
  private nextFrom = 0;
  batch: RecordBatch = emptyBatch(0);
  private readonly escaped: string;
  /** Per-column string cache (see field()): 0 off, 1 on, 2 on trial. */
  private cacheMode = new Uint8Array(0);
  private cache: (string | undefined)[] = [];
  private cacheHits = new Int32Array(0);
  private cacheMisses = new Int32Array(0);
  /** The largest special char code (delimiter, quote, CR, LF). */
  private readonly hi: number;

  constructor(
    private readonly D: number,
    private readonly Q: number,
    private readonly batchSize: number,
    private readonly fileName: string,
  ) {
    this.escaped = Q >= 0 ? String.fromCharCode(Q, Q) : '';
    this.hi = Math.max(D, Q, CR, LF);
  }

  /** Characters that must be kept when the next buffer arrives. */
  pendingChars(): number {
    return this.buf.length - (this.state === S_REC_START ? this.pos : this.recStart);
  }

  /**
   * Adds decoded text, dropping everything before the unfinished record.
   *
   * Copying the unfinished record in front of the whole new text would copy
   * every character of the file once more. Usually that record ends at the
   * first line break of the new text, so only the text up to there is joined
   * (the "bridge"); once it is parsed, run() carries on in `text` itself.
   */
  append(text: string): void {
    const keep = this.state === S_REC_START ? this.pos : this.recStart;
    if (keep >= this.buf.length) {
      this.buf = text;
    } else {
      const carry = this.buf.slice(keep);
      let j = text.indexOf('\n');
      if (j < 0 || j > BRIDGE_MAX) j = text.indexOf('\r');
      if (j >= 0 && j <= BRIDGE_MAX && j + 1 < text.length) {
        this.buf = [carry, text.slice(0, j + 1)].join('');
        this.next = text;
        this.nextFrom = j + 1;
      } else {
        // join() rather than + so the result is flat, not a cons string.
        this.buf = [carry, text].join('');
      }
    }
    this.shift(keep);
  }

  /** Moves the saved offsets after dropping `keep` characters from the front of the buffer. */
  private shift(keep: number): void {
    this.pos -= keep;
    this.recStart -= keep;
    this.fieldStart -= keep;
    this.lineStart -= keep;
  }

  /** Parses until the batch is full (returns true) or all text is used up (false). */
  run(): boolean {
    for (;;) {
      if (this.runBuffer()) return true;
      const next = this.next;
      if (next === null) return false;
      this.next = null;
      if (this.state === S_REC_START) {
        // The carried record ended inside the bridge: continue in `next`, no copy.
        this.buf = next;
        this.pos = this.lineStart = this.recStart = this.nextFrom;
      } else {
        // The record runs past that line break (a quoted newline): copy after all.
        const keep = this.recStart;
        this.buf = [this.buf.slice(keep), next.slice(this.nextFrom)].join('');
        this.shift(keep);
      }
    }
  }

  isFull(): boolean {
    return this.batch.rowCount >= this.batchSize || this.batch.rejects.length >= this.batchSize;
  }

  /** Hands over the current batch and starts a new one. */
  takeBatch(): RecordBatch {
    const b = this.batch;
    // Drop partial writes of a trailing rejected record.
    for (const col of b.columns) if (col.length > b.rowCount) col.length = b.rowCount;
    this.batch = emptyBatch(this.ncols);
    return b;
  }

  /** Parses until the batch is full (returns true) or the buffer is used up (false). */
  private runBuffer(): boolean {
    if (this.isFull()) return true;
    // Hot loop: everything in locals, written back on exit.
    const buf = this.buf;
    const n = buf.length;
    const D = this.D;
    const Q = this.Q;
    const fields = this.fields;
    const hi = this.hi;
    // Fields go to cols[k][rc]; a rejected record's partial writes are
    // overwritten by the next record or cut off in takeBatch(). ncols is 0
    // until the header is in, which goes to `fields` instead.
    let cols = this.batch.columns;
    let ncols = this.ncols;
    let rc = this.batch.rowCount;
    let i = this.pos;
    let state = this.state;
    let recStart = this.recStart;
    let recLine = this.recLine;
    let line = this.line;
    let lineStart = this.lineStart;
    let fieldStart = this.fieldStart;
    let esc = this.esc;
    let nf = this.nf;
    let badCol = this.badCol;
    let skipLF = this.skipLF;
    let full = false;
    let c = 0;

    while (i < n) {
      if (state === S_REC_START) {
        c = buf.charCodeAt(i);
        if (skipLF) {
          skipLF = false;
          if (this.leCheck) {
            this.leCheck = false;
            if (c === LF) this.lineEnding = 'CRLF';
          }
          if (c === LF) {
            i++;
            lineStart = i;
            continue;
          }
        }
        if (c === LF || c === CR) {
          // A completely empty line: no record, but it is a physical line.
          this.noteTerminator(c);
          line++;
          i++;
          lineStart = i;
          skipLF = c === CR;
          continue;
        }
        recStart = i;
        recLine = line;
        nf = 0;
        badCol = 0;
        state = S_FIELD_START;
      }

      if (state === S_FIELD_START) {
        c = buf.charCodeAt(i);
        if (c === Q) {
          this.quoteLine = line;
          this.quoteCol = i - lineStart + 1;
          i++;
          fieldStart = i;
          esc = false;
          state = S_QUOTED;
        } else {
          fieldStart = i;
          state = S_UNQUOTED;
        }
      }

      if (state === S_UNQUOTED) {
        // Tight scan to the next special character. Most text characters
        // are above every special one, so one comparison usually suffices.
        while (i < n) {
          c = buf.charCodeAt(i);
          if (c > hi) {
            i++;
            continue;
          }
          if (c === D || c === LF || c === CR || c === Q) break;
          i++;
        }
        if (i >= n) break;
        if (c === Q) {
          // A quote inside an unquoted field: keep it as text, reject the record.
          if (badCol === 0) badCol = nf + 1;
          i++;
          continue;
        }
        // Write straight into the batch column: no per-record field array to copy.
        if (nf < ncols) cols[nf]![rc] = this.field(nf, buf, fieldStart, i);
        else if (ncols === 0) fields[nf] = buf.slice(fieldStart, i); // header
        nf++;
        if (c === D) {
          i++;
          state = S_FIELD_START;
          continue;
        }
        full = this.endRecord(nf, badCol, recStart, recLine, i, line, c);
        cols = this.batch.columns;
        ncols = this.ncols;
        rc = this.batch.rowCount;
        line++;
        i++;
        lineStart = i;
        skipLF = c === CR;
        state = S_REC_START;
        if (full) break;
        continue;
      }

      if (state === S_QUOTED) {
        while (i < n) {
          c = buf.charCodeAt(i);
          if (c === Q) break;
          if (c === LF) {
            // The CR of a CRLF already counted this line break.
            if (buf.charCodeAt(i - 1) !== CR) line++;
            lineStart = i + 1;
          } else if (c === CR) {
            line++;
            lineStart = i + 1;
          }
          i++;
        }
        if (i >= n) break;
        i++;
        state = S_QUOTE_SEEN;
        continue;
      }

      // S_QUOTE_SEEN: buf[i - 1] is a quote inside a quoted field.
      c = buf.charCodeAt(i);
      if (c === Q) {
        esc = true;
        i++;
        state = S_QUOTED;
        continue;
      }
      if (c === D || c === LF || c === CR) {
        if (nf < ncols) {
          cols[nf]![rc] = esc
            ? buf.slice(fieldStart, i - 1).split(this.escaped).join(String.fromCharCode(Q))
            : this.field(nf, buf, fieldStart, i - 1);
        } else if (ncols === 0) {
          // header
          const v = buf.slice(fieldStart, i - 1);
          fields[nf] = esc ? v.split(this.escaped).join(String.fromCharCode(Q)) : v;
        }
        nf++;
        if (c === D) {
          i++;
          state = S_FIELD_START;
          continue;
        }
        full = this.endRecord(nf, badCol, recStart, recLine, i, line, c);
        cols = this.batch.columns;
        ncols = this.ncols;
        rc = this.batch.rowCount;
        line++;
        i++;
        lineStart = i;
        skipLF = c === CR;
        state = S_REC_START;
        if (full) break;
        continue;
      }
      // Text after a closing quote ("a"b): reject the record, and carry on
      // treating the rest of the field as unquoted text so we resynchronise
      // at the next delimiter / newline.
      if (badCol === 0) badCol = nf + 1;
      fieldStart--; // include the opening quote in the (discarded) field text
      state = S_UNQUOTED;
    }

    this.pos = i;
    this.state = state;
    this.recStart = recStart;
    this.recLine = recLine;
    this.line = line;
    this.lineStart = lineStart;
    this.fieldStart = fieldStart;
    this.esc = esc;
    this.nf = nf;
    this.badCol = badCol;
    this.skipLF = skipLF;
    return full;
  }

  /** Ends the last record at end of file. Call once `run()` has used up the buffer. */
  finish(): void {
    if (this.finished) return;
    this.finished = true;
    const buf = this.buf;
    const n = buf.length;
    switch (this.state) {
      case S_REC_START:
        return; // trailing newline, or nothing at all
      case S_FIELD_START:
        this.put(this.nf++, ''); // the record ended with a delimiter
        break;
      case S_UNQUOTED:
        this.put(this.nf++, buf.slice(this.fieldStart, n));
        break;
      case S_QUOTED:
        throw new AttribError(
          'file_unterminated_quote',
          `a quoted field opened at line ${this.quoteLine}, column ${this.quoteCol} is never closed`,
          { file: this.fileName, line: this.quoteLine, column: this.quoteCol },
        );
      case S_QUOTE_SEEN: {
        const v = buf.slice(this.fieldStart, n - 1);
        this.put(this.nf++, this.esc ? v.split(this.escaped).join(String.fromCharCode(this.Q)) : v);
        break;
      }
    }
    this.endRecord(this.nf, this.badCol, this.recStart, this.recLine, n, this.line, -1);
    this.state = S_REC_START;
    this.pos = n;
  }

  /**
   * Slices field text for column k, reusing an earlier equal string when the
   * column repeats values. Retained field strings are what the GC spends its
   * time copying (a batch holds ~1M of them), and marketing exports repeat
   * channel / source / campaign values endlessly, so a small per-column cache
   * pays for itself. Columns where it rarely hits (ids, timestamps) stop
   * using it after a trial period.
   */
  private field(k: number, buf: string, start: number, end: number): string {
    const len = end - start;
    if (len === 0) return '';
    const mode = this.cacheMode[k]!;
    if (mode === 0 || len > CACHE_MAX_LEN) return buf.slice(start, end);
    const slot = (k << CACHE_BITS) | ((len * 31 + buf.charCodeAt(start) * 7 + buf.charCodeAt(end - 1)) & CACHE_MASK);
    const hit = this.cache[slot];
    if (hit !== undefined && hit.length === len && buf.startsWith(hit, start)) {
      if (mode === 2) this.cacheHits[k]!++;
      return hit;
    }
    const v = buf.slice(start, end);
    // A slice of 13+ chars points into the whole text buffer; caching it would
    // keep that buffer alive for the rest of the file, so cache a copy.
    this.cache[slot] = len >= 13 ? detach(v) : v;
    if (mode === 2 && ++this.cacheMisses[k]! >= CACHE_TRIAL) {
      // Trial over: keep the cache only where at least a third of lookups hit.
      this.cacheMode[k] = this.cacheHits[k]! * 2 >= this.cacheMisses[k]! ? 1 : 0;
    }
    return v;
  }

  /** Stores field k of the current record (slow path, used at end of file). */
  private put(k: number, v: string): void {
    if (k < this.ncols) this.batch.columns[k]![this.batch.rowCount] = v;
    else if (this.header === null) this.fields[k] = v;
  }

  private noteTerminator(c: number): void {
    if (this.lineEnding === '') {
      this.lineEnding = c === CR ? 'CR' : 'LF';
      this.leCheck = c === CR;
    }
  }

  /** Files a finished record: header, kept row or reject. Returns whether the batch is full. */
  private endRecord(nf: number, badCol: number, recStart: number, recLine: number, end: number, line: number, term: number): boolean {
    if (term >= 0) this.noteTerminator(term);
    if (this.header === null) {
      this.header = makeHeader(this.fields.slice(0, nf), this.fileName, recLine);
      this.ncols = nf;
      this.batch = emptyBatch(nf);
      this.cacheMode = new Uint8Array(nf).fill(2);
      this.cache = new Array<string | undefined>(nf << CACHE_BITS).fill(undefined);
      this.cacheHits = new Int32Array(nf);
      this.cacheMisses = new Int32Array(nf);
      this.headerNextLine = line + 1;
      return false;
    }
    const row = ++this.ordinal;
    const b = this.batch;
    const ncols = this.ncols;
    if (badCol !== 0 || nf !== ncols) {
      const bad = badCol !== 0;
      b.rejects.push({
        row,
        line: recLine,
        column: bad ? badCol : nf > ncols ? ncols + 1 : nf + 1,
        reason: bad ? 'bad_quoting' : 'ragged_row',
        detail: bad ? `misplaced quote in field ${badCol}` : `${nf} fields, header has ${ncols}`,
        raw: truncateRaw(this.buf.slice(recStart, end)),
      });
    } else {
      // The fields are already in b.columns[k][b.rowCount]; just keep them.
      b.rowNumbers.push(row);
      b.lines.push(recLine);
      b.rowCount++;
    }
    return b.rowCount >= this.batchSize || b.rejects.length >= this.batchSize;
  }
}

/**
 * Returns a copy of `s` that does not share memory with the string it was
 * sliced from (V8 keeps slices of 13+ chars as views on their parent).
 */
function detach(s: string): string {
  return (' ' + s).slice(1);
}

/**
 * Cleans header names: trimmed, empty ones named `column<N>` (1-based
 * position). A name given twice is an error naming both columns: which of
 * two `distinct_id` or `param_source` columns a layout should read cannot be
 * guessed, and picking one silently would change the numbers. Names are
 * compared case-insensitively because the names become SQL identifiers,
 * which are, and layouts match them so.
 * @throws AttribError `file_bad_row` at the header's line.
 */
export function makeHeader(raw: string[], file?: string, line = 1): string[] {
  const used = new Map<string, number>();
  const out: string[] = [];
  raw.forEach((r, idx) => {
    const base = r.trim();
    let name = base || `column${idx + 1}`;
    // an unnamed column whose generated name is taken by a real one gets a suffix
    for (let k = 2; !base && used.has(name.toLowerCase()); k++) name = `column${idx + 1}_${k}`;
    const first = used.get(name.toLowerCase());
    if (first !== undefined) {
      throw new AttribError('file_bad_row', `the header repeats a column name: column ${first + 1} '${out[first]}' and column ${idx + 1} '${name}'; rename or drop one, so that each name is read from one column`, { file, line });
    }
    used.set(name.toLowerCase(), idx);
    out.push(name);
  });
  return out;
}

function singleChar(value: string, what: string, file: string): number {
  if (value.length !== 1 || value === '\n' || value === '\r') {
    throw new AttribError('bad_parameter', `the ${what} must be a single character other than a newline, got ${JSON.stringify(value)}`, { file });
  }
  return value.charCodeAt(0);
}

/**
 * Opens a CSV/TSV file: decodes and checks the start of it, sniffs the
 * delimiter, parses the header and makes sure at least one data record
 * exists, so empty and header-only files fail here rather than mid-import.
 *
 * @throws AttribError `file_empty`, `file_header_only`, `file_not_utf8`,
 *   `file_unterminated_quote`, `file_unreadable`, `bad_parameter`.
 */
export async function openCsv(source: FileSource, opts: CsvOptions = {}): Promise<RecordReader> {
  const file = source.name;
  const quote = opts.quote ?? '"';
  const Q = quote === '' ? -1 : singleChar(quote, 'quote', file);
  const batchSize = Math.max(1, Math.floor(opts.batchSize ?? DEFAULT_BATCH));
  const encoding = opts.encoding ?? 'utf-8';
  const text = new DecodedText(source, encoding);
  try {
    const first = await text.read(BUFFER_CHARS);
    if (first === null || (text.eof && first.trim() === '')) {
      throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file });
    }
    const delimiter = opts.delimiter ?? (opts.tsv ? '\t' : sniffDelimiter(first, quote, text.eof));
    const D = singleChar(delimiter, 'delimiter', file);
    if (D === Q) throw new AttribError('bad_parameter', 'the delimiter and the quote character must differ', { file });

    const parser = new CsvParser(D, Q, batchSize, file);
    parser.append(first);
    // Parse on until the header and one data record are in, or the file ends.
    for (;;) {
      parser.run();
      if (parser.header !== null && parser.ordinal > 0) break;
      if (text.eof) {
        parser.finish();
        break;
      }
      const more = await text.read(Math.max(BUFFER_CHARS, parser.pendingChars()));
      if (more !== null) parser.append(more);
    }
    if (parser.header === null) {
      throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file });
    }
    if (parser.ordinal === 0) {
      throw new AttribError('file_header_only', 'the file has a header but no data rows', { file, line: parser.headerNextLine });
    }

    const header = parser.header;
    const detected = {
      delimiter,
      encoding,
      bom: text.bom,
      lineEnding: parser.lineEnding || 'LF',
      quote,
    };
    let started = false;
    return {
      header,
      detected,
      async *batches(): AsyncGenerator<RecordBatch> {
        if (started) throw new AttribError('internal', 'batches() can only be iterated once', { file });
        started = true;
        try {
          if (!parser.finished) {
            for (;;) {
              if (parser.run()) {
                yield parser.takeBatch();
                continue;
              }
              if (text.eof) break;
              // Read at least as much as we carry over, so a huge record costs O(n), not O(n^2).
              const more = await text.read(Math.max(BUFFER_CHARS, parser.pendingChars()));
              if (more !== null) parser.append(more);
            }
            parser.finish();
          }
          // run() stopped short of a full batch and finish() adds at most one record.
          const last = parser.takeBatch();
          if (last.rowCount > 0 || last.rejects.length > 0) yield last;
        } finally {
          await text.close();
        }
      },
      close: () => text.close(),
    };
  } catch (e) {
    await text.close();
    throw e;
  }
}
