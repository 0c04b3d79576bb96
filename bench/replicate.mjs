#!/usr/bin/env node
/**
 * Makes a larger Parquet export out of a generated one: `copies` populations
 * side by side, each the original with its ids suffixed (`~k`: events, users,
 * devices and sessions of copy k are its own), same times and channels, so
 * the journeys per person are the generator's and the totals are `copies`
 * times the original's. Used for the 100M-event bench file (10 x 10M), which
 * the generator itself would first write as a 20 GB CSV.
 * Usage: node bench/replicate.mjs IN.parquet OUT.parquet COPIES
 */
import { DuckDBInstance } from '@duckdb/node-api';
import { renameSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

const [input, output, copiesArg] = process.argv.slice(2);
const copies = Number(copiesArg);
if (!input || !output || !(copies >= 1)) throw new Error('usage: node bench/replicate.mjs IN.parquet OUT.parquet COPIES');
const lit = (s) => `'${s.replace(/'/g, "''")}'`;
// Insertion order is not kept: kept across a UNION ALL of ten scans, DuckDB held the later copies
// in memory (spilling) until the earlier ones were written. Rows of the copies interleave by chunks,
// which changes no total. Spill, if any, goes to the system's temp folder, not the working one.
const instance = await DuckDBInstance.create(':memory:', {
  autoinstall_known_extensions: 'false', autoload_known_extensions: 'false', memory_limit: '4GB',
  preserve_insertion_order: 'false', temp_directory: path.join(tmpdir(), 'aw-replicate-spill'),
});
const conn = await instance.connect();
// copy 0 keeps the original ids; NULL ids stay NULL (a missing identity is a reject in every copy)
const sfx = (c, k) => (k === 0 ? c : `${c} || '~${k}' AS ${c}`);
const tmp = `${output}.part`;
await conn.run(
  `COPY (${Array.from({ length: copies }, (_, k) =>
      k === 0 ? `SELECT * FROM read_parquet(${lit(input)})`
        : `SELECT * REPLACE (${['event_id', 'user_id', 'anon_id', 'session_id'].map((c) => sfx(c, k)).join(', ')}) FROM read_parquet(${lit(input)})`,
    ).join('\n         UNION ALL ')})
   TO ${lit(tmp)} (FORMAT parquet, COMPRESSION zstd, ROW_GROUP_SIZE 122880)`,
);
renameSync(tmp, output);
const n = (await conn.runAndReadAll(`SELECT count(*) FROM read_parquet(${lit(output)})`)).getRows()[0][0];
console.log(`${output}: ${Number(n).toLocaleString('en-US')} events (${copies} copies of ${input})`);
