/**
 * Who may talk to `attrib web`'s local server. A server on 127.0.0.1 is
 * reachable by every page the user's browser opens, so each request (HTTP
 * and the engine's WebSocket alike) must show, in this order:
 *
 * 1. a Host header naming this server (127.0.0.1:PORT or localhost:PORT):
 *    a DNS-rebinding page reaches us under its own host name;
 * 2. no foreign Origin, and for the WebSocket an Origin that is ours (a
 *    WebSocket is not bound by the same-origin policy, so the Origin is the
 *    only thing that tells a cross-site page apart); `Sec-Fetch-Site` other
 *    than same-origin or none is refused too (another port of localhost is
 *    "same-site", not same-origin);
 * 3. the per-launch token: the cookie this server set, or, on a GET, the
 *    `token` query parameter of the printed URL, which is answered with the
 *    cookie (HttpOnly, SameSite=Strict) and a redirect to the same URL
 *    without it, so the token leaves the address bar and history.
 */
import { timingSafeEqual } from 'node:crypto';

/** What the guard needs to know about this launch. */
export interface GuardConfig {
  port: number;
  token: string;
}

/** The request as the guard reads it. */
export interface GuardRequest {
  method?: string;
  url?: string;
  headers: Record<string, string | string[] | undefined>;
}

/** Let through (maybe setting the cookie and redirecting first), or refuse with a status and a reason. */
export type Verdict = { ok: true; setCookie?: string; redirect?: string } | { ok: false; status: number; reason: string };

/** The cookie's name: one per port, so two servers on one machine never read each other's. */
export function cookieName(port: number): string {
  return `aw_token_${port}`;
}

/** The origins of this server's page. */
export function ownOrigins(port: number): string[] {
  return [`http://127.0.0.1:${port}`, `http://localhost:${port}`];
}

function header(req: GuardRequest, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** A cookie's value from a Cookie header (the last one of that name wins, as browsers order them). */
export function cookieValue(cookieHeader: string | undefined, name: string): string | undefined {
  let found: string | undefined;
  for (const part of (cookieHeader ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) found = part.slice(i + 1).trim();
  }
  return found;
}

/** Checks one request; `ws` for the engine's WebSocket upgrade. */
export function checkRequest(req: GuardRequest, cfg: GuardConfig, kind: 'http' | 'ws' = 'http'): Verdict {
  const host = header(req, 'host');
  if (!host || !ownOrigins(cfg.port).some((o) => o.slice('http://'.length) === host.toLowerCase())) {
    return { ok: false, status: 421, reason: `Host ${JSON.stringify(host ?? '')} is not this server (127.0.0.1:${cfg.port})` };
  }
  const origin = header(req, 'origin');
  if (origin !== undefined && !ownOrigins(cfg.port).includes(origin)) {
    return { ok: false, status: 403, reason: `requests from ${origin} are refused: only this server's own page may call it` };
  }
  if (kind === 'ws' && origin === undefined) return { ok: false, status: 403, reason: 'the engine connection needs the Origin of this server\'s page' };
  const site = header(req, 'sec-fetch-site');
  if (site !== undefined && site !== 'same-origin' && site !== 'none') {
    return { ok: false, status: 403, reason: `a ${site} request is refused: only this server's own page may call it` };
  }
  if (sameSecret(cookieValue(header(req, 'cookie'), cookieName(cfg.port)), cfg.token)) return { ok: true };
  const url = new URL(req.url ?? '/', `http://${host}`);
  const given = url.searchParams.get('token') ?? undefined;
  if (kind === 'http' && (req.method === 'GET' || req.method === 'HEAD') && sameSecret(given, cfg.token)) {
    url.searchParams.delete('token');
    return {
      ok: true,
      setCookie: `${cookieName(cfg.port)}=${cfg.token}; HttpOnly; SameSite=Strict; Path=/`,
      redirect: url.pathname + url.search,
    };
  }
  return { ok: false, status: 403, reason: given === undefined ? 'open the link attrib web printed (it carries this launch\'s token)' : 'the token is not this launch\'s: open the link attrib web printed' };
}
