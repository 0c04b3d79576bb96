/**
 * A narrow check on SQL written by the user (SQL cells, the inspector),
 * made before it reaches either engine.
 *
 * The engines are locked down (external access off, configuration locked:
 * see common/db.ts and docs/sql-safety.md), which is what keeps user SQL away
 * from files and the network. This check is not a second SQL parser and
 * does not try to be: it refuses the few table functions that DuckDB (1.4 in
 * duckdb-wasm, 1.5.6 native) lets through the configuration lock and that
 * can break the session for good:
 *
 * - `enable_logging(storage='file', storage_path=...)` outside the sandbox:
 *   every later statement then fails with a Permission Error, nothing can
 *   undo it, and the native engine aborts its process when it closes;
 * - `enable_profiling(...)` / `PRAGMA enable_profile`: profiles go to a
 *   file (refused, failing every query) or to the process's stdout;
 * - `query(...)` and `json_execute_serialized_sql(...)`, which run SQL built
 *   from strings at run time (`query('FROM enable_' || 'logging(...)')`), so
 *   the names above could be hidden from a text check.
 *
 * Identifiers in DuckDB are case-insensitive and may be double-quoted (no
 * `U&"..."` escapes: DuckDB's parser refuses them), so the text is matched
 * lower-cased with double quotes removed. A false positive (a column named
 * `query` followed by `(`) only costs a clear error; a miss is what matters.
 */
import { AttribError } from './errors.ts';

/** What is refused, and why (the message names it). */
const REFUSED: [RegExp, string][] = [
  [/\benable_logging\b/, 'enable_logging() changes where DuckDB writes its log, past the configuration lock'],
  [/\benable_profil(e|ing)\b/, 'enable_profiling() sends query profiles to a file or the console, past the configuration lock'],
  [/\bjson_execute_serialized_sql\b/, 'json_execute_serialized_sql() runs SQL built at run time'],
  // query( and query /* ... */ ( or query -- ...\n ( : the table function that runs a SQL string
  [/\bquery\s*[(/-]/, 'the query() table function runs SQL built at run time'],
];

/**
 * Throws a `bad_parameter` AttribError when `sql` uses one of the functions
 * that slip past DuckDB's configuration lock (see the module comment).
 */
export function checkUserSql(sql: string): void {
  const text = sql.toLowerCase().replace(/"/g, '');
  for (const [re, why] of REFUSED) {
    if (re.test(text)) throw new AttribError('bad_parameter', `this SQL is refused: ${why}`);
  }
}
