// The page's security policy and MIME types, one definition for both servers
// of the renderer build: web mode's static server (scripts/serve.mjs, plain
// node) and the desktop app's app:// scheme (main/appProtocol.ts). Plain
// JavaScript data so node runs it without a build step; types in webPolicy.d.mts.

/** The page's Content Security Policy, one directive a key. */
export const CSP_DIRECTIVES = Object.freeze({
  'default-src': "'self'",
  // wasm-unsafe-eval: WebAssembly compilation only (duckdb-wasm, parquet-wasm); never unsafe-eval.
  'script-src': "'self' 'wasm-unsafe-eval'",
  'worker-src': "'self' blob:",
  // Monaco sets inline styles.
  'style-src': "'self' 'unsafe-inline'",
  'img-src': "'self' data: blob:",
  'font-src': "'self' data:",
  'connect-src': "'self' blob: data:",
  'object-src': "'none'",
  'base-uri': "'none'",
  'frame-ancestors': "'none'",
  'form-action': "'none'",
});

/**
 * The policy as a header value, or as a <meta> tag's content (`meta`): a meta
 * policy cannot carry frame-ancestors (browsers ignore it there, with a
 * console error), so the meta tag leaves it to the header.
 */
export function cspValue({ meta = false } = {}) {
  return Object.entries(CSP_DIRECTIVES)
    .filter(([k]) => !(meta && k === 'frame-ancestors'))
    .map(([k, v]) => `${k} ${v}`)
    .join('; ');
}

/** Headers on every response of the page's server (web mode and app://). */
export const SECURITY_HEADERS = Object.freeze({
  'Content-Security-Policy': cspValue(),
  'X-Content-Type-Options': 'nosniff',
  // Cross-origin isolation, so a threaded duckdb-wasm build (SharedArrayBuffer) can be used later.
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Embedder-Policy': 'require-corp',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Referrer-Policy': 'no-referrer',
});

/** Content types by file extension (lower case, with the dot). */
export const MIME_TYPES = Object.freeze({
  '.html': 'text/html; charset=utf-8',
  '.htm': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.cjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.wasm': 'application/wasm',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.otf': 'font/otf',
  '.txt': 'text/plain; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.parquet': 'application/vnd.apache.parquet',
});

/** The content type of a file name by its extension (application/octet-stream when unknown). */
export function contentType(file) {
  const dot = file.lastIndexOf('.');
  const ext = dot > file.lastIndexOf('/') && dot > file.lastIndexOf('\\') ? file.slice(dot).toLowerCase() : '';
  return MIME_TYPES[ext] ?? 'application/octet-stream';
}
