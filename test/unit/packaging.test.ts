/**
 * electron-builder.cjs, checked without an Electron binary: it passes
 * electron-builder's own schema validation, the fuses are trust.md §1.2's,
 * the targets, what `files` takes from a real build (dist/main, dist/renderer)
 * and from node_modules, the extra resources and the paths the bundled main
 * uses when packaged, asarUnpack of the DuckDB binding, the icons, the
 * package.json fields electron-builder needs, the fuse checker, `npm run
 * dist` without a binary, and the About box. Packaging itself is
 * test/unit/packaging-build.test.ts.
 */
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aboutBoxOptions } from '../../main/about.ts';
import { APP_NAME } from '../../main/app.ts';
import { buildMain } from '../../scripts/build-main.mjs';
import { ensureWebBuild } from '../../scripts/webbuild.mjs';
import { fakeElectron } from './electronFake.ts';
import { packagingFixtures } from './packagingFixtures.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
const config = require(path.join(root, 'electron-builder.cjs'));
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8'));
// The minimatch electron-builder itself uses, with its options (app-builder-lib/out/fileMatcher.js).
type Matcher = { negate: boolean; match(path: string): boolean };
const { Minimatch } = createRequire(require.resolve('app-builder-lib/package.json'))('minimatch') as { Minimatch: new (pattern: string, options: object) => Matcher };
const MM = { dot: true };
const fx = packagingFixtures();

/**
 * Does electron-builder's `files` take `rel`? Its rule (app-builder-lib
 * filter.js minimatchAll): patterns in order, the last one that decides
 * wins; electron-builder puts `!**\/node_modules/**` before the first
 * pattern naming node_modules, as the config already does.
 */
function taken(rel: string, patterns: string[] = config.files): boolean {
  let match = false;
  for (const p of patterns) {
    const m = new Minimatch(p, MM);
    if (match !== m.negate) continue;
    match = m.match(rel);
  }
  return match;
}

/** Files under `dir` (relative to the repo, forward slashes), skipping node_modules and .git. */
function walk(dir: string, out: string[] = []): string[] {
  for (const f of readdirSync(path.join(root, dir))) {
    if (f === 'node_modules' || f === '.git') continue;
    const rel = dir ? `${dir}/${f}` : f;
    if (statSync(path.join(root, rel)).isDirectory()) walk(rel, out);
    else out.push(rel);
  }
  return out;
}

/** Width, height and colour type from a PNG's IHDR; throws when it is not a PNG. */
function pngHeader(file: string): { width: number; height: number; colourType: number } {
  const b = readFileSync(file);
  assert.deepEqual([...b.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], `${file} is not a PNG`);
  assert.equal(b.subarray(12, 16).toString('ascii'), 'IHDR');
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20), colourType: b[25] };
}

describe('electron-builder.cjs: schema', () => {
  // app-builder-lib's own check (ajv over its scheme.json), the one `electron-builder` runs on load.
  const { validateConfiguration } = require('app-builder-lib/out/util/config/config');
  const debug = { isEnabled: false, add() {} };

  it('validates against electron-builder\'s scheme.json', async () => {
    await validateConfiguration(structuredClone(config), debug);
  });

  it('the validator is live: a misspelt fuse and an unknown target option are refused', async () => {
    await assert.rejects(validateConfiguration({ ...structuredClone(config), electronFuses: { ...config.electronFuses, runAsnode: false } }, debug), /configuration\.electronFuses/);
    await assert.rejects(validateConfiguration({ ...structuredClone(config), linux: { ...config.linux, tagret: 'deb' } }, debug), /configuration\.linux/);
  });
});

