/**
 * Shapes shared by the text readers (CSV, NDJSON) and the importer.
 *
 * Readers hand records over column-major in batches because the importer
 * appends them column by column (Arrow / DuckDB appenders); building one
 * object per row would cost an allocation per record on 10M-row files.
 */

/** One batch of parsed records, column-major, all values as strings ('' for an empty field). */
export interface RecordBatch {
  /** `columns[c][i]` is field c of record i (`columns.length` = header length). */
  columns: string[][];
  /** 1-based data-record ordinal in the file (header excluded; rejected records count too). */
  rowNumbers: number[];
  /** 1-based physical line where the record starts (the header is line 1). */
  lines: number[];
  /** Number of records in `columns` (rejected records are not included). */
  rowCount: number;
  /** Structural rejects met while producing this batch. */
  rejects: StructuralReject[];
}

/** Why a record could not be split into fields. */
export type StructuralReason = 'ragged_row' | 'bad_quoting' | 'invalid_json' | 'not_an_object';

/** A record the reader could not turn into a row; it is quarantined, not fatal. */
export interface StructuralReject {
  /** 1-based data-record ordinal (same numbering as {@link RecordBatch.rowNumbers}). */
  row: number;
  /** Physical line where the record starts. */
  line: number;
  /** 1-based field index where the fault was found, when known. */
  column?: number;
  /** Machine-readable reason. */
  reason: StructuralReason;
  /** Human detail, e.g. "5 fields, header has 4". */
  detail: string;
  /** The raw text of the record, without its line terminator, truncated to {@link MAX_RAW_CHARS}. */
  raw: string;
}

/** A streaming reader over one text file. */
export interface RecordReader {
  /** Column names from the header (CSV) or union of keys (NDJSON). */
  readonly header: string[];
  /**
   * Human description of what was detected, e.g.
   * `{ delimiter: ',', encoding: 'utf-8', bom: true, lineEnding: 'CRLF' }`.
   * Some entries (NDJSON `lateKeys`) are only final once `batches()` has finished.
   */
  readonly detected: Record<string, string | boolean | number>;
  /** Streams the data records. Can be iterated once; breaking out early closes the file. */
  batches(): AsyncGenerator<RecordBatch>;
  /** Closes the file without reading the records: a reader opened for its header only, or whose rows are read another way (the engine's CSV reader). */
  close?(): Promise<void>;
}

/** Raw record text kept in a reject is cut to this many characters so one bad line cannot bloat memory. */
export const MAX_RAW_CHARS = 2000;

/** Cuts raw record text for a {@link StructuralReject}. */
export function truncateRaw(raw: string): string {
  return raw.length > MAX_RAW_CHARS ? raw.slice(0, MAX_RAW_CHARS) : raw;
}

/** A new, empty batch with `ncols` columns. */
export function emptyBatch(ncols: number): RecordBatch {
  const columns: string[][] = [];
  for (let c = 0; c < ncols; c++) columns.push([]);
  return { columns, rowNumbers: [], lines: [], rowCount: 0, rejects: [] };
}
