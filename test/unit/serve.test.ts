/**
 * scripts/serve.mjs, web mode's static server: files of its folder only
 * (no path traversal, however spelled, no symlink out), the right MIME types
 * and the security headers on every answer.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cspValue, serveStatic } from '../../scripts/serve.mjs';

/** A raw request: the path goes out exactly as written (no URL normalisation). */
function get(port: number, rawPath: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: rawPath, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('scripts/serve.mjs', () => {
  const base = mkdtempSync(path.join(tmpdir(), 'attrib-serve-'));
  const root = path.join(base, 'site');
  let server: Awaited<ReturnType<typeof serveStatic>>;
  before(async () => {
    mkdirSync(path.join(root, 'assets'), { recursive: true });
    writeFileSync(path.join(root, 'index.html'), '<!doctype html><title>ok</title>');
    writeFileSync(path.join(root, 'assets', 'a.wasm'), Buffer.from([0, 97, 115, 109]));
    writeFileSync(path.join(root, 'assets', 'a.js'), 'export {};');
    writeFileSync(path.join(root, 'assets', 'weird.xyz'), 'x');
    writeFileSync(path.join(base, 'secret.txt'), 'SECRET');
    symlinkSync(path.join(base, 'secret.txt'), path.join(root, 'link.txt'));
    server = await serveStatic({ root, port: 0 });
  });
  after(async () => {
    await server.close();
    rmSync(base, { recursive: true, force: true });
  });

  it('serves index.html for / with the security headers', async () => {
    const r = await get(server.port, '/');
    assert.equal(r.status, 200);
    assert.match(r.body, /<title>ok/);
    assert.equal(r.headers['content-type'], 'text/html; charset=utf-8');
    assert.equal(r.headers['content-security-policy'], cspValue());
    assert.match(String(r.headers['content-security-policy']), /frame-ancestors 'none'/);
    assert.doesNotMatch(String(r.headers['content-security-policy']), /'unsafe-eval'/);
    assert.equal(r.headers['x-content-type-options'], 'nosniff');
    assert.equal(r.headers['cross-origin-opener-policy'], 'same-origin');
    assert.equal(r.headers['cross-origin-embedder-policy'], 'require-corp');
    assert.equal(server.url, `http://127.0.0.1:${server.port}/`);
  });

  it('sends application/wasm, text/javascript and octet-stream for unknown types', async () => {
    assert.equal((await get(server.port, '/assets/a.wasm')).headers['content-type'], 'application/wasm');
    assert.equal((await get(server.port, '/assets/a.js?v=1')).headers['content-type'], 'text/javascript; charset=utf-8');
    assert.equal((await get(server.port, '/assets/weird.xyz')).headers['content-type'], 'application/octet-stream');
    const head = await get(server.port, '/assets/a.wasm', 'HEAD');
    assert.equal(head.status, 200);
    assert.equal(head.headers['content-length'], '4');
    assert.equal(head.body, '');
  });

  it('S4: the same CSP on the page, a worker script, a wasm file and a 404; it meets design/trust.md S4 and N6', async () => {
    writeFileSync(path.join(root, 'assets', 'engine.worker-x.js'), 'self.onmessage = () => {};');
    const want = "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; worker-src 'self' blob:; style-src 'self' 'unsafe-inline'; img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self' blob: data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'none'";
    assert.equal(cspValue(), want, 'the policy, exactly');
    for (const p of ['/', '/index.html', '/assets/engine.worker-x.js', '/assets/a.wasm', '/nope.js']) {
      const r = await get(server.port, p);
      assert.equal(r.headers['content-security-policy'], want, p);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
      assert.equal(r.headers['cross-origin-resource-policy'], 'same-origin', p);
      assert.equal(r.headers['referrer-policy'], 'no-referrer', p);
    }
    // N6: no directive names a host or scheme that reaches the network, and nothing allows eval or inline script
    const directives = new Map(want.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1)]));
    for (const [name, sources] of directives) {
      for (const src of sources) assert.ok(["'self'", "'none'", "'wasm-unsafe-eval'", "'unsafe-inline'", 'blob:', 'data:'].includes(src), `${name} ${src}`);
    }
    assert.deepEqual(directives.get('script-src'), ["'self'", "'wasm-unsafe-eval'"], 'no unsafe-eval, no unsafe-inline for scripts');
    assert.deepEqual(directives.get('connect-src'), ["'self'", 'blob:', 'data:'], 'connect-src: the origin only (no http/https hosts)');
  });

  it('refuses every way out of its folder', async () => {
    for (const p of [
      '/../secret.txt',
      '/assets/../../secret.txt',
      '/%2e%2e/secret.txt',
      '/%2E%2E%2Fsecret.txt',
      '/..%2fsecret.txt',
      '/assets/..%2f..%2fsecret.txt',
      '/..%5csecret.txt',
      '/assets%2f..%2f..%2fsecret.txt',
      '/%00/../secret.txt',
      '/%zz',
      '/link.txt',
      `//${root.replace(/^\//, '')}/../secret.txt`,
    ]) {
      const r = await get(server.port, p);
      assert.ok([400, 403, 404].includes(r.status), `${p}: ${r.status}`);
      assert.doesNotMatch(r.body, /SECRET/, p);
      assert.equal(r.headers['x-content-type-options'], 'nosniff', p);
    }
  });

  it('answers 404 for missing files and 405 for other methods', async () => {
    assert.equal((await get(server.port, '/nope.js')).status, 404);
    assert.equal((await get(server.port, '/', 'POST')).status, 405);
    assert.equal((await get(server.port, '/', 'PUT')).status, 405);
  });
});
