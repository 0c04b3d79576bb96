/**
 * The native engine's memory ceiling (issue 12: flat memory on large files).
 * Without one, DuckDB takes 80% of the machine; the app sets half the RAM,
 * at most 4 GB, and `attrib attribute --memory-limit` sets another. Past it
 * tables spill to the sandbox (spilling itself: test/engine/sqlSafety.test.ts).
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultMemoryLimit, openNativeDatabase } from '../../worker/native/database.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { Engine } from '../../common/engine.ts';
import { DEFAULT_MODELS } from '../../common/pipeline.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-memlimit-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

const GiB = 2 ** 30;

/** DuckDB's own reading of a size setting, in MiB (it prints e.g. '3.8 GiB' or '476.8 MiB'). */
async function limitMiB(db: Awaited<ReturnType<typeof openNativeDatabase>>): Promise<number> {
  const v = String((await db.all("SELECT current_setting('memory_limit') AS v"))[0].v);
  const m = /^([\d.]+)\s*(KiB|MiB|GiB|TiB)$/.exec(v);
  assert.ok(m, `memory_limit reads ${v}`);
  return Number(m[1]) * { KiB: 1 / 1024, MiB: 1, GiB: 1024, TiB: 1024 * 1024 }[m[2] as 'KiB']!;
}

describe('native memory limit', () => {
  it('defaults to half the RAM, at most 4 GB, at least 256 MB', () => {
    assert.equal(defaultMemoryLimit(24 * GiB), '4096MB');
    assert.equal(defaultMemoryLimit(8 * GiB), '4096MB');
    assert.equal(defaultMemoryLimit(6 * GiB), '3072MB');
    assert.equal(defaultMemoryLimit(256 * 2 ** 20), '256MB');
  });

  it('is set before the configuration is locked, default and given', async () => {
    const a = await openNativeDatabase();
    try {
      // 4096MB is DuckDB's 4096 * 10^6 bytes = 3906.25 MiB (or less on a small machine), which it
      // prints to a tenth of a GiB ('3.8 GiB'): within 2%, and far from its own default (80% of RAM)
      const expected = Number(defaultMemoryLimit().replace('MB', '')) * 1e6 / 2 ** 20;
      assert.ok(Math.abs((await limitMiB(a)) - expected) < expected * 0.02, `default limit ${await limitMiB(a)} MiB, expected ${expected}`);
    } finally {
      await a.close();
    }
    const b = await openNativeDatabase({ memoryLimit: '500MB' });
    try {
      assert.ok(Math.abs((await limitMiB(b)) - 476.8) < 0.1);
      await assert.rejects(b.run("SET memory_limit = '20GB'"), /locked/);
    } finally {
      await b.close();
    }
  });

  it('attrib attribute --memory-limit: a size is used, anything else is a one-line error', () => {
    const ok = attrib('attribute', '--events', path.join(root, 'samples/tiny.csv'), '--out', path.join(tmp, 'ok'), '--quiet', '--memory-limit', '300MB');
    assert.equal(ok.status, 0, ok.stderr);
    const bad = attrib('attribute', '--events', path.join(root, 'samples/tiny.csv'), '--out', path.join(tmp, 'bad'), '--memory-limit', 'lots');
    assert.equal(bad.status, 2);
    assert.match(bad.stderr.trim(), /^attrib: --memory-limit lots: give a size such as 512MB or 8GB$/);
    const wasm = attrib('attribute', '--events', path.join(root, 'samples/tiny.csv'), '--out', path.join(tmp, 'w'), '--engine', 'wasm', '--memory-limit', '1GB');
    assert.equal(wasm.status, 2);
    assert.match(wasm.stderr, /--memory-limit applies to the native engine/);
  });

  it('past onDiskRows the tables go to a database file in the sandbox, with the same numbers as in memory', async () => {
    const lib = loadModelLibrary();
    const numbers = async (onDiskRows?: number) => {
      const engine = new Engine(await openNativeDatabase({ onDiskRows }), lib);
      try {
        const report = await engine.openFile(fileSourceFromPath(path.join(root, 'samples/tiny.csv')));
        const out = await engine.run({ models: DEFAULT_MODELS, rules: loadRules(), params: {} });
        const where = (await engine.query(`SELECT database_name AS d FROM duckdb_tables() WHERE table_name = 'staged'`)).map((r) => r.d);
        return { where, report: JSON.stringify(report), summary: JSON.stringify(out.channel_summary), rejects: JSON.stringify(out.rejects) };
      } finally {
        await engine.close();
      }
    };
    const memory = await numbers();
    const disk = await numbers(1);
    assert.deepEqual(memory.where, ['memory']);
    assert.deepEqual(disk.where, ['aw']);
    assert.equal(disk.report, memory.report);
    assert.equal(disk.summary, memory.summary);
    assert.equal(disk.rejects, memory.rejects);
  });
});
