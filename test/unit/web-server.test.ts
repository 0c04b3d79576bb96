/**
 * `attrib web`'s local server (cli/web/), as a browser or a hostile page
 * would reach it: each refusal (no token, a wrong one, a foreign Host or
 * Origin, a cross-site fetch, a path or an unknown file id, SQL past the
 * lock-down) and what gets through (the token traded for its cookie, the
 * named and uploaded files, numbers that JSON would have NULLed).
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { networkInterfaces } from 'node:os';
import { request } from 'node:http';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { EngineClient, type Port } from '../../common/client.ts';
import { decodeMessage, encodeMessage, fromBase64, toBase64 } from '../../common/wire.ts';
import { checkRequest, cookieValue } from '../../cli/web/guard.ts';
import { uploadName } from '../../cli/web/files.ts';
import { startWebServer, type WebServer } from '../../cli/web/server.ts';
import { webCommand } from '../../cli/web.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import type { ImportReport } from '../../common/import/importer.ts';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const TINY = `${repo}samples/tiny.csv`;

describe('wire: the protocol as text', () => {
  it('keeps what JSON would lose: NaN, ±Infinity, -0, bytes, bigints, dates, a "$aw" key', () => {
    const m = { id: 1, type: 'result', result: { rows: [{ a: NaN, b: Infinity, c: -Infinity, d: -0, e: 1.5, f: null, g: 'x' }], bytes: new Uint8Array([0, 1, 2, 250, 255]), big: 2n ** 64n, when: new Date(86_400_000), tricky: { $aw: 'num', v: 'NaN' } } };
    const back = decodeMessage(encodeMessage(m)) as typeof m;
    const row = back.result.rows[0];
    assert.ok(Number.isNaN(row.a));
    assert.equal(row.b, Infinity);
    assert.equal(row.c, -Infinity);
    assert.ok(Object.is(row.d, -0));
    assert.deepEqual([row.e, row.f, row.g], [1.5, null, 'x']);
    assert.deepEqual([...back.result.bytes], [0, 1, 2, 250, 255]);
    assert.equal(back.result.big, 2n ** 64n);
    assert.equal(back.result.when.getTime(), 86_400_000);
    assert.deepEqual(back.result.tricky, { $aw: 'num', v: 'NaN' }, 'user data shaped like a tag stays data');
  });

  it('base64 agrees with Node for every length mod 3', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 70_001]) {
      const b = Uint8Array.from({ length: n }, (_, i) => (i * 37 + 11) & 255);
      assert.equal(toBase64(b), Buffer.from(b).toString('base64'), `length ${n}`);
      assert.deepEqual(fromBase64(toBase64(b)), b);
    }
    assert.throws(() => fromBase64('ab!c'), /not base64 at character 3/);
  });
});

describe('guard: who may call the local server', () => {
  const cfg = { port: 5178, token: 'secret-token' };
  const req = (headers: Record<string, string>, url = '/', method = 'GET') => ({ method, url, headers: { host: '127.0.0.1:5178', ...headers } });
  const cookie = 'aw_token_5178=secret-token';

  it('lets the cookie through, and trades the printed token for it', () => {
    assert.deepEqual(checkRequest(req({ cookie }), cfg), { ok: true });
    assert.deepEqual(checkRequest(req({ cookie, host: 'localhost:5178' }), cfg), { ok: true });
    const v = checkRequest(req({}, '/?token=secret-token&x=1'), cfg);
    assert.deepEqual(v, { ok: true, setCookie: 'aw_token_5178=secret-token; HttpOnly; SameSite=Strict; Path=/', redirect: '/?x=1' });
  });

  it('refuses each missing or foreign part, saying which', () => {
    const refused = (r: ReturnType<typeof req>, kind: 'http' | 'ws' = 'http') => {
      const v = checkRequest(r, cfg, kind);
      assert.equal(v.ok, false);
      return v.ok ? '' : `${v.status} ${v.reason}`;
    };
    assert.match(refused(req({})), /^403 open the link attrib web printed/);
    assert.match(refused(req({}, '/?token=wrong')), /^403 the token is not this launch's/);
    assert.match(refused(req({}, '/?token=secret-token', 'POST')), /^403/, 'the token in a URL is for opening the page only');
    assert.match(refused(req({ cookie: 'aw_token_5178=wrong' })), /^403/);
    assert.match(refused(req({ cookie: 'aw_token_5179=secret-token' })), /^403/, 'another port\'s cookie');
    assert.match(refused(req({ cookie, host: 'evil.example:5178' })), /^421 Host "evil.example:5178" is not this server/);
    assert.match(refused(req({ cookie, host: '127.0.0.1:80' })), /^421/);
    assert.match(refused(req({ cookie, origin: 'http://evil.example' })), /^403 requests from http:\/\/evil.example are refused/);
    assert.match(refused(req({ cookie, origin: 'null' })), /^403/);
    assert.match(refused(req({ cookie, origin: 'http://127.0.0.1:5179' })), /^403/, 'another local port is another origin');
    assert.match(refused(req({ cookie, 'sec-fetch-site': 'cross-site' })), /^403 a cross-site request is refused/);
    assert.match(refused(req({ cookie, 'sec-fetch-site': 'same-site' })), /^403 a same-site request/);
    assert.match(refused(req({ cookie }), 'ws'), /^403 the engine connection needs the Origin/);
    assert.match(refused(req({}, '/aw/engine?token=secret-token'), 'ws'), /^403/);
    assert.deepEqual(checkRequest(req({ cookie, origin: 'http://127.0.0.1:5178' }), cfg, 'ws'), { ok: true });
  });

  it('reads cookies as browsers send them', () => {
    assert.equal(cookieValue('a=1; aw_token_1=x; b=2', 'aw_token_1'), 'x');
    assert.equal(cookieValue(undefined, 'a'), undefined);
    assert.equal(cookieValue('aw_token_1x=y', 'aw_token_1'), undefined);
  });

  it('writes uploads under their own name only', () => {
    assert.equal(uploadName('../../etc/passwd'), 'passwd');
    assert.equal(uploadName('C:\\data\\orders.csv'), 'orders.csv');
    assert.equal(uploadName('..'), 'upload');
    assert.equal(uploadName('a\nb.csv'), 'a_b.csv');
  });
});

/** An HTTP request to the server; resolves with status, headers and body text. */
function http(s: WebServer, path: string, o: { method?: string; headers?: Record<string, string>; body?: Buffer | string } = {}): Promise<{ status: number; headers: Record<string, unknown>; text: string }> {
  return new Promise((resolve, reject) => {
    const r = request({ host: '127.0.0.1', port: s.port, path, method: o.method ?? 'GET', headers: { host: `127.0.0.1:${s.port}`, ...o.headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString() }));
    });
    r.on('error', reject);
    r.end(o.body);
  });
}

