#!/usr/bin/env node
// Adds lockfile entries for @duckdb/node-bindings' (and rollup's) platform packages that this
// machine's registry does not serve (darwin, win32, linux-arm64). Without them
// `npm ci` refuses the lock; with them (os/cpu constrained, optional) npm ci
// skips them here and fetches the right one on those platforms.
// Run after any `npm install` that rewrites package-lock.json.
import { readFileSync, writeFileSync } from 'node:fs';

const lock = JSON.parse(readFileSync('package-lock.json', 'utf8'));
const base = lock.packages['node_modules/@duckdb/node-bindings'];
const platforms = {
  'darwin-arm64': { os: ['darwin'], cpu: ['arm64'] },
  'darwin-x64': { os: ['darwin'], cpu: ['x64'] },
  'linux-arm64': { os: ['linux'], cpu: ['arm64'], libc: ['glibc'] },
  'linux-arm64-musl': { os: ['linux'], cpu: ['arm64'], libc: ['musl'] },
  'win32-arm64': { os: ['win32'], cpu: ['arm64'] },
  'win32-x64': { os: ['win32'], cpu: ['x64'] },
};
let added = 0;
for (const [p, c] of Object.entries(platforms)) {
  const key = `node_modules/@duckdb/node-bindings-${p}`;
  if (lock.packages[key]) continue;
  lock.packages[key] = {
    version: base.version,
    resolved: `https://registry.npmjs.org/@duckdb/node-bindings-${p}/-/node-bindings-${p}-${base.version}.tgz`,
    license: 'MIT',
    optional: true,
    ...c,
  };
  added++;
}
// rollup (vite's bundler) has the same gap, for every platform it lists: npm ci
// wants each optional dependency in the lock. os/cpu/libc follow from the name.
const rollup = lock.packages['node_modules/rollup'];
if (rollup) {
  for (const dep of Object.keys(rollup.optionalDependencies ?? {})) {
    const m = /^@rollup\/rollup-([a-z0-9]+)-([a-z0-9]+)(?:-([a-z]+))?$/.exec(dep);
    if (!m) continue;
    const key = `node_modules/${dep}`;
    if (lock.packages[key]) continue;
    const [, os, cpu, abi] = m;
    const libc = os !== 'linux' ? undefined : abi?.startsWith('musl') ? ['musl'] : ['glibc'];
    const short = dep.slice('@rollup/'.length);
    lock.packages[key] = {
      version: rollup.version,
      resolved: `https://registry.npmjs.org/${dep}/-/${short}-${rollup.version}.tgz`,
      dev: true,
      license: 'MIT',
      optional: true,
      os: [os],
      cpu: [cpu === 'arm' ? 'arm' : cpu],
      ...(libc ? { libc } : {}),
    };
    added++;
  }
}
lock.packages = Object.fromEntries(Object.entries(lock.packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))));
writeFileSync('package-lock.json', JSON.stringify(lock, null, 2) + '\n');
console.log(`fix-lock: added ${added} platform entries`);
