/**
 * SQL completion in a SQL cell's editor, in web mode on Chromium (issue 13,
 * finding 6): the suggest widget's rows show their labels inside their boxes
 * (no rule of the page's stylesheet reaches into the widget), the user's
 * tables and columns come before functions, DuckDB's internals are not
 * offered, and Ctrl+Enter runs the cell it is typed in, closing the widget,
 * even while the widget is open and the cell is not the last editor made.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Locator, Page } from 'playwright-core';
import { openApp, skipReason, SCREENSHOTS, type App } from './harness.ts';
import { query, settled } from './page.ts';

const STYLES = readFileSync(fileURLToPath(new URL('../../renderer/styles.css', import.meta.url)), 'utf8');
const WIDGET = '.suggest-widget.visible';

/** A rendered row of the widget: its label, monaco's kind (from the row's aria-label) and the boxes of row and label. */
interface Row {
  label: string;
  kind: string;
  row: { top: number; bottom: number; left: number; right: number };
  text: { top: number; bottom: number; left: number; right: number; width: number; height: number };
}

/** The widget's rendered rows, top to bottom. */
function rows(page: Page): Promise<Row[]> {
  return page.locator(`${WIDGET} .monaco-list-row`).evaluateAll((els) => els
    .map((el) => {
      const label = el.querySelector('.label-name');
      const r = el.getBoundingClientRect();
      const t = (label ?? el).getBoundingClientRect();
      return {
        label: label?.textContent ?? '',
        kind: (el.getAttribute('aria-label') ?? '').split(', ').pop() ?? '',
        row: { top: r.top, bottom: r.bottom, left: r.left, right: r.right },
        text: { top: t.top, bottom: t.bottom, left: t.left, right: t.right, width: t.width, height: t.height },
      };
    })
    .sort((a, b) => a.row.top - b.row.top));
}

