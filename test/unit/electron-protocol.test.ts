/** The app:// scheme in plain Node: path resolution and traversal refusals (S9), MIME types, the CSP and headers on every response (S4). */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { APP_ENTRY_URL, APP_SCHEME_PRIVILEGES, CSP, mimeType, refuseFileRequest, resolveAppPath, securityHeaders, serveAppRequest } from '../../main/appProtocol.ts';

const dist = path.resolve('/srv/app/dist/renderer');

describe('CSP (S4)', () => {
  const directives = new Map(CSP.split(';').map((d) => d.trim().split(/\s+/)).map(([k, ...v]) => [k, v.join(' ')]));
  it('has every directive of the policy, exactly', () => {
    assert.deepEqual(Object.fromEntries(directives), {
      'default-src': "'self'",
      'script-src': "'self' 'wasm-unsafe-eval'",
      'worker-src': "'self' blob:",
      'style-src': "'self' 'unsafe-inline'",
      'img-src': "'self' data: blob:",
      'font-src': "'self' data:",
      'connect-src': "'self' blob: data:",
      'object-src': "'none'",
      'base-uri': "'none'",
      'frame-ancestors': "'none'",
      'form-action': "'none'",
    });
  });
  it('never allows eval, inline script or a network host', () => {
    assert.ok(!CSP.includes("'unsafe-eval'"));
    assert.ok(!/script-src[^;]*'unsafe-inline'/.test(CSP));
    assert.ok(!/https?:|wss?:|\*/.test(CSP), 'no http(s)/ws(s) source and no wildcard');
  });
  it('goes with nosniff and cross-origin isolation on every response', () => {
    const h = securityHeaders();
    assert.equal(h['Content-Security-Policy'], CSP);
    assert.equal(h['X-Content-Type-Options'], 'nosniff');
    assert.equal(h['Cross-Origin-Opener-Policy'], 'same-origin');
    assert.equal(h['Cross-Origin-Embedder-Policy'], 'require-corp');
  });
  it('registers the scheme as standard and secure, with no CSP bypass and no service workers', () => {
    assert.equal(APP_SCHEME_PRIVILEGES.standard, true);
    assert.equal(APP_SCHEME_PRIVILEGES.secure, true);
    assert.equal(APP_SCHEME_PRIVILEGES.bypassCSP, false);
    assert.equal(APP_SCHEME_PRIVILEGES.allowServiceWorkers, false);
    assert.equal(APP_ENTRY_URL, 'app://workbench/index.html');
  });
});

describe('resolveAppPath (S9)', () => {
  it('maps app URLs to files under dist/renderer', () => {
    assert.equal(resolveAppPath(dist, 'app://workbench/'), path.join(dist, 'index.html'));
    assert.equal(resolveAppPath(dist, 'app://workbench/index.html'), path.join(dist, 'index.html'));
    assert.equal(resolveAppPath(dist, 'app://workbench/assets/index-abc.js?v=1#x'), path.join(dist, 'assets', 'index-abc.js'));
    assert.equal(resolveAppPath(dist, 'app://workbench/assets/duckdb%20eh.wasm'), path.join(dist, 'assets', 'duckdb eh.wasm'));
    assert.equal(resolveAppPath(dist, 'APP://WORKBENCH/index.html'), path.join(dist, 'index.html'));
  });
  const refused = [
    'app://workbench/../../etc/passwd',
    'app://workbench/assets/../../../etc/passwd',
    'app://workbench/..',
    'app://workbench/./index.html',
    'app://workbench/%2e%2e/%2e%2e/etc/passwd',
    'app://workbench/%2E%2E/secret',
    'app://workbench/.%2e/secret',
    'app://workbench/assets%2f..%2f..%2fetc/passwd',
    'app://workbench/..%5c..%5cwindows%5cwin.ini',
    'app://workbench/..\\..\\windows\\win.ini',
    'app://workbench/assets\\x.js',
    'app://workbench//etc/passwd',
    'app://workbench/C:/Windows/win.ini',
    'app://workbench/c:%5cwindows',
    'app://workbench/%00index.html',
    'app://workbench/.env',
    'app://workbench/assets/.vite/manifest.json',
    'app://workbench/%zz',
    'app://other/index.html',
    'app://workbench.attacker.com/index.html',
    'app://user@workbench/index.html',
    'app://workbench:99/index.html',
    'file:///etc/passwd',
    'https://workbench/index.html',
    '/etc/passwd',
    'C:\\Windows\\win.ini',
    '',
  ];
  for (const u of refused) it(`refuses ${JSON.stringify(u)}`, () => assert.equal(resolveAppPath(dist, u), null));
});

describe('mimeType', () => {
  it('knows what a page loads, wasm included', () => {
    assert.equal(mimeType('a/b.wasm'), 'application/wasm');
    assert.equal(mimeType('index.html'), 'text/html; charset=utf-8');
    assert.equal(mimeType('x.JS'), 'text/javascript; charset=utf-8');
    assert.equal(mimeType('x.mjs'), 'text/javascript; charset=utf-8');
    assert.equal(mimeType('x.css'), 'text/css; charset=utf-8');
    assert.equal(mimeType('x.svg'), 'image/svg+xml');
    assert.equal(mimeType('x.woff2'), 'font/woff2');
    assert.equal(mimeType('x.json'), 'application/json; charset=utf-8');
    assert.equal(mimeType('x.bin'), 'application/octet-stream');
  });
});

describe('serveAppRequest', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'aw-proto-'));
    const d = path.join(dir, 'renderer');
    mkdirSync(path.join(d, 'assets'), { recursive: true });
    writeFileSync(path.join(d, 'index.html'), '<!doctype html><title>x</title>');
    writeFileSync(path.join(d, 'assets', 'm.wasm'), Buffer.from([0, 0x61, 0x73, 0x6d]));
    writeFileSync(path.join(dir, 'secret.txt'), 'outside');
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serves a file with its type and every security header', async () => {
    const r = await serveAppRequest(path.join(dir, 'renderer'), { url: 'app://workbench/assets/m.wasm', method: 'GET' });
    assert.equal(r.status, 200);
    assert.equal(r.headers.get('content-type'), 'application/wasm');
    assert.equal(r.headers.get('content-security-policy'), CSP);
    assert.equal(r.headers.get('x-content-type-options'), 'nosniff');
    assert.deepEqual([...new Uint8Array(await r.arrayBuffer())], [0, 0x61, 0x73, 0x6d]);
    const index = await serveAppRequest(path.join(dir, 'renderer'), { url: 'app://workbench/' });
    assert.equal(index.status, 200);
    assert.match(await index.text(), /<title>x<\/title>/);
  });
  it('answers 404, with the CSP, for traversal, a missing file or a folder', async () => {
    for (const url of ['app://workbench/../secret.txt', 'app://workbench/%2e%2e/secret.txt', 'app://workbench/nope.js', 'app://workbench/assets']) {
      const r = await serveAppRequest(path.join(dir, 'renderer'), { url, method: 'GET' });
      assert.equal(r.status, 404, url);
      assert.equal(r.headers.get('content-security-policy'), CSP, url);
    }
  });
  it('answers HEAD without a body and refuses other methods', async () => {
    const head = await serveAppRequest(path.join(dir, 'renderer'), { url: 'app://workbench/index.html', method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(await head.text(), '');
    const post = await serveAppRequest(path.join(dir, 'renderer'), { url: 'app://workbench/index.html', method: 'POST' });
    assert.equal(post.status, 405);
  });
  it('refuses file:// with the CSP too', () => {
    const r = refuseFileRequest();
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('content-security-policy'), CSP);
  });
});
