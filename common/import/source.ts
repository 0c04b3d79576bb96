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
