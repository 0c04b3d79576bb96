#!/usr/bin/env node
// `npm start`: the desktop app where an Electron binary and the built shell
// (package.json "main") exist; else web mode: dist/renderer (built first when
// missing or stale) served by `attrib web` on 127.0.0.1, port $PORT or 5178,
// with the native engine behind the page (--engine wasm: duckdb-wasm in it).
// `npm run web` (--web): always web mode, always a fresh build.
// Other arguments go to `attrib web` (--engine, --port, --data FILE, ...).
import { existsSync, readFileSync } from 'node:fs';
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from './webbuild.mjs';
import { DIST_DIR } from './serve.mjs';

const repo = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const web = process.argv.includes('--web');
const passed = process.argv.slice(2).filter((a) => a !== '--web');

let electron = null;
try {
  const p = require('electron');
  if (typeof p === 'string' && existsSync(p)) electron = p;
} catch {
  /* not installed, or installed without its binary (ELECTRON_SKIP_BINARY_DOWNLOAD) */
}

if (!web) {
  if (electron) {
    const main = JSON.parse(readFileSync(path.join(repo, 'package.json'), 'utf8')).main;
    if (main && existsSync(path.join(repo, main))) {
      const child = spawn(electron, [repo], { stdio: 'inherit' });
      child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
      // Keep the process (and the app) alive; Ctrl+C reaches the child too.
      await new Promise(() => {});
    }
    console.log(`Electron is installed but the desktop shell is not built (${main ? `${main} is missing` : 'package.json has no "main"'}): serving web mode instead.`);
  } else {
    console.log('No Electron binary on this machine: serving web mode instead.');
  }
}

if (!ensureWebBuild({ force: web })) {
  console.error('The web build failed (see above).');
  process.exit(1);
}
// The server is `attrib web` (cli/web.ts): the page, its token, and the native engine.
const child = spawn(process.execPath, [path.join(repo, 'cli/attrib.mjs'), 'web', '--dir', DIST_DIR, ...passed], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 0 : 1)));
