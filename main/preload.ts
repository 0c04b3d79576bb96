/**
 * The preload (bundled to dist/main/preload.cjs; sandboxed, context-isolated).
 * It exposes exactly one frozen object, `window.workbench`, and forwards
 * engine ports to the page. All of it is in preloadApi.ts; the bundle must
 * require nothing but 'electron' (scripts/build-main.mjs checks).
 */
import { contextBridge, ipcRenderer, webUtils } from 'electron';
import { createWorkbenchApi, forwardEnginePorts, type PreloadDeps } from './preloadApi.ts';

const deps: PreloadDeps = { ipcRenderer: ipcRenderer as unknown as PreloadDeps['ipcRenderer'], webUtils, window };
forwardEnginePorts(deps);
contextBridge.exposeInMainWorld('workbench', createWorkbenchApi(deps));
