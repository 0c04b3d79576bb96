/**
 * The CSV fast path (DuckDB read_csv, common/import/csvEngine.ts), on both
 * engines (wasm: the file registered in duckdb-wasm's inbox folder), gives exactly the TypeScript reader's rows, row and line numbers, rejects and
 * numbers, or steps aside for it: every file here is imported both ways and the
 * events, rejects and outputs compared, and the test says which reader was used.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { attribute } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import type { Database } from '../../common/db.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import { AttribError } from '../../common/errors.ts';
import { scanCsvBytes } from '../../common/import/csvEngine.ts';
import type { ImportOptions } from '../../common/import/importer.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(path.join(tmpdir(), 'aw-csvengine-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const H = 'event_id,event_ts,event_name,user_id,anon_id,utm_source,utm_medium,revenue';
/** A small valid export of n rows (every 7th a purchase), with `extra` lines spliced in at given data rows. */
function file(n: number, extra: Record<number, string> = {}, eol = '\n'): string {
  const lines = [H];
  for (let i = 1; i <= n; i++) {
    if (extra[i] !== undefined) lines.push(extra[i]!);
    const buy = i % 7 === 0;
    lines.push(`e${i},2026-01-0${1 + (i % 9)}T10:${String(i % 60).padStart(2, '0')}:00Z,${buy ? 'purchase' : 'page_view'},,a${i % 13},${i % 3 ? 'google' : ''},${i % 3 ? 'cpc' : ''},${buy ? '12.5' : ''}`);
  }
  return lines.join(eol) + eol;
}

/** Everything a reader decides, as text: rejects with numbers and raw text, events, outputs. */
async function run(open: () => Promise<Database>, p: string, opts: ImportOptions) {
  try {
    const { engine, report, out } = await attribute(open, fileSourceFromPath(p), { import: opts });
    const events = await engine.query('SELECT _row, _line, event_id, ts_us, user_id, anon_id, utm_source, revenue FROM events ORDER BY _row');
    const rejects = await engine.query('SELECT * FROM rejects ORDER BY row_number, reason');
    await engine.close();
    const text = toCsv(Object.keys(events[0] ?? {}), events) + toCsv(Object.keys(rejects[0] ?? { x: 1 }), rejects)
      + toCsv([...OUTPUT_COLUMNS.channel_summary], out.channel_summary) + toCsv([...OUTPUT_COLUMNS.rejects], out.rejects);
    const { reader, ...rest } = report;
    return { reader, report: JSON.stringify(rest), text };
  } catch (e) {
    return { reader: 'error', report: e instanceof AttribError ? e.oneLine() : String(e), text: '' };
  }
}

const cases: [string, string | Uint8Array, 'engine' | 'typescript'][] = [
  ['plain.csv', file(300), 'engine'],
  ['crlf.csv', file(300, {}, '\r\n'), 'engine'],
  ['bom.csv', '\uFEFF' + file(50), 'engine'],
  ['no_final_newline.csv', file(40).trimEnd(), 'engine'],
  ['ragged.csv', file(200, { 1: 'x1,2026-01-01T00:00:00Z,page_view', 50: 'x2,a,b,c,d,e,f,g,h,i', 51: 'x3,1', 200: ',,' }), 'engine'],
  ['ragged_crlf.csv', file(200, { 3: 'x1,2026-01-01T00:00:00Z', 100: 'x2,a,b,c,d,e,f,g,h,i' }, '\r\n'), 'engine'],
  ['quoted.csv', file(60, { 5: '"q1","2026-01-02T00:00:00Z","page_view","","a1","goo,gle","cpc",""', 9: 'q2,2026-01-02T00:00:00Z,purchase,u9,,,,"1,5"' }), 'engine'],
  ['escaped_quote.csv', file(30, { 4: 'b5,2026-01-02T00:00:00Z,page_view,,a1,"say ""hi""",cpc,', 6: '"""",2026-01-02T00:00:00Z,page_view,,a1,"""",cpc,' }), 'engine'],
  ['ragged_quoted.csv', file(30, { 4: 'r1,"a,b",page_view', 5: 'r2,"x""y",c,d,e,f,g,h,"i,j"' }), 'engine'],
  ['spaces.csv', file(30, { 4: 'sp1, 2026-01-02T00:00:00Z ,page_view,, a1 ,  google,cpc,' }), 'engine'],
  ['tsv_like.tsv', file(40).replaceAll(',', '\t'), 'engine'],
  ['semicolon.csv', file(40).replaceAll(',', ';'), 'engine'],
  // the TypeScript reader's own cases: each must fall back and give its result
  ['multiline.csv', file(30, { 6: 'm1,2026-01-02T00:00:00Z,page_view,,a1,"two\nlines",cpc,' }), 'typescript'],
  ['blank_lines.csv', file(30, { 7: '', 8: '' }), 'typescript'],
  ['space_after_quote.csv', file(30, { 4: 'b1,2026-01-02T00:00:00Z,page_view,,a1,"google" ,cpc,' }), 'typescript'],
  ['space_before_quote.csv', file(30, { 4: 'b2,2026-01-02T00:00:00Z,page_view,,a1, "google",cpc,' }), 'typescript'],
  ['quote_inside.csv', file(30, { 4: 'b3,2026-01-02T00:00:00Z,page_view,,a1,goo"gle,cpc,' }), 'typescript'],
  ['text_after_quote.csv', file(30, { 4: 'b4,2026-01-02T00:00:00Z,page_view,,a1,"goo"gle,cpc,' }), 'typescript'],
  ['quote_in_header.csv', file(30).replace('utm_source', '"utm_source"'), 'engine'],
  ['lone_cr.csv', file(30, { 4: 'b6,2026-01-02T00:00:00Z,page_view,,a1,goo\rgle,cpc,' }), 'typescript'],
  ['bad_utf8.csv', Buffer.concat([Buffer.from(file(3000)), Buffer.from([0x61, 0xff, 0x0a])]), 'error'],
  ['nul.csv', file(3000) + 'a\u0000b\n', 'error'],
  ['unterminated.csv', file(3000) + '"open,2026\n', 'error'],
] as never;

