/** Test helpers: in-memory files, engines by name, CSV building. */
import type { FileSource } from '../common/import/source.ts';
import type { Database } from '../common/db.ts';
import { Engine } from '../common/engine.ts';
import type { ImportOptions } from '../common/import/importer.ts';
import { DEFAULT_MODELS, type RunOptions } from '../common/pipeline.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { DuckDBInstance } from '@duckdb/node-api';
import type { Row, SqlValue } from '../common/db.ts';
import { toRow } from '../common/values.ts';

/** A plain native DuckDB for tests: run/all/close, rows as the native engine gives them. */
export interface ToolDatabase {
  run(sql: string, params?: SqlValue[]): Promise<void>;
  all(sql: string, params?: SqlValue[]): Promise<Row[]>;
  close(): Promise<void>;
}

/**
 * A native DuckDB without the engines' lock-down (common/db.ts), for a
 * test's own file work: writing fixtures, reading an export back. The
 * engines under test can no longer read or write paths from SQL.
 */
export async function openToolDatabase(): Promise<ToolDatabase> {
  const instance = await DuckDBInstance.create(':memory:', { autoinstall_known_extensions: 'false', autoload_known_extensions: 'false' });
  const conn = await instance.connect();
  await conn.run("SET TimeZone = 'UTC'");
  return {
    run: async (sql, params = []) => void (await conn.run(sql, params.length ? params : undefined)),
    all: async (sql, params = []) => (await conn.runAndReadAll(sql, params.length ? params : undefined)).getRowObjectsJS().map((r) => toRow(r as Record<string, unknown>)),
    close: async () => {
      conn.closeSync();
      instance.closeSync();
    },
  };
}

/** A FileSource over bytes, delivered in small chunks to exercise boundaries. */
export function memorySource(name: string, content: string | Uint8Array, chunk = 4096): FileSource {
  const bytes = typeof content === 'string' ? new TextEncoder().encode(content) : content;
  return {
    name,
    size: bytes.length,
    async *stream() {
      for (let i = 0; i < bytes.length; i += chunk) yield bytes.subarray(i, i + chunk);
    },
    blob: async () => new Blob([bytes as Uint8Array<ArrayBuffer>]),
  };
}

/** Builds CSV text from a header and rows (values quoted when needed). */
export function csv(header: string[], rows: (string | number | null)[][]): string {
  const f = (v: string | number | null) => {
    const s = v === null ? '' : String(v);
    return /[",\n\r]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  };
  return [header.join(','), ...rows.map((r) => r.map(f).join(','))].join('\n') + '\n';
}

/** Runs the whole pipeline on one in-memory or real source and returns outputs plus the engine. */
export async function attribute(
  openDb: () => Promise<Database>,
  source: FileSource,
  opts: { import?: ImportOptions; run?: Partial<RunOptions> } = {},
) {
  const lib = loadModelLibrary();
  const engine = new Engine(await openDb(), lib);
  const report = await engine.openFile(source, opts.import);
  const out = await engine.run({ models: DEFAULT_MODELS, rules: loadRules(), params: {}, ...opts.run });
  return { engine, report, out };
}

/** Channel -> attributed conversions for one model, from channel_summary rows. */
export function byChannel(rows: Record<string, unknown>[], model: string): Record<string, number> {
  const o: Record<string, number> = {};
  for (const r of rows) if (r.model === model) o[String(r.channel)] = Math.round(Number(r.attributed_conversions) * 1e9) / 1e9;
  return o;
}

/**
 * Minimal RFC 4180 reader (quoted fields, "" escapes, LF or CRLF), independent
 * of the product's CSV code so tests can check it. Throws on an open quote.
 */
export function parseCsvText(text: string): string[][] {
  const out: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else field += ch;
    } else if (ch === '"') quoted = true;
    else if (ch === ',') {
      row.push(field);
      field = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      out.push(row);
      row = [];
      field = '';
    } else field += ch;
  }
  if (quoted) throw new Error('unterminated quote');
  if (field !== '' || row.length) out.push([...row, field]);
  return out;
}
