/**
 * N5 (design/trust.md 4.3), the static check: every `http(s)://` URL in what
 * ships (the renderer build dist/renderer, scripts, styles, HTML; the main,
 * preload and engine-host bundles) is on a short allowlist, each entry with
 * the text it must sit in and why it can never make a request. And none of
 * the known egress hosts (CDNs, DuckDB's extension repository, Google APIs,
 * telemetry) appears in any of them. The two wasm binaries are checked the
 * same way against their own list (DuckDB's C++ carries its extension
 * repository's URL: harmless only because autoinstall/autoload are off, which
 * test/unit/egress.test.ts and test/e2e/privacy-network.test.ts check).
 *
 * A new dependency or code that brings a URL fails here: add it to the list
 * only with the reason it is never fetched, opened or navigated to.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureWebBuild } from '../../scripts/webbuild.mjs';
import { buildMain } from '../../scripts/build-main.mjs';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const RENDERER = path.join(root, 'dist/renderer');
// main is built into a folder of this test's own (electron-build rebuilds test/artifacts/electron-build).
const MAIN = path.join(root, 'test/artifacts/bundle-urls/main');

/** One allowed URL: the URL, the text it must sit in (so the same URL used elsewhere fails), and why it is harmless. */
interface Allowed {
  url: RegExp;
  context?: RegExp;
  why: string;
}

/** URLs allowed in the JavaScript, CSS and HTML that ship. */
export const ALLOWED: Allowed[] = [
  {
    url: /^http:\/\/www\.w3\.org\/(2000\/svg|1999\/xlink|2000\/xmlns\/|1999\/xhtml|1998\/Math\/MathML)$/,
    why: 'XML namespace names (createElementNS, xmlns attributes): identifiers, never dereferenced',
  },
  {
    url: /^https:\/\/vega\.github\.io\/schema\/vega(-lite)?\/v\d+\.json$/,
    context: /\$schema:"https:\/\/vega\.github\.io\/schema\/vega(-lite)?\/v\d+\.json"/,
    why: "a vega spec's $schema value (our chart specs, and what vega-lite's compiler emits): vega-embed reads the string for the library and version, nothing loads it; drawChart pins mode vega-lite and its loader refuses every URL",
  },
  {
    url: /^https:\/\/vega\.github\.io\/editor\/$/,
    context: /editorUrl\?\?"https:\/\/vega\.github\.io\/editor\/"/,
    why: 'vega-embed\'s default for the "Open in Vega Editor" action: the actions menu is only built when `actions` is truthy; drawChart passes actions:false and drops the spec\'s usermeta.embedOptions (which could turn it back on); test/e2e/privacy-render checks no actions menu is drawn',
  },
  {
    url: /^https:\/\/github\.com\/vega\/vega-lite\/issues\/2415$/,
    context: /"Axes cannot be shared in concatenated or repeated views yet \(https:\/\/github\.com\/vega\/vega-lite\/issues\/2415\)\."/,
    why: 'text of a vega-lite warning message (logLevel 0: not even logged)',
  },
  {
    url: /^https:\/\/github\.com\/microsoft\/monaco-editor#faq$/,
    context: /Please see https:\/\/github\.com\/microsoft\/monaco-editor#faq"\)\),console\.warn/,
    why: "text of monaco's console warning when it cannot start web workers",
  },
  {
    url: /^https:\/\/github\.com\/microsoft\/vscode\/(issues\/new|blob\/main\/LICENSE\.txt)$/,
    context: /(reportIssueUrl|licenseUrl|serverLicenseUrl):"https:\/\/github\.com\/microsoft\/vscode\//,
    why: "monaco's built-in product constants (report issue, licence): standalone monaco has no UI that opens them, and the page opens no links (window.open is denied in Electron, S6)",
  },
  {
    url: /^https:\/\/github\.com\/microsoft\/vscode\/issues\/103170$/,
    context: /\/\* Fix for https:\/\/github\.com\/microsoft\/vscode\/issues\/103170 \*\//,
    why: "a comment inside a CSS string of monaco's menu styles",
  },
  {
    url: /^https:\/\/github\.com\/markedjs\/marked\.$/,
    context: /Please report this to https:\/\/github\.com\/markedjs\/marked\./,
    why: "text of an error message of marked (monaco's Markdown renderer for hovers)",
  },
  {
    url: /^https:\/\/github\.com\/emn178\/js-sha256\}?$/,
    context: /\[js-sha256\]\{@link https:\/\/github\.com\/emn178\/js-sha256\}/,
    why: 'a licence comment the bundler keeps (duckdb-wasm worker)',
  },
  {
    url: /^https:\/\/code\.visualstudio\.com\/docs\/editor\/codebasics#_(find-and-replace|multicursor-modifier)$/,
    context: /\[(find and replace|multicursor modifier)\]\(https:\/\/code\.visualstudio\.com\/docs\/editor\/codebasics#_(find-and-replace|multicursor-modifier)\)/,
    why: "text of monaco option descriptions / a notification (a Markdown link in a message string); no UI of ours renders them as live links",
  },
  {
    url: /^https:\/\/microsoft\.com$/,
    context: /"\]\(https:\/\/microsoft\.com\)"/,
    why: "a placeholder in monaco's Markdown-escaping helper (completes a half-written link so it parses), never rendered or loaded",
  },
  {
    url: /^http:\/\/$/,
    context: /t\[1\]==="www\."\?\w+="http:\/\/"\+t\[0\]/,
    why: "marked's autolinker prefixing `www.` text in Markdown (monaco hovers); links in hovers are not opened by the page",
  },
  {
    url: /^https:\/\/$/,
    context: /:"https:\/\/"\+\w+\(\w+,\w+,\w+\.bucket\)\+\w+\.path/,
    why: "duckdb-wasm's S3 URL builder (s3:// paths): no query of ours reads s3://; a user's would be refused by connect-src 'self' (N6) in the worker",
  },
];

