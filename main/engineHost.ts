/**
 * The native engine host inside the Electron utility process
 * (main/engine-host.ts is its entry). Main sends `{type: 'connect'}` with a
 * MessagePortMain over `process.parentPort` for each page that asks; each port
 * gets its own in-memory DuckDB and Engine, served with serveEngine
 * (worker/host.ts), and both are closed when the page's end of the port goes
 * away. Runs in plain Node against fake ports (test/unit/electron-engine.test.ts).
 */
import type { Port } from '../common/client.ts';
import type { Database } from '../common/db.ts';
import { AttribError } from '../common/errors.ts';
import type { ModelLibrary } from '../common/pipeline.ts';
import type { FileRef } from '../common/protocol.ts';
import type { FileSource } from '../common/import/source.ts';
import { serveError, serveSession } from '../worker/host.ts';
import { openNativeDatabase } from '../worker/native/database.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';
import { loadModelLibrary } from '../worker/node/library.ts';

/** A MessagePortMain as the host uses it. */
export interface HostPort {
  on(event: 'message', fn: (e: { data: unknown }) => void): unknown;
  on(event: 'close', fn: () => void): unknown;
  postMessage(message: unknown): void;
  start(): void;
  close(): void;
}

/** process.parentPort as the host uses it. */
export interface ParentPortLike {
  on(event: 'message', fn: (e: { data: unknown; ports: HostPort[] }) => void): unknown;
}

export interface HostOptions {
  /** Folder of the model SQL files (the packaged app passes resources/models). */
  modelsDir?: string;
  /** DuckDB threads (default: all cores). */
  threads?: number;
}

/** Reads `--models-dir=DIR` and `--threads=N` from the utility process's argv. */
export function parseHostArgs(argv: readonly string[]): HostOptions {
  const out: HostOptions = {};
  for (const a of argv) {
    const m = /^--(models-dir|threads)=(.*)$/s.exec(a);
    if (!m) continue;
    if (m[1] === 'models-dir' && m[2]) out.modelsDir = m[2];
    if (m[1] === 'threads' && /^[1-9]\d{0,3}$/.test(m[2])) out.threads = Number(m[2]);
  }
  return out;
}

/** A MessagePortMain as a protocol Port (its 'message' events carry `{data}`). */
export function adaptPort(p: HostPort): Port {
  return {
    postMessage: (m) => p.postMessage(m),
    on: (_type, fn) => void p.on('message', (e) => fn(e.data)),
  };
}

/** FileRefs the desktop engine opens: paths only (the page gets paths from dialogs and drops). */
export function toSource(f: FileRef): FileSource {
  if (f.kind !== 'path') throw new AttribError('file_unreadable', 'the desktop engine opens files by path');
  return fileSourceFromPath(f.path);
}

export interface HostDeps {
  openDatabase?: () => Promise<Database>;
  library?: () => ModelLibrary;
  log?: (message: string) => void;
}

/** Serves engines on the ports main sends over `parent`. Returns a count of open sessions (for tests). */
export function runEngineHost(parent: ParentPortLike, opts: HostOptions = {}, deps: HostDeps = {}): { sessions(): number } {
  const log = deps.log ?? ((m: string) => console.error(`engine-host: ${m}`));
  // Loaded once: a models folder that cannot be read fails at start, where main sees the exit.
  const lib = (deps.library ?? (() => loadModelLibrary(opts.modelsDir)))();
  const open = deps.openDatabase ?? (() => openNativeDatabase({ threads: opts.threads }));
  let sessions = 0;

  const serve = async (port: HostPort) => {
    // Messages queue on the port until start(), so nothing is lost while DuckDB opens.
    let db: Database;
    try {
      db = await open();
    } catch (e) {
      log(`cannot open the database: ${(e as Error).message}`);
      serveError(adaptPort(port), e);
      port.start();
      return;
    }
    sessions++;
    const close = serveSession(adaptPort(port), db, lib, toSource);
    port.on('close', () => {
      sessions--;
      close().catch((e: Error) => log(`close: ${e.message}`));
    });
    port.start();
  };

  parent.on('message', (e) => {
    const m = e.data as { type?: unknown } | null;
    const port = e.ports?.[0];
    if (!m || m.type !== 'connect' || !port) return;
    void serve(port);
  });
  return { sessions: () => sessions };
}
