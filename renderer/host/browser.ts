/**
 * The HostBridge of web mode (common/bridge.ts): the engine in a Web Worker,
 * files through pickers and downloads, the File System Access API where the
 * browser has it (Chromium: save back to the same file, recent notebooks),
 * the recovery copy and the recent list in IndexedDB.
 */
import { SessionKeyStore, KEY_FILE_ACCEPT } from './keys.ts';
import type { HostBridge, OpenedNotebook, PickedFile, RecoverySlot, SavedNotebook } from '../../common/bridge.ts';
import type { Port } from '../../common/client.ts';
import { startEngineWorker, type EnginePort } from '../../worker/browser/engine.ts';
import { RemotePort } from './remote.ts';

/** The data files the importer reads (common/import/source.ts formatFromName). */
export const DATA_FILE_ACCEPT = '.csv,.tsv,.parquet,.ndjson,.jsonl,.json';
/** Notebook files. */
export const NOTEBOOK_ACCEPT = '.md,.attrib.md,text/markdown';
const RECENT_MAX = 10;

// The parts of the File System Access API we use (not in TypeScript's DOM lib yet).
type PermissionMode = { mode: 'read' | 'readwrite' };
interface FileHandle {
  readonly kind: 'file';
  readonly name: string;
  getFile(): Promise<File>;
  createWritable?(): Promise<{ write(data: Blob | string): Promise<void>; close(): Promise<void>; abort(): Promise<void> }>;
  queryPermission?(d: PermissionMode): Promise<PermissionState>;
  requestPermission?(d: PermissionMode): Promise<PermissionState>;
  isSameEntry?(other: FileHandle): Promise<boolean>;
}
interface PickerType {
  description: string;
  accept: Record<string, string[]>;
}
interface FsaWindow {
  showOpenFilePicker?(o: { multiple?: boolean; types?: PickerType[]; excludeAcceptAllOption?: boolean; id?: string }): Promise<FileHandle[]>;
  showSaveFilePicker?(o: { suggestedName?: string; types?: PickerType[]; id?: string }): Promise<FileHandle>;
}
const fsa = (): FsaWindow => window as unknown as FsaWindow;

const NOTEBOOK_TYPES: PickerType[] = [{ description: 'Attribution notebook', accept: { 'text/markdown': ['.md'] } }];

/** A picker the user closed: not an error. */
function isAbort(e: unknown): boolean {
  return e instanceof DOMException && e.name === 'AbortError';
}

/** A File as the engine host opens it. */
export function pickedFromFile(file: File): PickedFile {
  return { name: file.name, size: file.size, ref: { kind: 'blob', name: file.name, blob: file } };
}

/** Opens an <input type=file> picker; [] when the user cancels. */
export function inputPicker(accept: string, multiple: boolean): Promise<File[]> {
  return new Promise((resolve) => {
    const input = document.createElement('input');
    input.type = 'file';
    input.accept = accept;
    input.multiple = multiple;
    input.style.display = 'none';
    let settled = false;
    const done = (files: File[]) => {
      if (settled) return;
      settled = true;
      input.remove();
      resolve(files);
    };
    input.addEventListener('change', () => done(Array.from(input.files ?? [])));
    // Chromium 113+, Firefox 91+, Safari 16.4+ fire `cancel` when the dialog is closed.
    input.addEventListener('cancel', () => done([]));
    document.body.append(input);
    input.click();
  });
}

/** Saves a Blob as a download (no way to know where it went, or whether it was cancelled). */
function download(name: string, data: Blob): void {
  const url = URL.createObjectURL(data);
  const a = document.createElement('a');
  a.href = url;
  a.download = name;
  a.rel = 'noopener';
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}

async function writeHandle(handle: FileHandle, data: Blob | string): Promise<void> {
  if (handle.queryPermission && (await handle.queryPermission({ mode: 'readwrite' })) !== 'granted') {
    if ((await handle.requestPermission?.({ mode: 'readwrite' })) !== 'granted') throw new DOMException('permission to write the file was refused', 'NotAllowedError');
  }
  // createWritable writes a swap file and moves it over the original on close: atomic.
  const w = await handle.createWritable!();
  try {
    await w.write(data);
    await w.close();
  } catch (e) {
    await w.abort().catch(() => {});
    throw e;
  }
}

