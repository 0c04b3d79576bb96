/**
 * Reads Chromium's NetLog (--log-net-log, capture mode Everything) for the
 * no-network check N2: which hosts any URL request, host resolution or
 * socket named, and whose each request was.
 *
 * Whose: Chromium records with each URL request its initiator, the origin
 * of the page or worker that asked. The browser process's own requests
 * (component updates, sign-in, push, autofill queries) have none: their
 * initiator is logged as "not an origin", with the traffic annotation that
 * names the feature. A non-loopback host counts as the browser's own only
 * when it is one of Chromium's service hosts (browserTraffic.ts) and every
 * URL request naming it had no initiator; a host any page or worker asked
 * for, or a socket or look-up with no such request behind it, is the app's.
 */
import { serviceOfHost, serviceOfSinkPath } from './browserTraffic.ts';

/** What the NetLog says. */
export interface NetLogReport {
  /** Events in the log. */
  events: number;
  /** Every host named, with the event types that named it. */
  targets: Map<string, Set<string>>;
  /** Non-loopback hosts on the app's behalf, `host (types)`: each one fails N2. */
  app: string[];
  /** Non-loopback hosts only the browser's own requests named, `host: service`. */
  browserHosts: string[];
  /** The browser's own URL requests off the page's origin: `service? METHOD url (traffic annotation N) ×count`. */
  browserRequests: string[];
  /** Chromium's IPv6 reachability probe: UDP sockets connect()ed to Google Public DNS, and what they sent. */
  ipv6Probe: { sockets: number; sends: string[] };
}

/** The address Chromium connect()s a UDP socket to, to learn whether IPv6 is routed (nothing is sent). */
export const IPV6_PROBE = '[2001:4860:4860::8888]:443';

