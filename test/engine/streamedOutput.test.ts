/**
 * The CLI's output files are streamed from the engine (cli/output.ts
 * writeCsvQuery over Database.each): at 100M events the credits are tens of
 * millions of rows, which as JavaScript objects and one string per file ran
 * the process out of memory. The streamed file must be byte for byte what
 * writing all the rows at once gives, across chunk and flush boundaries, and
 * a query that fails part way must leave no file behind.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { writeCsv, writeCsvQuery } from '../../cli/output.ts';
import type { Database } from '../../common/db.ts';

const tmp = mkdtempSync(path.join(tmpdir(), 'aw-streamed-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// 30,000 rows of about 40 characters: 15 DuckDB chunks and more than one 1 MiB flush;
// quoting (a comma, a quote), NULLs and rounded decimals on the way.
const SQL = `SELECT i, CASE WHEN i % 7 = 0 THEN NULL ELSE 'v,"' || CAST(i AS VARCHAR) || '"' END AS s,
  i / 3.0 AS d, i % 2 = 0 AS b FROM range(30000) t(i) ORDER BY i`;
const COLUMNS = ['i', 's', 'd', 'b'];

const engines: [string, () => Promise<Database>][] = [['native', () => openNativeDatabase()], ['wasm', () => openWasmDatabaseInNode()]];
for (const [name, open] of engines) {
  describe(`streamed output files (${name})`, () => {
    it('writes the same bytes as all rows at once, and counts the rows', async () => {
      const db = await open();
      try {
        const dir = path.join(tmp, `${name}-same`);
        const whole = path.join(tmp, `${name}-whole`);
        for (const d of [dir, whole]) mkdirSync(d);
        const n = await writeCsvQuery(dir, 'out', COLUMNS, db, SQL);
        writeCsv(whole, 'out', COLUMNS, await db.all(SQL));
        assert.equal(n, 30000);
        const text = readFileSync(path.join(dir, 'out.csv'), 'utf8');
        assert.equal(text, readFileSync(path.join(whole, 'out.csv'), 'utf8'));
        assert.ok(text.length > 1 << 20, 'more than one flush');
        // hand-checked rows: a NULL, a quoted value, a rounded third, the last row
        const lines = text.split('\n');
        assert.equal(lines[0], 'i,s,d,b');
        assert.equal(lines[1], '0,,0,true');
        assert.equal(lines[2], '1,"v,""1""",0.3333333333,false');
        assert.equal(lines[30000], '29999,"v,""29999""",9999.6666666667,false');
        assert.equal(lines[30001], '');
        assert.deepEqual(readdirSync(dir), ['out.csv'], 'no temporary file left');
      } finally {
        await db.close();
      }
    });

    it('leaves no file (nor its temporary) when the query fails part way', async () => {
      const db = await open();
      try {
        const dir = mkdtempSync(path.join(tmp, `${name}-fail-`));
        await assert.rejects(writeCsvQuery(dir, 'out', ['i'], db, `SELECT CASE WHEN i < 20000 THEN i ELSE error('boom at ' || CAST(i AS VARCHAR)) END AS i FROM range(30000) t(i)`), /boom/);
        assert.equal(existsSync(path.join(dir, 'out.csv')), false);
        assert.deepEqual(readdirSync(dir), []);
      } finally {
        await db.close();
      }
    });
  });
}
