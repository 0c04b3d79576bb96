/**
 * Every notebook template, opened with "New from Template…" in web mode on
 * the bundled sample: every cell runs, no cell shows an error, and each
 * template's model cells show their channel summary and its charts draw
 * marks. What cells a template has is read from the template itself, so a
 * template added later is covered without touching this file.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openApp, skipReason, SCREENSHOTS, type App } from './harness.ts';
import { TEMPLATES } from '../../common/notebook/templates.ts';
import { chartsSettled } from './page.ts';
import { parseNotebook } from '../../common/notebook/format.ts';

type Workbench = { command(id: string): void };

/** Cell kinds that run (and end done or in error); text and parameter cells only show themselves. */
const RUNS = ['data', 'model', 'sql', 'chart'];

/** What each chart cell shows once drawn: marks drawn, its error, or its empty note. */
function chartStates(page: Page): Promise<{ marks: number; error: string; empty: string }[]> {
  return page.locator('[data-kind=chart] [data-testid=chart]').evaluateAll((els) =>
    els.map((el) => ({
      marks: el.querySelectorAll('svg g.role-mark > *').length,
      error: el.querySelector('.error-box')?.textContent ?? '',
      empty: el.querySelector('.empty')?.textContent ?? '',
    })),
  );
}

describe('notebook templates in web mode', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    // the demo notebook is opened and run first: wait for it, so templates replace a settled page
    await app.page.waitForFunction(() => document.querySelectorAll('.status.done').length >= 7 && !document.querySelector('.status.running, .status.queued'), null, { timeout: 180_000 });
  });
  after(async () => app?.close());

  for (const template of TEMPLATES) {
    it(`${template.title}: every cell runs without an error; models and charts show results`, async () => {
      const { page } = app;
      const cells = parseNotebook(template.text, `${template.id}.attrib.md`).notebook.cells;
      const running = cells.filter((c) => RUNS.includes(c.kind));
      await page.evaluate(() => (globalThis as unknown as { __workbench: Workbench }).__workbench.command('notebook.newFromTemplate'));
      await page.locator('.overlay button', { hasText: template.title }).click();
      await page.waitForFunction((title) => (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === title, template.title, { timeout: 30_000 });
      // every cell of the template is on the page, and each one that runs has finished (done or error)
      await page.waitForFunction(
        ([total, ids]) => {
          const els = Array.from(document.querySelectorAll('.cell'));
          if (els.length !== total) return false;
          return (ids as string[]).every((id) => {
            const s = document.querySelector(`.cell[data-cell-id="${id}"] .status`);
            return s && (s.classList.contains('done') || s.classList.contains('error') || s.classList.contains('cancelled'));
          });
        },
        [cells.length, running.map((c) => c.id)] as const,
        { timeout: 240_000 },
      );
      // charts draw after their cell is done: wait until each shows marks, an error or its empty note
      await chartsSettled(page, 60_000);
      await app.screenshot(`template-${template.id}`);
      // nothing of a chart (its legend included) spills past its cell
      const spills = await page.evaluate(() => Array.from(document.querySelectorAll('[data-kind=chart]')).flatMap((cell) => {
        const svg = cell.querySelector('[data-testid=chart] svg');
        if (!svg) return [];
        const over = svg.getBoundingClientRect().right - cell.getBoundingClientRect().right;
        return over > 1 ? [`${cell.getAttribute('data-cell-id')} by ${Math.round(over)} px`] : [];
      }));
      assert.deepEqual(spills, [], 'charts fit their cells');
      // each chart on its own too, at the size a reader sees it (the full page shrinks them past reading)
      for (const c of cells.filter((x) => x.kind === 'chart')) {
        await page.locator(`.cell[data-cell-id="${c.id}"]`).screenshot({ path: `${SCREENSHOTS}/template-${template.id}-${c.id}.png` });
      }

      const errors = (await page.locator('.error-box:visible').allTextContents()).filter((t) => t.trim());
      assert.deepEqual(errors, [], 'no cell shows an error');
      const statuses = await page.locator('.cell').evaluateAll((els) => els.map((e) => `${e.getAttribute('data-kind')} ${e.getAttribute('data-cell-id')}: ${e.querySelector('.status')?.className ?? ''}`));
      for (const c of running) assert.ok(statuses.includes(`${c.kind} ${c.id}: status done`), `${c.kind} cell ${c.id} is done: ${statuses.join('; ')}`);

      const models = cells.filter((c) => c.kind === 'model');
      const summaries = await page.locator('[data-kind=model]').evaluateAll((els) => els.map((e) => ({ rows: e.querySelectorAll('.cell-out .grid-row').length, foot: e.querySelector('.cell-foot')?.textContent ?? '' })));
      assert.equal(summaries.length, models.length);
      for (const s of summaries) {
        assert.ok(s.rows > 0, 'the model cell shows its channel summary');
        assert.match(s.foot, /^[\d,]+ conversions/);
        assert.ok(Number(s.foot.replace(/,/g, '').match(/^\d+/)![0]) > 0, `conversions credited: ${s.foot}`);
      }

      // grids show dates and times as such (web mode once showed a DATE as epoch milliseconds)
      await page.waitForFunction(() => !Array.from(document.querySelectorAll('.grid-row .grid-cell')).some((c) => c.textContent === '…'), null, { timeout: 30_000 });
      const temporal = await page.locator('.grid').evaluateAll((grids) =>
        grids.flatMap((g) => {
          const types = Array.from(g.querySelectorAll('.grid-head .grid-coltype')).map((t) => t.textContent ?? '');
          return Array.from(g.querySelectorAll('.grid-row')).flatMap((r) => Array.from(r.querySelectorAll('.grid-cell')).slice(1).map((c, i) => ({ type: types[i], text: c.textContent ?? '' })));
        }).filter((v) => /^(date|timestamp)/.test(v.type)),
      );
      for (const v of temporal) assert.match(v.text, v.type === 'date' ? /^(\d{4}-\d\d-\d\d|NULL)$/ : /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(\.\d+)?( UTC)?|NULL)$/, `a ${v.type} value reads as one`);
      if (template.id === 'data-audit') assert.ok(temporal.length > 0, 'the events per day show their days');

      const charts = await chartStates(page);
      assert.equal(charts.length, cells.filter((c) => c.kind === 'chart').length);
      charts.forEach((c, i) => assert.ok(c.marks > 0, `chart ${i + 1} of ${template.title} draws marks (${c.empty || c.error || 'nothing drawn'})`));
      app.assertClean();
    });
  }
});
