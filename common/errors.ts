/**
 * Errors that cross process boundaries as plain data.
 *
 * Every problem a user can cause (a bad file, a bad parameter) is an
 * {@link AttribError} with a stable `code` and, where it applies, the file,
 * line and column, so the CLI can print one line and the UI can point at it.
 */

/** Stable machine-readable error codes. */
export type ErrorCode =
  | 'file_empty'
  | 'file_header_only'
  | 'file_not_utf8'
  | 'file_unterminated_quote'
  | 'file_missing_column'
  | 'file_bad_row'
  | 'file_unreadable'
  | 'file_corrupt_parquet'
  | 'file_unsupported'
  | 'all_rows_rejected'
  | 'bad_parameter'
  | 'bad_rules'
  | 'bad_key'
  | 'bad_model_header'
  | 'too_many_channels'
  | 'cancelled'
  | 'internal';

/** A user-facing error with a location. */
export class AttribError extends Error {
  override name = 'AttribError';
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly where: { file?: string; line?: number; column?: number } = {},
  ) {
    super(message);
  }
  /** One line: `file:line:column: message`. */
  oneLine(): string {
    const { file, line, column } = this.where;
    const loc = [file, line, column].filter((x) => x !== undefined).join(':');
    return loc ? `${loc}: ${this.message}` : this.message;
  }
}

/** The plain shape an error takes when it crosses a worker or IPC boundary. */
export interface PlainError {
  name: string;
  message: string;
  stack?: string;
  code?: ErrorCode;
  file?: string;
  line?: number;
  column?: number;
}

/** Converts any thrown value to a {@link PlainError}. */
export function toPlainError(e: unknown): PlainError {
  if (e instanceof AttribError) {
    return { name: e.name, message: e.message, stack: e.stack, code: e.code, ...e.where };
  }
  if (e instanceof Error) return { name: e.name, message: e.message, stack: e.stack, code: 'internal' };
  return { name: 'Error', message: String(e), code: 'internal' };
}

/** Rebuilds an error on the receiving side of a boundary. */
export function fromPlainError(p: PlainError): Error {
  if (p.code && p.code !== 'internal') {
    const e = new AttribError(p.code, p.message, { file: p.file, line: p.line, column: p.column });
    if (p.stack) e.stack = p.stack;
    return e;
  }
  const e = new Error(p.message);
  e.name = p.name;
  if (p.stack) e.stack = p.stack;
  return e;
}

/** Turns a Parquet reader's error (DuckDB's or parquet-wasm's, some without a file name) into one clear line. */
export function parquetError(file: string, e: unknown): AttribError {
  const msg = e instanceof Error ? e.message : String(e);
  const detail = msg.split(' LINE ')[0].replace(/\s+/g, ' ').replace(/(['"])[^'"]*\/([^/'"]+)\1/g, "'$2'").slice(0, 200);
  return new AttribError(
    'file_corrupt_parquet',
    `not a readable Parquet file (${detail}); the file may be truncated or damaged: export it again`,
    { file },
  );
}
