#!/usr/bin/env node
// A tiny static server for web mode's build (dist/renderer), no dependencies:
// 127.0.0.1 only, the page's security headers (CSP, nosniff, cross-origin
// isolation), the right MIME types (application/wasm for streaming
// compilation) and no path outside the served folder.
//   node scripts/serve.mjs [--dir dist/renderer] [--port 5178]   (or PORT=...)
// The e2e harness and scripts/start.mjs use serveStatic() from here.
import { createServer } from 'node:http';
import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

// The policy and MIME types are shared with the desktop app's app:// scheme.
export { CSP_DIRECTIVES, cspValue, SECURITY_HEADERS } from '../common/webPolicy.mjs';
export { contentType as mimeType } from '../common/webPolicy.mjs';
import { SECURITY_HEADERS, contentType as mimeType } from '../common/webPolicy.mjs';

/** The repository's dist/renderer. */
export const DIST_DIR = fileURLToPath(new URL('../dist/renderer/', import.meta.url));

/**
 * Maps a request path to a file under `root`, or null when it would leave it
 * (.., encoded slashes or dots, NUL, backslashes, symlinks pointing out).
 */
export async function resolveInside(root, urlPath) {
  let decoded;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.includes('\\')) return null;
  const parts = decoded.split('/');
  if (parts.some((p) => p === '..' || p === '.')) return null;
  const realRoot = await realpath(root);
  let file = path.join(realRoot, ...parts.filter(Boolean));
  try {
    if ((await stat(file)).isDirectory()) file = path.join(file, 'index.html');
    file = await realpath(file);
  } catch {
    return undefined; // not there
  }
  if (file !== realRoot && !file.startsWith(realRoot + path.sep)) return null;
  return file;
}

/**
 * Answers a GET or HEAD for `rawPath` with the file under `root` it names:
 * 403 for a path that would leave it, 404 for none, else the file with the
 * page's security headers, its MIME type and a cache policy (Vite's hashed
 * assets/ for a year, the rest checked each time). `rewrite(file)` may give
 * the text to send instead of the file's bytes (attrib web marks the page).
 * @param {import('node:http').IncomingMessage} req
 * @param {import('node:http').ServerResponse} res
 * @param {string} root
 * @param {string} rawPath
 * @param {{ rewrite?: (file: string) => Promise<string | undefined> }} [options]
 */
export async function sendFile(req, res, root, rawPath, { rewrite } = {}) {
  const plain = (status, text) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8' });
    res.end(req.method === 'HEAD' ? undefined : text + '\n');
  };
  const file = await resolveInside(root, rawPath);
  if (file === null) return plain(403, 'forbidden');
  if (file === undefined) return plain(404, 'not found');
  const info = await stat(file);
  if (!info.isFile()) return plain(404, 'not found');
  const text = rewrite ? await rewrite(file) : undefined;
  res.writeHead(200, {
    ...SECURITY_HEADERS,
    'Content-Type': mimeType(file),
    'Content-Length': text === undefined ? info.size : Buffer.byteLength(text),
    // Vite's assets/ carry a content hash in their names; everything else is checked each time.
    'Cache-Control': rawPath.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') return res.end();
  if (text !== undefined) return res.end(text);
  createReadStream(file)
    .on('error', () => res.destroy())
    .pipe(res);
}

/**
 * Serves `root` on host:port (port 0 = a free one). Resolves when listening,
 * with the URL and a close function.
 * `onRequest` hears every request path (tests log them).
 * @param {{ root?: string, host?: string, port?: number, log?: boolean, onRequest?: (path: string) => void }} [options]
 * @returns {Promise<{ url: string, port: number, close(): Promise<void>, server: import('node:http').Server }>}
 */
export function serveStatic({ root = DIST_DIR, host = '127.0.0.1', port = 5178, log = false, onRequest } = {}) {
  const server = createServer(async (req, res) => {
    onRequest?.(req.url ?? '');
    const send = (status, text, extra = {}) => {
      res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', ...extra });
      res.end(req.method === 'HEAD' ? undefined : text + '\n');
    };
    try {
      if (req.method !== 'GET' && req.method !== 'HEAD') return send(405, 'method not allowed', { Allow: 'GET, HEAD' });
      const rawPath = (req.url ?? '/').split('?')[0].split('#')[0];
      if (!rawPath.startsWith('/')) return send(400, 'bad request');
      await sendFile(req, res, root, rawPath);
    } catch (e) {
      if (log) console.error(e);
      if (!res.headersSent) send(500, 'internal error');
      else res.destroy();
    }
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const addr = server.address();
      const actual = typeof addr === 'object' && addr ? addr.port : port;
      resolve({
        server,
        port: actual,
        url: `http://${host}:${actual}/`,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections?.();
            server.close(() => done());
          }),
      });
    });
  });
}

function arg(name) {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  const root = path.resolve(arg('--dir') ?? DIST_DIR);
  const port = Number(arg('--port') ?? process.env.PORT ?? 5178);
  try {
    await stat(path.join(root, 'index.html'));
  } catch {
    console.error(`${root} has no index.html: run \`npm run build\` first`);
    process.exit(1);
  }
  try {
    const { url } = await serveStatic({ root, port, log: true });
    console.log(`Web mode: ${url}  (serving ${path.relative(process.cwd(), root) || '.'}; Ctrl+C stops)`);
  } catch (e) {
    console.error(e.code === 'EADDRINUSE' ? `port ${port} is in use: set PORT=another` : String(e));
    process.exit(1);
  }
}
