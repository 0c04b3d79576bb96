/**
 * Unit tests for the streaming NDJSON reader (common/import/ndjson.ts).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, createReadStream, openAsBlob, statSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openNdjson, type NdjsonOptions } from '../../common/import/ndjson.ts';
import { AttribError } from '../../common/errors.ts';
import type { FileSource } from '../../common/import/source.ts';
import { memorySource } from '../helpers.ts';
import type { StructuralReject } from '../../common/import/records.ts';

const CHUNKS = [1, 3, 7, 4096];

function bytes(s: string, binary = false): Uint8Array {
  return binary ? Uint8Array.from(s, (ch) => ch.charCodeAt(0)) : new TextEncoder().encode(s);
}

/** An in-memory FileSource that yields `chunk`-byte pieces (the shared test helper). */
const memSource = (data: Uint8Array, chunk: number, name = 'mem.ndjson'): FileSource => memorySource(name, data, chunk);

interface Parsed {
  header: string[];
  detected: Record<string, string | boolean | number>;
  rows: string[][];
  rowNumbers: number[];
  lines: number[];
  rejects: StructuralReject[];
  batchSizes: number[];
}

async function readAll(src: FileSource, opts: NdjsonOptions = {}): Promise<Parsed> {
  const r = await openNdjson(src, opts);
  const out: Parsed = { header: r.header, detected: r.detected, rows: [], rowNumbers: [], lines: [], rejects: [], batchSizes: [] };
  for await (const b of r.batches()) {
    assert.equal(b.columns.length, r.header.length);
    for (const col of b.columns) assert.equal(col.length, b.rowCount);
    for (let i = 0; i < b.rowCount; i++) out.rows.push(b.columns.map((col) => col[i]!));
    out.rowNumbers.push(...b.rowNumbers);
    out.lines.push(...b.lines);
    out.rejects.push(...b.rejects);
    out.batchSizes.push(b.rowCount);
  }
  // Copy so later mutation of `detected` cannot hide differences between chunk sizes.
  out.detected = { ...r.detected };
  return out;
}

/** Parses with every chunk size; all must agree. */
async function parse(text: string, opts: NdjsonOptions = {}, binary = false): Promise<Parsed> {
  let first: Parsed | undefined;
  for (const chunk of CHUNKS) {
    const p = await readAll(memSource(bytes(text, binary), chunk), opts);
    if (first) assert.deepEqual(p, first, `chunk size ${chunk} differs`);
    else first = p;
  }
  return first!;
}

async function fails(text: string, code: string, where?: { line?: number; column?: number }, binary = false): Promise<AttribError> {
  let err: AttribError | undefined;
  for (const chunk of CHUNKS) {
    await assert.rejects(readAll(memSource(bytes(text, binary), chunk)), (e: unknown) => {
      assert.ok(e instanceof AttribError, String(e));
      assert.equal(e.code, code);
      if (where?.line !== undefined) assert.equal(e.where.line, where.line);
      if (where?.column !== undefined) assert.equal(e.where.column, where.column);
      err = e;
      return true;
    });
  }
  return err!;
}

test('flattens nested objects; scalars, arrays and null as text', async () => {
  const p = await parse(
    '{"id":1,"user":{"name":"Ann","geo":{"cc":"NL"}},"tags":["a",2],"ok":true,"none":null,"price":12.5}\n' +
      '{"id":2,"user":{"name":"Bob"},"ok":false}\n',
  );
  assert.deepEqual(p.header, ['id', 'user.name', 'user.geo.cc', 'tags', 'ok', 'none', 'price']);
  assert.deepEqual(p.rows, [
    ['1', 'Ann', 'NL', '["a",2]', 'true', '', '12.5'],
    ['2', 'Bob', '', '', 'false', '', ''],
  ]);
  assert.deepEqual(p.rowNumbers, [1, 2]);
  assert.deepEqual(p.lines, [1, 2]);
});

test('long integers keep every digit', async () => {
  const p = await parse('{"uid":12345678901234567890,"n":1.5,"xs":[98765432109876543210, 1]}\n{"uid":7}\n');
  assert.deepEqual(p.rows, [
    ['12345678901234567890', '1.5', '[98765432109876543210,1]'],
    ['7', '', ''],
  ]);
});

test('BOM stripped, CRLF and blank lines counted but skipped', async () => {
  const p = await parse('\ufeff{"a":"x"}\r\n\r\n   \r\n{"a":"y"}\r\n{"a":"z"}');
  assert.deepEqual(p.header, ['a']);
  assert.deepEqual(p.rows, [['x'], ['y'], ['z']]);
  assert.deepEqual(p.lines, [1, 4, 5]);
  assert.deepEqual(p.rowNumbers, [1, 2, 3]);
  assert.equal(p.detected.bom, true);
});

