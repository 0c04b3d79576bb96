/**
 * The host bridge: everything the notebook UI needs from the world outside
 * its page. Two implementations, one interface: Electron (renderer/host/
 * electron.ts over the preload's `window.workbench`) and the browser
 * (renderer/host/browser.ts: pickers, downloads, the File System Access API,
 * IndexedDB). The UI never asks which one it has, except to word a label.
 */
import type { Port } from './client.ts';
import type { FileRef } from './protocol.ts';
import type { RecoverySlot } from './electronApi.ts';

export type { RecoverySlot };

/** A data file the user chose: a path in the desktop app, a File in the browser. */
export interface PickedFile {
  /** File name without folders, for labels. */
  name: string;
  size: number;
  /** What the engine host opens. */
  ref: FileRef;
  /** Path relative to the notebook's folder when known (desktop app), for the notebook file. */
  relativePath?: string;
}

/** A notebook file read from disk or a picker. */
export interface OpenedNotebook {
  name: string;
  text: string;
  /** Opaque handle to save back to the same place (a path or a FileSystemFileHandle). */
  handle?: unknown;
}

/** Where a save went. */
export interface SavedNotebook {
  name: string;
  handle?: unknown;
}

/** Command ids the host's native menus send (see renderer/commands.ts for the registry). */
export type MenuCommand = string;

/** What happened to the engine host behind enginePort() (desktop app: main restarts a dead utility process). */
export type EngineEvent = { type: 'restarted'; reason: string } | { type: 'failed'; reason: string };

/** A pseudonymisation key the host holds (common/pseudonym.ts); notebooks record only the id. */
export interface KeyInfo {
  keyId: string;
  /**
   * Where the host keeps it: 'keychain' (the desktop app, encrypted with the
   * OS keychain through safeStorage: there next time) or 'session' (in memory
   * until the page closes: the user must keep the key file to reopen).
   */
  kept: 'keychain' | 'session';
}

/** The host's pseudonymisation keys. The key leaves the host only towards the engine, at import. */
export interface KeyStore {
  /** Makes a new random key and keeps it. In the browser it is also offered as a key file to save. */
  create(): Promise<KeyInfo>;
  /** The key with this id (hex) when the host has it, else null (then ask for its key file). */
  get(keyId: string): Promise<string | null>;
  /** Lets the user choose a key file, keeps its key; null when cancelled. Throws on a file that is not a key. */
  importFile(): Promise<KeyInfo | null>;
  /** Saves the key as a key file where the user says; false when cancelled. */
  exportFile(keyId: string): Promise<boolean>;
}

/** What the UI can ask of its host. */
export interface HostBridge {
  readonly kind: 'electron' | 'browser';
  /**
   * The engine behind enginePort(): 'native' DuckDB (the desktop app's utility
   * process, or `attrib web`'s server) or 'wasm' (duckdb-wasm in a Web Worker).
   */
  readonly engine: 'native' | 'wasm';
  /** A port to an engine host speaking common/protocol.ts (utility process or Web Worker). */
  enginePort(): Promise<Port>;
  /** Lets the user choose data files (native dialog or file picker); [] when cancelled. */
  pickDataFiles(): Promise<PickedFile[]>;
  /** Lets the user choose a notebook file; null when cancelled. */
  openNotebook(): Promise<OpenedNotebook | null>;
  /**
   * Saves notebook text: to `handle` when given (Save), else asks where (Save As).
   * Atomic where the host can do it (temp file, fsync, rename). Null when cancelled.
   */
  saveNotebook(text: string, suggestedName: string, handle?: unknown): Promise<SavedNotebook | null>;
  /** Saves an export (CSV, Parquet, PNG, SVG, HTML) where the user says; false when cancelled. */
  exportFile(suggestedName: string, data: Blob): Promise<boolean>;
  /** Writes a crash-recovery copy: of the open notebook (autosave), or of the edited one just replaced. */
  writeRecovery(text: string, slot?: RecoverySlot): Promise<void>;
  /** The recovery copy of that slot left by an earlier session, if any. */
  readRecovery(slot?: RecoverySlot): Promise<string | null>;
  /** Removes the recovery copy of that slot (after a clean save, a restore or a discard). */
  clearRecovery(slot?: RecoverySlot): Promise<void>;
  /** Recently opened notebooks, newest first (names for labels, opaque handles). */
  recentNotebooks(): Promise<{ name: string; handle: unknown }[]>;
  /** Reopens a recent notebook. */
  openRecent(handle: unknown): Promise<OpenedNotebook | null>;
  /** Native menu commands (desktop app); returns an unsubscribe function. */
  onMenuCommand(fn: (id: MenuCommand) => void): () => void;
  /** Files dropped on the window, resolved to PickedFile (desktop: paths; browser: Files). */
  droppedFiles(e: DragEvent): PickedFile[];
  /**
   * Engine crashes the host handled by itself. After 'restarted', enginePort()
   * resolves with the replacement's port (make a new EngineClient; requests in
   * flight on the old port are never answered); after 'failed', it rejects.
   * Returns an unsubscribe function. Optional: a host that restarts nothing by
   * itself need not have it.
   */
  onEngineEvent?(fn: (e: EngineEvent) => void): () => void;
  /** Pseudonymisation keys (desktop: OS keychain; browser: this session, plus key files). */
  readonly keys: KeyStore;
}
