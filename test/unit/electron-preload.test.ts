/** The preload's `window.workbench` (S3, checklist 20) and the renderer's Electron HostBridge, both in plain Node with fakes. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import type { EnginePortMessage, WorkbenchApi } from '../../common/electronApi.ts';
import { SEND_CHANNELS, TO_RENDERER } from '../../main/ipcChannels.ts';
import { WORKBENCH_API_KEYS, cleanIpcError, createWorkbenchApi, enginePortMessage, forwardEnginePorts, type PreloadDeps } from '../../main/preloadApi.ts';
import { ElectronHost, createElectronHost, folderOf, relativeTo, safeFileName } from '../../renderer/host/electron.ts';

type Listener = Parameters<EventEmitter['on']>[1];

function fakeIpc() {
  const em = new EventEmitter();
  const invoked: unknown[][] = [];
  const sent: unknown[][] = [];
  const ipc = {
    invoke: async (channel: string, ...args: unknown[]) => {
      invoked.push([channel, ...args]);
      if (channel === 'workbench:open-recent') throw new Error("Error invoking remote method 'workbench:open-recent': IpcRefused: refused workbench:open-recent: path must be an absolute path");
      return { channel };
    },
    send: (channel: string, ...args: unknown[]) => void sent.push([channel, ...args]),
    on: (c: string, l: Listener) => em.on(c, l),
    removeListener: (c: string, l: Listener) => em.removeListener(c, l),
  };
  return { ipc, em, invoked, sent };
}

describe('preload API', () => {
  const posted: unknown[][] = [];
  const f = fakeIpc();
  const deps: PreloadDeps = {
    ipcRenderer: f.ipc as unknown as PreloadDeps['ipcRenderer'],
    webUtils: { getPathForFile: (file: File) => `/dropped/${file.name}` },
    window: { postMessage: (...a: unknown[]) => void posted.push(a), location: { origin: 'app://workbench' } },
  };
  const api = createWorkbenchApi(deps);

  it('is one frozen object with exactly the allow-listed functions', () => {
    assert.ok(Object.isFrozen(api));
    assert.deepEqual(Object.keys(api).sort(), [...WORKBENCH_API_KEYS].sort());
    for (const k of WORKBENCH_API_KEYS) assert.equal(typeof api[k], 'function', k);
    assert.ok(!('ipcRenderer' in api) && !('invoke' in api) && !('send' in api) && !('on' in api));
  });

  it('maps each function to its channel, arguments unchanged', async () => {
    await api.pickDataFiles();
    await api.saveNotebook({ text: 't', suggestedName: 'n.attrib.md' });
    await api.writeRecovery('r');
    await api.exportFile({ suggestedName: 'a.csv', data: new Uint8Array([1]) });
    assert.deepEqual(f.invoked.map((c) => c[0]), ['workbench:pick-data-files', 'workbench:save-notebook', 'workbench:write-recovery', 'workbench:export-file']);
    assert.deepEqual(f.invoked[1][1], { text: 't', suggestedName: 'n.attrib.md' });
    api.connectEngine();
    assert.deepEqual(f.sent, [[SEND_CHANNELS.connectEngine]]);
    assert.equal(api.getPathForFile({ name: 'e.csv' } as File), '/dropped/e.csv');
  });

  it('turns main refusals into plain errors', async () => {
    await assert.rejects(api.openRecent('x'), (e: Error) => e.message === 'refused workbench:open-recent: path must be an absolute path');
    assert.equal(cleanIpcError(new Error("Error invoking remote method 'a': Error: gone")).message, 'gone');
  });

  it('passes menu commands as bare ids (never the IPC event) and unsubscribes', () => {
    const got: unknown[][] = [];
    const off = api.onMenuCommand((...a: unknown[]) => void got.push(a));
    f.em.emit(TO_RENDERER.menuCommand, { sender: 'secret', ports: [] }, 'notebook.save');
    f.em.emit(TO_RENDERER.menuCommand, { sender: 'secret', ports: [] }, { not: 'an id' });
    off();
    f.em.emit(TO_RENDERER.menuCommand, { sender: 'secret', ports: [] }, 'notebook.open');
    assert.deepEqual(got, [['notebook.save']]);
    assert.equal(f.em.listenerCount(TO_RENDERER.menuCommand), 0);
    assert.throws(() => api.onMenuCommand('nope' as unknown as () => void), TypeError);
  });

  it('forwards engine ports to the page, to its own origin, with only the known fields', () => {
    forwardEnginePorts(deps);
    const port = { fake: 'port' } as unknown as MessagePort;
    f.em.emit(TO_RENDERER.enginePort, { ports: [port], sender: 'secret' }, { generation: 2, restarted: true, failed: false, reason: 'exit 9', extra: 'dropped' });
    assert.deepEqual(posted, [[{ type: 'workbench:engine-port', generation: 2, restarted: true, failed: false, reason: 'exit 9' }, 'app://workbench', [port]]]);
    assert.deepEqual(enginePortMessage(null), { type: 'workbench:engine-port', generation: 0, restarted: false, failed: false });
  });
});

/** A page window: an EventTarget with an origin; `post` delivers a message as the preload's postMessage would. */
function fakeWindow(origin = 'app://workbench') {
  const w = Object.assign(new EventTarget(), { location: { origin } });
  const post = (data: unknown, ports: MessagePort[] = [], from: { source?: unknown; origin?: string } = {}) =>
    w.dispatchEvent(Object.assign(new Event('message'), { data, ports, source: 'source' in from ? from.source : w, origin: from.origin ?? origin }));
  return { w: w as unknown as Window, post };
}

