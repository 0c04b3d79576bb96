/**
 * No network from Node (design/trust.md 4.3: N3, and N4 where the OS allows):
 * a full `attrib attribute` run, on both engines, in a child process with the
 * egress tripwire preloaded (test/egress-tripwire.mjs: diagnostics channels
 * for sockets, http and fetch; net/tls/dns entry points that throw) succeeds
 * and records zero events. The tripwire is shown to work first (a fetch and a
 * DNS lookup under it are caught). Where `unshare -rn` works (Linux, user
 * namespaces), the same run in a network namespace with no interface but
 * loopback succeeds too: that also covers native code the tripwire cannot see
 * (DuckDB's own C++ sockets). And both engines open with DuckDB's extension
 * autoinstall and autoload off, so a query cannot fetch an extension.
 */
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { openDatabase } from '../../worker/node/open.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const TRIPWIRE = path.join(root, 'test/egress-tripwire.mjs');
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-egress-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

interface Tripped {
  status: number | null;
  stderr: string;
  record: { armed: boolean; events: { kind: string; detail: string }[] };
}

/** Runs node with the tripwire preloaded and `args`; returns its exit status and what the tripwire recorded. */
function underTripwire(args: string[], prefix: string[] = []): Tripped {
  const out = path.join(tmp, `record-${Math.random().toString(36).slice(2)}.json`);
  const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
  const node = prefix.length ? [process.execPath] : [];
  const r = spawnSync(cmd, [...pre, ...node, '--import', TRIPWIRE, ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, ATTRIB_TRIPWIRE_OUT: out },
    timeout: 240_000,
  });
  const record = existsSync(out) ? JSON.parse(readFileSync(out, 'utf8')) : { armed: false, events: [] };
  return { status: r.status, stderr: `${r.stderr}${r.error ? String(r.error) : ''}`, record };
}

describe('N3: the CLI makes no network connection', () => {
  it('the tripwire works: a fetch, an http request, a socket and a DNS lookup are recorded and refused', () => {
    const probe = `
      import dns from 'node:dns';
      import http from 'node:http';
      import net from 'node:net';
      const out = [];
      try { await fetch('http://192.0.2.1/x'); out.push('fetch went'); } catch { out.push('fetch refused'); }
      try { http.get('http://192.0.2.1/y').on('error', () => {}); out.push('http went'); } catch { out.push('http refused'); }
      try { new net.Socket().connect(80, '192.0.2.1'); out.push('socket went'); } catch { out.push('socket refused'); }
      try { dns.lookup('example.com', () => {}); out.push('dns went'); } catch { out.push('dns refused'); }
      console.log(out.join(','));`;
    const r = spawnSync(process.execPath, ['--import', TRIPWIRE, '--input-type=module', '-e', probe], { cwd: root, encoding: 'utf8', env: { ...process.env, ATTRIB_TRIPWIRE_OUT: path.join(tmp, 'probe.json') } });
    assert.equal(r.stdout.trim(), 'fetch refused,http refused,socket refused,dns refused', r.stderr);
    const { events } = JSON.parse(readFileSync(path.join(tmp, 'probe.json'), 'utf8')) as Tripped['record'];
    const kinds = new Set(events.map((e) => e.kind));
    // (http.get fails in net.createConnection, before http.client.request.start would be published)
    for (const k of ['channel undici:request:create', 'call net.createConnection', 'call net.Socket#connect', 'call dns.lookup']) assert.ok(kinds.has(k), `${k} recorded: ${[...kinds].join(', ')}`);
  });

  for (const engine of ['native', 'wasm']) {
    it(`attrib attribute --engine ${engine} --models all: succeeds, zero network events`, () => {
      const outDir = path.join(tmp, `out-${engine}`);
      const r = underTripwire([path.join(root, 'cli/attrib.mjs'), 'attribute', '--events', 'samples/tiny.csv', '--out', outDir, '--engine', engine, '--models', 'all']);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.record.armed, true, 'the tripwire was loaded and wrote its record');
      assert.deepEqual(r.record.events, [], 'no socket, request, fetch or lookup');
      for (const f of ['channel_summary.csv', 'credits.csv', 'conversions.csv', 'rejects.csv']) assert.ok(existsSync(path.join(outDir, f)), `${f} written`);
    });
  }

  const noNet = spawnSync('unshare', ['-rn', 'true']).status === 0;
  it('N4: the same run in a network namespace with loopback only (unshare -rn) succeeds, on both engines', { skip: noNet ? undefined : 'unshare -rn is not available here (needs Linux user namespaces)' }, () => {
    for (const engine of ['native', 'wasm']) {
      const outDir = path.join(tmp, `unshare-${engine}`);
      const r = underTripwire([path.join(root, 'cli/attrib.mjs'), 'attribute', '--events', 'samples/tiny.parquet', '--out', outDir, '--engine', engine], ['unshare', '-rn']);
      assert.equal(r.status, 0, `${engine}: ${r.stderr}`);
      assert.deepEqual(r.record.events, [], engine);
      assert.ok(readFileSync(path.join(outDir, 'channel_summary.csv'), 'utf8').split('\n').length > 3, `${engine}: results written`);
    }
  });
});

describe("DuckDB's extension autoloading is off in both engines", () => {
  for (const engine of ['native', 'wasm'] as const) {
    it(`${engine}: autoinstall_known_extensions and autoload_known_extensions are false; nothing can be installed`, async () => {
      const db = await openDatabase(engine);
      try {
        const [s] = await db.all("SELECT current_setting('autoinstall_known_extensions') AS install, current_setting('autoload_known_extensions') AS load");
        assert.deepEqual({ install: String(s.install), load: String(s.load) }, { install: 'false', load: 'false' });
        // httpfs is the extension a URL in a query would pull in: not loaded (icu, built into the
        // native library, may be: it is linked in, not downloaded)
        // (the native listing also reads ~/.duckdb/extensions: where that folder exists, the locked-down
        // engine refuses the listing itself, as it refuses every file outside its sandbox)
        const loaded = await db
          .all("SELECT extension_name FROM duckdb_extensions() WHERE loaded AND extension_name IN ('httpfs', 'spatial', 'motherduck', 'azure', 'aws')")
          .catch((e: Error) => {
            assert.match(e.message, /file system operations are disabled by configuration/);
            return [];
          });
        assert.deepEqual(loaded, []);
        // (duckdb-wasm's INSTALL is a no-op that succeeds: it installs nothing; LOAD is what would fetch)
        if (engine === 'native') await assert.rejects(db.run('INSTALL httpfs'), 'nothing can be installed');
        await assert.rejects(db.run('LOAD httpfs'), 'nor loaded');
        await assert.rejects(db.all("SELECT * FROM read_csv('https://192.0.2.1/x.csv')"), 'a URL in a query fails, it is not fetched');
      } finally {
        await db.close();
      }
    });
  }
});