const engines: [string, () => Promise<Database>][] = [['native', openNativeDatabase], ['wasm', () => openWasmDatabaseInNode()]];
for (const [engineName, open] of engines) describe(`CSV fast path (${engineName}): the TypeScript reader's results or none`, () => {
  for (const [name, content, want] of cases) {
    it(`${name}: ${want === ('error' as string) ? 'the same one-line error' : `read by the ${want} reader, same rows, rejects and numbers`}`, async () => {
      const p = path.join(dir, name);
      writeFileSync(p, content);
      const fast = await run(open, p, { format: name.endsWith('.tsv') ? 'tsv' : undefined });
      const ts = await run(open, p, { csvReader: 'typescript', format: name.endsWith('.tsv') ? 'tsv' : undefined });
      assert.equal(fast.reader, want, fast.report);
      if (want !== ('error' as string)) assert.equal(ts.reader, 'typescript');
      assert.equal(fast.report, ts.report);
      assert.equal(fast.text, ts.text);
    });
  }

  it('keeps row and line numbers across DuckDB\'s parallel chunks (rejects spread over 60k rows)', async () => {
    const extra: Record<number, string> = {};
    for (const k of [2, 3, 4, 9_999, 30_000, 30_001, 47_777, 59_999]) extra[k] = `r${k},x`;
    const p = path.join(dir, 'big.csv');
    writeFileSync(p, file(60_000, extra));
    const fast = await run(open, p, {});
    const ts = await run(open, p, { csvReader: 'typescript' });
    assert.equal(fast.reader, 'engine');
    assert.equal(fast.report, ts.report);
    assert.equal(fast.text, ts.text);
  });

  it('the byte scan counts line breaks, quotes and finds blank lines across chunk edges', async () => {
    const text = 'a,"b"\r\n1,2\r\n\r\n3,4';
    const src = { name: 'x.csv', size: text.length, stream: async function* () { for (const ch of Buffer.from(text)) yield new Uint8Array([ch]); }, blob: async () => new Blob([text]) };
    const s = await scanCsvBytes(src, 34, 44);
    assert.deepEqual({ lf: s.lf, cr: s.cr, quotes: s.quotes, headerQuotes: s.headerQuotes, blank: s.blankLine, loneCr: s.loneCr, end: s.endsWithLf, header: s.headerBytes, bytes: s.bytes },
      { lf: 3, cr: 3, quotes: 2, headerQuotes: 2, blank: true, loneCr: false, end: false, header: 5, bytes: text.length });
  });

  if (engineName === 'wasm') {
    it('wasm: a file past the heap allowance keeps the TypeScript reader; the registered file is gone after the import', async () => {
      const p = path.join(dir, 'allowance.csv');
      writeFileSync(p, file(300));
      const small = await run(() => openWasmDatabaseInNode({ maxEngineCsvBytes: 1000 }), p, {});
      const fast = await run(open, p, {});
      assert.equal(small.reader, 'typescript');
      assert.equal(fast.reader, 'engine');
      assert.equal(small.text, fast.text);
      const { engine } = await attribute(open, fileSourceFromPath(p), {});
      try {
        // nothing is left in the inbox a SQL cell could read, and nothing else is reachable from it
        assert.deepEqual(await engine.query(`SELECT * FROM glob('/aw-inbox/*')`), []);
        await assert.rejects(engine.query(`SELECT * FROM read_csv('/aw-inbox/../etc/passwd')`));
      } finally {
        await engine.close();
      }
    });
  }

  it('samples/sample.csv goes through the engine reader with the same numbers', async () => {
    const fast = await run(open, `${root}samples/sample.csv`, {});
    const ts = await run(open, `${root}samples/sample.csv`, { csvReader: 'typescript' });
    assert.equal(fast.reader, 'engine');
    assert.equal(fast.report, ts.report);
    assert.equal(fast.text, ts.text);
  });
});
