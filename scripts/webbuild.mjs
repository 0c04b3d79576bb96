// Builds web mode (vite build -> dist/renderer) when asked, or when the build
// is missing or older than its sources. Used by scripts/start.mjs and test/run.mjs.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../', import.meta.url));
const require = createRequire(import.meta.url);
const BUILT = path.join(repo, 'dist/renderer/index.html');
/** What the page is built from (folders are walked). */
const SOURCES = ['renderer', 'common', 'worker', 'models', 'samples/sample.parquet', 'samples/demo.attrib.md', 'vite.config.ts', 'scripts/serve.mjs', 'package-lock.json'];

function newest(p) {
  if (!existsSync(p)) return 0;
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  let t = 0;
  for (const f of readdirSync(p)) t = Math.max(t, newest(path.join(p, f)));
  return t;
}

/** Why dist/renderer needs a build ('missing', 'stale'), or null when it is current. */
export function webBuildNeeded() {
  if (!existsSync(BUILT)) return 'missing';
  const built = statSync(BUILT).mtimeMs;
  return SOURCES.some((s) => newest(path.join(repo, s)) > built) ? 'stale' : null;
}

/** Runs `vite build` (quietly unless it fails); returns true on success. */
export function buildWeb({ quiet = true } = {}) {
  const vite = path.join(path.dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  const r = spawnSync(process.execPath, [vite, 'build', '--logLevel', quiet ? 'warn' : 'info'], { cwd: repo, stdio: 'inherit' });
  return r.status === 0;
}

/** Builds when needed (or always with `force`); returns true when dist/renderer is usable. */
export function ensureWebBuild({ force = false, quiet = true, log = console.log } = {}) {
  const why = force ? 'requested' : webBuildNeeded();
  if (!why) return true;
  log(`Building web mode (${why === 'requested' ? 'vite build' : `dist/renderer is ${why}`})…`);
  return buildWeb({ quiet });
}
