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
import { command, query, settled, withFallbackPickers } from './page.ts';
import { TEMPLATES } from '../../common/notebook/templates.ts';
import { parseNotebook } from '../../common/notebook/format.ts';
import { parseCsvText } from '../helpers.ts';

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

/** Hosts (host or host:port) of every URL, host and address string in a NetLog event's params. */
function netlogTargets(params: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]+)/i.exec(v);
      if (url) out.push(url[1].replace(/^[^@]*@/, ''));
      // group ids read like "pm/127.0.0.1:4321 <http: …>" or "127.0.0.1 same_site": the first word is the host
      else if (/^(host|address|host_and_port|group_id|remote_address|proxy_server)$/.test(key)) out.push(v.replace(/^(ssl\/|pm\/|https?:\/\/)/, '').split(/\s+/)[0]);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(params, '');
  return out.filter(Boolean);
}

/** Whether a NetLog target (host, host:port, [v6]:port, or a proxy list) is the loopback interface. */
const loopback = (t: string) => t.split(/[;,\s]+/).filter(Boolean).every((x) => /^(127\.\d+\.\d+\.\d+|\[?::1\]?|localhost)(:\d+)?$/i.test(x.replace(/^(PROXY|DIRECT|HTTPS?)\s*/i, '')) || /^DIRECT$/i.test(x));

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
      await command(page, 'notebook.newFromTemplate');
      await page.locator('.overlay button', { hasText: template.title }).click();
      await page.waitForFunction((title) => (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === title, template.title, { timeout: 30_000 });
      await page.waitForFunction((ids) => (ids as string[]).every((id) => document.querySelector(`.cell[data-cell-id="${id}"] .status.done, .cell[data-cell-id="${id}"] .status.error`)),
        cells.filter((c) => ['data', 'model', 'sql', 'chart'].includes(c.kind)).map((c) => c.id), { timeout: 300_000 });
      await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-kind=chart] [data-testid=chart]')).every((el) => el.querySelector('svg g.role-mark, .error-box, .empty')), null, { timeout: 60_000 });
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

  it('N2: the NetLog names no host but loopback (Chromium closed, log complete)', async (t) => {
    await app.close();
    assert.ok(existsSync(netlog), 'Chromium wrote the NetLog');
    let text = readFileSync(netlog, 'utf8').trim();
    // kept for reading (test/artifacts is not committed)
    mkdirSync(ARTIFACTS, { recursive: true });
    writeFileSync(path.join(ARTIFACTS, 'privacy-netlog.json'), text);
    // a log cut short (a browser that did not exit cleanly) lacks the closing brackets
    if (!text.endsWith('}')) text = text.replace(/,?\s*$/, '') + ']}';
    const log = JSON.parse(text) as {
      constants: { logEventTypes: Record<string, number>; logSourceType: Record<string, number> };
      events: { type: number; source: { id: number; type: number }; params?: unknown }[];
    };
    const names = new Map(Object.entries(log.constants.logEventTypes).map(([k, v]) => [v, k]));
    const sources = new Map(Object.entries(log.constants.logSourceType).map(([k, v]) => [v, k]));
    assert.ok(log.events.length > 100, `events logged: ${log.events.length}`);
    // Chromium's IPv6 reachability probe (net/dns: before it asks for AAAA records it connect()s a UDP
    // socket to Google Public DNS, 2001:4860:4860::8888, to see whether the kernel has a route; no
    // datagram is sent). It is not a request: allowed only on a UDP socket that sends nothing.
    const IPV6_PROBE = '[2001:4860:4860::8888]:443';
    const udpProbes = new Set(log.events.filter((e) => sources.get(e.source.type)?.startsWith('UDP') && netlogTargets(e.params).includes(IPV6_PROBE)).map((e) => e.source.id));
    const probeSends = log.events.filter((e) => udpProbes.has(e.source.id) && /BYTES_SENT|SEND/.test(names.get(e.type) ?? ''));
    assert.deepEqual(probeSends.map((e) => names.get(e.type)), [], 'the IPv6 probe sockets send nothing');
    const byType = new Map<string, Set<string>>();
    for (const e of log.events) {
      const type = names.get(e.type) ?? String(e.type);
      if (!/URL_REQUEST|SOCKET|TCP_CONNECT|UDP|HOST_RESOLVER|CONNECT_JOB|HTTP_STREAM|PROXY|QUIC|DNS|WEBSOCKET/.test(type)) continue;
      if (udpProbes.has(e.source.id)) continue;
      for (const target of netlogTargets(e.params)) {
        if (!byType.has(target)) byType.set(target, new Set());
        byType.get(target)!.add(type);
      }
    }
    const foreign = [...byType].filter(([target]) => !loopback(target) && !/^(data|blob|chrome|about|devtools|chrome-extension):/.test(target));
    for (const [target, types] of byType) t.diagnostic(`netlog target ${target}: ${[...types].slice(0, 4).join(', ')}`);
    t.diagnostic(`Chromium's IPv6 reachability probe: ${udpProbes.size} UDP sockets connect()ed to ${IPV6_PROBE}, 0 bytes sent`);
    // Chromium's own services (sign-in, push, autofill) the harness points at 127.0.0.1:9: listed, not hidden
    const discard = new Set(log.events.flatMap((e) => {
      const url = (e.params as { url?: unknown } | undefined)?.url;
      return typeof url === 'string' && url.startsWith('http://127.0.0.1:9/') ? [url.replace(/\?.*$/, '').replace(/\/ListAccounts$/, '/ListAccounts (Google sign-in)').replace(/\/checkin$/, '/checkin (GCM push)').replace(/\/v1\/pages\/.*/, '/v1/pages/… (autofill form queries)')] : [];
    }));
    t.diagnostic(`Chromium's own background requests, sent to the loopback discard port by the harness flags: ${[...discard].join(', ') || 'none'}`);
    assert.deepEqual(foreign.map(([x, types]) => `${x} (${[...types].join(', ')})`), [], 'no URL request, resolution or socket to a non-loopback host');
    assert.ok(done.length >= 10, `the scenario ran: ${done.join(', ')}`);
  });
});

