import { DuckDBInstance } from '@duckdb/node-api';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createHash } from 'node:crypto';
const [csv, pq] = process.argv.slice(2);
const ids: string[] = [];
let first = true;
for await (const line of createInterface({ input: createReadStream(csv) })) { if (first) { first = false; continue; } ids.push(line.slice(0, line.indexOf(','))); }
const h1 = createHash('md5').update(ids.join('\n')).digest('hex');
const c = await (await DuckDBInstance.create(':memory:')).connect();
const r = await c.runAndReadAll(`SELECT md5(string_agg(event_id, chr(10) ORDER BY file_row_number)) h, count(*) n FROM read_parquet('${pq}', file_row_number=true)`);
console.log(ids.length, h1, r.getRowObjectsJS());
