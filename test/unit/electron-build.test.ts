/**
 * The esbuild bundles (scripts/build-main.mjs), built into test/artifacts and
 * run in plain Node: the preload requires nothing but 'electron', the bundled
 * main starts against a fake Electron, and the bundled engine host answers a
 * query over a port as it would in the utility process (a worker thread
 * stands in for it, with a process.parentPort shim).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EngineClient } from '../../common/client.ts';
import { fakeElectron } from './electronFake.ts';
import { buildMain, requiredModules } from '../../scripts/build-main.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = path.join(root, 'test', 'artifacts', 'electron-build', 'main');
let files: string[];

before(async () => {
  rmSync(path.dirname(out), { recursive: true, force: true });
  files = await buildMain({ outDir: out, quiet: true });
});

describe('build:main bundles', () => {
  it('writes main.cjs, preload.cjs and engine-host.cjs', () => {
    assert.deepEqual(files.map((f) => path.basename(f)).sort(), ['engine-host.cjs', 'main.cjs', 'preload.cjs']);
    for (const f of files) assert.ok(existsSync(f), f);
  });

  it('the sandboxed preload requires only electron; main only electron and Node built-ins', () => {
    const reqs = (name: string) => new Set<string>(requiredModules(readFileSync(path.join(out, name), 'utf8')));
    assert.deepEqual([...reqs('preload.cjs')], ['electron']);
    for (const m of reqs('main.cjs')) assert.ok(m === 'electron' || m.startsWith('node:'), m);
    for (const m of reqs('engine-host.cjs')) assert.ok(m.startsWith('node:') || m.startsWith('@duckdb/'), m);
    assert.ok(!readFileSync(path.join(out, 'preload.cjs'), 'utf8').includes('ipcRenderer.sendSync'));
  });

  it('bundled main starts against a fake Electron, with its paths worked out from its own folder', async () => {
    const ud = path.join(path.dirname(out), 'userData');
    mkdirSync(path.join(path.dirname(out), 'renderer'), { recursive: true });
    writeFileSync(path.join(path.dirname(out), 'renderer', 'index.html'), '<!doctype html>');
    const f = fakeElectron(ud);
    const require = createRequire(import.meta.url);
    const id = require.resolve('electron');
    const saved = require.cache[id];
    require.cache[id] = { id, filename: id, loaded: true, exports: f.electron } as unknown as NodeJS.Module;
    try {
      require(path.join(out, 'main.cjs'));
    } finally {
      if (saved) require.cache[id] = saved;
      else delete require.cache[id];
    }
    assert.equal(f.calls[0], 'app.enableSandbox');
    await f.ready();
    assert.equal(f.windows.length, 1);
    assert.equal(f.windows[0].options.webPreferences.preload, path.join(out, 'preload.cjs'));
    assert.equal(f.forks[0].modulePath, path.join(out, 'engine-host.cjs'));
    const index = await f.protocolHandlers.get('app')!({ url: 'app://workbench/' });
    assert.equal(index.status, 200, 'serves ../renderer beside dist/main');
    f.app.emit('before-quit');
  });

  it('bundled engine host serves a real engine over a port', async () => {
    const shim = `
      const { parentPort, workerData } = require('node:worker_threads');
      const { EventEmitter } = require('node:events');
      const pp = new EventEmitter();
      process.parentPort = pp;
      parentPort.on('message', ({ port }) => {
        const em = new EventEmitter();
        const hp = {
          on: (e, f) => (em.on(e, f), hp),
          postMessage: (m) => port.postMessage(m),
          start: () => port.on('message', (data) => em.emit('message', { data })),
          close: () => port.close(),
        };
        port.on('close', () => em.emit('close'));
        pp.emit('message', { data: { type: 'connect' }, ports: [hp] });
      });
      require(workerData.entry);
    `;
    const worker = new Worker(shim, { eval: true, argv: [`--models-dir=${path.join(root, 'models')}`], workerData: { entry: path.join(out, 'engine-host.cjs') } });
    try {
      const { port1, port2 } = new MessageChannel();
      worker.postMessage({ port: port2 }, [port2]);
      const client = new EngineClient(port1);
      assert.deepEqual(await client.call('query', { sql: 'SELECT 6 * 7 AS answer' }).result, [{ answer: 42 }]);
      port1.close();
    } finally {
      await worker.terminate();
    }
  });
});
