/**
 * `attrib web`'s local server: the page's build (dist/renderer) and, with
 * the native engine, DuckDB running in this process behind a WebSocket that
 * speaks the page's one protocol (common/protocol.ts, as text through
 * common/wire.ts). The shape of DuckDB's own local UI or Jupyter's server,
 * with what a local server owes its user: 127.0.0.1 only, a per-launch
 * token, Host and Origin checked on every request (guard.ts), files only
 * those the user picked or named (files.ts), and the engine's own lock-down
 * (worker/native/database.ts: external access off, configuration locked).
 *
 * Endpoints, all behind the guard:
 *   GET  /aw/config        {engine, files}: which engine the page should use, the named files
 *   POST /aw/files?name=N  an upload (application/octet-stream) -> {id, name, size}
 *   WS   /aw/engine        one native DuckDB session per connection
 *   GET  anything else     the page's files
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile, realpath } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import type { Duplex } from 'node:stream';
import path from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import { sendFile } from '../../scripts/serve.mjs';
import { SECURITY_HEADERS } from '../../common/webPolicy.mjs';
import type { Port } from '../../common/client.ts';
import type { Database } from '../../common/db.ts';
import type { ModelLibrary } from '../../common/pipeline.ts';
import { decodeMessage, encodeMessage } from '../../common/wire.ts';
import { serveError, serveSession } from '../../worker/host.ts';
import { checkRequest, type Verdict } from './guard.ts';
import { ServerFiles } from './files.ts';

/** Which engine the page runs: DuckDB here ('native') or duckdb-wasm in the page ('wasm'). */
export type WebEngine = 'native' | 'wasm';

/** What the page reads from GET /aw/config. */
export interface WebConfig {
  engine: WebEngine;
  files: { id: string; name: string; size: number }[];
}

export interface WebServerOptions {
  /** The page's build (dist/renderer). */
  root: string;
  engine: WebEngine;
  /** 0 for a free port. */
  port: number;
  /** Files named on the command line. */
  data?: string[];
  /** Opens one session's database (native engine). */
  openDatabase: () => Promise<Database>;
  /** The model SQL the sessions run. */
  library: ModelLibrary;
  /** A fixed token (tests); default a random one per launch. */
  token?: string;
  log?: (line: string) => void;
  /** Hears every HTTP request's path (the e2e harness records what was served). */
  onRequest?: (path: string) => void;
  /** Largest WebSocket message from the page, in bytes (requests are small; files come by POST). */
  maxMessageBytes?: number;
}

/** A running server. */
export interface WebServer {
  /** The URL to open, token included. */
  url: string;
  /** The page's origin (no token). */
  origin: string;
  port: number;
  token: string;
  /** Engine sessions open now (one per connected page). */
  sessions(): number;
  close(): Promise<void>;
}

/** A WebSocket as a protocol Port; messages that arrive before a listener are kept for it. */
function socketPort(ws: WebSocket): Port {
  let listener: ((data: unknown) => void) | undefined;
  const early: unknown[] = [];
  ws.on('message', (raw, isBinary) => {
    if (isBinary) return; // the protocol is text
    let m: unknown;
    try {
      m = decodeMessage(raw.toString());
    } catch {
      return; // not a message: dropped, as the hosts drop what is not ToHost
    }
    if (listener) listener(m);
    else early.push(m);
  });
  return {
    postMessage: (m) => {
      if (ws.readyState === ws.OPEN) ws.send(encodeMessage(m));
    },
    on: (_type, fn) => {
      listener = fn;
      for (const m of early.splice(0)) fn(m);
    },
  };
}

