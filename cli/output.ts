/** Writing the CLI's output files: whole files, atomically, as deterministic CSV. */
import { closeSync, openSync, renameSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { eachRows, type Database, type Row } from '../common/db.ts';
import { csvField, toCsv } from '../common/csvWrite.ts';
import { CSV_SQL_FALLBACK, csvLinesSql, type CsvColumn } from '../common/csvSql.ts';

/** Writes a file through a temporary name, so a reader never sees half of it. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Writes `DIR/NAME.csv` with the given columns (numbers rounded as common/csvWrite.ts does). */
export function writeCsv(dir: string, name: string, columns: readonly string[], rows: Row[]): void {
  writeAtomic(path.join(dir, `${name}.csv`), toCsv([...columns], rows));
}

/** Bytes of CSV text gathered before a write: few system calls, little memory. */
const FLUSH_CHARS = 1 << 20;

/**
 * Writes `DIR/NAME.csv` from a query's rows as the engine streams them
 * (Database.each): the same bytes as {@link writeCsv} of all its rows, but
 * never more than a chunk of them in memory, so an output of tens of millions
 * of rows (credits at 100M events) costs no more than one of a thousand.
 * Atomic like writeAtomic. Returns the number of rows written.
 */
export async function writeCsvQuery(dir: string, name: string, columns: readonly string[], db: Database, sql: string): Promise<number> {
  const file = path.join(dir, `${name}.csv`);
  const tmp = `${file}.tmp-${process.pid}`;
  const written = await writeByEngine(db, sql, columns, tmp);
  if (written !== undefined) {
    renameSync(tmp, file);
    return written;
  }
  const fd = openSync(tmp, 'w');
  let rows = 0;
  try {
    let text = columns.join(',') + '\n';
    await eachRows(db, sql, (chunk) => {
      for (const r of chunk) text += columns.map((c) => csvField(r[c])).join(',') + '\n';
      rows += chunk.length;
      if (text.length >= FLUSH_CHARS) {
        writeSync(fd, text);
        text = '';
      }
    });
    writeSync(fd, text);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
  return rows;
}

/**
 * The engine writes the file itself where it can (Database.writeLines: the
 * native engine's COPY into the --out folder), the lines made in SQL
 * (common/csvSql.ts), the same bytes as the rows through csvField: at 2M
 * events that took the credits file from a second to a tenth of one. Returns
 * the number of rows, or undefined (nothing left at `tmp`) when the engine
 * cannot write there, a column's type is not covered, or a number is beyond
 * the SQL's exact form: the caller then writes the file row by row.
 */
async function writeByEngine(db: Database, sql: string, columns: readonly string[], tmp: string): Promise<number | undefined> {
  if (!db.writeLines) return undefined;
  const types = new Map((await db.all(`SELECT column_name AS name, column_type AS type FROM (DESCRIBE ${sql})`)).map((r) => [String(r.name), String(r.type)]));
  if (!columns.every((c) => types.has(c))) return undefined;
  const lines = csvLinesSql(sql, columns.map((c): CsvColumn => ({ name: c, type: types.get(c)! })));
  if (!lines) return undefined;
  try {
    return await db.writeLines(lines, tmp);
  } catch (e) {
    rmSync(tmp, { force: true });
    if (String((e as Error)?.message ?? e).includes(CSV_SQL_FALLBACK)) return undefined;
    throw e;
  }
}
