/**
 * Packaging for real with electron-builder (`--linux dir`), without
 * downloading anything: a stub "Electron" (a script carrying Electron 39's
 * fuse wire) stands in for the binary through `electronDist`. So the run
 * checks what electron-builder itself does with electron-builder.cjs: the
 * fuses it flips (read back by the afterAllArtifactBuild hook and here), what
 * app.asar holds and what is unpacked, resources/models and the icon, and
 * that the engine host bundle answers a model run from the packaged files
 * alone (extracted outside the repository, so no node_modules of ours helps).
 * Where an Electron binary exists, the same is packaged with it and its fuses read.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MessageChannel, Worker } from 'node:worker_threads';
import { EngineClient } from '../../common/client.ts';
import { buildMain } from '../../scripts/build-main.mjs';
import { checkFuses, fuseDifferences } from '../../scripts/check-fuses.mjs';
import { electronBinary } from '../../scripts/dist.mjs';
import { ensureWebBuild } from '../../scripts/webbuild.mjs';
import { packagingFixtures } from './packagingFixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const asar = require('@electron/asar') as { listPackage(p: string, o: object): string[]; extractAll(a: string, d: string): void; statFile(a: string, f: string): { unpacked?: boolean } };
const cli = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
const fx = packagingFixtures('packaging-build');
// electron-builder's Linux packaging (symlinks, modes) does not run on Windows.
const skip = process.platform === 'win32' ? 'skipped: Linux packaging does not run on Windows' : false;

/** Runs electron-builder on electron-builder.cjs with extra `-c.` overrides; returns its exit status and output. */
function builder(args: string[]): { status: number | null; out: string } {
  const r = spawnSync(process.execPath, [cli, '--config', 'electron-builder.cjs', '--publish', 'never', ...args], { cwd: root, encoding: 'utf8', timeout: 300_000 });
  return { status: r.status, out: `${r.stdout}\n${r.stderr}` };
}

