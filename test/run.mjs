#!/usr/bin/env node
// Runs every test file (*.test.ts under test/) with node's test runner and tsx.
// Node 20's runner does not discover .ts files itself, so we list them.
// The end-to-end tests (test/e2e/) run last, on dist/renderer, which is built
// first when missing or stale; without Chromium ($CHROMIUM_PATH or
// /usr/bin/chromium) they are reported as skipped, with the reason.
//   node test/run.mjs [part-of-a-path ...]
import { existsSync, readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { ensureWebBuild } from '../scripts/webbuild.mjs';

const root = path.resolve(path.dirname(new URL(import.meta.url).pathname));
const only = process.argv.slice(2);
const files = [];
(function walk(dir) {
  for (const f of readdirSync(dir).sort()) {
    const p = path.join(dir, f);
    if (f === 'fixtures' || f === 'artifacts') continue;
    if (statSync(p).isDirectory()) walk(p);
    else if (f.endsWith('.test.ts') && (!only.length || only.some((o) => p.includes(o)))) files.push(path.relative(process.cwd(), p));
  }
})(root);
const isE2e = (f) => f.split(path.sep).includes('e2e');
const ordered = [...files.filter((f) => !isE2e(f)), ...files.filter(isE2e)];

if (ordered.some(isE2e)) {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  if (!existsSync(chromium)) {
    console.log(`e2e: no Chromium at ${chromium}: the end-to-end tests will be skipped`);
  } else if (!ensureWebBuild({ log: (m) => console.log(`e2e: ${m}`) })) {
    console.error('e2e: the web build failed');
    process.exit(1);
  }
}
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...ordered], { stdio: 'inherit' });
process.exit(r.status ?? 1);
