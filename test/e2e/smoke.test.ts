/**
 * Web mode end to end, in headless Chromium on the built page: the engine
 * worker (duckdb-wasm + parquet-wasm, nested worker) imports the bundled
 * sample Parquet and gives the native engine's numbers; a CSV with a bad row
 * has its reject reported through the worker; the CSP holds in the page and
 * in the worker; and nothing is requested from anywhere but the page's own
 * origin.
 */
import { after, before, describe, it as test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import { Engine } from '../../common/engine.ts';
import type { Row } from '../../common/db.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openApp, skipReason, type App } from './harness.ts';
// The page's globalThis.__smoke (its type declaration comes with this import).
import type {} from '../../renderer/smoke.ts';

const sample = fileURLToPath(new URL('../../samples/sample.parquet', import.meta.url));
const MODELS = ['last_touch', 'linear'];

/** channel_summary rows by (model, channel, conversion_kind). */
function byKey(rows: Row[]): Map<string, Row> {
  return new Map(rows.map((r) => [`${r.model}|${r.channel}|${r.conversion_kind}`, r]));
}

// Each test (not the suite) carries the skip, so a machine without Chromium reports them as skipped.
const it = (name: string, fn: (t: TestContext) => Promise<void>) => test(name, { skip: skipReason }, fn);

describe('web mode in Chromium', { timeout: 300_000 }, () => {
  let app: App;
  before(async () => {
    if (skipReason) return;
    app = await openApp('?smoke');
    await app.page.waitForFunction(() => globalThis.__smoke !== undefined && globalThis.__smoke.state !== 'starting', null, { timeout: 180_000 });
  });
  after(async () => {
    await app?.close();
  });

  it('imports the bundled sample in the worker and gives the native engine\'s channel_summary', async (t) => {
    const smoke = await app.page.evaluate(() => {
      const s = globalThis.__smoke!;
      return { state: s.state, error: s.error, report: s.report, channelSummary: s.channelSummary, timings: s.timings };
    });
    await app.screenshot('smoke');
    assert.equal(smoke.state, 'done', smoke.error);
    t.diagnostic(`engine start -> first query ${smoke.timings.firstQuery} ms, sample imported ${smoke.timings.imported} ms, models ran ${smoke.timings.ran} ms`);

    const engine = new Engine(await openNativeDatabase(), loadModelLibrary());
    try {
      const report = await engine.openFile(fileSourceFromPath(sample));
      const out = await engine.run({ models: MODELS, rules: loadRules(), params: {} });
      assert.equal(smoke.report!.rowsRead, report.rowsRead);
      assert.equal(smoke.report!.rowsLoaded, report.rowsLoaded);
      assert.deepEqual(smoke.report!.rejectsByReason, report.rejectsByReason);
      assert.equal(smoke.report!.conversions, report.conversions);

      const web = byKey(smoke.channelSummary!);
      const native = byKey(out.channel_summary);
      assert.ok(native.size > 0);
      assert.deepEqual([...web.keys()].sort(), [...native.keys()].sort(), 'same models, channels and kinds');
      let maxDiff = 0;
      for (const [k, n] of native) {
        const w = web.get(k)!;
        for (const col of ['attributed_conversions', 'attributed_revenue']) {
          maxDiff = Math.max(maxDiff, Math.abs(Number(w[col]) - Number(n[col])));
        }
      }
      t.diagnostic(`max abs diff vs native over ${native.size} rows: ${maxDiff}`);
      assert.ok(maxDiff < 1e-9, `max abs diff ${maxDiff}`);
      assert.equal(await app.page.textContent('#channel-summary-count'), `channel_summary: ${native.size} rows`);
    } finally {
      await engine.close();
    }
    // The nested DuckDB worker and both wasm modules came from the page's server.
    for (const f of ['/assets/engine.worker-', '/assets/duckdb-browser-eh.worker-', '/assets/duckdb-eh-', '/assets/parquet_wasm_bg-', '/samples/sample.parquet']) {
      assert.ok(app.served.some((p) => p.startsWith(f)), `${f} served (${app.served.join(', ')})`);
    }
    app.assertClean();
  });

  it('reports a CSV\'s bad rows as rejects, through the worker and DuckDB\'s own CSV reader', async () => {
    const got = await app.page.evaluate(async () => {
      const client = globalThis.__smoke!.client;
      const csv = [
        'event_id,event_ts,event_name,anon_id,utm_source,utm_medium,revenue',
        'e1,2026-01-01T10:00:00Z,page_view,a1,google,cpc,',
        'e2,not-a-date,page_view,a1,,,',
        'e3,2026-01-01T10:05:00Z,purchase,a1,,,19.90',
        'e4,2026-01-01T10:06:00Z,page_view',
      ].join('\n') + '\n';
      const blob = new Blob([csv], { type: 'text/csv' });
      const report = await client.call('open_file', { file: { kind: 'blob', name: 'bad.csv', blob } }).result;
      const rejects = await client.call('query', { sql: 'SELECT file, row_number, line, reason, detail, raw FROM rejects ORDER BY row_number' }).result;
      return { report, rejects };
    });
    // read by duckdb-wasm's read_csv from the File (registered for the import), not the TypeScript reader
    assert.equal(got.report.reader, 'engine');
    assert.equal(got.report.rowsRead, 4);
    assert.equal(got.report.rowsLoaded, 2);
    assert.deepEqual(got.report.rejectsByReason, { invalid_timestamp: 1, ragged_row: 1 });
    assert.equal(got.rejects.length, 2);
    const [r, ragged] = got.rejects;
    assert.deepEqual([Number(ragged.row_number), Number(ragged.line), ragged.reason, ragged.raw], [4, 5, 'ragged_row', 'e4,2026-01-01T10:06:00Z,page_view']);
    assert.match(String(ragged.detail), /3 fields, header has 7/);
    assert.equal(r.file, 'bad.csv');
    assert.equal(Number(r.row_number), 2);
    assert.equal(Number(r.line), 3);
    assert.equal(r.reason, 'invalid_timestamp');
    assert.match(String(r.detail), /not-a-date/);
    assert.equal(r.raw, 'e2,not-a-date,page_view,a1,,,');
    app.assertClean();
  });

  it('rejects a path (web mode opens Files only) with a plain error', async () => {
    const err = await app.page.evaluate(async () => {
      try {
        await globalThis.__smoke!.client.call('open_file', { file: { kind: 'path', path: '/etc/passwd' } }).result;
        return 'opened';
      } catch (e) {
        return (e as { code?: string }).code + ': ' + (e as Error).message;
      }
    });
    assert.match(err, /^file_unreadable: web mode opens files/);
  });

  it('keeps the CSP in the page and in the engine worker (no eval), with the security headers', async () => {
    // Code that Playwright evaluates may itself eval (DevTools is exempt), so the
    // probe runs in a later task of the page's (and the worker's) own.
    const probe = () =>
      new Promise<string>((resolve) =>
        setTimeout(() => {
          try {
            resolve(String(new Function('return "eval ran"')()));
          } catch (e) {
            resolve((e as Error).name);
          }
        }, 0),
      );
    assert.equal(await app.page.evaluate(probe), 'EvalError', 'page');
    const workers = app.page.workers();
    assert.ok(workers.some((w) => w.url().includes('/engine.worker-')), `engine worker among ${workers.map((w) => w.url()).join(', ')}`);
    assert.ok(workers.some((w) => w.url().includes('/duckdb-browser-eh.worker-')), 'DuckDB\'s nested worker');
    for (const w of workers) assert.equal(await w.evaluate(probe), 'EvalError', w.url());
    // The refused evals are logged as errors: expected here, nothing else may be.
    const unexpected = app.consoleErrors.filter((m) => !/unsafe-eval/.test(m));
    app.consoleErrors.length = 0;
    assert.deepEqual(unexpected, []);

    const res = await fetch(app.url);
    assert.match(res.headers.get('content-security-policy') ?? '', /script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:/);
    assert.equal(res.headers.get('cross-origin-opener-policy'), 'same-origin');
    assert.equal(res.headers.get('cross-origin-embedder-policy'), 'require-corp');
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const wasm = app.served.find((p) => p.includes('/duckdb-eh-'))!;
    const head = await fetch(new URL(wasm, app.url), { method: 'HEAD' });
    assert.equal(head.headers.get('content-type'), 'application/wasm');
    assert.equal(await app.page.evaluate(() => crossOriginIsolated), true);
  });

  it('browser host: the file picker hands Files to the engine', async () => {
    // A picker needs a user gesture: a button the test clicks.
    await app.page.evaluate(() => {
      const b = document.createElement('button');
      b.id = 'e2e-pick';
      b.textContent = 'pick';
      b.addEventListener('click', () => {
        const s = globalThis.__smoke!;
        (globalThis as { e2ePick?: Promise<unknown> }).e2ePick = s.host.pickDataFiles().then(async (files) => ({
          files: files.map((f) => ({ name: f.name, size: f.size, kind: f.ref.kind })),
          report: files.length ? await s.client.call('open_file', { file: files[0].ref }).result : null,
        }));
      });
      document.body.append(b);
    });
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.click('#e2e-pick')]);
    assert.equal(chooser.isMultiple(), true);
    await chooser.setFiles(fileURLToPath(new URL('../../samples/tiny.csv', import.meta.url)));
    const got = (await app.page.evaluate(() => (globalThis as { e2ePick?: Promise<unknown> }).e2ePick)) as {
      files: { name: string; size: number; kind: string }[];
      report: { rowsRead: number; conversions: number } | null;
    };
    assert.deepEqual(got.files.map((f) => [f.name, f.kind]), [['tiny.csv', 'blob']]);
    assert.equal(got.report?.rowsRead, 1000);
    assert.equal(got.report?.conversions, 9);
    await app.page.evaluate(() => document.getElementById('e2e-pick')?.remove());
  });

  it('browser host: dropped files, recovery copy in IndexedDB, download fallback for exports', async () => {
    const got = await app.page.evaluate(async () => {
      const host = globalThis.__smoke!.host;
      const dt = new DataTransfer();
      dt.items.add(new File(['a,b\n1,2\n'], 'dropped.csv', { type: 'text/csv' }));
      const dropped = host.droppedFiles(new DragEvent('drop', { dataTransfer: dt }));
      await host.writeRecovery('# notebook\n');
      const recovered = await host.readRecovery();
      await host.clearRecovery();
      const cleared = await host.readRecovery();
      return { dropped: dropped.map((f) => [f.name, f.size, f.ref.kind]), recovered, cleared, recent: await host.recentNotebooks(), menu: typeof host.onMenuCommand(() => {}) };
    });
    assert.deepEqual(got.dropped, [['dropped.csv', 8, 'blob']]);
    assert.equal(got.recovered, '# notebook\n');
    assert.equal(got.cleared, null);
    assert.deepEqual(got.recent, []);
    assert.equal(got.menu, 'function');
    // Without the File System Access API an export is a download.
    const [download, saved] = await Promise.all([
      app.page.waitForEvent('download'),
      app.page.evaluate(() => {
        (window as { showSaveFilePicker?: unknown }).showSaveFilePicker = undefined;
        return globalThis.__smoke!.host.exportFile('summary.csv', new Blob(['model,channel\n'], { type: 'text/csv' }));
      }),
    ]);
    assert.equal(saved, true);
    assert.equal(download.suggestedFilename(), 'summary.csv');
    const { readFileSync } = await import('node:fs');
    assert.equal(readFileSync(await download.path(), 'utf8'), 'model,channel\n');
  });

  it('the harness catches a request to another origin', async () => {
    const before = app.foreign.length;
    const page = await app.context.newPage();
    await page.goto('http://foreign.example/').catch(() => {});
    await page.close();
    assert.ok(app.foreign.length > before, 'recorded');
    assert.throws(() => app.assertClean(), /request outside the page's origin: .*foreign\.example/);
    app.foreign.length = before;
  });

  // Last: it stops the page's engine.
  it('a stopped engine fails the calls still waiting, and later ones, instead of hanging', async () => {
    const got = await app.page.evaluate(async () => {
      const { client, host } = globalThis.__smoke!;
      const slow = client.call('query', { sql: 'SELECT count(*) AS n FROM range(3000000000)' }).result.then(
        () => 'answered',
        (e: Error) => e.message,
      );
      await new Promise((r) => setTimeout(r, 200));
      host.restartEngine();
      const later = await client.call('query', { sql: 'SELECT 1' }).result.then(
        () => 'answered',
        (e: Error) => e.message,
      );
      return { slow: await slow, later };
    });
    assert.deepEqual(got, { slow: 'the engine was stopped', later: 'the engine was stopped' });
  });
});
