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
import { appendFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { serveStatic } from '../../scripts/serve.mjs';
import { requestText, serviceOfHost, serviceSwitches, startSink, summarise, userMarksIn, type BrowserRequest } from './browserTraffic.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));

/** Where the page is built. */
export const DIST = path.join(repo, 'dist/renderer');

/** What the e2e tests leave for reading (ignored by git but for the screenshots). */
const ARTIFACTS = path.join(repo, 'test/artifacts');

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
  // Belt and braces (design/trust.md N4): no host name resolves, so even a request
  // that escaped both nets below could not reach a server by name. Chromium applies
  // MAP * to IP literals too: the page's server (and the trap) on 127.0.0.1 are excluded.
  '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1',
  // Chromium's own services (component updates, sign-in, push, autofill) still call
  // Google with the flags above; serviceSwitches() (browserTraffic.ts) sends them to a
  // loopback sink per session, which records them as the browser's, not the app's.
  // (Not --disable-features: a second one would replace Playwright's own list.)
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
  /**
   * Requests of the app (page, workers, server) to anywhere but the page's
   * origin, data: or blob: (blocked), and browser requests that carried a
   * user mark. Any entry fails assertClean.
   */
  foreign: string[];
  /** What Chromium's browser process asked for on its own (not the app's): reported, not failed. */
  browser: BrowserRequest[];
  /**
   * Strings of the user's (file names, ids, the page's address): a browser
   * request carrying one is the app's data leaving, and fails assertClean.
   * Tests add what they load.
   */
  userMarks: string[];
  consoleErrors: string[];
  pageErrors: string[];
  /** Saves a full-page screenshot as test/artifacts/screenshots/NAME.png; returns the path. */
  screenshot(name: string): Promise<string>;
  /**
   * Throws if the app made a request outside its origin, a browser request
   * carried a user mark, or a console or page error happened.
   */
  assertClean(): void;
  /** The browser's own requests that carried a user mark, in words (each fails assertClean). */
  browserCarrying(): string[];
  /** One line: which requests the browser made on its own in this session. */
  browserSummary(): string;
  close(): Promise<void>;
}

/** How openApp serves and launches. */
export interface OpenOptions {
  /** What to serve instead of dist/renderer. */
  root?: string;
  /** Extra Chromium switches, e.g. `--log-net-log=FILE`. */
  args?: string[];
  /**
   * The harness's own test only (harness.test.ts), to inject a request the
   * app could not make: `routing: false` lets page and worker requests reach
   * the trap proxy (still recorded, still foreign) instead of being aborted
   * first; `bypassCSP` lifts the page's CSP.
   */
  routing?: boolean;
  bypassCSP?: boolean;
  /**
   * 'native': the page served by `attrib web`'s server (cli/web/server.ts)
   * with DuckDB in this process behind its WebSocket, opened through the
   * token link; default 'wasm': the static server, duckdb-wasm in the page.
   */
  engine?: 'wasm' | 'native';
  /** Files named to the native server (`attrib web --data`). */
  data?: string[];
}

/** The page's server: the static one (wasm) or `attrib web`'s (native), and the URL that opens the page. */
async function startServer(opts: OpenOptions, served: string[]): Promise<{ url: string; open: string; close(): Promise<void> }> {
  if (opts.engine !== 'native') {
    const s = await serveStatic({ root: opts.root ?? DIST, port: 0, onRequest: (p) => served.push(p) });
    return { url: s.url, open: s.url, close: () => s.close() };
  }
  const [{ startWebServer }, { openNativeDatabase }, { loadModelLibrary }] = await Promise.all([
    import('../../cli/web/server.ts'),
    import('../../worker/native/database.ts'),
    import('../../worker/node/library.ts'),
  ]);
  const s = await startWebServer({
    root: opts.root ?? DIST,
    engine: 'native',
    port: 0,
    data: opts.data,
    library: loadModelLibrary(),
    openDatabase: () => openNativeDatabase({ threads: 2 }),
    onRequest: (p) => served.push(p),
  });
  return { url: `${s.origin}/`, open: s.url, close: () => s.close() };
}

