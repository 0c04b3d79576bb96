/**
 * Unit tests for the streaming CSV reader (common/import/csv.ts).
 *
 * Every in-memory case runs with several chunk sizes so chunk boundaries
 * fall inside multi-byte characters, between CR and LF and inside quotes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createReadStream, openAsBlob, statSync } from 'node:fs';
import { basename } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCsv, sniffDelimiter, type CsvOptions } from '../../common/import/csv.ts';
import { AttribError } from '../../common/errors.ts';
import type { FileSource } from '../../common/import/source.ts';
import { memorySource } from '../helpers.ts';
import type { StructuralReject } from '../../common/import/records.ts';

const FIXTURES = fileURLToPath(new URL('../fixtures/badinputs/', import.meta.url));
const CHUNKS = [1, 3, 7, 4096];

/** Bytes of a string: UTF-8, or one byte per char code for "binary" strings. */
function bytes(s: string, binary = false): Uint8Array {
  return binary ? Uint8Array.from(s, (ch) => ch.charCodeAt(0)) : new TextEncoder().encode(s);
}

/** An in-memory FileSource that yields `chunk`-byte pieces (the shared test helper). */
const memSource = (data: Uint8Array, chunk: number, name = 'mem.csv'): FileSource => memorySource(name, data, chunk);

/** A FileSource backed by a real file. */
function fileSource(name: string): FileSource {
  const path = FIXTURES + name;
  return {
    name: basename(path),
    size: statSync(path).size,
    path,
    async *stream() {
      for await (const c of createReadStream(path, { highWaterMark: 5 })) yield c as Uint8Array;
    },
    blob: () => openAsBlob(path),
  };
}

interface Parsed {
  header: string[];
  detected: Record<string, string | boolean | number>;
  rows: string[][];
  rowNumbers: number[];
  lines: number[];
  rejects: StructuralReject[];
  batchSizes: number[];
}

/** Reads everything, turning the column-major batches back into rows. */
async function readAll(src: FileSource, opts: CsvOptions = {}): Promise<Parsed> {
  const r = await openCsv(src, opts);
  const out: Parsed = { header: r.header, detected: r.detected, rows: [], rowNumbers: [], lines: [], rejects: [], batchSizes: [] };
  for await (const b of r.batches()) {
    assert.equal(b.columns.length, r.header.length);
    for (const col of b.columns) assert.equal(col.length, b.rowCount);
    assert.equal(b.rowNumbers.length, b.rowCount);
    assert.equal(b.lines.length, b.rowCount);
    for (let i = 0; i < b.rowCount; i++) out.rows.push(b.columns.map((col) => col[i]!));
    out.rowNumbers.push(...b.rowNumbers);
    out.lines.push(...b.lines);
    out.rejects.push(...b.rejects);
    out.batchSizes.push(b.rowCount);
  }
  return out;
}

/** Parses `text` with every chunk size and checks all give the same result. */
async function parse(text: string, opts: CsvOptions = {}, binary = false): Promise<Parsed> {
  let first: Parsed | undefined;
  for (const chunk of CHUNKS) {
    const p = await readAll(memSource(bytes(text, binary), chunk), opts);
    if (first) assert.deepEqual(p, first, `chunk size ${chunk} differs`);
    else first = p;
  }
  return first!;
}

/** Asserts that opening/reading fails with `code` (and location) for every chunk size. */
async function rejects(src: () => FileSource, code: string, where?: { line?: number; column?: number }, opts: CsvOptions = {}): Promise<AttribError> {
  let err: AttribError | undefined;
  await assert.rejects(readAll(src(), opts), (e: unknown) => {
    assert.ok(e instanceof AttribError, String(e));
    assert.equal(e.code, code);
    if (where?.line !== undefined) assert.equal(e.where.line, where.line);
    if (where?.column !== undefined) assert.equal(e.where.column, where.column);
    err = e;
    return true;
  });
  return err!;
}

async function failsAllChunks(data: Uint8Array, code: string, where?: { line?: number; column?: number }, opts: CsvOptions = {}): Promise<AttribError> {
  let e: AttribError | undefined;
  for (const chunk of CHUNKS) e = await rejects(() => memSource(data, chunk), code, where, opts);
  return e!;
}

