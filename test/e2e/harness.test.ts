/**
 * The harness's own checks (issue 11): the browser's own traffic is told
 * apart from the app's without weakening what the privacy tests prove.
 *  - With the harness's switches, Chromium 156's own requests (the component
 *    updater among them) reach the loopback sink, are reported by name, and
 *    fail nothing; nothing reaches the trap proxy.
 *  - A request a page or a worker makes to another origin still fails
 *    assertClean, the N1 check, even when its host is one of Chromium's own
 *    service hosts; with routing off it reaches the trap and is still the
 *    app's, and the NetLog check (N2) counts its host as the app's by the
 *    request's initiator.
 *  - A browser request that carries a user mark fails assertClean.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { openApp, skipReason, type App } from './harness.ts';
import { readNetLog } from './netlog.ts';

/** A page that fetches what it is told to (see inject). */
function injectorRoot(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-e2e-harness-'));
  writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>injector</title><p>injector</p>');
  return dir;
}

/**
 * Fetches `url` from the page, or from a dedicated worker; resolves when it
 * failed or answered. The worker is made from a blob so that it inherits the
 * page's lifted CSP (a worker script served by the harness brings the app's
 * own CSP, which would refuse the request before anything saw it).
 */
async function inject(app: App, url: string, from: 'page' | 'worker'): Promise<string> {
  return app.page.evaluate(async ({ url, from }) => {
    if (from === 'page') return fetch(url).then(() => 'answered', (e: Error) => String(e));
    const code = "onmessage = async (e) => { try { await fetch(e.data); postMessage('answered'); } catch (x) { postMessage(String(x)); } };";
    const w = new Worker(URL.createObjectURL(new Blob([code], { type: 'text/javascript' })));
    return new Promise<string>((resolve) => {
      w.onmessage = (e) => resolve(String(e.data));
      w.postMessage(url);
    });
  }, { url, from });
}

/** Waits until `ok()` or `ms` passed. */
async function until(ok: () => boolean, ms: number): Promise<void> {
  for (const end = Date.now() + ms; !ok() && Date.now() < end; ) await new Promise((r) => setTimeout(r, 100));
}

describe('the e2e harness tells the browser\'s traffic from the app\'s', { timeout: 300_000, skip: skipReason }, () => {
  const root = injectorRoot();
  after(() => rmSync(root, { recursive: true, force: true }));

  describe('a fresh profile, routing on', () => {
    let app: App;
    before(async () => {
      app = await openApp('', { root, bypassCSP: true });
    });
    after(async () => {
      await app?.close();
    });

    it("Chromium's own requests reach the loopback sink, are named, and fail nothing", async (t) => {
      // Chromium 156 asks its component updater for the on-device models manifest about 1.5 s after start
      await until(() => app.browser.some((r) => r.service === 'component updater'), 15_000);
      t.diagnostic(app.browserSummary());
      const updater = app.browser.filter((r) => r.service === 'component updater');
      assert.ok(updater.length >= 1, `the component updater's check was seen: ${app.browserSummary()}`);
      assert.ok(updater.every((r) => r.via === 'sink' && /^POST \/update\//.test(r.request)), updater.map((r) => r.request).join('\n'));
      assert.match(updater[0].content, /x-goog-update-appid: \w{32}/, 'its headers name the component');
      assert.deepEqual(app.browser.filter((r) => r.via === 'trap'), [], 'nothing of the browser reached the trap proxy');
      assert.deepEqual(app.foreign, []);
      app.assertClean();
    });

    it("a page's or a worker's request to another origin fails, even to a Chromium service host", async () => {
      const urls = {
        page: 'https://update.googleapis.com/service/update2/json?from=page',
        pageOther: 'http://collect.example.net/beacon?from=page',
        worker: 'https://clients2.google.com/service/update2/crx?from=worker',
      };
      assert.match(await inject(app, urls.page, 'page'), /TypeError/);
      assert.match(await inject(app, urls.pageOther, 'page'), /TypeError/);
      assert.match(await inject(app, urls.worker, 'worker'), /TypeError/);
      assert.deepEqual([...app.foreign].sort(), Object.values(urls).sort(), 'each recorded as the app\'s');
      assert.ok(!app.browser.some((r) => /from=(page|worker)/.test(r.request)), 'none taken for the browser\'s');
      assert.throws(() => app.assertClean(), (e: Error) => Object.values(urls).every((u) => e.message.includes(`request outside the page's origin: ${u}`)));
      app.foreign.length = 0;
      // the fetches failed (blocked), which the page may log; that is the test's doing
      app.consoleErrors.length = 0;
    });

    it('a browser request carrying a user mark fails', () => {
      // the component updater's request names the component it asks for: call that id the user's
      const id = /x-goog-update-appid: (\w{32})/.exec(app.browser.find((r) => r.service === 'component updater')!.content)![1];
      app.userMarks.push(id);
      assert.throws(() => app.assertClean(), new RegExp(`browser request with user data: component updater .* carries the user's ${id}`));
      app.userMarks.pop();
      app.assertClean();
    });
  });

  describe('routing off: an injected request reaches the trap proxy and the NetLog', () => {
    let app: App;
    const dir = mkdtempSync(path.join(tmpdir(), 'aw-e2e-harness-netlog-'));
    const netlog = path.join(dir, 'netlog.json');
    before(async () => {
      app = await openApp('', { root, bypassCSP: true, routing: false, args: [`--log-net-log=${netlog}`, '--net-log-capture-mode=Everything'] });
    });
    after(async () => {
      await app?.close();
      rmSync(dir, { recursive: true, force: true });
    });

    it('the trap refuses it and counts it as the app\'s; N2 counts its host as the app\'s by its initiator', async (t) => {
      const url = 'https://update.googleapis.com/service/update2/json?from=page';
      await inject(app, url, 'page');
      await until(() => app.foreign.includes('CONNECT update.googleapis.com:443'), 5_000);
      assert.ok(app.foreign.includes(url), `Playwright saw the page's request: ${app.foreign.join(', ')}`);
      assert.ok(app.foreign.includes('CONNECT update.googleapis.com:443'), `the trap took the CONNECT as the app's: ${app.foreign.join(', ')}`);
      assert.ok(!app.browser.some((r) => r.request.includes('update.googleapis.com')), 'not as the browser\'s');
      const origin = new URL(app.url).origin;
      await app.close();
      const log = readNetLog(readFileSync(netlog, 'utf8'), origin);
      t.diagnostic(`app: ${log.app.join('; ')}`);
      t.diagnostic(`browser: ${log.browserRequests.join('; ')}`);
      assert.ok(log.app.some((x) => x.startsWith('update.googleapis.com')), `N2 names update.googleapis.com as the app's: ${log.app.join('; ')}`);
      assert.deepEqual(log.browserHosts, [], 'and not as the browser\'s');
      assert.ok(log.browserRequests.some((x) => /^component updater POST http:\/\/127\.0\.0\.1:\d+\/update\//.test(x)), `the browser's own updater request is named: ${log.browserRequests.join('; ')}`);
    });
  });
});
