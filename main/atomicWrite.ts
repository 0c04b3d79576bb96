/**
 * Atomic file writes (design/trust.md section 3): write a temp file in the
 * target's own folder, fsync it, rename it over the target, fsync the folder.
 * A crash or an error at any point leaves either the old file or the new one,
 * never a mix or a 0-byte file; on error the temp file is removed and the
 * original is untouched. A symlinked target is written through (the link
 * stays), and an existing file keeps its permission bits.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import path from 'node:path';

/** Points between the steps, for tests that inject a failure or a crash. */
export type AtomicStage = 'opened' | 'partial' | 'written' | 'synced' | 'renamed';

/** The file-system calls the async writer uses (node:fs/promises by default; a test wraps them to fail). */
export interface AtomicFs {
  open(file: string, flags: string, mode?: number): Promise<AtomicFileHandle>;
  rename(from: string, to: string): Promise<void>;
  unlink(file: string): Promise<void>;
  realpath(file: string): Promise<string>;
  stat(file: string): Promise<{ mode: number }>;
}

/** The file-handle calls the async writer uses. */
export interface AtomicFileHandle {
  write(buffer: Uint8Array, offset: number, length: number, position: number): Promise<{ bytesWritten: number }>;
  chmod(mode: number): Promise<void>;
  sync(): Promise<void>;
  close(): Promise<void>;
}

export interface AtomicWriteOptions {
  fs?: AtomicFs;
  /** Called at each stage; may throw (a simulated failure) or kill the process (a simulated crash). */
  failpoint?: (stage: AtomicStage) => void | Promise<void>;
  /** Largest single write, bytes (default 1 MiB); smaller in tests to stop between writes. */
  chunkBytes?: number;
  /** Permission bits of a file that does not exist yet (default 0o666 less the umask); an existing file keeps its own. */
  newFileMode?: number;
}

/** The temp file name beside `file`: `.<name>.tmp-<pid>-<random>` (hidden, same folder, so rename never crosses devices). */
export function tempPathFor(file: string): string {
  return path.join(path.dirname(file), `.${path.basename(file)}.tmp-${process.pid}-${randomBytes(6).toString('hex')}`);
}

function toBytes(data: string | Uint8Array): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

async function resolveTarget(f: AtomicFs, target: string): Promise<string> {
  try {
    return await f.realpath(target); // follow a symlink: write the file it points at, keep the link
  } catch {
    return path.resolve(target); // does not exist yet
  }
}

/** Writes `data` to `target` atomically (see the module comment). Rejects with the first error; the original is then intact. */
export async function atomicWriteFile(target: string, data: string | Uint8Array, opts: AtomicWriteOptions = {}): Promise<void> {
  const f: AtomicFs = opts.fs ?? (fsp as unknown as AtomicFs);
  const fp = opts.failpoint ?? (() => {});
  const chunk = Math.max(1, opts.chunkBytes ?? 1 << 20);
  const file = await resolveTarget(f, target);
  let mode: number | undefined;
  try {
    mode = (await f.stat(file)).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const bytes = toBytes(data);
  const tmp = tempPathFor(file);
  let fh: AtomicFileHandle | undefined;
  let renamed = false;
  try {
    fh = await f.open(tmp, 'wx', opts.newFileMode ?? 0o666);
    if (mode !== undefined) await fh.chmod(mode);
    await fp('opened');
    let off = 0;
    while (off < bytes.byteLength) {
      const { bytesWritten } = await fh.write(bytes, off, Math.min(chunk, bytes.byteLength - off), off);
      if (bytesWritten <= 0) throw new Error(`short write to ${tmp}`);
      off += bytesWritten;
      if (off < bytes.byteLength) await fp('partial');
    }
    await fp('written');
    await fh.sync();
    await fp('synced');
    const h = fh;
    fh = undefined;
    await h.close();
    await f.rename(tmp, file);
    renamed = true;
    await fp('renamed');
  } catch (e) {
    if (fh) await fh.close().catch(() => {});
    if (!renamed) await f.unlink(tmp).catch(() => {});
    throw e;
  }
  await syncDir(path.dirname(file));
}

/** fsyncs a folder so a rename in it is durable (POSIX; Windows cannot open folders, and needs not). */
async function syncDir(dir: string): Promise<void> {
  if (process.platform === 'win32') return;
  let h: fs.promises.FileHandle | undefined;
  try {
    h = await fsp.open(dir, 'r');
    await h.sync();
  } catch {
    /* best effort: some file systems refuse fsync on a folder */
  } finally {
    await h?.close().catch(() => {});
  }
}

/** The synchronous twin, for the few writes that must finish before the process quits (window state on close). */
export function atomicWriteFileSync(target: string, data: string | Uint8Array): void {
  let file: string;
  try {
    file = fs.realpathSync(target);
  } catch {
    file = path.resolve(target);
  }
  let mode: number | undefined;
  try {
    mode = fs.statSync(file).mode & 0o7777;
  } catch {
    mode = undefined;
  }
  const bytes = toBytes(data);
  const tmp = tempPathFor(file);
  let fd: number | undefined;
  let renamed = false;
  try {
    fd = fs.openSync(tmp, 'wx', 0o666);
    if (mode !== undefined) fs.fchmodSync(fd, mode);
    let off = 0;
    while (off < bytes.byteLength) off += fs.writeSync(fd, bytes, off, bytes.byteLength - off, off);
    fs.fsyncSync(fd);
    const d = fd;
    fd = undefined;
    fs.closeSync(d);
    fs.renameSync(tmp, file);
    renamed = true;
  } finally {
    if (fd !== undefined) {
      try {
        fs.closeSync(fd);
      } catch {
        /* already failing */
      }
    }
    if (!renamed) {
      try {
        fs.unlinkSync(tmp);
      } catch {
        /* never created */
      }
    }
  }
  if (process.platform !== 'win32') {
    try {
      const d = fs.openSync(path.dirname(file), 'r');
      try {
        fs.fsyncSync(d);
      } finally {
        fs.closeSync(d);
      }
    } catch {
      /* best effort */
    }
  }
}
