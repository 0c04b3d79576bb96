/**
 * The preload's API: the one frozen `window.workbench` object (its type is
 * common/electronApi.ts). Each function wraps one allow-listed channel of
 * main/ipcChannels.ts; no IpcRendererEvent, sender or raw ipcRenderer reaches
 * the page. Engine ports from main are forwarded to the page with
 * window.postMessage to the page's own origin. Built from injected Electron
 * pieces so Node tests can check it (test/unit/electron-preload.test.ts);
 * main/preload.ts passes the real ones.
 */
import type { EnginePortMessage, WorkbenchApi } from '../common/electronApi.ts';
import { SEND_CHANNELS, TO_RENDERER, type InvokeChannel, type InvokeMap } from './ipcChannels.ts';

/** The ipcRenderer calls the preload uses. */
export interface PreloadIpc {
  invoke(channel: string, ...args: unknown[]): Promise<unknown>;
  send(channel: string, ...args: unknown[]): void;
  on(channel: string, listener: (event: { ports: readonly MessagePort[] }, ...args: unknown[]) => void): unknown;
  removeListener(channel: string, listener: (...args: never[]) => void): unknown;
}

export interface PreloadDeps {
  ipcRenderer: PreloadIpc;
  webUtils: { getPathForFile(file: File): string };
  window: { postMessage(message: unknown, targetOrigin: string, transfer?: Transferable[]): void; location: { origin: string } };
}

/** The member names of `window.workbench`, exactly. */
export const WORKBENCH_API_KEYS = [
  'pickDataFiles',
  'openNotebook',
  'saveNotebook',
  'exportFile',
  'writeRecovery',
  'readRecovery',
  'clearRecovery',
  'recentNotebooks',
  'openRecent',
  'appInfo',
  'onMenuCommand',
  'getPathForFile',
  'connectEngine',
  'createKey',
  'getKey',
  'importKeyFile',
  'exportKeyFile',
] as const satisfies readonly (keyof WorkbenchApi)[];

/** "Error invoking remote method 'x': IpcRefused: refused …" -> "refused …". */
export function cleanIpcError(e: unknown): Error {
  const msg = e instanceof Error ? e.message : String(e);
  return new Error(msg.replace(/^Error invoking remote method '[^']*': (?:\w*Error|IpcRefused): /, ''));
}

/** Builds the frozen API object. */
export function createWorkbenchApi(deps: PreloadDeps): WorkbenchApi {
  const { ipcRenderer } = deps;
  const invoke = async <C extends InvokeChannel>(channel: C, ...args: InvokeMap[C]['args']): Promise<InvokeMap[C]['result']> => {
    try {
      return (await ipcRenderer.invoke(channel, ...args)) as InvokeMap[C]['result'];
    } catch (e) {
      throw cleanIpcError(e);
    }
  };
  const api: WorkbenchApi = {
    pickDataFiles: () => invoke('workbench:pick-data-files'),
    openNotebook: () => invoke('workbench:open-notebook'),
    saveNotebook: (args) => invoke('workbench:save-notebook', args),
    exportFile: (args) => invoke('workbench:export-file', args),
    writeRecovery: (text, slot) => (slot ? invoke('workbench:write-recovery', text, slot) : invoke('workbench:write-recovery', text)),
    readRecovery: (slot) => (slot ? invoke('workbench:read-recovery', slot) : invoke('workbench:read-recovery')),
    clearRecovery: (slot) => (slot ? invoke('workbench:clear-recovery', slot) : invoke('workbench:clear-recovery')),
    recentNotebooks: () => invoke('workbench:recent-notebooks'),
    openRecent: (path) => invoke('workbench:open-recent', path),
    appInfo: () => invoke('workbench:app-info'),
    createKey: () => invoke('workbench:key-create'),
    getKey: (id) => invoke('workbench:key-get', id),
    importKeyFile: () => invoke('workbench:key-import'),
    exportKeyFile: (id) => invoke('workbench:key-export', id),
    onMenuCommand(fn) {
      if (typeof fn !== 'function') throw new TypeError('onMenuCommand needs a function');
      // The event (with its sender) stays here: the page gets the id only.
      const listener = (_e: unknown, id: unknown) => {
        if (typeof id === 'string') fn(id);
      };
      ipcRenderer.on(TO_RENDERER.menuCommand, listener);
      return () => void ipcRenderer.removeListener(TO_RENDERER.menuCommand, listener);
    },
    getPathForFile: (file) => deps.webUtils.getPathForFile(file),
    connectEngine: () => ipcRenderer.send(SEND_CHANNELS.connectEngine),
  };
  return Object.freeze(api);
}

/** The page message for an engine port, from what main sent (fields checked, nothing else copied). */
export function enginePortMessage(info: unknown): EnginePortMessage {
  const o = (info && typeof info === 'object' ? info : {}) as Record<string, unknown>;
  return {
    type: 'workbench:engine-port',
    generation: typeof o.generation === 'number' ? o.generation : 0,
    restarted: o.restarted === true,
    failed: o.failed === true,
    ...(typeof o.reason === 'string' ? { reason: o.reason } : {}),
  };
}

/**
 * Forwards engine ports from main to the page: a context-isolated page cannot
 * receive a MessagePort over ipcRenderer, so the preload re-posts it with
 * window.postMessage, to the page's own origin (never '*').
 */
export function forwardEnginePorts(deps: PreloadDeps): void {
  deps.ipcRenderer.on(TO_RENDERER.enginePort, (e, info) => {
    const origin = deps.window.location.origin;
    deps.window.postMessage(enginePortMessage(info), origin && origin !== 'null' ? origin : '/', [...(e.ports ?? [])]);
  });
}
