/**
 * Chromium's own traffic, told apart from the app's.
 *
 * The claim the privacy tests make is "the app makes no request outside its
 * origin". The browser process also talks to Google's services on its own
 * (component updates, sign-in, push, autofill), with no page or worker
 * asking; Chromium 156 does so even with --disable-component-update and
 * --disable-background-networking (the "Optimization Guide On Device Models
 * Manifest" component, appid ceofaddefefcbblgcgnibnonglccbfja, is installed
 * on demand at every start). That traffic is not the app's, but it must not
 * be hidden either, nor carry anything of the user's.
 *
 * So the harness points every such service Chromium lets us redirect at a
 * loopback sink of its own (SERVICE_SWITCHES), which records each request
 * whole and answers 404: the requests never leave the machine, and the tests
 * can read what they carried. A request the browser makes to one of
 * Chromium's known service hosts some other way (a future version's new
 * service) reaches the trap proxy instead; it is reported by name and fails
 * nothing, unless a page or worker also asked for that host, or it carries a
 * user mark. Everything else outside the page's origin fails the test.
 */
import { createServer, type IncomingMessage } from 'node:http';

/** One request Chromium's browser process made on its own. */
export interface BrowserRequest {
  /** What asked, in words: "component updater", "Google sign-in", … */
  service: string;
  /** `sink` (redirected to the harness's loopback sink) or `trap` (refused by the trap proxy). */
  via: 'sink' | 'trap';
  /** The request line as received: `POST /update/service/update2/json?…` or `CONNECT host:443`. */
  request: string;
  /** Headers and body as text (empty for CONNECT, whose tunnel the trap refuses before any byte). */
  content: string;
}

/**
 * Chromium's own services: where a host or a sink path says which one.
 * Hosts are Google's service endpoints that Chromium's browser process calls
 * by itself; a page or worker request to any of them is still the app's.
 */
export const SERVICES: { name: string; host: RegExp; sinkPath: RegExp }[] = [
  { name: 'component updater', host: /^(update\.googleapis\.com|clients2\.google\.com|redirector\.gvt1\.com|[\w-]+\.gvt1\.com|dl\.google\.com|edgedl\.me\.gvt1\.com)$/, sinkPath: /^\/update\// },
  { name: 'Google sign-in', host: /^(accounts\.google\.com|oauthaccountmanager\.googleapis\.com)$/, sinkPath: /^\/(ListAccounts|oauth|embedded|ServiceLogin)/ },
  { name: 'GCM push', host: /^(android\.clients\.google\.com|mtalk\.google\.com|fcm\.googleapis\.com)$/, sinkPath: /^\/gcm\// },
  { name: 'autofill form queries', host: /^content-autofill\.googleapis\.com$/, sinkPath: /^\/v1\/pages\// },
  { name: 'optimization guide', host: /^optimizationguide-pa\.googleapis\.com$/, sinkPath: /^$/ },
  { name: 'Safe Browsing', host: /^(safebrowsing\.googleapis\.com|safebrowsing\.google\.com|sb-ssl\.google\.com)$/, sinkPath: /^$/ },
  { name: 'variations (field trials)', host: /^(clientservices\.googleapis\.com|clients4\.google\.com)$/, sinkPath: /^$/ },
  { name: 'certificate and CRL updates', host: /^(www\.gstatic\.com|crl\.pki\.goog|ocsp\.pki\.goog)$/, sinkPath: /^$/ },
];

/**
 * The Chromium switches that send its services to the sink at `base`
 * (http://127.0.0.1:PORT). Each is one that Chromium 156 honours, checked by
 * test/e2e/harness.test.ts: with them, a fresh profile sends nothing to the
 * trap proxy.
 */
export function serviceSwitches(base: string): string[] {
  return [
    // the component updater (update2/json checks and downloads); url-source replaces its server list
    `--component-updater=url-source=${base}/update/`,
    // sign-in's account list, push (GCM) check-in and registration, autofill's form queries
    // (both take an origin only: a path given to either is dropped and Google's host used again)
    `--gaia-url=${base}`,
    `--autofill-server-url=${base}/`,
    `--gcm-checkin-url=${base}/gcm/checkin`,
    `--gcm-registration-url=${base}/gcm/register`,
    `--gcm-mcs-endpoint=${base}/gcm/mcs`,
  ];
}

/** The service a host (no port) belongs to, or undefined. */
export function serviceOfHost(host: string): string | undefined {
  return SERVICES.find((s) => s.host.test(host.toLowerCase()))?.name;
}

/** The service a sink path belongs to (`/gaia/ListAccounts?…` → Google sign-in). */
export function serviceOfSinkPath(p: string): string {
  return SERVICES.find((s) => s.sinkPath.source !== '^$' && s.sinkPath.test(p))?.name ?? 'unnamed Chromium service';
}

/** The user marks (strings of the user's: file names, ids, the page's address) found in `text`. */
export function userMarksIn(text: string, marks: readonly string[]): string[] {
  const lower = text.toLowerCase();
  return marks.filter((m) => m.length >= 4 && lower.includes(m.toLowerCase()));
}

/** A request as text (request line, headers, body) for the user-mark check and the report. */
export async function requestText(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of req) chunks.push(c as Buffer);
  const body = Buffer.concat(chunks);
  const headers = Object.entries(req.headers).map(([k, v]) => `${k}: ${String(v)}`).join('\n');
  // protobuf and gzip bodies are kept as latin1 so any plain string in them still matches
  return `${headers}\n\n${body.toString('latin1')}`;
}

/** The loopback sink Chromium's services are pointed at: records each request whole and answers 404. */
export async function startSink(): Promise<{ base: string; seen: BrowserRequest[]; close(): Promise<void> }> {
  const seen: BrowserRequest[] = [];
  const sink = createServer((req, res) => {
    void requestText(req).then((text) => {
      // autofill puts its query in the path as base64url protobuf: decoded, so the user-mark check reads it
      const b64 = /^\/v1\/pages\/([\w-]+)/.exec(req.url ?? '')?.[1];
      const content = b64 ? `${text}\n${Buffer.from(b64, 'base64url').toString('latin1')}` : text;
      seen.push({ service: serviceOfSinkPath(req.url ?? ''), via: 'sink', request: `${req.method} ${req.url}`, content });
      res.writeHead(404, { 'content-type': 'text/plain' }).end();
    });
  });
  await new Promise<void>((resolve) => sink.listen(0, '127.0.0.1', resolve));
  const addr = sink.address();
  return {
    base: `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`,
    seen,
    close: () => new Promise<void>((resolve) => {
      sink.closeAllConnections();
      sink.close(() => resolve());
    }),
  };
}

/** One line naming what the browser did on its own: "component updater ×1 (sink), Google sign-in ×2 (sink)". */
export function summarise(requests: readonly BrowserRequest[]): string {
  const counts = new Map<string, number>();
  for (const r of requests) counts.set(`${r.service} (${r.via})`, (counts.get(`${r.service} (${r.via})`) ?? 0) + 1);
  return [...counts].map(([k, n]) => `${k.replace(' (', ` ×${n} (`)}`).join(', ') || 'none';
}
