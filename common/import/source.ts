import { AttribError } from '../errors.ts';

/**
 * A file the user opened, independent of where it lives (a path in Node,
 * a File in the browser). Readers take it through streams or a Blob so
 * large exports are never copied into memory whole.
 */
export interface FileSource {
  /** Display name (the file's base name) used in messages and rejects. */
  readonly name: string;
  /** Size in bytes. */
  readonly size: number;
  /** A filesystem path, when the engine can read the file itself (native). */
  readonly path?: string;
  /** Streams the bytes in chunks. */
  stream(): AsyncIterable<Uint8Array>;
  /** A file-backed Blob (Node's fs.openAsBlob or a browser File). */
  blob(): Promise<Blob>;
}

/** The input formats the importer understands. */
export type InputFormat = 'csv' | 'tsv' | 'parquet' | 'ndjson';

/** Picks the format from the file name; `undefined` when it cannot tell. */
export function formatFromName(name: string): InputFormat | undefined {
  const n = name.toLowerCase().replace(/\.gz$/, '');
  if (n.endsWith('.csv') || n.endsWith('.txt')) return 'csv';
  if (n.endsWith('.tsv') || n.endsWith('.tab')) return 'tsv';
  if (n.endsWith('.parquet') || n.endsWith('.pq')) return 'parquet';
  if (n.endsWith('.ndjson') || n.endsWith('.jsonl') || n.endsWith('.json')) return 'ndjson';
  return undefined;
}

/**
 * A FileSource over a browser File or any Blob: read in slices through the
 * Blob's stream, never whole. Used by web mode's picker and drag and drop.
 */
export function fileSourceFromBlob(blob: Blob, name = (blob as File).name ?? 'data'): FileSource {
  return {
    name,
    size: blob.size,
    async *stream() {
      const reader = blob.stream().getReader();
      try {
        for (;;) {
          const { done, value } = await reader.read();
          if (done) return;
          yield value;
        }
      } finally {
        reader.releaseLock();
      }
    },
    blob: async () => blob,
  };
}

/** Whether a file name says the file is gzip-compressed (`events.csv.gz`). */
export const isGzipName = (name: string) => /\.gz$/i.test(name);

/**
 * The decompressed view of a gzip file (`.csv.gz`, `.ndjson.gz`, …), read as
 * a stream through the platform's DecompressionStream (Node 18+, every
 * current browser): never inflated into memory whole. Its name stays the
 * file's own, so rejects and errors name what the user has; `size` is the
 * compressed size (an estimate only); `path` is dropped, since the engine
 * must not read the compressed bytes as if they were the data. A file that
 * is not gzip, or is cut short, fails with one line naming it.
 */
export function gunzipped(source: FileSource): FileSource {
  const damaged = (e: unknown) =>
    e instanceof AttribError ? e : new AttribError('file_unreadable', `the gzip data is damaged or cut short (${e instanceof Error ? e.message : String(e)})`, { file: source.name });
  const inflate = async function* (): AsyncIterable<Uint8Array> {
    const ds = new DecompressionStream('gzip');
    const writer = ds.writable.getWriter();
    const pump = (async () => {
      let first = true;
      for await (const chunk of source.stream()) {
        if (first && chunk.length >= 2 && (chunk[0] !== 0x1f || chunk[1] !== 0x8b)) {
          throw new AttribError('file_unreadable', 'the name ends in .gz but the file is not gzip-compressed: rename it or compress it again', { file: source.name });
        }
        first = false;
        await writer.write(chunk as Uint8Array<ArrayBuffer>);
      }
      await writer.close();
    })();
    // a failed pump (not gzip, unreadable) must reach the reader, not hang it
    pump.catch((e) => writer.abort(e).catch(() => undefined));
    const reader = ds.readable.getReader();
    try {
      for (;;) {
        let step: ReadableStreamReadResult<Uint8Array>;
        try {
          step = await reader.read();
        } catch (e) {
          // the pump's own error (not gzip, unreadable) says more than the stream's
          throw damaged(await pump.then(() => e, (p: unknown) => p));
        }
        if (step.done) break;
        yield step.value;
      }
      await pump.catch((e: unknown) => {
        throw damaged(e);
      });
    } finally {
      reader.releaseLock();
    }
  };
  return {
    name: source.name,
    size: source.size,
    stream: inflate,
    async blob() {
      const parts: Uint8Array<ArrayBuffer>[] = [];
      for await (const c of inflate()) parts.push(c as Uint8Array<ArrayBuffer>);
      return new Blob(parts);
    },
  };
}