test('quoted fields keep delimiters, doubled quotes and newlines', async () => {
  const p = await parse('id,text,n\n1,"a,b",x\n2,"say ""hi""",y\n3,"two\nlines",z\n4,"",w\n');
  assert.deepEqual(p.header, ['id', 'text', 'n']);
  assert.deepEqual(p.rows, [
    ['1', 'a,b', 'x'],
    ['2', 'say "hi"', 'y'],
    ['3', 'two\nlines', 'z'],
    ['4', '', 'w'],
  ]);
  assert.deepEqual(p.rowNumbers, [1, 2, 3, 4]);
  // Row 3 spans lines 4-5, so row 4 starts on line 6.
  assert.deepEqual(p.lines, [2, 3, 4, 6]);
  assert.deepEqual(p.rejects, []);
});

test('CRLF line endings, including inside a quoted field', async () => {
  const p = await parse('a,b\r\n1,"x\r\ny"\r\n2,z\r\n');
  assert.deepEqual(p.rows, [
    ['1', 'x\r\ny'],
    ['2', 'z'],
  ]);
  assert.deepEqual(p.lines, [2, 4]);
  assert.equal(p.detected.lineEnding, 'CRLF');
});

test('lone CR line endings', async () => {
  const p = await parse('a,b\r1,2\r3,"4\r5"\r6,7');
  assert.deepEqual(p.rows, [
    ['1', '2'],
    ['3', '4\r5'],
    ['6', '7'],
  ]);
  assert.deepEqual(p.lines, [2, 3, 5]);
  assert.equal(p.detected.lineEnding, 'CR');
});

test('LF detected; no trailing newline; empty line skipped but counted; fields not trimmed', async () => {
  const p = await parse('a,b\n 1 ,2\n\n3,\n,4');
  assert.deepEqual(p.rows, [
    [' 1 ', '2'],
    ['3', ''],
    ['', '4'],
  ]);
  assert.deepEqual(p.rowNumbers, [1, 2, 3]);
  assert.deepEqual(p.lines, [2, 4, 5]);
  assert.equal(p.detected.lineEnding, 'LF');
});

test('multi-line quoted field advances later line numbers (and error lines)', async () => {
  const p = await parse('a,b\n"l1\nl2\r\nl3",x\n1,2,3\n4,5\n');
  assert.deepEqual(p.rows, [
    ['l1\nl2\r\nl3', 'x'],
    ['4', '5'],
  ]);
  assert.deepEqual(p.lines, [2, 6]);
  assert.deepEqual(p.rowNumbers, [1, 3]);
  assert.equal(p.rejects.length, 1);
  assert.equal(p.rejects[0]!.line, 5);
  assert.equal(p.rejects[0]!.row, 2);
});

test('UTF-8 BOM is stripped and reported; multi-byte chars survive chunking', async () => {
  const p = await parse('\ufeffid,name\n1,José\n2,日本語\n');
  assert.deepEqual(p.header, ['id', 'name']);
  assert.deepEqual(p.rows, [
    ['1', 'José'],
    ['2', '日本語'],
  ]);
  assert.equal(p.detected.bom, true);
  assert.equal(p.detected.encoding, 'utf-8');
});

test('sniffs ; | and tab, and reports the delimiter', async () => {
  assert.equal((await parse('a;b;c\n1,5;2;3\n4;5,5;6\n')).detected.delimiter, ';');
  const semi = await parse('a;b;c\n1,5;2;3\n4;5,5;6\n');
  assert.deepEqual(semi.rows, [
    ['1,5', '2', '3'],
    ['4', '5,5', '6'],
  ]);
  const pipe = await parse('a|b\nx,y|z\n1|2\n');
  assert.equal(pipe.detected.delimiter, '|');
  assert.deepEqual(pipe.rows, [
    ['x,y', 'z'],
    ['1', '2'],
  ]);
  const tab = await parse('a\tb\tc\n1\t2\t3\n');
  assert.equal(tab.detected.delimiter, '\t');
  assert.deepEqual(tab.rows, [['1', '2', '3']]);
  // Delimiters inside quotes do not count.
  assert.equal(sniffDelimiter('a,b\n"x;y;z",1\n"p;q;r",2\n', '"', true), ',');
  // A single column falls back to ','.
  assert.equal(sniffDelimiter('name\nx\ny\n', '"', true), ',');
});

test('explicit delimiter and tsv option win over sniffing', async () => {
  const p = await parse('a;b,c\n1;2,3\n', { delimiter: ',' });
  assert.deepEqual(p.header, ['a;b', 'c']);
  const t = await parse('a,b\tc\n1,2\t3\n', { tsv: true });
  assert.deepEqual(t.header, ['a,b', 'c']);
  assert.equal(t.detected.delimiter, '\t');
});

