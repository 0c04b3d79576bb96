/**
 * Web mode's build (and the Electron renderer's): renderer/ is the page,
 * worker/browser/ its engine worker. Everything the page loads is bundled
 * from this repository and node_modules; wasm files stay files (never
 * inlined), so the browser compiles them while they stream.
 *
 *   npx vite build            -> dist/renderer/
 *   npx vite                  -> dev server on 127.0.0.1 (same headers as scripts/serve.mjs)
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig, type Plugin } from 'vite';
import { SECURITY_HEADERS, cspValue } from './scripts/serve.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));

/** Files of samples/ the page may load, at /samples/NAME (sample data, the demo notebook). */
const SAMPLE_FILES = ['sample.parquet', 'demo.attrib.md'];

/**
 * Serves samples/SAMPLE_FILES at /samples/ in dev and copies them into the
 * build, without a second copy in git. A file that does not exist (yet) is
 * skipped.
 */
function samples(): Plugin {
  const dir = path.join(here, 'samples');
  const present = () => SAMPLE_FILES.filter((f) => existsSync(path.join(dir, f)));
  return {
    name: 'attrib-samples',
    configureServer(server) {
      server.middlewares.use((req, res, next) => {
        const m = /^\/samples\/([^/?#]+)(?:[?#].*)?$/.exec(req.url ?? '');
        if (!m || !present().includes(m[1])) return next();
        const file = path.join(dir, m[1]);
        res.setHeader('Content-Type', m[1].endsWith('.md') ? 'text/markdown; charset=utf-8' : 'application/vnd.apache.parquet');
        res.setHeader('Content-Length', statSync(file).size);
        res.end(readFileSync(file));
      });
    },
    generateBundle() {
      for (const f of present()) this.emitFile({ type: 'asset', fileName: `samples/${f}`, source: readFileSync(path.join(dir, f)) });
    },
  };
}

/** Keeps renderer/index.html's CSP meta tag equal to the policy the servers send (minus frame-ancestors). */
function cspMetaCheck(): Plugin {
  return {
    name: 'attrib-csp-meta',
    transformIndexHtml(html) {
      const m = /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/.exec(html);
      if (!m || m[1] !== cspValue({ meta: true })) {
        throw new Error(`renderer/index.html: the Content-Security-Policy meta tag must read\n  ${cspValue({ meta: true })}`);
      }
      return html;
    },
  };
}

/** The app's version, shown in Help > About. */
const VERSION = (JSON.parse(readFileSync(path.join(here, 'package.json'), 'utf8')) as { version: string }).version;

export default defineConfig({
  define: { __APP_VERSION__: JSON.stringify(VERSION) },
  root: path.join(here, 'renderer'),
  // Relative asset URLs: the same build serves web mode and loads in Electron.
  base: './',
  publicDir: false,
  plugins: [samples(), cspMetaCheck()],
  build: {
    outDir: path.join(here, 'dist/renderer'),
    emptyOutDir: true,
    target: 'es2022',
    // Never inline: wasm (and workers) must stay files for streaming compilation and the CSP.
    assetsInlineLimit: 0,
    // duckdb-wasm's worker and monaco are big by nature.
    chunkSizeWarningLimit: 4096,
    sourcemap: false,
  },
  worker: {
    format: 'es',
  },
  server: {
    host: '127.0.0.1',
    port: 5178,
    strictPort: false,
    headers: SECURITY_HEADERS,
    fs: { allow: [here] },
  },
  preview: {
    host: '127.0.0.1',
    headers: SECURITY_HEADERS,
  },
});
