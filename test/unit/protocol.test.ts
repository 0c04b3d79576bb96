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
import { runRuleDiff, type DiffConfig } from '../../common/ruleDiff.ts';
import type { RuleSet } from '../../common/rules.ts';
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
      // a file of orders crosses as a ref (conversions), is read as one import with the events, and its
      // columns can be asked for without importing it
      const orders = path.join(dir, 'orders.csv');
      writeFileSync(orders, 'Order,Customer,Paid,Amount\no1,u,2026-01-03T00:00:00Z,7\n');
      assert.deepEqual(await client.call('file_columns', { file: { kind: 'path', path: orders } }).result, ['Order', 'Customer', 'Paid', 'Amount']);
      const withOrders = await client.call('open_file', {
        file: { kind: 'path', path: file }, conversions: [{ kind: 'path', path: orders }],
        options: { conversionsMap: { event_id: 'Order', user_id: 'Customer', event_ts: 'Paid', revenue: 'Amount' } },
      }).result;
      assert.equal(withOrders.conversions, 2, "the events' purchase and the order");
      assert.deepEqual(withOrders.conversionMapping, { file: 'orders.csv', columns: ['Order', 'Customer', 'Paid', 'Amount'], mapping: { event_id: 'Order', event_ts: 'Paid', user_id: 'Customer', revenue: 'Amount' } });
      assert.equal(withOrders.layout, 'Generic (spec aliases)');
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

  it('a superseded request still waiting its turn is dropped, never run: it answers cancelled and the one after it runs', async () => {
    const { port1, port2 } = new MessageChannel();
    const db = await openNativeDatabase();
    serveEngine(port2, (p) => new Engine(db, loadModelLibrary(), p), (f) => fileSourceFromPath(f.kind === 'path' ? f.path : ''));
    const client = new EngineClient(port1);
    try {
      await client.call('query', { sql: 'CREATE TABLE ran (what VARCHAR)' }).result;
      // `first` holds the engine (a long query) while `second` waits behind it; the page supersedes
      // `second` (a slider moved again) before its turn comes, then `first` is cancelled too
      const first = client.call('query', { sql: 'SELECT count(*) FROM range(20000000000) a' });
      const second = client.call('query', { sql: "INSERT INTO ran VALUES ('second')" });
      const third = client.call('query', { sql: "INSERT INTO ran VALUES ('third')" });
      client.cancel(second.id);
      setTimeout(() => client.cancel(first.id), 200);
      await assert.rejects(first.result, /interrupt/i);
      await assert.rejects(second.result, (e: Error) => e instanceof AttribError && e.code === 'cancelled');
      await third.result;
      assert.deepEqual(await client.call('query', { sql: 'SELECT what FROM ran ORDER BY 1' }).result, [{ what: 'third' }], 'the dropped request never ran');
    } finally {
      port1.close();
      await db.close();
    }
  });

  it('rule_diff returns the rows runRuleDiff gives on its own database, leaves the tables, and checks its arguments', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-proto-diff-'));
    const file = path.join(dir, 'e.csv');
    // p1: cpc then a newsletter email, buys; p2: an email, buys; p3: newsletter then email, buys; p4: buys with no touch
    writeFileSync(file, csv(['event_id', 'event_ts', 'event_name', 'anon_id', 'utm_source', 'utm_medium', 'revenue'], [
      ['a1', '2026-01-01T00:00:00Z', 'page_view', 'p1', 'google', 'cpc', ''],
      ['a2', '2026-01-03T00:00:00Z', 'page_view', 'p1', 'news', 'newsletter', ''],
      ['c1', '2026-01-04T00:00:00Z', 'purchase', 'p1', '', '', '100'],
      ['b1', '2026-01-01T00:00:00Z', 'page_view', 'p2', 'news', 'email', ''],
      ['c2', '2026-01-02T00:00:00Z', 'purchase', 'p2', '', '', '20'],
      ['d1', '2026-01-01T00:00:00Z', 'page_view', 'p3', 'news', 'newsletter', ''],
      ['d2', '2026-01-02T00:00:00Z', 'page_view', 'p3', 'news', 'email', ''],
      ['c3', '2026-01-03T00:00:00Z', 'purchase', 'p3', '', '', '30'],
      ['c4', '2026-01-05T00:00:00Z', 'purchase', 'p4', '', '', '40'],
    ]));
    const rules = loadRules();
    const newsletter: RuleSet = { ...rules, rules: [{ id: 'medium_newsletter', channel: 'newsletter', all: [{ field: 'utm_medium', op: 'in', values: ['newsletter'] }] }, ...rules.rules] };
    const baseline: DiffConfig = { rules, model: 'linear', params: { lookback_days: 30 } };
    const proposed: DiffConfig = { rules: newsletter, model: 'linear', params: { lookback_days: 30 } };
    const { port1, port2 } = new MessageChannel();
    const served = await openNativeDatabase();
    const direct = await openNativeDatabase();
    serveEngine(port2, (p) => new Engine(served, loadModelLibrary(), p), (f) => fileSourceFromPath(f.kind === 'path' ? f.path : ''));
    const client = new EngineClient(port1);
    try {
      await client.call('open_file', { file: { kind: 'path', path: file } }).result;
      const progress: string[] = [];
      const got = await client.call('rule_diff', { baseline, proposed }, { onProgress: (_d, _t, l) => progress.push(l) }).result;
      // the same diff, without the protocol or the Engine class: runRuleDiff on another database
      const lib = loadModelLibrary();
      const e = new Engine(direct, lib);
      await e.openFile(fileSourceFromPath(file));
      const want = await runRuleDiff(direct, lib, baseline, proposed);
      assert.deepEqual(got, want);
      assert.deepEqual(got.matrix, [{ from_channel: 'email', to_channel: 'newsletter', credit: 1, conversions: 2 }]);
      assert.ok(progress.length > 0, 'the diff reports progress');
      // the tables stay for SQL cells, as the request returned them
      assert.deepEqual(await client.call('query', { sql: 'SELECT * FROM diff_totals ORDER BY channel' }).result, want.totals);
      // the next run rebuilds the journeys with its own configuration
      const run = await client.call('run', { options: { models: ['linear'], rules: newsletter, params: { lookback_days: 30 } } }).result;
      assert.equal(run.journeys, 'built');
      // arguments are checked at the host, in one line naming the side
      const bad = async (args: unknown, re: RegExp) =>
        assert.rejects(client.call('rule_diff', args as { baseline: DiffConfig; proposed: DiffConfig }).result, (err: Error) => err instanceof AttribError && err.code === 'bad_parameter' && re.test(err.message) && !err.message.includes('\n'));
      await bad({ baseline, proposed: { ...proposed, model: 7 } }, /rule_diff proposed: "model" must be a model name/);
      await bad({ baseline: { ...baseline, params: { lookback_days: { x: 1 } } }, proposed }, /rule_diff baseline: params: lookback_days must be a number/);
      await bad({ baseline: { ...baseline, rules: { format: 'nope', rules: [] } }, proposed }, /rule_diff baseline: rules: unknown rule file format/);
      await bad({ baseline: { ...baseline, extra: 1 }, proposed }, /rule_diff baseline: unknown field 'extra'/);
      await bad({ baseline }, /rule_diff proposed: must be an object/);
      // the library's checks: an unknown model, a value out of range
      await assert.rejects(client.call('rule_diff', { baseline, proposed: { ...proposed, model: 'no_such_model' } }).result, /no_such_model/);
      await assert.rejects(client.call('rule_diff', { baseline, proposed: { ...proposed, params: { lookback_days: 0 } } }).result, (err: Error) => err instanceof AttribError && err.code === 'bad_parameter');
    } finally {
      port1.close();
      await served.close();
      await direct.close();
    }
  });
});
