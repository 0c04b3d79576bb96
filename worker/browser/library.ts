/**
 * The model library in the browser: every models/*.sql file, bundled as text
 * by Vite at build time (the Node twin is worker/node/library.ts, which reads
 * the same files from disk). Only models/ itself, like the Node loader:
 * models/fractribution/ and the presets are not part of the default library.
 */
import { parseModel } from '../../common/modelHeader.ts';
import type { ModelLibrary } from '../../common/pipeline.ts';

const files = import.meta.glob<string>('../../models/*.sql', { query: '?raw', eager: true, import: 'default' });

/** Parses the bundled model SQL files (sorted by file name, as in Node). */
export function browserModelLibrary(): ModelLibrary {
  const lib: ModelLibrary = new Map();
  for (const key of Object.keys(files).sort()) {
    const file = key.slice(key.lastIndexOf('/') + 1);
    const spec = parseModel(files[key], file);
    lib.set(spec.name, spec);
  }
  return lib;
}
