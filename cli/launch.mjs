// Which `attrib` to run: the built CLI or the TypeScript sources (see attrib.mjs).
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

/** The newest modification time of the .ts files under `dir` (0 when there is none). */
function newest(dir) {
  let t = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) t = Math.max(t, newest(p));
    else if (e.name.endsWith('.ts')) t = Math.max(t, statSync(p).mtimeMs);
  }
  return t;
}

/**
 * Whether to run the build at `built`: it exists, AW_CLI_SOURCE is not 1, and
 * no .ts file under `sourceDirs` is newer (an edit is never shadowed by an
 * old build).
 * @param {string} built
 * @param {string[]} sourceDirs
 * @param {Record<string, string | undefined>} env
 */
export function useBuilt(built, sourceDirs, env = process.env) {
  if (env.AW_CLI_SOURCE === '1') return false;
  let at;
  try {
    at = statSync(built).mtimeMs;
  } catch {
    return false;
  }
  return sourceDirs.every((d) => newest(d) <= at);
}
