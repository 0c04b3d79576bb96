/**
 * The rule-change diff in the workbench, end to end in web mode on Chromium:
 * the demo notebook's model cell freezes its configuration as the baseline
 * (saved in the cell's JSON), the rule medium_email is renamed to
 * `newsletter` in the rule table, and the cell shows what moved: email loses
 * exactly what newsletter gains, as the engine's own diff_totals say, while
 * the cell's own outputs (channel_summary, every model) are the proposed
 * configuration's. The diff model can be changed, the diff exported as three
 * CSVs, and the baseline cleared. Screenshots (light and dark) go to
 * test/artifacts/screenshots/diff-*.png.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { openApp, skipReason, type App } from './harness.ts';
import { command, lastRun, query, settled, settledAfter } from './page.ts';
import { parseNotebook } from '../../common/notebook/format.ts';
import type { ModelCell } from '../../common/notebook/types.ts';
import { parseCsvText } from '../helpers.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const shots = `${repo}test/artifacts/screenshots`;

/** The notebook as Save writes it (the download fallback), parsed; its model cell. */
async function savedModel(page: Page): Promise<ModelCell> {
  const [dl] = await Promise.all([page.waitForEvent('download'), command(page, 'notebook.save')]);
  const nb = parseNotebook(readFileSync((await dl.path())!, 'utf8'), 'saved.attrib.md').notebook;
  return nb.cells.find((c): c is ModelCell => c.kind === 'model')!;
}

/** The diff totals table as the cell shows it: channel -> exact values (data-value) of baseline, proposed, delta, delta %. */
function shownTotals(page: Page): Promise<Record<string, (number | null)[]>> {
  return page.locator('[data-kind=model] [data-testid=diff-totals] tr[data-channel]').evaluateAll((rows) => Object.fromEntries(rows.map((r) => [
    r.getAttribute('data-channel'),
    Array.from(r.querySelectorAll('td[data-value]')).map((td) => (td.getAttribute('data-value') === '' ? null : Number(td.getAttribute('data-value')))),
  ])));
}

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;

