#!/usr/bin/env node
/**
 * The benchmark floor as a plain process: node, @duckdb/node-api and
 * bench/floor.sql, nothing of the workbench (no tsx, no pipeline modules),
 * as a hand-written DuckDB script would be. Reads Parquet with
 * read_parquet, CSV with read_csv (DuckDB's own sniffing, all its threads).
 * Prints one JSON line: the seconds of the query and the channel totals.
 * Usage: node bench/floor.mjs FILE [--load-only] [--memory-limit 4GB]
 * --load-only: only DuckDB's reader into a table (read_csv or read_parquet,
 * all columns as it types them), the floor of an import.
 * --memory-limit: DuckDB's memory_limit (default: DuckDB's own, 80% of RAM).
 * The 100M-event run gives it the pipeline's own limit: with DuckDB's default
 * the floor itself grew past 20 GB on a 24 GB machine and thrashed.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';

const file = process.argv[2];
const loadOnly = process.argv.includes('--load-only');
const limitAt = process.argv.indexOf('--memory-limit');
const memoryLimit = limitAt > 0 ? process.argv[limitAt + 1] : undefined;
const lit = `'${file.replace(/'/g, "''")}'`;
const csv = !/\.parquet$/i.test(file);
// read_csv has no file_row_number (duplicates keep their first row): the rows go into a table
// first, in file order, and rowid numbers them (row_number() OVER () would run on one thread).
// Timestamps that are not dates ('not-a-date') make read_csv type event_ts as text: try_cast
// turns them into NULL, which the floor drops as the pipeline rejects them.
const load = `CREATE TEMP TABLE ev AS SELECT * REPLACE (try_cast(event_ts AS TIMESTAMP) AS event_ts) FROM read_csv(${lit})`;
const source = csv ? '(SELECT rowid AS file_row_number, * FROM ev)' : `read_parquet(${lit}, file_row_number = true)`;
const sql = loadOnly ? `CREATE TABLE ev AS SELECT * FROM ${csv ? `read_csv(${lit})` : `read_parquet(${lit})`};` : (csv ? load + ';\n' : '') + readFileSync(new URL('./floor.sql', import.meta.url), 'utf8').replace('{{source}}', source);
const t = performance.now();
const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
const conn = await instance.connect();
await conn.run("SET TimeZone = 'UTC'");
// Spill into a folder of our own, removed at the end or when the bench stops us: DuckDB's default
// is '.tmp' in the working folder, where a 100M-event run left 60 GB.
const spill = mkdtempSync(path.join(tmpdir(), 'aw-floor-spill-'));
const removeSpill = () => rmSync(spill, { recursive: true, force: true });
process.on('SIGTERM', () => {
  removeSpill();
  process.exit(143);
});
await conn.run(`SET temp_directory = '${spill.replace(/'/g, "''")}'`);
if (memoryLimit) await conn.run(`SET memory_limit = '${memoryLimit.replace(/'/g, '')}'`);
// statements end with ';' at the end of a line (floor.sql has no other)
for (const s of sql.split(/;\s*$/m).map((x) => x.trim()).filter((x) => x && !/^(--[^\n]*\n?)*$/.test(x))) await conn.run(s);
const seconds = (performance.now() - t) / 1000;
const reader = await conn.runAndReadAll(loadOnly ? "SELECT 'rows' AS model, '' AS channel, count(*) AS attributed_conversions, 0 AS attributed_revenue FROM ev" : 'SELECT model, channel, conv AS attributed_conversions, rev AS attributed_revenue FROM floor_summary');
const summary = reader.getRowObjectsJS().map((r) => ({ ...r, attributed_conversions: Number(r.attributed_conversions), attributed_revenue: Number(r.attributed_revenue) }));
conn.closeSync();
instance.closeSync();
removeSpill();
console.log(JSON.stringify({ engine: 'floor', file, steps: [{ step: 'floor query', seconds, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }], summary }));
