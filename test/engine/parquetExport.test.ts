/**
 * Parquet export (Engine.exportParquet) on both engines: the bytes are read
 * back with native DuckDB's own read_parquet, and must hold the same rows and
 * the same column types as the table exported. The wasm engine writes with
 * parquet-wasm (its DuckDB cannot write Parquet offline), the native one with
 * COPY: both must round-trip.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../common/db.ts';
import { sqlString } from '../../common/db.ts';
import { Engine } from '../../common/engine.ts';
import { AttribError } from '../../common/errors.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { openToolDatabase, type ToolDatabase } from '../helpers.ts';

/** A small table of mixed types, NULLs in every column, text that needs care. */
const MIXED = `CREATE TABLE mixed AS SELECT * FROM (VALUES
  (1, 'paid_search', 0.25::DOUBLE, 9007199254740993::BIGINT, TIMESTAMP '2026-01-02 03:04:05.123456', true, DATE '2026-01-02', 12.34::DECIMAL(12,2), TIMESTAMPTZ '2026-01-02 03:04:05+00'),
  (2, 'e-mail "news", ünïcødé ✓', -1.5e300::DOUBLE, -42::BIGINT, TIMESTAMP '1999-12-31 23:59:59', false, DATE '1900-01-01', -0.01::DECIMAL(12,2), TIMESTAMPTZ '1999-12-31 23:59:59+00'),
  (3, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL),
  (4, '', 'NaN'::DOUBLE, 0::BIGINT, TIMESTAMP '2026-06-30 00:00:00', NULL, DATE '2026-06-30', NULL, NULL)
) v(id, channel, share, big, ts, flag, day, amount, tstz)`;

/** Rows of a query as text per column (DuckDB's own formatting on both sides), in id order. */
async function asText(db: Pick<Database, 'all'>, table: string): Promise<string[][]> {
  const cols = (await db.all(`SELECT column_name AS c FROM (DESCRIBE ${table})`)).map((r) => String(r.c));
  const rows = await db.all(`SELECT ${cols.map((c, i) => `CAST("${c}" AS VARCHAR) AS c${i}`).join(', ')} FROM ${table} ORDER BY 1`);
  return rows.map((r) => cols.map((_, i) => (r[`c${i}`] === null ? null : String(r[`c${i}`]))) as string[]);
}

async function types(db: Pick<Database, 'all'>, table: string): Promise<string[][]> {
  return (await db.all(`SELECT column_name AS c, column_type AS t FROM (DESCRIBE ${table})`)).map((r) => [String(r.c), String(r.t)]);
}

function exportSuite(name: string, openDb: () => Promise<Database>): void {
  describe(`Parquet export (${name})`, () => {
    const dir = mkdtempSync(path.join(tmpdir(), `aw-pq-${name}-`));
    const closers: (() => Promise<void>)[] = [];
    after(async () => {
      for (const c of closers) await c();
      rmSync(dir, { recursive: true, force: true });
    });

    /** Reads Parquet bytes with native DuckDB (a separate database) into table `back`. */
    async function readBack(bytes: Uint8Array, file: string): Promise<ToolDatabase> {
      const p = path.join(dir, file);
      writeFileSync(p, bytes);
      // not an engine: those may not read paths from SQL (common/db.ts)
      const reader = await openToolDatabase();
      closers.push(() => reader.close());
      await reader.run(`CREATE TABLE back AS SELECT * FROM read_parquet(${sqlString(p)})`);
      return reader;
    }

    async function engine(): Promise<Engine> {
      const e = new Engine(await openDb(), loadModelLibrary());
      closers.push(() => e.close());
      return e;
    }

    it('keeps every row, NULL and column type of a mixed table', async () => {
      const e = await engine();
      await e.query(MIXED);
      const bytes = await e.exportParquet('mixed');
      assert.ok(bytes instanceof Uint8Array);
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'PAR1', 'Parquet magic at the start');
      assert.equal(new TextDecoder().decode(bytes.subarray(bytes.length - 4)), 'PAR1', 'and at the end');
      const back = await readBack(bytes, 'mixed.parquet');
      assert.deepEqual(await types(back, 'back'), await types(e.db, 'mixed'));
      const want = await asText(e.db, 'mixed');
      assert.equal(want.length, 4);
      assert.deepEqual(await asText(back, 'back'), want);
    });

    it('exports a table of many rows (several Arrow batches) and an empty one', async () => {
      const e = await engine();
      await e.query(`CREATE TABLE big AS SELECT i AS id, 'c' || (i % 7) AS channel, i / 3.0 AS v FROM range(250000) t(i)`);
      const back = await readBack(await e.exportParquet('big'), 'big.parquet');
      const [got] = await back.all('SELECT count(*) AS n, sum(id) AS s, count(DISTINCT channel) AS c, sum(v) AS v FROM back');
      const [want] = await e.query('SELECT count(*) AS n, sum(id) AS s, count(DISTINCT channel) AS c, sum(v) AS v FROM big');
      // sum() of a BIGINT is a HUGEINT: a number from one engine, text from the other
      const norm = (r: Record<string, unknown>) => Object.fromEntries(Object.entries(r).map(([k, x]) => [k, Math.round(Number(x))]));
      assert.deepEqual(norm(got), norm(want));
      assert.equal(norm(got).n, 250000);
      await e.query(`CREATE TABLE empty AS SELECT * FROM big WHERE false`);
      const none = await readBack(await e.exportParquet('empty'), 'empty.parquet');
      assert.deepEqual(await none.all('SELECT count(*) AS n FROM back'), [{ n: 0 }]);
      assert.deepEqual(await types(none, 'back'), await types(e.db, 'empty'));
    });

    it('writes what Parquet cannot hold as its text (intervals) and a readable time (seconds timestamps)', async () => {
      const e = await engine();
      await e.query(`CREATE TABLE odd AS SELECT 1 AS id, INTERVAL 36 HOUR AS gap, TIMESTAMP_S '2026-01-02 03:04:05' AS at_s, TIMESTAMP_MS '2026-01-02 03:04:05.250' AS at_ms`);
      const back = await readBack(await e.exportParquet('odd'), 'odd.parquet');
      const [row] = await back.all('SELECT CAST(gap AS VARCHAR) AS gap, CAST(at_s AS TIMESTAMP) AS at_s, CAST(at_ms AS TIMESTAMP) AS at_ms FROM back');
      assert.equal(row.gap, '36:00:00');
      assert.equal(row.at_s, '2026-01-02T03:04:05.000Z');
      assert.equal(row.at_ms, '2026-01-02T03:04:05.250Z');
    });

    it('says in plain words when the table does not exist', async () => {
      const e = await engine();
      await assert.rejects(e.exportParquet('no_such_result'), (err: Error) => {
        assert.ok(err instanceof AttribError);
        assert.equal(err.code, 'bad_parameter');
        assert.match(err.message, /no table named no_such_result/);
        return true;
      });
    });
  });
}

exportSuite('native', () => openNativeDatabase());
exportSuite('wasm', () => openWasmDatabaseInNode());