function fakeApi(over: Partial<WorkbenchApi> = {}): WorkbenchApi & { connects: number } {
  const api = {
    connects: 0,
    connectEngine() {
      api.connects++;
    },
    pickDataFiles: async () => [{ name: 'e.csv', size: 3, path: '/home/u/q3/data/e.csv' }],
    openNotebook: async () => ({ name: 'n.attrib.md', path: '/home/u/q3/n.attrib.md', text: '# n' }),
    saveNotebook: async (a: { suggestedName: string; path?: string }) => ({ name: a.suggestedName, path: a.path ?? `/home/u/other/${a.suggestedName}` }),
    exportFile: async () => true,
    writeRecovery: async () => {},
    readRecovery: async () => null,
    clearRecovery: async () => {},
    recentNotebooks: async () => [{ name: 'n.attrib.md', path: '/home/u/q3/n.attrib.md' }],
    openRecent: async () => null,
    appInfo: async () => ({ name: '', version: '', platform: '', electron: '', chrome: '', node: '' }),
    onMenuCommand: () => () => {},
    getPathForFile: (f: File) => (f.name === 'web.txt' ? '' : `/home/u/q3/drops/${f.name}`),
    ...over,
  };
  return api as WorkbenchApi & { connects: number };
}

const msg = (m: Partial<EnginePortMessage>): EnginePortMessage => ({ type: 'workbench:engine-port', generation: 1, restarted: false, failed: false, ...m });