test('header names: trimmed, empty -> columnN; a repeated name is an error naming both columns', async () => {
  const p = await parse(' id ,,name,\n1,2,3,4\n');
  assert.deepEqual(p.header, ['id', 'column2', 'name', 'column4']);
  await assert.rejects(parse(' id ,,name,Name,name,\n1,2,3,4,5,6\n'), (e: Error & { code?: string; where?: { line?: number } }) => {
    assert.equal(e.code, 'file_bad_row');
    assert.equal(e.where?.line, 1);
    assert.match(e.message, /the header repeats a column name: column 3 'name' and column 4 'Name'/);
    return true;
  });
});

test('ragged rows are rejected with row numbers and lines', async () => {
  const p = await parse('a,b,c,d\n1,2,3,4\n1,2,3,4,5\n1,2,3\n1,2,3,4\n');
  assert.deepEqual(p.rows, [
    ['1', '2', '3', '4'],
    ['1', '2', '3', '4'],
  ]);
  assert.deepEqual(p.rowNumbers, [1, 4]);
  assert.deepEqual(p.lines, [2, 5]);
  assert.deepEqual(p.rejects, [
    { row: 2, line: 3, column: 5, reason: 'ragged_row', detail: '5 fields, header has 4', raw: '1,2,3,4,5' },
    { row: 3, line: 4, column: 4, reason: 'ragged_row', detail: '3 fields, header has 4', raw: '1,2,3' },
  ]);
});

test('bad quoting: quote in unquoted field, text after closing quote', async () => {
  const p = await parse('a,b\r\n1,ab"c\r\n"x"y,2\r\n"ok","fine"\r\n"q"\r\n');
  assert.deepEqual(p.rows, [['ok', 'fine']]);
  assert.deepEqual(p.rowNumbers, [3]);
  assert.deepEqual(p.lines, [4]);
  assert.deepEqual(p.rejects, [
    { row: 1, line: 2, column: 2, reason: 'bad_quoting', detail: 'misplaced quote in field 2', raw: '1,ab"c' },
    { row: 2, line: 3, column: 1, reason: 'bad_quoting', detail: 'misplaced quote in field 1', raw: '"x"y,2' },
    { row: 4, line: 5, column: 2, reason: 'ragged_row', detail: '1 fields, header has 2', raw: '"q"' },
  ]);
});

test('bad quoting resynchronises after a multi-line quoted field', async () => {
  const p = await parse('a,b\n"x"y,"multi\nline"\n1,2\n');
  assert.deepEqual(p.rows, [['1', '2']]);
  assert.deepEqual(p.lines, [4]);
  assert.equal(p.rejects.length, 1);
  assert.equal(p.rejects[0]!.raw, '"x"y,"multi\nline"');
});

test('raw text of a reject is truncated to 2000 chars', async () => {
  const p = await parse(`a,b\n${'x'.repeat(5000)}\n1,2\n`);
  assert.equal(p.rejects[0]!.raw.length, 2000);
});

test('unterminated quote -> file_unterminated_quote with line and column', async () => {
  const e = await failsAllChunks(bytes('a,b\n1,2\n3,"open\n\nmore\n'), 'file_unterminated_quote', { line: 3, column: 3 });
  assert.equal(e.message, 'a quoted field opened at line 3, column 3 is never closed');
});

test('empty, BOM-only and whitespace-only files -> file_empty', async () => {
  await failsAllChunks(new Uint8Array(0), 'file_empty');
  await failsAllChunks(bytes('\ufeff'), 'file_empty');
  await failsAllChunks(bytes(' \r\n\n\t\n'), 'file_empty');
});

test('header only -> file_header_only at line 2', async () => {
  const e = await failsAllChunks(bytes('a,b,c\r\n'), 'file_header_only', { line: 2 });
  assert.equal(e.message, 'the file has a header but no data rows');
  await failsAllChunks(bytes('a,b,c'), 'file_header_only', { line: 2 });
  await failsAllChunks(bytes('a,b,c\n\n\n'), 'file_header_only');
});