async function readHandle(handle: FileHandle): Promise<OpenedNotebook> {
  if (handle.queryPermission && (await handle.queryPermission({ mode: 'read' })) !== 'granted') {
    if ((await handle.requestPermission?.({ mode: 'read' })) !== 'granted') throw new DOMException('permission to read the file was refused', 'NotAllowedError');
  }
  const file = await handle.getFile();
  return { name: file.name, text: await file.text(), handle };
}

function isFileHandle(h: unknown): h is FileHandle {
  return !!h && typeof h === 'object' && (h as FileHandle).kind === 'file' && typeof (h as FileHandle).getFile === 'function';
}

// ---- a small key-value store in IndexedDB (localStorage where IndexedDB is missing)

const DB_NAME = 'attribution-workbench';
const STORE = 'kv';

function openKv(): Promise<IDBDatabase> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open(DB_NAME, 1);
    req.onupgradeneeded = () => req.result.createObjectStore(STORE);
    req.onsuccess = () => resolve(req.result);
    req.onerror = () => reject(req.error);
  });
}

/** Key-value storage for the bridge: IndexedDB, or localStorage (strings only) without it. */
export class KvStore {
  private db: Promise<IDBDatabase> | undefined;
  constructor(private readonly prefix = 'attrib:') {}

  private get idb(): Promise<IDBDatabase> | undefined {
    if (typeof indexedDB === 'undefined') return undefined;
    this.db ??= openKv();
    return this.db;
  }

  private async tx<T>(mode: IDBTransactionMode, fn: (s: IDBObjectStore) => IDBRequest): Promise<T> {
    const db = await this.idb!;
    return new Promise<T>((resolve, reject) => {
      const t = db.transaction(STORE, mode);
      const req = fn(t.objectStore(STORE));
      t.oncomplete = () => resolve(req.result as T);
      t.onerror = () => reject(t.error);
      t.onabort = () => reject(t.error);
    });
  }

  async get<T>(key: string): Promise<T | undefined> {
    if (this.idb) return this.tx<T | undefined>('readonly', (s) => s.get(key));
    const v = localStorage.getItem(this.prefix + key);
    return v === null ? undefined : (JSON.parse(v) as T);
  }

  async set(key: string, value: unknown): Promise<void> {
    if (this.idb) return void (await this.tx('readwrite', (s) => s.put(value, key)));
    localStorage.setItem(this.prefix + key, JSON.stringify(value));
  }

  async delete(key: string): Promise<void> {
    if (this.idb) return void (await this.tx('readwrite', (s) => s.delete(key)));
    localStorage.removeItem(this.prefix + key);
  }
}

interface RecentEntry {
  name: string;
  handle: FileHandle;
}

/**
 * The browser's HostBridge. One engine per bridge, started on first use: a
 * Web Worker (wasm), or the native engine of the server that served the
 * page (`attrib web`, over a WebSocket: renderer/host/remote.ts).
 */
export class BrowserHost implements HostBridge {
  readonly kind = 'browser' as const;
  readonly engine: 'native' | 'wasm';
  private port: EnginePort | RemotePort | undefined;
  /** Keys live in this page's memory only (never IndexedDB): the key file is the user's copy. */
  readonly keys = new SessionKeyStore((name, data) => this.exportFile(name, data), () => inputPicker(KEY_FILE_ACCEPT, false));

  constructor(
    private readonly kv = new KvStore(),
    engine: 'native' | 'wasm' = 'wasm',
  ) {
    this.engine = engine;
  }

  /** The running engine's port (started on first call); the UI wraps it in one EngineClient. */
  async enginePort(): Promise<Port> {
    this.port ??= this.engine === 'native' ? new RemotePort() : startEngineWorker();
    return this.port;
  }

  /** Stops the engine; the next enginePort() starts a fresh one (e.g. after a crash). */
  restartEngine(): void {
    this.port?.terminate();
    this.port = undefined;
  }


  async pickDataFiles(): Promise<PickedFile[]> {
    return (await inputPicker(DATA_FILE_ACCEPT, true)).map(pickedFromFile);
  }

  async openNotebook(): Promise<OpenedNotebook | null> {
    const w = fsa();
    if (w.showOpenFilePicker) {
      let handles: FileHandle[];
      try {
        handles = await w.showOpenFilePicker({ multiple: false, types: NOTEBOOK_TYPES, id: 'notebooks' });
      } catch (e) {
        if (isAbort(e)) return null;
        throw e;
      }
      const opened = await readHandle(handles[0]);
      await this.remember(handles[0]);
      return opened;
    }
    const [file] = await inputPicker(NOTEBOOK_ACCEPT, false);
    return file ? { name: file.name, text: await file.text() } : null;
  }

