/**
 * The HostBridge of the desktop app (common/bridge.ts) over the preload's
 * `window.workbench` (common/electronApi.ts): native dialogs and atomic saves
 * in main, the native engine in a utility process whose port arrives as a
 * window message, files by path. Page code only: no Node, no Electron
 * (type-checks under renderer/tsconfig.json).
 */
import type { EngineEvent, HostBridge, KeyStore, MenuCommand, OpenedNotebook, PickedFile, SavedNotebook } from '../../common/bridge.ts';
import type { Port } from '../../common/client.ts';
import type { EnginePortMessage, NotebookFile, PathFile, RecoverySlot, WorkbenchApi } from '../../common/electronApi.ts';

/** `window.workbench` when this page runs in the desktop app, else undefined (web mode). */
export function workbenchApi(w: Window = window): WorkbenchApi | undefined {
  const api = (w as unknown as { workbench?: WorkbenchApi }).workbench;
  return api && typeof api.connectEngine === 'function' ? api : undefined;
}

/** The folder of an absolute path (either convention), or undefined for a bare name. */
export function folderOf(p: string): string | undefined {
  const i = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
  if (i < 0) return undefined;
  if (i === 0) return p.slice(0, 1);
  if (/^[A-Za-z]:[\\/]?$/.test(p.slice(0, i + 1))) return p.slice(0, i + 1);
  return p.slice(0, i);
}

function parseAbs(p: string): { windows: boolean; root: string; parts: string[] } | null {
  const m = /^([A-Za-z]:)[\\/]?(.*)$/s.exec(p);
  if (m) return { windows: true, root: m[1].toUpperCase(), parts: m[2].split(/[\\/]/).filter((s) => s && s !== '.') };
  const u = /^\\\\([^\\/]+)[\\/]([^\\/]+)(.*)$/s.exec(p);
  if (u) return { windows: true, root: `\\\\${u[1]}\\${u[2]}`.toLowerCase(), parts: u[3].split(/[\\/]/).filter((s) => s && s !== '.') };
  if (p.startsWith('/')) return { windows: false, root: '/', parts: p.split('/').filter((s) => s && s !== '.') };
  return null;
}

/**
 * `file` relative to the folder `dir`, with forward slashes ("data/x.csv",
 * "../exports/x.parquet"); undefined when there is no relative path (other
 * drive or share, or not absolute). Windows compares case-insensitively.
 */
export function relativeTo(dir: string, file: string): string | undefined {
  const a = parseAbs(dir);
  const b = parseAbs(file);
  if (!a || !b || a.windows !== b.windows || a.root.toLowerCase() !== b.root.toLowerCase()) return undefined;
  if (a.parts.includes('..') || b.parts.includes('..')) return undefined;
  const same = (x: string, y: string) => (a.windows ? x.toLowerCase() === y.toLowerCase() : x === y);
  let i = 0;
  while (i < a.parts.length && i < b.parts.length && same(a.parts[i], b.parts[i])) i++;
  const rel = [...a.parts.slice(i).map(() => '..'), ...b.parts.slice(i)];
  return rel.length ? rel.join('/') : undefined;
}

/** A suggested file name main accepts: no folders or control characters, at most 200 characters. */
export function safeFileName(name: string, fallback = 'untitled'): string {
  const s = name.replace(/[\\/\x00-\x1f]/g, '_').trim().slice(0, 200);
  return s && s !== '.' && s !== '..' ? s : fallback;
}

interface Deferred<T> {
  promise: Promise<T>;
  resolve(v: T): void;
  reject(e: Error): void;
  settled: boolean;
}

function deferred<T>(): Deferred<T> {
  let resolve!: (v: T) => void;
  let reject!: (e: Error) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  const d: Deferred<T> = {
    promise,
    settled: false,
    resolve: (v) => {
      d.settled = true;
      resolve(v);
    },
    reject: (e) => {
      d.settled = true;
      reject(e);
    },
  };
  // A rejection nobody awaited yet must not be reported as unhandled.
  promise.catch(() => {});
  return d;
}

function isEnginePortMessage(d: unknown): d is EnginePortMessage {
  const m = d as Partial<EnginePortMessage> | null;
  return !!m && typeof m === 'object' && m.type === 'workbench:engine-port' && typeof m.generation === 'number';
}

/** The desktop app's HostBridge. */
export class ElectronHost implements HostBridge {
  readonly kind = 'electron' as const;
  readonly engine = 'native' as const;
  private notebookPath: string | undefined;
  private port: Deferred<Port> | undefined;
  private readonly engineListeners = new Set<(e: EngineEvent) => void>();

  constructor(
    private readonly api: WorkbenchApi,
    private readonly win: Window = window,
  ) {}

  /** The notebook file the relative paths of data files are computed against (set by open/save; clear for a new notebook). */
  setNotebookPath(p: string | undefined): void {
    this.notebookPath = p;
  }

