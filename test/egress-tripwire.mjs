// Node egress tripwire (design/trust.md 4.3, N3), preloaded into a child
// process with `node --import ./test/egress-tripwire.mjs …` by
// test/unit/egress.test.ts. Plain JavaScript so it loads before tsx does.
//
// Two nets, so neither a quiet library nor a swallowed error hides a request:
//  - it listens on Node's diagnostics channels for every outgoing TCP socket,
//    http(s) request and fetch (undici), and records each event;
//  - it makes the entry points that open a connection or look up a name
//    throw (net.connect/createConnection, Socket#connect to a host, tls.connect,
//    dns.lookup and friends), recording each call, so a request fails loudly
//    instead of going out.
// The record is written as JSON to $ATTRIB_TRIPWIRE_OUT when the process exits
// (and each event is printed to stderr as it happens).
//
// What it cannot see: native code that opens sockets itself (DuckDB's C++
// httpfs, for one). The test covers that by checking DuckDB's extension
// settings and by running the CLI with no network at all (unshare -rn).
import dc from 'node:diagnostics_channel';
import dns from 'node:dns';
import net from 'node:net';
import tls from 'node:tls';
import { writeFileSync } from 'node:fs';

const events = [];
/** True while an allowed local IPC connection (a path) is being opened. */
let localIpc = false;
const record = (kind, detail) => {
  const e = { kind, detail: String(detail) };
  events.push(e);
  process.stderr.write(`egress-tripwire: ${e.kind} ${e.detail}\n`);
};

// Channel names as Node and undici publish them (Node 20+: net.client.socket,
// http.client.request.start; undici, behind fetch: undici:request:create,
// undici:client:beforeConnect).
const CHANNELS = ['net.client.socket', 'http.client.request.start', 'undici:request:create', 'undici:client:beforeConnect', 'http2.client.stream.created'];
for (const name of CHANNELS) {
  dc.subscribe(name, (msg) => {
    if (localIpc && name === 'net.client.socket') return;
    const m = /** @type {any} */ (msg);
    const where = m?.request?.origin
      ? `${m.request.origin}${m.request.path ?? ''}`
      : m?.request?.host
        ? `${m.request.protocol ?? ''}//${m.request.host}${m.request.path ?? ''}`
        : m?.connectParams
          ? `${m.connectParams.protocol}//${m.connectParams.host}:${m.connectParams.port}`
          : m?.socket
            ? `${m.socket.remoteAddress ?? '?'}:${m.socket.remotePort ?? '?'}`
            : '';
    record(`channel ${name}`, where);
  });
}

/** A connect argument naming a path: a Unix socket or Windows pipe (local IPC, e.g. tsx's own), not the network. */
const isLocalPath = (a) => (typeof a === 'object' && a !== null && typeof a.path === 'string') || (typeof a === 'string' && !/^\d+$/.test(a));

/** Replaces `obj[key]` by a function that records the call and throws (`allowPaths`: IPC paths pass). */
function trap(obj, key, label, allowPaths = false) {
  const original = obj[key];
  if (typeof original !== 'function') return;
  obj[key] = function tripped(...args) {
    const a = Array.isArray(args[0]) ? args[0][0] : args[0];
    if (allowPaths && isLocalPath(a)) {
      // net.connect publishes net.client.socket synchronously: that socket is this IPC one
      localIpc = true;
      try {
        return original.apply(this, args);
      } finally {
        localIpc = false;
      }
    }
    const target = typeof a === 'object' && a ? `${a.host ?? ''}:${a.port ?? a.path ?? ''}` : String(a);
    record(`call ${label}`, target);
    throw new Error(`egress tripwire: ${label}(${target}) is not allowed: this process must make no network connections`);
  };
}

trap(net, 'connect', 'net.connect', true);
trap(net, 'createConnection', 'net.createConnection', true);
trap(tls, 'connect', 'tls.connect');
for (const k of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) trap(dns, k, `dns.${k}`);
for (const k of ['lookup', 'lookupService', 'resolve', 'resolve4', 'resolve6', 'resolveAny']) trap(dns.promises, k, `dns.promises.${k}`);

// Libraries that kept their own reference to net.connect still end in
// Socket#connect: refuse host/port connections there. Paths (Unix sockets,
// Windows pipes) are local IPC, not network, and stay allowed.
const socketConnect = net.Socket.prototype.connect;
net.Socket.prototype.connect = function connect(...args) {
  const a = args[0];
  const opts = Array.isArray(a) ? a[0] : a;
  if (!isLocalPath(opts)) {
    const target = typeof opts === 'object' && opts ? `${opts.host ?? 'localhost'}:${opts.port}` : `${args[1] ?? 'localhost'}:${opts}`;
    record('call net.Socket#connect', target);
    throw new Error(`egress tripwire: a TCP connection to ${target} is not allowed`);
  }
  return socketConnect.apply(this, args);
};

process.on('exit', () => {
  if (process.env.ATTRIB_TRIPWIRE_OUT) writeFileSync(process.env.ATTRIB_TRIPWIRE_OUT, JSON.stringify({ armed: true, events }));
});
