/**
 * The one message protocol between a front end (renderer, CLI, tests) and an
 * engine host (Web Worker, Node worker, Electron utility process). Requests
 * carry an id; the host answers with progress, rows (streamed), then exactly
 * one result or error. Cancel is a message. Errors cross as plain objects.
 */
import type { ColumnInfo, Row, SqlValue } from './db.ts';
import type { PlainError } from './errors.ts';
import type { ImportOptions, ImportReport } from './import/importer.ts';
import type { RunOptions } from './pipeline.ts';
import type { RunOutputs } from './engine.ts';
import type { DiffConfig, RuleDiffResult } from './ruleDiff.ts';

/**
 * A file reference that can cross a boundary: a path (Node hosts), a
 * File/Blob (browser), or a file the local server holds (`attrib web`: one
 * the page uploaded or the command line named), by the id the server gave it.
 */
export type FileRef = { kind: 'path'; path: string } | { kind: 'blob'; name: string; blob: Blob } | { kind: 'server'; id: string; name: string };

/** Request payloads and their result types, by request type. */
export interface RequestMap {
  /**
   * `more`: further files read with `file` as one import (ImportReport.files then lists each);
   * `conversions`: files of conversions kept apart from the touches (ImportOptions.conversionFiles).
   */
  open_file: { args: { file: FileRef; more?: FileRef[]; conversions?: FileRef[]; options?: ImportOptions }; result: ImportReport };
  /** A file's columns, without importing it (to map a file whose import failed for want of a mapping). */
  file_columns: { args: { file: FileRef; options?: ImportOptions }; result: string[] };
  describe: { args: { table: string }; result: ColumnInfo[] };
  run: { args: { options: Omit<RunOptions, 'signal'> }; result: RunOutputs };
  recredit: { args: { options: Omit<RunOptions, 'signal'> }; result: RunOutputs };
  query: { args: { sql: string; params?: SqlValue[] }; result: Row[] };
  stream: { args: { sql: string; batchRows?: number }; result: { rows: number } };
  /** Rule-change diff (Engine.ruleDiff): the baseline and the proposed configuration, the diff's rows. */
  rule_diff: { args: { baseline: DiffConfig; proposed: DiffConfig }; result: RuleDiffResult };
  /** A table's rows as the bytes of a Parquet file. */
  export_parquet: { args: { table: string }; result: Uint8Array };
}

/** A request type name. */
export type RequestType = keyof RequestMap;

/** A request from front end to host. */
export type Request = { [K in RequestType]: { id: number; type: K } & RequestMap[K]['args'] }[RequestType];

/** Messages from front end to host. */
export type ToHost = Request | { id: number; type: 'cancel' };

/** Messages from host to front end. */
export type FromHost =
  | { id: number; type: 'progress'; done: number; total: number; label: string }
  | { id: number; type: 'rows'; rows: Row[] }
  | { id: number; type: 'result'; result: unknown }
  | { id: number; type: 'error'; error: PlainError };

/** Type guard for messages arriving at a host (it validates, never trusts). */
export function isToHost(m: unknown): m is ToHost {
  if (!m || typeof m !== 'object') return false;
  const x = m as { id?: unknown; type?: unknown };
  return (
    typeof x.id === 'number' &&
    typeof x.type === 'string' &&
    ['open_file', 'file_columns', 'describe', 'run', 'recredit', 'rule_diff', 'query', 'stream', 'export_parquet', 'cancel'].includes(x.type)
  );
}
