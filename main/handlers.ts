/**
 * What each invoke channel does: native dialogs, atomic saves, recovery,
 * recent files. Everything outside (dialogs, the user-data folder, the OS's
 * recent-documents list) comes in through `HandlerDeps`, so tests run these
 * with a fake dialog and a temp folder (test/unit/electron-handlers.test.ts).
 *
 * A save "to a handle" only goes to a path this session opened or saved
 * through a dialog, or one on the recent list: the page cannot name an
 * arbitrary file to overwrite.
 */
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import type { AppInfo, NotebookFile, PathFile } from '../common/electronApi.ts';
import { atomicWriteFile } from './atomicWrite.ts';
import { MAX_TEXT, type InvokeChannel, type InvokeMap } from './ipcChannels.ts';
import type { MainKeyStore } from './keyStore.ts';
import { clearRecovery, readRecovery, samePath, writeRecovery, type RecentList } from './userFiles.ts';

/** Extensions of event data the open dialog offers. */
export const DATA_EXTENSIONS = ['csv', 'tsv', 'parquet', 'ndjson', 'jsonl'] as const;
/** The notebook suffix. */
export const NOTEBOOK_SUFFIX = '.attrib.md';

export interface FileFilter {
  name: string;
  extensions: string[];
}

/** Open-dialog filters for event data. */
export const DATA_FILTERS: FileFilter[] = [
  { name: 'Event data (CSV, TSV, Parquet, NDJSON)', extensions: [...DATA_EXTENSIONS] },
  { name: 'All files', extensions: ['*'] },
];

/**
 * Notebook filters. Dialog filters take single extensions ("md", not
 * "attrib.md", which macOS panels do not match), so the filter is *.md and the
 * suggested name carries the full suffix.
 */
export const NOTEBOOK_FILTERS: FileFilter[] = [
  { name: 'Attribution notebook (*.attrib.md)', extensions: ['md'] },
  { name: 'All files', extensions: ['*'] },
];

const EXPORT_KINDS: Record<string, string> = {
  csv: 'CSV',
  parquet: 'Parquet',
  png: 'PNG image',
  svg: 'SVG image',
  html: 'HTML report',
  json: 'JSON',
};

/** Save-dialog filters for an export, from the suggested name's extension. */
export function exportFilters(suggestedName: string): FileFilter[] {
  const ext = path.extname(suggestedName).slice(1).toLowerCase();
  const named = EXPORT_KINDS[ext];
  return named ? [{ name: named, extensions: [ext] }, { name: 'All files', extensions: ['*'] }] : [{ name: 'All files', extensions: ['*'] }];
}

/** The native dialogs, as main/app.ts adapts them (parented to the window). */
export interface DialogPort {
  open(opts: { title: string; filters: FileFilter[]; multiple: boolean; defaultPath?: string }): Promise<{ canceled: boolean; filePaths: string[] }>;
  save(opts: { title: string; filters: FileFilter[]; defaultPath: string }): Promise<{ canceled: boolean; filePath?: string }>;
}

export interface HandlerDeps {
  dialog: DialogPort;
  /** The user-data folder (recovery copy). */
  userData: string;
  recent: RecentList;
  /** The OS's recent-documents list (app.addRecentDocument). */
  addRecentDocument(file: string): void;
  appInfo(): AppInfo;
  /** Folder the first dialog starts in (the user's documents). */
  startDir: string;
  /** Pseudonymisation keys (main/keyStore.ts). */
  keys: MainKeyStore;
}

/** Dialog filters for key files. */
export const KEY_FILTERS: FileFilter[] = [
  { name: 'Pseudonymisation key (*.key)', extensions: ['key'] },
  { name: 'All files', extensions: ['*'] },
];

/** An implementation of every invoke channel. */
export type Handlers = { [C in InvokeChannel]: (...args: InvokeMap[C]['args']) => Promise<InvokeMap[C]['result']> };

