#!/usr/bin/env node
// `npm start`: the desktop app where an Electron binary exists, else web mode.
// The workbench UI (Electron shell and web mode) arrives with the workbench
// issue; until then this says so plainly and points at the CLI, which works.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
let electron = null;
try {
  const p = require('electron');
  if (typeof p === 'string' && existsSync(p)) electron = p;
} catch {
  /* not installed */
}
const web = process.argv.includes('--web');
if (!web && !electron) console.log('No Electron binary on this machine: serving web mode instead.');
if (!existsSync(new URL('../renderer/index.html', import.meta.url))) {
  console.log('The workbench UI is not built yet (issue 4). The engine and CLI work now, e.g.:');
  console.log('  npx attrib attribute --events samples/sample.parquet --out out/');
  process.exit(1);
}
