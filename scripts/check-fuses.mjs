#!/usr/bin/env node
// trust.md S11: reads the fuses back from packaged Electron binaries (with
// @electron/fuses, as `npx @electron/fuses read --app X` does) and fails when
// any differs from electron-builder.cjs's `electronFuses`, or when
// wasmTrapHandlers is not on (duckdb-wasm needs it).
//
//   node scripts/check-fuses.mjs [release | release/linux-unpacked | X.app | X.exe | binary]
//
// electron-builder runs it after every build (`afterAllArtifactBuild` in
// electron-builder.cjs): it flips the fuses after afterPack, and afterSign is
// skipped when nothing is signed, so this is the first hook that sees them.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { FuseState, FuseV1Options, getCurrentFuseWire } from '@electron/fuses';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const config = require(path.join(root, 'electron-builder.cjs'));

/**
 * The fuse states a packaged binary must have, by @electron/fuses option name
 * (RunAsNode, ...): electron-builder.cjs's electronFuses (whose keys are the
 * option names with a lower-case first letter) plus WasmTrapHandlers on.
 */
export function expectedFuses(electronFuses = config.electronFuses) {
  const out = {};
  for (const [key, on] of Object.entries(electronFuses)) {
    if (key === 'resetAdHocDarwinSignature') continue;
    const name = key[0].toUpperCase() + key.slice(1);
    if (!(name in FuseV1Options)) throw new Error(`electronFuses.${key}: @electron/fuses knows no fuse ${name}`);
    out[name] = on;
  }
  out.WasmTrapHandlers = true;
  return out;
}

/** How the fuses of one binary (or .app) differ from `expected`: one line each; empty when they agree. */
export async function fuseDifferences(binary, expected = expectedFuses()) {
  const wire = await getCurrentFuseWire(binary);
  const problems = [];
  for (const [name, on] of Object.entries(expected)) {
    const state = wire[FuseV1Options[name]];
    const want = on ? FuseState.ENABLE : FuseState.DISABLE;
    if (state === want) continue;
    const is = state === undefined ? 'missing' : state === FuseState.REMOVED ? 'removed' : state === FuseState.ENABLE ? 'on' : 'off';
    problems.push(`${name} is ${is}, should be ${on ? 'on' : 'off'}`);
  }
  return problems;
}

/**
 * The Electron binaries (or .app bundles) electron-builder left in its output
 * folder: <out>/linux-unpacked/<linux.executableName>, <out>/win-unpacked/<productName>.exe,
 * <out>/mac/<productName>.app (mac-arm64, mac-universal...). A path that is
 * itself an app, .exe or binary is returned as is.
 */
export function packagedBinaries(target) {
  if (!existsSync(target)) return [];
  if (target.endsWith('.app') || !statSync(target).isDirectory()) return [target];
  const inDir = (dir) => {
    const base = path.basename(dir);
    const candidates = base.startsWith('mac')
      ? [`${config.productName}.app`]
      : [`${config.productName}.exe`, config.linux.executableName];
    return candidates.map((c) => path.join(dir, c)).filter((p) => existsSync(p));
  };
  const here = inDir(target);
  if (here.length) return here;
  return readdirSync(target)
    .map((d) => path.join(target, d))
    .filter((d) => statSync(d).isDirectory())
    .flatMap(inDir);
}

/** Checks every packaged binary under `target`; throws listing each difference. Returns the binaries checked. */
export async function checkFuses(target, log = console.log) {
  const binaries = packagedBinaries(target);
  if (!binaries.length) throw new Error(`check-fuses: no packaged Electron app under ${target}`);
  const failures = [];
  for (const b of binaries) {
    const problems = await fuseDifferences(b);
    if (problems.length) failures.push(`${b}: ${problems.join('; ')}`);
    else log(`check-fuses: ${path.relative(process.cwd(), b) || b}: fuses as trust.md §1.2 says`);
  }
  if (failures.length) throw new Error(`check-fuses: fuses differ from electron-builder.cjs (trust.md §1.2):\n  ${failures.join('\n  ')}`);
  return binaries;
}

/** electron-builder's afterAllArtifactBuild hook: checks the unpacked apps in the output folder. */
export async function afterAllArtifactBuild(buildResult) {
  await checkFuses(buildResult.outDir);
  return [];
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  checkFuses(path.resolve(process.argv[2] ?? path.join(root, config.directories.output))).catch((e) => {
    console.error(e.message);
    process.exit(1);
  });
}
