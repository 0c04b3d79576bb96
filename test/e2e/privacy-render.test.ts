/**
 * What the page renders cannot run or load anything (design/trust.md 1.4), in
 * web mode on Chromium:
 *  - S13: XSS payloads as CSV header names, cell values and file name
 *    (test/fixtures/security/xss.csv), in a notebook's title and Markdown,
 *    and in a SQL error message, are shown as text in every place user text
 *    renders (import report and mapping, rejects grid, result grids, SQL
 *    completion, chart axes, legends and tooltips, the journey inspector,
 *    Markdown, error boxes, the HTML report and SVG export): nothing runs
 *    (`window.__pwned` stays undefined, no dialog), nothing was merely
 *    blocked (no CSP violation at all), and the DOM holds the payload as
 *    text with no element or handler made from it.
 *  - S14: chart specs that would load URLs (data.url https and file:, image
 *    marks, href links, a lookup from a URL, a raw Vega spec, usermeta
 *    re-enabling the actions menu) show a visible note or error in their
 *    cell, and make no request; the chart renderer itself, given such specs
 *    unsanitised, refuses them through its loader; clicking an href mark does
 *    not navigate.
 *  - S4: an injected inline script is refused by the CSP (a
 *    securitypolicyviolation fires) and does not run.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openApp, skipReason, type App } from './harness.ts';
import { chartsSettled, command, settled } from './page.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const XSS_CSV = readFileSync(`${repo}test/fixtures/security/xss.csv`);
const P_IMG = '<img src=x onerror="window.__pwned=1">';
const P_ERR = "<img src=x onerror=window.__pwned=4>";
const P_COL = '<img src=x onerror=window.__pwned=13>';
const P_FILE = '<img src=x onerror=window.__pwned=14>.csv';
const P_TITLE = '<img src=x onerror="window.__pwned=9"> report';

/** A fenced cell of a notebook file. */
const fence = (kind: string, attrs: string, body: string) => `\`\`\`${kind} ${attrs}\n${body}\n\`\`\`\n`;

/** The notebook that carries the payloads (and, for S14, chart specs that would load URLs). */
function notebook(): string {
  const chart = (id: string, spec: unknown, from = 'pts') => fence('chart', `id=${id}`, JSON.stringify({ from, title: id, spec }, null, 2));
  const enc = { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } };
  return [
    `---\nformat: attribution-notebook/1\ntitle: ${JSON.stringify(P_TITLE)}\n---\n`,
    fence('markdown', 'id=m1', [
      '# Heading <img src=x onerror="window.__pwned=10">',
      '',
      'A [link](javascript:window.__pwned=11) and <script>window.__pwned=12</script> and <svg onload=window.__pwned=15>.',
      '',
      '- **<b onmouseover="window.__pwned=16">bold</b>** and `<img src=x onerror=window.__pwned=17>`',
    ].join('\n')),
    fence('data', 'id=d1', JSON.stringify({ name: 'events', path: 'xss.csv', options: {} }, null, 2)),
    fence('model', 'id=mo1', JSON.stringify({ name: 'attribution', models: ['last_touch', 'linear'], params: {} }, null, 2)),
    fence('sql', 'id=s1 name=by_source', `SELECT utm_source AS "${P_COL}", coalesce(utm_campaign, '(none)') AS campaign, count(*) AS n\nFROM events GROUP BY ALL ORDER BY n DESC, 1`),
    fence('chart', 'id=ch1', JSON.stringify({ from: 'by_source', title: P_IMG, builder: { mark: 'bar', x: P_COL, y: 'n', color: 'campaign', aggregate: 'none' } }, null, 2)),
    fence('sql', 'id=s2 name=by_channel', 'SELECT channel, model, attributed_conversions FROM channel_summary ORDER BY ALL'),
    fence('chart', 'id=ch2', JSON.stringify({ from: 'by_channel', builder: { mark: 'bar', x: 'channel', y: 'attributed_conversions', color: 'model', aggregate: 'none' } }, null, 2)),
    fence('sql', 'id=s3 name=pwn_error', `SELECT CAST('${P_ERR}' AS INTEGER) AS x`),
    fence('sql', 'id=s4 name=pts', "SELECT * FROM (VALUES ('a', 1, 'https://example.com/a.png'), ('b', 2, 'https://example.com/b.png')) t(k, v, img)"),
    chart('u1', { data: { url: 'https://example.com/x.csv' }, mark: 'bar', encoding: enc }),
    chart('u2', { data: { url: 'file:///etc/passwd', format: { type: 'csv' } }, mark: 'bar', encoding: enc }),
    chart('u3', { mark: { type: 'image', width: 20, height: 20 }, encoding: { ...enc, url: { field: 'img', type: 'nominal' } } }),
    chart('u4', { mark: 'bar', encoding: { ...enc, href: { value: 'https://example.com/' } } }),
    chart('u5', { mark: 'bar', encoding: enc, transform: [{ lookup: 'k', from: { data: { url: 'https://example.com/l.csv' }, key: 'k', fields: ['w'] } }] }),
    chart('u6', { $schema: 'https://vega.github.io/schema/vega/v5.json', marks: [{ type: 'image', encode: { enter: { url: { value: 'https://example.com/i.png' } } } }] }),
    chart('u7', { mark: 'bar', encoding: enc, usermeta: { embedOptions: { actions: true, mode: 'vega', loader: { baseURL: 'https://example.com/' } } } }),
  ].join('\n');
}

