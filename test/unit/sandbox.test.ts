/**
 * The native engine's sandbox housekeeping (worker/native/sandbox.ts): a
 * process that dies without closing its database leaves its sandbox (with
 * whatever DuckDB spilled) behind; the next one removes it. Also: a process
 * that exits on an uncaught error removes its own.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { sweepStaleSandboxes } from '../../worker/native/sandbox.ts';

const root = fileURLToPath(new URL('../../', import.meta.url));
const parent = mkdtempSync(path.join(tmpdir(), 'aw-sandbox-test-'));
after(() => rmSync(parent, { recursive: true, force: true }));

/** A sandbox folder with a spill file, owned by `pid` (none: no owner file), last changed `ageMs` ago. */
function sandbox(name: string, pid: number | undefined, ageMs = 0): string {
  const d = path.join(parent, name);
  mkdirSync(path.join(d, 'spill'), { recursive: true });
  writeFileSync(path.join(d, 'spill', 'duckdb_temp_storage-0.tmp'), 'x'.repeat(1000));
  if (pid !== undefined) writeFileSync(path.join(d, 'owner.pid'), String(pid));
  const t = (Date.now() - ageMs) / 1000;
  utimesSync(d, t, t);
  return d;
}

describe('native sandboxes', () => {
  it('removes those whose owner is gone and old unowned ones; keeps live owners\', new unowned ones and other folders', () => {
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    const deadPid = Number(dead.stdout);
    assert.ok(deadPid > 0);
    sandbox('attrib-sandbox-dead', deadPid);
    sandbox('attrib-sandbox-mine', process.pid);
    sandbox('attrib-sandbox-parent', process.ppid);
    sandbox('attrib-sandbox-unowned-new', undefined, 3600 * 1000);
    sandbox('attrib-sandbox-unowned-old', undefined, 48 * 3600 * 1000);
    sandbox('attrib-sandbox-garbage-pid', 0);
    sandbox('someone-else', deadPid);
    const removed = sweepStaleSandboxes(parent, 'attrib-sandbox-').map((d) => path.basename(d)).sort();
    assert.deepEqual(removed, ['attrib-sandbox-dead', 'attrib-sandbox-garbage-pid', 'attrib-sandbox-unowned-old']);
    assert.deepEqual(readdirSync(parent).sort(), ['attrib-sandbox-mine', 'attrib-sandbox-parent', 'attrib-sandbox-unowned-new', 'someone-else']);
    assert.deepEqual(sweepStaleSandboxes(path.join(parent, 'missing'), 'attrib-sandbox-'), []);
  });

  it('a process that exits on an uncaught error removes its own sandbox', () => {
    const tmp = mkdtempSync(path.join(parent, 'tmp-'));
    const script = `import { openNativeDatabase } from ${JSON.stringify(path.join(root, 'worker/native/database.ts'))};
      const db = await openNativeDatabase();
      await db.run('CREATE TABLE t AS SELECT 1 AS x');
      throw new Error('boom');`;
    const r = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', cwd: root, env: { ...process.env, TMPDIR: tmp } });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /boom/);
    assert.deepEqual(readdirSync(tmp).filter((n) => n.startsWith('attrib-sandbox-')), []);
    assert.ok(existsSync(tmp));
  });
});
