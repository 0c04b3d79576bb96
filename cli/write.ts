/** Writing result files: atomically (a reader never sees half a file), as deterministic CSV. */
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Row } from '../common/db.ts';
import { toCsv } from '../common/csvWrite.ts';

/** Writes through a temporary file and a rename. */
export function writeAtomic(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

/** Writes `dir/FILE.csv` with the table's columns (creating dir). */
export function writeTable(dir: string, t: { file: string; columns: string[] }, rows: Row[]): void {
  mkdirSync(dir, { recursive: true });
  writeAtomic(path.join(dir, `${t.file}.csv`), toCsv(t.columns, rows));
}