describe('electron-builder --linux dir with a stub Electron', { skip, timeout: 400_000 }, () => {
  const out = path.join(fx.dir, 'release');
  const unpacked = path.join(out, 'linux-unpacked');
  const resources = path.join(unpacked, 'resources');
  const appAsar = path.join(resources, 'app.asar');
  let run: { status: number | null; out: string };

  before(async () => {
    await buildMain({ quiet: true });
    assert.ok(ensureWebBuild({ log: () => {} }), 'the web build failed');
    // Electron 39's stock fuse wire (what electron-builder has to flip).
    fx.stubElectron('electron-dist/electron', '101100011');
    run = builder(['--linux', 'dir', `-c.electronDist=${path.join(fx.dir, 'electron-dist')}`, `-c.directories.output=${out}`]);
  });

  it('packages, flips the fuses and reads them back (afterAllArtifactBuild)', async () => {
    assert.equal(run.status, 0, run.out);
    assert.match(run.out, /executing @electron\/fuses/);
    assert.match(run.out, /check-fuses: .*attribution-workbench: fuses as trust\.md §1\.2 says/);
    const binary = path.join(unpacked, 'attribution-workbench');
    assert.deepEqual(await fuseDifferences(binary), []);
    assert.deepEqual(await checkFuses(out, () => {}), [binary]);
  });

  it('app.asar holds the built app and the engine\'s modules only', () => {
    const files = asar.listPackage(appAsar, { isPack: false }).map((f) => f.split(path.sep).join('/'));
    for (const f of ['/package.json', '/dist/main/main.cjs', '/dist/main/preload.cjs', '/dist/main/engine-host.cjs', '/dist/renderer/index.html', '/dist/renderer/samples/demo.attrib.md', '/dist/renderer/samples/sample.parquet', '/node_modules/@duckdb/node-api/package.json']) {
      assert.ok(files.includes(f), f);
    }
    // A package is a folder of node_modules with its package.json.
    const modules = new Set(files.map((f) => /^\/node_modules\/((?:@[^/]+\/)?[^/@][^/]*)\/package\.json$/.exec(f)?.[1]).filter(Boolean));
    assert.deepEqual([...modules].sort(), ['@duckdb/node-api', '@duckdb/node-bindings', ...fx.installedBindings(), 'detect-libc'].sort());
    for (const f of files) assert.ok(/^\/(package\.json|dist|dist\/(main|renderer)(\/.*)?|node_modules(\/.*)?)$/.test(f), `unexpected ${f}`);
    assert.ok(!files.some((f) => f.endsWith('.map')), 'no source maps');
  });

  it('the native binding is unpacked beside app.asar', () => {
    for (const f of fx.nativeFiles()) {
      assert.ok(existsSync(path.join(resources, 'app.asar.unpacked', f)), f);
      assert.equal(asar.statFile(appAsar, f).unpacked, true, f);
    }
  });

  it('resources/models is models/, and resources/icon.png the 512 px icon', () => {
    const list = (d: string) => readdirSync(d, { recursive: true, encoding: 'utf8' }).sort();
    assert.deepEqual(list(path.join(resources, 'models')), list(path.join(root, 'models')));
    assert.deepEqual(readFileSync(path.join(resources, 'icon.png')), readFileSync(path.join(root, 'build/icons/512x512.png')));
  });

  it('the packaged engine host runs a model on the packaged sample with resources/models', async () => {
    // Outside the repository, so module resolution cannot fall back on our node_modules.
    const app = mkdtempSync(path.join(tmpdir(), 'attrib-packaged-'));
    try {
      asar.extractAll(appAsar, app);
      const shim = `
        const { parentPort, workerData } = require('node:worker_threads');
        const { EventEmitter } = require('node:events');
        const pp = new EventEmitter();
        process.parentPort = pp;
        parentPort.on('message', ({ port }) => {
          const em = new EventEmitter();
          const hp = { on: (e, f) => (em.on(e, f), hp), postMessage: (m) => port.postMessage(m), start: () => port.on('message', (data) => em.emit('message', { data })), close: () => port.close() };
          port.on('close', () => em.emit('close'));
          pp.emit('message', { data: { type: 'connect' }, ports: [hp] });
        });
        require(workerData.entry);
      `;
      const models = path.join(resources, 'models');
      const worker = new Worker(shim, { eval: true, argv: [`--models-dir=${models}`], workerData: { entry: path.join(app, 'dist/main/engine-host.cjs') } });
      try {
        const { port1, port2 } = new MessageChannel();
        worker.postMessage({ port: port2 }, [port2]);
        const client = new EngineClient(port1);
        await client.call('open_file', { file: { kind: 'path', path: path.join(app, 'dist/renderer/samples/sample.parquet') } }).result;
        const rules = JSON.parse(readFileSync(path.join(models, 'channel_rules.json'), 'utf8'));
        const result = await client.call('run', { options: { models: ['last_touch'], rules, params: {}, outputs: 'summary' } }).result;
        assert.ok(result.channel_summary.length > 0);
        assert.ok(result.channel_summary.every((r) => r.model === 'last_touch'));
        port1.close();
      } finally {
        await worker.terminate();
      }
    } finally {
      rmSync(app, { recursive: true, force: true });
    }
  });
});

describe('electron-builder --dir with the installed Electron', { timeout: 400_000 }, () => {
  it('packages this platform and its fuses read back as trust.md §1.2 says', async (t) => {
    const binary = electronBinary();
    if (!binary) return t.skip('skipped: no Electron binary');
    const out = path.join(fx.dir, 'release-real');
    const run = builder(['--dir', `-c.electronDist=${path.join(root, 'node_modules/electron/dist')}`, `-c.directories.output=${out}`]);
    assert.equal(run.status, 0, run.out);
    assert.ok((await checkFuses(out, () => {})).length > 0);
  });
});
