/**
 * What the workbench end-to-end tests do to the page: wait for runs to settle,
 * ask the engine through the page's own session, run a command. One copy,
 * shared by workbench, diff, inspector and export tests.
 */
import type { Page } from 'playwright-core';

/** Waits until no cell is queued or running and at least `min` cells are done. */
export async function settled(page: Page, min = 1): Promise<void> {
  await page.waitForFunction((n) => document.querySelectorAll('.status.done').length >= n && !document.querySelector('.status.running, .status.queued'), min, { timeout: 180_000 });
}

/** The highest run id any cell has seen (cells carry it as data-run-id). */
export function lastRun(page: Page): Promise<number> {
  return page.evaluate(() => Math.max(0, ...Array.from(document.querySelectorAll('.cell')).map((c) => Number(c.getAttribute('data-run-id') ?? 0))));
}

/** Waits until a run later than `run` has started and everything has settled again. */
export async function settledAfter(page: Page, run: number, min = 1): Promise<void> {
  await page.waitForFunction((r) => Array.from(document.querySelectorAll('.cell')).some((c) => Number(c.getAttribute('data-run-id') ?? 0) > r), run, { timeout: 60_000 });
  await settled(page, min);
}

/** The engine's answer to a query with bound parameters, through the page's own session (what the cells see). */
export function query(page: Page, sql: string, params: unknown[] = []): Promise<Record<string, unknown>[]> {
  return page.evaluate(async ([q, p]) => {
    const w = (globalThis as unknown as { __workbench: { session: { client: { call(t: string, a: unknown): { result: Promise<Record<string, unknown>[]> } } } } }).__workbench;
    const rows = await w.session.client.call('query', { sql: q, params: p }).result;
    return JSON.parse(JSON.stringify(rows, (_k, v) => (typeof v === 'bigint' ? Number(v) : v)));
  }, [sql, params] as const);
}

/** Runs a command of the registry, as a menu or shortcut would. */
export function command(page: Page, id: string): Promise<void> {
  return page.evaluate((c) => (globalThis as unknown as { __workbench: { command(id: string): void } }).__workbench.command(c), id);
}

/**
 * Removes the File System Access API's pickers (they cannot be driven headless) and reloads, so the
 * app falls back to file inputs (a `filechooser` event) and downloads (a `download` event).
 */
export async function withFallbackPickers(page: Page): Promise<void> {
  await page.addInitScript(() => {
    delete (window as unknown as Record<string, unknown>).showSaveFilePicker;
    delete (window as unknown as Record<string, unknown>).showOpenFilePicker;
  });
  await page.reload();
}

/**
 * Opens a template with "New from Template…"; when the open notebook has
 * unsaved changes and the page asks first, answers "Discard changes".
 */
export async function openTemplate(page: Page, title: string): Promise<void> {
  await command(page, 'notebook.newFromTemplate');
  await page.locator('.overlay button', { hasText: title }).click();
  // either the page asks (the open notebook is edited) or the template is open: wait for whichever
  const asked = await page.waitForFunction((t) => {
    if (document.querySelector('.overlay [role=alertdialog]')) return 'asked';
    return (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === t && !document.querySelector('.overlay') ? 'open' : false;
  }, title, { timeout: 30_000 }).then((h) => h.jsonValue());
  if (asked === 'asked') await page.locator('.overlay [role=alertdialog] button', { hasText: 'Discard changes' }).click();
  await page.waitForFunction((t) => (document.querySelector('.nb-title') as HTMLInputElement | null)?.value === t && !document.querySelector('.overlay'), title, { timeout: 30_000 });
}

/**
 * Waits until every chart cell's drawing has settled (drawn, empty or in error, as its
 * data-state says) and no cell is queued or running. A chart draws asynchronously after
 * its cell is done, so a finished status alone can still show the placeholder.
 */
export async function chartsSettled(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(() => !document.querySelector('.status.running, .status.queued')
    && Array.from(document.querySelectorAll('[data-kind=chart] [data-testid=chart]')).every((el) => ['drawn', 'empty', 'error'].includes((el as HTMLElement).dataset.state ?? '')), null, { timeout });
}

/**
 * Moves the keyboard focus out of any field, so a shortcut goes to the app rather than an
 * editor (clicking an empty spot of the page is not stable: what lies there moves as cells run).
 */
export async function focusPage(page: Page): Promise<void> {
  await page.evaluate(() => (document.activeElement as HTMLElement | null)?.blur());
}
