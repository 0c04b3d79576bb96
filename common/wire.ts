/**
 * The protocol's messages (common/protocol.ts) as text, for a transport that
 * carries strings: the WebSocket between the page and the local server's
 * native engine (cli/web/). A Web Worker or a MessagePort clones values;
 * JSON does not, and would turn NaN and Infinity into null, drop -0 and
 * fail on bytes, so such values travel tagged: `{"$aw": tag, "v": ...}`.
 * A plain object that happens to have a `$aw` key is tagged too, so no
 * user data can pass for a tag. Nothing is NULLed on the way.
 */

const TAG = '$aw';

type Tagged = { [TAG]: 'num'; v: 'NaN' | 'Infinity' | '-Infinity' | '-0' } | { [TAG]: 'bytes'; v: string } | { [TAG]: 'big'; v: string } | { [TAG]: 'date'; v: number } | { [TAG]: 'obj'; v: Record<string, unknown> };

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Base64 without btoa's string round trip (bytes can be megabytes: a Parquet export). */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  const CHUNK = 3 * 8192;
  for (let start = 0; start < bytes.length; start += CHUNK) {
    let s = '';
    const end = Math.min(bytes.length, start + CHUNK);
    for (let i = start; i < end; i += 3) {
      const a = bytes[i];
      const b = i + 1 < end ? bytes[i + 1] : 0;
      const c = i + 2 < end ? bytes[i + 2] : 0;
      s += B64[a >> 2] + B64[((a & 3) << 4) | (b >> 4)] + (i + 1 < end ? B64[((b & 15) << 2) | (c >> 6)] : '=') + (i + 2 < end ? B64[c & 63] : '=');
    }
    parts.push(s);
  }
  return parts.join('');
}

const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < B64.length; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** The bytes of a base64 string; throws on a character that is not base64. */
export function fromBase64(s: string): Uint8Array {
  const clean = s.replace(/=+$/, '');
  const out = new Uint8Array(Math.floor((clean.length * 3) / 4));
  let bits = 0;
  let acc = 0;
  let o = 0;
  for (let i = 0; i < clean.length; i++) {
    const code = clean.charCodeAt(i);
    const v = code < 128 ? B64_INDEX[code] : -1;
    if (v < 0) throw new Error(`not base64 at character ${i + 1}`);
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[o++] = (acc >> bits) & 255;
    }
  }
  return out;
}

function encodeValue(x: unknown): unknown {
  if (typeof x === 'number') {
    if (Number.isFinite(x)) return Object.is(x, -0) ? { [TAG]: 'num', v: '-0' } : x;
    return { [TAG]: 'num', v: Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity' };
  }
  if (typeof x === 'bigint') return { [TAG]: 'big', v: x.toString() };
  if (x === null || typeof x !== 'object') return x;
  if (x instanceof Uint8Array) return { [TAG]: 'bytes', v: toBase64(x) };
  if (x instanceof Date) return { [TAG]: 'date', v: x.getTime() };
  if (Array.isArray(x)) return x.map(encodeValue);
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(x)) if (v !== undefined) out[k] = encodeValue(v);
  return TAG in out ? { [TAG]: 'obj', v: out } : out;
}

function decodeValue(x: unknown): unknown {
  if (x === null || typeof x !== 'object') return x;
  if (Array.isArray(x)) return x.map(decodeValue);
  const o = x as Record<string, unknown>;
  if (TAG in o) {
    const t = o as Tagged;
    switch (t[TAG]) {
      case 'num':
        return t.v === '-0' ? -0 : Number(t.v);
      case 'bytes':
        return fromBase64(String(t.v));
      case 'big':
        return BigInt(String(t.v));
      case 'date':
        return new Date(Number(t.v));
      case 'obj': {
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(t.v ?? {})) out[k] = decodeValue(v);
        return out;
      }
      default:
        throw new Error(`unknown tag ${JSON.stringify((t as Record<string, unknown>)[TAG])}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = decodeValue(v);
  return out;
}

/** A message as text (see the module comment for what is tagged). */
export function encodeMessage(m: unknown): string {
  return JSON.stringify(encodeValue(m));
}

/** A message from text; throws on text that is not a message (the caller drops it). */
export function decodeMessage(text: string): unknown {
  return decodeValue(JSON.parse(text));
}
