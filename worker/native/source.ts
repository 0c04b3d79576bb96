/** A {@link FileSource} for a path on disk (Node only). */
import { createReadStream, openAsBlob, statSync } from 'node:fs';
import path from 'node:path';
import type { FileSource } from '../../common/import/source.ts';
import { AttribError } from '../../common/errors.ts';

/** Opens a path as a FileSource; throws a one-line AttribError when it cannot be read. */
export function fileSourceFromPath(p: string): FileSource {
  let size: number;
  try {
    const st = statSync(p);
    if (!st.isFile()) throw new AttribError('file_unreadable', 'not a regular file', { file: p });
    size = st.size;
  } catch (e) {
    if (e instanceof AttribError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    throw new AttribError('file_unreadable', code === 'ENOENT' ? 'no such file' : `cannot read the file (${code})`, { file: p });
  }
  const abs = path.resolve(p);
  return {
    name: path.basename(p),
    size,
    path: abs,
    async *stream() {
      for await (const chunk of createReadStream(abs, { highWaterMark: 1 << 20 })) yield chunk as Uint8Array;
    },
    blob: () => openAsBlob(abs),
  };
}
