/**
 * Ad spend import: CSV/TSV (tokenised by common/import/csv.ts, with line numbers
 * and structural rejects) or Parquet (through the engine) -> the `spend`
 * table (date, channel, campaign, spend, impressions, clicks) and
 * `spend_rejects`, one reason per row, as the event importer does. Layouts
 * are recognised by their columns (common/spendLayouts.ts); every batch is
 * typed and checked by models/spend.sql.
 */
import type { Database, Row } from './db.ts';
import { ident, sqlString } from './db.ts';
import { AttribError } from './errors.ts';
import type { FileSource } from './import/source.ts';
import { formatFromName } from './import/source.ts';
import { openCsv } from './import/csv.ts';
import { bindNamed, resolveParams, type ModelSpec } from './modelHeader.ts';
import { SETUP_SQL } from './sqlSetup.ts';
import { resolveSpendLayout, type ResolvedSpendLayout } from './spendLayouts.ts';

/** How to read spend files. */
export interface SpendOptions {
  /** Channel per platform layout id, replacing its default (e.g. { google_ads: 'sem' }). */
  channels?: Record<string, string>;
  delimiter?: string;
}

/** What one spend file gave: nothing is dropped silently. */
export interface SpendReport {
  file: string;
  layout: string;
  layoutLabel: string;
  rowsRead: number;
  rowsLoaded: number;
  rejectsByReason: Record<string, number>;
  spend: number;
  /** First and last date of the loaded rows (YYYY-MM-DD), null when none loaded. */
  from: string | null;
  to: string | null;
}

/** Columns of spend_rejects.csv, as rejects.csv. */
export const SPEND_REJECT_COLUMNS = ['file', 'row_number', 'reason', 'raw', 'line', 'detail'];

/** Creates empty spend tables; call once before {@link importSpend} for each file. */
export async function prepareSpendTables(db: Database): Promise<void> {
  for (const s of SETUP_SQL) await db.run(s);
  await db.run(`CREATE OR REPLACE TABLE spend_staged (_file VARCHAR, _row INTEGER, _line INTEGER, date DATE, channel VARCHAR, campaign VARCHAR,
    spend DOUBLE, impressions DOUBLE, clicks DOUBLE, reason VARCHAR, detail VARCHAR, raw VARCHAR)`);
  await publish(db);
}

/**
 * Imports one spend file, appending to the spend tables. Throws an
 * AttribError naming the file for whole-file problems (unreadable, no
 * known layout, no rows).
 */
