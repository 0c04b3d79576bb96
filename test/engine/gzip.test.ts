/**
 * Gzip-compressed exports (`.csv.gz`, `.ndjson.gz`) are read directly,
 * through their decompressed stream, with the same numbers and the same
 * rejects as the plain file, on both engines; a file named .gz that is not
 * gzip, one cut short, and a gzip-compressed Parquet file each fail with one
 * line naming the file.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { attribute, memorySource, parseCsvText } from '../helpers.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { toCsv } from '../../common/csvWrite.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { AttribError } from '../../common/errors.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const text = readFileSync(`${root}samples/tiny.csv`, 'utf8');
const [cols, ...rows] = parseCsvText(text);
const ndjson = rows.map((r) => JSON.stringify(Object.fromEntries(cols.map((c, i) => [c, r[i] === '' ? null : r[i]])))).join('\n') + '\n';

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`gzip-compressed exports (${name})`, () => {
    it('a .csv.gz and an .ndjson.gz give the plain files\' numbers and rejects', async () => {
      for (const [plainName, plain] of [['tiny.csv', text], ['tiny.ndjson', ndjson]] as const) {
        const a = await attribute(open, memorySource(plainName, plain, 65536));
        // small chunks: the gzip stream is fed in pieces, as from disk
        const b = await attribute(open, memorySource(`${plainName}.gz`, gzipSync(Buffer.from(plain)), 4096));
        const show = (r: typeof a) => toCsv([...OUTPUT_COLUMNS.channel_summary], r.out.channel_summary) + toCsv([...OUTPUT_COLUMNS.conversions], r.out.conversions);
        assert.equal(show(b), show(a), plainName);
        assert.equal(b.report.file, `${plainName}.gz`, 'reported under the name the user has');
        assert.equal(b.report.rowsRead, 1000);
        assert.deepEqual(b.report.rejectsByReason, a.report.rejectsByReason);
        // the rejects name the .gz file
        const files = await b.engine.db.all('SELECT DISTINCT file FROM rejects');
        assert.deepEqual(files.map((r) => r.file), [`${plainName}.gz`]);
        await a.engine.close();
        await b.engine.close();
      }
    });

    it('a .gz that is not gzip, one cut short, and a .parquet.gz fail in one line naming the file', async () => {
      await assert.rejects(attribute(open, memorySource('events.csv.gz', text)), (e: AttribError) => {
        assert.equal(e.oneLine(), 'events.csv.gz: the name ends in .gz but the file is not gzip-compressed: rename it or compress it again');
        return true;
      });
      const gz = gzipSync(Buffer.from(text));
      await assert.rejects(attribute(open, memorySource('cut.csv.gz', gz.subarray(0, gz.length >> 1))), (e: AttribError) => {
        assert.match(e.oneLine(), /^cut\.csv\.gz: the gzip data is damaged or cut short \(/);
        assert.equal(e.oneLine().split('\n').length, 1);
        return true;
      });
      await assert.rejects(attribute(open, memorySource('x.parquet.gz', gz)), (e: AttribError) => {
        assert.match(e.oneLine(), /^x\.parquet\.gz: a gzip-compressed Parquet file/);
        return true;
      });
    });
  });
}
