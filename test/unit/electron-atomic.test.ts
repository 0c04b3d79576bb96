/** The atomic writer with a real temp folder: new and old content only, never a mix, after failures and real crashes (D1, D2, D4, D5). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { atomicWriteFile, atomicWriteFileSync, tempPathFor, type AtomicFs } from '../../main/atomicWrite.ts';

let dir: string;
before(() => (dir = mkdtempSync(path.join(tmpdir(), 'aw-atomic-'))));
after(() => rmSync(dir, { recursive: true, force: true }));

const OLD = '# old notebook\n'.repeat(1000);
const leftovers = (d: string) => readdirSync(d).filter((f) => f.includes('.tmp-'));

function fresh(name: string): string {
  const f = path.join(dir, name);
  writeFileSync(f, OLD);
  return f;
}

/** node:fs/promises with one call made to fail. */
function failing(where: 'open' | 'write' | 'sync' | 'rename', afterBytes = 0): AtomicFs {
  const real = fsp as unknown as AtomicFs;
  return {
    ...real,
    realpath: (f) => fsp.realpath(f),
    stat: (f) => fsp.stat(f),
    unlink: (f) => fsp.unlink(f),
    rename: async (a, b) => {
      if (where === 'rename') throw Object.assign(new Error('EXDEV: simulated'), { code: 'EXDEV' });
      return fsp.rename(a, b);
    },
    open: async (f, flags, mode) => {
      // a folder the user may read but not write (root ignores chmod, so it is simulated)
      if (where === 'open') throw Object.assign(new Error(`EACCES: permission denied, open '${f}' (simulated)`), { code: 'EACCES' });
      const h = await fsp.open(f, flags, mode);
      let written = 0;
      return {
        chmod: (m: number) => h.chmod(m),
        close: () => h.close(),
        sync: async () => {
          if (where === 'sync') throw Object.assign(new Error('EIO: simulated'), { code: 'EIO' });
          return h.sync();
        },
        write: async (buf: Uint8Array, off: number, len: number, pos: number) => {
          if (where === 'write' && written + len > afterBytes) {
            // Half of this chunk reaches the disk, then the disk is full.
            await h.write(buf, off, Math.floor(len / 2), pos);
            throw Object.assign(new Error('ENOSPC: no space left on device (simulated)'), { code: 'ENOSPC' });
          }
          const r = await h.write(buf, off, len, pos);
          written += r.bytesWritten;
          return r;
        },
      };
    },
  };
}

describe('atomicWriteFile', () => {
  it('writes a new file and replaces an old one, UTF-8 exact, leaving no temp file', async () => {
    const f = path.join(dir, 'new.attrib.md');
    await atomicWriteFile(f, 'première ✓\n');
    assert.equal(readFileSync(f, 'utf8'), 'première ✓\n');
    await atomicWriteFile(f, new Uint8Array([104, 105]));
    assert.equal(readFileSync(f, 'utf8'), 'hi');
    assert.deepEqual(leftovers(dir), []);
  });

  it('puts its temp file in the target folder, hidden (no cross-device rename)', () => {
    const t = tempPathFor('/data/notes/a.attrib.md');
    assert.equal(path.dirname(t), '/data/notes');
    assert.match(path.basename(t), /^\.a\.attrib\.md\.tmp-\d+-[0-9a-f]{12}$/);
  });

  it('keeps the permission bits of the file it replaces', { skip: process.platform === 'win32' }, async () => {
    const f = fresh('mode.attrib.md');
    chmodSync(f, 0o640);
    await atomicWriteFile(f, 'new');
    assert.equal(statSync(f).mode & 0o777, 0o640);
  });

  it('writes through a symlink and keeps the link', { skip: process.platform === 'win32' }, async () => {
    const target = fresh('real.attrib.md');
    const link = path.join(dir, 'link.attrib.md');
    symlinkSync(target, link);
    await atomicWriteFile(link, 'through the link');
    assert.ok(lstatSync(link).isSymbolicLink());
    assert.equal(readFileSync(target, 'utf8'), 'through the link');
  });

  for (const [where, code] of [
    ['open', 'EACCES'],
    ['write', 'ENOSPC'],
    ['sync', 'EIO'],
    ['rename', 'EXDEV'],
  ] as const) {
    it(`a failure at ${where} (${code}) rejects, keeps the original intact and removes the temp file`, async () => {
      const f = fresh(`fail-${where}.attrib.md`);
      await assert.rejects(atomicWriteFile(f, 'N'.repeat(300_000), { fs: failing(where, 100_000), chunkBytes: 64 * 1024 }), (e: NodeJS.ErrnoException) => e.code === code);
      assert.equal(readFileSync(f, 'utf8'), OLD);
      assert.deepEqual(leftovers(dir), []);
    });
  }

  it('a failure injected between chunks keeps the original intact', async () => {
    const f = fresh('failpoint.attrib.md');
    await assert.rejects(
      atomicWriteFile(f, 'N'.repeat(200_000), {
        chunkBytes: 10_000,
        failpoint: (s) => {
          if (s === 'partial') throw new Error('boom mid-write');
        },
      }),
      /boom mid-write/,
    );
    assert.equal(readFileSync(f, 'utf8'), OLD);
    assert.deepEqual(leftovers(dir), []);
  });

  it('a missing folder rejects without creating anything', async () => {
    await assert.rejects(atomicWriteFile(path.join(dir, 'no', 'such', 'x.md'), 'x'), (e: NodeJS.ErrnoException) => e.code === 'ENOENT');
  });
});

describe('atomicWriteFile under a real crash (SIGKILL)', { skip: process.platform === 'win32' }, () => {
  const child = path.join(path.dirname(fileURLToPath(import.meta.url)), 'electron-atomic-child.ts');
  for (const stage of ['opened', 'partial', 'written', 'synced', 'renamed'] as const) {
    it(`killed at '${stage}': the file is the whole old or the whole new version`, () => {
      const sub = mkdtempSync(path.join(dir, `crash-${stage}-`));
      const f = path.join(sub, 'nb.attrib.md');
      writeFileSync(f, OLD);
      const r = spawnSync(process.execPath, ['--import', 'tsx', child, f, stage], { encoding: 'utf8' });
      assert.equal(r.signal, 'SIGKILL', r.stderr);
      const now = readFileSync(f, 'utf8');
      if (stage === 'renamed') assert.equal(now, 'N'.repeat(1 << 20));
      else assert.equal(now, OLD);
    });
  }
});

describe('atomicWriteFileSync', () => {
  it('writes and replaces, leaving no temp file', () => {
    const f = fresh('sync.json');
    atomicWriteFileSync(f, '{"a":1}');
    assert.equal(readFileSync(f, 'utf8'), '{"a":1}');
    assert.deepEqual(leftovers(dir), []);
  });
  it('throws for a missing folder and leaves nothing behind', () => {
    assert.throws(() => atomicWriteFileSync(path.join(dir, 'missing', 'x.json'), 'x'), /ENOENT/);
  });
});