describe('ElectronHost (renderer/host/electron.ts)', () => {
  it('exists only where window.workbench does', () => {
    assert.equal(createElectronHost(fakeWindow().w), null);
    const { w } = fakeWindow();
    (w as unknown as { workbench: WorkbenchApi }).workbench = fakeApi();
    assert.ok(createElectronHost(w) instanceof ElectronHost);
  });

  it('enginePort resolves with the preload-forwarded port, started; restarts replace it and are announced', async () => {
    const { w, post } = fakeWindow();
    const api = fakeApi();
    const host = new ElectronHost(api, w);
    const events: unknown[] = [];
    host.onEngineEvent((e) => events.push(e));
    const pending = host.enginePort();
    host.enginePort();
    assert.equal(api.connects, 1);
    const a = new MessageChannel();
    post(msg({}), [a.port1], { source: null }); // not from this window: ignored
    post(msg({}), [a.port1], { origin: 'https://evil' }); // wrong origin: ignored
    post({ type: 'something-else' }, [a.port1]);
    post(msg({}), [a.port1]);
    assert.equal(await pending, a.port1);
    const b = new MessageChannel();
    post(msg({ generation: 2, restarted: true, reason: 'exit 134' }), [b.port1]);
    assert.equal(await host.enginePort(), b.port1);
    assert.deepEqual(events, [{ type: 'restarted', reason: 'exit 134' }]);
    post(msg({ failed: true, reason: 'gave up' }));
    await assert.rejects(host.enginePort(), /gave up/);
    assert.deepEqual(events.at(-1), { type: 'failed', reason: 'gave up' });
    for (const c of [a, b]) {
      c.port1.close();
      c.port2.close();
    }
  });

  it('gives picked and dropped files as paths, relative to the notebook folder once known', async () => {
    const { w } = fakeWindow();
    const host = new ElectronHost(fakeApi(), w);
    assert.deepEqual(await host.pickDataFiles(), [{ name: 'e.csv', size: 3, ref: { kind: 'path', path: '/home/u/q3/data/e.csv' } }]);
    const nb = await host.openNotebook();
    assert.deepEqual(nb, { name: 'n.attrib.md', text: '# n', handle: '/home/u/q3/n.attrib.md' });
    assert.equal((await host.pickDataFiles())[0].relativePath, 'data/e.csv');
    const files = [new File(['abc'], 'drop.parquet'), new File(['x'], 'web.txt')];
    const dropped = host.droppedFiles({ dataTransfer: { files } } as unknown as DragEvent);
    assert.deepEqual(dropped, [{ name: 'drop.parquet', size: 3, ref: { kind: 'path', path: '/home/u/q3/drops/drop.parquet' }, relativePath: 'drops/drop.parquet' }]);
    const saved = await host.saveNotebook('t', 'a/b.attrib.md');
    assert.deepEqual(saved, { name: 'a_b.attrib.md', handle: '/home/u/other/a_b.attrib.md' });
    assert.equal((await host.pickDataFiles())[0].relativePath, '../q3/data/e.csv');
    assert.deepEqual(await host.recentNotebooks(), [{ name: 'n.attrib.md', handle: '/home/u/q3/n.attrib.md' }]);
    assert.equal(await host.openRecent({ not: 'a path' }), null);
  });

  it('exports a Blob as bytes', async () => {
    let got: Uint8Array | undefined;
    const host = new ElectronHost(fakeApi({ exportFile: async (a) => ((got = a.data), true) }), fakeWindow().w);
    assert.equal(await host.exportFile('c.csv', new Blob(['a,b\n'])), true);
    assert.equal(new TextDecoder().decode(got), 'a,b\n');
  });

  it('path helpers', () => {
    assert.equal(folderOf('/a/b/c.md'), '/a/b');
    assert.equal(folderOf('/c.md'), '/');
    assert.equal(folderOf('C:\\x\\n.md'), 'C:\\x');
    assert.equal(folderOf('C:\\n.md'), 'C:\\');
    assert.equal(relativeTo('/a/b', '/a/b/c/d.csv'), 'c/d.csv');
    assert.equal(relativeTo('/a/b', '/a/x.csv'), '../x.csv');
    assert.equal(relativeTo('C:\\Users\\U\\nb', 'c:\\users\\u\\data\\e.csv'), '../data/e.csv');
    assert.equal(relativeTo('C:\\nb', 'D:\\e.csv'), undefined);
    assert.equal(relativeTo('/a', 'C:\\e.csv'), undefined);
    assert.equal(safeFileName('../x'), '.._x');
    assert.equal(safeFileName('  '), 'untitled');
  });
});
