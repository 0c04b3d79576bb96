/**
 * No network, web mode (design/trust.md 4.3, N1 and N2), in one fresh
 * Chromium profile: the whole workbench is used the way a user would
 * (import a CSV, a Snowplow CSV, Parquet, NDJSON and a bad file; every
 * notebook template with all its model cells and charts; save; export CSV,
 * Parquet, PNG, SVG and HTML; reopen the saved notebook; a query naming an
 * https URL) and afterwards:
 *  - N1: the harness (Playwright routing + the trap proxy every non-loopback
 *    address must go through + --host-resolver-rules="MAP * ~NOTFOUND")
 *    recorded no request outside the page's origin, and every request URL
 *    Playwright saw is on the origin (or data:/blob:);
 *  - N2: Chromium's own NetLog (--log-net-log) names no non-loopback host in
 *    any URL request, host resolution or socket event. Chromium's background
 *    services, pointed at the loopback discard port by the harness flags, are
 *    listed in the diagnostics rather than hidden.
 * Also: a query naming an https URL fails (duckdb-wasm's HTTP file system
 * tries an XHR from its worker: the CSP refuses it inside Chromium, N6; the
 * test shows the attempt rather than hiding it); DuckDB's extension
 * autoloading is off in the page's engine; and every editable element has
 * spellcheck off (no dictionary download, no text sent to a spelling service).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Download, Page, Request } from 'playwright-core';
import { openApp, skipReason, type App } from './harness.ts';
import { chartsSettled, command, openTemplate, query, settled, withFallbackPickers } from './page.ts';
import { TEMPLATES } from '../../common/notebook/templates.ts';
import { parseNotebook } from '../../common/notebook/format.ts';
import { parseCsvText } from '../helpers.ts';
import { IPV6_PROBE, readNetLog } from './netlog.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const ARTIFACTS = `${repo}test/artifacts`;
type Workbench = { command(id: string): void; select(id: string): void };

/** Runs a command and resolves with the download it starts. */
async function download(page: Page, id: string): Promise<Download> {
  const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), command(page, id)]);
  return dl;
}

/** Selects a cell (exports act on the selected one). */
const select = (page: Page, id: string) => page.evaluate((c) => (globalThis as unknown as { __workbench: Workbench }).__workbench.select(c), id);

/** Picks `file` for the first data cell, through its button and the file chooser; resolves with what the cell then says. */
async function importFile(page: Page, file: string | { name: string; mimeType: string; buffer: Buffer }): Promise<string> {
  const run = Number((await page.locator('[data-kind=data]').first().getAttribute('data-run-id')) ?? 0);
  const [chooser] = await Promise.all([page.waitForEvent('filechooser'), page.locator('[data-kind=data] button', { hasText: /Choose (another|a) file/ }).first().click()]);
  await chooser.setFiles(file);
  // the data cell runs again (a later run id) and ends done or in error; then everything downstream settles
  await page.waitForFunction((r) => {
    const cell = document.querySelector('[data-kind=data]');
    return !!cell && Number(cell.getAttribute('data-run-id') ?? 0) > r && !!cell.querySelector('.status.done, .status.error') && !document.querySelector('.status.running, .status.queued');
  }, run, { timeout: 120_000 });
  const cell = page.locator('[data-kind=data]').first();
  // (every cell has an error box, hidden unless the cell failed)
  const error = (await cell.locator('.error-box:visible').allTextContents()).join(' ').trim();
  if (error) return error;
  return (await cell.locator('.kv').first().textContent()) ?? '';
}