/**
 * Serves dist/renderer (or `opts.root`), launches Chromium with a fresh
 * profile and opens `pagePath` (default the app). `opts.args` are extra
 * Chromium switches (e.g. `--log-net-log=FILE`).
 */
export async function openApp(pagePath = '', opts: OpenOptions = {}): Promise<App> {
  const served: string[] = [];
  const server = await startServer(opts, served);
  const origin = new URL(server.url).origin;
  const requests: string[] = [];
  const userMarks = [new URL(origin).host];
  // hosts a page or worker asked for: a trap hit on one of them is the app's, whatever the host
  const appHosts = () => new Set(requests.filter((u) => /^https?:/.test(u)).map((u) => new URL(u).host));
  const trap = await startTrap((hit) => {
    const host = hit.host.replace(/:\d+$/, '');
    const service = serviceOfHost(host);
    const own = service && !appHosts().has(hit.host) && !appHosts().has(host) && !hit.fromPage && !userMarksIn(hit.content, userMarks).length;
    if (own) return { service, via: 'trap', request: hit.request, content: hit.content };
    return undefined;
  });
  const sink = await startSink();
  const profile = mkdtempSync(path.join(tmpdir(), 'attrib-e2e-'));
  let context: BrowserContext | undefined;
  try {
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      // Chromium bypasses a proxy for loopback addresses by default: the page's server is reached directly.
      args: [...ARGS, ...serviceSwitches(sink.base), `--proxy-server=http://127.0.0.1:${trap.port}`, ...(opts.args ?? [])],
      viewport: { width: 1200, height: 800 },
      // Downloads (the export fallback) land in Playwright's temporary folder.
      acceptDownloads: true,
      bypassCSP: opts.bypassCSP ?? false,
    });
  } catch (e) {
    await server.close();
    await trap.close();
    await sink.close();
    rmSync(profile, { recursive: true, force: true });
    throw e;
  }
  const foreign = trap.hits;
  const browser = (): BrowserRequest[] => [...sink.seen, ...trap.browser];
  const browserCarrying = () => browser().flatMap((r) => {
    const marks = userMarksIn(`${r.request}\n${r.content}`, userMarks);
    return marks.length ? [`${r.service} (${r.request.slice(0, 120)}) carries the user's ${marks.join(', ')}`] : [];
  });
  const browserSummary = () => `Chromium's own requests (the browser process's, not the app's): ${summarise(browser())}`;
  const consoleErrors: string[] = [];
  const pageErrors: string[] = [];
  const local = (u: string) => u.startsWith('data:') || u.startsWith('blob:') || u.startsWith(origin + '/') || u === origin;
  // Block (and record) anything that would leave the machine, from the page or its workers.
  await context.route('**/*', (route) => {
    const u = route.request().url();
    if (local(u) || opts.routing === false) return route.continue();
    if (!foreign.includes(u)) foreign.push(u);
    return route.abort('blockedbyclient');
  });
  context.on('request', (r) => {
    const u = r.url();
    requests.push(u);
    if (!local(u) && !foreign.includes(u)) foreign.push(u);
    // a trap hit taken for the browser's before the page's request to the same host showed up is the app's
    if (/^https?:/.test(u)) trap.reclaim(new URL(u).host);
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
  const first = new URL(pagePath, server.url);
  // the native server's token, which it trades for its cookie (and a redirect without it)
  new URL(server.open).searchParams.forEach((v, k) => first.searchParams.set(k, v));
  await page.goto(first.href);
  let closed = false;
  return {
    page,
    context,
    profile,
    url: server.url,
    requests,
    served,
    foreign,
    get browser() {
      return browser();
    },
    userMarks,
    consoleErrors,
    pageErrors,
    async screenshot(name) {
      mkdirSync(SCREENSHOTS, { recursive: true });
      const file = path.join(SCREENSHOTS, `${name}.png`);
      await page.screenshot({ path: file, fullPage: true });
      return file;
    },
    browserSummary,
    browserCarrying,
    assertClean() {
      const carrying = browserCarrying();
      const problems = [
        ...foreign.map((u) => `request outside the page's origin: ${u}`),
        ...carrying.map((x) => `browser request with user data: ${x}`),
        ...consoleErrors.map((t) => `console error: ${t}`),
        ...pageErrors.map((t) => `page error: ${t}`),
      ];
      if (problems.length) throw new Error(problems.join('\n'));
    },
    async close() {
      if (closed) return;
      closed = true;
      await context.close().catch(() => {});
      await server.close();
      await trap.close();
      await sink.close();
      rmSync(profile, { recursive: true, force: true });
      // the one line the issue asks of the harness: stderr reaches the test report as it is
      process.stderr.write(`e2e harness: ${browserSummary()}\n`);
      // and each request, whole, for reading (test/artifacts is not committed)
      mkdirSync(ARTIFACTS, { recursive: true });
      appendFileSync(path.join(ARTIFACTS, 'browser-requests.log'), browser().map((r) => `${new Date().toISOString()} ${r.service} via ${r.via}: ${r.request.slice(0, 300)}\n${r.content.replace(/^/gm, '    ').slice(0, 4000)}\n`).join(''));
    },
  };
}

/** A request the trap proxy received. */
interface TrapHit {
  /** host:port asked for. */
  host: string;
  /** `CONNECT host:443` or `GET http://host/path`. */
  request: string;
  /** Headers and body as text (empty for CONNECT). */
  content: string;
  /** Whether a page or worker sent it (an Origin or Referer header; plain http only). */
  fromPage: boolean;
}

/**
 * A proxy that forwards nothing: it records each request Chromium sends it
 * (plain http as its URL, https as `CONNECT host:port`) and refuses it
 * (403, so a CONNECT tunnel never opens and no byte of a request is sent).
 * `browserOwn(hit)` says when a hit is Chromium's own (see browserTraffic.ts);
 * every other hit is foreign. `reclaim(host)` moves hits on a host a page or
 * worker asked for from the browser's list to the foreign one.
 */
async function startTrap(browserOwn: (hit: TrapHit) => BrowserRequest | undefined): Promise<{
  port: number;
  hits: string[];
  browser: BrowserRequest[];
  reclaim(host: string): void;
  close(): Promise<void>;
}> {
  const hits: string[] = [];
  const browser: BrowserRequest[] = [];
  const take = (hit: TrapHit, label: string) => {
    const own = browserOwn(hit);
    if (own) browser.push(own);
    else hits.push(label);
  };
  const trap = createServer((req, res) => {
    void requestText(req).then((content) => {
      const url = req.url ?? '?';
      let host = '?';
      try {
        host = new URL(url).host;
      } catch {
        /* not an absolute URL: not a proxy request, foreign all the same */
      }
      const fromPage = !!(req.headers.origin || req.headers.referer);
      take({ host, request: `${req.method} ${url}`, content, fromPage }, url);
      res.writeHead(403).end();
    });
  });
  trap.on('connect', (req, socket) => {
    const host = req.url ?? '?';
    take({ host: /:\d+$/.test(host) ? host : `${host}:443`, request: `CONNECT ${host}`, content: '', fromPage: false }, `CONNECT ${host}`);
    socket.end('HTTP/1.1 403 Forbidden\r\n\r\n');
  });
  await new Promise<void>((resolve) => trap.listen(0, '127.0.0.1', resolve));
  const addr = trap.address();
  return {
    port: typeof addr === 'object' && addr ? addr.port : 0,
    hits,
    browser,
    reclaim(host) {
      const bare = host.replace(/:\d+$/, '');
      for (let i = browser.length - 1; i >= 0; i--) {
        const r = browser[i];
        const target = r.request.startsWith('CONNECT ') ? r.request.slice(8) : r.request.replace(/^\S+ /, '');
        if (target.includes(`//${host}`) || target.startsWith(host) || target.startsWith(`${bare}:`) || target.includes(`//${bare}/`)) {
          hits.push(target.startsWith('http') ? target : `CONNECT ${target}`);
          browser.splice(i, 1);
        }
      }
    },
    close: () => new Promise<void>((resolve) => {
      trap.closeAllConnections();
      trap.close(() => resolve());
    }),
  };
}
