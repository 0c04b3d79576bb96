#!/usr/bin/env node
// npm's postinstall: fetches Electron's binary where it can be had, and makes
// its absence one line, not an install failure.
//
// Electron's own install script downloads the binary from GitHub and fails the
// whole `npm install` where GitHub is out of reach (a registry mirror, an
// offline consultant's laptop, this project's build machines). package.json's
// "allowScripts" denies that script (npm 11.16 and later honour it), and this
// one runs it instead: on success the desktop app is there; on failure
// `npm start` serves the workbench in web mode, and we say so in one line.
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 skips the attempt, as with Electron itself.
import { existsSync, readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';

const require = createRequire(import.meta.url);

/** Electron's package folder, or null where it is not installed (a production install). */
function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return null;
  }
}

/** The binary's path where it is installed, else null (electron/index.js reads path.txt). */
function binary(dir) {
  try {
    const p = path.join(dir, 'dist', readFileSync(path.join(dir, 'path.txt'), 'utf8').trim());
    return existsSync(p) ? p : null;
  } catch {
    return null;
  }
}

/** The first line of Electron's failure that says why (e.g. "RequestError: getaddrinfo ENOTFOUND github.com"). */
function reasonOf(stderr) {
  const lines = String(stderr ?? '').split('\n').map((l) => l.trim()).filter(Boolean);
  return lines.find((l) => /^\w*Error\b|ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN|ECONNRESET|HTTPError|status code/.test(l)) ?? lines[0] ?? 'no reason given';
}

const dir = electronDir();
if (!dir) process.exit(0);
const { version } = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8'));
if (binary(dir)) {
  console.log(`electron ${version}: binary present`);
  process.exit(0);
}
if (process.env.ELECTRON_SKIP_BINARY_DOWNLOAD) {
  console.log(`electron ${version}: binary download skipped (ELECTRON_SKIP_BINARY_DOWNLOAD); npm start serves the workbench in web mode`);
  process.exit(0);
}
// Electron's download has its own timeouts; ours only guards against a hung connection.
const r = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, encoding: 'utf8', timeout: 10 * 60_000, env: process.env });
if (r.status === 0 && binary(dir)) {
  console.log(`electron ${version}: binary downloaded`);
} else {
  const why = r.error ? String(r.error.message) : reasonOf(r.stderr);
  console.log(`electron ${version}: its binary could not be downloaded (${why}); the install goes on without it and npm start serves the workbench in web mode (docs/electron.md: building the desktop app)`);
}
process.exit(0);