/** Hosts that must not appear at all in the JavaScript, CSS and HTML that ship. */
// (Telemetry: VS Code's and Electron's endpoints and the usual analytics services, as host names:
// the word itself is in monaco's code, e.g. its ErrorNoTelemetry class, which sends nothing.)
const FORBIDDEN = /jsdelivr|unpkg\.com|extensions\.duckdb\.org|googleapis|google-analytics|googletagmanager|doubleclick\.net|sentry\.io|segment\.(io|com)|mixpanel\.com|posthog\.com|amplitude\.com|hotjar\.com|telemetry\.[a-z0-9-]+\.[a-z]{2,}|dc\.services\.visualstudio\.com|events\.data\.microsoft\.com|vortex\.data\.microsoft\.com|update\.electronjs\.org|clients[0-9]*\.google\.com/i;

/** Hosts the DuckDB wasm binary may name, and why each is harmless. */
const WASM_HOSTS: Record<string, string> = {
  'https://extensions.duckdb.org': 'default extension repository: used only by INSTALL/LOAD and autoloading; autoinstall/autoload are false (egress.test.ts, privacy-network.test.ts)',
  'https://community-extensions.duckdb.org': 'the community repository: only with INSTALL … FROM community, which needs the network and is refused by the CSP',
  'https://nightly-extensions.duckdb.org': 'the nightly repository: as above',
  'https://duckdb.org': 'links in error messages (docs pages): text',
  'https://unpkg.com': 'a stylesheet link in the HTML that EXPLAIN (FORMAT html) returns: a string result, shown as text in a grid, never parsed as HTML',
};