describe('electron-builder.cjs: fuses (trust.md §1.2, S11)', () => {
  it('are exactly the trust.md table; wasmTrapHandlers is left alone (on)', () => {
    assert.deepEqual(config.electronFuses, {
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      enableEmbeddedAsarIntegrityValidation: true,
      onlyLoadAppFromAsar: true,
      enableCookieEncryption: true,
      grantFileProtocolExtraPrivileges: false,
    });
    // onlyLoadAppFromAsar needs an asar to load from.
    assert.equal(config.asar, true);
  });

  it('check-fuses expects those plus WasmTrapHandlers on, by @electron/fuses name', async () => {
    const { expectedFuses } = await import('../../scripts/check-fuses.mjs');
    assert.deepEqual(expectedFuses(), {
      RunAsNode: false,
      EnableNodeOptionsEnvironmentVariable: false,
      EnableNodeCliInspectArguments: false,
      EnableEmbeddedAsarIntegrityValidation: true,
      OnlyLoadAppFromAsar: true,
      EnableCookieEncryption: true,
      GrantFileProtocolExtraPrivileges: false,
      WasmTrapHandlers: true,
    });
    assert.throws(() => expectedFuses({ runAsNod: false }), /no fuse RunAsNod/);
  });

  it('check-fuses reads a binary\'s fuse wire and names every fuse that differs', async () => {
    const { fuseDifferences, checkFuses } = await import('../../scripts/check-fuses.mjs');
    // Electron's default wire (runAsNode, nodeOptions, nodeCliInspect, grantFileProtocol, wasmTrap on).
    const stock = fx.stubElectron('stock', '101100011');
    assert.deepEqual((await fuseDifferences(stock)).sort(), [
      'EnableCookieEncryption is off, should be on',
      'EnableEmbeddedAsarIntegrityValidation is off, should be on',
      'EnableNodeCliInspectArguments is on, should be off',
      'EnableNodeOptionsEnvironmentVariable is on, should be off',
      'GrantFileProtocolExtraPrivileges is on, should be off',
      'OnlyLoadAppFromAsar is off, should be on',
      'RunAsNode is on, should be off',
    ]);
    assert.deepEqual(await fuseDifferences(fx.stubElectron('flipped', '010011001')), []);
    assert.deepEqual(await fuseDifferences(fx.stubElectron('no-wasm-trap', '010011000')), ['WasmTrapHandlers is off, should be on']);
    await assert.rejects(checkFuses(stock, () => {}), /RunAsNode is on, should be off/);
    await assert.rejects(checkFuses(path.join(fx.dir, 'nothing-here')), /no packaged Electron app/);
  });
});

describe('electron-builder.cjs: targets and metadata', () => {
  it('Linux AppImage and deb, macOS dmg, Windows nsis; nothing published', () => {
    assert.deepEqual(config.linux.target, ['AppImage', 'deb']);
    assert.deepEqual(config.mac.target, ['dmg']);
    assert.deepEqual(config.win.target, ['nsis']);
    assert.equal(config.publish, null, 'no network: no publish provider, so no auto-update feed either');
    assert.equal(config.productName, APP_NAME);
    assert.match(config.appId, /^[a-z0-9-]+(\.[a-z0-9-]+)+$/);
  });

  it('writes packages outside dist/ (electron-builder leaves its output folder out of the app)', () => {
    assert.notEqual(config.directories.output, 'dist');
    assert.ok(!config.directories.output.startsWith('dist/'));
    assert.ok(readFileSync(path.join(root, '.gitignore'), 'utf8').split('\n').includes(`${config.directories.output}/`));
  });

  it('package.json has what electron-builder needs (author for the deb)', () => {
    assert.match(pkg.version, /^\d+\.\d+\.\d+/);
    assert.equal(pkg.productName, APP_NAME);
    assert.ok(pkg.description.length > 10);
    assert.match(pkg.author, /^[^<]+ <[^@>]+@[^>]+>$/);
    assert.equal(pkg.main, 'dist/main/main.cjs');
    assert.equal(pkg.scripts.dist, 'node scripts/dist.mjs');
  });
});

