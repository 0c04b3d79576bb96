/** A fake of the electron module for main-process tests in plain Node (records what main calls). */
import { EventEmitter } from 'node:events';
import path from 'node:path';
import type { ElectronMain } from '../../main/app.ts';

export function fakeElectron(userData: string, opts: { lock?: boolean } = {}) {
  const calls: string[] = [];
  let ready!: () => void;
  const readyP = new Promise<void>((r) => (ready = r));
  const app = Object.assign(new EventEmitter(), {
    isPackaged: false,
    enableSandbox: () => calls.push('app.enableSandbox'),
    setName: (n: string) => calls.push(`app.setName ${n}`),
    requestSingleInstanceLock: () => (calls.push('app.requestSingleInstanceLock'), opts.lock ?? true),
    quit: () => calls.push('app.quit'),
    whenReady: () => (calls.push('app.whenReady'), readyP),
    getPath: (name: string) => path.join(userData, name === 'userData' ? '' : name),
    getVersion: () => '0.1.0',
    setPath: (name: string, p: string) => calls.push(`app.setPath ${name} ${p}`),
    addRecentDocument: (p: string) => calls.push(`app.addRecentDocument ${p}`),
    setAboutPanelOptions: () => {},
  });
  const protocolHandlers = new Map<string, (req: { url: string; method?: string }) => Promise<Response> | Response>();
  const protocol = {
    registerSchemesAsPrivileged: (s: unknown) => calls.push(`protocol.registerSchemesAsPrivileged ${JSON.stringify(s)}`),
    handle: (scheme: string, fn: (req: { url: string }) => Promise<Response>) => (calls.push(`protocol.handle ${scheme}`), protocolHandlers.set(scheme, fn)),
  };
  const sessionCalls: Record<string, unknown[]> = {};
  const rec =
    (n: string) =>
    (...a: unknown[]) => {
      sessionCalls[n] = a;
    };
  const defaultSession = Object.assign(new EventEmitter(), {
    setPermissionRequestHandler: rec('request'),
    setPermissionCheckHandler: rec('check'),
    setDevicePermissionHandler: rec('device'),
    setSpellCheckerEnabled: rec('spell'),
    webRequest: { onBeforeRequest: rec('beforeRequest') },
  });
  const handled = new Map<string, (e: unknown, ...a: unknown[]) => Promise<unknown>>();
  const ipcMain = Object.assign(new EventEmitter(), {
    handle: (c: string, fn: (e: unknown, ...a: unknown[]) => Promise<unknown>) => void handled.set(c, fn),
    removeHandler: (c: string) => void handled.delete(c),
  });
  let menu: { template: { label?: string }[] } | undefined;
  const Menu = {
    buildFromTemplate: (template: { label?: string }[]) => ({ template }),
    setApplicationMenu: (m: typeof menu) => (calls.push('Menu.setApplicationMenu'), (menu = m)),
  };
  const windows: FakeWindow[] = [];
  class FakeWebContents extends EventEmitter {
    sent: unknown[][] = [];
    openHandler?: unknown;
    isDestroyed = () => false;
    send = (...a: unknown[]) => void this.sent.push(['send', ...a]);
    postMessage = (...a: unknown[]) => void this.sent.push(['postMessage', ...a]);
    setWindowOpenHandler = (h: unknown) => void (this.openHandler = h);
  }
  class FakeWindow extends EventEmitter {
    webContents = new FakeWebContents();
    url = '';
    constructor(readonly options: { webPreferences: Record<string, unknown> } & Record<string, unknown>) {
      super();
      calls.push('new BrowserWindow');
      windows.push(this);
    }
    loadURL = async (u: string) => void (this.url = u);
    maximize = () => {};
    show = () => {};
    isDestroyed = () => false;
    isMaximized = () => false;
    isMinimized = () => false;
    getNormalBounds = () => ({ x: 10, y: 20, width: 1000, height: 700 });
  }
  const forks: { modulePath: string; args: string[]; options: unknown; child: EventEmitter & { received: unknown[][] } }[] = [];
  const utilityProcess = {
    fork: (modulePath: string, args: string[], options: unknown) => {
      const child = Object.assign(new EventEmitter(), { received: [] as unknown[][], postMessage: (...a: unknown[]) => void child.received.push(a), kill: () => true });
      forks.push({ modulePath, args, options, child });
      return child;
    },
  };
  let ports = 0;
  class MessageChannelMain {
    port1 = { name: `port1-${++ports}`, close() {} };
    port2 = { name: `port2-${ports}`, close() {} };
  }
  const screen = {
    getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }],
    getPrimaryDisplay: () => ({ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }),
  };
  const electron = { app, protocol, session: { defaultSession }, ipcMain, Menu, BrowserWindow: FakeWindow, utilityProcess, MessageChannelMain, screen, dialog: {} };
  return {
    electron: electron as unknown as ElectronMain,
    calls,
    ready: async () => {
      ready();
      await new Promise((r) => setImmediate(r));
    },
    app,
    protocolHandlers,
    sessionCalls,
    handled,
    ipcMain,
    menu: () => menu,
    windows,
    forks,
    FakeWebContents,
  };
}