/** A screenshot of the window as the user sees it (the widget is fixed to the window, so not the full page). */
async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SCREENSHOTS}/${name}.png` });
}

/** Replaces the editor's text by typing `text` (as a user would, so quick suggestions open as they type). */
async function typeInto(page: Page, cell: Locator, text: string): Promise<void> {
  await cell.locator('.monaco-editor .view-lines').click();
  await page.keyboard.press('Control+A');
  await page.keyboard.type(text);
}

/** Closes the widget if open, asks for suggestions (Ctrl+Space) and waits until it shows them or says there are none. */
async function suggest(page: Page): Promise<Row[]> {
  await page.keyboard.press('Escape');
  await page.locator(WIDGET).waitFor({ state: 'detached', timeout: 5_000 });
  await page.keyboard.press('Control+Space');
  await page.waitForFunction((w) => !!document.querySelector(`${w} .monaco-list-row`) || !!document.querySelector(`${w} .message`)?.textContent, WIDGET);
  return rows(page);
}

describe('SQL completion in web mode', { skip: skipReason, timeout: 300_000 }, () => {
  let app: App;
  let cell: Locator;
  before(async () => {
    app = await openApp();
    await settled(app.page, 7);
    // the catalogue completion draws from is read once the runs are quiet (the sidebar shows it)
    await app.page.locator('.sidebar .side-table[data-table=channel_summary]').waitFor({ timeout: 60_000 });
    // top_channels: a SQL cell in the middle, not the last editor made (Ctrl+Enter must run this one)
    cell = app.page.locator('[data-kind=sql]').nth(1);
    assert.equal(await cell.locator('.cell-name').inputValue(), 'top_channels');
    await cell.scrollIntoViewIfNeeded();
  });
  after(async () => app?.close());

  it('shows each row with its label inside its box, untouched by the page\'s own rules', async () => {
    const { page } = app;
    await typeInto(page, cell, 'SELECT ch');
    await page.locator(`${WIDGET} .monaco-list-row`).first().waitFor();
    const shown = await rows(page);
    assert.ok(shown.length >= 3, `rows: ${JSON.stringify(shown)}`);
    for (const r of shown) {
      assert.ok(r.label.length > 0 && r.text.width > 0 && r.text.height > 0, `a visible label: ${JSON.stringify(r)}`);
      assert.ok(r.text.top >= r.row.top - 0.5 && r.text.bottom <= r.row.bottom + 0.5, `${r.label}: label ${r.text.top}-${r.text.bottom} inside its row ${r.row.top}-${r.row.bottom}`);
    }
    // each row at its own height: no two labels on top of each other, no row drawn twice
    const tops = shown.map((r) => Math.round(r.text.top));
    assert.equal(new Set(tops).size, tops.length, `labels at ${tops}`);
    // no rule of renderer/styles.css (other than the element-only globals: *, html, button…) matches an element of the widget
    const leaks = await page.evaluate(([css, w]) => {
      const sheet = new CSSStyleSheet();
      sheet.replaceSync(css);
      const selectors: string[] = [];
      const stack: CSSRule[] = Array.from(sheet.cssRules);
      while (stack.length) {
        const rule = stack.pop()!;
        if (rule instanceof CSSStyleRule) selectors.push(...rule.selectorText.split(',').map((s) => s.trim().replace(/::?(before|after|placeholder|-webkit-[\w-]+)$/, '')).filter((s) => /[.#[]/.test(s)));
        else if ('cssRules' in rule) stack.push(...Array.from((rule as CSSGroupingRule).cssRules));
      }
      const found: string[] = [];
      for (const el of Array.from(document.querySelectorAll(`${w}, ${w} *`))) {
        for (const s of selectors) {
          try {
            if (el.matches(s)) found.push(`${s} on ${el.tagName.toLowerCase()}.${String(el.className).replace(/ /g, '.')}`);
          } catch {
            // a selector the engine cannot match against (e.g. a pseudo-element) cannot leak either
          }
        }
      }
      return found;
    }, [STYLES, WIDGET] as const);
    assert.deepEqual(leaks, [], 'the page\'s styles reach into monaco\'s suggest widget');
    await shot(page, 'completion-rows');
  });

  it('offers the user\'s tables and columns first, each once, then functions', async () => {
    const { page } = app;
    const shown = await suggest(page);
    const labels = shown.map((r) => r.label);
    const firstFunction = shown.findIndex((r) => r.kind === 'Function');
    assert.ok(firstFunction > 0, `a function is offered after the user's names: ${JSON.stringify(shown.map((r) => [r.label, r.kind]))}`);
    assert.deepEqual(shown.slice(0, firstFunction).map((r) => r.kind).filter((k) => k !== 'Struct' && k !== 'Field'), [], 'only tables and columns before the first function');
    assert.deepEqual([shown[0].label, shown[0].kind], ['channel_summary', 'Struct'], 'tables first');
    assert.ok(labels.slice(0, firstFunction).includes('channel_summary'), `the table among the first: ${labels}`);
    assert.equal(new Set(labels).size, labels.length, `each name once (a column of several tables too): ${labels}`);
    const [{ n }] = await query(page, "SELECT count(DISTINCT function_name) AS n FROM duckdb_functions() WHERE function_name LIKE 'ch%'");
    assert.ok(Number(n) > 0, 'the engine has functions named ch…');
  });

  it('does not offer DuckDB\'s internals', async () => {
    const { page } = app;
    for (const word of ['duckdb_', 'col_desc', 'pragma_t', 'pg_type']) {
      await typeInto(page, cell, `SELECT ${word}`);
      const labels = (await suggest(page)).map((r) => r.label);
      assert.deepEqual(labels.filter((l) => /^(duckdb_|col_description|pragma_|pg_)/.test(l)), [], `${word}: ${labels}`);
    }
    // but the functions a user calls are there
    await typeInto(page, cell, 'SELECT string_ag');
    const offered = await suggest(page);
    assert.ok(offered.some((r) => r.label === 'string_agg' && r.kind === 'Function'), `string_agg: ${JSON.stringify(offered.map((r) => [r.label, r.kind]))}`);
    await page.keyboard.press('Escape');
  });

  it('runs the cell on Ctrl+Enter while the widget is open, and closes it', async () => {
    const { page } = app;
    const run = Number(await cell.getAttribute('data-run-id'));
    // typed, so the widget opens on its own as the last word is typed
    await typeInto(page, cell, 'SELECT channel, sum(attributed_conversions) AS attributed FROM channel_summary WHERE model = $model GROUP BY channel');
    await page.locator(`${WIDGET} .monaco-list-row`).first().waitFor();
    await shot(page, 'completion-before-run');
    await page.keyboard.press('Control+Enter');
    await page.waitForFunction(([r]) => {
      const c = document.querySelectorAll('[data-kind=sql]')[1];
      return Number(c.getAttribute('data-run-id') ?? 0) > r && !!c.querySelector('.status.done, .status.error');
    }, [run] as const, { timeout: 60_000 });
    assert.equal(await page.locator(WIDGET).count(), 0, 'the suggest widget is closed');
    assert.ok(await cell.locator('.status.done').isVisible(), await cell.locator('.status-text').innerText());
    // the text as typed ran (not a suggestion accepted by the keystroke): two columns, one row per channel
    const cols = await query(page, "SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'top_channels' ORDER BY ordinal_position");
    assert.deepEqual(cols.map((r) => r.c), ['channel', 'attributed']);
    const [{ n }] = await query(page, 'SELECT count(DISTINCT channel) AS n FROM channel_summary');
    assert.match(await cell.locator('.status-text').innerText(), new RegExp(`^${n} rows`));
    await settled(page, 7);
    await shot(page, 'completion-after-run');
    app.assertClean();
  });
});