const URL_RE = /https?:\/\/[^\s"'`<>\\)]*/g;

/** Files under `dir` with one of the extensions, recursively. */
function files(dir: string, exts: string[]): string[] {
  return readdirSync(dir).flatMap((f) => {
    const p = path.join(dir, f);
    if (statSync(p).isDirectory()) return files(p, exts);
    return exts.some((e) => f.endsWith(e)) ? [p] : [];
  });
}

/** Every URL of a text, with the text around it. */
function urlsIn(text: string): { url: string; context: string }[] {
  return [...text.matchAll(URL_RE)].map((m) => ({ url: m[0], context: text.slice(Math.max(0, m.index - 200), m.index + m[0].length + 80) }));
}

describe('N5: URLs in the shipped bundles', () => {
  let shipped: string[];
  before(async () => {
    assert.ok(ensureWebBuild({ log: () => {} }), 'the web build (vite) succeeds');
    await buildMain({ outDir: MAIN, quiet: true });
    shipped = [...files(RENDERER, ['.js', '.mjs', '.css', '.html']), ...files(MAIN, ['.cjs'])];
  });

  it('covers the renderer, its workers and the three Electron bundles', () => {
    const names = shipped.map((f) => path.basename(f));
    for (const want of [/^index\.html$/, /^boot-.*\.js$/, /^engine\.worker-.*\.js$/, /^duckdb-browser-eh\.worker-.*\.js$/, /^editor\.worker-.*\.js$/, /^main\.cjs$/, /^preload\.cjs$/, /^engine-host\.cjs$/]) {
      assert.ok(names.some((n) => want.test(n)), `${want} scanned (${names.join(', ')})`);
    }
  });

  it('every http(s) URL is on the allowlist, in the text the allowlist names', (t) => {
    const unexplained: string[] = [];
    const seen = new Map<string, number>();
    for (const f of shipped) {
      for (const { url, context } of urlsIn(readFileSync(f, 'utf8'))) {
        const ok = ALLOWED.find((a) => a.url.test(url) && (!a.context || a.context.test(context)));
        if (ok) seen.set(url, (seen.get(url) ?? 0) + 1);
        else unexplained.push(`${path.relative(root, f)}: ${url}\n    …${context.replace(/\s+/g, ' ')}…`);
      }
    }
    t.diagnostic(`${[...seen.values()].reduce((a, b) => a + b, 0)} allowed URL occurrences, ${seen.size} distinct: ${[...seen.keys()].join(' ')}`);
    assert.deepEqual(unexplained, [], 'URLs not on the allowlist');
  });

  it('no CDN, extension repository, Google API or telemetry host anywhere in them', () => {
    const hits = shipped.flatMap((f) => {
      const text = readFileSync(f, 'utf8');
      const m = FORBIDDEN.exec(text);
      return m ? [`${path.relative(root, f)}: ${m[0]} in …${text.slice(Math.max(0, m.index - 80), m.index + 80)}…`] : [];
    });
    assert.deepEqual(hits, []);
    // duckdb-wasm's getJsDelivrBundles (a CDN loader) is not in the bundle: the engine worker selects its own bundled files
    for (const f of shipped) assert.doesNotMatch(readFileSync(f, 'utf8'), /cdn\.jsdelivr|getJsDelivrBundles/, f);
  });

  it('the wasm binaries name only the hosts listed, each harmless', () => {
    const wasm = files(RENDERER, ['.wasm']);
    const duckdb = wasm.filter((f) => path.basename(f).startsWith('duckdb-'));
    const parquet = wasm.filter((f) => path.basename(f).startsWith('parquet_wasm'));
    assert.deepEqual([duckdb.length, parquet.length, wasm.length], [1, 1, 2], wasm.map((f) => path.basename(f)).join(', '));
    const hosts = (f: string) => new Set([...readFileSync(f).toString('latin1').matchAll(/https?:\/\/[a-z0-9-]+(\.[a-z0-9-]+)+/gi)].map((m) => m[0]));
    for (const h of hosts(duckdb[0])) assert.ok(h in WASM_HOSTS, `${h} in the DuckDB binary is not explained`);
    // parquet-wasm holds brotli's static dictionary, whose words include "http://www." fragments: no real host
    // (and no forbidden one) is in it
    assert.doesNotMatch(readFileSync(parquet[0]).toString('latin1'), FORBIDDEN);
    for (const h of hosts(parquet[0])) assert.match(h, /^https?:\/\/www\.[A-Za-z-]+$|^http:\/\/www\.w3\.org$/, `${h} in parquet-wasm: not a brotli dictionary fragment`);
  });

  it('the Electron bundles carry no URL at all but XML namespaces (they could only ever reach app://)', () => {
    for (const f of files(MAIN, ['.cjs'])) {
      const urls = urlsIn(readFileSync(f, 'utf8')).map((u) => u.url).filter((u) => !u.startsWith('http://www.w3.org/'));
      assert.deepEqual(urls, [], path.basename(f));
    }
  });
});