describe('no network in web mode (N1, N2)', { skip: skipReason }, () => {
  let app: App;
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-e2e-privacy-'));
  const netlog = path.join(dir, 'netlog.json');
  const done: string[] = [];
  before(async () => {
    app = await openApp('', { args: [`--log-net-log=${netlog}`, '--net-log-capture-mode=Everything'] });
    await withFallbackPickers(app.page);
    await settled(app.page, 7);
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('the full scenario: imports, every template, charts, save, exports, reopen', { timeout: 900_000 }, async (t) => {
    const { page } = app;
    // 1. imports: CSV, a Snowplow export, Parquet, NDJSON and a file that fails
    const tiny = readFileSync(`${repo}samples/tiny.csv`, 'utf8');
    const [head, ...rows] = parseCsvText(tiny).filter((r) => r.length > 1);
    const ndjson = rows.map((r) => JSON.stringify(Object.fromEntries(head.map((h, i) => [h, r[i] === '' ? null : r[i]])))).join('\n') + '\n';
    const imports: [string, string | { name: string; mimeType: string; buffer: Buffer }][] = [
      ['CSV', `${repo}samples/tiny.csv`],
      ['Snowplow CSV', `${repo}test/fixtures/datasets/snowplow_web_events/snowplow_web_events.csv`],
      ['Parquet', `${repo}samples/tiny.parquet`],
      ['NDJSON', { name: 'tiny.ndjson', mimeType: 'application/x-ndjson', buffer: Buffer.from(ndjson) }],
      ['bad CSV', `${repo}test/fixtures/badinputs/header_only_2.csv`],
    ];
    // what is the user's here, for the check that no browser request carries it: the file names, the
    // first ids and event ids of the data, the shop's host
    app.userMarks.push('tiny.csv', 'snowplow_web_events', 'tiny.parquet', 'tiny.ndjson', 'header_only_2', 'sample.parquet', 'saved.attrib.md', 'shop.example.com');
    app.userMarks.push(...rows.slice(0, 50).flatMap((r) => [r[head.indexOf('event_id')], r[head.indexOf('anon_id')], r[head.indexOf('user_id')]]).filter((x) => x && x.length >= 6));
    for (const [kind, file] of imports) {
      const status = await importFile(page, file);
      t.diagnostic(`import ${kind}: ${status.trim().slice(0, 100)}`);
      if (kind === 'bad CSV') assert.match(status, /header_only_2\.csv/);
      else assert.match(status, /[\d,]+ read · [\d,]+ loaded/, `${kind} loaded`);
      done.push(`import ${kind}`);
    }
    await app.screenshot('privacy-network-imports');

    // 2. every template: all its model cells, SQL and charts run
    for (const template of TEMPLATES) {
      const cells = parseNotebook(template.text, `${template.id}.attrib.md`).notebook.cells;
      // the notebook with the picked files is edited: the page asks first, and the test discards
      await openTemplate(page, template.title);
      await page.waitForFunction((ids) => (ids as string[]).every((id) => document.querySelector(`.cell[data-cell-id="${id}"] .status.done, .cell[data-cell-id="${id}"] .status.error`)),
        cells.filter((c) => ['data', 'model', 'sql', 'chart'].includes(c.kind)).map((c) => c.id), { timeout: 300_000 });
      await chartsSettled(page, 60_000);
      const errors = (await page.locator('.error-box:visible').allTextContents()).filter((x) => x.trim());
      assert.deepEqual(errors, [], `${template.title}: no cell failed`);
      const marks = await page.locator('[data-kind=chart] svg g.role-mark > *').count();
      const models = cells.filter((c) => c.kind === 'model').length;
      assert.ok(marks > 0, `${template.title}: charts drawn`);
      t.diagnostic(`template ${template.title}: ${cells.length} cells, ${models} model cells, ${marks} chart marks`);
      done.push(`template ${template.id}`);
    }

    // 3. save, then every export of the last template's results and charts
    const saved = readFileSync((await (await download(page, 'notebook.save')).path())!, 'utf8');
    assert.match(saved, /^---\nformat: attribution-notebook\/1/);
    const sqlId = (await page.locator('[data-kind=sql]').first().getAttribute('data-cell-id'))!;
    const chartId = (await page.locator('[data-kind=chart]').first().getAttribute('data-cell-id'))!;
    await select(page, sqlId);
    for (const e of ['export.csv', 'export.parquet']) assert.ok((await (await download(page, e)).path()), e);
    await select(page, chartId);
    for (const e of ['export.png', 'export.svg']) assert.ok((await (await download(page, e)).path()), e);
    const html = readFileSync((await (await download(page, 'export.html')).path())!, 'utf8');
    assert.doesNotMatch(html, /<script|src="https?:|href="https?:/i, 'the report refers to nothing outside itself');
    done.push('save', 'exports');

    // 4. reopen the saved notebook; its data cell asks for the file again (web mode), which is given
    const [chooser] = await Promise.all([page.waitForEvent('filechooser'), command(page, 'notebook.open')]);
    await chooser.setFiles({ name: 'saved.attrib.md', mimeType: 'text/markdown', buffer: Buffer.from(saved) });
    const title = parseNotebook(saved, 'saved.attrib.md').notebook.title;
    await page.waitForFunction((x) => (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === x, title, { timeout: 30_000 });
    const states = () => page.locator('.cell').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-cell-id')} ${e.querySelector('.status')?.className} ${(e.querySelector('.error-box')?.textContent ?? '').slice(0, 80)}`).join('; '));
    await page.waitForFunction(() => !document.querySelector('.status.running, .status.queued'), null, { timeout: 60_000 }).catch(async (e) => {
      await app.screenshot('privacy-network-reopen');
      throw new Error(`${(e as Error).message}: ${await states()}`);
    });
    const reopened = await importFile(page, `${repo}samples/sample.parquet`).catch(async (e) => {
      await app.screenshot('privacy-network-reopen');
      throw new Error(`${(e as Error).message}: ${await states()}`);
    });
    assert.match(reopened, /[\d,]+ read · [\d,]+ loaded/, 'the reopened notebook runs on the file given again');
    done.push('reopen');

    // N1: nothing left the page's origin
    const origin = new URL(app.url).origin;
    assert.deepEqual(app.foreign, [], 'no request outside the origin (routing and trap proxy)');
    assert.deepEqual(app.browserCarrying(), [], "the browser's own requests carried nothing of the user's");
    t.diagnostic(app.browserSummary());
    const off = app.requests.filter((u) => !(u.startsWith(`${origin}/`) || u.startsWith('data:') || u.startsWith('blob:')));
    assert.deepEqual(off, [], 'every request URL is on the page origin');
    const paths = [...new Set(app.requests.filter((u) => u.startsWith(origin)).map((u) => new URL(u).pathname.replace(/-[\w-]{8}\.(js|wasm|css)$/, '-*.$1')))].sort();
    t.diagnostic(`${app.requests.length} requests, ${paths.length} distinct paths, all on ${origin}: ${paths.join(' ')}`);
    t.diagnostic(`the static server answered ${app.served.length} requests (nested workers included)`);
    // 5. a query naming a URL: the engine's DuckDB has external access off and its configuration
    // locked (docs/sql-safety.md), so it refuses before any request; the worker's CSP (connect-src
    // 'self', N6) would be the second line. Failed requests are recorded too: there must be none.
    const before = app.foreign.length;
    const failed: string[] = [];
    const onFailed = (r: Request) => failed.push(`${r.url()} ${r.failure()?.errorText}`);
    app.context.on('requestfailed', onFailed);
    await assert.rejects(query(page, "SELECT * FROM read_csv('https://example.com/x.csv')"), /disabled|Permission|external access/i);
    await page.waitForTimeout(300);
    app.context.off('requestfailed', onFailed);
    const attempted = app.foreign.splice(before);
    assert.deepEqual(attempted, [], 'the engine attempted no request');
    assert.deepEqual(failed, [], 'not even one the CSP had to refuse');
    const [s] = await query(page, "SELECT current_setting('autoinstall_known_extensions') AS i, current_setting('autoload_known_extensions') AS l");
    assert.deepEqual([String(s.i), String(s.l)], ['false', 'false'], "the page's DuckDB never installs or loads extensions");
    await app.screenshot('privacy-network-end');
    assert.deepEqual(app.consoleErrors, [], 'no console errors');
    assert.deepEqual(app.pageErrors, []);
  });

  it('every editable element has spellcheck off', async () => {
    const { page } = app;
    // a markdown cell open for editing and a SQL cell's monaco among them
    await command(page, 'cell.addMarkdown');
    await page.locator('[data-kind=markdown]').last().dblclick().catch(() => {});
    await command(page, 'cell.addSql');
    await page.locator('.monaco-editor textarea').first().waitFor({ state: 'attached', timeout: 30_000 });
    const editable = await page.evaluate(() => Array.from(document.querySelectorAll('input:not([type=range]):not([type=checkbox]):not([type=file]), textarea, [contenteditable]:not([contenteditable=false])')).map((e) => ({ what: `${e.tagName.toLowerCase()}.${(e as HTMLElement).className || ''}[${e.getAttribute('aria-label') ?? ''}]`, spellcheck: (e as HTMLElement).spellcheck })));
    assert.ok(editable.some((e) => e.what.startsWith('textarea') && e.what.includes('inputarea')) || editable.some((e) => e.what.startsWith('textarea')), `monaco's textarea among ${editable.map((e) => e.what).join(', ')}`);
    assert.ok(editable.length >= 3, `${editable.length} editable elements`);
    assert.deepEqual(editable.filter((e) => e.spellcheck), [], 'spellcheck is off on each');
    assert.equal(await page.evaluate(() => document.documentElement.spellcheck), false);
  });

  it('N2: the NetLog names no host but loopback on the app\'s behalf (Chromium closed, log complete)', async (t) => {
    const origin = new URL(app.url).origin;
    const browserSide = app.browserSummary();
    await app.close();
    assert.ok(existsSync(netlog), 'Chromium wrote the NetLog');
    const text = readFileSync(netlog, 'utf8');
    // kept for reading (test/artifacts is not committed)
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'privacy-netlog.json'), text);
    const log = readNetLog(text, origin);
    assert.ok(log.events > 100, `events logged: ${log.events}`);
    // Chromium's IPv6 reachability probe (net/dns: before it asks for AAAA records it connect()s a UDP
    // socket to Google Public DNS to see whether the kernel has a route; no datagram is sent). It is not
    // a request: allowed only on a UDP socket that sends nothing.
    assert.deepEqual(log.ipv6Probe.sends, [], 'the IPv6 probe sockets send nothing');
    for (const [target, types] of log.targets) t.diagnostic(`netlog target ${target}: ${[...types].slice(0, 4).join(', ')}`);
    t.diagnostic(`Chromium's IPv6 reachability probe: ${log.ipv6Probe.sockets} UDP sockets connect()ed to ${IPV6_PROBE}, 0 bytes sent`);
    // The browser process's own requests: no page or worker initiated them (NetLog initiator "not an
    // origin"; each names its feature by traffic annotation). The harness sends them to its loopback sink,
    // which read each one whole: none carried a user mark (assertClean in the first test).
    t.diagnostic(`the browser's own URL requests (initiator "not an origin": no page or worker asked; the harness's loopback sink): ${log.browserRequests.join('; ') || 'none'}`);
    t.diagnostic(`the browser's own non-loopback hosts (Chromium service hosts only its own requests named): ${log.browserHosts.join('; ') || 'none'}`);
    t.diagnostic(browserSide);
    assert.deepEqual(log.app, [], 'no URL request, resolution or socket to a non-loopback host on the app\'s behalf');
    assert.ok(done.length >= 10, `the scenario ran: ${done.join(', ')}`);
  });
});

