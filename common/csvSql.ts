/**
 * common/csvWrite.ts's CSV text, written by the engine itself: one SQL
 * expression per row that yields the very line csvField would, so an engine
 * that can write files (native DuckDB's COPY) writes an output file without
 * every row crossing into JavaScript. Where the SQL could not be proved to
 * give the same bytes (a column type it does not know, a number too large for
 * the exact form below), the caller writes the file through csvWrite.ts.
 */
import { ident, sqlString } from './db.ts';

/**
 * Raised (DuckDB's error()) by a row whose number is outside what the SQL
 * formats exactly; the caller then writes the file the JavaScript way.
 */
export const CSV_SQL_FALLBACK = 'aw_csv_sql_fallback';

/**
 * |x| below this: formatNumber's round(x * 1e10) / 1e10 then toFixed(10) is
 * exactly the integer k = round(x * 1e10) written with 10 decimals. (The
 * double nearest k / 1e10 is within half an ulp of it, and an ulp is below
 * 1e-10 under 2^19 = 524288, so toFixed's nearest 10-decimal value is k's.)
 */
const DOUBLE_EXACT = 5e5;
/**
 * |n| below this: n * 1e10 is exact in a double (n * 5^10 < 2^53), so
 * formatNumber(n) is n's digits.
 */
const INTEGER_EXACT = 9e8;

const INTEGER_TYPES = /^(TINYINT|SMALLINT|INTEGER|BIGINT|UTINYINT|USMALLINT|UINTEGER|UBIGINT)$/;

/** A column of a query to write, with its DuckDB type (DESCRIBE's column_type). */
export interface CsvColumn {
  name: string;
  type: string;
}

/**
 * The SQL of one column's CSV field as csvField writes it, or undefined for a
 * type it does not cover. `ref` is the column reference.
 */
function fieldSql(ref: string, type: string): string | undefined {
  const fallback = `error(${sqlString(CSV_SQL_FALLBACK)})`;
  if (type === 'VARCHAR') {
    // RFC 4180: quoted only when it holds a quote, comma or line break (csvField)
    return `CASE WHEN ${ref} IS NULL THEN '' WHEN contains(${ref}, '"') OR contains(${ref}, ',') OR contains(${ref}, chr(10)) OR contains(${ref}, chr(13))
      THEN '"' || replace(${ref}, '"', '""') || '"' ELSE ${ref} END`;
  }
  if (type === 'BOOLEAN') return `CASE WHEN ${ref} IS NULL THEN '' WHEN ${ref} THEN 'true' ELSE 'false' END`;
  if (INTEGER_TYPES.test(type)) {
    return `CASE WHEN ${ref} IS NULL THEN '' WHEN abs(CAST(${ref} AS HUGEINT)) < ${INTEGER_EXACT} THEN CAST(${ref} AS VARCHAR) ELSE ${fallback} END`;
  }
  if (type === 'DOUBLE') {
    // k = Math.round(x * 1e10): the same double product, halves towards +infinity as JavaScript rounds
    const y = `(${ref} * 1e10)`;
    const k = `CAST(CASE WHEN ${y} - floor(${y}) >= 0.5 THEN ceil(${y}) ELSE floor(${y}) END AS BIGINT)`;
    const a = `abs(${k})`;
    const digits = `CAST(${a} // 10000000000 AS VARCHAR) || CASE WHEN ${a} % 10000000000 = 0 THEN '' ELSE '.' || rtrim(lpad(CAST(${a} % 10000000000 AS VARCHAR), 10, '0'), '0') END`;
    return `CASE WHEN ${ref} IS NULL THEN '' WHEN NOT (isfinite(${ref}) AND abs(${ref}) < ${DOUBLE_EXACT}) THEN ${fallback}
      WHEN ${k} = 0 THEN '0' WHEN ${k} < 0 THEN '-' || ${digits} ELSE ${digits} END`;
  }
  return undefined;
}

/**
 * A query of one VARCHAR column, named by the CSV header line, whose rows
 * are the CSV lines of `sql`'s `columns` (in `sql`'s order), as toCsv writes
 * them. Undefined when a column's type is not covered. A row with a number
 * the SQL cannot format exactly fails the query with {@link CSV_SQL_FALLBACK}.
 */
export function csvLinesSql(sql: string, columns: readonly CsvColumn[]): string | undefined {
  const fields: string[] = [];
  for (const c of columns) {
    const f = fieldSql(`q.${ident(c.name)}`, c.type);
    if (f === undefined) return undefined;
    fields.push(f);
  }
  const header = columns.map((c) => c.name).join(',');
  return `SELECT ${fields.map((f) => `(${f})`).join(` || ',' || `)} AS ${ident(header)} FROM (${sql}) q`;
}
