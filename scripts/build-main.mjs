#!/usr/bin/env node
// `npm run build:main`: bundles the Electron side with esbuild (it comes with vite):
//   main/main.ts        -> dist/main/main.cjs         (the package's "main")
//   main/preload.ts     -> dist/main/preload.cjs      (sandboxed: may require 'electron' only)
//   main/engine-host.ts -> dist/main/engine-host.cjs  (utility process: the native engine)
// electron stays external everywhere, and so does @duckdb/* (a native binding
// loaded from node_modules). Fails when a bundle requires anything else it may not.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** What each bundle may leave as a runtime require. */
const ENTRIES = [
  { name: 'main', external: ['electron'], allowed: (m) => m === 'electron' || builtins.has(m) },
  // A sandboxed preload's require knows 'electron' and a few polyfills only.
  { name: 'preload', external: ['electron'], allowed: (m) => m === 'electron' },
  // worker/node/library.ts finds models/ from import.meta.url; in a CJS bundle that is this file's URL.
  {
    name: 'engine-host',
    external: ['electron', '@duckdb/*'],
    allowed: (m) => builtins.has(m) || m.startsWith('@duckdb/'),
    importMetaUrl: true,
  },
];

/** Every module name a bundle's text passes to require(), banner included. */
export function requiredModules(code) {
  return [...code.matchAll(/\brequire\(\s*(["'])([^"']+)\1\s*\)/g)].map((m) => m[2]);
}

/** Builds into `outDir` (default dist/main); returns the output files. Throws on errors or a forbidden import. */
export async function buildMain({ outDir = path.join(root, 'dist', 'main'), quiet = false } = {}) {
  const outputs = [];
  for (const e of ENTRIES) {
    const result = await build({
      absWorkingDir: root,
      entryPoints: { [e.name]: path.join(root, 'main', `${e.name}.ts`) },
      outdir: outDir,
      outExtension: { '.js': '.cjs' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node22', // Electron 39's Node
      external: e.external,
      sourcemap: 'linked',
      metafile: true,
      logLevel: quiet ? 'silent' : 'warning',
      ...(e.importMetaUrl
        ? {
            define: { 'import.meta.url': '__bundle_import_meta_url' },
            banner: { js: "const __bundle_import_meta_url = require('node:url').pathToFileURL(__filename).href;" },
          }
        : {}),
    });
    for (const file of Object.keys(result.metafile.outputs)) {
      if (!file.endsWith('.cjs')) continue;
      const abs = path.resolve(root, file);
      const bad = requiredModules(readFileSync(abs, 'utf8')).filter((m) => !e.allowed(m));
      if (bad.length) throw new Error(`${file} requires ${[...new Set(bad)].join(', ')}, which ${e.name} may not`);
      outputs.push(abs);
    }
  }
  return outputs;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  buildMain()
    .then((files) => console.log(`built ${files.map((f) => path.relative(root, f)).join(', ')}`))
    .catch((e) => {
      console.error(e.message);
      process.exit(1);
    });
}
