/**
 * Parquet export for the wasm engine. duckdb-wasm's COPY ... (FORMAT parquet)
 * needs its parquet extension, which it would download: instead the rows
 * come out of DuckDB as Arrow IPC and parquet-wasm writes them. Types that
 * Arrow or parquet-wasm cannot carry are cast first (see {@link exportColumns}).
 */
import type { ColumnInfo } from '../../common/db.ts';
import { ident } from '../../common/db.ts';

/** What Parquet export uses of parquet-wasm (0.8): Arrow IPC stream in, Parquet bytes out. */
export interface ParquetWasmWriter {
  Table: { fromIPCStream(buf: Uint8Array): unknown };
  WriterPropertiesBuilder: new () => { setCompression(value: number): { build(): unknown } };
  Compression: { SNAPPY: number };
  writeParquet(table: unknown, writerProperties?: unknown): Uint8Array;
}

/**
 * Types written as something else, by pattern on DuckDB's type name:
 * intervals (parquet-wasm cannot write Arrow's month-day-nano interval, even
 * nested), UHUGEINT and BIT (Arrow has no such type: they would arrive as
 * bytes), TIME WITH TIME ZONE (Arrow's time has no offset) become their
 * text; TIMESTAMP_S (written as bare seconds) becomes a TIMESTAMP.
 */
const CASTS: [RegExp, string][] = [
  [/INTERVAL|^UHUGEINT$|^BIT$|^VARINT$|^BIGNUM$|^TIME WITH TIME ZONE$|^TIMETZ$/, 'VARCHAR'],
  [/^TIMESTAMP_S$/, 'TIMESTAMP'],
];

/** The select list that exports `columns` (of the query `FROM (...)`), casting what Parquet could not keep; `*` when nothing needs it. */
export function exportColumns(columns: readonly ColumnInfo[]): string {
  const cast = (c: ColumnInfo) => CASTS.find(([re]) => re.test(c.type.toUpperCase()))?.[1];
  if (!columns.some(cast)) return '*';
  return columns.map((c) => (cast(c) ? `CAST(${ident(c.name)} AS ${cast(c)}) AS ${ident(c.name)}` : ident(c.name))).join(', ');
}

const MAGIC = [0x41, 0x52, 0x52, 0x4f, 0x57, 0x31]; // "ARROW1"

/**
 * Arrow IPC bytes as the streaming format. duckdb-wasm answers a query in
 * the file format: magic and padding (8 bytes), the stream itself (ending
 * with its end-of-stream marker), the footer, the footer's length (int32 LE)
 * and the magic again. Stream bytes are returned as they are.
 */
export function ipcStreamOf(bytes: Uint8Array): Uint8Array {
  const isFile = bytes.length >= 18 && MAGIC.every((b, i) => bytes[i] === b && bytes[bytes.length - 6 + i] === b);
  if (!isFile) return bytes;
  const footer = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getInt32(bytes.length - 10, true);
  const end = bytes.length - 10 - footer;
  if (footer < 0 || end < 8) throw new Error('the engine returned damaged Arrow data');
  return bytes.subarray(8, end);
}

/** Writes Arrow IPC bytes (stream or file format) as a Parquet file, Snappy-compressed like DuckDB's own COPY. */
export function arrowToParquet(parquet: ParquetWasmWriter, ipc: Uint8Array): Uint8Array {
  const table = parquet.Table.fromIPCStream(ipcStreamOf(ipc));
  const props = new parquet.WriterPropertiesBuilder().setCompression(parquet.Compression.SNAPPY).build();
  return parquet.writeParquet(table, props);
}
