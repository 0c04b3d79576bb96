/**
 * The output files written by the engine (common/csvSql.ts through the native
 * engine's writeLines: DuckDB's COPY into the CLI's --out folder) must be the
 * bytes common/csvWrite.ts writes: every number, quote, NULL and boolean the
 * same, and a number outside the SQL's exact form written by JavaScript
 * instead. The engine writes only into the folders it was opened with.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { writeCsv, writeCsvQuery } from '../../cli/output.ts';
import { formatNumber, toCsv } from '../../common/csvWrite.ts';
import { csvLinesSql } from '../../common/csvSql.ts';
import { rng } from '../../bench/paths.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'aw-csvsql-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

/** Doubles of every magnitude the SQL formats exactly, halves and near-halves of the 10th decimal among them. */
function doubles(): number[] {
  const r = rng(11);
  const out = [0, -0, 1, -1, 0.5, 1 / 3, -1 / 3, 2 / 3, 1e-10, 5e-11, -5e-11, 4.9999999999e-11, 1.5e-10, 2.5e-10, -2.5e-10, 0.00000000015, 123.45678901235, 499999.9999999999, -499999.99999, 0.1 + 0.2];
  for (let i = 0; i < 20000; i++) {
    const mag = 10 ** Math.floor(r() * 17 - 11);
    const x = (r() - 0.5) * 2 * mag;
    out.push(x, Math.round(x * 1e10) / 1e10, (Math.floor(x * 1e10) + 0.5) / 1e10);
  }
  return out.filter((x) => Math.abs(x) < 5e5);
}

describe('CSV lines made in SQL (common/csvSql.ts)', () => {
  it('formats doubles as formatNumber does, to the byte', async () => {
    const db = await openNativeDatabase();
    try {
      const xs = doubles();
      // String(x) is the shortest text that reads back as the same double
      await db.run(`CREATE TABLE d AS SELECT i, CAST(x AS DOUBLE) AS x FROM (SELECT unnest(range(${xs.length})) AS i, unnest([${xs.map((x) => `'${Object.is(x, -0) ? '-0' : String(x)}'`).join(',')}]) AS x)`);
      const rows = await db.all(csvLinesSql('SELECT x FROM d ORDER BY i', [{ name: 'x', type: 'DOUBLE' }])!);
      const bad = xs.map((x, i) => [x, formatNumber(x), rows[i].x]).filter(([, js, sql]) => js !== sql);
      assert.deepEqual(bad.slice(0, 5), [], `${bad.length} of ${xs.length} differ`);
    } finally {
      await db.close();
    }
  });

  it('writes text, integers, booleans and NULLs as toCsv does', async () => {
    const db = await openNativeDatabase();
    try {
      const sql = `SELECT * FROM (VALUES
        (1, 'plain', 7, true, 0.25), (2, 'a,b', -3, false, -1.5), (3, 'say "hi"', NULL, NULL, NULL), (4, '', 899999999, true, 1e-11),
        (5, 'line' || chr(10) || 'two', -899999999, false, 3), (6, 'cr' || chr(13), 0, true, -0.0), (7, NULL, 42, NULL, 2.5e-10),
        (8, ' spaced ', 1, true, 100), (9, 'ünïcødé, "quoted"', 2, false, 123456.7890123456)) v(k, s, n, b, x) ORDER BY k`;
      const columns = [{ name: 's', type: 'VARCHAR' }, { name: 'n', type: 'INTEGER' }, { name: 'b', type: 'BOOLEAN' }, { name: 'x', type: 'DOUBLE' }];
      const lines = (await db.all(csvLinesSql(sql, columns)!)).map((r) => r['s,n,b,x']);
      assert.equal(lines.join('\n') + '\n', toCsv(['s', 'n', 'b', 'x'], await db.all(sql)).split('\n').slice(1).join('\n'));
      assert.equal(csvLinesSql(sql, [{ name: 't', type: 'TIMESTAMP' }]), undefined, 'a type it does not cover');
    } finally {
      await db.close();
    }
  });

  it('the engine writes the same file as JavaScript into its output folder, and falls back for large numbers', async () => {
    const out = path.join(tmp, 'out');
    const db = await openNativeDatabase({ outputDirs: [out] });
    try {
      mkdirSync(out);
      const whole = path.join(tmp, 'whole');
      mkdirSync(whole);
      const cols = ['i', 's', 'd', 'b'];
      const sql = `SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'v,"' || CAST(i AS VARCHAR) || '"' END AS s, i / 3.0 AS d, i % 2 = 0 AS b FROM range(30000) t(i) ORDER BY i`;
      assert.equal(await db.writeLines!(csvLinesSql(sql, [{ name: 'i', type: 'BIGINT' }])!, path.join(out, 'probe.csv')), 30000, 'the engine writes here');
      rmSync(path.join(out, 'probe.csv'));
      assert.equal(await writeCsvQuery(out, 'fast', cols, db, sql), 30000);
      writeCsv(whole, 'fast', cols, await db.all(sql));
      assert.equal(readFileSync(path.join(out, 'fast.csv'), 'utf8'), readFileSync(path.join(whole, 'fast.csv'), 'utf8'));
      // a revenue of a million: beyond the SQL's exact form, so JavaScript writes the file, the same bytes as ever
      const big = `SELECT i, i * 1000000.123 AS d FROM range(3000) t(i) ORDER BY i`;
      assert.equal(await writeCsvQuery(out, 'big', ['i', 'd'], db, big), 3000);
      writeCsv(whole, 'big', ['i', 'd'], await db.all(big));
      assert.equal(readFileSync(path.join(out, 'big.csv'), 'utf8'), readFileSync(path.join(whole, 'big.csv'), 'utf8'));
      assert.deepEqual(readdirSync(out).sort(), ['big.csv', 'fast.csv'], 'no temporary file left');
      // nowhere else: not beside the folder, not in a folder named like it
      for (const p of [path.join(tmp, 'x.csv'), path.join(`${out}-evil`, 'x.csv')]) assert.equal(await db.writeLines!(`SELECT 'a' AS h`, p), undefined, p);
    } finally {
      await db.close();
    }
  });

  it('an engine opened without output folders writes nowhere (the workbench engine)', async () => {
    const db = await openNativeDatabase();
    try {
      const dir = mkdtempSync(path.join(tmp, 'locked-'));
      assert.equal(await db.writeLines!(`SELECT 'a' AS h`, path.join(dir, 'x.csv')), undefined);
      await assert.rejects(db.run(`COPY (SELECT 1) TO '${path.join(dir, 'y.csv')}'`), /Permission|disabled|not allowed/i);
      assert.deepEqual(readdirSync(dir), []);
    } finally {
      await db.close();
    }
  });
});