type Probe = { pwned: unknown; violations: string[] };
const probe = (page: Page): Promise<Probe> => page.evaluate(() => ({ pwned: (window as unknown as { __pwned?: unknown }).__pwned, violations: (window as unknown as { __violations: string[] }).__violations }));

/** Elements or attributes the payloads would have made had any been parsed as HTML, anywhere in the document. */
function madeFromPayloads(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    for (const el of Array.from(document.querySelectorAll('*'))) {
      for (const a of Array.from(el.attributes)) {
        if (/^on/i.test(a.name)) out.push(`${el.tagName} ${a.name}="${a.value}"`);
        if (/^\s*javascript:/i.test(a.value) && /^(href|src|xlink:href|action|formaction)$/i.test(a.name)) out.push(`${el.tagName} ${a.name}="${a.value}"`);
      }
    }
    for (const el of Array.from(document.querySelectorAll('img[src="x"], script:not([src]), svg[onload], foreignObject, iframe, object, embed'))) out.push(`<${el.tagName.toLowerCase()}>`);
    return out;
  });
}

describe('rendering is text, charts load nothing (S13, S14, S4)', { skip: skipReason }, () => {
  let app: App;
  const dialogs: string[] = [];
  before(async () => {
    app = await openApp();
    await app.page.addInitScript(() => {
      delete (window as unknown as Record<string, unknown>).showSaveFilePicker;
      delete (window as unknown as Record<string, unknown>).showOpenFilePicker;
      // every CSP violation, from the first moment: a payload that was blocked (not rendered as text) shows here
      const v: string[] = [];
      (window as unknown as { __violations: string[] }).__violations = v;
      document.addEventListener('securitypolicyviolation', (e) => v.push(`${e.violatedDirective} ${e.blockedURI} ${e.sample}`));
    });
    app.page.on('dialog', (d) => {
      dialogs.push(`${d.type()}: ${d.message()}`);
      void d.dismiss();
    });
    await app.page.reload();
    await settled(app.page, 7);
    // the payload notebook, then the payload CSV (under a payload file name) for its data cell
    const [chooser] = await Promise.all([app.page.waitForEvent('filechooser'), command(app.page, 'notebook.open')]);
    await chooser.setFiles({ name: 'xss.attrib.md', mimeType: 'text/markdown', buffer: Buffer.from(notebook()) });
    await app.page.waitForFunction((t) => (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === t, P_TITLE, { timeout: 30_000 });
    await app.page.waitForFunction(() => !document.querySelector('.status.running, .status.queued'), null, { timeout: 60_000 });
    const [pick] = await Promise.all([app.page.waitForEvent('filechooser'), app.page.locator('[data-kind=data] button', { hasText: /Choose (another|a) file/ }).click()]);
    await pick.setFiles({ name: P_FILE, mimeType: 'text/csv', buffer: XSS_CSV });
    await app.page.waitForFunction(() => document.querySelector('[data-kind=data] .status.done') && !document.querySelector('.status.running, .status.queued'), null, { timeout: 180_000 });
    await chartsSettled(app.page, 60_000);
  });
  after(async () => app?.close());

  it('S13: payloads in the file, its name, the title, Markdown and a SQL error are text everywhere; nothing runs', async () => {
    const { page } = app;
    await app.screenshot('privacy-render-xss');
    const text = (sel: string) => page.locator(sel).first().evaluate((e) => e.textContent ?? '');

    // the import report: the payload file name, and the payload headers among the columns not used
    const data = await text('[data-kind=data]');
    assert.ok(data.includes(P_FILE), 'the file name shows as text');
    assert.ok(data.includes('<script>window.__pwned=2</script>') && data.includes('"><svg onload=window.__pwned=3>'), `payload headers listed as text: ${data.slice(0, 600)}`);
    const options = await page.locator('[data-kind=data] select option').allTextContents();
    assert.ok(options.includes(P_IMG), 'a payload header is a mapping choice, as text');

    // the result grid: a payload column name and payload values
    const grid = await text('.cell[data-cell-id=s1]');
    assert.ok(grid.includes(P_COL) && grid.includes(P_IMG) && grid.includes('javascript:window.__pwned=6'), 'payload header and values in the result grid');

    // charts: axis title, axis labels, legend labels (SVG text), and the cell's own title
    // (vega truncates long axis and legend labels with "…": the marks' aria-labels carry the whole values)
    const chartOf = (id: string) => page.locator(`.cell[data-cell-id=${id}] [data-testid=chart] svg`).first().evaluate((e) => ({
      text: e.textContent ?? '',
      labels: Array.from(e.querySelectorAll('[aria-label]')).map((x) => x.getAttribute('aria-label') ?? '').join('\n'),
    }));
    const ch1 = await chartOf('ch1');
    assert.ok(ch1.text.includes('<img src=x') && ch1.text.includes('<script>'), `axis and legend labels hold payloads as text: ${ch1.text.slice(0, 300)}`);
    assert.ok(ch1.labels.includes(P_COL) && ch1.labels.includes('<script>window.__pwned=2</script>'), 'whole payloads in the marks\' labels');
    const ch2 = await chartOf('ch2');
    assert.ok(ch2.text.includes('"><svg onload=') && ch2.labels.includes('"><svg onload=window.__pwned=3>'), 'a payload channel name (the file\'s channel column) on the axis');
    // a tooltip over a bar shows its payload as text
    const bar = page.locator('.cell[data-cell-id=ch1] [data-testid=chart] svg [aria-roledescription=bar]').first();
    await bar.scrollIntoViewIfNeeded();
    await bar.hover();
    const tip = page.locator('#vg-tooltip-element');
    await tip.waitFor({ state: 'visible', timeout: 10_000 });
    const tipText = (await tip.textContent()) ?? '';
    assert.ok(/<img|<script|<a href|javascript:|\{\{/.test(tipText), `tooltip holds a payload as text: ${tipText}`);
    assert.equal(await tip.locator('img, script, a, svg').count(), 0, 'no element made in the tooltip');

    // Markdown: raw HTML and a javascript: link are text; the link is not a link
    const md = await text('[data-kind=markdown] .md');
    // (the underscores of "__pwned" between the script and the svg payloads read as Markdown italics: fine)
    for (const p of ['<img src=x onerror="window.__pwned=10">', '<script>window.', '</script>', '<svg onload=window.', '<b onmouseover="window.__pwned=16">', '<img src=x onerror=window.__pwned=17>']) assert.ok(md.includes(p), `markdown shows ${p} as text: ${md}`);
    assert.equal(await page.locator('[data-kind=markdown] .md a').count(), 0, 'no anchor');
    assert.equal(await page.locator('[data-kind=markdown] .md .md-link').getAttribute('title'), 'javascript:window.__pwned=11', 'the target only as a tooltip');

    // a SQL error that quotes the payload
    const err = await text('.cell[data-cell-id=s3] .error-box');
    assert.ok(err.includes(P_ERR), `the error message shows the payload: ${err}`);

    // the rejects grid: the row whose timestamp is a payload
    await page.locator('[data-kind=data] button', { hasText: 'Show rejects' }).click();
    await page.waitForFunction(() => Array.from(document.querySelectorAll('[data-kind=sql]')).some((c) => c.querySelector('.cell-name') && (c.querySelector('.cell-name') as HTMLInputElement).value === 'rejected_rows' && c.querySelector('.status.done')), null, { timeout: 60_000 });
    const rejects = await page.locator('[data-kind=sql]').filter({ has: page.locator('.cell-name[value=rejected_rows]') }).first().evaluate((e) => e.textContent ?? '').catch(async () => (await page.locator('[data-kind=sql]').last().textContent()) ?? '');
    assert.ok(rejects.includes(P_IMG), 'the rejected row\'s payload, as text');

    // SQL completion lists a payload column name as text
    // (new cells go after the selected one: select the last, so the new one is last)
    await page.evaluate(() => {
      const cells = document.querySelectorAll('.cell');
      (globalThis as unknown as { __workbench: { select(id: string): void } }).__workbench.select(cells[cells.length - 1].getAttribute('data-cell-id')!);
    });
    await command(page, 'cell.addSql');
    const editor = page.locator('[data-kind=sql]').last().locator('.monaco-editor');
    await editor.click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('SELECT by_source.');
    const suggest = page.locator('.suggest-widget .monaco-list-row');
    await suggest.first().waitFor({ state: 'visible', timeout: 5_000 }).catch(async () => {
      await page.keyboard.press('Control+Space');
      await suggest.first().waitFor({ state: 'visible', timeout: 10_000 }).catch(async (e) => {
        await page.locator('[data-kind=sql]').last().screenshot({ path: `${repo}test/artifacts/screenshots/privacy-render-completion.png` });
        const dbg = await page.evaluate(() => ({ widget: document.querySelector('.suggest-widget')?.outerHTML.slice(0, 300), active: document.activeElement?.className, sidebar: document.querySelector('.side-table[data-table=by_source]')?.textContent }));
        throw new Error(`${(e as Error).message} ${JSON.stringify(dbg)}`);
      });
    });
    const labels = await suggest.allTextContents();
    assert.ok(labels.some((l) => l.includes('<img src=x onerror=window.__pwned=13>')), `completion offers the payload column as text: ${labels.join(' | ')}`);
    await page.keyboard.press('Escape');
    // and the catalog sidebar lists it
    const sidebar = await page.locator('.side-table[data-table=by_source]').evaluate((e) => e.textContent ?? '');
    assert.ok(sidebar.includes(P_COL), `the catalog sidebar lists the payload column as text: ${sidebar}`);

    // the journey inspector: a person whose id is a payload, and their sessions' payload campaign
    await command(page, 'journey.inspect');
    const input = page.locator('.inspector .insp-search');
    await input.fill(`u_${P_IMG}`);
    await input.press('Enter');
    const match = page.locator('.inspector [data-testid=inspector-match]').first();
    await match.waitFor({ timeout: 30_000 });
    assert.ok(((await page.locator('.inspector .insp-list').textContent()) ?? '').includes(`u_${P_IMG}`), 'the match shows the payload id');
    // the match is the person (their user_id); their conversion opens from the person card
    await match.click();
    await page.locator('.inspector [data-testid=person-conversion]').first().click();
    await page.locator('.inspector [data-testid=inspector-conversion]').waitFor({ timeout: 30_000 }).catch(async (e) => {
      await page.locator('.inspector').screenshot({ path: `${repo}test/artifacts/screenshots/privacy-render-inspector.png` });
      throw new Error(`${(e as Error).message}: ${(await page.locator('.inspector').textContent())?.slice(0, 800)} ${app.pageErrors.join(' ')} ${app.consoleErrors.join(' ')}`);
    });
    await page.waitForFunction(() => (document.querySelector('.inspector')?.textContent ?? '').includes('<script>'), null, { timeout: 30_000 }).catch(() => {});
    await page.locator('.inspector').screenshot({ path: `${repo}test/artifacts/screenshots/privacy-render-inspector.png` });
    const insp = (await page.locator('.inspector').textContent()) ?? '';
    assert.ok(insp.includes(`u_${P_IMG}`), 'the person id as text in the conversion card');
    assert.ok(insp.includes('<script>window.__pwned=2</script>'), `the session's campaign payload as text in the inspector: ${insp.slice(0, 600)}`);
    await page.keyboard.press('Escape');

    // the title
    assert.equal(await page.locator('.nb-title').inputValue(), P_TITLE);

    // nothing ran, nothing was even attempted (no CSP violation), no dialog, no element or handler made from a payload
    const p = await probe(page);
    assert.equal(p.pwned, undefined, 'window.__pwned');
    assert.deepEqual(p.violations, [], 'no CSP violation: the payloads were text, not blocked markup');
    assert.deepEqual(dialogs, []);
    assert.deepEqual(await madeFromPayloads(page), []);
    assert.deepEqual(app.foreign, [], 'no request outside the origin (an <img src=x> would have asked for /x)');
    assert.ok(!app.served.some((s) => /^\/x($|\?)/.test(s)), 'the server never saw a request for the payload image "x"');
  });

  it('S13: the HTML report and the SVG export of a payload chart hold the payloads as text', async () => {
    const { page } = app;
    const [htmlDl] = await Promise.all([page.waitForEvent('download'), command(page, 'export.html')]);
    const html = readFileSync((await htmlDl.path())!, 'utf8');
    await page.evaluate((c) => (globalThis as unknown as { __workbench: { select(id: string): void } }).__workbench.select(c), 'ch1');
    const [svgDl] = await Promise.all([page.waitForEvent('download'), command(page, 'export.svg')]);
    const svg = readFileSync((await svgDl.path())!, 'utf8');
    for (const [doc, type] of [[html, 'text/html'], [svg, 'image/svg+xml']] as const) {
      const parsed = await page.evaluate(([d, t]) => {
        const x = new DOMParser().parseFromString(d, t as DOMParserSupportedType);
        const bad: string[] = [];
        for (const el of Array.from(x.querySelectorAll('*'))) for (const a of Array.from(el.attributes)) if (/^on/i.test(a.name) || /^\s*javascript:/i.test(a.value)) bad.push(`${el.tagName} ${a.name}`);
        bad.push(...Array.from(x.querySelectorAll('script, img, iframe, foreignObject, object, embed')).map((e) => `<${e.tagName}>`));
        const labels = Array.from(x.querySelectorAll('[aria-label]')).map((e) => e.getAttribute('aria-label')).join('\n');
        return { bad, text: `${x.documentElement.textContent ?? ''}\n${labels}` };
      }, [doc, type] as const);
      assert.deepEqual(parsed.bad, [], `${type}: nothing made from a payload`);
      assert.ok(parsed.text.includes('<script>window.__pwned=2</script>'), `${type}: the payload is in it, as text`);
    }
    assert.ok(html.includes('&lt;img src=x onerror=&quot;window.__pwned=9&quot;&gt; report'), 'the title escaped in the report');
    assert.equal((await probe(page)).pwned, undefined);
  });

  it('S14: chart cells whose specs would load URLs say so in the cell and load nothing', async () => {
    const { page } = app;
    const urlBefore = page.url();
    const requestsBefore = app.requests.length;
    const states = await page.evaluate(() => ['u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7'].map((id) => {
      const c = document.querySelector(`.cell[data-cell-id=${id}] [data-testid=chart]`)!;
      return { id, error: c.querySelector('.error-box')?.textContent ?? '', note: Array.from(c.querySelectorAll('.note')).map((n) => n.textContent).join(' '), marks: c.querySelectorAll('svg g.role-mark > *').length };
    }));
    await page.locator('.cell[data-cell-id=u1]').scrollIntoViewIfNeeded();
    await app.screenshot('privacy-render-specs');
    const want: Record<string, RegExp> = {
      u1: /Removed from the spec.*\bdata\b/,
      u2: /Removed from the spec.*\bdata\b/,
      u3: /Removed from the spec.*(encoding\.url|mark \(image\))/,
      u4: /Removed from the spec.*encoding\.href/,
      // a lookup without its data cannot compile: the error, and what was removed
      u5: /Chart error[\s\S]*Removed from the spec.*transform\[0\]\.from\.data/,
      u7: /Removed from the spec.*usermeta/,
    };
    for (const s of states) {
      const shown = `${s.error} ${s.note}`;
      assert.ok(shown.trim(), `${s.id}: the cell says something (not blank): ${JSON.stringify(s)}`);
      if (want[s.id]) assert.match(shown, want[s.id], s.id);
    }
    // the raw Vega spec: its URLs removed, and vega-lite (the pinned mode) cannot draw Vega marks: an error, visible
    const u6 = states.find((s) => s.id === 'u6')!;
    assert.ok(u6.error || /Removed from the spec/.test(u6.note), `u6: ${JSON.stringify(u6)}`);
    // no actions menu (its "Open in Vega Editor" posts to vega.github.io), even where usermeta asked for one
    assert.equal(await page.locator('.vega-actions, .vega-embed details').count(), 0);
    assert.equal(page.url(), urlBefore);
    assert.deepEqual(app.foreign, []);
    assert.deepEqual(app.requests.slice(requestsBefore).filter((u) => /example\.com|^file:/.test(u)), []);
    assert.ok(!app.served.some((s) => /\/etc\/passwd|x\.csv|l\.csv|\.png/.test(s)), `nothing asked of the server either: ${app.served.filter((s) => !s.startsWith('/assets/')).join(', ')}`);
  });

  it('S14: the chart renderer itself refuses URLs through its loader (specs that skipped the sanitiser); an href mark does not navigate', async () => {
    const { page } = app;
    const urlBefore = page.url();
    const pagesBefore = app.context.pages().length;
    const results = await page.evaluate(async () => {
      const draw = (window as unknown as { __drawChart: (el: HTMLElement, spec: unknown, dark: boolean) => Promise<unknown> }).__drawChart;
      const enc = { x: { field: 'k', type: 'nominal' }, y: { field: 'v', type: 'quantitative' } };
      const values = [{ k: 'a', v: 1, img: 'https://example.com/a.png' }, { k: 'b', v: 2, img: 'https://example.com/b.png' }];
      const specs: Record<string, unknown> = {
        'data.url https': { data: { url: 'https://example.com/x.csv' }, mark: 'bar', encoding: enc },
        'data.url file': { data: { url: 'file:///etc/passwd', format: { type: 'csv' } }, mark: 'bar', encoding: enc },
        'lookup from url': { data: { values }, mark: 'bar', encoding: enc, transform: [{ lookup: 'k', from: { data: { url: 'https://example.com/l.csv' }, key: 'k', fields: ['w'] } }] },
        'image mark': { data: { values }, mark: { type: 'image', width: 20, height: 20 }, encoding: { ...enc, url: { field: 'img', type: 'nominal' } } },
      };
      const out: Record<string, string> = {};
      for (const [name, spec] of Object.entries(specs)) {
        const el = document.createElement('div');
        document.body.append(el);
        try {
          await draw(el, spec, false);
          // images load after the first render: give them a moment
          await new Promise((r) => setTimeout(r, 500));
          const external = Array.from(el.querySelectorAll('*')).flatMap((e) => Array.from(e.attributes).filter((a) => /example\.com|file:/.test(a.value)).map((a) => `${e.tagName} ${a.name}=${a.value}`));
          out[name] = `drawn; external references: ${external.join(', ') || 'none'}`;
        } catch (e) {
          out[name] = `refused: ${(e as Error).message}`;
        }
        el.remove();
      }
      // an href mark: drawn (it loads nothing until clicked), then clicked
      const el = document.createElement('div');
      el.id = 'href-probe';
      // above the app's layout (and any overlay), so the click lands on the mark
      Object.assign(el.style, { position: 'fixed', top: '0', left: '0', zIndex: '99999', background: '#fff' });
      document.body.append(el);
      await draw(el, { data: { values }, mark: 'bar', encoding: { ...enc, href: { value: 'https://example.com/' } } }, false);
      return out;
    });
    assert.match(results['data.url https'], /^refused: charts cannot load https:\/\/example\.com\/x\.csv/);
    assert.match(results['data.url file'], /^refused: charts cannot load file:\/\/\/etc\/passwd/);
    assert.match(results['lookup from url'], /^refused: charts cannot load https:\/\/example\.com\/l\.csv/);
    assert.match(results['image mark'], /^refused: charts cannot load https:\/\/example\.com\/a\.png|external references: none$/, results['image mark']);
    const mark = page.locator('#href-probe svg [aria-roledescription=bar]').first();
    await mark.click();
    await page.waitForTimeout(500);
    assert.equal(page.url(), urlBefore, 'clicking an href mark does not navigate');
    assert.equal(app.context.pages().length, pagesBefore, 'nor open a window');
    await page.evaluate(() => document.getElementById('href-probe')?.remove());
    assert.deepEqual(app.foreign, []);
    assert.deepEqual(app.requests.filter((u) => /example\.com|^file:/.test(u)), []);
    assert.equal((await probe(page)).pwned, undefined);
  });

  // Last: it causes a CSP violation on purpose.
  it('S4: an injected inline script is refused by the CSP and does not run', async () => {
    const { page } = app;
    const got = await page.evaluate(async () => {
      const before = (window as unknown as { __violations: string[] }).__violations.length;
      const s = document.createElement('script');
      s.textContent = 'window.__inline = 1';
      document.body.append(s);
      const img = document.createElement('img');
      img.setAttribute('src', 'https://example.com/beacon.gif');
      document.body.append(img);
      await new Promise((r) => setTimeout(r, 300));
      return { ran: (window as unknown as { __inline?: number }).__inline, violations: (window as unknown as { __violations: string[] }).__violations.slice(before) };
    });
    assert.equal(got.ran, undefined, 'the inline script did not run');
    assert.ok(got.violations.some((v) => v.startsWith('script-src-elem inline')), `a script-src violation: ${got.violations.join(' | ')}`);
    assert.ok(got.violations.some((v) => v.startsWith('img-src https://example.com/beacon.gif')), `an img-src violation: ${got.violations.join(' | ')}`);
    // Chromium reports the refused image to Playwright as a request that failed; it never left: neither the
    // trap proxy (CONNECT example.com) nor anything else saw it
    assert.ok(!app.foreign.some((u) => u.startsWith('CONNECT ')), `the trap proxy saw nothing: ${app.foreign.join(', ')}`);
    app.foreign.splice(0, app.foreign.length, ...app.foreign.filter((u) => !u.includes('beacon.gif')));
    assert.deepEqual(app.foreign, []);
    const res = await fetch(app.url);
    assert.match(res.headers.get('content-security-policy') ?? '', /^default-src 'self'; script-src 'self' 'wasm-unsafe-eval';.*connect-src 'self' blob: data:;.*object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'$/);
    // the violations were expected: nothing else may have been logged as an error
    app.consoleErrors.splice(0, app.consoleErrors.length, ...app.consoleErrors.filter((m) => !/Content Security Policy|beacon\.gif/.test(m)));
  });
});