/** Starts the server; resolves once it listens on 127.0.0.1. */
export async function startWebServer(o: WebServerOptions): Promise<WebServer> {
  const token = o.token ?? randomBytes(24).toString('base64url');
  const log = o.log ?? (() => {});
  const files = new ServerFiles();
  files.name(o.data ?? []);
  let port = o.port;
  let sessions = 0;
  const closers = new Set<() => Promise<void>>();
  const indexHtml = path.join(await realpath(o.root), 'index.html');

  const refuse = (res: ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
    res.writeHead(status, { ...SECURITY_HEADERS, 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
    res.end(text + '\n');
  };
  const json = (res: ServerResponse, value: unknown) => {
    res.writeHead(200, { ...SECURITY_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store' });
    res.end(JSON.stringify(value));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    o.onRequest?.((req.url ?? '').replace(/token=[^&]*/, 'token=…'));
    const v: Verdict = checkRequest(req, { port, token });
    if (!v.ok) {
      log(`refused ${req.method} ${(req.url ?? '').replace(/token=[^&]*/, 'token=…')}: ${v.reason}`);
      return refuse(res, v.status, v.reason);
    }
    if (v.redirect) return refuse(res, 303, 'see the page', { Location: v.redirect, ...(v.setCookie ? { 'Set-Cookie': v.setCookie } : {}) });
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    if (url.pathname === '/aw/config') {
      if (req.method !== 'GET') return refuse(res, 405, 'method not allowed', { Allow: 'GET' });
      return json(res, { engine: o.engine, files: files.named().map(({ id, name, size }) => ({ id, name, size })) } satisfies WebConfig);
    }
    if (url.pathname === '/aw/files') {
      if (req.method !== 'POST') return refuse(res, 405, 'method not allowed', { Allow: 'POST' });
      if (o.engine !== 'native') return refuse(res, 404, 'not found');
      // not a form's type: a cross-site form could not send it without a preflight, which we never grant
      if ((req.headers['content-type'] ?? '').split(';')[0].trim() !== 'application/octet-stream') return refuse(res, 415, 'an upload must be application/octet-stream');
      const name = url.searchParams.get('name');
      if (!name) return refuse(res, 400, 'an upload needs ?name=');
      return json(res, await files.upload(name, req));
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return refuse(res, 405, 'method not allowed', { Allow: 'GET, HEAD' });
    // the page learns that a server with an engine is behind it (renderer/host/remote.ts serverConfig)
    const rewrite = async (file: string) => (file === indexHtml ? (await readFile(file, 'utf8')).replace(/<head>/i, `<head>\n    <meta name="aw-engine" content="${o.engine}">`) : undefined);
    await sendFile(req, res, o.root, url.pathname, { rewrite });
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      log(`error: ${e.message}`);
      if (!res.headersSent) refuse(res, 500, 'internal error');
      else res.destroy();
    });
  });

  const wss = new WebSocketServer({ noServer: true, maxPayload: o.maxMessageBytes ?? 16 << 20 });
  server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    const v = path === '/aw/engine' && o.engine === 'native' ? checkRequest(req, { port, token }, 'ws') : { ok: false as const, status: 404, reason: 'not found' };
    if (!v.ok) {
      log(`refused the engine connection: ${v.reason}`);
      socket.end(`HTTP/1.1 ${v.status} Refused\r\nContent-Type: text/plain\r\nConnection: close\r\n\r\n${v.reason}\n`);
      return;
    }
    wss.handleUpgrade(req, socket, head, (ws) => void session(ws));
  });

  const session = async (ws: WebSocket) => {
    const port = socketPort(ws);
    let db: Database;
    try {
      db = await o.openDatabase();
    } catch (e) {
      log(`cannot open the database: ${(e as Error).message}`);
      serveError(port, e);
      return;
    }
    sessions++;
    const close = serveSession(port, db, o.library, (f) => files.toSource(f));
    const end = async () => {
      if (!closers.delete(end)) return;
      sessions--;
      await close().catch((e: Error) => log(`close: ${e.message}`));
    };
    closers.add(end);
    ws.on('close', () => void end());
    if (ws.readyState !== ws.OPEN) void end();
  };

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(o.port, '127.0.0.1', () => {
      server.off('error', reject);
      const a = server.address();
      port = typeof a === 'object' && a ? a.port : o.port;
      resolve();
    });
  });
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/?token=${token}`,
    origin,
    port,
    token,
    sessions: () => sessions,
    close: async () => {
      for (const c of wss.clients) c.terminate();
      await Promise.all([...closers].map((c) => c()));
      server.closeAllConnections?.();
      await new Promise<void>((done) => server.close(() => done()));
      files.close();
    },
  };
}
