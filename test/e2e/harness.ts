/**
 * End-to-end harness: the built page (dist/renderer, served by
 * scripts/serve.mjs on a free 127.0.0.1 port) in the system's headless
 * Chromium through playwright-core, with a fresh profile each time.
 *
 * Every request is recorded; one that is not to the page's own origin (or
 * data:/blob:) is blocked and fails the test (assertClean). Two nets catch
 * them: Playwright's routing (page and worker requests it sees) and a trap
 * proxy that Chromium must use for every non-loopback address, which also
 * sees what Playwright does not (nested workers' script loads, the browser's
 * own traffic) and answers 403. The static server logs what it served.
 * Console errors, page errors and worker errors are collected too.
 * Screenshots go to test/artifacts/screenshots/.
 *
 * test/run.mjs builds dist/renderer before the e2e tests run; where no
 * Chromium exists the tests are skipped with `skipReason`.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serveStatic } from '../../scripts/serve.mjs';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Where the page is built. */
export const DIST = path.join(repo, 'dist/renderer');

/** Screenshots of the e2e tests (kept as test artifacts, ignored by git). */
export const SCREENSHOTS = path.join(repo, 'test/artifacts/screenshots');

/** The Chromium binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';

/** Why the e2e tests cannot run here, or undefined when they can. */
export const skipReason: string | undefined = !existsSync(CHROMIUM)
  ? `no Chromium at ${CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)`
  : !existsSync(path.join(DIST, 'index.html'))
    ? 'dist/renderer is not built (npm test builds it; or run npm run build)'
    : undefined;

const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  // Chromium's own sign-in and push (GCM) checks and its autofill queries (on any
  // text field) still call Google's servers with the flags above; these send them
  // to the loopback discard port, so the trap below sees the page's traffic only.
  // (Not --disable-features: a second one would replace Playwright's own list.)
  '--autofill-server-url=http://127.0.0.1:9/',
  '--gaia-url=http://127.0.0.1:9',
  '--gcm-checkin-url=http://127.0.0.1:9/checkin',
  '--gcm-registration-url=http://127.0.0.1:9/register',
  '--gcm-mcs-endpoint=http://127.0.0.1:9/mcs',
  // Belt and braces (design/trust.md N4): no host name resolves, so even a request
  // that escaped both nets below could not reach a server by name. Chromium applies
  // MAP * to IP literals too: the page's server (and the trap) on 127.0.0.1 are excluded.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
];

/** One browser session on the served build. */
export interface App {
  page: Page;
  context: BrowserContext;
  /** The browser's fresh user-data folder (removed by close()). */
  profile: string;
  /** The page's origin URL, e.g. http://127.0.0.1:40123/ */
  url: string;
  /** Every request URL Playwright saw, in order (page and workers). */
  requests: string[];
  /** Every path the static server answered, in order (nested workers' loads included). */
  served: string[];
  /** Requests to anywhere but the page's origin, data: or blob: (blocked). */
  foreign: string[];
  consoleErrors: string[];
  pageErrors: string[];
  /** Saves a full-page screenshot as test/artifacts/screenshots/NAME.png; returns the path. */
  screenshot(name: string): Promise<string>;
  /** Throws if a foreign request, a console error or a page error happened. */
  assertClean(): void;
  close(): Promise<void>;
}

/**
 * Serves dist/renderer (or `opts.root`), launches Chromium with a fresh
 * profile and opens `pagePath` (default the app). `opts.args` are extra
 * Chromium switches (e.g. `--log-net-log=FILE`).
 */
export async function openApp(pagePath = '', opts: { root?: string; args?: string[] } = {}): Promise<App> {
  const served: string[] = [];
  const server = await serveStatic({ root: opts.root ?? DIST, port: 0, onRequest: (p) => served.push(p) });
  const trap = await startTrap();
  const origin = new URL(server.url).origin;
  const profile = mkdtempSync(path.join(tmpdir(), 'attrib-e2e-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Chromium bypasses a proxy for loopback addresses by default: the page's server is reached directly.
      args: [...ARGS, `--proxy-server=http://127.0.0.1:${trap.port}`, ...(opts.args ?? [])],
      viewport: { width: 1200, height: 800 },
      // Downloads (the export fallback) land in Playwright's temporary folder.
      acceptDownloads: true,
    });
  } catch (e) {
    await server.close();
    await trap.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const requests: string[] = [];
  const foreign = trap.hits;
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const local = (u: string) => u.startsWith('data:') || u.startsWith('blob:') || u.startsWith(origin + '/') || u === origin;
  // Block (and record) anything that would leave the machine, from the page or its workers.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (local(u)) return route.continue();
    foreign.push(u);
    return route.abort('blockedbyclient');
  });
  context.on('request', (r) => {
    const u = r.url();
    requests.push(u);
    if (!local(u) && !foreign.includes(u)) foreign.push(u);
  });
  const page = context.pages()[0] ?? (await context.newPage());
  page.on('console', (m) => {
    if (m.type() === 'error') consoleErrors.push(`${m.text()} (${m.location().url})`);
  });
  page.on('pageerror', (e) => pageErrors.push(String(e.stack ?? e)));
  page.on('worker', (w) => {
    w.on('console', (m) => {
      if (m.type() === 'error') consoleErrors.push(`[worker ${w.url()}] ${m.text()}`);
    });
  });
  await page.goto(new URL(pagePath, server.url).href);
  return {
    page,
    context,
    profile,
    url: server.url,
    requests,
    served,
    foreign,
    consoleErrors,
    pageErrors,
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    assertClean() {
      const problems = [
        ...foreign.map((u) => `request outside the page's origin: ${u}`),
        ...consoleErrors.map((t) => `console error: ${t}`),
        ...pageErrors.map((t) => `page error: ${t}`),
      ];
      if (problems.length) throw new Error(problems.join('\n'));
    },
    async close() {
      await context.close().catch(() => {});
      await server.close();
      await trap.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * A proxy that forwards nothing: it records each request Chromium sends it
 * (plain http as its URL, https as `CONNECT host:port`) and refuses it.
 */
async function startTrap(): Promise<{ port: number; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const trap = createServer((req, res) => {
    hits.push(req.url ?? '?');
    res.writeHead(403).end();
  });
  trap.on('connect', (req, socket) => {
    hits.push(`CONNECT ${req.url}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const addr = trap.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    hits,
    close: () => new Promise<void>((resolve) => {
      trap.closeAllConnections();
      trap.close(() => resolve());
    }),
  };
}
