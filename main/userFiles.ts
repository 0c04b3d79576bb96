/**
 * What the app keeps in its user-data folder: the recent-notebooks list
 * (recent.json, at most 10, newest first) and the crash-recovery copy of the
 * open notebook (recovery/notebook.attrib.md). All writes are atomic.
 */
import { mkdir, readFile, rm } from 'node:fs/promises';
import path from 'node:path';
import type { RecentEntry, RecoverySlot } from '../common/electronApi.ts';
import { atomicWriteFile } from './atomicWrite.ts';

export const MAX_RECENT = 10;

/** Whether two paths name the same file as far as a list cares (case-insensitive on Windows and macOS). */
export function samePath(a: string, b: string, platform: string = process.platform): boolean {
  const norm = (p: string) => (platform === 'win32' ? path.win32.normalize(p) : path.posix.normalize(p));
  return platform === 'win32' || platform === 'darwin' ? norm(a).toLowerCase() === norm(b).toLowerCase() : norm(a) === norm(b);
}

function baseName(p: string): string {
  return p.split(/[\\/]/).filter(Boolean).pop() ?? p;
}

/** Entries of a recent.json, dropping anything malformed. */
export function parseRecent(v: unknown, max = MAX_RECENT): RecentEntry[] {
  const items = v && typeof v === 'object' ? (v as { items?: unknown }).items : undefined;
  if (!Array.isArray(items)) return [];
  const out: RecentEntry[] = [];
  for (const it of items) {
    const p = it && typeof it === 'object' ? (it as { path?: unknown }).path : undefined;
    if (typeof p === 'string' && path.isAbsolute(p) && !out.some((o) => samePath(o.path, p))) out.push({ path: p, name: baseName(p) });
    if (out.length >= max) break;
  }
  return out;
}

/** The recent-notebooks list, kept in memory and written through to `file`. */
export class RecentList {
  private items: RecentEntry[] | undefined;

  constructor(
    private readonly file: string,
    private readonly max = MAX_RECENT,
    private readonly platform = process.platform,
  ) {}

  /** Newest first. */
  async list(): Promise<RecentEntry[]> {
    if (!this.items) {
      try {
        this.items = parseRecent(JSON.parse(await readFile(this.file, 'utf8')), this.max);
      } catch {
        this.items = [];
      }
    }
    return this.items.map((e) => ({ ...e }));
  }

  async has(p: string): Promise<boolean> {
    return (await this.list()).some((e) => samePath(e.path, p, this.platform));
  }

  /** Moves (or adds) `p` to the top and trims to the maximum. */
  async add(p: string): Promise<RecentEntry[]> {
    const rest = (await this.list()).filter((e) => !samePath(e.path, p, this.platform));
    this.items = [{ path: p, name: baseName(p) }, ...rest].slice(0, this.max);
    await this.save();
    return this.list();
  }

  async remove(p: string): Promise<void> {
    this.items = (await this.list()).filter((e) => !samePath(e.path, p, this.platform));
    await this.save();
  }

  private async save(): Promise<void> {
    await mkdir(path.dirname(this.file), { recursive: true });
    await atomicWriteFile(this.file, JSON.stringify({ version: 1, items: (this.items ?? []).map((e) => ({ path: e.path })) }, null, 2) + '\n');
  }
}

/** The recovery copy of the open notebook, or of the one last replaced (see RecoverySlot). */
export function recoveryPath(userData: string, slot: RecoverySlot = 'open'): string {
  return path.join(userData, 'recovery', slot === 'open' ? 'notebook.attrib.md' : 'replaced.attrib.md');
}

/** Writes a recovery copy (atomically, so a crash mid-autosave keeps the previous copy). */
export async function writeRecovery(userData: string, text: string, slot: RecoverySlot = 'open'): Promise<void> {
  const file = recoveryPath(userData, slot);
  await mkdir(path.dirname(file), { recursive: true });
  await atomicWriteFile(file, text);
}

/** The recovery copy, or null when there is none. */
export async function readRecovery(userData: string, slot: RecoverySlot = 'open'): Promise<string | null> {
  try {
    return await readFile(recoveryPath(userData, slot), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw e;
  }
}

/** Removes the recovery copy (no error when there is none). */
export async function clearRecovery(userData: string, slot: RecoverySlot = 'open'): Promise<void> {
  await rm(recoveryPath(userData, slot), { force: true });
}
