#!/usr/bin/env node
// Runs every test file (*.test.ts under test/) with node's test runner and tsx.
// Node 20's runner does not discover .ts files itself, so we list them.
import { readdirSync, statSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import path from 'node:path';

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
const r = spawnSync(process.execPath, ['--import', 'tsx', '--test', '--test-reporter=spec', ...files], { stdio: 'inherit' });
process.exit(r.status ?? 1);