async function readNotebook(file: string): Promise<NotebookFile> {
  const st = await stat(file);
  if (!st.isFile()) throw new Error(`${path.basename(file)} is not a file`);
  if (st.size > MAX_TEXT) throw new Error(`${path.basename(file)} is too large for a notebook (${st.size} bytes)`);
  let text = await readFile(file, 'utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { name: path.basename(file), path: file, text };
}

/** Builds the handlers over `deps`. */
export function makeHandlers(deps: HandlerDeps): Handlers {
  /** Notebook paths the user chose in a dialog this session: the only ones a plain Save may write. */
  const granted: string[] = [];
  let lastDir = deps.startDir;
  const grant = (p: string) => {
    if (!granted.some((g) => samePath(g, p))) granted.push(p);
    lastDir = path.dirname(p);
  };
  const remember = async (p: string) => {
    grant(p);
    await deps.recent.add(p);
    try {
      deps.addRecentDocument(p);
    } catch {
      /* the OS list is a nicety */
    }
  };
  const isGranted = async (p: string) => granted.some((g) => samePath(g, p)) || (await deps.recent.has(p));

  return {
    async 'workbench:pick-data-files'(): Promise<PathFile[]> {
      const r = await deps.dialog.open({ title: 'Open Data', filters: DATA_FILTERS, multiple: true, defaultPath: lastDir });
      if (r.canceled) return [];
      const out: PathFile[] = [];
      for (const p of r.filePaths) {
        const st = await stat(p);
        if (st.isFile()) out.push({ name: path.basename(p), size: st.size, path: p });
      }
      if (out.length) lastDir = path.dirname(out[0].path);
      return out;
    },

    async 'workbench:open-notebook'(): Promise<NotebookFile | null> {
      const r = await deps.dialog.open({ title: 'Open Notebook', filters: NOTEBOOK_FILTERS, multiple: false, defaultPath: lastDir });
      if (r.canceled || !r.filePaths.length) return null;
      const nb = await readNotebook(r.filePaths[0]);
      await remember(nb.path);
      return nb;
    },

    async 'workbench:save-notebook'({ text, suggestedName, path: target }) {
      let file = target;
      if (file !== undefined && !(await isGranted(file))) {
        throw new Error('save refused: that path was not opened or saved through a dialog in this app');
      }
      if (file === undefined) {
        const name = suggestedName.toLowerCase().endsWith(NOTEBOOK_SUFFIX) ? suggestedName : `${suggestedName.replace(/\.md$/i, '')}${NOTEBOOK_SUFFIX}`;
        const r = await deps.dialog.save({ title: 'Save Notebook', filters: NOTEBOOK_FILTERS, defaultPath: path.join(lastDir, name) });
        if (r.canceled || !r.filePath) return null;
        file = r.filePath;
      }
      await atomicWriteFile(file, text);
      await remember(file);
      return { name: path.basename(file), path: file };
    },

    async 'workbench:export-file'({ suggestedName, data }) {
      const r = await deps.dialog.save({ title: 'Export', filters: exportFilters(suggestedName), defaultPath: path.join(lastDir, suggestedName) });
      if (r.canceled || !r.filePath) return false;
      await atomicWriteFile(r.filePath, data);
      lastDir = path.dirname(r.filePath);
      return true;
    },

    async 'workbench:write-recovery'(text, slot) {
      await writeRecovery(deps.userData, text, slot);
    },

    async 'workbench:read-recovery'(slot) {
      return readRecovery(deps.userData, slot);
    },

    async 'workbench:clear-recovery'(slot) {
      await clearRecovery(deps.userData, slot);
    },

    async 'workbench:recent-notebooks'() {
      return deps.recent.list();
    },

    async 'workbench:open-recent'(file) {
      if (!(await deps.recent.has(file))) throw new Error('open refused: that path is not on the recent list');
      let nb: NotebookFile;
      try {
        nb = await readNotebook(file);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'ENOENT') {
          await deps.recent.remove(file);
          throw new Error(`${path.basename(file)} no longer exists; removed from the recent list`);
        }
        throw e;
      }
      await remember(nb.path);
      return nb;
    },

    async 'workbench:app-info'() {
      return deps.appInfo();
    },

    async 'workbench:key-create'() {
      return deps.keys.create();
    },

    async 'workbench:key-get'(id) {
      return deps.keys.get(id);
    },

    async 'workbench:key-import'() {
      const r = await deps.dialog.open({ title: 'Choose a Key File', filters: KEY_FILTERS, multiple: false, defaultPath: lastDir });
      if (r.canceled || !r.filePaths.length) return null;
      const st = await stat(r.filePaths[0]);
      // a key file is a few hundred bytes: refuse to read anything big the dialog let through
      if (!st.isFile() || st.size > 4096) throw new Error(`${path.basename(r.filePaths[0])} is not a key file`);
      return deps.keys.importText(await readFile(r.filePaths[0], 'utf8'), path.basename(r.filePaths[0]));
    },

    async 'workbench:key-export'(id) {
      const text = await deps.keys.exportText(id);
      if (text === null) throw new Error(`key ${id} is not in this app: choose its key file first`);
      const r = await deps.dialog.save({ title: 'Save Key File', filters: KEY_FILTERS, defaultPath: path.join(lastDir, `attrib-${id}.key`) });
      if (r.canceled || !r.filePath) return false;
      await atomicWriteFile(r.filePath, text, { newFileMode: 0o600 });
      return true;
    },
  };
}
