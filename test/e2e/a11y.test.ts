/**
 * The automated accessibility pass of issue 13: axe-core (from npm, evaluated
 * in the page: the page's CSP admits no inline script tag, and the harness no
 * remote load) checks the demo notebook, each template, the journey inspector
 * and the rule-change diff, in the light and the dark theme, and reports every
 * serious or critical violation (rule, impact, help, where, why) so it can be
 * fixed. One app for all of it: the screens follow one another in it.
 * Nothing is left out of the scans: monaco's editor and vega's SVG pass too
 * (the editor's token colours are the app's theme, sqlEditor.ts).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { openApp, skipReason, SCREENSHOTS, type App } from './harness.ts';
import { chartsSettled, command, lastRun, openTemplate, settled, settledAfter } from './page.ts';
import { TEMPLATES } from '../../common/notebook/templates.ts';
import { parseNotebook } from '../../common/notebook/format.ts';

/** Every violation of every scan, whatever its impact, for reading: test/artifacts/a11y-violations.json. */
const REPORT = path.join(SCREENSHOTS, '..', 'a11y-violations.json');
const report: Record<string, unknown[]> = {};

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8');

/** One violation as axe reports it (the fields we print). */
interface Violation {
  id: string;
  impact: string | null;
  help: string;
  helpUrl: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

type Theme = 'light' | 'dark';

/** Switches the app to a theme (its own command) and waits for charts drawn again in it. */
async function setTheme(page: Page, theme: Theme): Promise<void> {
  if ((await page.evaluate(() => document.documentElement.dataset.theme)) !== theme) await command(page, 'view.toggleTheme');
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
  await chartsSettled(page);
}

/**
 * Runs axe on the page (or on `include`, a selector, when the screen is an
 * overlay: what lies under it is scanned on its own screen) and returns its
 * serious and critical violations, each as lines to read.
 */
async function scan(page: Page, label: string, include?: string): Promise<string[]> {
  // evaluated, not a script tag: the page's CSP (script-src 'self') refuses inline scripts
  if (!(await page.evaluate(() => 'axe' in window))) await page.evaluate(AXE);
  const t0 = Date.now();
  const violations = await page.evaluate(async (inc) => {
    const axe = (window as unknown as { axe: { run(ctx: unknown, opts: unknown): Promise<{ violations: unknown[] }> } }).axe;
    return (await axe.run(inc || document, { resultTypes: ['violations'] })).violations;
  }, include ?? '') as Violation[];
  report[label] = violations;
  // serious and critical fail, and heading order too (moderate, but fixed: a screen reader's outline of the page)
  const failing = violations.filter((v) => v.impact === 'serious' || v.impact === 'critical' || v.id === 'heading-order');
  console.log(`axe: ${label}: ${failing.length} serious or critical, ${violations.length - failing.length} lesser (${violations.filter((v) => !failing.includes(v)).map((v) => `${v.id} ${v.impact}`).join(', ') || 'none'}), ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  return failing
    .map((v) => [
      `${v.id} (${v.impact}, ${v.nodes.length} element${v.nodes.length === 1 ? '' : 's'}): ${v.help} ${v.helpUrl}`,
      ...v.nodes.slice(0, 4).map((n) => `    ${JSON.stringify(n.target)}: ${(n.failureSummary ?? '').replace(/\s*\n\s*/g, ' | ')}`),
    ].join('\n'));
}

/** Scans a screen in both themes (light first, then back to light); returns what failed, labelled. */
async function scanBothThemes(page: Page, screen: string, include?: string): Promise<string[]> {
  const found: string[] = [];
  for (const theme of ['light', 'dark'] as const) {
    await setTheme(page, theme);
    for (const v of await scan(page, `${screen}, ${theme}`, include)) found.push(`[${screen}, ${theme}] ${v}`);
  }
  await setTheme(page, 'light');
  return found;
}

function assertNone(found: string[]): void {
  if (found.length) console.log(`axe: serious or critical violations\n${found.join('\n')}`);
  assert.deepEqual(found, [], 'no serious or critical accessibility violation');
}

describe('accessibility (axe-core) in web mode', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    await settled(app.page, 7);
    await chartsSettled(app.page);
  });
  after(async () => {
    mkdirSync(path.dirname(REPORT), { recursive: true });
    writeFileSync(REPORT, JSON.stringify(report, null, 1));
    await app?.close();
  });

  it('the demo notebook', async () => {
    const found = await scanBothThemes(app.page, 'demo');
    // what the contrast fixes look like (the add-cell bars and cell tools, the muted text)
    await app.screenshot('a11y-demo-light');
    await setTheme(app.page, 'dark');
    await app.screenshot('a11y-demo-dark');
    await setTheme(app.page, 'light');
    assertNone(found);
  });

  it('the journey inspector, on a conversion', async () => {
    const { page } = app;
    await command(page, 'journey.inspect');
    // it opens on the run's largest conversions: explain the first
    await page.locator('.inspector [data-testid=inspector-suggestion]').first().click({ timeout: 30_000 });
    await page.locator('.inspector [data-testid=inspector-conversion]').waitFor({ timeout: 30_000 });
    await page.waitForFunction(() => !!document.querySelector('.inspector [data-testid=inspector-timeline] svg'), null, { timeout: 30_000 });
    // the notebook under the overlay had its own scan
    const found = await scanBothThemes(page, 'inspector', '.overlay');
    // (its close button: the focus may have left the panel with the list it was in)
    await page.locator('.inspector button[aria-label=Close]').click();
    assertNone(found);
  });

  it('the rule-change diff', async () => {
    const { page } = app;
    const model = page.locator('[data-kind=model]').first();
    let run = await lastRun(page);
    await model.getByRole('button', { name: 'Propose a change…' }).click();
    await settledAfter(page, run, 7);
    // a change that moves credit, so the totals, the matrix and the chart show
    await model.locator('details.rules summary').click();
    run = await lastRun(page);
    await model.locator('input[aria-label="channel of rule medium_email"]').fill('newsletter');
    await model.locator('input[aria-label="channel of rule medium_email"]').press('Enter');
    await settledAfter(page, run, 7);
    await model.locator('[data-testid=diff-chart] svg').waitFor({ timeout: 30_000 });
    assertNone(await scanBothThemes(page, 'diff'));
  });

  for (const template of TEMPLATES) {
    it(`the template ${template.title}`, async () => {
      const { page } = app;
      const cells = parseNotebook(template.text, `${template.id}.attrib.md`).notebook.cells;
      await openTemplate(page, template.title);
      await settled(page, cells.filter((c) => ['data', 'model', 'sql', 'chart'].includes(c.kind)).length);
      await chartsSettled(page);
      assertNone(await scanBothThemes(page, `template ${template.id}`));
    });
  }

  it('made no request outside the page and no error', () => app.assertClean());
});
