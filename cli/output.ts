/** Writing the CLI's output files: whole files, atomically, as deterministic CSV. */
import { renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Row } from '../common/db.ts';
import { toCsv } from '../common/csvWrite.ts';

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