  async saveNotebook(text: string, suggestedName: string, handle?: unknown): Promise<SavedNotebook | null> {
    if (isFileHandle(handle) && handle.createWritable) {
      await writeHandle(handle, text);
      await this.remember(handle);
      return { name: handle.name, handle };
    }
    const w = fsa();
    if (w.showSaveFilePicker) {
      let target: FileHandle;
      try {
        target = await w.showSaveFilePicker({ suggestedName, types: NOTEBOOK_TYPES, id: 'notebooks' });
      } catch (e) {
        if (isAbort(e)) return null;
        throw e;
      }
      await writeHandle(target, text);
      await this.remember(target);
      return { name: target.name, handle: target };
    }
    download(suggestedName, new Blob([text], { type: 'text/markdown;charset=utf-8' }));
    return { name: suggestedName };
  }

  async exportFile(suggestedName: string, data: Blob): Promise<boolean> {
    const w = fsa();
    if (w.showSaveFilePicker) {
      let target: FileHandle;
      try {
        target = await w.showSaveFilePicker({ suggestedName, id: 'exports' });
      } catch (e) {
        if (isAbort(e)) return false;
        throw e;
      }
      await writeHandle(target, data);
      return true;
    }
    download(suggestedName, data);
    return true;
  }

  writeRecovery(text: string, slot: RecoverySlot = 'open'): Promise<void> {
    return this.kv.set(recoveryKey(slot), { text, savedAt: Date.now() });
  }

  async readRecovery(slot: RecoverySlot = 'open'): Promise<string | null> {
    const r = await this.kv.get<{ text: string }>(recoveryKey(slot));
    return r?.text ?? null;
  }

  clearRecovery(slot: RecoverySlot = 'open'): Promise<void> {
    return this.kv.delete(recoveryKey(slot));
  }

  async recentNotebooks(): Promise<{ name: string; handle: unknown }[]> {
    if (!fsa().showOpenFilePicker) return [];
    return (await this.kv.get<RecentEntry[]>('recent').catch(() => undefined)) ?? [];
  }

  async openRecent(handle: unknown): Promise<OpenedNotebook | null> {
    if (!isFileHandle(handle)) return null;
    try {
      const opened = await readHandle(handle);
      await this.remember(handle);
      return opened;
    } catch (e) {
      // Gone (moved, deleted) or refused: drop it from the list.
      if (e instanceof DOMException && (e.name === 'NotFoundError' || e.name === 'NotAllowedError')) {
        await this.forget(handle);
        return null;
      }
      throw e;
    }
  }

  onMenuCommand(_fn: (id: string) => void): () => void {
    return () => {}; // no native menus in a page
  }

  droppedFiles(e: DragEvent): PickedFile[] {
    return Array.from(e.dataTransfer?.files ?? []).map(pickedFromFile);
  }

  /** Puts a notebook first in the recent list (handles are structured-cloned into IndexedDB). */
  private async remember(handle: FileHandle): Promise<void> {
    if (typeof indexedDB === 'undefined') return; // handles cannot go to localStorage
    const list = await this.withoutHandle(handle);
    await this.kv.set('recent', [{ name: handle.name, handle }, ...list].slice(0, RECENT_MAX));
  }

  private async forget(handle: FileHandle): Promise<void> {
    if (typeof indexedDB === 'undefined') return;
    await this.kv.set('recent', await this.withoutHandle(handle));
  }

  private async withoutHandle(handle: FileHandle): Promise<RecentEntry[]> {
    const list = (await this.kv.get<RecentEntry[]>('recent').catch(() => undefined)) ?? [];
    const keep: RecentEntry[] = [];
    for (const r of list) if (!(await handle.isSameEntry?.(r.handle).catch(() => false))) keep.push(r);
    return keep;
  }
}

/** The bridge web mode uses; `engine` native when the page came from `attrib web` (renderer/host/remote.ts pageEngine). */
export function createBrowserHost(engine: 'native' | 'wasm' = 'wasm'): BrowserHost {
  return new BrowserHost(new KvStore(), engine);
}

/** IndexedDB key of a recovery slot (the open notebook's key is the one earlier versions wrote). */
function recoveryKey(slot: RecoverySlot): string {
  return slot === 'open' ? 'recovery' : `recovery-${slot}`;
}