/** Hosts (host or host:port) of every URL, host and address string in a NetLog event's params. */
export function netlogTargets(params: unknown): string[] {
  const out: string[] = [];
  const walk = (v: unknown, key: string) => {
    if (typeof v === 'string') {
      const url = /^[a-z][a-z0-9+.-]*:\/\/([^/?#\s]+)/i.exec(v);
      if (url) out.push(url[1].replace(/^[^@]*@/, ''));
      // group ids read like "pm/127.0.0.1:4321 <http: …>" or "127.0.0.1 same_site": the first word is the host
      else if (/^(host|address|host_and_port|group_id|remote_address|proxy_server)$/.test(key)) out.push(v.replace(/^((ssl|pm)\/)*([a-z]+:\/\/)?/i, '').split(/\s+/)[0]);
    } else if (Array.isArray(v)) v.forEach((x) => walk(x, key));
    else if (v && typeof v === 'object') for (const [k, x] of Object.entries(v)) walk(x, k);
  };
  walk(params, '');
  return out.filter(Boolean);
}

/** Whether a NetLog target (host, host:port, [v6]:port, or a proxy list) is the loopback interface. */
export const loopback = (t: string) =>
  t.split(/[;,\s]+/).filter(Boolean).every((x) => /^(127\.\d+\.\d+\.\d+|\[?::1\]?|localhost)(:\d+)?$/i.test(x.replace(/^(PROXY|DIRECT|HTTPS?)\s*/i, '')) || /^DIRECT$/i.test(x));

/** The host of a target, without port or brackets. */
const hostOf = (t: string) => t.replace(/^\[([^\]]+)\](:\d+)?$/, '$1').replace(/:\d+$/, '').toLowerCase();

/** Parses a NetLog file's text (a log cut short by a browser that did not exit cleanly is closed first). */
export function readNetLog(raw: string, pageOrigin: string): NetLogReport {
  let text = raw.trim();
  if (!text.endsWith('}')) text = text.replace(/,?\s*$/, '') + ']}';
  const log = JSON.parse(text) as {
    constants: { logEventTypes: Record<string, number>; logSourceType: Record<string, number> };
    events: { type: number; source: { id: number; type: number }; params?: Record<string, unknown> }[];
  };
  const names = new Map(Object.entries(log.constants.logEventTypes).map(([k, v]) => [v, k]));
  const sources = new Map(Object.entries(log.constants.logSourceType).map(([k, v]) => [v, k]));

  const udpProbes = new Set(log.events.filter((e) => sources.get(e.source.type)?.startsWith('UDP') && netlogTargets(e.params).includes(IPV6_PROBE)).map((e) => e.source.id));
  const sends = log.events.filter((e) => udpProbes.has(e.source.id) && /BYTES_SENT|SEND/.test(names.get(e.type) ?? '')).map((e) => names.get(e.type) ?? '?');

  // URL requests: their URL, initiator and traffic annotation, by source id
  const requests = new Map<number, { url?: string; method?: string; initiator?: string; annotation?: number }>();
  for (const e of log.events) {
    const type = names.get(e.type);
    if (type !== 'REQUEST_ALIVE' && type !== 'URL_REQUEST_START_JOB') continue;
    const p = e.params ?? {};
    const r = requests.get(e.source.id) ?? {};
    if (typeof p.url === 'string') r.url ??= p.url;
    if (typeof p.method === 'string') r.method ??= p.method;
    if (typeof p.initiator === 'string') r.initiator ??= p.initiator;
    if (typeof p.traffic_annotation === 'number') r.annotation ??= p.traffic_annotation;
    requests.set(e.source.id, r);
  }
  // per host: did a page/worker (an initiator that is an origin) ask for it, did the browser on its own
  const askedBy = new Map<string, { page: boolean; browser: boolean }>();
  const browserCounts = new Map<string, number>();
  for (const r of requests.values()) {
    if (!r.url || !/^(https?|wss?):/.test(r.url)) continue;
    const host = hostOf(new URL(r.url).host);
    const own = !r.initiator || r.initiator === 'not an origin';
    const a = askedBy.get(host) ?? { page: false, browser: false };
    if (own) a.browser = true;
    else a.page = true;
    askedBy.set(host, a);
    if (own && !r.url.startsWith(pageOrigin)) {
      // on loopback, the harness's sink: its path names the service
      const u = new URL(r.url);
      const service = loopback(u.host) ? serviceOfSinkPath(u.pathname) : serviceOfHost(host);
      const key = `${service ?? ''} ${r.method ?? ''} ${r.url.replace(/\?.*$/, '').replace(/\/v1\/pages\/.*/, '/v1/pages/…').slice(0, 80)} (traffic annotation ${r.annotation ?? '?'})`.trim();
      browserCounts.set(key, (browserCounts.get(key) ?? 0) + 1);
    }
  }

  const targets = new Map<string, Set<string>>();
  for (const e of log.events) {
    const type = names.get(e.type) ?? String(e.type);
    if (!/URL_REQUEST|SOCKET|TCP_CONNECT|UDP|HOST_RESOLVER|CONNECT_JOB|HTTP_STREAM|PROXY|QUIC|DNS|WEBSOCKET/.test(type)) continue;
    if (udpProbes.has(e.source.id)) continue;
    for (const target of netlogTargets(e.params)) {
      if (!targets.has(target)) targets.set(target, new Set());
      targets.get(target)!.add(type);
    }
  }
  const app: string[] = [];
  const browserHosts = new Set<string>();
  for (const [target, types] of targets) {
    // ~NOTFOUND is the harness's host-resolver rule answering "no such host", not a host
    if (loopback(target) || /^~notfound$/i.test(target) || /^(data|blob|chrome|about|devtools|chrome-extension):/.test(target)) continue;
    const host = hostOf(target);
    const service = serviceOfHost(host);
    const asked = askedBy.get(host);
    if (service && asked?.browser && !asked.page) browserHosts.add(`${host}: ${service}`);
    else app.push(`${target} (${[...types].join(', ')})`);
  }
  return {
    events: log.events.length,
    targets,
    app,
    browserHosts: [...browserHosts],
    browserRequests: [...browserCounts].map(([k, n]) => `${k} ×${n}`),
    ipv6Probe: { sockets: udpProbes.size, sends },
  };
}
