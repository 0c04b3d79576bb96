/**
 * The Electron main process, wired: hardening before `ready` (sandbox for all
 * renderers, the privileged app:// scheme), then on `ready` the session
 * guards, the app:// handler (file:// refused), IPC, the menu from the
 * command registry, the one window and the engine utility process. Electron
 * is passed in (`startApp(electron, paths)`), so a Node test can run the whole
 * start-up against a fake and check what was called, and in which order
 * (test/unit/electron-app.test.ts). main/main.ts is the bundled entry.
 */
import path from 'node:path';
import type { BrowserWindow, Dialog, MessagePortMain, OpenDialogOptions, SaveDialogOptions, WebContents, WebPreferences } from 'electron';
import type { AppInfo } from '../common/electronApi.ts';
import { aboutBoxOptions } from './about.ts';
import { APP_ENTRY_URL, APP_SCHEME, APP_SCHEME_PRIVILEGES, refuseFileRequest, serveAppRequest } from './appProtocol.ts';
import { EngineSupervisor, type EngineTarget } from './engineProcess.ts';
import { makeHandlers, type DialogPort } from './handlers.ts';
import { registerIpc } from './ipc.ts';
import { TO_RENDERER } from './ipcChannels.ts';
import { buildMenuTemplate } from './menu.ts';
import { hardenSession, hardenWebContents, webPreferences } from './security.ts';
import { RecentList } from './userFiles.ts';
import { makeKeyStore } from './keyStore.ts';
import { MIN_SIZE, clampToDisplays, loadWindowState, saveWindowState, windowStatePath } from './windowState.ts';

/** The electron module as main uses it. */
export type ElectronMain = typeof import('electron');

export const APP_NAME = 'Attribution Workbench';

/** Where the built pieces are. */
export interface AppPaths {
  /** dist/renderer: the only folder app:// serves. */
  rendererDir: string;
  /** dist/main/preload.cjs */
  preload: string;
  /** dist/main/engine-host.cjs */
  engineHost: string;
  /** models/ (resources/models when packaged); passed to the engine host as --models-dir. */
  modelsDir: string;
  /** The window icon (a PNG), used on Linux; macOS and Windows take the executable's own. */
  icon?: string;
}

/** The native dialogs, parented to the window when there is one. */
export function dialogPort(dialog: Dialog, win: () => BrowserWindow | null): DialogPort {
  return {
    async open(o) {
      const options: OpenDialogOptions = {
        title: o.title,
        filters: o.filters,
        defaultPath: o.defaultPath,
        properties: o.multiple ? ['openFile', 'multiSelections'] : ['openFile'],
      };
      const w = win();
      return w ? dialog.showOpenDialog(w, options) : dialog.showOpenDialog(options);
    },
    async save(o) {
      const options: SaveDialogOptions = {
        title: o.title,
        filters: o.filters,
        defaultPath: o.defaultPath,
        properties: ['createDirectory', 'showOverwriteConfirmation'],
      };
      const w = win();
      return w ? dialog.showSaveDialog(w, options) : dialog.showSaveDialog(options);
    },
  };
}

/** An engine-port target over a page's webContents. */
export function engineTarget(wc: WebContents): EngineTarget<MessagePortMain> {
  return {
    deliver(info, port) {
      if (wc.isDestroyed()) return false;
      wc.postMessage(TO_RENDERER.enginePort, info, port ? [port] : []);
      return true;
    },
  };
}

