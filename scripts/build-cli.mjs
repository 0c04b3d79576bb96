#!/usr/bin/env node
// Builds the `attrib` CLI into dist/cli with esbuild (npm's "prepare", so
// `npm install` and `npm ci` leave it built). cli/attrib.mjs runs the build
// while it is newer than every source it was built from, else the TypeScript
// through tsx: compiling the sources at every start cost 1 to 3 s, the built
// CLI answers --help in about a tenth of a second.
//
// Dependencies stay outside the bundle (they load from node_modules as they
// are); each engine is its own chunk, imported only when a command opens one.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Builds the CLI into `outdir` (default dist/cli); returns the entry's path. */
export async function buildCli(outdir = path.join(repo, 'dist/cli')) {
  // esbuild comes with tsx (a dependency) and vite; imported here, so an install without it
  // (a production install) says so in one line below and attrib runs the sources instead
  const { build } = await import('esbuild');
  rmSync(outdir, { recursive: true, force: true });
  await build({
    entryPoints: { main: path.join(repo, 'cli/main.ts') },
    outdir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunk-[hash]',
    sourcemap: 'linked',
    logLevel: 'warning',
    banner: { js: '// Built by scripts/build-cli.mjs from cli/main.ts: edit the TypeScript, not this file.' },
  });
  return path.join(outdir, 'main.mjs');
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  try {
    const out = await buildCli(process.argv[2] ? path.resolve(process.argv[2]) : undefined);
    console.log(`attrib CLI built: ${path.relative(process.cwd(), out)}`);
  } catch (e) {
    // npm's prepare must not fail an install over this: the CLI runs from its sources without the build
    console.log(`attrib CLI not built (${String(e?.message ?? e).split('\n')[0]}): attrib runs its TypeScript sources through tsx`);
  }
}
