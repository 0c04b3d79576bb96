/**
 * The desktop app end to end with Playwright's Electron driver: the window's
 * webPreferences read from main (S1), the page's origin, no Node in the page
 * and exactly the allow-listed bridge (S3), the CSP header and inline-script
 * refusal (S4), navigation (S5) and window.open (S6) blocked, app:// traversal
 * refused (S9), permissions and the network denied (S10), and a query through
 * the engine utility process.
 *
 * Runs only where `require('electron')` names an existing binary (and, on
 * Linux, a display: use xvfb-run); elsewhere every test reports
 * "skipped: no Electron binary". The page is dist/renderer when it has been
 * built (npm run build), else the small test page in test/electron/fixture.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { _electron, type ElectronApplication, type Page } from 'playwright-core';
import { buildMain } from '../../scripts/build-main.mjs';
import { WORKBENCH_API_KEYS } from '../../main/preloadApi.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** The Electron binary, or null (ELECTRON_SKIP_BINARY_DOWNLOAD installs, where require('electron') throws). */
function electronBinary(): string | null {
  try {
    const p: unknown = createRequire(import.meta.url)('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

const binary = electronBinary();
const noDisplay = process.platform === 'linux' && !process.env.DISPLAY && !process.env.WAYLAND_DISPLAY;
const skipReason = !binary ? 'skipped: no Electron binary' : noDisplay ? 'skipped: no display (run under xvfb-run)' : null;

let app: ElectronApplication | undefined;
let page: Page;

/** Skips the test (with the reason) when the app could not be started here. */
function unavailable(t: { skip(message?: string): void }): boolean {
  if (app) return false;
  t.skip(skipReason ?? 'skipped: the app did not start');
  return true;
}

const mainUrl = () => app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows()[0].webContents.getURL());
const windowCount = () => app!.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length);

describe('Electron app', () => {
  before(async () => {
    if (skipReason) return;
    await buildMain({ quiet: true });
    const built = existsSync(path.join(root, 'dist', 'renderer', 'index.html'));
    app = await _electron.launch({
      executablePath: binary!,
      // The repository folder: Electron reads package.json ("main": dist/main/main.cjs, the version).
      args: [root],
      cwd: root,
      env: {
        ...process.env,
        ATTRIB_TEST_HOOKS: '1',
        ATTRIB_USER_DATA: mkdtempSync(path.join(tmpdir(), 'aw-electron-')),
        ...(built ? {} : { ATTRIB_RENDERER_DIR: path.join(root, 'test', 'electron', 'fixture') }),
      } as Record<string, string>,
      timeout: 60_000,
    });
    page = await app.firstWindow();
    await page.waitForLoadState('domcontentloaded');
  });
  after(async () => {
    await app?.close();
  });

  it('S1: the window has the hardened webPreferences (read in main)', async (t) => {
    if (unavailable(t)) return;
    // What Electron applied (getLastWebPreferences, undocumented) where it still exists, else what main passed (test hook).
    const prefs = await app!.evaluate(({ BrowserWindow }) =>
      BrowserWindow.getAllWindows().map((w) => {
        const wc = w.webContents as unknown as { id: number; getLastWebPreferences?: () => Record<string, unknown> | null };
        const hook = (globalThis as { __workbenchTest?: { webPreferences: Record<number, Record<string, unknown>> } }).__workbenchTest;
        return wc.getLastWebPreferences?.() ?? hook?.webPreferences[wc.id] ?? null;
      }),
    );
    assert.equal(prefs.length, 1);
    const p = prefs[0]!;
    assert.ok(p, 'webPreferences readable from main');
    assert.equal(p.contextIsolation, true);
    assert.equal(p.sandbox, true);
    assert.equal(p.nodeIntegration, false);
    assert.equal(p.nodeIntegrationInWorker, false);
    assert.equal(p.webSecurity, true);
    assert.equal(p.allowRunningInsecureContent, false);
    assert.equal(p.webviewTag, false);
    assert.equal(p.spellcheck, false);
    assert.equal(p.navigateOnDragDrop, false);
    assert.ok(String(p.preload).endsWith(path.join('dist', 'main', 'preload.cjs')));
  });

  it('the page is loaded from app://workbench/, and the app is this package', async (t) => {
    if (unavailable(t)) return;
    const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { version: string };
    assert.equal(await app!.evaluate(({ app }) => app.getVersion()), pkg.version);
    assert.match(page.url(), /^app:\/\/workbench\//);
    assert.match(await mainUrl(), /^app:\/\/workbench\//);
    assert.equal(await page.evaluate(() => location.origin), 'app://workbench');
  });

  it('S3: no Node in the page; window.workbench is frozen and exactly the allow-list', async (t) => {
    if (unavailable(t)) return;
    const g = await page.evaluate(() => [typeof (globalThis as { require?: unknown }).require, typeof (globalThis as { process?: unknown }).process, typeof (globalThis as { module?: unknown }).module]);
    assert.deepEqual(g, ['undefined', 'undefined', 'undefined']);
    const api = await page.evaluate(() => {
      const w = (window as unknown as { workbench: Record<string, unknown> }).workbench;
      return { keys: Object.keys(w).sort(), frozen: Object.isFrozen(w), types: [...new Set(Object.values(w).map((v) => typeof v))] };
    });
    assert.deepEqual(api.keys, [...WORKBENCH_API_KEYS].sort());
    assert.equal(api.frozen, true);
    assert.deepEqual(api.types, ['function']);
  });

  it('S4: the CSP header comes with the page, and an injected inline script does not run', async (t) => {
    if (unavailable(t)) return;
    const csp = await page.evaluate(async () => (await fetch('/index.html')).headers.get('content-security-policy'));
    assert.match(csp ?? '', /default-src 'self'/);
    assert.match(csp ?? '', /script-src 'self' 'wasm-unsafe-eval'/);
    assert.match(csp ?? '', /object-src 'none'/);
    const violated = await page.evaluate(
      () =>
        new Promise<string>((resolve) => {
          document.addEventListener('securitypolicyviolation', (e) => resolve(e.effectiveDirective));
          const s = document.createElement('script');
          s.textContent = 'window.__pwned = 1';
          document.head.append(s);
          setTimeout(() => resolve('no violation'), 3000);
        }),
    );
    assert.match(violated, /^script-src/);
    assert.equal(await page.evaluate(() => (window as { __pwned?: number }).__pwned), undefined);
  });

  it('S9: app:// refuses traversal', async (t) => {
    if (unavailable(t)) return;
    const statuses = await page.evaluate(async () => {
      const out: number[] = [];
      for (const u of ['/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/..%5c..%5cwindows%5cwin.ini', '/no-such-file.js']) {
        out.push(await fetch(u).then((r) => r.status, () => -1));
      }
      return out;
    });
    for (const s of statuses) assert.ok(s === 404 || s === -1, String(s));
  });

  it('S6: window.open is denied and opens no window', async (t) => {
    if (unavailable(t)) return;
    const before = await windowCount();
    assert.equal(await page.evaluate(() => window.open('https://example.com') === null), true);
    assert.equal(await page.evaluate(() => window.open('app://workbench/index.html') === null), true);
    await new Promise((r) => setTimeout(r, 500));
    assert.equal(await windowCount(), before);
  });

  it('S5: navigation to https://example.com (or file:) is blocked; the URL is unchanged', async (t) => {
    if (unavailable(t)) return;
    const url = await mainUrl();
    for (const target of ['https://example.com/', 'file:///etc/passwd', 'app://x.attacker/']) {
      await page.evaluate((u) => void (location.href = u), target).catch(() => {});
      await new Promise((r) => setTimeout(r, 1000));
      assert.equal(await mainUrl(), url, target);
    }
  });

  it('S10: the network and permissions are denied', async (t) => {
    if (unavailable(t)) return;
    assert.equal(await page.evaluate(() => fetch('https://example.com/').then(() => 'loaded', () => 'blocked')), 'blocked');
    const media = await page.evaluate(() => navigator.mediaDevices?.getUserMedia({ audio: true }).then(() => 'granted', () => 'denied') ?? 'denied');
    assert.equal(media, 'denied');
    const geo = await page.evaluate(() => navigator.permissions.query({ name: 'geolocation' }).then((s) => s.state, () => 'denied'));
    assert.notEqual(geo, 'granted');
  });

  it('the engine utility process answers a query over the forwarded port', async (t) => {
    if (unavailable(t)) return;
    const result = await page.evaluate(
      () =>
        new Promise<unknown>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error('no engine port within 30 s')), 30_000);
          window.addEventListener('message', (e) => {
            if (e.source !== window || (e.data as { type?: string })?.type !== 'workbench:engine-port' || !e.ports[0]) return;
            const port = e.ports[0];
            port.onmessage = (m) => {
              const d = m.data as { id: number; type: string; result?: unknown; error?: { message: string } };
              if (d.id !== 1) return;
              clearTimeout(timer);
              if (d.type === 'result') resolve(d.result);
              else if (d.type === 'error') reject(new Error(d.error?.message));
            };
            port.postMessage({ id: 1, type: 'query', sql: 'SELECT 6 * 7 AS answer' });
          });
          (window as unknown as { workbench: { connectEngine(): void } }).workbench.connectEngine();
        }),
    );
    assert.deepEqual(result, [{ answer: 42 }]);
  });
});
