/**
 * User SQL safety (issue 6 item 4; trust.md section 5.3), on both engines:
 * SQL cells reach the engine as `query`/`stream` requests, and whatever they
 * say they cannot read or write a file the user did not open, reach the
 * network, load extensions or undo the lock-down (common/db.ts). Bound
 * parameters and compiled rule values stay data. Normal SQL-cell work and
 * the pipeline's own file access (import, Parquet export, spilling) still
 * work. The checks made before SQL are test/unit/sqlSafety.test.ts.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Database } from '../../common/db.ts';
import { Engine } from '../../common/engine.ts';
import { EngineClient } from '../../common/client.ts';
import { DEFAULT_MODELS } from '../../common/pipeline.ts';
import { compileRules, RULE_FIELDS, validateRules } from '../../common/rules.ts';
import { serveEngine } from '../../worker/host.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { WASM_MAX_TEXT_BYTES } from '../../worker/wasm/database.ts';

const root = path.resolve(import.meta.dirname, '../..');
const SECRET = 'top-secret-marker-5f2c';

/**
 * What a refused statement may say: DuckDB's lock-down errors, or our guard's. (duckdb-wasm has
 * no parquet or json extension built in and may not load them: those readers and writers are missing.)
 */
const REFUSAL = /Permission Error|configuration has been locked|disabled through configuration|this SQL is refused|it exists in the (parquet|json) extension/;

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as [string, () => Promise<Database>][]) {
  describe(`user SQL safety (${name})`, () => {
    let dir: string;
    let engine: Engine;
    let events: number;
    const q = (sql: string, params?: (string | number | null)[]) => engine.query(sql, params);

    before(async () => {
      // The user's folder: the file they open, and files next to it they did not open.
      dir = mkdtempSync(path.join(tmpdir(), 'attrib-sqlsafety-'));
      writeFileSync(path.join(dir, 'secret.csv'), `a,b\n${SECRET},1\n`);
      copyFileSync(path.join(root, 'samples/tiny.parquet'), path.join(dir, 'events.parquet'));
      copyFileSync(path.join(root, 'samples/tiny.csv'), path.join(dir, 'other.csv'));
      engine = new Engine(await open(), loadModelLibrary());
      await engine.openFile(fileSourceFromPath(path.join(dir, 'events.parquet')));
      await engine.run({ models: DEFAULT_MODELS, rules: loadRules(), params: {} });
      events = Number((await q('SELECT count(*) AS n FROM events'))[0].n);
      assert.ok(events > 0);
    });
    after(async () => {
      await engine.close();
      rmSync(dir, { recursive: true, force: true });
    });

    /** The statement fails with a lock-down error, and the engine still answers with the data intact. */
    async function refused(sql: string): Promise<void> {
      await assert.rejects(q(sql), (e: Error) => {
        assert.match(e.message, REFUSAL, `${sql}\n-> ${e.message}`);
        assert.ok(!e.message.includes(SECRET), 'the error leaks nothing');
        return true;
      });
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events, `after: ${sql}`);
    }

    it('cannot read files: not /etc/passwd, not a file next to the opened one, not the opened file itself by path', async () => {
      const files = ['/etc/passwd', path.join(dir, 'secret.csv'), path.join(dir, 'events.parquet'), path.join(dir, 'other.csv'), `${dir}/sub/../secret.csv`, '~/.ssh/id_rsa'];
      const readers = ['read_csv', 'read_csv_auto', 'read_text', 'read_blob', 'read_parquet', 'read_json', 'read_json_auto', 'read_ndjson', 'sniff_csv', 'parquet_metadata'];
      for (const f of files) {
        for (const fn of readers) await refused(`SELECT * FROM ${fn}('${f}')`);
        await refused(`SELECT * FROM read_csv(['${f}'])`);
        await refused(`SELECT (SELECT count(*) FROM read_csv('${f}')) AS n`);
      }
      // a replacement scan ('file' as a table) is no way round either
      await assert.rejects(q(`SELECT * FROM '${path.join(dir, 'secret.csv')}'`), (e: Error) => !e.message.includes(SECRET));
    });

    it('cannot list files (glob), write files (COPY, EXPORT DATABASE, ATTACH) or reach a URL', async () => {
      for (const g of ['/**', '/etc/*', `${dir}/*`, '*', '**/*.csv']) await refused(`SELECT * FROM glob('${g}')`);
      await refused(`COPY events TO '${path.join(dir, 'out.csv')}'`);
      await refused(`COPY (SELECT 1) TO 'x.csv'`);
      await refused(`COPY credits TO '${path.join(dir, 'out.parquet')}' (FORMAT parquet)`);
      await refused(`EXPORT DATABASE '${path.join(dir, 'exp')}'`);
      await refused(`IMPORT DATABASE '${dir}'`);
      await refused(`ATTACH '${path.join(dir, 'x.db')}' AS x`);
      await refused(`ATTACH 'x.db'`);
      await refused(`SELECT * FROM read_csv('http://127.0.0.1:9/x.csv')`);
      await refused(`SELECT * FROM read_parquet('https://example.com/x.parquet')`);
      assert.deepEqual(readdirSync(dir).sort(), ['events.parquet', 'other.csv', 'secret.csv'], 'nothing was written');
    });

    it('cannot load extensions or re-enable anything: SET, RESET, PRAGMA and the lock are refused', async () => {
      await refused('LOAD httpfs');
      await refused("LOAD '/tmp/x.duckdb_extension'");
      await refused("LOAD 'http://127.0.0.1:9/x.duckdb_extension'");
      if (name === 'native') await refused('INSTALL httpfs');
      else {
        // duckdb-wasm answers INSTALL without doing anything; loading is what is refused.
        await q('INSTALL httpfs');
        await refused('LOAD httpfs');
      }
      for (const sql of [
        'SET enable_external_access = true', 'SET GLOBAL enable_external_access = true', 'SET SESSION enable_external_access = true',
        "SET allowed_directories = ['/']", "SET allowed_paths = ['/etc/passwd']", 'RESET enable_external_access', 'RESET allowed_directories',
        'SET lock_configuration = false', 'RESET lock_configuration', 'PRAGMA enable_external_access = true', "SET disabled_filesystems = ''",
        'SET autoload_known_extensions = true', 'SET autoinstall_known_extensions = true', "SET temp_directory = '/tmp'", "SET TimeZone = 'America/New_York'",
        'SET memory_limit = \'100TB\'', 'SET allow_unsigned_extensions = true', 'SET allow_community_extensions = true',
        "PRAGMA profiling_output = '/tmp/p.json'", "SET profiling_output = '/tmp/p.json'",
      ]) await refused(sql);
      const s = (await q("SELECT current_setting('enable_external_access') AS ext, current_setting('lock_configuration') AS locked"))[0];
      assert.deepEqual(s, { ext: false, locked: true });
    });

    it('cannot create stored secrets; functions that pass the lock are refused before the engine (the session stays usable)', async () => {
      await assert.rejects(q("CREATE PERSISTENT SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')"));
      await assert.rejects(q("CREATE SECRET s (TYPE s3, KEY_ID 'a', SECRET 'b')"));
      for (const sql of [
        `CALL enable_logging(storage = 'file', storage_path = '${path.join(dir, 'logs')}')`,
        `FROM query('FROM enable_' || 'logging(storage = ''file'', storage_path = ''${path.join(dir, 'logs')}'')')`,
        `CALL enable_profiling(save_location = '${path.join(dir, 'p.txt')}')`,
        'PRAGMA enable_profile',
      ]) await refused(sql);
      // the same through stream (the other way user SQL arrives)
      await assert.rejects(engine.stream("FROM query('SELECT 1')", () => undefined), REFUSAL);
      // nothing secret in the settings or variables a cell can read
      assert.deepEqual(await q("SELECT getvariable('secret') AS v"), [{ v: null }]);
      assert.ok(!existsSync(path.join(dir, 'logs')));
    });

    it('the lock-down reaches SQL cells through the protocol (query requests), as the page sends them', async () => {
      const { port1, port2 } = new MessageChannel();
      const db = await open();
      serveEngine(port2 as never, (p) => new Engine(db, loadModelLibrary(), p), (f) => fileSourceFromPath(f.kind === 'path' ? f.path : ''));
      const client = new EngineClient(port1 as never);
      try {
        await assert.rejects(client.call('query', { sql: "SELECT * FROM read_text('/etc/passwd')", params: [] }).result, REFUSAL);
        await assert.rejects(client.call('query', { sql: 'SET enable_external_access = true', params: [] }).result, REFUSAL);
        await assert.rejects(client.call('query', { sql: "CALL enable_logging(storage = 'file', storage_path = '/tmp')", params: [] }).result, REFUSAL);
        assert.deepEqual(await client.call('query', { sql: 'SELECT 1 AS x', params: [] }).result, [{ x: 1 }]);
      } finally {
        port1.close();
        await db.close();
      }
    });

    it('normal SQL-cell work still succeeds: queries, temp tables and views, macros, variables, USE, stream, export', async () => {
      const totals = await q('SELECT model, round(sum(credit), 6) AS c FROM credits GROUP BY model ORDER BY model');
      assert.equal(totals.length, DEFAULT_MODELS.length);
      await q('CREATE OR REPLACE TABLE cell_result AS SELECT c.channel, count(*) AS n FROM credits c JOIN conversions USING (conversion_id) GROUP BY 1');
      await q('CREATE OR REPLACE TEMP TABLE tmp AS SELECT * FROM cell_result');
      await q('CREATE OR REPLACE TEMP VIEW v AS SELECT * FROM tmp');
      await q('CREATE OR REPLACE MACRO twice(x) AS x * 2');
      await q('SET VARIABLE lookback = 30');
      assert.deepEqual(await q("SELECT twice(getvariable('lookback')) AS x"), [{ x: 60 }]);
      await q("ATTACH ':memory:' AS scratch");
      await q('CREATE TABLE scratch.t AS SELECT 1 AS a');
      await q('USE scratch');
      await q('USE memory');
      assert.equal(await engine.stream('SELECT * FROM v', () => undefined), (await q('SELECT count(*) AS n FROM v'))[0].n);
      const bytes = await engine.exportParquet('cell_result');
      assert.equal(new TextDecoder().decode(bytes.subarray(0, 4)), 'PAR1');
      // a second import of a Parquet file works too (the native engine's link into its sandbox is gone after each)
      await engine.openFile(fileSourceFromPath(path.join(dir, 'events.parquet')));
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events);
    });

    it('bound parameters stay data (trust.md 5.3, 1, 4 and 9): the table survives and the result is the literal', async () => {
      await assert.rejects(q('SELECT to_days($1::INTEGER) AS d', ['30; DROP TABLE events; --']), /Conversion Error|Could not convert/);
      for (const v of ["google' OR '1'='1", "google''", "\\' OR 1=1 --", '$$ ; DROP TABLE events; $$', "E'\\x27'", '/* */', '--', '{{ x }}', '${x}', '$1', '$param']) {
        assert.deepEqual(await q('SELECT count(*) AS n FROM events WHERE utm_source = $1', [v]), [{ n: 0 }], v);
        assert.deepEqual(await q('SELECT $1 AS v', [v]), [{ v }], `${v} comes back as it went in`);
      }
      // A NUL is data too: the value keeps its length.
      assert.deepEqual(await q('SELECT length($1) AS n', ['a\0b']), [{ n: 3 }]);
      // ILIKE through a parameter: % and _ are the pattern's wildcards (documented DuckDB semantics), never SQL.
      assert.ok(Number((await q('SELECT count(*) AS n FROM events WHERE utm_source ILIKE $1', ['%']))[0].n) > 0);
      assert.deepEqual(await q("SELECT 'a_c' ILIKE $1 AS w, 'abc' ILIKE $2 ESCAPE '\\' AS literal", ['a_c', 'a\\_c']), [{ w: true, literal: false }]);
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events);
    });

    it('a 10 MB text value: bound on the native engine, refused with a clear message by the wasm one (which would crash)', async () => {
      const big = 'x'.repeat(10_000_000);
      if (name === 'native') assert.deepEqual(await q('SELECT length($1) AS n', [big]), [{ n: 10_000_000 }]);
      else {
        await assert.rejects(q('SELECT length($1) AS n', [big]), /at most 1 MB per value/);
        await assert.rejects(q(`SELECT length('${big}') AS n`), /at most 1 MB of SQL text/);
        assert.deepEqual(await q('SELECT length($1) AS n', ['y'.repeat(WASM_MAX_TEXT_BYTES)]), [{ n: WASM_MAX_TEXT_BYTES }], 'the limit itself works');
      }
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events, 'the engine is alive');
    });

    it('compiled rule values match literally (trust.md 5.3, 4 and 6): quotes, dollar quoting, SQL text, % and _', async () => {
      const attacks = [
        "google' OR '1'='1", 'nul\0byte', "google''", "\\' OR 1=1 --", '$$ ; DROP TABLE events; $$', "E'\\x27'", '/* */', '--', '50%_off', '%', '_',
        "1; COPY events TO 'x.csv'", "(SELECT count(*) FROM read_csv('/etc/passwd'))", "read_text('~/.ssh/id_rsa')", "getvariable('secret')",
        "ATTACH 'x.db'", 'INSTALL httpfs', "LOAD 'http://x'", 'SET enable_external_access=true', 'PRAGMA version', 'CALL pragma_version()',
        "current_setting('threads')", "glob('/**')",
      ];
      const set = validateRules({
        format: 'attribution-channel-rules/1',
        rules: [
          { id: "r'1", channel: 'eq', all: [{ field: 'utm_source', op: 'equals', values: attacks }] },
          { id: 'r2', channel: 'has', all: [{ field: 'utm_campaign', op: 'contains', values: attacks }] },
          { id: 'r3', channel: 'starts', all: [{ field: 'page_url', op: 'starts_with', values: attacks }] },
          { id: 'r4', channel: 'host', all: [{ field: 'referrer_host', op: 'host_in', values: attacks }] },
        ],
      });
      const compiled = compileRules(set);
      // The staged columns the compiled CASE reads (alias e), as in models/touches.sql.
      await q(`CREATE OR REPLACE TEMP TABLE e (id INTEGER, channel_explicit VARCHAR, referrer_internal BOOLEAN${RULE_FIELDS.map((f) => `, ${f} VARCHAR`).join('')})`);
      // One row per attack string as the staged (lower-cased) value, and rows the string's SQL meaning would match.
      const rows: [number, string, string, string, string][] = [];
      attacks.forEach((a, i) => rows.push([i + 1, a.toLowerCase(), `x ${a.toLowerCase()} y`, `${a.toLowerCase()}/path`, `${a.toLowerCase()}`]));
      rows.push([100, 'google', 'abc', 'https://x', 'example.com'], [101, '50 off', '50xoff', 'zzz', 'zz'], [102, '', 'a', 'b', 'c']);
      for (const r of rows) await q(`INSERT INTO e (id, utm_source, utm_campaign, page_url, referrer_host) VALUES ($1, $2, $3, $4, $5)`, r);
      const got = await q(`SELECT e.id, ${compiled.channel} AS channel, ${compiled.rule} AS rule FROM e ORDER BY e.id`);
      for (const g of got) {
        const id = Number(g.id);
        assert.equal(g.channel, id <= attacks.length ? 'eq' : 'direct', `row ${id} (${attacks[id - 1] ?? 'control'})`);
      }
      // contains treats % and _ as characters: '50%_off' is not in '50xoff'
      const c = compileRules(validateRules({ format: 'attribution-channel-rules/1', rules: [{ id: 'p', channel: 'pct', all: [{ field: 'utm_campaign', op: 'contains', values: ['50%_off', '%', '_'] }] }] }));
      assert.deepEqual(await q(`SELECT e.id FROM e WHERE (${c.channel}) = 'pct' AND e.id >= 100 ORDER BY 1`), []);
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events);
    });

    it('a 10 MB rule value compiles and runs on the native engine; the wasm one refuses the SQL with a clear message', async () => {
      const big = 'g'.repeat(10_000_000);
      const c = compileRules(validateRules({ format: 'attribution-channel-rules/1', rules: [{ id: 'big', channel: 'big', all: [{ field: 'utm_source', op: 'equals', values: [big] }] }] }));
      const sql = `SELECT count(*) FILTER (WHERE (${c.channel}) = 'big') AS n FROM e`;
      if (name === 'native') assert.deepEqual(await q(sql), [{ n: 0 }]);
      else await assert.rejects(q(sql), /at most 1 MB of SQL text/);
      assert.deepEqual(await q('SELECT 1 AS alive'), [{ alive: 1 }]);
    });

    it('catastrophic regex (a+)+$ on a long input finishes: DuckDB uses RE2 (linear time); lookaround fails with a message', async () => {
      const c = compileRules(validateRules({ format: 'attribution-channel-rules/1', rules: [{ id: 'redos', channel: 'redos', all: [{ field: 'utm_source', op: 'regex', values: ['(a+)+$'] }] }] }));
      await q(`CREATE OR REPLACE TEMP TABLE long_in AS SELECT repeat('a', 200000) || 'b' AS s`);
      const t0 = performance.now();
      const plain = await q(`SELECT regexp_matches(s, 'a+b$') AS m FROM long_in`);
      const t1 = performance.now();
      // A backtracking engine (JS, PCRE) would not finish this in the lifetime of the test.
      const evil = await q(`SELECT ${c.channel.replace(/e\.utm_source/g, 's')} AS ch FROM (SELECT s, NULL AS channel_explicit FROM long_in) e`);
      const t2 = performance.now();
      assert.deepEqual(plain, [{ m: true }]);
      assert.deepEqual(evil, [{ ch: 'direct' }]);
      console.log(`# ${name}: (a+)+$ on 200k chars ${(t2 - t1).toFixed(0)} ms, a+b$ ${(t1 - t0).toFixed(0)} ms`);
      // A regex RE2 cannot compile (from SQL, not a rule file: rule files are checked first) is a clear error.
      await assert.rejects(q(`SELECT regexp_matches('a', '(?=a)') AS m`), /regex|Invalid Input/i);
      assert.deepEqual(await q('SELECT 1 AS alive'), [{ alive: 1 }]);
    });

    it('parser DoS: a 10k-deep nested expression fails with an error and the engine stays usable', async () => {
      const deep = 'SELECT ' + '('.repeat(10_000) + '1' + ')'.repeat(10_000) + ' AS x';
      await assert.rejects(q(deep), /Parser Error|depth|memory exhausted|stack/i);
      const deepCalls = 'SELECT ' + 'abs('.repeat(5_000) + '1' + ')'.repeat(5_000) + ' AS x';
      await assert.rejects(q(deepCalls), /Error/);
      assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events);
    });

    it('identifiers (trust.md 5.3, 5): header names with quotes, SQL, dots, unicode and spaces import, map and keep as data', async () => {
      const weird = ['utm_source"; DROP TABLE events; --', 'a" , (SELECT 1) AS "b', 'page.url', 'naïve ünïcödé', 'with space', "it's"];
      const text = ['event_id,event_ts,event_name,user_id,' + weird.map((w) => `"${w.replace(/"/g, '""')}"`).join(','), 'e1,2026-01-01T00:00:00Z,page_view,u1,google,x,https://a.example/,y,z,w', 'e2,2026-01-02T00:00:00Z,purchase,u1,,x,,y,z,w'].join('\n') + '\n';
      const file = path.join(dir, 'weird header.csv');
      writeFileSync(file, text);
      const e2 = new Engine(await open(), loadModelLibrary());
      try {
        const report = await e2.openFile(fileSourceFromPath(file), { map: { utm_source: weird[0], page_url: weird[2] }, keepColumns: [weird[1], weird[3], '"; DROP TABLE events; --'] });
        assert.equal(report.rowsRead, 2);
        assert.deepEqual(await e2.query('SELECT utm_source FROM events ORDER BY event_id'), [{ utm_source: 'google' }, { utm_source: null }]);
        const extras = (await e2.describe('event_extras')).map((c) => c.name);
        assert.deepEqual(extras.slice(2), [weird[1].toLowerCase(), weird[3], '"; drop table events; --']);
      } finally {
        await e2.close();
        rmSync(file);
      }
    });

    it('file names (trust.md 5.3, 7): quotes, SQL, glob characters and .. load exactly that file', async () => {
      const sub = path.join(dir, 'names');
      mkdirSync(path.join(sub, 'inner'), { recursive: true });
      const csv = readFileSync(path.join(root, 'samples/tiny.csv'));
      // Decoys a glob would pick up: other CSV and Parquet files in the same folder.
      writeFileSync(path.join(sub, 'decoy.csv'), 'event_id,event_ts,user_id\nd1,2026-01-01T00:00:00Z,u\n');
      writeFileSync(path.join(sub, 'decoy.parquet'), 'not parquet');
      // The wasm engine never hands DuckDB a path (files reach it as Arrow), so two names suffice there.
      const names = name === 'native' ? ["client's export", "a'); COPY events TO 'x.csv'; ('", '*', '[ab]?{c,d}', 'inner/../dots'] : ["client's export", '*'];
      const e2 = new Engine(await open(), loadModelLibrary());
      for (const n of names) {
        for (const ext of ['csv', 'parquet']) {
          // not path.join: it would fold 'inner/../' away before the engine saw it
          const f = `${sub}/${n}.${ext}`;
          if (ext === 'csv') writeFileSync(f, csv);
          else copyFileSync(path.join(dir, 'events.parquet'), f);
          try {
            const report = await e2.openFile(fileSourceFromPath(f));
            assert.equal(report.rowsRead, 1000, `${n}.${ext}: that file, no glob expansion`);
          } finally {
            rmSync(path.resolve(f));
          }
        }
      }
      await e2.close();
      assert.deepEqual(readdirSync(sub).sort(), ['decoy.csv', 'decoy.parquet', 'inner']);
    });

    if (name === 'native') {
      it('native: the range(1e12) cross join is cancelled through Engine.cancel and the engine is reusable', async () => {
        const running = q('SELECT count(*) AS n FROM range(1000000000000::BIGINT) a, range(1000) b WHERE a.range * b.range % 7 = 3');
        setTimeout(() => engine.cancel(), 300);
        await assert.rejects(running, /interrupt|cancel/i);
        engine.beginRequest();
        assert.equal(Number((await q('SELECT count(*) AS n FROM events'))[0].n), events);
      });

      it('native: DuckDB checks the resolved path: a symbolic link in the sandbox to a file outside is refused, and not listed', async () => {
        const sandbox = String((await q("SELECT current_setting('temp_directory') AS t"))[0].t).replace(/[/\\]spill$/, '');
        assert.ok(existsSync(sandbox), sandbox);
        symlinkSync(path.join(dir, 'secret.csv'), path.join(sandbox, 'evil.csv'));
        symlinkSync(dir, path.join(sandbox, 'evil_dir'));
        writeFileSync(path.join(sandbox, 'inside.csv'), 'a\n1\n');
        try {
          await refused(`SELECT * FROM read_csv('${path.join(sandbox, 'evil.csv')}')`);
          await refused(`SELECT * FROM read_csv('${path.join(sandbox, 'evil_dir', 'secret.csv')}')`);
          await refused(`SELECT * FROM read_csv('${sandbox}/../${path.basename(dir)}/secret.csv')`);
          await refused(`SELECT * FROM read_csv('${sandbox}/*.csv')`);
          // inside the sandbox (only the engine's own code puts files there) reading works
          assert.deepEqual(await q(`SELECT * FROM read_csv('${path.join(sandbox, 'inside.csv')}')`), [{ a: 1 }]);
          // glob may name the link itself, never what lies behind the linked folder
          for (const g of ['/**', '/*']) {
            const files = (await q(`SELECT file FROM glob('${sandbox}${g}')`)).map((r) => String(r.file));
            assert.ok(files.every((f) => f.startsWith(sandbox) && !f.includes('secret')), `${g}: ${files.join(', ')}`);
          }
          await refused(`SELECT * FROM glob('${sandbox}/evil_dir/*')`);
        } finally {
          for (const f of ['evil.csv', 'evil_dir', 'inside.csv']) rmSync(path.join(sandbox, f), { force: true });
        }
      });

      it('native: spilling past memory_limit goes to the sandbox and works; the sandbox is removed on close', async () => {
        const db = await openNativeDatabase({ memoryLimit: '64MB', threads: 1 });
        const sandbox = String((await db.all("SELECT current_setting('temp_directory') AS t"))[0].t).replace(/[/\\]spill$/, '');
        try {
          const r = await db.all('SELECT count(DISTINCT v) AS n FROM (SELECT md5(range::VARCHAR) AS v FROM range(3000000) ORDER BY v)');
          assert.deepEqual(r, [{ n: 3000000 }]);
          await assert.rejects(db.run("SET memory_limit = '100GB'"), /locked/);
        } finally {
          await db.close();
        }
        assert.ok(!existsSync(sandbox), 'the sandbox is gone after close');
      });
    }
  });
}