describe('rule-change diff in the workbench', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    // Pickers of the File System Access API cannot be driven headless: use the download fallbacks.
    await app.page.addInitScript(() => {
      localStorage.setItem('aw-theme', 'light');
      delete (window as unknown as Record<string, unknown>).showSaveFilePicker;
      delete (window as unknown as Record<string, unknown>).showOpenFilePicker;
    });
    await app.page.reload();
  });
  after(async () => app?.close());

  it('Propose a change freezes the configuration as the cell\'s baseline; nothing has moved yet', async () => {
    const { page } = app;
    await settled(page, 7);
    const model = page.locator('[data-kind=model]').first();
    assert.equal(await model.locator('[data-testid=diff]').count(), 0, 'no diff without a baseline');
    const run = await lastRun(page);
    await model.getByRole('button', { name: 'Propose a change…' }).click();
    await settledAfter(page, run, 7);
    assert.deepEqual(await page.locator('.error-box:visible').allTextContents(), [], 'no cell failed');
    await model.locator('[data-testid=diff]').waitFor();
    assert.equal(await model.locator('[data-testid=diff-moved]').getAttribute('data-value'), '0');
    assert.match(await model.locator('[data-testid=diff]').textContent() ?? '', /No credit moved/);
    assert.match(await model.locator('[data-testid=baseline-changes]').textContent() ?? '', /No change since the baseline/);
    // in the cell's JSON: the rules and the parameter values (not the "$param" links), under linear
    const cell = await savedModel(page);
    assert.equal(cell.baseline?.model, 'linear');
    assert.deepEqual(cell.baseline?.params, { lookback_days: 30, half_life_days: 7 });
    assert.ok(cell.baseline!.rules.rules.some((r) => r.id === 'medium_email' && r.channel === 'email'));
    assert.equal(cell.rules, undefined, 'the cell itself still has the bundled rules');
    app.assertClean();
  });

  it('renaming medium_email to newsletter: email loses exactly what newsletter gains, as the engine\'s diff_totals say', async () => {
    const { page } = app;
    const model = page.locator('[data-kind=model]').first();
    await model.locator('details.rules summary').click();
    const run = await lastRun(page);
    await model.locator('input[aria-label="channel of rule medium_email"]').fill('newsletter');
    await model.locator('input[aria-label="channel of rule medium_email"]').press('Enter');
    await settledAfter(page, run, 7);
    assert.deepEqual(await page.locator('.error-box:visible').allTextContents(), [], 'no cell failed');
    assert.match(await model.locator('[data-testid=baseline-changes]').textContent() ?? '', /rule medium_email edited/);

    const shown = await shownTotals(page);
    const engine = await query(page, 'SELECT channel, baseline, proposed, delta, delta_pct FROM diff_totals ORDER BY channel');
    assert.deepEqual(shown, Object.fromEntries(engine.map((r) => [r.channel, [r.baseline, r.proposed, r.delta, r.delta_pct] as (number | null)[]])), 'the table shows the engine\'s diff_totals');
    const [eb, ep, ed, epct] = shown.email;
    const [nb, np, nd, npct] = shown.newsletter;
    assert.ok(eb! > 0, `email had credit: ${eb}`);
    assert.ok(close(ep!, 0) && close(ed!, -eb!) && close(epct!, -100), 'email loses all of it');
    assert.ok(close(nb!, 0) && close(np!, eb!) && npct === null, 'newsletter gains it (no baseline, no delta %)');
    assert.ok(close(nd!, -ed!), `email loses exactly what newsletter gains: ${ed} / ${nd}`);
    for (const [ch, [, , d]] of Object.entries(shown)) if (ch !== 'email' && ch !== 'newsletter') assert.ok(close(d!, 0), `${ch} does not move`);
    // the matrix: one cell, email -> newsletter, of that credit; the conversions that moved are the engine's
    const cells = await model.locator('[data-testid=diff-matrix] td[data-to]').evaluateAll((tds) => tds.map((td) => [td.closest('tr')!.getAttribute('data-from'), td.getAttribute('data-to'), Number(td.getAttribute('data-value'))]));
    assert.equal(cells.length, 1);
    assert.deepEqual(cells[0].slice(0, 2), ['email', 'newsletter']);
    assert.ok(close(Number(cells[0][2]), eb!));
    const [{ n }] = await query(page, 'SELECT count(DISTINCT conversion_id) AS n FROM diff_conversions');
    assert.ok(Number(n) > 0);
    assert.equal(await model.locator('[data-testid=diff-moved]').getAttribute('data-value'), String(n));
    // the chart: one bar per channel that moved
    await model.locator('[data-testid=diff-chart] svg [aria-roledescription=bar]').first().waitFor({ timeout: 30_000 });
    assert.equal(await model.locator('[data-testid=diff-chart] svg [aria-roledescription=bar]').count(), 2);

    // the cell's own outputs are the proposed configuration's, for every model, not the diff's last run
    const summary = await query(page, "SELECT model, sum(CASE WHEN channel = 'email' THEN attributed_conversions ELSE 0 END) AS email, sum(CASE WHEN channel = 'newsletter' THEN attributed_conversions ELSE 0 END) AS newsletter FROM channel_summary GROUP BY model ORDER BY model");
    assert.deepEqual(summary.map((r) => r.model), ['first_touch', 'last_touch', 'linear', 'markov', 'position_based', 'time_decay'], 'every model of the cell');
    for (const r of summary) assert.ok(Number(r.email) === 0 && Number(r.newsletter) > 0, `${r.model}: email is newsletter now`);
    const linear = summary.find((r) => r.model === 'linear')!;
    assert.ok(close(Number(linear.newsletter), np!), 'linear newsletter credit = the diff\'s proposed total');
    const [{ k }] = await query(page, 'SELECT count(DISTINCT model) AS k FROM credits');
    assert.equal(Number(k), 6);
    // the journeys were built for the cell's lookback slider (journey_touches holds the current configuration's channels)
    const [{ e }] = await query(page, "SELECT count(*) AS e FROM touches WHERE channel = 'email'");
    assert.equal(Number(e), 0);

    await model.locator('[data-testid=diff]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/diff-light.png` });
    // the controls: the baseline box beside the models
    await model.locator('.baseline-box').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/diff-controls-light.png` });
    app.assertClean();
  });

  it('Export diff downloads the three tables as the engine holds them', async () => {
    const { page } = app;
    const model = page.locator('[data-kind=model]').first();
    const files = new Map<string, string>();
    const got = new Promise<void>((resolve) => {
      page.on('download', async (d) => {
        files.set(d.suggestedFilename(), readFileSync((await d.path())!, 'utf8'));
        if (files.size === 3) resolve();
      });
    });
    await model.getByRole('button', { name: 'Export diff' }).click();
    await got;
    assert.deepEqual([...files.keys()].sort(), ['diff_conversions.csv', 'diff_matrix.csv', 'diff_totals.csv']);
    for (const [t, cols] of [['diff_totals', 'channel, baseline, proposed, delta, delta_pct, kept, lost, gained'], ['diff_matrix', 'from_channel, to_channel, credit, conversions'], ['diff_conversions', 'conversion_id, channel, baseline_credit, proposed_credit, delta']]) {
      const rows = parseCsvText(files.get(`${t}.csv`)!);
      assert.deepEqual(rows[0].join(', '), cols, `${t}: the columns of attrib diff`);
      const [{ n }] = await query(page, `SELECT count(*) AS n FROM ${t}`);
      assert.equal(rows.length - 1, Number(n), `${t}: every row`);
    }
  });

  it('the diff model can be changed; dark theme; Clear baseline removes it from the cell and the file', async () => {
    const { page } = app;
    const model = page.locator('[data-kind=model]').first();
    let run = await lastRun(page);
    await model.locator('select[aria-label="diff model"]').selectOption('last_touch');
    await settledAfter(page, run, 7);
    assert.match(await model.locator('[data-testid=diff] h3').textContent() ?? '', /credited by last_touch/);
    const shown = await shownTotals(page);
    const lt = await query(page, "SELECT sum(attributed_conversions) AS c FROM channel_summary WHERE model = 'last_touch' AND channel = 'newsletter'");
    assert.ok(close(shown.newsletter[1]!, Number(lt[0].c)), 'last touch: the proposed newsletter total is the cell\'s own last-touch credit');
    assert.ok(close(shown.email[2]!, -shown.newsletter[2]!));

    await command(page, 'view.toggleTheme');
    // the diff chart is drawn again in the dark theme's colours
    await model.locator('[data-testid=diff-chart] svg [aria-roledescription=bar]').first().waitFor({ timeout: 30_000 });
    await model.locator('[data-testid=diff]').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${shots}/diff-dark.png` });
    await command(page, 'view.toggleTheme');

    run = await lastRun(page);
    await model.getByRole('button', { name: 'Clear baseline' }).click();
    assert.equal(await model.locator('[data-testid=diff]').count(), 0, 'the diff goes at once');
    assert.equal(await lastRun(page), run, 'clearing does not run the cell again: its outputs are already the current configuration\'s');
    await model.getByRole('button', { name: 'Propose a change…' }).waitFor();
    const cell = await savedModel(page);
    assert.equal(cell.baseline, undefined);
    assert.equal(cell.rules?.rules.find((r) => r.id === 'medium_email')?.channel, 'newsletter', 'the edit stays');
    app.assertClean();
  });
});
