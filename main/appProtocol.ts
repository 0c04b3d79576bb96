/**
 * The renderer's origin: a custom privileged scheme, `app://workbench/`,
 * served from dist/renderer only (never file://). Path resolution, MIME types
 * and response headers are pure functions here; main/app.ts hands
 * `serveAppRequest` to `protocol.handle`. Unit-tested in plain Node
 * (test/unit/electron-protocol.test.ts).
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { SECURITY_HEADERS, contentType, cspValue } from '../common/webPolicy.mjs';

export const APP_SCHEME = 'app';
export const APP_HOST = 'workbench';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
/** The page every window loads. */
export const APP_ENTRY_URL = `${APP_ORIGIN}/index.html`;

/**
 * Privileges of the scheme (protocol.registerSchemesAsPrivileged, before
 * `ready`): standard (a real origin, relative URLs), secure (a secure context,
 * so module workers and wasm streaming work), fetch and CORS for same-origin
 * module scripts and wasm, no service workers, CSP never bypassed.
 */
export const APP_SCHEME_PRIVILEGES = Object.freeze({
  standard: true,
  secure: true,
  supportFetchAPI: true,
  corsEnabled: true,
  stream: true,
  codeCache: true,
  allowServiceWorkers: false,
  bypassCSP: false,
});

/** The Content-Security-Policy sent with every response of the app scheme (the same as web mode's). */
export const CSP = cspValue();

/**
 * Headers on every response (including 404s): the same set web mode's server
 * sends, so one renderer build behaves alike in both (cross-origin isolation
 * included, for a threaded duckdb-wasm later).
 */
export function securityHeaders(): Record<string, string> {
  return { ...SECURITY_HEADERS, 'Cache-Control': 'no-cache' };
}

/** The Content-Type of a served file, by extension (application/octet-stream when unknown). */
export function mimeType(file: string): string {
  return contentType(file);
}

/**
 * The file under `distDir` that `url` names, or null when the URL is not an
 * app:// URL of our host or tries to leave `distDir`. Refused outright (not
 * normalised): `..` and `.` segments, dot-files, encoded dots, slashes and
 * backslashes (`%2e`, `%2f`, `%5c`), raw backslashes, NUL and control
 * characters, drive letters, empty segments, user/port parts. "/" is
 * index.html. Query and fragment are ignored.
 */
export function resolveAppPath(distDir: string, url: string): string | null {
  if (typeof url !== 'string' || url.length > 4096) return null;
  // Checks on the raw string first: the URL parser would quietly normalise some of these away.
  if (/[\\\0]/.test(url) || /%(2e|2f|5c|00)/i.test(url)) return null;
  if (/[\x00-\x1f\x7f]/.test(url)) return null;
  const prefix = `${APP_ORIGIN}/`;
  if (!url.toLowerCase().startsWith(prefix)) return null;
  const rawPath = url.slice(prefix.length - 1).replace(/[?#].*$/s, '');
  if (/(^|\/)\.{1,2}(\/|$)/.test(rawPath)) return null;
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.hostname.toLowerCase() !== APP_HOST || u.port || u.username || u.password) return null;
  if (u.pathname !== rawPath) return null; // the parser changed something: refuse rather than guess
  const segments = u.pathname === '/' ? ['index.html'] : u.pathname.slice(1).split('/');
  const parts: string[] = [];
  for (const s of segments) {
    let d: string;
    try {
      d = decodeURIComponent(s);
    } catch {
      return null;
    }
    if (!d || d.startsWith('.') || /[\\/:\0]/.test(d)) return null;
    parts.push(d);
  }
  const root = path.resolve(distDir);
  const file = path.resolve(root, ...parts);
  const rel = path.relative(root, file);
  if (!rel || rel.startsWith('..') || path.isAbsolute(rel)) return null;
  return file;
}

/** What serving needs from the file system (injectable for tests). */
export type ReadFile = (file: string) => Promise<Uint8Array>;

function notFound(status = 404, text = 'Not found'): Response {
  return new Response(text, { status, headers: { ...securityHeaders(), 'Content-Type': 'text/plain; charset=utf-8' } });
}

/**
 * Answers one request of the app scheme: the file from `distDir` with its MIME
 * type and the security headers; 404 for anything refused or missing, 405 for
 * methods other than GET and HEAD.
 */
export async function serveAppRequest(distDir: string, req: { url: string; method?: string }, read: ReadFile = readFile): Promise<Response> {
  const method = (req.method ?? 'GET').toUpperCase();
  if (method !== 'GET' && method !== 'HEAD') return notFound(405, 'Method not allowed');
  const file = resolveAppPath(distDir, req.url);
  if (!file) return notFound();
  let body: Uint8Array;
  try {
    body = await read(file);
  } catch {
    return notFound();
  }
  const headers = { ...securityHeaders(), 'Content-Type': mimeType(file), 'Content-Length': String(body.byteLength) };
  // A Buffer's ArrayBufferLike is an ArrayBuffer here (never shared memory).
  return new Response(method === 'HEAD' ? null : (body as Uint8Array<ArrayBuffer>), { status: 200, headers });
}

/** Answers a file:// request (intercepted so no page can read local files through it). */
export function refuseFileRequest(): Response {
  return notFound(403, 'file:// is not served by this app');
}
