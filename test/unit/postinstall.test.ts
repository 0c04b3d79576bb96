/**
 * `npm install` where GitHub is out of reach (issue 11): Electron's own
 * install script is denied by package.json's allowScripts, and
 * scripts/postinstall.mjs runs it instead, reporting a failed download in one
 * line and exiting 0. Checked on a stand-in `electron` package whose
 * install.js fails as Electron's does without GitHub, or succeeds, in a
 * temporary project laid out as npm lays this one out.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
  allowScripts: Record<string, boolean>;
  devDependencies: Record<string, string>;
};

/** What Electron 39's install.js prints to stderr when github.com does not resolve (its first lines). */
const OFFLINE = `RequestError: getaddrinfo ENOTFOUND github.com
    at ClientRequest.<anonymous> (/x/node_modules/got/dist/source/core/index.js:970:111)
    at Object.onceWrapper (node:events:634:26)`;

/** A project with scripts/postinstall.mjs and a stand-in electron whose install.js runs `installJs`. */
function project(installJs: string | null): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'aw-postinstall-'));
  mkdirSync(path.join(dir, 'scripts'));
  copyFileSync(path.join(root, 'scripts/postinstall.mjs'), path.join(dir, 'scripts/postinstall.mjs'));
  if (installJs !== null) {
    const e = path.join(dir, 'node_modules/electron');
    mkdirSync(e, { recursive: true });
    writeFileSync(path.join(e, 'package.json'), JSON.stringify({ name: 'electron', version: '39.5.2', main: 'index.js' }));
    writeFileSync(path.join(e, 'index.js'), 'module.exports = "";');
    writeFileSync(path.join(e, 'install.js'), installJs);
  }
  return dir;
}

/** Runs the postinstall in `dir` as npm would (cwd the project), with `env` added and the skip variable unset. */
function run(dir: string, env: Record<string, string> = {}) {
  const clean = { ...process.env };
  delete clean.ELECTRON_SKIP_BINARY_DOWNLOAD;
  return spawnSync(process.execPath, ['scripts/postinstall.mjs'], { cwd: dir, encoding: 'utf8', env: { ...clean, ...env } });
}

describe('postinstall: Electron binary where it can be had, one line where not', () => {
  const dirs: string[] = [];
  after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

  it("package.json denies Electron's own install script and runs ours", () => {
    assert.equal(pkg.allowScripts.electron, false);
    assert.equal(pkg.scripts.postinstall, 'node scripts/postinstall.mjs');
    assert.ok(pkg.devDependencies.electron, 'electron stays a devDependency (its types, electron-builder)');
  });

  it('a download that fails (no GitHub) is one line and exit 0', () => {
    const dir = project(`process.stderr.write(${JSON.stringify(OFFLINE)}); process.exit(1);`);
    dirs.push(dir);
    const r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(
      r.stdout,
      'electron 39.5.2: its binary could not be downloaded (RequestError: getaddrinfo ENOTFOUND github.com); the install goes on without it and npm start serves the workbench in web mode (docs/electron.md: building the desktop app)\n',
    );
  });

  it('a download that works leaves the binary and says so; a second install finds it', () => {
    // as Electron's install.js does: dist/<binary> and path.txt naming it
    const dir = project("const fs = require('fs'); fs.mkdirSync(__dirname + '/dist'); fs.writeFileSync(__dirname + '/dist/electron', ''); fs.writeFileSync(__dirname + '/path.txt', 'electron');");
    dirs.push(dir);
    const r = run(dir);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'electron 39.5.2: binary downloaded\n');
    assert.equal(run(dir).stdout, 'electron 39.5.2: binary present\n');
  });

  it('ELECTRON_SKIP_BINARY_DOWNLOAD skips the attempt; no electron package (a production install) is silent', () => {
    const dir = project('throw new Error("must not run")');
    dirs.push(dir);
    const r = run(dir, { ELECTRON_SKIP_BINARY_DOWNLOAD: '1' });
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^electron 39\.5\.2: binary download skipped \(ELECTRON_SKIP_BINARY_DOWNLOAD\)/);
    const none = project(null);
    dirs.push(none);
    const n = run(none);
    assert.deepEqual([n.status, n.stdout], [0, '']);
  });

  it('a download that says nothing still gets a reason', () => {
    const dir = project('process.exit(3)');
    dirs.push(dir);
    const r = run(dir);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /could not be downloaded \(no reason given\)/);
  });
});
