/**
 * The built CLI (scripts/build-cli.mjs; run by cli/attrib.mjs when it is
 * newer than every source): it says and writes exactly what the sources do,
 * and it is never run in place of sources edited after it was built.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildCli } from '../../scripts/build-cli.mjs';
import { useBuilt } from '../../cli/launch.mjs';

const root = fileURLToPath(new URL('../../', import.meta.url));

describe('which attrib runs (cli/launch.mjs)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'aw-launch-'));
    mkdirSync(path.join(dir, 'src/sub'), { recursive: true });
    writeFileSync(path.join(dir, 'src/sub/a.ts'), 'export {}');
    writeFileSync(path.join(dir, 'src/notes.md'), '');
    writeFileSync(path.join(dir, 'main.mjs'), '');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));
  const at = (file: string, seconds: number) => utimesSync(path.join(dir, file), seconds, seconds);

  it('the build, when no source is newer', () => {
    at('src/sub/a.ts', 1_000);
    at('main.mjs', 2_000);
    assert.equal(useBuilt(path.join(dir, 'main.mjs'), [path.join(dir, 'src')], {}), true);
  });
  it('the sources, when one .ts (in a sub-folder too) was edited after the build; other files do not count', () => {
    at('src/sub/a.ts', 3_000);
    assert.equal(useBuilt(path.join(dir, 'main.mjs'), [path.join(dir, 'src')], {}), false);
    at('src/sub/a.ts', 1_000);
    at('src/notes.md', 9_000);
    assert.equal(useBuilt(path.join(dir, 'main.mjs'), [path.join(dir, 'src')], {}), true);
  });
  it('the sources, without a build or with AW_CLI_SOURCE=1', () => {
    assert.equal(useBuilt(path.join(dir, 'missing.mjs'), [path.join(dir, 'src')], {}), false);
    assert.equal(useBuilt(path.join(dir, 'main.mjs'), [path.join(dir, 'src')], { AW_CLI_SOURCE: '1' }), false);
  });
});

describe('the built CLI says and writes what the sources do', () => {
  let out: string;
  let work: string;
  before(async () => {
    // inside the checkout (scratch/ is ignored): the build finds models/ above itself
    mkdirSync(path.join(root, 'scratch'), { recursive: true });
    out = mkdtempSync(path.join(root, 'scratch/cli-build-'));
    await buildCli(out);
    work = mkdtempSync(path.join(tmpdir(), 'aw-cli-build-'));
  });
  after(() => {
    rmSync(out, { recursive: true, force: true });
    rmSync(work, { recursive: true, force: true });
  });
  const built = (args: string[]) => spawnSync(process.execPath, ['--input-type=module', '-e',
    `const { main } = await import(${JSON.stringify(path.join(out, 'main.mjs'))}); process.exitCode = await main(${JSON.stringify(args)});`], { encoding: 'utf8', cwd: root });
  const source = (args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root, env: { ...process.env, AW_CLI_SOURCE: '1' } });

  it('is split by engine: neither engine is in the entry file', () => {
    const entry = readFileSync(path.join(out, 'main.mjs'), 'utf8');
    assert.doesNotMatch(entry, /@duckdb\/node-api|@duckdb\/duckdb-wasm/);
    const chunks = readdirSync(out).filter((f) => f.endsWith('.mjs') && f !== 'main.mjs').map((f) => readFileSync(path.join(out, f), 'utf8'));
    assert.ok(chunks.some((c) => c.includes('@duckdb/node-api')), 'the native engine is a chunk of its own');
  });
  it('help, models and an argument error: the same text and exit code', () => {
    for (const args of [['--help'], ['attribute', '--help'], ['models'], ['attribute', '--lookback-days', 'x']]) {
      const [b, s] = [built(args), source(args)];
      assert.equal(b.stdout, s.stdout, `${args.join(' ')}: stdout`);
      assert.equal(b.stderr, s.stderr, `${args.join(' ')}: stderr`);
      assert.equal(b.status, s.status, `${args.join(' ')}: exit code`);
    }
    assert.match(built(['models']).stdout, /time_decay/, 'the models are read from models/');
  });
  it('attribute on the tiny sample, both engines: byte-identical files', () => {
    for (const engine of ['native', 'wasm']) {
      const args = (dir: string) => ['attribute', '--events', 'samples/tiny.csv', '--out', dir, '--models', 'all', '--engine', engine];
      const [b, s] = [built(args(path.join(work, `${engine}-built`))), source(args(path.join(work, `${engine}-source`)))];
      assert.equal(b.status, 0, b.stderr);
      assert.equal(s.status, 0, s.stderr);
      const files = readdirSync(path.join(work, `${engine}-source`)).sort();
      assert.deepEqual(readdirSync(path.join(work, `${engine}-built`)).sort(), files);
      assert.ok(files.includes('credits.csv'));
      for (const f of files) assert.ok(readFileSync(path.join(work, `${engine}-built`, f)).equals(readFileSync(path.join(work, `${engine}-source`, f))), `${engine} ${f}`);
    }
  });
});