/** A WebSocket to the engine: resolves open, or rejects with the refusal's status. */
function socket(s: WebServer, headers: Record<string, string>): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(`ws://127.0.0.1:${s.port}/aw/engine`, { headers });
    ws.once('open', () => resolve(ws));
    ws.once('unexpected-response', (_req, res) => reject(new Error(`refused ${res.statusCode}`)));
    ws.once('error', reject);
  });
}

function client(ws: WebSocket): EngineClient {
  const port: Port = {
    postMessage: (m) => ws.send(encodeMessage(m)),
    on: (_t, fn) => void ws.on('message', (d) => fn(decodeMessage(d.toString()))),
  };
  return new EngineClient(port);
}

describe('attrib web: the command', () => {
  it('refuses a bad engine, a bad port, --data without the native engine, in one line each', async () => {
    await assert.rejects(webCommand(['--engine', 'gpu']), /--engine must be native or wasm, got 'gpu'/);
    await assert.rejects(webCommand(['--port', '70000']), /--port must be a port number \(0 to 65535\), got '70000'/);
    await assert.rejects(webCommand(['--engine', 'wasm', '--data', TINY]), /--data needs the native engine/);
    await assert.rejects(webCommand(['--data', `${repo}no-such-file.csv`, '--port', '0', '--dir', `${repo}test/fixtures/web-root`]), /no such file/);
    await assert.rejects(webCommand(['--bogus']), /Run 'attrib web --help'/);
  });
});

