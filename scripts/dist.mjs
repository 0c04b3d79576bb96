#!/usr/bin/env node
// `npm run dist [-- electron-builder args]`: builds the app (typecheck,
// dist/main, dist/renderer), then packages it with electron-builder and
// electron-builder.cjs. Without arguments it packages for this platform from
// the Electron that `npm ci` installed (node_modules/electron/dist, no second
// download); with arguments (`-- --linux deb`, `-- --win nsis`) they go to
// electron-builder as they are, which fetches the Electron it needs.
// electron-builder then reads the fuses back (scripts/check-fuses.mjs).
//
// Where there is no Electron binary (an install with ELECTRON_SKIP_BINARY_DOWNLOAD,
// or no network), it says so in one line and exits 1 instead of a download's stack trace.
import { existsSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);

/** The one line `npm run dist` prints where there is no Electron binary. */
export const NO_BINARY =
  'npm run dist: no Electron binary here (npm install could not download it, or ELECTRON_SKIP_BINARY_DOWNLOAD was set); to build packages, on a machine that reaches GitHub run `npm ci` (without ELECTRON_SKIP_BINARY_DOWNLOAD), then `npm run dist`.';

/** The installed Electron executable, or null when its binary was not downloaded. */
export function electronBinary() {
  try {
    const p = require('electron');
    return typeof p === 'string' && existsSync(p) ? p : null;
  } catch {
    return null; // electron's index.js throws when its dist/ is missing
  }
}

/** The electron-builder command line for `npm run dist -- ...args`. */
export function builderArgs(args, electronDist = path.join(root, 'node_modules', 'electron', 'dist')) {
  const out = ['--config', 'electron-builder.cjs', '--publish', 'never'];
  // No arguments: this platform, from the installed binary (works offline after npm ci).
  if (!args.length) out.push(`-c.electronDist=${electronDist}`);
  return [...out, ...args];
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', shell: process.platform === 'win32' });
  return r.status ?? 1;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  if (!electronBinary()) {
    console.error(NO_BINARY);
    process.exit(1);
  }
  const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
  if (run(npm, ['run', 'build']) !== 0) process.exit(1);
  const cli = path.join(path.dirname(require.resolve('electron-builder/package.json')), 'cli.js');
  process.exit(run(process.execPath, [cli, ...builderArgs(process.argv.slice(2))]));
}