test('invalid UTF-8 -> file_not_utf8 locating the first bad byte', async () => {
  const e = await failsAllChunks(bytes('name,age\r\nJos\xe9,30\r\n', true), 'file_not_utf8', { line: 2, column: 4 });
  assert.match(e.message, /not valid UTF-8 at line 2, column 4 \(byte 0xE9\)/);
  assert.match(e.message, /--encoding latin1/);
  // Columns count characters, not bytes; a BOM is not a character.
  await failsAllChunks(bytes('\xef\xbb\xbfa,b\n\xc3\xa9\xc3\xa9,\xff\n', true), 'file_not_utf8', { line: 2, column: 4 });
  // A truncated sequence at the very end of the file.
  await failsAllChunks(bytes('a,b\n1,\xe2\x82', true), 'file_not_utf8', { line: 2, column: 3 });
  // Deep into a file (past the first buffer).
  const big = 'a,b\n' + '1,2\n'.repeat(200_000) + 'x,\xe9\n';
  const err = await rejects(() => memSource(bytes(big, true), 65536), 'file_not_utf8', { line: 200_002, column: 3 });
  assert.equal(err.where.file, 'mem.csv');
});

test('a picture or a workbook picked by mistake is named for what it is', async () => {
  const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0x0d, 0x49, 0x48, 0x44, 0x52, 0x00, 0x00, 0x01, 0x00]);
  const e = await rejects(() => memSource(png, 65536), 'file_unsupported');
  assert.equal(e.message, 'this is a PNG image, not a text export: choose the export itself (CSV, TSV, NDJSON or Parquet)');
  const xlsx = Uint8Array.from([0x50, 0x4b, 0x03, 0x04, 0x14, 0, 0x06, 0, 0x08, 0, 0, 0, 0x21, 0, 0xff, 0xfe, 0x80]);
  const x = await rejects(() => memSource(xlsx, 65536), 'file_unsupported');
  assert.match(x.message, /^this is a ZIP archive \(an Excel \.xlsx workbook is one\), not a text export: save the sheet as CSV/);
  assert.equal(x.where.file, 'mem.csv');
});

test('NUL bytes or a UTF-16 BOM -> file_not_utf8 suggesting utf-16le', async () => {
  const utf16 = Uint8Array.from([0xff, 0xfe, 0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0, 0x31, 0, 0x2c, 0, 0x32, 0, 0x0a, 0]);
  const e = await failsAllChunks(utf16, 'file_not_utf8', { line: 1, column: 1 });
  assert.match(e.message, /UTF-16.*Pass --encoding utf-16le/);
  // Tiny files too.
  await failsAllChunks(Uint8Array.of(0xe9), 'file_not_utf8', { line: 1, column: 1 });
  await failsAllChunks(Uint8Array.of(0x61, 0), 'file_not_utf8', { line: 1, column: 2 });
  // a NUL in ASCII text is not UTF-16: it is said as it is
  const nul = await failsAllChunks(bytes('a,b\n1,x\0y\n', true), 'file_not_utf8', { line: 2, column: 4 });
  assert.equal(nul.message, 'not a text file: NUL byte at line 2, column 4. Choose the export itself (CSV, TSV, NDJSON or Parquet)');
  // UTF-16 without a byte-order mark: a NUL beside every letter
  const bare = Uint8Array.from([0x61, 0, 0x2c, 0, 0x62, 0, 0x0a, 0, 0x31, 0, 0x2c, 0, 0x32, 0, 0x0a, 0]);
  const b16 = await failsAllChunks(bare, 'file_not_utf8', { line: 1, column: 2 });
  assert.match(b16.message, /probably UTF-16.*--encoding utf-16le/);
  // ... and the same bytes decode with encoding utf-16le.
  const p = await parse(new TextDecoder('latin1').decode(utf16), { encoding: 'utf-16le' }, true);
  assert.deepEqual(p.header, ['a', 'b']);
  assert.deepEqual(p.rows, [['1', '2']]);
  assert.equal(p.detected.bom, true);
});

test('latin1 / windows-1252 decoding with the encoding option', async () => {
  const p = await parse('name,age\r\nJos\xe9,30\r\nM\xfcller,25\r\n', { encoding: 'latin1' }, true);
  assert.deepEqual(p.rows, [
    ['José', '30'],
    ['Müller', '25'],
  ]);
  assert.equal(p.detected.encoding, 'latin1');
  const w = await parse('a,b\n\x80,x\n', { encoding: 'windows-1252' }, true);
  assert.deepEqual(w.rows, [['€', 'x']]);
});

