/** Electron hardening in plain Node: webPreferences (S1), navigation and window guards (S5, S6), session guards (S10, no network). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session, WebContents } from 'electron';
import {
  WEB_PREFERENCES,
  hardenSession,
  hardenWebContents,
  isAllowedNavigation,
  isAllowedRequestUrl,
  isAppUrl,
  webPreferences,
} from '../../main/security.ts';

describe('webPreferences (S1)', () => {
  it('isolates, sandboxes and strips the page of Node, webviews and the spellchecker', () => {
    const p = webPreferences('/app/dist/main/preload.cjs', { devTools: false });
    assert.equal(p.contextIsolation, true);
    assert.equal(p.sandbox, true);
    assert.equal(p.nodeIntegration, false);
    assert.equal(p.nodeIntegrationInWorker, false);
    assert.equal(p.nodeIntegrationInSubFrames, false);
    assert.equal(p.webSecurity, true);
    assert.equal(p.allowRunningInsecureContent, false);
    assert.equal(p.experimentalFeatures, false);
    assert.equal(p.webviewTag, false);
    assert.equal(p.navigateOnDragDrop, false);
    assert.equal(p.spellcheck, false);
    assert.equal(p.enableBlinkFeatures, undefined);
    assert.equal(p.preload, '/app/dist/main/preload.cjs');
    assert.equal(p.devTools, false);
  });
  it('cannot be changed at run time', () => {
    assert.ok(Object.isFrozen(WEB_PREFERENCES));
    assert.throws(() => {
      (WEB_PREFERENCES as { sandbox: boolean }).sandbox = false;
    });
  });
});

describe('URL policy', () => {
  it('knows app pages by parsing, not by prefix', () => {
    assert.ok(isAppUrl('app://workbench/index.html'));
    assert.ok(isAppUrl('app://workbench/'));
    assert.ok(!isAppUrl('app://workbench.attacker.com/index.html'));
    assert.ok(!isAppUrl('app://x.attacker/'));
    assert.ok(!isAppUrl('app://user@workbench/'));
    assert.ok(!isAppUrl('app://workbench:8080/'));
    assert.ok(!isAppUrl('https://workbench/'));
    assert.ok(!isAppUrl('file:///etc/passwd'));
    assert.ok(!isAppUrl('not a url'));
  });
  it('lets navigation reach app pages and devtools only', () => {
    assert.ok(isAllowedNavigation('app://workbench/index.html'));
    assert.ok(isAllowedNavigation('devtools://devtools/bundled/inspector.html'));
    for (const u of ['https://example.com', 'http://127.0.0.1:8080/', 'file:///etc/passwd', 'app://x.attacker/', 'javascript:alert(1)', 'data:text/html,hi']) {
      assert.ok(!isAllowedNavigation(u), u);
    }
  });
  it('lets requests through for app:, devtools:, data: and blob: only (no network)', () => {
    for (const u of ['app://workbench/assets/x.js', 'devtools://devtools/x', 'data:image/png;base64,AAAA', 'blob:app://workbench/0b1c']) assert.ok(isAllowedRequestUrl(u), u);
    for (const u of ['https://example.com/', 'http://localhost/', 'ws://127.0.0.1/', 'wss://x/', 'file:///etc/passwd', 'ftp://x/', 'app://evil/', 'chrome://gpu', 'garbage']) {
      assert.ok(!isAllowedRequestUrl(u), u);
    }
  });
});

class FakeEvent {
  prevented = false;
  constructor(readonly url: string) {}
  preventDefault() {
    this.prevented = true;
  }
}

describe('hardenWebContents (S5, S6)', () => {
  const wc = new EventEmitter() as EventEmitter & { openHandler?: (d: { url: string }) => { action: string } };
  (wc as unknown as { setWindowOpenHandler(h: (d: { url: string }) => { action: string }): void }).setWindowOpenHandler = (h) => (wc.openHandler = h);
  const log: string[] = [];
  hardenWebContents(wc as unknown as WebContents, (m) => log.push(m));

  for (const ev of ['will-navigate', 'will-redirect', 'will-frame-navigate']) {
    it(`${ev}: prevented for https, file and look-alike hosts; allowed within the app`, () => {
      for (const url of ['https://example.com', 'file:///etc/passwd', 'app://x.attacker/', 'app://workbench.attacker.com/']) {
        const e = new FakeEvent(url);
        wc.emit(ev, e, url);
        assert.equal(e.prevented, true, url);
      }
      const ok = new FakeEvent('app://workbench/index.html');
      wc.emit(ev, ok, ok.url);
      assert.equal(ok.prevented, false);
    });
  }
  it('lets an iframe start blank, never the main frame', () => {
    const sub = Object.assign(new FakeEvent('about:blank'), { isMainFrame: false });
    wc.emit('will-frame-navigate', sub);
    assert.equal(sub.prevented, false);
    const main = Object.assign(new FakeEvent('about:blank'), { isMainFrame: true });
    wc.emit('will-frame-navigate', main);
    assert.equal(main.prevented, true);
    const subOut = Object.assign(new FakeEvent('https://example.com/'), { isMainFrame: false });
    wc.emit('will-frame-navigate', subOut);
    assert.equal(subOut.prevented, true);
  });
  it('denies every window.open', () => {
    assert.deepEqual(wc.openHandler!({ url: 'https://example.com' }), { action: 'deny' });
    assert.deepEqual(wc.openHandler!({ url: 'app://workbench/index.html' }), { action: 'deny' });
  });
  it('refuses <webview>', () => {
    const e = new FakeEvent('');
    wc.emit('will-attach-webview', e, {}, {});
    assert.equal(e.prevented, true);
    assert.ok(log.some((l) => l.includes('webview')));
  });
});

describe('hardenSession (S10, no network)', () => {
  const calls: Record<string, unknown[]> = {};
  const record =
    (name: string) =>
    (...a: unknown[]) =>
      (calls[name] = a);
  const ses = Object.assign(new EventEmitter(), {
    setPermissionRequestHandler: record('request'),
    setPermissionCheckHandler: record('check'),
    setDevicePermissionHandler: record('device'),
    setSpellCheckerEnabled: record('spell'),
    webRequest: { onBeforeRequest: record('beforeRequest') },
  });
  hardenSession(ses as unknown as Session);

  it('denies every permission request and check', async () => {
    const request = calls.request[0] as (wc: unknown, p: string, cb: (ok: boolean) => void) => void;
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fileSystem', 'openExternal']) {
      const granted = await new Promise<boolean>((res) => request(null, p, res));
      assert.equal(granted, false, p);
    }
    const check = calls.check[0] as (wc: unknown, p: string) => boolean;
    assert.equal(check(null, 'clipboard-read'), false);
    const device = calls.device[0] as (d: unknown) => boolean;
    assert.equal(device({}), false);
  });
  it('cancels every request that is not app:, devtools:, data: or blob:', async () => {
    const before = calls.beforeRequest[0] as (d: { url: string }, cb: (r: { cancel: boolean }) => void) => void;
    const cancel = (url: string) => new Promise<boolean>((res) => before({ url }, (r) => res(r.cancel)));
    assert.equal(await cancel('https://example.com/'), true);
    assert.equal(await cancel('http://169.254.169.254/'), true);
    assert.equal(await cancel('file:///etc/passwd'), true);
    assert.equal(await cancel('app://workbench/index.html'), false);
    assert.equal(await cancel('data:,x'), false);
  });
  it('turns the spellchecker off and refuses downloads', () => {
    assert.deepEqual(calls.spell, [false]);
    const e = new FakeEvent('');
    ses.emit('will-download', e, {}, {});
    assert.equal(e.prevented, true);
  });
});

describe('what the app never uses (S7, S12)', () => {
  const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
  const sources = readdirSync(path.join(root, 'main')).map((f) => [f, readFileSync(path.join(root, 'main', f), 'utf8')] as const);
  it('no shell.openExternal, no @electron/remote, no nodeIntegration: true anywhere in main/', () => {
    for (const [f, text] of sources) {
      assert.ok(!/openExternal\s*\(/.test(text), `${f} calls openExternal`);
      assert.ok(!text.includes('@electron/remote'), f);
      assert.ok(!/nodeIntegration\w*:\s*true|contextIsolation:\s*false|sandbox:\s*false|webSecurity:\s*false/.test(text), f);
      assert.ok(!/loadFile\s*\(|file:\/\/\$\{|pathToFileURL\([^)]*\)\.href\s*\)/.test(text.replace(/\/\/.*$/gm, '')), `${f} loads file://`);
    }
  });
  it('@electron/remote is not in the dependency tree, and Electron is a supported major', () => {
    const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version?: string }> };
    assert.ok(!Object.keys(lock.packages).some((k) => k.endsWith('node_modules/@electron/remote')));
    const electron = lock.packages['node_modules/electron'];
    assert.ok(Number(electron.version!.split('.')[0]) >= 37, `electron ${electron.version}`);
  });
});
