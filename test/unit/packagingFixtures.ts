/**
 * Fixtures shared by the packaging tests: a scratch folder, stub Electron
 * binaries that carry only a fuse wire (what @electron/fuses reads and
 * flips), the DuckDB bindings installed here, and loading a bundle with a
 * fake 'electron' module.
 */
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

/** Electron's fuse sentinel (@electron/fuses constants.js); the wire follows it: version 1, length, one byte per fuse. */
export const FUSE_SENTINEL = 'dL7pKGdnNz796PbbjQWNKmHXBZaB9tsX';

/** A fresh test/artifacts/<name> folder and helpers that write into it. */
export function packagingFixtures(name = 'packaging') {
  const dir = path.join(root, 'test', 'artifacts', name);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return {
    dir,
    /**
     * Writes an executable stub "Electron" whose fuse wire is `wire` ('1' on,
     * '0' off per fuse, in FuseV1Options order; Electron 39 has 9) and returns its path.
     */
    stubElectron(file: string, wire: string): string {
      const p = path.join(dir, file);
      mkdirSync(path.dirname(p), { recursive: true });
      const body = Buffer.concat([Buffer.from('#!/bin/sh\necho "stub Electron: no binary on this machine" >&2\nexit 1\n'), Buffer.from(FUSE_SENTINEL), Buffer.from([1, wire.length]), Buffer.from(wire, 'ascii'), Buffer.alloc(32)]);
      writeFileSync(p, body, { mode: 0o755 });
      return p;
    },
    /** The @duckdb/node-bindings-<platform> packages npm installed here (one per machine). */
    installedBindings(): string[] {
      return readdirSync(path.join(root, 'node_modules', '@duckdb'))
        .filter((d) => d.startsWith('node-bindings-'))
        .map((d) => `@duckdb/${d}`);
    },
    /** Native libraries of those packages (.node, .so, .dylib, .dll), as node_modules/... paths. */
    nativeFiles(): string[] {
      return this.installedBindings().flatMap((m) =>
        readdirSync(path.join(root, 'node_modules', m), { recursive: true, encoding: 'utf8' })
          .filter((f) => /\.(node|so|dylib|dll)$/.test(f))
          .map((f) => `node_modules/${m}/${f.split(path.sep).join('/')}`),
      );
    },
    /** Runs `fn` while require('electron') returns `electron`. */
    withFakeElectron<T>(electron: unknown, fn: () => T): T {
      const require = createRequire(import.meta.url);
      const id = require.resolve('electron');
      const saved = require.cache[id];
      require.cache[id] = { id, filename: id, loaded: true, exports: electron } as unknown as NodeJS.Module;
      try {
        return fn();
      } finally {
        if (saved) require.cache[id] = saved;
        else delete require.cache[id];
      }
    },
  };
}