test('batches split at batchSize', async () => {
  const text = 'n,sq\n' + Array.from({ length: 10 }, (_, i) => `${i},${i * i}`).join('\n');
  const p = await parse(text, { batchSize: 3 });
  assert.deepEqual(p.batchSizes, [3, 3, 3, 1]);
  assert.deepEqual(p.rowNumbers, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
  assert.deepEqual(p.rows[9], ['9', '81']);
  const exact = await parse('n\n1\n2\n3\n4\n', { batchSize: 2 });
  assert.deepEqual(exact.batchSizes, [2, 2]);
});

test('records larger than the internal buffer', async () => {
  const long = 'y'.repeat(600_000);
  const p = await readAll(memSource(bytes(`a,b\n1,"${long}\n${long}"\n2,x\n`), 65536));
  assert.equal(p.rows[0]![1]!.length, 1_200_001);
  assert.deepEqual(p.lines, [2, 4]);
});

test('stopping early closes the stream', async () => {
  let closed = false;
  const data = bytes('a\n' + '1\n'.repeat(1000));
  const src: FileSource = {
    name: 'x.csv',
    size: data.length,
    async *stream() {
      try {
        for (let i = 0; i < data.length; i += 10) yield data.slice(i, i + 10);
      } finally {
        closed = true;
      }
    },
    blob: async () => new Blob([data.slice()]),
  };
  const r = await openCsv(src, { batchSize: 5 });
  for await (const b of r.batches()) {
    assert.equal(b.rowCount, 5);
    break;
  }
  assert.equal(closed, true);
});

// --- fixtures (copied byte-for-byte from DuckDB's test data) ---------------

test('fixture auto__utf8bom.csv: BOM stripped, CRLF', async () => {
  const p = await readAll(fileSource('auto__utf8bom.csv'));
  assert.deepEqual(p.header, ['id', 'name']);
  assert.deepEqual(p.rows, [
    ['1', 'Mark'],
    ['2', 'Hannes'],
  ]);
  assert.deepEqual(p.detected, { delimiter: ',', encoding: 'utf-8', bom: true, lineEnding: 'CRLF', quote: '"' });
});

test('fixture rejects__incorrect_columns__small_mix.csv: sniffed as "," and ragged rows quarantined', async () => {
  const p = await readAll(fileSource('rejects__incorrect_columns__small_mix.csv'));
  assert.equal(p.detected.delimiter, ',');
  assert.deepEqual(p.header, ['a', 'b', 'c', 'd']);
  assert.deepEqual(p.rowNumbers, [1, 4]);
  assert.deepEqual(p.lines, [2, 5]);
  assert.deepEqual(
    p.rejects.map((r) => [r.row, r.line, r.reason, r.detail]),
    [
      [2, 3, 'ragged_row', '5 fields, header has 4'],
      [3, 4, 'ragged_row', '3 fields, header has 4'],
    ],
  );
});

test('fixture rejects__multiple_errors__multiple_errors.csv: ragged and bad_quoting with lines', async () => {
  const p = await readAll(fileSource('rejects__multiple_errors__multiple_errors.csv'));
  assert.deepEqual(p.header, ['name', 'age', 'current_day', 'barks']);
  assert.deepEqual(p.rows, [
    ['oogie boogie', '3', ' 2023-01-01', ' 2'],
    ['oogie boogie', '3', ' 2023-01-02', ' 5'],
  ]);
  assert.deepEqual(p.lines, [2, 3]);
  assert.deepEqual(
    p.rejects.map((r) => [r.row, r.line, r.reason, r.column]),
    [
      [3, 4, 'ragged_row', 5],
      [4, 5, 'ragged_row', 5],
      [5, 6, 'bad_quoting', 1],
      [6, 7, 'ragged_row', 4],
      [7, 8, 'ragged_row', 4],
    ],
  );
  assert.equal(p.rejects[2]!.raw, '"oogie boogie"bla,3, 2023-01-04');
});

test('fixture invalid_utf8.csv -> file_not_utf8 (UTF-16 hint)', async () => {
  const e = await rejects(() => fileSource('invalid_utf8.csv'), 'file_not_utf8', { line: 1, column: 1 });
  assert.equal(e.where.file, 'invalid_utf8.csv');
  assert.match(e.message, /UTF-16.*Pass --encoding utf-16le/);
});

test('fixture encodings__latin1.csv: fails as UTF-8, loads as latin1', async () => {
  await rejects(() => fileSource('encodings__latin1.csv'), 'file_not_utf8', { line: 2, column: 4 });
  const p = await readAll(fileSource('encodings__latin1.csv'), { encoding: 'latin1' });
  assert.deepEqual(p.header, ['name', 'age']);
  assert.equal(p.rows.length, 12);
  assert.deepEqual(p.rows[0], ['José Álvarez', '30']);
  assert.deepEqual(p.rows[1], ['Müller', '25']);
  assert.deepEqual(p.rejects, []);
});

test('fixture test__unterminated.csv -> file_unterminated_quote at 1:1', async () => {
  await rejects(() => fileSource('test__unterminated.csv'), 'file_unterminated_quote', { line: 1, column: 1 });
});

test('fixture test__empty.csv -> file_empty', async () => {
  const e = await rejects(() => fileSource('test__empty.csv'), 'file_empty');
  assert.equal(e.where.file, 'test__empty.csv');
});

test('fixture header_only_2.csv -> file_header_only (";" sniffed)', async () => {
  await rejects(() => fileSource('header_only_2.csv'), 'file_header_only', { line: 2 });
  assert.equal(sniffDelimiter('foo;bar\n', '"', true), ';');
});

test('random inputs parse the same whatever the chunk boundaries', async () => {
  // Small deterministic PRNG so failures reproduce.
  let seed = 12345;
  const rand = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const alphabet = ['a', 'b', ',', ',', '"', '\n', '\r', '\r\n', 'é', '€', ' '];
  for (let iter = 0; iter < 300; iter++) {
    let text = 'h1,h2,h3\n';
    const len = 1 + rand(60);
    for (let k = 0; k < len; k++) text += alphabet[rand(alphabet.length)];
    const data = bytes(text);
    const results: string[] = [];
    for (const chunk of [1, 2, 3, 5, 4096]) {
      try {
        results.push(JSON.stringify(await readAll(memSource(data, chunk), { delimiter: ',', batchSize: 1 + rand(4) > 2 ? 2 : 1000 })));
      } catch (e) {
        assert.ok(e instanceof AttribError, String(e));
        results.push(`${e.code} ${JSON.stringify(e.where)}`);
      }
    }
    // Batch sizes differ between runs, so compare everything but batchSizes.
    const norm = results.map((r) => r.replace(/"batchSizes":\[[^\]]*\]/, ''));
    for (const r of norm) assert.equal(r, norm[0], `input ${JSON.stringify(text)}`);
  }
});

