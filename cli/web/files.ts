/**
 * The only files `attrib web`'s engine may open: those named on its command
 * line and those the page uploaded (a file the user picked in the page's
 * picker, or a sample the page fetched), each known by a random id. The page
 * never names a path: a `path` FileRef, or an id this server did not give
 * out, is refused. Uploads go to a private folder (mode 0700) removed when
 * the server closes.
 */
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { AttribError } from '../../common/errors.ts';
import type { FileRef } from '../../common/protocol.ts';
import type { FileSource } from '../../common/import/source.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { claimSandboxes, sweepStaleSandboxes } from '../../worker/native/sandbox.ts';

/** A file the server holds. */
export interface ServerFile {
  id: string;
  name: string;
  size: number;
  /** 'named' on the command line, or 'uploaded' by the page. */
  origin: 'named' | 'uploaded';
}

/** A file name safe to write in the upload folder: no folders, no control characters, its extension kept. */
export function uploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const s = base.replace(/[\x00-\x1f\x7f]/g, '_').trim().slice(-200);
  return s && s !== '.' && s !== '..' ? s : 'upload';
}

/** The server's files. */
export class ServerFiles {
  private readonly files = new Map<string, ServerFile & { path: string }>();
  private uploadDir: string | undefined;
  private release: (() => void) | undefined;

  /** Registers files named on the command line; throws a one-line error naming a file that cannot be read. */
  name(paths: readonly string[]): ServerFile[] {
    return paths.map((p) => {
      const src = fileSourceFromPath(p); // "no such file" / "not a regular file", naming it
      return this.add({ name: src.name, size: src.size, origin: 'named', path: src.path! });
    });
  }

  /** Writes an upload's bytes to the private folder and registers it. */
  async upload(name: string, body: Readable): Promise<ServerFile> {
    if (!this.uploadDir) {
      // uploads left by a server that was killed (no exit hook ran) go first, as the engine's sandboxes do
      sweepStaleSandboxes(tmpdir(), 'attrib-web-');
      this.uploadDir = mkdtempSync(path.join(tmpdir(), 'attrib-web-'));
      this.release = claimSandboxes([this.uploadDir]);
    }
    const dir = path.join(this.uploadDir!, randomBytes(9).toString('base64url'));
    mkdirSync(dir, { mode: 0o700 });
    const file = path.join(dir, uploadName(name));
    await pipeline(body, createWriteStream(file, { mode: 0o600, flags: 'wx' }));
    return this.add({ name: uploadName(name), size: statSync(file).size, origin: 'uploaded', path: file });
  }

  private add(f: Omit<ServerFile, 'id'> & { path: string }): ServerFile {
    const id = randomBytes(12).toString('base64url');
    this.files.set(id, { ...f, id });
    return { id, name: f.name, size: f.size, origin: f.origin };
  }

  /** The files named on the command line (the page offers them). */
  named(): ServerFile[] {
    return [...this.files.values()].filter((f) => f.origin === 'named').map(({ id, name, size, origin }) => ({ id, name, size, origin }));
  }

  /** What the engine opens for a FileRef from the page: only this server's ids. */
  toSource(ref: FileRef): FileSource {
    if (ref?.kind === 'server' && typeof ref.id === 'string') {
      const f = this.files.get(ref.id);
      if (f) return fileSourceFromPath(f.path);
    }
    const label = ref && typeof ref === 'object' ? (ref.kind === 'path' ? String(ref.path) : ref.kind === 'server' ? String(ref.name) : String(ref.name ?? '')) : '';
    throw new AttribError('file_unreadable', 'this server opens only files picked in the page or named on its command line', { file: label });
  }

  /** Removes the uploads. */
  close(): void {
    if (this.uploadDir) rmSync(this.uploadDir, { recursive: true, force: true });
    this.release?.();
    this.uploadDir = this.release = undefined;
  }
}