/** Starts the app. Call once, synchronously at load (some steps must precede `ready`). */
export function startApp(e: ElectronMain, paths: AppPaths, log: (m: string) => void = (m) => console.error(`[main] ${m}`)): void {
  const { app, protocol } = e;
  // Before ready: every renderer sandboxed (S2), the app scheme privileged, one instance.
  app.enableSandbox();
  protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { ...APP_SCHEME_PRIVILEGES } }]);
  app.setName(APP_NAME);
  // Tests (unpackaged only) keep their userData, and so their single-instance lock, apart from the user's.
  if (!app.isPackaged && process.env.ATTRIB_USER_DATA) app.setPath('userData', process.env.ATTRIB_USER_DATA);
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return;
  }
  app.on('web-contents-created', (_ev, wc) => hardenWebContents(wc, log));

  let win: BrowserWindow | null = null;
  // Test-only (unpackaged, ATTRIB_TEST_HOOKS=1): the webPreferences each window was given, by webContents id,
  // for test/electron/app.test.ts to read from main when Electron has no public getter.
  const testHooks = !app.isPackaged && process.env.ATTRIB_TEST_HOOKS === '1' ? { webPreferences: {} as Record<number, WebPreferences> } : undefined;
  if (testHooks) (globalThis as { __workbenchTest?: typeof testHooks }).__workbenchTest = testHooks;
  let supervisor: EngineSupervisor<MessagePortMain> | undefined;

  const info = (): AppInfo => ({
    name: APP_NAME,
    version: app.getVersion(),
    platform: process.platform,
    electron: process.versions.electron ?? '',
    chrome: process.versions.chrome ?? '',
    node: process.versions.node,
  });

  const showAbout = () => {
    const options = aboutBoxOptions(info());
    void (win ? e.dialog.showMessageBox(win, options) : e.dialog.showMessageBox(options));
  };

  const createWindow = (userData: string): BrowserWindow => {
    const stateFile = windowStatePath(userData);
    const state = clampToDisplays(loadWindowState(stateFile), e.screen.getAllDisplays(), e.screen.getPrimaryDisplay());
    const prefs = webPreferences(paths.preload, { devTools: !app.isPackaged });
    const w = new e.BrowserWindow({
      ...state.bounds,
      minWidth: MIN_SIZE.width,
      minHeight: MIN_SIZE.height,
      show: false,
      title: APP_NAME,
      ...(process.platform === 'linux' && paths.icon ? { icon: paths.icon } : {}),
      webPreferences: prefs,
    });
    if (testHooks) testHooks.webPreferences[w.webContents.id] = { ...prefs };
    if (state.maximized) w.maximize();
    w.once('ready-to-show', () => w.show());
    w.on('close', () => {
      try {
        saveWindowState(stateFile, { bounds: w.getNormalBounds(), maximized: w.isMaximized() });
      } catch (err) {
        log(`cannot save the window state: ${(err as Error).message}`);
      }
    });
    w.on('closed', () => {
      if (win === w) win = null;
    });
    let lastReload = 0;
    w.webContents.on('render-process-gone', (_ev, details) => {
      log(`renderer gone: ${details.reason}`);
      // Reload once (the page offers the recovery copy); not in a loop if it dies at once again.
      if (details.reason !== 'clean-exit' && Date.now() - lastReload > 10_000 && !w.isDestroyed()) {
        lastReload = Date.now();
        w.reload();
      }
    });
    void w.loadURL(APP_ENTRY_URL);
    return w;
  };

  void app.whenReady().then(() => {
    hardenSession(e.session.defaultSession, log);
    protocol.handle(APP_SCHEME, (req) => serveAppRequest(paths.rendererDir, req));
    try {
      protocol.handle('file', () => refuseFileRequest());
    } catch (err) {
      log(`cannot intercept file://: ${(err as Error).message}`);
    }

    const userData = app.getPath('userData');
    const engine = new EngineSupervisor<MessagePortMain>({
      fork: () =>
        e.utilityProcess.fork(paths.engineHost, [`--models-dir=${paths.modelsDir}`], {
          serviceName: `${APP_NAME} engine`,
          stdio: 'inherit',
        }),
      channel: () => new e.MessageChannelMain(),
      log,
    });
    supervisor = engine;

    let startDir = userData;
    try {
      startDir = app.getPath('documents');
    } catch {
      /* no documents folder on this system */
    }
    const handlers = makeHandlers({
      dialog: dialogPort(e.dialog, () => win),
      userData,
      recent: new RecentList(path.join(userData, 'recent.json')),
      addRecentDocument: (p) => app.addRecentDocument(p),
      appInfo: info,
      startDir,
      // safeStorage is usable only after 'ready' (this runs in the ready handler)
      keys: makeKeyStore(path.join(userData, 'keys'), e.safeStorage),
    });
    registerIpc(e.ipcMain, handlers, { onConnectEngine: (sender) => engine.connect(engineTarget(sender)) }, log);

    if (process.platform === 'darwin') app.setAboutPanelOptions({ applicationName: APP_NAME, applicationVersion: app.getVersion() });
    const template = buildMenuTemplate({
      platform: process.platform,
      appName: APP_NAME,
      send: (id) => {
        if (win && !win.isDestroyed()) win.webContents.send(TO_RENDERER.menuCommand, id);
      },
      local: { 'help.about': showAbout },
      devTools: !app.isPackaged,
    });
    e.Menu.setApplicationMenu(e.Menu.buildFromTemplate(template));

    win = createWindow(userData);
    engine.start();
    app.on('activate', () => {
      if (!win) win = createWindow(userData);
    });
  });

  app.on('second-instance', () => {
    if (!win) return;
    if (win.isMinimized()) win.restore();
    win.focus();
  });
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });
  app.on('before-quit', () => supervisor?.stop());
}