test('large file across many buffers: every row and line number exact', async () => {
  // Rows with quoted newlines, doubled quotes and CRLF, so buffer edges land everywhere.
  const expected: string[][] = [];
  const lines: number[] = [];
  let text = 'id,text,n\r\n';
  let line = 2;
  for (let i = 0; i < 30_000; i++) {
    const t = i % 7 === 0 ? `multi\r\nline ${i}` : i % 5 === 0 ? `say "${i}", ok` : `plain${i}`;
    const quoted = i % 7 === 0 || i % 5 === 0;
    text += `${i},${quoted ? `"${t.replaceAll('"', '""')}"` : t},${'x'.repeat(i % 13)}\r\n`;
    expected.push([String(i), t, 'x'.repeat(i % 13)]);
    lines.push(line);
    line += i % 7 === 0 ? 2 : 1;
  }
  for (const chunk of [997, 65536, 100_003]) {
    const p = await readAll(memSource(bytes(text), chunk), { batchSize: 10_000 });
    assert.deepEqual(p.rows, expected);
    assert.deepEqual(p.lines, lines);
    assert.deepEqual(p.batchSizes, [10_000, 10_000, 10_000]);
    assert.deepEqual(p.rejects, []);
  }
});

test('bad options -> bad_parameter; quote can be turned off', async () => {
  await failsAllChunks(bytes('a,b\n1,2\n'), 'bad_parameter', undefined, { delimiter: ';;' });
  await failsAllChunks(bytes('a,b\n1,2\n'), 'bad_parameter', undefined, { delimiter: '"' });
  const p = await parse('a,b\n"x",y\n', { quote: '' });
  assert.deepEqual(p.rows, [['"x"', 'y']]);
  const single = await parse("a,b\n'x,y',z\n", { quote: "'" });
  assert.deepEqual(single.rows, [['x,y', 'z']]);
});

test('a long header before the first data record', async () => {
  const names = Array.from({ length: 20_000 }, (_, i) => `c${i}`);
  const p = await readAll(memSource(bytes(`${names.join(',')}\n${names.map((_, i) => i).join(',')}\n`), 4096));
  assert.equal(p.header.length, 20_000);
  assert.equal(p.rows[0]![19_999], '19999');
  await rejects(() => memSource(bytes(`${names.join(',')}\n\n`), 4096), 'file_header_only', { line: 2 });
});