describe('electron-builder.cjs: what goes into app.asar', () => {
  let tree: string[];
  before(async () => {
    await buildMain({ quiet: true });
    assert.ok(ensureWebBuild({ log: () => {} }), 'the web build failed');
    tree = walk('');
  });

  it('takes the built main, preload, engine host, page and the bundled sample', () => {
    for (const f of ['package.json', 'dist/main/main.cjs', 'dist/main/preload.cjs', 'dist/main/engine-host.cjs', 'dist/renderer/index.html', 'dist/renderer/samples/demo.attrib.md', 'dist/renderer/samples/sample.parquet']) {
      assert.ok(tree.includes(f), `${f} exists after the build`);
      assert.ok(taken(f), `${f} is packaged`);
    }
    const page = tree.filter((f) => f.startsWith('dist/renderer/'));
    assert.ok(page.length > 5);
    assert.deepEqual(page.filter((f) => !taken(f)), [], 'all of dist/renderer');
  });

  it('leaves out sources, tests, bench, scratch, samples, models (an extra resource) and source maps', () => {
    const out = tree.filter((f) => taken(f)).sort();
    const allowed = (f: string) => f === 'package.json' || f.startsWith('dist/main/') || f.startsWith('dist/renderer/');
    assert.deepEqual(out.filter((f) => !allowed(f)), []);
    for (const f of ['main/main.ts', 'test/run.mjs', 'bench/bench.ts', 'samples/sample.parquet', 'models/channel_rules.json', 'scratch/x.csv', 'src/x.ts', 'dist/main/main.cjs.map', 'electron-builder.cjs', 'release/x']) {
      assert.equal(taken(f), false, f);
    }
  });

  it('takes from node_modules only the engine host\'s runtime modules (@duckdb/node-api and its bindings)', () => {
    for (const m of ['@duckdb/node-api', '@duckdb/node-bindings', 'detect-libc', ...fx.installedBindings()]) assert.ok(taken(`node_modules/${m}/package.json`), m);
    for (const m of ['@duckdb/duckdb-wasm', 'monaco-editor', 'vega', 'vega-lite', 'parquet-wasm', 'apache-arrow', 'tsx', 'd3-array', 'electron', 'electron-builder']) {
      assert.equal(taken(`node_modules/${m}/package.json`), false, m);
    }
  });

  it('unpacks every native binding (.node and the library beside it) from the asar', () => {
    const natives = fx.nativeFiles();
    assert.ok(natives.some((f) => f.endsWith('.node')), 'a .node binding is installed');
    for (const f of natives) {
      assert.ok(taken(f), `${f} is packaged`);
      assert.ok(config.asarUnpack.some((p: string) => new Minimatch(p, MM).match(f)), `${f} is unpacked`);
    }
  });
});

describe('extra resources agree with the paths the bundled main uses when packaged', () => {
  it('models/ and the icon are resources; main passes <resources>/models to the engine and the icon to the window', async () => {
    const res = (from: string) => config.extraResources.find((r: { from: string }) => r.from === from);
    assert.deepEqual(res('models'), { from: 'models', to: 'models', filter: ['**/*'] });
    assert.deepEqual(res('build/icons/512x512.png'), { from: 'build/icons/512x512.png', to: 'icon.png' });

    const out = path.join(fx.dir, 'main');
    await buildMain({ outDir: out, quiet: true });
    const resources = path.join(fx.dir, 'resources');
    const f = fakeElectron(path.join(fx.dir, 'userData'));
    (f.app as { isPackaged: boolean }).isPackaged = true;
    const proc = process as { resourcesPath?: string };
    const saved = proc.resourcesPath;
    proc.resourcesPath = resources;
    fx.withFakeElectron(f.electron, () => require(path.join(out, 'main.cjs')));
    try {
      await f.ready();
    } finally {
      proc.resourcesPath = saved;
    }
    assert.deepEqual(f.forks[0].args, [`--models-dir=${path.join(resources, 'models')}`]);
    assert.equal(f.windows[0].options.icon, process.platform === 'linux' ? path.join(resources, 'icon.png') : undefined);
    // Packaged, DevTools are off.
    assert.equal(f.windows[0].options.webPreferences.devTools, false);
    f.app.emit('before-quit');
  });
});