describe('attrib web: the server', () => {
  let s: WebServer;
  let cookie: string;
  let origin: string;
  before(async () => {
    s = await startWebServer({
      root: `${repo}test/fixtures/web-root`,
      engine: 'native',
      port: 0,
      data: [TINY],
      library: loadModelLibrary(),
      openDatabase: () => openNativeDatabase({ threads: 1 }),
    });
    cookie = `aw_token_${s.port}=${s.token}`;
    origin = s.origin;
  });
  after(async () => s?.close());

  it('listens on 127.0.0.1 only, and prints a link with a token of its own', async () => {
    assert.match(s.url, new RegExp(`^http://127\\.0\\.0\\.1:${s.port}/\\?token=[A-Za-z0-9_-]{32}$`));
    const other = Object.values(networkInterfaces()).flat().find((i) => i && i.family === 'IPv4' && !i.internal);
    if (other) {
      await assert.rejects(
        new Promise((resolve, reject) => request({ host: other.address, port: s.port, path: '/' }, resolve).on('error', reject).end()),
        /ECONNREFUSED/,
        `not reachable at ${other.address}`,
      );
    }
  });

  it('refuses the page without the token; trades the token for an HttpOnly SameSite=Strict cookie', async () => {
    assert.equal((await http(s, '/')).status, 403);
    assert.equal((await http(s, '/?token=nope')).status, 403);
    const r = await http(s, `/?token=${s.token}`);
    assert.equal(r.status, 303);
    assert.equal(r.headers.location, '/');
    assert.deepEqual(r.headers['set-cookie'], [`${cookie}; HttpOnly; SameSite=Strict; Path=/`]);
    const page = await http(s, '/', { headers: { cookie } });
    assert.equal(page.status, 200);
    assert.match(page.text, /<meta name="aw-engine" content="native">/, 'the page is told its engine');
    assert.match(String(page.headers['content-security-policy']), /default-src 'self'/);
  });

  it('refuses a foreign Host (DNS rebinding), a foreign Origin and a cross-site fetch, cookie or not', async () => {
    assert.equal((await http(s, '/aw/config', { headers: { cookie, host: `evil.example:${s.port}` } })).status, 421);
    assert.equal((await http(s, '/aw/config', { headers: { cookie, origin: 'http://evil.example' } })).status, 403);
    assert.equal((await http(s, '/aw/config', { headers: { cookie, 'sec-fetch-site': 'cross-site' } })).status, 403);
    const ok = await http(s, '/aw/config', { headers: { cookie } });
    assert.equal(ok.status, 200);
    const config = JSON.parse(ok.text);
    assert.equal(config.engine, 'native');
    assert.deepEqual(config.files.map((f: { name: string; size: number }) => [f.name, f.size]), [['tiny.csv', readFileSync(TINY).length]]);
  });

  it('takes uploads only with the cookie, from its own page, as octet-stream', async () => {
    const body = 'a,b\n1,2\n';
    assert.equal((await http(s, '/aw/files?name=x.csv', { method: 'POST', body, headers: { 'content-type': 'application/octet-stream' } })).status, 403);
    assert.equal((await http(s, '/aw/files?name=x.csv', { method: 'POST', body, headers: { cookie, origin: 'http://evil.example', 'content-type': 'application/octet-stream' } })).status, 403);
    assert.equal((await http(s, '/aw/files?name=x.csv', { method: 'POST', body, headers: { cookie, origin, 'content-type': 'text/plain' } })).status, 415, 'a cross-site form could send text/plain');
    const ok = await http(s, '/aw/files?name=../x.csv', { method: 'POST', body, headers: { cookie, origin, 'content-type': 'application/octet-stream' } });
    assert.equal(ok.status, 200);
    assert.deepEqual({ ...JSON.parse(ok.text), id: 'id' }, { id: 'id', name: 'x.csv', size: body.length, origin: 'uploaded' });
  });

  it('refuses the engine connection without the cookie, without its Origin or from another', async () => {
    await assert.rejects(socket(s, { origin }), /refused 403/);
    await assert.rejects(socket(s, { cookie }), /refused 403/);
    await assert.rejects(socket(s, { cookie, origin: 'http://evil.example' }), /refused 403/);
    await assert.rejects(socket(s, { cookie, origin, host: `evil.example:${s.port}` }), /refused 421/);
  });

  it('opens named and uploaded files by id only; a path or an unknown id is refused; SQL stays locked down', async () => {
    const config = JSON.parse((await http(s, '/aw/config', { headers: { cookie } })).text);
    const ws = await socket(s, { cookie, origin });
    const c = client(ws);
    try {
      const refusedPath = c.call('open_file', { file: { kind: 'path', path: TINY } }).result;
      await assert.rejects(refusedPath, /this server opens only files picked in the page or named on its command line/);
      await assert.rejects(c.call('open_file', { file: { kind: 'server', id: 'made-up', name: 'x.csv' } }).result, /opens only files picked/);
      const report = (await c.call('open_file', { file: { kind: 'server', id: config.files[0].id, name: 'tiny.csv' } }).result) as ImportReport;
      // tiny.csv: 1,000 rows, 5 of them rejects (as `attrib attribute` reports it)
      assert.deepEqual([report.rowsRead, report.rowsLoaded], [1000, 995]);
      const [{ n }] = await c.call('query', { sql: 'SELECT count(*) AS n FROM events' }).result;
      assert.equal(Number(n), 995);
      // numbers JSON would NULL cross intact
      const [row] = await c.call('query', { sql: "SELECT 'nan'::DOUBLE AS a, 'inf'::DOUBLE AS b, -0.0::DOUBLE AS z" }).result;
      assert.ok(Number.isNaN(row.a as number));
      assert.equal(row.b, Infinity);
      // the engine's own lock-down: no file outside its sandbox, no configuration change
      await assert.rejects(c.call('query', { sql: `SELECT * FROM read_csv('${TINY}')` }).result, /Permission Error|disabled|not allowed/i);
      await assert.rejects(c.call('query', { sql: "SET enable_external_access = true" }).result, /lock|Cannot change|disabled/i);
      // an uploaded file opens by the id the upload gave
      const up = JSON.parse((await http(s, '/aw/files?name=up.csv', { method: 'POST', body: readFileSync(TINY), headers: { cookie, origin, 'content-type': 'application/octet-stream' } })).text);
      const r2 = (await c.call('open_file', { file: { kind: 'server', id: up.id, name: 'up.csv' } }).result) as ImportReport;
      assert.equal(r2.rowsLoaded, 995);
      assert.equal(s.sessions(), 1);
    } finally {
      ws.close();
    }
    for (let i = 0; i < 50 && s.sessions() > 0; i++) await new Promise((r) => setTimeout(r, 20));
    assert.equal(s.sessions(), 0, 'the page gone, its database closed');
  });
});
