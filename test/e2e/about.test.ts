/**
 * Help > About in web mode: the dialog shows the version in package.json
 * (vite defines __APP_VERSION__ from it at build time), the engine (wasm here)
 * and the DuckDB version the engine itself reports.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { openApp, skipReason, type App } from './harness.ts';
import { command, query, settled } from './page.ts';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };

describe('About in web mode', { timeout: 300_000, skip: skipReason }, () => {
  let app: App;
  before(async () => {
    app = await openApp();
    await settled(app.page);
  });
  after(async () => {
    await app?.close();
  });

  it('shows the package version, the wasm engine and its DuckDB version', async () => {
    const [{ v }] = await query(app.page, 'SELECT version() AS v');
    assert.match(String(v), /^v\d+\.\d+\.\d+/);
    await command(app.page, 'help.about');
    const about = app.page.locator('[data-testid=about]');
    await about.waitFor({ timeout: 10_000 });
    const text = await about.innerText();
    assert.ok(text.includes(`Version ${pkg.version}.`), text);
    assert.ok(text.includes('DuckDB-wasm (Web Worker)'), text);
    assert.ok(text.includes(`DuckDB ${String(v)}`), text);
    assert.equal(await app.page.getByRole('dialog', { name: 'Attribution Workbench' }).count(), 1);
    app.assertClean();
  });
});
