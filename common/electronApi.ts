/**
 * The shape of `window.workbench`: the one object the Electron preload
 * (main/preload.ts) exposes to the page through contextBridge. Types only, no
 * runtime: renderer/host/electron.ts imports it with `import type`, the
 * preload implements it. Every function is a thin wrapper over one allow-listed
 * IPC channel (main/ipcChannels.ts); nothing Electron-shaped (ipcRenderer,
 * IpcRendererEvent, sender) ever reaches the page.
 */

/** A file the user chose in a native dialog, by absolute path. */
import type { KeyInfo } from './bridge.ts';

export interface PathFile {
  /** File name without folders, for labels. */
  name: string;
  size: number;
  /** Absolute path; what the engine host opens. */
  path: string;
}

/** A notebook read from disk. */
export interface NotebookFile {
  name: string;
  /** Absolute path: the handle to save back to. */
  path: string;
  text: string;
}

/** Where a save went. */
export interface SavedFile {
  name: string;
  path: string;
}

/** A recently opened notebook, newest first. */
export interface RecentEntry {
  name: string;
  path: string;
}

/** What the About box and the UI's labels need to know about the app. */
export interface AppInfo {
  name: string;
  version: string;
  /** process.platform of the host ("darwin", "win32", "linux"). */
  platform: string;
  electron: string;
  chrome: string;
  node: string;
}

/** Arguments of Save / Save As. With `path` (a handle from open/save/recent), saves there; else asks. */
export interface SaveNotebookArgs {
  text: string;
  suggestedName: string;
  path?: string;
}

/** Arguments of an export: the bytes and the file name to suggest. */
export interface ExportFileArgs {
  suggestedName: string;
  data: Uint8Array;
}

/** The `type` of the window message that carries an engine port from the preload to the page. */
export type EnginePortMessageType = 'workbench:engine-port';

/**
 * What main tells the page with each engine port, and when the engine stops.
 * The preload forwards it with `window.postMessage(msg, origin, [port])`;
 * `ports[0]` is the port unless `failed`.
 */
export interface EnginePortMessage {
  type: EnginePortMessageType;
  /** 1 for the first engine process, +1 per restart. */
  generation: number;
  /** True when the engine process died and this port reaches its replacement. */
  restarted: boolean;
  /** True when the engine died too often and main stopped restarting it (no port then). */
  failed: boolean;
  /** Why it restarted or failed, for the UI ("exit code 134"). */
  reason?: string;
}

/** `window.workbench`: frozen, exactly these members. */
export interface WorkbenchApi {
  /** Native open dialog for event data (csv, tsv, parquet, ndjson, jsonl); [] when cancelled. */
  pickDataFiles(): Promise<PathFile[]>;
  /** Native open dialog for a notebook (*.attrib.md); null when cancelled. */
  openNotebook(): Promise<NotebookFile | null>;
  /** Save (to `path`, which must be a file this session opened or saved) or Save As (dialog). Atomic. */
  saveNotebook(args: SaveNotebookArgs): Promise<SavedFile | null>;
  /** Native save dialog, then an atomic write of `data`; false when cancelled. */
  exportFile(args: ExportFileArgs): Promise<boolean>;
  /** Writes a crash-recovery copy (in the app's user-data folder): the open notebook, or the one last replaced. */
  writeRecovery(text: string, slot?: RecoverySlot): Promise<void>;
  /** The recovery copy of that slot left by an earlier session, if any. */
  readRecovery(slot?: RecoverySlot): Promise<string | null>;
  /** Removes the recovery copy of that slot. */
  clearRecovery(slot?: RecoverySlot): Promise<void>;
  /** Recently opened notebooks, newest first (at most 10). */
  recentNotebooks(): Promise<RecentEntry[]>;
  /** Reopens a notebook from the recent list (only paths on that list are accepted). */
  openRecent(path: string): Promise<NotebookFile | null>;
  /** Name, version and platform of the app. */
  appInfo(): Promise<AppInfo>;
  /** Native menu commands (ids from common/commands.ts); returns an unsubscribe function. */
  onMenuCommand(fn: (id: string) => void): () => void;
  /** Absolute path of a dropped or picked File ('' when it is not a file on disk). */
  getPathForFile(file: File): string;
  /**
   * Asks main for a port to the engine utility process. The port arrives as a
   * window message of type 'workbench:engine-port' (an {@link EnginePortMessage}
   * with the port in `event.ports[0]`); later ones follow engine restarts.
   */
  connectEngine(): void;
  /** A new pseudonymisation key, kept encrypted with the OS keychain (or for this session where there is none). */
  createKey(): Promise<KeyInfo>;
  /** The key (hex) with this id, if the app has it. */
  getKey(keyId: string): Promise<string | null>;
  /** Open dialog for a key file; its key is kept like a new one. Null when cancelled. */
  importKeyFile(): Promise<KeyInfo | null>;
  /** Save dialog: writes the key as a key file (readable by the user only). False when cancelled. */
  exportKeyFile(keyId: string): Promise<boolean>;
}

/**
 * Which crash-recovery copy: `open` is the notebook being edited (autosaved);
 * `replaced` is the edited notebook that New, Open or a template last put
 * aside, kept until it is restored or discarded, so replacing never loses work.
 */
export type RecoverySlot = 'open' | 'replaced';

/** The recovery slots, for validation. */
export const RECOVERY_SLOTS: readonly RecoverySlot[] = ['open', 'replaced'];
