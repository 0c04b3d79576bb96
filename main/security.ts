/**
 * Electron hardening (docs/electron.md, design/trust.md section 1): the
 * window's webPreferences, which URLs may load or be navigated to, and the
 * session and web-contents guards. Only `import type` from electron, so every
 * function here runs in plain Node against fakes (test/unit/electron-security.test.ts).
 */
import type { Session, WebContents, WebPreferences } from 'electron';
import { APP_HOST, APP_SCHEME } from './appProtocol.ts';

/** webPreferences of every window (S1), less the preload path. */
export const WEB_PREFERENCES = Object.freeze({
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  spellcheck: false,
  safeDialogs: true,
  enableWebSQL: false,
  autoplayPolicy: 'user-gesture-required',
} as const satisfies WebPreferences);

/** The full webPreferences of the workbench window. */
export function webPreferences(preload: string, opts: { devTools: boolean } = { devTools: true }): WebPreferences {
  return { ...WEB_PREFERENCES, preload, devTools: opts.devTools };
}

function parse(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** Whether `url` is a page of the app: scheme app:, host workbench, no user or port (parsed, never a prefix test). */
export function isAppUrl(url: string): boolean {
  const u = parse(url);
  return !!u && u.protocol === `${APP_SCHEME}:` && u.hostname.toLowerCase() === APP_HOST && !u.port && !u.username && !u.password;
}

/** Where a web contents may navigate: app pages, and devtools' own pages. */
export function isAllowedNavigation(url: string): boolean {
  if (isAppUrl(url)) return true;
  const u = parse(url);
  return !!u && u.protocol === 'devtools:';
}

/** Which requests the session lets through: app:, devtools:, data:, blob: only. No network, no file://. */
export function isAllowedRequestUrl(url: string): boolean {
  const u = parse(url);
  if (!u) return false;
  if (u.protocol === `${APP_SCHEME}:`) return isAppUrl(url);
  return u.protocol === 'devtools:' || u.protocol === 'data:' || u.protocol === 'blob:';
}

/** Where refusals are reported (console in the app, an array in tests). */
export type SecurityLog = (message: string) => void;

/**
 * Guards of one web contents (every one, via app 'web-contents-created'):
 * navigation and redirects only within the app (S5), no new windows (S6), no
 * <webview> (checklist 12).
 */
export function hardenWebContents(wc: WebContents, log: SecurityLog = () => {}): void {
  const guard = (what: string) => (e: { preventDefault(): void }, url: string) => {
    if (!isAllowedNavigation(url)) {
      e.preventDefault();
      log(`blocked ${what} to ${url}`);
    }
  };
  wc.on('will-navigate', (e) => guard('navigation')(e, e.url));
  wc.on('will-redirect', (e) => guard('redirect')(e, e.url));
  wc.on('will-frame-navigate', (e) => {
    // An iframe may start blank (about:blank, about:srcdoc); the main frame may not leave the app.
    if (!e.isMainFrame && /^about:(blank|srcdoc)$/.test(e.url)) return;
    guard('frame navigation')(e, e.url);
  });
  wc.on('will-attach-webview', (e) => {
    e.preventDefault();
    log('blocked a <webview>');
  });
  wc.setWindowOpenHandler(({ url }) => {
    log(`blocked window.open(${url})`);
    return { action: 'deny' };
  });
}

/**
 * Guards of a session: every permission request and check denied (S10), every
 * request that is not app:/devtools:/data:/blob: cancelled (no network), no
 * downloads (exports go through the save dialog), spellchecker off.
 */
export function hardenSession(ses: Session, log: SecurityLog = () => {}): void {
  ses.setPermissionRequestHandler((_wc, permission, callback) => {
    log(`denied permission ${permission}`);
    callback(false);
  });
  ses.setPermissionCheckHandler(() => false);
  ses.setDevicePermissionHandler(() => false);
  ses.webRequest.onBeforeRequest((details, callback) => {
    const cancel = !isAllowedRequestUrl(details.url);
    if (cancel) log(`blocked request ${details.url}`);
    callback({ cancel });
  });
  ses.on('will-download', (e) => {
    e.preventDefault();
    log('blocked a download');
  });
  ses.setSpellCheckerEnabled(false);
}