test('invalid JSON and non-objects are structural rejects with row and line', async () => {
  const p = await parse('{"a":1}\n{"a":\n\n[1,2]\n"str"\n{"a":2}\n');
  assert.deepEqual(p.rows, [['1'], ['2']]);
  assert.deepEqual(p.rowNumbers, [1, 5]);
  assert.deepEqual(p.lines, [1, 6]);
  assert.deepEqual(
    p.rejects.map((r) => [r.row, r.line, r.reason, r.raw]),
    [
      [2, 2, 'invalid_json', '{"a":'],
      [3, 4, 'not_an_object', '[1,2]'],
      [4, 5, 'not_an_object', '"str"'],
    ],
  );
  assert.ok(p.rejects[0]!.detail.length > 0);
  assert.equal(p.rejects[1]!.detail, 'an array, expected a JSON object');
});

test('a file whose every line is rejected still yields the rejects', async () => {
  const p = await parse('nope\n{bad}\n');
  assert.deepEqual(p.header, []);
  assert.equal(p.rows.length, 0);
  assert.deepEqual(
    p.rejects.map((r) => r.reason),
    ['invalid_json', 'invalid_json'],
  );
});

test('keys first seen after the sample are counted as late keys', async () => {
  const lines = ['{"a":1}', '{"a":2,"b":"x"}', '{"a":3,"c":1}', '{"d":1,"c":2}', '{"a":5,"e":{"f":1}}'];
  const p = await parse(lines.join('\n'), { sampleLines: 2 });
  assert.deepEqual(p.header, ['a', 'b']);
  assert.deepEqual(p.rows, [
    ['1', ''],
    ['2', 'x'],
    ['3', ''],
    ['', ''],
    ['5', ''],
  ]);
  assert.equal(p.detected.lateKeys, 3);
  assert.equal(p.detected.lateKeyNames, 'c, d, e.f');
  const all = await parse(lines.join('\n'));
  assert.deepEqual(all.header, ['a', 'b', 'c', 'd', 'e.f']);
  assert.equal(all.detected.lateKeys, 0);
});

test('batches split at batchSize', async () => {
  const text = Array.from({ length: 7 }, (_, i) => JSON.stringify({ i })).join('\n') + '\n';
  const p = await parse(text, { batchSize: 3, sampleLines: 4 });
  assert.deepEqual(p.batchSizes, [3, 3, 1]);
  assert.deepEqual(p.rows.map((r) => r[0]), ['0', '1', '2', '3', '4', '5', '6']);
});

test('a JSON array file is refused', async () => {
  const e = await fails('[\n  {"a":1},\n  {"a":2}\n]\n', 'file_unsupported', { line: 1 });
  assert.equal(e.message, 'this is a JSON array, not newline-delimited JSON: write one object per line (NDJSON)');
});

test('empty files -> file_empty', async () => {
  await fails('', 'file_empty');
  await fails('\ufeff', 'file_empty');
  await fails('\n \n\r\n', 'file_empty');
});

test('invalid UTF-8 -> file_not_utf8 with line and column', async () => {
  const e = await fails('{"a":"x"}\n{"a":"Jos\xe9"}\n', 'file_not_utf8', { line: 2, column: 10 }, true);
  assert.match(e.message, /byte 0xE9/);
});

test('reads a real file', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ndjson-'));
  try {
    const path = join(dir, 'events.ndjson');
    const lines = Array.from({ length: 2500 }, (_, i) => JSON.stringify({ ts: `2024-01-01T00:00:${i % 60}Z`, user: { id: `u${i}` }, rev: i / 4 }));
    writeFileSync(path, lines.join('\n') + '\n');
    const src: FileSource = {
      name: 'events.ndjson',
      size: statSync(path).size,
      path,
      async *stream() {
        for await (const c of createReadStream(path, { highWaterMark: 1000 })) yield c as Uint8Array;
      },
      blob: () => openAsBlob(path),
    };
    const p = await readAll(src, { batchSize: 1000, sampleLines: 100 });
    assert.deepEqual(p.header, ['ts', 'user.id', 'rev']);
    assert.deepEqual(p.batchSizes, [1000, 1000, 500]);
    assert.deepEqual(p.rows[2499], ['2024-01-01T00:00:39Z', 'u2499', '624.75']);
    assert.equal(p.lines[2499], 2500);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('digit-preserving path handles every JSON value kind', async () => {
  const p = await parse(
    '{"id":1234567890123456789,"o":{"t":true,"f":false,"n":null,"e":{},"s":"a\\"b\\\\c"},"arr":[],"mix":[{"k":1e400},null,"x"]}\n',
  );
  assert.deepEqual(p.header, ['id', 'o.t', 'o.f', 'o.n', 'o.s', 'arr', 'mix']);
  assert.deepEqual(p.rows, [['1234567890123456789', 'true', 'false', '', 'a"b\\c', '[]', '[{"k":1e400},null,"x"]']]);
});
