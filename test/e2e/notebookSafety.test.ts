/**
 * The notebook never loses work (issue 13, finding 1): whatever replaces an
 * edited notebook (a template, New, Open) asks first, Undo brings the
 * replaced notebook back, and its copy survives a reload.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { openApp, skipReason, type App } from './harness.ts';
import { command, settled } from './page.ts';

const title = (page: Page) => page.locator('.nb-title').inputValue();
const saveState = (page: Page) => page.locator('.save-state').textContent();

/** Gives the notebook a new title, as a user would (type, then leave the field). */
async function retitle(page: Page, text: string): Promise<void> {
  await page.locator('.nb-title').fill(text);
  await page.locator('.nb-title').press('Tab');
  await page.waitForFunction((t) => document.title.startsWith(t), text);
}

describe('replacing a notebook never loses work', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    await settled(app.page, 7);
  });
  after(async () => app?.close());

  it('palette "New from", Enter: the template picker shows and nothing is replaced', async () => {
    const { page } = app;
    await retitle(page, 'My audit');
    assert.match(String(await saveState(page)), /edited/);
    await page.keyboard.press('Control+Shift+P');
    await page.locator('.palette input').fill('New from');
    await page.keyboard.press('Enter');
    // the picker is open and waits for a choice; the notebook is still the edited one
    await page.locator('.overlay button', { hasText: 'Attribution overview' }).waitFor();
    await page.waitForTimeout(300);
    assert.equal(await title(page), 'My audit');
    assert.equal(await page.locator('.overlay [role=alertdialog]').count(), 0, 'no question yet: nothing chosen');
    await app.screenshot('safety-template-picker');
  });

  it('choosing a template asks first; Cancel and Escape keep the edited notebook', async () => {
    const { page } = app;
    await page.locator('.overlay button', { hasText: 'Attribution overview' }).click();
    const ask = page.locator('.overlay [role=alertdialog]');
    await ask.waitFor();
    assert.match(String(await ask.textContent()), /Replace “My audit”\?.*unsaved changes.*Attribution overview/);
    assert.deepEqual(await ask.locator('button').allTextContents(), ['Save first…', 'Discard changes', 'Cancel']);
    // Enter answers with the focused, safe choice (save first), never with Discard
    assert.equal(await page.evaluate(() => (document.activeElement as HTMLElement | null)?.textContent), 'Save first…');
    await app.screenshot('safety-ask-before-replacing');
    await ask.locator('button', { hasText: 'Cancel' }).click();
    assert.equal(await title(page), 'My audit');
    // the mouse path through the palette asks too; Escape is Cancel
    await page.locator('button[aria-label="Command palette"]').click();
    await page.locator('.palette li', { hasText: 'New from Template' }).click();
    await page.locator('.overlay button', { hasText: 'Attribution overview' }).click();
    await ask.waitFor();
    await page.keyboard.press('Escape');
    await ask.waitFor({ state: 'detached' });
    assert.equal(await title(page), 'My audit');
    assert.match(String(await saveState(page)), /edited/);
  });

  it('Discard replaces it; Undo brings it back, edited; New asks the same', async () => {
    const { page } = app;
    await command(page, 'notebook.newFromTemplate');
    await page.locator('.overlay button', { hasText: 'Attribution overview' }).click();
    await page.locator('.overlay [role=alertdialog] button', { hasText: 'Discard changes' }).click();
    await page.waitForFunction(() => (document.querySelector('.nb-title') as HTMLInputElement).value === 'Attribution overview');
    assert.match(String(await page.locator('.toast').last().textContent()), /Opened “Attribution overview” in place of “My audit”/);
    await app.screenshot('safety-replaced-toast');
    // Undo (Ctrl+Z outside a text field): the template has no edit of its own, so undo is the replacement
    await page.locator('.main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Z');
    await page.waitForFunction(() => (document.querySelector('.nb-title') as HTMLInputElement).value === 'My audit');
    assert.match(String(await saveState(page)), /edited/);
    await settled(page, 7);
    // New: the same question
    await command(page, 'notebook.new');
    await page.locator('.overlay [role=alertdialog]').waitFor();
    await page.keyboard.press('Escape');
    assert.equal(await title(page), 'My audit');
  });

  it('the replaced notebook survives a reload: the page offers to restore it', async () => {
    const { page } = app;
    await command(page, 'notebook.newFromTemplate');
    await page.locator('.overlay button', { hasText: 'Attribution overview' }).click();
    await page.locator('.overlay [role=alertdialog] button', { hasText: 'Discard changes' }).click();
    await page.waitForFunction(() => (document.querySelector('.nb-title') as HTMLInputElement).value === 'Attribution overview');
    await page.reload();
    const banner = page.locator('.banner', { hasText: 'was replaced by another notebook' });
    await banner.waitFor({ timeout: 60_000 });
    assert.match(String(await banner.textContent()), /“My audit” was replaced/);
    await app.screenshot('safety-restore-banner');
    await banner.locator('button', { hasText: 'Restore it' }).click();
    // what is open now (the demo, unedited) is replaced without a question
    await page.waitForFunction(() => (document.querySelector('.nb-title') as HTMLInputElement).value === 'My audit', null, { timeout: 30_000 });
    assert.match(String(await saveState(page)), /edited/);
    app.assertClean();
  });
});

