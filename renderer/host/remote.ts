/**
 * The native engine of `attrib web` (cli/web/server.ts) as the page's engine
 * Port: the same protocol (common/protocol.ts) over a WebSocket to the
 * server that served the page, as text (common/wire.ts). The server opens
 * files by its own ids only, so a File or Blob the page sends (a picked
 * file, the fetched sample) is first uploaded (POST /aw/files, once per
 * Blob) and the request carries the id. Messages keep their order: a
 * request that waits for an upload holds back those after it, cancels
 * included. When the connection drops, every request still waiting gets an
 * error answer, so no call hangs.
 */
import type { PickedFile } from '../../common/bridge.ts';
import type { FileRef, ToHost } from '../../common/protocol.ts';
import { AnsweringPort } from '../../common/answeringPort.ts';
import { decodeMessage, encodeMessage } from '../../common/wire.ts';

/** What GET /aw/config answers (cli/web/server.ts WebConfig). */
export interface ServerConfig {
  engine: 'native' | 'wasm';
  files: { id: string; name: string; size: number }[];
}

/** The meta tag `attrib web` writes into the page it serves (a static server has none: wasm). */
export const ENGINE_META = 'aw-engine';

/** The engine the page's server runs (its meta tag), or wasm when the page was served without `attrib web`. */
export function pageEngine(doc: Document = document): 'native' | 'wasm' {
  return doc.querySelector(`meta[name="${ENGINE_META}"]`)?.getAttribute('content') === 'native' ? 'native' : 'wasm';
}

/** The files the server was started with (`attrib web --data`), as picked files. */
export function namedFiles(config: ServerConfig): PickedFile[] {
  return config.files.map((f) => ({ name: f.name, size: f.size, ref: { kind: 'server', id: f.id, name: f.name } }));
}

/**
 * The server's config when the page came from `attrib web` (its meta tag
 * says so), else null: a static page runs wasm, and asks nothing.
 */
export async function serverConfig(base = document.baseURI): Promise<ServerConfig | null> {
  if (!document.querySelector(`meta[name="${ENGINE_META}"]`)) return null;
  try {
    const res = await fetch(new URL('aw/config', base), { cache: 'no-store' });
    if (!res.ok || !(res.headers.get('content-type') ?? '').startsWith('application/json')) return null;
    const c = (await res.json()) as ServerConfig;
    return c && (c.engine === 'native' || c.engine === 'wasm') && Array.isArray(c.files) ? c : null;
  } catch {
    return null;
  }
}

/** A WebSocket to the server's engine as a protocol Port (answering for it once the connection is gone). */
export class RemotePort extends AnsweringPort {
  private readonly ws: WebSocket;
  private readonly uploads = new WeakMap<Blob, Promise<FileRef>>();
  /** Sends in order: each message waits for the one before it (and its uploads). */
  private chain: Promise<void>;

  constructor(private readonly base = document.baseURI) {
    super();
    const url = new URL('aw/engine', base);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    this.ws = new WebSocket(url);
    this.chain = new Promise((resolve) => {
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('close', () => resolve(), { once: true });
    });
    this.ws.addEventListener('message', (e) => {
      let m: unknown;
      try {
        m = decodeMessage(String(e.data));
      } catch {
        return;
      }
      this.receive(m);
    });
    this.ws.addEventListener('close', (e) => {
      this.fail(e.code === 1000 ? 'the engine connection closed' : `the engine connection was lost (the server stopped?${e.reason ? ` ${e.reason}` : ''})`, true);
    });
  }

  protected send(msg: ToHost): void {
    const ready = this.withUploads(msg);
    ready.catch(() => {}); // answered below, in order; not an unhandled rejection meanwhile
    this.chain = this.chain.then(async () => {
      let out: ToHost;
      try {
        out = await ready;
      } catch (e) {
        if (msg.type !== 'cancel') this.answerError(msg.id, `could not hand the file to the engine: ${(e as Error).message}`);
        return;
      }
      if (this.ws.readyState === WebSocket.OPEN) this.ws.send(encodeMessage(out));
    });
  }

  /** Closes the connection (the server closes this page's database); waiting requests fail. */
  terminate(): void {
    this.ws.close(1000);
    this.fail('the engine was stopped', true);
  }

  /** The message with every Blob FileRef replaced by the server's id for it. */
  private async withUploads(msg: ToHost): Promise<ToHost> {
    if (msg.type !== 'open_file' && msg.type !== 'file_columns') return msg;
    const ref = (f: FileRef) => this.serverRef(f);
    if (msg.type === 'file_columns') return { ...msg, file: await ref(msg.file) };
    return {
      ...msg,
      file: await ref(msg.file),
      ...(msg.more ? { more: await Promise.all(msg.more.map(ref)) } : {}),
      ...(msg.conversions ? { conversions: await Promise.all(msg.conversions.map(ref)) } : {}),
    };
  }

  private serverRef(f: FileRef): Promise<FileRef> {
    if (f.kind !== 'blob') return Promise.resolve(f);
    let p = this.uploads.get(f.blob);
    if (!p) {
      p = this.upload(f.name, f.blob);
      this.uploads.set(f.blob, p);
      p.catch(() => this.uploads.delete(f.blob));
    }
    return p;
  }

  private async upload(name: string, blob: Blob): Promise<FileRef> {
    const url = new URL('aw/files', this.base);
    url.searchParams.set('name', name);
    const res = await fetch(url, { method: 'POST', body: blob, headers: { 'Content-Type': 'application/octet-stream' }, cache: 'no-store' });
    if (!res.ok) throw new Error(`${name}: the server answered ${res.status} ${(await res.text()).trim()}`);
    const f = (await res.json()) as { id: string; name: string };
    return { kind: 'server', id: f.id, name: f.name };
  }
}
