/**
 * Housekeeping of the native engine's sandbox folders (openNativeDatabase):
 * DuckDB spills tables there past its memory limit, so a process that died
 * without closing its database (an uncaught error, a kill) can leave tens of
 * gigabytes behind; a 100M-event import that failed filled a 250 GB disk
 * with two of them. Each sandbox holds its owner's process id; a process
 * removes its own on exit, and every new one removes those whose owner is
 * gone.
 */
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** The file in a sandbox that names the process using it. */
const OWNER = 'owner.pid';
/** A sandbox without an owner file (an older version's) is left alone this long. */
const UNOWNED_GRACE_MS = 24 * 3600 * 1000;

/**
 * Marks the sandboxes as this process's and removes them when the process
 * exits, however it exits short of a kill. Returns the function that undoes
 * the exit hook (called by close, which removes the folders itself).
 */
export function claimSandboxes(dirs: string[]): () => void {
  for (const d of dirs) writeFileSync(path.join(d, OWNER), String(process.pid), { mode: 0o600 });
  if (!hooked) {
    // one listener for every database of the process (tests open dozens)
    process.on('exit', () => {
      for (const d of open) rmSync(d, { recursive: true, force: true });
    });
    hooked = true;
  }
  for (const d of dirs) open.add(d);
  return () => {
    for (const d of dirs) open.delete(d);
  };
}

/** This process's sandboxes not yet closed. */
const open = new Set<string>();
let hooked = false;

/**
 * Removes the sandboxes in `parent` named `prefix`* whose owner process is
 * no longer running (and unowned ones older than a day). Never throws: a
 * folder it cannot read or remove is left as it is.
 */
export function sweepStaleSandboxes(parent: string, prefix: string, now = Date.now()): string[] {
  const removed: string[] = [];
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n.startsWith(prefix));
  } catch {
    return removed;
  }
  for (const n of names) {
    const dir = path.join(parent, n);
    try {
      let stale: boolean;
      try {
        stale = !alive(Number(readFileSync(path.join(dir, OWNER), 'utf8')));
      } catch {
        stale = now - statSync(dir).mtimeMs > UNOWNED_GRACE_MS;
      }
      if (!stale) continue;
      rmSync(dir, { recursive: true, force: true });
      removed.push(dir);
    } catch {
      // another process's folder we may not touch, or one removed meanwhile
    }
  }
  return removed;
}

/** Whether a process with this id runs (signal 0 tests without sending anything). */
function alive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: it runs, as another user
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
