/**
 * Every bad-input fixture gets its documented outcome (fixtures/badinputs/README.md):
 * E = a one-line error naming file and line (and column where it applies),
 * Q = good rows load and bad rows are counted as rejects with row and line,
 * never a silent NULL. Run on both engines.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Database } from '../../common/db.ts';
import { AttribError } from '../../common/errors.ts';
import { Engine } from '../../common/engine.ts';
import type { ImportOptions } from '../../common/import/importer.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { parseMapOption } from '../../common/import/columns.ts';

const fixture = (f: string) => fileURLToPath(new URL(`../fixtures/badinputs/${f}`, import.meta.url));
const lib = loadModelLibrary();

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as [string, () => Promise<Database>][]) {
  describe(`bad inputs (${name})`, () => {
    const engines: Engine[] = [];
    after(async () => {
      for (const e of engines) await e.close();
    });
    const load = async (file: string, opts: ImportOptions = {}) => {
      const engine = new Engine(await open(), lib);
      engines.push(engine);
      const report = await engine.openFile(fileSourceFromPath(fixture(file)), opts);
      const rejects = await engine.query('SELECT row_number, line, reason, detail FROM rejects ORDER BY row_number');
      return { engine, report, rejects };
    };
    /** Expects a whole-file error and returns it (one line: file:line:column: message). */
    const refuse = async (file: string, code: AttribError['code'], opts: ImportOptions = {}) => {
      try {
        await load(file, opts);
      } catch (e) {
        assert.ok(e instanceof AttribError, `expected an AttribError, got ${e}`);
        assert.equal(e.code, code, e.oneLine());
        assert.equal(e.where.file, file);
        assert.ok(!e.oneLine().includes('\n'), 'one line');
        return e;
      }
      assert.fail(`${file} should have been refused with ${code}`);
    };

    it('test__empty.csv: E, the file is empty', async () => {
      const e = await refuse('test__empty.csv', 'file_empty');
      assert.match(e.message, /empty/);
    });
    it('header_only_2.csv: E, a header but no rows (never a silent empty result)', async () => {
      const e = await refuse('header_only_2.csv', 'file_header_only');
      assert.equal(e.where.line, 2);
    });
    it('test__unterminated.csv: E, the quote opened at line 1, column 1 never closes', async () => {
      const e = await refuse('test__unterminated.csv', 'file_unterminated_quote');
      assert.deepEqual([e.where.line, e.where.column], [1, 1]);
    });
    it('invalid_utf8.csv: E, not UTF-8, with the encoding hint', async () => {
      const e = await refuse('invalid_utf8.csv', 'file_not_utf8');
      assert.match(e.message, /utf-16le/);
    });
    it('encodings__latin1.csv: E at line 2, column 4 suggesting --encoding latin1', async () => {
      const e = await refuse('encodings__latin1.csv', 'file_not_utf8');
      assert.deepEqual([e.where.line, e.where.column], [2, 4]);
      assert.match(e.message, /--encoding latin1/);
      // With the encoding it reads (and then asks for the time column it lacks).
      const e2 = await refuse('encodings__latin1.csv', 'file_missing_column', { encoding: 'latin1' });
      assert.match(e2.message, /columns: name, age/);
    });
    it('rejects__multiple_errors__invalid_utf_cast.csv: E naming the encoding problem at line 3', async () => {
      const e = await refuse('rejects__multiple_errors__invalid_utf_cast.csv', 'file_not_utf8');
      assert.equal(e.where.line, 3);
    });
    it('auto__utf8bom.csv: the BOM is stripped (header "id"), then E for the missing time column', async () => {
      const e = await refuse('auto__utf8bom.csv', 'file_missing_column');
      assert.match(e.message, /columns: id, name\)/);
    });
    it('auto__empty_header.csv: E, required columns cannot be found; the nameless columns are listed', async () => {
      const e = await refuse('auto__empty_header.csv', 'file_missing_column');
      assert.match(e.message, /no time column/);
      assert.match(e.message, /column1, column2, column3/);
    });
    it('error__mismatch__bad2.csv: E, no time or identity column among 1, 2, DDD', async () => {
      const e = await refuse('error__mismatch__bad2.csv', 'file_missing_column');
      assert.match(e.message, /DDD/);
    });
    it('rejects__dr_who.csv: E without identity; mapped, every row is an invalid_timestamp so E all rejected', async () => {
      await refuse('rejects__dr_who.csv', 'file_missing_column');
      const e = await refuse('rejects__dr_who.csv', 'all_rows_rejected', { map: parseMapOption(['anon_id=date']) });
      assert.match(e.message, /invalid_timestamp/);
      assert.equal(e.where.line, 2);
    });
    it('rejects__incorrect_columns__small_mix.csv: Q, sniffed as ",", rows of 5 and 3 fields are ragged_row rejects', async () => {
      const { report, rejects } = await load('rejects__incorrect_columns__small_mix.csv', { map: parseMapOption(['event_ts=a', 'anon_id=b']) });
      assert.equal(report.detected.delimiter, ',');
      assert.deepEqual(rejects.map((r) => [r.row_number, r.line, r.reason]), [[2, 3, 'ragged_row'], [3, 4, 'ragged_row']]);
      assert.equal(report.rowsLoaded, 2);
      assert.equal(report.rowsRead, 4);
    });
    it('rejects__multiple_errors__multiple_errors.csv: Q, 2 rows kept, 5 structural rejects with their lines', async () => {
      const { report, rejects } = await load('rejects__multiple_errors__multiple_errors.csv', { map: parseMapOption(['event_ts=current_day', 'anon_id=name']) });
      assert.equal(report.rowsLoaded, 2);
      assert.deepEqual(rejects.map((r) => [r.line, r.reason]), [[4, 'ragged_row'], [5, 'ragged_row'], [6, 'bad_quoting'], [7, 'ragged_row'], [8, 'ragged_row']]);
    });
    it('mixed_timestamps.csv: Q, the 03/10/2024 row is an invalid_timestamp reject, not a NULL', async () => {
      const { engine, report, rejects } = await load('mixed_timestamps.csv', { map: parseMapOption(['event_ts=B', 'anon_id=A']) });
      assert.deepEqual(rejects.map((r) => [r.row_number, r.line, r.reason]), [[3, 4, 'invalid_timestamp']]);
      assert.match(String(rejects[0].detail), /03\/10\/2024/);
      const n = await engine.query('SELECT count(ts_us) AS n FROM events');
      assert.equal(Number(n[0].n) + rejects.length, report.rowsRead);
    });
    it('timestamp_timezone.csv: W, the naive value is read in the stated zone and reported; offsets are honoured', async () => {
      const q = "SELECT anon_id, strftime(make_timestamp(ts_us), '%Y-%m-%dT%H:%M') AS t FROM events ORDER BY anon_id";
      const utc = await load('timestamp_timezone.csv', { map: parseMapOption(['event_ts=time', 'anon_id=description']) });
      assert.equal(utc.report.rowsLoaded, 8);
      assert.ok(utc.report.warnings.some((w) => /1 timestamps have no UTC offset and were read as UTC/.test(w)));
      const t = Object.fromEntries((await utc.engine.query(q)).map((r) => [r.anon_id, r.t]));
      assert.equal(t['midnight local'], '2020-01-01T00:00');
      assert.equal(t['midnight in San Francisco'], '2020-01-01T08:00');
      assert.equal(t['Pacific/Chatham'], '2019-12-31T10:15');
      assert.equal(t['Canada/Newfoundland'], '2020-01-01T03:30');
      const la = await load('timestamp_timezone.csv', { map: parseMapOption(['event_ts=time', 'anon_id=description']), timezone: 'America/Los_Angeles' });
      const t2 = Object.fromEntries((await la.engine.query(q)).map((r) => [r.anon_id, r.t]));
      assert.equal(t2['midnight local'], '2020-01-01T08:00');
      assert.equal(t2['midnight UTC Z'], '2020-01-01T00:00');
    });
    it('null__multiple_nulls.csv: "null", "none" and "" are all empty, never the strings', async () => {
      const { engine } = await load('null__multiple_nulls.csv', { map: parseMapOption(['anon_id=name', 'event_ts=height', 'revenue=age']), timeUnit: 's' });
      // height 1.73 is an epoch in seconds here; the rows with an empty-like height are rejected, not NULL.
      const r = await engine.query('SELECT row_number, reason FROM rejects ORDER BY 1');
      assert.deepEqual(r, [{ row_number: 2, reason: 'invalid_timestamp' }, { row_number: 3, reason: 'invalid_timestamp' }]);
      const d = await engine.query("SELECT row_number, detail FROM rejects ORDER BY 1");
      assert.deepEqual(d.map((x) => x.detail), ['event_ts is empty', 'event_ts is empty']);
    });
    it('wrongtype.csv: Q, every "hi" is rejected at its line; all 22 rows are checked, not counted', async () => {
      const { report, rejects } = await load('wrongtype.csv', { map: parseMapOption(['event_ts=h1', 'anon_id=h2']) });
      assert.deepEqual(rejects.map((r) => [r.line, r.reason]), [[8, 'invalid_timestamp'], [14, 'invalid_timestamp'], [19, 'invalid_timestamp']]);
      assert.equal(report.rowsLoaded, 19);
      assert.equal(report.rowsRead, 22);
    });
    it('rejects__flush.csv: as purchase revenue, locale decimals and negatives are invalid_revenue, never coerced', async () => {
      await refuse('rejects__flush.csv', 'file_missing_column');
    });
    for (const f of ['parquet_broken__missingmagicatend.parquet', 'parquet_broken__footerlengthzero.parquet', 'parquet_broken__garbledfooter.parquet']) {
      it(`${f}: E naming the file, suggesting a re-export`, async () => {
        const e = await refuse(f, 'file_corrupt_parquet');
        assert.match(e.oneLine(), new RegExp(`^${f}: not a readable Parquet file .*export it again$`));
      });
    }
  });
}
