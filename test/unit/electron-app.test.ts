/**
 * The main process's start-up, run against a fake Electron in plain Node:
 * what is called before `ready` (sandbox for all renderers, S2; the privileged
 * scheme) and after it (session guards, app:// and file:// handlers, IPC, menu,
 * the window, the engine utility process), and the wiring between them.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startApp, type AppPaths } from '../../main/app.ts';
import { CSP } from '../../main/appProtocol.ts';
import { INVOKE_CHANNELS, SEND_CHANNELS, TO_RENDERER } from '../../main/ipcChannels.ts';
import { WEB_PREFERENCES } from '../../main/security.ts';
import { fakeElectron } from './electronFake.ts';

let dir: string;
let paths: AppPaths;
before(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'aw-app-'));
  const renderer = path.join(dir, 'dist', 'renderer');
  mkdirSync(renderer, { recursive: true });
  writeFileSync(path.join(renderer, 'index.html'), '<!doctype html>');
  paths = { rendererDir: renderer, preload: '/app/dist/main/preload.cjs', engineHost: '/app/dist/main/engine-host.cjs', modelsDir: '/app/models' };
});
after(() => rmSync(dir, { recursive: true, force: true }));

describe('startApp', () => {
  it('before ready: sandboxes every renderer and registers the privileged scheme, and opens nothing yet', () => {
    const f = fakeElectron(path.join(dir, 'ud0'));
    startApp(f.electron, paths, () => {});
    const i = (s: string) => f.calls.findIndex((c) => c.startsWith(s));
    assert.ok(i('app.enableSandbox') === 0, 'enableSandbox first');
    assert.ok(i('protocol.registerSchemesAsPrivileged') > 0 && i('protocol.registerSchemesAsPrivileged') < i('app.whenReady'));
    assert.match(f.calls[i('protocol.registerSchemesAsPrivileged')], /"scheme":"app".*"standard":true.*"secure":true/);
    assert.equal(f.windows.length, 0);
    assert.equal(f.forks.length, 0);
    assert.equal(f.app.listenerCount('web-contents-created'), 1);
  });

  it('quits at once when another instance runs', () => {
    const f = fakeElectron(path.join(dir, 'ud1'), { lock: false });
    startApp(f.electron, paths, () => {});
    assert.ok(f.calls.includes('app.quit'));
    assert.ok(!f.calls.includes('app.whenReady'));
  });

  it('on ready: guards the session, serves app:// (file:// refused), registers IPC, menu, window and engine', async () => {
    const ud = path.join(dir, 'ud2');
    mkdirSync(ud);
    const f = fakeElectron(ud);
    startApp(f.electron, paths, () => {});
    await f.ready();

    // Session (S10, no network, no spellchecker).
    assert.deepEqual(f.sessionCalls.spell, [false]);
    for (const k of ['request', 'check', 'device', 'beforeRequest']) assert.ok(f.sessionCalls[k], k);

    // Schemes.
    const appRes = await f.protocolHandlers.get('app')!({ url: 'app://workbench/index.html', method: 'GET' });
    assert.equal(appRes.status, 200);
    assert.equal(appRes.headers.get('content-security-policy'), CSP);
    assert.equal((await f.protocolHandlers.get('app')!({ url: 'app://workbench/../../etc/passwd' })).status, 404);
    assert.equal((await f.protocolHandlers.get('file')!({ url: 'file:///etc/passwd' })).status, 403);

    // IPC: exactly the allow-list.
    assert.deepEqual([...f.handled.keys()].sort(), [...INVOKE_CHANNELS].sort());

    // Menu from the registry.
    assert.deepEqual(f.menu()!.template.map((m) => m.label).filter(Boolean).slice(-5), ['File', 'Edit', 'View', 'Run', 'Help']);

    // One window, hardened, loading the app origin.
    assert.equal(f.windows.length, 1);
    const w = f.windows[0];
    assert.equal(w.url, 'app://workbench/index.html');
    const prefs = w.options.webPreferences;
    for (const [k, v] of Object.entries(WEB_PREFERENCES)) assert.equal(prefs[k], v, k);
    assert.equal(prefs.preload, paths.preload);
    assert.equal(w.options.show, false);

    // Engine utility process with the models folder.
    assert.equal(f.forks.length, 1);
    assert.equal(f.forks[0].modulePath, paths.engineHost);
    assert.deepEqual(f.forks[0].args, ['--models-dir=/app/models']);

    // A page asks for the engine: one port to the utility process, the other to that page.
    f.ipcMain.emit(SEND_CHANNELS.connectEngine, { senderFrame: { url: 'app://workbench/index.html', parent: null }, sender: w.webContents });
    assert.deepEqual(f.forks[0].child.received[0][0], { type: 'connect' });
    assert.equal(w.webContents.sent[0][0], 'postMessage');
    assert.equal(w.webContents.sent[0][1], TO_RENDERER.enginePort);
    assert.deepEqual(w.webContents.sent[0][2], { generation: 1, restarted: false, failed: false });
    // A stranger cannot.
    f.ipcMain.emit(SEND_CHANNELS.connectEngine, { senderFrame: { url: 'https://evil/', parent: null }, sender: w.webContents });
    assert.equal(f.forks[0].child.received.length, 1);

    // Every new web contents is hardened.
    const wc = new f.FakeWebContents();
    f.app.emit('web-contents-created', {}, wc);
    assert.ok(wc.openHandler, 'window.open handler installed');

    // Closing saves the window state in userData.
    w.emit('close');
    assert.deepEqual(JSON.parse(readFileSync(path.join(ud, 'window-state.json'), 'utf8')), { bounds: { x: 10, y: 20, width: 1000, height: 700 }, maximized: false });

    // A crash of the engine process restarts it and hands the page a new port.
    f.forks[0].child.emit('exit', 139);
    await new Promise((r) => setTimeout(r, 400));
    assert.equal(f.forks.length, 2);
    const last = w.webContents.sent.at(-1)!;
    assert.equal(last[1], TO_RENDERER.enginePort);
    assert.deepEqual(last[2], { generation: 2, restarted: true, failed: false, reason: 'the engine process exited (code 139)' });
    f.app.emit('before-quit');
    assert.ok(existsSync(path.join(ud, 'window-state.json')));
  });
});
