/** The typed protocol: a client and a host over a MessageChannel, with progress, streamed rows, errors and cancel. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MessageChannel } from 'node:worker_threads';
import { EngineClient } from '../../common/client.ts';
import { Engine } from '../../common/engine.ts';
import { AttribError } from '../../common/errors.ts';
import { serveEngine } from '../../worker/host.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { csv } from '../helpers.ts';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

describe('engine protocol', () => {
  it('opens, runs, streams and reports errors as plain objects across a port', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-proto-'));
    const file = path.join(dir, 'e.csv');
    writeFileSync(file, csv(['event_id', 'event_ts', 'event_name', 'user_id', 'utm_medium', 'revenue'], [
      ['a', '2026-01-01T00:00:00Z', 'page_view', 'u', 'cpc', ''],
      ['b', '2026-01-02T00:00:00Z', 'purchase', 'u', '', '5'],
    ]));
    const { port1, port2 } = new MessageChannel();
    const db = await openNativeDatabase();
    serveEngine(port2, (p) => new Engine(db, loadModelLibrary(), p), (f) => fileSourceFromPath(f.kind === 'path' ? f.path : ''));
    const client = new EngineClient(port1);
    try {
      const progress: string[] = [];
      const report = await client.call('open_file', { file: { kind: 'path', path: file } }, { onProgress: (_d, _t, l) => progress.push(l) }).result;
      assert.equal(report.rowsLoaded, 2);
      const out = await client.call('run', { options: { models: ['last_touch'], rules: loadRules(), params: {} } }, { onProgress: (_d, _t, l) => progress.push(l) }).result;
      assert.deepEqual(out.channel_summary, [{ model: 'last_touch', channel: 'paid_search', attributed_conversions: 1, attributed_revenue: 5, conversion_kind: 'purchase' }]);
      assert.ok(progress.includes('model last_touch'), 'progress messages carry the step');
      const batches: number[] = [];
      const s = await client.call('stream', { sql: 'SELECT * FROM range(25) t(i)', batchRows: 10 }, { onRows: (r) => batches.push(r.length) }).result;
      assert.equal(s.rows, 25);
      assert.deepEqual(batches, [10, 10, 5]);
      await assert.rejects(client.call('run', { options: { models: ['time_decay'], rules: loadRules(), params: { half_life_days: -1 } } }).result, (e: Error) => {
        assert.ok(e instanceof AttribError);
        assert.equal(e.code, 'bad_parameter');
        return true;
      });
      await assert.rejects(client.call('query', { sql: 'SELECT * FROM no_such_table' }).result, /no_such_table/);
      // Parquet bytes cross the port as a Uint8Array; a missing table is a bad parameter, in words
      const pq = await client.call('export_parquet', { table: 'channel_summary' }).result;
      assert.ok(pq instanceof Uint8Array && pq.length > 100, 'bytes arrive');
      assert.equal(Buffer.from(pq.subarray(0, 4)).toString(), 'PAR1');
      await assert.rejects(client.call('export_parquet', { table: 'nope' }).result, (e: Error) => e instanceof AttribError && e.code === 'bad_parameter' && /no table named nope/.test(e.message));
      const cancel = client.call('query', { sql: 'SELECT count(*) FROM range(20000000000) a' });
      setTimeout(() => client.cancel(cancel.id), 200);
      await assert.rejects(cancel.result, /interrupt/i);
    } finally {
      port1.close();
      await db.close();
    }
  });
});