  /** A port to the engine utility process. Resolves when main's port arrives; after a restart, the new one. */
  enginePort(): Promise<Port> {
    if (!this.port) {
      this.port = deferred<Port>();
      this.win.addEventListener('message', (e) => this.receive(e));
      this.api.connectEngine();
    }
    return this.port.promise;
  }

  private receive(e: MessageEvent): void {
    // Only the preload (same window, same origin) posts these.
    if (e.source !== this.win || e.origin !== this.win.location.origin || !isEnginePortMessage(e.data)) return;
    const m = e.data;
    const reason = m.reason ?? '';
    if (m.failed) {
      const err = new Error(`the engine stopped: ${reason || 'unknown reason'}`);
      if (!this.port || this.port.settled) this.port = deferred<Port>();
      this.port.reject(err);
      this.emit({ type: 'failed', reason });
      return;
    }
    const port = e.ports[0];
    if (!port) return;
    port.start(); // addEventListener on a MessagePort delivers nothing until started
    if (!this.port || this.port.settled) this.port = deferred<Port>();
    this.port.resolve(port as unknown as Port);
    if (m.restarted) this.emit({ type: 'restarted', reason });
  }

  private emit(ev: EngineEvent): void {
    for (const fn of this.engineListeners) {
      try {
        fn(ev);
      } catch (err) {
        console.error(err);
      }
    }
  }

  onEngineEvent(fn: (e: EngineEvent) => void): () => void {
    this.engineListeners.add(fn);
    return () => void this.engineListeners.delete(fn);
  }

  private picked(f: PathFile): PickedFile {
    const dir = this.notebookPath ? folderOf(this.notebookPath) : undefined;
    const relativePath = dir ? relativeTo(dir, f.path) : undefined;
    return { name: f.name, size: f.size, ref: { kind: 'path', path: f.path }, ...(relativePath ? { relativePath } : {}) };
  }

  private opened(nb: NotebookFile | null): OpenedNotebook | null {
    if (!nb) return null;
    this.notebookPath = nb.path;
    return { name: nb.name, text: nb.text, handle: nb.path };
  }

  async pickDataFiles(): Promise<PickedFile[]> {
    return (await this.api.pickDataFiles()).map((f) => this.picked(f));
  }

  async openNotebook(): Promise<OpenedNotebook | null> {
    return this.opened(await this.api.openNotebook());
  }

  async saveNotebook(text: string, suggestedName: string, handle?: unknown): Promise<SavedNotebook | null> {
    const path = typeof handle === 'string' ? handle : undefined;
    const saved = await this.api.saveNotebook({ text, suggestedName: safeFileName(suggestedName, 'notebook.attrib.md'), ...(path ? { path } : {}) });
    if (!saved) return null;
    this.notebookPath = saved.path;
    return { name: saved.name, handle: saved.path };
  }

  /** Keys through main (OS keychain via safeStorage). */
  readonly keys: KeyStore = {
    create: () => this.api.createKey(),
    get: (id) => this.api.getKey(id),
    importFile: () => this.api.importKeyFile(),
    exportFile: (id) => this.api.exportKeyFile(id),
  };

  async exportFile(suggestedName: string, data: Blob): Promise<boolean> {
    return this.api.exportFile({ suggestedName: safeFileName(suggestedName, 'export'), data: new Uint8Array(await data.arrayBuffer()) });
  }

  writeRecovery(text: string, slot?: RecoverySlot): Promise<void> {
    return this.api.writeRecovery(text, slot);
  }

  readRecovery(slot?: RecoverySlot): Promise<string | null> {
    return this.api.readRecovery(slot);
  }

  clearRecovery(slot?: RecoverySlot): Promise<void> {
    return this.api.clearRecovery(slot);
  }

  async recentNotebooks(): Promise<{ name: string; handle: unknown }[]> {
    return (await this.api.recentNotebooks()).map((r) => ({ name: r.name, handle: r.path }));
  }

  async openRecent(handle: unknown): Promise<OpenedNotebook | null> {
    if (typeof handle !== 'string') return null;
    return this.opened(await this.api.openRecent(handle));
  }

  onMenuCommand(fn: (id: MenuCommand) => void): () => void {
    return this.api.onMenuCommand(fn);
  }

  droppedFiles(e: DragEvent): PickedFile[] {
    const out: PickedFile[] = [];
    for (const f of Array.from(e.dataTransfer?.files ?? [])) {
      const p = this.api.getPathForFile(f);
      if (p) out.push(this.picked({ name: f.name, size: f.size, path: p })); // '' for things that are not files on disk
    }
    return out;
  }
}

/** The desktop app's bridge, or null in web mode (no `window.workbench`). */
export function createElectronHost(w: Window = window): ElectronHost | null {
  const api = workbenchApi(w);
  return api ? new ElectronHost(api, w) : null;
}