describe('icons', () => {
  it('build/icons holds 512 and 1024 px RGBA PNGs, and the config points at them', () => {
    assert.deepEqual(pngHeader(path.join(root, 'build/icons/512x512.png')), { width: 512, height: 512, colourType: 6 });
    assert.deepEqual(pngHeader(path.join(root, 'build/icons/1024x1024.png')), { width: 1024, height: 1024, colourType: 6 });
    assert.equal(config.linux.icon, 'build/icons');
    for (const p of [config.mac.icon, config.win.icon]) assert.equal(pngHeader(path.join(root, p)).width, 1024);
  });

  it('build/icon.svg is what scripts/make-icon.mjs draws (the PNGs\' source)', async () => {
    const { iconSvg, encodePng, rasterise } = await import('../../scripts/make-icon.mjs');
    assert.equal(readFileSync(path.join(root, 'build/icon.svg'), 'utf8'), iconSvg());
    // The encoder writes a PNG a decoder takes: header and size of a small one.
    const small = path.join(fx.dir, 'small.png');
    writeFileSync(small, encodePng(16, 16, rasterise(16, 1)));
    assert.deepEqual(pngHeader(small), { width: 16, height: 16, colourType: 6 });
  });
});

describe('npm run dist', () => {
  it('passes arguments through; without any, packages this platform from the installed Electron', async () => {
    const { builderArgs } = await import('../../scripts/dist.mjs');
    assert.deepEqual(builderArgs(['--linux', 'deb']), ['--config', 'electron-builder.cjs', '--publish', 'never', '--linux', 'deb']);
    assert.deepEqual(builderArgs([], '/e/dist'), ['--config', 'electron-builder.cjs', '--publish', 'never', '-c.electronDist=/e/dist']);
  });

  it('without an Electron binary: one line saying how to build, exit 1, no stack trace', async (t) => {
    const { electronBinary, NO_BINARY } = await import('../../scripts/dist.mjs');
    if (electronBinary()) return t.skip('skipped: an Electron binary exists here');
    const r = spawnSync(process.execPath, [path.join(root, 'scripts/dist.mjs')], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `${NO_BINARY}\n`);
    assert.match(NO_BINARY, /npm ci/);
    assert.match(NO_BINARY, /npm run dist/);
  });
});

describe('About (desktop)', () => {
  it('the native box names the app with package.json\'s version, then Electron, Chromium and Node', () => {
    const o = aboutBoxOptions({ name: APP_NAME, version: pkg.version, platform: 'linux', electron: '39.5.2', chrome: '142.0.1', node: '22.20.0' });
    assert.equal(o.message, `Attribution Workbench ${pkg.version}`);
    assert.equal(o.title, 'About Attribution Workbench');
    assert.match(o.detail!, /^Electron 39\.5\.2\nChromium 142\.0\.1\nNode 22\.20\.0\n/);
  });

  it('Help > About shows it, with app.getVersion()', async () => {
    const f = fakeElectron(path.join(fx.dir, 'userData-about'));
    (f.app as { getVersion: () => string }).getVersion = () => '9.8.7';
    const shown: { message?: string }[] = [];
    (f.electron.dialog as unknown as { showMessageBox: (...a: unknown[]) => Promise<unknown> }).showMessageBox = async (...a) => {
      shown.push(a[a.length - 1] as { message?: string });
      return { response: 0 };
    };
    const { startApp } = await import('../../main/app.ts');
    startApp(f.electron, { rendererDir: fx.dir, preload: 'p.cjs', engineHost: 'e.cjs', modelsDir: 'm' }, () => {});
    await f.ready();
    const find = (items: { label?: string; click?: () => void; submenu?: unknown }[]): (() => void) | undefined => {
      for (const i of items) {
        if (i.label === 'About Attribution Workbench' && i.click) return i.click;
        const s = Array.isArray(i.submenu) ? find(i.submenu) : undefined;
        if (s) return s;
      }
      return undefined;
    };
    const click = find(f.menu()!.template as never);
    assert.ok(click, 'Help > About is in the menu');
    click();
    assert.equal(shown[0]?.message, 'Attribution Workbench 9.8.7');
    f.app.emit('before-quit');
  });
});