export async function importSpend(db: Database, source: FileSource, stage: ModelSpec, opts: SpendOptions = {}): Promise<SpendReport> {
  const format = formatFromName(source.name);
  if (format !== 'csv' && format !== 'tsv' && format !== 'parquet') {
    throw new AttribError('file_unsupported', 'a spend file must be .csv, .tsv or .parquet', { file: source.name });
  }
  if (source.size === 0) throw new AttribError('file_empty', 'the file is empty: export it again with a header row and data', { file: source.name });
  let resolved: ResolvedSpendLayout | undefined;
  let rowsRead = 0;
  const stageBatch = async (table: string, physical: string[], header: string[], delimiter: string) => {
    resolved ??= resolveSpendLayout(header, source.name);
    await db.run(srcView(table, physical, header, resolved, source.name, delimiter));
    const params = resolveParams(stage.params, {
      default_channel: opts.channels?.[resolved.layout.id] ?? resolved.layout.channel ?? '',
      spend_divisor: resolved.layout.micros ? 1e6 : 1,
    }, [], 'spend');
    const bound = bindNamed(stage.sql, params);
    await db.run(bound.sql, bound.params);
  };

  if (format === 'parquet') {
    await db.loadParquet(source, 'spend_raw', async () => {
      const cols = (await db.all('SELECT column_name AS name FROM (DESCRIBE spend_raw)')).map((r) => String(r.name)).filter((n) => n !== '_row' && n !== '_line');
      rowsRead += Number((await db.all('SELECT count(*) AS n FROM spend_raw'))[0].n);
      await stageBatch('spend_raw', cols, cols, ',');
    });
  } else {
    const reader = await openCsv(source, { delimiter: opts.delimiter, tsv: format === 'tsv' });
    // positional raw columns, as the event importer: no header can collide with ours
    const physical = reader.header.map((_, i) => `c${i}`);
    const delimiter = String(reader.detected.delimiter ?? ',');
    resolved = resolveSpendLayout(reader.header, source.name);
    for await (const batch of reader.batches()) {
      rowsRead += batch.rowCount + batch.rejects.length;
      for (const r of batch.rejects) {
        await db.run('INSERT INTO spend_staged (_file, _row, _line, reason, detail, raw) VALUES ($1, $2, $3, $4, $5, $6)', [
          source.name, r.row, r.line, r.reason, r.column ? `${r.detail} (column ${r.column})` : r.detail, r.raw,
        ]);
      }
      if (batch.rowCount > 0) {
        await db.appendText('spend_raw', physical, batch, true);
        await stageBatch('spend_raw', physical, reader.header, delimiter);
      }
    }
    await db.run('DROP TABLE IF EXISTS spend_raw');
  }
  if (rowsRead === 0) throw new AttribError('file_header_only', 'the spend file has columns but no rows', { file: source.name });
  await db.run('DROP VIEW IF EXISTS spend_src');
  await publish(db);
  const f = [source.name];
  const reasons = await db.all('SELECT reason, count(*) AS n FROM spend_staged WHERE _file = $1 AND reason IS NOT NULL GROUP BY 1 ORDER BY 1', f);
  const sums = (await db.all(`SELECT count(*) AS n, coalesce(sum(spend), 0) AS spend, strftime(min(date), '%Y-%m-%d') AS d0, strftime(max(date), '%Y-%m-%d') AS d1
    FROM spend_staged WHERE _file = $1 AND reason IS NULL`, f))[0];
  return {
    file: source.name,
    layout: resolved!.layout.id,
    layoutLabel: resolved!.layout.label,
    rowsRead,
    rowsLoaded: Number(sums.n),
    rejectsByReason: Object.fromEntries(reasons.map((r: Row) => [String(r.reason), Number(r.n)])),
    spend: Number(sums.spend),
    from: sums.d0 === null ? null : String(sums.d0),
    to: sums.d1 === null ? null : String(sums.d1),
  };
}

/** `spend` (loaded rows) and `spend_rejects`, rebuilt from spend_staged (spend files are small). */
async function publish(db: Database): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE spend AS
    SELECT date, channel, coalesce(campaign, '') AS campaign, spend, impressions, clicks FROM spend_staged WHERE reason IS NULL`);
  await db.run(`CREATE OR REPLACE TABLE spend_rejects AS
    SELECT _file AS file, _row AS row_number, _line AS line, reason, detail, raw FROM spend_staged WHERE reason IS NOT NULL`);
}

/** The per-batch view spend_src: canonical text columns, trimmed, empty-like tokens as NULL. */
function srcView(table: string, physical: string[], header: string[], r: ResolvedSpendLayout, file: string, delimiter: string): string {
  const col = (name: string | undefined) => {
    if (name === undefined) return 'CAST(NULL AS VARCHAR)';
    const i = header.indexOf(name);
    return `aw_norm(CAST(${ident(physical[i])} AS VARCHAR))`;
  };
  const c = r.columns;
  const raw = `concat_ws(${sqlString(delimiter)}, ${physical.map((p) => `coalesce(CAST(${ident(p)} AS VARCHAR), '')`).join(', ')})`;
  return `CREATE OR REPLACE VIEW spend_src AS SELECT _row, _line, ${sqlString(file)} AS _file,
    ${col(c.date)} AS date_t, ${col(c.channel)} AS channel_t, ${col(c.campaign)} AS campaign_t, ${col(c.spend)} AS spend_t,
    ${col(c.impressions)} AS impressions_t, ${col(c.clicks)} AS clicks_t, ${raw} AS raw
    FROM ${ident(table)}`;
}

/** Spend rejects of every file, sorted like rejects.csv. */
export function readSpendRejects(db: Database): Promise<Row[]> {
  return db.all('SELECT file, row_number, reason, raw, line, detail FROM spend_rejects ORDER BY file, row_number, reason');
}