describe('a deleted cell takes its tables with it: nothing shows numbers no cell makes', { skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    await settled(app.page, 7);
  });
  after(async () => app?.close());

  const sidebarTables = (page: Page) => page.locator('.sidebar details[data-table]').evaluateAll((els) => els.map((e) => e.getAttribute('data-table')));
  const cellState = (page: Page, id: string) => page.locator(`.cell[data-cell-id="${id}"]`).evaluate((el) => ({
    status: el.querySelector('.status')?.className ?? '',
    error: el.querySelector(':scope > .error-box')?.textContent ?? '',
    outVisible: !!(el.querySelector(':scope > .cell-out') as HTMLElement | null)?.offsetParent && (el.querySelector(':scope > .cell-out')?.textContent ?? '').trim() !== '',
  }));

  it('deleting the model cell drops its tables; the cells that read them say which table is missing', async () => {
    const { page } = app;
    await page.waitForFunction(() => !!document.querySelector('.sidebar details[data-table="channel_summary"]'), null, { timeout: 10_000 });
    assert.ok((await cellState(page, 'c7')).outVisible, 'the SQL cell shows its result before');
    await page.locator('.cell[data-cell-id="c6"] button[aria-label="Delete cell"]').click();
    await page.waitForFunction(() => ['c7', 'c9', 'c11', 'c8', 'c12'].every((id) => document.querySelector(`.cell[data-cell-id="${id}"] .status.error`)), null, { timeout: 60_000 });
    await settled(page, 1);
    const c7 = await cellState(page, 'c7');
    assert.match(c7.error, /reads 'channel_summary', which no cell makes any more \(the model cell 'attribution' made it and was deleted\): restore that cell with Undo/);
    assert.equal(c7.outVisible, false, 'the old figures are gone from the SQL cell');
    assert.match((await cellState(page, 'c11')).error, /reads 'conversions', which no cell makes any more/);
    // the chart of credit_by_channel: its input failed, and it says which
    const c8 = await cellState(page, 'c8');
    assert.match(c8.error, /its input failed: sql cell 'credit_by_channel' did not run/);
    assert.equal(c8.outVisible, false, 'the chart no longer draws the old figures');
    // the sidebar drops them (and the tables of the SQL cells that failed on them: their figures are the old ones)
    await page.waitForFunction(() => !document.querySelector('.sidebar details[data-table="channel_summary"], .sidebar details[data-table="top_channels"]'), null, { timeout: 10_000 });
    const tables = await sidebarTables(page);
    for (const t of ['channel_summary', 'credits', 'conversions', 'journeys', 'credit_by_channel', 'top_channels', 'top_paths']) assert.ok(!tables.includes(t), `${t} left the sidebar: ${tables.join(', ')}`);
    await app.screenshot('safety-model-deleted');
  });

  it('after a parameter change and Run all, still no stale figure; Undo brings the model and its results back', async () => {
    const { page } = app;
    // lookback to its smallest value, then Run all
    await page.locator('.cell[data-cell-id="c3"] input[type=range]').focus();
    await page.keyboard.press('Home');
    await command(page, 'notebook.runAll');
    await settled(page, 1);
    for (const id of ['c7', 'c8', 'c9', 'c11', 'c12']) {
      const s = await cellState(page, id);
      assert.match(s.status, /error/, `${id} is in error after Run all`);
      assert.equal(s.outVisible, false, `${id} shows no result`);
    }
    // undo the lookback change, then the delete
    await page.locator('.main').click({ position: { x: 5, y: 5 } });
    await page.keyboard.press('Control+Z');
    await page.keyboard.press('Control+Z');
    await page.locator('.cell[data-cell-id="c6"]').waitFor();
    await page.waitForFunction(() => ['c6', 'c7', 'c8', 'c9', 'c11', 'c12'].every((id) => document.querySelector(`.cell[data-cell-id="${id}"] .status.done`)), null, { timeout: 120_000 });
    assert.ok((await cellState(page, 'c7')).outVisible);
    await page.waitForFunction(() => !!document.querySelector('.sidebar details[data-table="channel_summary"]'), null, { timeout: 10_000 });
    app.assertClean();
  });
});
