/**
 * Exports end to end, in web mode on Chromium, on the demo notebook: a SQL
 * cell's result as Parquet (read back with native DuckDB, it must equal the
 * engine's rows and types), and a chart as PNG and as SVG (a real image of
 * plausible size; an SVG that parses, holds one mark per bar the page shows
 * and refers to nothing outside itself). Downloads are captured: the File
 * System Access pickers are removed so the app falls back to downloads.
 * The HTML report is opened in a second page and read as a reader would:
 * Markdown rendered, parameters as values, numbers as the grid shows them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Download, Page } from 'playwright-core';
import { openApp, SCREENSHOTS, skipReason, type App } from './harness.ts';
import { chartsSettled, command, settled, withFallbackPickers } from './page.ts';
import { sqlString } from '../../common/db.ts';
import { openToolDatabase } from '../helpers.ts';

type Workbench = {
  command(id: string): void;
  select(id: string): void;
  session: { client: { call(t: string, a: unknown): { result: Promise<unknown> } } };
};

/** A protocol request through the page's own engine session (what the cells see). */
function engineCall<T>(page: Page, type: string, args: unknown): Promise<T> {
  return page.evaluate(async ([t, a]) => {
    const w = (globalThis as unknown as { __workbench: Workbench }).__workbench;
    const out = await w.session.client.call(t as string, a).result;
    return JSON.parse(JSON.stringify(out, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  }, [type, args] as const) as Promise<T>;
}

/** Selects the cell and runs a command; resolves with the download it starts. */
async function exportDownload(page: Page, cellId: string, commandId: string): Promise<Download> {
  await page.evaluate((c) => (globalThis as unknown as { __workbench: Workbench }).__workbench.select(c), cellId);
  const [dl] = await Promise.all([
    page.waitForEvent('download', { timeout: 60_000 }),
    page.evaluate((id) => (globalThis as unknown as { __workbench: Workbench }).__workbench.command(id), commandId),
  ]);
  return dl;
}

const bytesOf = async (dl: Download) => readFileSync((await dl.path())!);

/** Decodes a PNG in the page (a real decoder): its size and the RGBA of the pixel at (x, y). */
function decodePng(page: Page, png: Buffer, x = 1, y = 1): Promise<{ width: number; height: number; pixel: number[] }> {
  return page.evaluate(async ([b64, px, py]) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = img.naturalWidth;
    canvas.height = img.naturalHeight;
    const ctx = canvas.getContext('2d')!;
    ctx.drawImage(img, 0, 0);
    return { width: img.naturalWidth, height: img.naturalHeight, pixel: Array.from(ctx.getImageData(px as number, py as number, 1, 1).data) };
  }, [png.toString('base64'), x, y] as const);
}

/** The colour charts sit on in the page now (the cell panel), as [r, g, b]. */
async function panelColour(page: Page): Promise<number[]> {
  const hex = await page.evaluate(() => getComputedStyle(document.documentElement).getPropertyValue('--panel').trim());
  assert.match(hex, /^#[0-9a-f]{6}$/i);
  return [1, 3, 5].map((i) => parseInt(hex.slice(i, i + 2), 16));
}

describe('exports in web mode', { skip: skipReason }, () => {
  let app: App;
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-e2e-exports-'));
  before(async () => {
    app = await openApp();
    await withFallbackPickers(app.page);
    await settled(app.page, 7);
  });
  after(async () => {
    await app?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("exports the first SQL cell's result as Parquet: native DuckDB reads the engine's rows and types", async () => {
    const { page } = app;
    const cell = page.locator('[data-kind=sql]').first();
    const id = (await cell.getAttribute('data-cell-id'))!;
    const name = await cell.locator('.cell-name').inputValue();
    const dl = await exportDownload(page, id, 'export.parquet');
    assert.equal(dl.suggestedFilename(), `${name}.parquet`);
    const file = path.join(dir, 'export.parquet');
    writeFileSync(file, await bytesOf(dl));
    const engineRows = await engineCall<Record<string, unknown>[]>(page, 'query', { sql: `SELECT * FROM "${name}"`, params: [] });
    const engineCols = await engineCall<{ name: string; type: string }[]>(page, 'describe', { table: name });
    assert.ok(engineRows.length > 10, `the demo's result has rows: ${engineRows.length}`);
    // a plain DuckDB reads the file: the engines may not read paths from SQL (docs/sql-safety.md)
    const db = await openToolDatabase();
    try {
      const cols = await db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE SELECT * FROM read_parquet(${sqlString(file)}))`);
      assert.deepEqual(cols, engineCols, 'same columns, same types');
      const rows = await db.all(`SELECT * FROM read_parquet(${sqlString(file)})`);
      assert.deepEqual(rows, engineRows, 'same rows, in the same order');
    } finally {
      await db.close();
    }
    await page.locator('.toast', { hasText: `${name}.parquet` }).waitFor({ timeout: 10_000 });
    app.assertClean();
  });

  it('exports the HTML report: Markdown rendered, parameters as the values used, numbers as the grid shows them, right-aligned', async () => {
    const { page } = app;
    await chartsSettled(page);
    // what the app shows: each SQL cell's first grid row (text, and whether the grid aligns it as a number)
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-kind=sql]')).every((c) => {
      const cells = Array.from(c.querySelectorAll('.grid-row[aria-rowindex="1"] .grid-cell:not(.grid-rownum)'));
      return cells.length > 0 && cells.every((d) => d.textContent !== '…');
    }), null, { timeout: 30_000 });
    const grids = await page.evaluate(() => Object.fromEntries(Array.from(document.querySelectorAll('[data-kind=sql]')).map((c) => {
      const cells = Array.from(c.querySelectorAll('.grid-row[aria-rowindex="1"] .grid-cell:not(.grid-rownum)'));
      return [(c.querySelector('.cell-name') as HTMLInputElement).value, { text: cells.map((d) => d.textContent), num: cells.map((d) => d.classList.contains('num')) }];
    })));
    assert.ok(Object.keys(grids).length >= 2, `the demo has SQL cells: ${Object.keys(grids).join(', ')}`);
    const used = await page.evaluate(() => {
      const w = (globalThis as unknown as { __workbench: { paramValue(n: string): unknown } }).__workbench;
      return { lookback: w.paramValue('lookback_days'), halfLife: w.paramValue('half_life_days') };
    });
    const summary = await engineCall<Record<string, unknown>[]>(page, 'query', { sql: 'SELECT c.* FROM channel_summary c JOIN model_order o ON o.model = c.model ORDER BY o.k, c.channel, c.conversion_kind LIMIT 1', params: [] });

    const [dl] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), command(page, 'export.html')]);
    assert.match(dl.suggestedFilename(), /^[\w.-]+\.html$/);
    const html = (await bytesOf(dl)).toString('utf8');
    if (process.env.AW_KEEP_EXPORTS) writeFileSync(path.join(process.env.AW_KEEP_EXPORTS, 'report.html'), html);
    assert.match(html, /<meta http-equiv="Content-Security-Policy" content="default-src 'none';/);
    assert.doesNotMatch(html, /<script/i);

    const report = await app.context.newPage();
    try {
      await report.setViewportSize({ width: 1100, height: 900 });
      await report.setContent(html);
      const got = await report.evaluate(() => ({
        h2: Array.from(document.querySelectorAll('section.md h2')).map((e) => e.textContent),
        strong: Array.from(document.querySelectorAll('section.md strong')).map((e) => e.textContent),
        items: document.querySelectorAll('section.md li').length,
        literal: document.body.innerText.split('\n').filter((l) => l.includes('**') || /^#{1,6} /.test(l)),
        params: document.querySelector('section.model p.params')?.textContent ?? '',
        modelText: document.querySelector('section.model')?.textContent ?? '',
        dataText: document.querySelector('section.data')?.textContent ?? '',
        charts: document.querySelectorAll('section.chart svg').length,
        notebookParams: Array.from(document.querySelectorAll('section.params dt')).map((dt) => [dt.textContent, dt.nextElementSibling?.textContent]),
        sql: Object.fromEntries(Array.from(document.querySelectorAll('section.sql')).map((s) => [s.querySelector('h3')?.textContent ?? '', {
          text: Array.from(s.querySelectorAll('tbody tr:first-child td')).map((td) => td.textContent),
          align: Array.from(s.querySelectorAll('tbody tr:first-child td')).map((td) => getComputedStyle(td).textAlign),
          headAlign: Array.from(s.querySelectorAll('thead th')).map((th) => getComputedStyle(th).textAlign),
        }])),
        model: {
          head: Array.from(document.querySelectorAll('section.model thead th')).map((th) => [th.textContent, getComputedStyle(th).textAlign]),
          first: Array.from(document.querySelectorAll('section.model tbody tr:first-child td')).map((td) => [td.textContent, getComputedStyle(td).textAlign]),
        },
      }));
      // Markdown rendered, not printed
      assert.ok(got.h2.includes('Attribution overview'), `the heading is an h2: ${got.h2.join(' | ')}`);
      assert.ok(got.strong.includes('Data') && got.items >= 3, `bold and list items rendered: ${got.strong.join(', ')}; ${got.items} items`);
      assert.deepEqual(got.literal, [], 'no literal ** or # in the text');
      // parameters as the values the run used, labelled from the model headers
      assert.equal(got.params, `Lookback: ${used.lookback} days, Half life: ${used.halfLife} days`);
      assert.doesNotMatch(got.modelText, /\$|\{/, 'no "$name" reference, no JSON');
      assert.deepEqual(got.notebookParams.slice(0, 2), [['Lookback window', `${used.lookback} days`], ['Time-decay half-life', `${used.halfLife} days`]], 'the parameter cells as labels and values');
      assert.doesNotMatch(got.dataText, /\{/, 'rejects in words, not JSON');
      assert.match(got.dataText, /[\d,]+ read · [\d,]+ loaded/);
      assert.ok(got.charts >= 2, `the charts are inline SVG: ${got.charts}`);
      // each SQL table's first row as the grid shows it, numbers right-aligned where the grid aligns them so
      for (const [name, grid] of Object.entries(grids)) {
        const t = got.sql[name];
        assert.ok(t, `the report has the SQL cell ${name}`);
        assert.deepEqual(t.text, grid.text, `${name}: the first row as the grid shows it`);
        const want = grid.num.map((n) => (n ? 'right' : 'left'));
        assert.deepEqual(t.align, want, `${name}: numbers right-aligned`);
        assert.deepEqual(t.headAlign, want, `${name}: their headers too`);
        assert.ok(grid.num.some(Boolean), `${name} has a numeric column`);
      }
      // the model's channel summary: credits and revenue with two decimals, right-aligned
      const cols = got.model.head.map(([n]) => n);
      assert.deepEqual(cols, Object.keys(summary[0]), 'the channel summary\'s columns');
      const fixed2 = (v: unknown) => Number(v).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
      for (const c of ['attributed_conversions', 'attributed_revenue']) {
        const i = cols.indexOf(c);
        assert.deepEqual(got.model.first[i], [fixed2(summary[0][c]), 'right'], `${c}: two decimals, right-aligned`);
        assert.equal(got.model.head[i][1], 'right');
      }
      assert.deepEqual(got.model.first[cols.indexOf('channel')], [String(summary[0].channel), 'left']);
      await report.screenshot({ path: path.join(SCREENSHOTS, 'report-html.png'), fullPage: true });
    } finally {
      await report.close();
    }
    app.assertClean();
  });

  it('a result that cannot be exported says why in a toast, in one line', async () => {
    const { page } = app;
    const cell = page.locator('[data-kind=sql]').nth(1);
    const id = (await cell.getAttribute('data-cell-id'))!;
    const name = await cell.locator('.cell-name').inputValue();
    // the result's table gone from the engine (nothing in the UI depends on it being there)
    await engineCall(page, 'query', { sql: `DROP TABLE "${name}"`, params: [] });
    await page.evaluate((c) => (globalThis as unknown as { __workbench: Workbench }).__workbench.select(c), id);
    await page.evaluate(() => (globalThis as unknown as { __workbench: Workbench }).__workbench.command('export.parquet'));
    const toast = page.locator('.toast', { hasText: 'Could not export' });
    await toast.waitFor({ timeout: 30_000 });
    const text = (await toast.textContent()) ?? '';
    assert.equal(text, `Could not export ${name}.parquet: there is no table named ${name} to export: run its cell first`);
  });

  it('exports the first chart as PNG: a PNG image of plausible size', async () => {
    const { page } = app;
    const id = (await page.locator('[data-kind=chart]').first().getAttribute('data-cell-id'))!;
    const dl = await exportDownload(page, id, 'export.png');
    assert.match(dl.suggestedFilename(), /^[\w.-]+\.png$/);
    const png = await bytesOf(dl);
    if (process.env.AW_KEEP_EXPORTS) writeFileSync(path.join(process.env.AW_KEEP_EXPORTS, 'chart.png'), png);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'the PNG signature');
    assert.equal(png.subarray(12, 16).toString('latin1'), 'IHDR', 'IHDR is the first chunk');
    const width = png.readUInt32BE(16);
    const height = png.readUInt32BE(20);
    assert.ok(width > 100 && height > 100, `a chart-sized image: ${width} x ${height}`);
    assert.ok(width < 10_000 && height < 10_000, `not absurdly large: ${width} x ${height}`);
    // the chart as the page draws it: the export is the same chart at twice the scale
    const box = await page.locator('[data-kind=chart]').first().locator('[data-testid=chart] svg').first().boundingBox();
    assert.ok(box, 'the chart is drawn on the page');
    assert.ok(Math.abs(width - 2 * box.width) <= 4 && Math.abs(height - 2 * box.height) <= 4, `twice the drawn size (${box.width} x ${box.height}): ${width} x ${height}`);
    const decoded = await decodePng(page, png);
    assert.deepEqual([decoded.width, decoded.height], [width, height], 'a browser decodes it, at the size its header says');
    assert.deepEqual(decoded.pixel, [...(await panelColour(page)), 255], 'an opaque background, the colour the chart sits on in the page');
    app.assertClean();
  });

  it('exports the first chart as SVG: well-formed, one mark per bar shown, nothing external', async () => {
    const { page } = app;
    const chart = page.locator('[data-kind=chart]').first();
    const id = (await chart.getAttribute('data-cell-id'))!;
    const dl = await exportDownload(page, id, 'export.svg');
    assert.match(dl.suggestedFilename(), /^[\w.-]+\.svg$/);
    const svg = (await bytesOf(dl)).toString('utf8');
    if (process.env.AW_KEEP_EXPORTS) writeFileSync(path.join(process.env.AW_KEEP_EXPORTS, 'chart.svg'), svg);
    const shown = await chart.locator('svg [aria-roledescription=bar]').count();
    assert.ok(shown > 10, `the page shows the bars: ${shown}`);
    // parsed as XML by the browser's own parser (an error gives a <parsererror> document)
    const parsed = await page.evaluate((text) => {
      const doc = new DOMParser().parseFromString(text, 'image/svg+xml');
      const root = doc.documentElement;
      return {
        root: root.localName,
        ns: root.namespaceURI,
        error: doc.getElementsByTagName('parsererror').length > 0,
        bars: doc.querySelectorAll('[aria-roledescription=bar]').length,
        scripts: doc.getElementsByTagName('script').length + doc.getElementsByTagName('foreignObject').length,
        hrefs: Array.from(doc.querySelectorAll('*')).flatMap((e) => Array.from(e.attributes).filter((a) => /href|src/i.test(a.name)).map((a) => a.value)),
      };
    }, svg);
    assert.equal(parsed.error, false, 'well-formed XML');
    assert.equal(parsed.root, 'svg');
    assert.equal(parsed.ns, 'http://www.w3.org/2000/svg');
    assert.equal(parsed.bars, shown, 'one mark per bar on the page');
    assert.equal(parsed.scripts, 0, 'no script, no foreign object');
    assert.ok(parsed.hrefs.every((h) => h.startsWith('#')), `only references inside the file: ${parsed.hrefs.join(', ')}`);
    // beyond the namespace names, no URL at all (styles, fonts, images)
    const withoutNamespaces = svg.replace(/\sxmlns(:\w+)?="[^"]*"/g, '');
    assert.doesNotMatch(withoutNamespaces, /https?:|url\(\s*['"]?(?!#)|@import|<script/i);
    // the bars carry the page's data: the labels of the exported marks are the page's
    const exportedLabels = await page.evaluate((text) => Array.from(new DOMParser().parseFromString(text, 'image/svg+xml').querySelectorAll('[aria-roledescription=bar]')).map((e) => e.getAttribute('aria-label')).sort(), svg);
    const pageLabels = (await chart.locator('svg [aria-roledescription=bar]').evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')))).sort();
    assert.deepEqual(exportedLabels, pageLabels);
    app.assertClean();
  });

  it('in the dark theme, exports keep the dark background their light text needs', async () => {
    const { page } = app;
    const chart = page.locator('[data-kind=chart]').first();
    const id = (await chart.getAttribute('data-cell-id'))!;
    const lightText = await chart.locator('[data-testid=chart] svg text').first().getAttribute('fill');
    await page.evaluate(() => (globalThis as unknown as { __workbench: Workbench }).__workbench.command('view.toggleTheme'));
    try {
      assert.equal(await page.evaluate(() => document.documentElement.dataset.theme), 'dark');
      // the charts are drawn again in the dark theme's colours
      await page.waitForFunction((fill) => {
        const t = document.querySelector('[data-kind=chart] [data-testid=chart] svg text');
        return t && t.getAttribute('fill') !== fill;
      }, lightText, { timeout: 30_000 });
      const dark = await panelColour(page);
      assert.ok(dark.every((c) => c < 80), `the dark panel is dark: ${dark}`);
      const png = await bytesOf(await exportDownload(page, id, 'export.png'));
      assert.deepEqual((await decodePng(page, png)).pixel, [...dark, 255], 'the PNG is on the dark panel colour, not transparent');
      const svg = (await bytesOf(await exportDownload(page, id, 'export.svg'))).toString('utf8');
      const background = await page.evaluate((text) => {
        const root = new DOMParser().parseFromString(text, 'image/svg+xml').documentElement;
        const rect = root.firstElementChild;
        return rect && rect.localName === 'rect' ? { fill: rect.getAttribute('fill'), width: rect.getAttribute('width'), svgWidth: root.getAttribute('width') } : null;
      }, svg);
      assert.ok(background, 'the SVG starts with a background rectangle');
      assert.equal(background.width, background.svgWidth, 'covering the whole image');
      assert.deepEqual([1, 3, 5].map((i) => parseInt(String(background.fill).slice(i, i + 2), 16)), dark);
      // the report is a light page: its charts are drawn again in the light theme, on white
      const html = (await bytesOf(await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), command(page, 'export.html')]).then(([d]) => d))).toString('utf8');
      const reportChart = await page.evaluate((text) => {
        const svg = new DOMParser().parseFromString(text, 'text/html').querySelector('section.chart svg');
        return svg ? { background: svg.firstElementChild?.getAttribute('fill'), text: svg.querySelector('text')?.getAttribute('fill') } : null;
      }, html);
      assert.ok(reportChart, 'the report has a chart');
      assert.equal(reportChart.background, '#ffffff');
      assert.equal(reportChart.text, lightText, 'in the light theme\'s text colour');
    } finally {
      await page.evaluate(() => (globalThis as unknown as { __workbench: Workbench }).__workbench.command('view.toggleTheme'));
    }
    app.assertClean();
  });
});
