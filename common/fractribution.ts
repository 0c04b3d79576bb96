/**
 * Fractribution: google/fractribution's counterfactual attribution as
 * Snowplow's dbt-snowplow-fractribution computes it (docs/fractribution.md).
 *
 * The data side (sessions, conversions, paths, path summary) is model SQL in
 * models/fractribution/ with bound parameters; the path transforms are SQL
 * macros applied one bound statement per transform; the attribution itself
 * (conversion probability per path, leave-one-out counterfactuals,
 * normalisation) and the report with spend and ROAS are plain TypeScript
 * here, so they run the same on both engines and in the browser.
 */
import type { Database, Row, SqlValue } from './db.ts';
import { ident } from './db.ts';
import { AttribError } from './errors.ts';
import { bindNamed, resolveParams, type ModelSpec } from './modelHeader.ts';
import { splitStatements, type ModelLibrary } from './pipeline.ts';
import { compileRules, type RuleSet } from './rules.ts';

/** The attribution models of fractribution.py (ATTRIBUTION_MODELS). */
export const FRACTRIBUTION_MODELS = ['shapley', 'first_touch', 'last_touch', 'position_based', 'linear'] as const;
export type FractributionModel = (typeof FRACTRIBUTION_MODELS)[number];

/** The stage files of models/fractribution/, in run order (path transforms run between paths and path_summary). */
export const FRACTRIBUTION_STAGES = {
  macros: 'fractribution_path_transforms',
  sessions: 'fractribution_sessions_by_customer_id',
  conversions: 'fractribution_conversions_by_customer_id',
  paths: 'fractribution_paths',
  summary: 'fractribution_path_summary',
} as const;

/** The tables a run leaves in the database (the package's model names without the snowplow_ prefix). */
export const FRACTRIBUTION_TABLES = {
  sessions: 'fractribution_sessions_by_customer_id',
  conversions: 'fractribution_conversions_by_customer_id',
  pathsToConversion: 'fractribution_paths_to_conversion',
  pathsToNonConversion: 'fractribution_paths_to_non_conversion',
  pathSummary: 'fractribution_path_summary',
  channelCounts: 'fractribution_channel_counts',
  channelSpend: 'fractribution_channel_spend',
  pathAttribution: 'fractribution_path_summary_with_channels',
  channelAttribution: 'fractribution_channel_attribution',
  report: 'fractribution_report_table',
} as const;

// ---------------------------------------------------------------- path transforms

/** The package's path transforms (macros/path_transformations/transform_paths.sql, allowed list). */
export const PATH_TRANSFORMS = ['unique_path', 'exposure_path', 'first_path', 'frequency_path', 'remove_if_not_all', 'remove_if_last_and_not_all'] as const;
export type PathTransformName = (typeof PATH_TRANSFORMS)[number];
const TRANSFORMS_WITH_CHANNEL = new Set<PathTransformName>(['remove_if_not_all', 'remove_if_last_and_not_all']);

/** One transform; `channel` for the two that take one (a channel label as it appears in paths). */
export interface PathTransform {
  name: PathTransformName;
  channel?: string;
}

/**
 * Parses the `path_transforms` parameter: transforms applied left to right,
 * comma-separated, the channel after a colon, e.g.
 * `exposure_path` or `exposure_path,remove_if_last_and_not_all:Direct`
 * (the package's `{'exposure_path': null, 'remove_if_last_and_not_all': 'Direct'}`).
 */
export function parsePathTransforms(spec: string | PathTransform[]): PathTransform[] {
  if (Array.isArray(spec)) return spec.map((t) => checkTransform(t.name, t.channel));
  return spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((item) => {
      const i = item.indexOf(':');
      return i < 0 ? checkTransform(item, undefined) : checkTransform(item.slice(0, i).trim(), item.slice(i + 1).trim());
    });
}

function checkTransform(name: string, channel: string | undefined): PathTransform {
  if (!(PATH_TRANSFORMS as readonly string[]).includes(name)) {
    throw new AttribError('bad_parameter', `path_transforms: unknown transform '${name}' (one of ${PATH_TRANSFORMS.join(', ')})`);
  }
  const n = name as PathTransformName;
  if (TRANSFORMS_WITH_CHANNEL.has(n)) {
    if (!channel) throw new AttribError('bad_parameter', `path_transforms: ${n} needs a channel, e.g. ${n}:Direct`);
    return { name: n, channel };
  }
  if (channel) throw new AttribError('bad_parameter', `path_transforms: ${n} takes no channel (got '${channel}')`);
  return { name: n };
}

/**
 * Applies the transforms to a list column of a table, one UPDATE per
 * transform (the macros of fractribution_path_transforms; the channel bound).
 */
export async function applyPathTransforms(db: Database, table: string, column: string, transforms: PathTransform[]): Promise<void> {
  for (const t of parsePathTransforms(transforms)) {
    const macro = `fr_${t.name}`; // a name from PATH_TRANSFORMS
    const col = ident(column);
    if (t.channel !== undefined) await db.run(`UPDATE ${ident(table)} SET ${col} = ${macro}(${col}, $1)`, [t.channel]);
    else await db.run(`UPDATE ${ident(table)} SET ${col} = ${macro}(${col})`);
  }
}

// ---------------------------------------------------------------- attribution (fractribution.py)

/** One row of the path summary: a transformed path with its counts. */
export interface PathSummaryRow {
  transformed_path: string;
  conversions: number;
  non_conversions: number;
  /** Sum of the converting paths' revenue; null when none converted. */
  revenue: number | null;
}

/** A path with the credit each channel gets for one of its conversions (sums to 1 where anything is credited). */
export interface PathAttribution extends PathSummaryRow {
  attribution: Map<string, number>;
}

const SEP = ' > ';

/** Path text -> channel tuple; the empty text is the empty path. */
function toTuple(path: string): string[] {
  return path ? path.split(SEP) : [];
}

/**
 * Runs one attribution model over the path summary, as fractribution.py's
 * Fractribution class does (the Snowpark version in
 * macros/snowflake_snowpark/create_report_table_proc.sql): rows with the same
 * path are merged (their revenue is the first row's), every non-empty path is
 * attributed (non-converting ones too: their channels still get spend), and
 * the channel names lose a frequency suffix like `(3)` at the end.
 */
export function attributePaths(rows: PathSummaryRow[], model: FractributionModel): PathAttribution[] {
  const byPath = new Map<string, PathAttribution>();
  for (const r of rows) {
    const key = toTuple(r.transformed_path).join(SEP);
    const seen = byPath.get(key);
    if (seen) {
      seen.conversions += r.conversions;
      seen.non_conversions += r.non_conversions;
    } else {
      byPath.set(key, { transformed_path: key, conversions: r.conversions, non_conversions: r.non_conversions, revenue: r.revenue, attribution: new Map() });
    }
  }
  const probability = (path: string[]): number => {
    const s = byPath.get(path.join(SEP));
    if (!s) return 0;
    const count = s.conversions + s.non_conversions;
    return count ? s.conversions / count : 0;
  };
  for (const s of byPath.values()) {
    const path = toTuple(s.transformed_path);
    if (!path.length) continue;
    const credit = new Map<string, number>();
    if (model === 'shapley') {
      let marginal: number[];
      const p = probability(path);
      if (path.length === 1) marginal = [p];
      else {
        // Leave-one-out counterfactual: the path without touch i; negative contributions floor to 0.
        marginal = path.map((_, i) => Math.max(p - probability([...path.slice(0, i), ...path.slice(i + 1)]), 0));
      }
      let sum = 0;
      for (const m of marginal) sum += m;
      if (sum) marginal = marginal.map((m) => m / sum);
      else marginal[marginal.length - 1] = 1; // last touch when no channel contributes
      path.forEach((ch, i) => credit.set(ch, marginal[i] + (credit.get(ch) ?? 0)));
    } else if (model === 'first_touch' || model === 'last_touch') {
      for (const ch of path) credit.set(ch, 0);
      credit.set(model === 'first_touch' ? path[0] : path[path.length - 1], 1);
    } else if (model === 'linear') {
      const each = 1 / path.length;
      for (const ch of path) credit.set(ch, (credit.get(ch) ?? 0) + each);
    } else {
      // position_based: 40% first, 40% last, 20% shared by the middle (by both when there is no middle).
      credit.set(path[0], 0.4);
      credit.set(path[path.length - 1], (credit.get(path[path.length - 1]) ?? 0) + 0.4);
      const [leftover, middle] =
        path.length === 1 ? [0.2, path] : path.length === 2 ? [0.1, path] : [0.2 / (path.length - 2), path.slice(1, -1)];
      for (const ch of middle) credit.set(ch, (credit.get(ch) ?? 0) + leftover);
    }
    // normalize_channel_to_attribution_names: 'Direct(2)' counts as 'Direct'.
    for (const [ch, v] of credit) {
      const name = ch.replace(/\(.*$/s, '');
      s.attribution.set(name, (s.attribution.get(name) ?? 0) + v);
    }
  }
  return [...byPath.values()];
}

/** Channel totals: attributed conversions and revenue (credit x path conversions / revenue), channels in first-seen order. */
export function channelTotals(paths: PathAttribution[]): { channel: string; conversions: number; revenue: number }[] {
  const out = new Map<string, { channel: string; conversions: number; revenue: number }>();
  for (const p of paths) {
    for (const [channel, credit] of p.attribution) {
      const t = out.get(channel) ?? { channel, conversions: 0, revenue: 0 };
      t.conversions += credit * p.conversions;
      t.revenue += credit * (p.revenue || 0);
      out.set(channel, t);
    }
  }
  return [...out.values()];
}

/** Spend and ROAS per channel: revenue / spend, 0 when spend is 0 (Snowflake's DIV0), null when spend is unknown. */
export function roas(revenue: number, spend: number | null): number | null {
  if (spend === null) return null;
  return spend === 0 ? 0 : revenue / spend;
}

// ---------------------------------------------------------------- the run

/** What {@link runFractribution} needs. */
export interface FractributionOptions {
  /** The parsed models/fractribution/*.sql files. */
  models: ModelLibrary;
  /** Channel rules (the preset's snowplow_fractribution_rules.json); their labels name the channels. */
  rules: RuleSet;
  /**
   * Parameter values by name (every header parameter of the stage files),
   * plus `path_transforms` (see {@link parsePathTransforms}) and
   * `conversion_window_days` (the automatic window). Bound, never pasted.
   */
  params?: Record<string, unknown>;
  /** Models to run (default shapley, the package's default). */
  attributionModels?: FractributionModel[];
  /**
   * Columns of `event_extras` (the importer's keepColumns) that give the
   * sessions' reported fields verbatim, as the package shows them (e.g.
   * campaign from mkt_campaign in its own case, referral_path from
   * refr_urlpath). A field not named here shows the normalised event value
   * (referral_path: empty).
   */
  sourceFields?: SourceFields;
  /** Spend per channel label, in the revenue's currency. */
  spend?: Record<string, number>;
  /** Spend of a channel missing from `spend` (the package's placeholder is 10000); null = unknown. */
  defaultSpend?: number | null;
  signal?: AbortSignal;
  onProgress?: (done: number, total: number, label: string) => void;
}

/** The session fields a preset may take verbatim from the file. */
export const SOURCE_FIELDS = ['referral_path', 'campaign', 'source', 'medium'] as const;
export type SourceFields = Partial<Record<(typeof SOURCE_FIELDS)[number], string>>;

/**
 * The view fractribution_fields (_file, _row, referral_path, campaign, source,
 * medium) over events: each field from its kept source column when the preset
 * names one that the import kept, else the event's normalised value.
 */
async function createSourceFieldsView(db: Database, fields: SourceFields): Promise<void> {
  const kept = new Set(
    (await db.all(`SELECT column_name AS c FROM information_schema.columns WHERE table_name = 'event_extras'`)).map((r: Row) => String(r.c)),
  );
  const fallback: Record<string, string> = { referral_path: 'CAST(NULL AS VARCHAR)', campaign: 'e.utm_campaign', source: 'e.utm_source', medium: 'e.utm_medium' };
  const cols = SOURCE_FIELDS.map((f) => {
    const c = fields[f]?.toLowerCase();
    return `${c && kept.has(c) ? `x.${ident(c)}` : fallback[f]} AS ${f}`;
  });
  const join = kept.size ? 'LEFT JOIN event_extras x ON x._file = e._file AND x._row = e._row' : '';
  await db.run(`CREATE OR REPLACE VIEW fractribution_fields AS SELECT e._file, e._row, ${cols.join(', ')} FROM events e ${join}`);
}

export interface ChannelAttributionRow {
  conversion_window_start_date: string;
  conversion_window_end_date: string;
  channel: string;
  conversions: number;
  revenue: number;
  attribution_type: FractributionModel;
}

export interface ReportRow extends ChannelAttributionRow {
  spend: number | null;
  roas: number | null;
}

/** What a run returns; every table is also left in the database (see {@link FRACTRIBUTION_TABLES}). */
export interface FractributionResult {
  window: { start: string; end: string; sessionsFrom: string; automatic: boolean };
  params: Record<string, SqlValue>;
  transforms: PathTransform[];
  pathSummary: PathSummaryRow[];
  /** Per model, the paths with their channel credits. */
  pathAttribution: Record<string, PathAttribution[]>;
  channelAttribution: ChannelAttributionRow[];
  channelSpend: { channel: string; spend: number | null }[];
  report: ReportRow[];
  /** Things the user should know: conversions without a path, data not covering the window. */
  warnings: string[];
}

/** Extra parameters of the run itself (not used by one SQL file). */
const RUN_PARAMS = [
  { name: 'path_transforms', type: 'string' as const, default: 'exposure_path', doc: "transforms applied in order, e.g. 'exposure_path' or 'exposure_path,remove_if_not_all:Direct'" },
  { name: 'conversion_window_days', type: 'integer' as const, default: 30, min: 1, max: 3650, unit: 'days', doc: 'length of the automatic conversion window' },
];

function stage(lib: ModelLibrary, name: string): ModelSpec {
  const m = lib.get(name);
  if (!m) throw new AttribError('internal', `the fractribution model '${name}' is missing (models/fractribution/)`);
  return m;
}

/** Every parameter the run takes: the stage headers' plus the run's own (for --help and the notebook). */
export function fractributionParams(lib: ModelLibrary) {
  const seen = new Map<string, ModelSpec['params'][number]>();
  for (const s of Object.values(FRACTRIBUTION_STAGES)) for (const p of stage(lib, s).params) if (!seen.has(p.name)) seen.set(p.name, p);
  for (const p of RUN_PARAMS) seen.set(p.name, p);
  return [...seen.values()];
}

const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

function checkDate(name: string, v: string): void {
  const m = DATE_RE.exec(v);
  const d = m ? new Date(Date.UTC(+m[1], +m[2] - 1, +m[3])) : null;
  if (!m || !d || d.getUTCFullYear() !== +m[1] || d.getUTCMonth() !== +m[2] - 1 || d.getUTCDate() !== +m[3]) {
    throw new AttribError('bad_parameter', `${name} must be a date YYYY-MM-DD, got '${v}'`);
  }
}

function addDays(date: string, days: number): string {
  const [y, m, d] = date.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, d + days)).toISOString().slice(0, 10);
}

async function runStageFile(db: Database, spec: ModelSpec, params: Record<string, SqlValue>, fragments: Record<string, string> = {}): Promise<void> {
  let sql = spec.sql;
  // Compiled fragments (the channel rules) are SQL from our rule compiler, never user values.
  for (const [k, v] of Object.entries(fragments)) sql = sql.split(`{{${k}}}`).join(v);
  for (const stmt of splitStatements(sql)) {
    const bound = bindNamed(stmt, params);
    await db.run(bound.sql, bound.params);
  }
}

/** Writes rows to a new table through the text appender, then types the columns. */
async function writeTable(db: Database, table: string, columns: [string, 'VARCHAR' | 'DOUBLE' | 'DATE'][], rows: Record<string, string | number | null>[]): Promise<void> {
  const typed = columns.map(([c, t]) => (t === 'VARCHAR' ? `${ident(c)}` : `CAST(NULLIF(${ident(c)}, '') AS ${t}) AS ${ident(c)}`)).join(', ');
  if (!rows.length) {
    await db.run(`CREATE OR REPLACE TABLE ${ident(table)} (${columns.map(([c, t]) => `${ident(c)} ${t}`).join(', ')})`);
    return;
  }
  const tmp = `${table}__text`;
  await db.appendText(
    tmp,
    columns.map(([c]) => c),
    {
      columns: columns.map(([c]) => rows.map((r) => (r[c] === null || r[c] === undefined ? '' : String(r[c])))),
      rowNumbers: rows.map((_, i) => i + 1),
      lines: rows.map(() => 0),
      rowCount: rows.length,
    },
    true,
  );
  await db.run(`CREATE OR REPLACE TABLE ${ident(table)} AS SELECT ${typed} FROM ${ident(tmp)} ORDER BY _row`);
  await db.run(`DROP TABLE ${ident(tmp)}`);
}

function checkAbort(signal?: AbortSignal): void {
  if (signal?.aborted) throw new AttribError('cancelled', 'cancelled');
}

/**
 * Runs fractribution on the imported `events` table: the SQL stages, the
 * path transforms, the attribution models and the report with spend and
 * ROAS. Leaves every table of {@link FRACTRIBUTION_TABLES} in the database.
 */
export async function runFractribution(db: Database, opts: FractributionOptions): Promise<FractributionResult> {
  const lib = opts.models;
  const values = opts.params ?? {};
  const models = opts.attributionModels ?? ['shapley'];
  for (const m of models) {
    if (!(FRACTRIBUTION_MODELS as readonly string[]).includes(m)) {
      throw new AttribError('bad_parameter', `unknown fractribution model '${m}' (one of ${FRACTRIBUTION_MODELS.join(', ')})`);
    }
  }
  const params: Record<string, SqlValue> = resolveParams(fractributionParams(lib), values, [], 'fractribution');
  const transforms = parsePathTransforms(String(params.path_transforms));
  const spendMap = opts.spend ?? {};
  for (const [ch, v] of Object.entries(spendMap)) {
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) throw new AttribError('bad_parameter', `spend of '${ch}' must be a number >= 0, got ${v}`);
  }
  const compiled = compileRules(opts.rules);
  const warnings: string[] = [];
  const steps = 7;
  const progress = (i: number, label: string) => {
    checkAbort(opts.signal);
    opts.onProgress?.(i, steps, label);
  };

  // The conversion window: both dates given, or both empty (the last touch day - 1 back N days, as the package).
  let start = String(params.conversion_window_start_date).trim();
  let end = String(params.conversion_window_end_date).trim();
  const automatic = !start && !end;
  if (automatic) {
    const touchNames = String(params.touch_events);
    const r = await db.all(
      `SELECT strftime(max(make_timestamp(ts_us)), '%Y-%m-%d') AS last_day FROM events
       WHERE trim($1) = '' OR list_contains(list_transform(string_split(lower($1), ','), x -> trim(x)), event_name)`,
      [touchNames],
    );
    const last = r[0]?.last_day;
    if (last === null || last === undefined) throw new AttribError('bad_parameter', 'no touch events to derive the conversion window from: set conversion_window_start_date and _end_date');
    end = addDays(String(last), -1);
    start = addDays(String(last), -Number(params.conversion_window_days));
  } else if (!start || !end) {
    throw new AttribError('bad_parameter', 'give both conversion_window_start_date and conversion_window_end_date, or neither (automatic window)');
  }
  checkDate('conversion_window_start_date', start);
  checkDate('conversion_window_end_date', end);
  if (start > end) throw new AttribError('bad_parameter', `the conversion window starts (${start}) after it ends (${end})`);
  params.conversion_window_start_date = start;
  params.conversion_window_end_date = end;
  const sessionsFrom = addDays(start, -Number(params.path_lookback_days));

  // Channel labels (display names) as a small table, values bound.
  progress(0, 'channels');
  await db.run('CREATE OR REPLACE TABLE fractribution_channel_labels (id VARCHAR, label VARCHAR)');
  for (const [id, label] of Object.entries(opts.rules.labels ?? {})) await db.run('INSERT INTO fractribution_channel_labels VALUES ($1, $2)', [id, label]);

  await createSourceFieldsView(db, opts.sourceFields ?? {});
  await runStageFile(db, stage(lib, FRACTRIBUTION_STAGES.macros), params);
  progress(1, 'sessions');
  await runStageFile(db, stage(lib, FRACTRIBUTION_STAGES.sessions), params, { channel_case: compiled.channel, rule_case: compiled.rule });
  progress(2, 'conversions');
  await runStageFile(db, stage(lib, FRACTRIBUTION_STAGES.conversions), params);
  progress(3, 'paths');
  await runStageFile(db, stage(lib, FRACTRIBUTION_STAGES.paths), params);
  await applyPathTransforms(db, 'fractribution_conversion_lists', 'transformed', transforms);
  await applyPathTransforms(db, 'fractribution_non_conversion_lists', 'transformed', transforms);
  progress(4, 'path summary');
  await runStageFile(db, stage(lib, FRACTRIBUTION_STAGES.summary), params);

  // What the user should know.
  const cover = (await db.all(`SELECT strftime(min(make_timestamp(ts_us)), '%Y-%m-%d') AS first_day, strftime(max(make_timestamp(ts_us)), '%Y-%m-%d') AS last_day FROM events`))[0];
  if (!automatic && cover.last_day !== null && String(cover.last_day) < end) warnings.push(`the events end on ${cover.last_day}, before the conversion window ends (${end})`);
  if (cover.first_day !== null && String(cover.first_day) > start) warnings.push(`the events start on ${cover.first_day}, after the conversion window starts (${start})`);
  const lost = (await db.all(`SELECT count(*) AS n FROM fractribution_conversions_by_customer_id c
    WHERE NOT EXISTS (SELECT 1 FROM fractribution_paths_to_conversion p WHERE p.conversion_id = c.conversion_id)`))[0];
  if (Number(lost.n) > 0) warnings.push(`${lost.n} conversions have no session within ${params.path_lookback_days} days before them and no path (left out, as in the package)`);

  // Attribution (TypeScript) over the path summary.
  progress(5, 'attribution');
  const summaryRows = await db.all(`SELECT transformed_path, CAST(conversions AS DOUBLE) AS conversions, CAST(non_conversions AS DOUBLE) AS non_conversions,
    CAST(revenue AS DOUBLE) AS revenue FROM fractribution_path_summary ORDER BY transformed_path`);
  const pathSummary: PathSummaryRow[] = summaryRows.map((r: Row) => ({
    transformed_path: String(r.transformed_path ?? ''),
    conversions: Number(r.conversions),
    non_conversions: Number(r.non_conversions),
    revenue: r.revenue === null ? null : Number(r.revenue),
  }));
  const pathAttribution: Record<string, PathAttribution[]> = {};
  const channelAttribution: ChannelAttributionRow[] = [];
  const longRows: Record<string, string | number | null>[] = [];
  for (const model of models) {
    const attributed = attributePaths(pathSummary, model);
    pathAttribution[model] = attributed;
    for (const p of attributed) {
      for (const [channel, credit] of p.attribution) {
        longRows.push({ attribution_type: model, transformed_path: p.transformed_path, conversions: p.conversions, non_conversions: p.non_conversions, revenue: p.revenue, channel, attribution: credit });
      }
    }
    for (const t of channelTotals(attributed)) {
      channelAttribution.push({ conversion_window_start_date: start, conversion_window_end_date: end, channel: t.channel, conversions: t.conversions, revenue: t.revenue, attribution_type: model });
    }
  }
  await writeTable(db, FRACTRIBUTION_TABLES.pathAttribution, [
    ['attribution_type', 'VARCHAR'], ['transformed_path', 'VARCHAR'], ['conversions', 'DOUBLE'], ['non_conversions', 'DOUBLE'], ['revenue', 'DOUBLE'], ['channel', 'VARCHAR'], ['attribution', 'DOUBLE'],
  ], longRows);
  await writeTable(db, FRACTRIBUTION_TABLES.channelAttribution, [
    ['conversion_window_start_date', 'DATE'], ['conversion_window_end_date', 'DATE'], ['channel', 'VARCHAR'], ['conversions', 'DOUBLE'], ['revenue', 'DOUBLE'], ['attribution_type', 'VARCHAR'],
  ], channelAttribution as unknown as Record<string, string | number | null>[]);

  // Spend: every channel of channel_counts (and any named in the spend map), the package's channel_spend.
  progress(6, 'report');
  const counted = (await db.all(`SELECT DISTINCT channel FROM ${FRACTRIBUTION_TABLES.channelCounts} ORDER BY channel`)).map((r) => String(r.channel));
  const spendChannels = [...new Set([...counted, ...Object.keys(spendMap)])].sort();
  const channelSpend = spendChannels.map((channel) => ({ channel, spend: spendMap[channel] ?? opts.defaultSpend ?? null }));
  await writeTable(db, FRACTRIBUTION_TABLES.channelSpend, [['channel', 'VARCHAR'], ['spend', 'DOUBLE']], channelSpend);
  // The report: channel attribution LEFT JOIN spend, ROAS = DIV0(revenue, spend).
  const spendOf = new Map(channelSpend.map((s) => [s.channel, s.spend]));
  const report: ReportRow[] = channelAttribution.map((a) => {
    const spend = spendOf.get(a.channel) ?? null;
    return { ...a, spend, roas: roas(a.revenue, spend) };
  });
  await writeTable(db, FRACTRIBUTION_TABLES.report, [
    ['channel', 'VARCHAR'], ['conversion_window_start_date', 'DATE'], ['conversion_window_end_date', 'DATE'], ['conversions', 'DOUBLE'], ['revenue', 'DOUBLE'],
    ['spend', 'DOUBLE'], ['roas', 'DOUBLE'], ['attribution_type', 'VARCHAR'],
  ], report as unknown as Record<string, string | number | null>[]);
  opts.onProgress?.(steps, steps, 'done');
  return { window: { start, end, sessionsFrom, automatic }, params, transforms, pathSummary, pathAttribution, channelAttribution, channelSpend, report, warnings };
}

/**
 * The package's wide path_summary_with_channels for one model: the path's
 * counts, then one column per channel (null where the path lacks it).
 */
export function widePathSummary(paths: PathAttribution[]): { channels: string[]; rows: Record<string, string | number | null>[] } {
  const channels: string[] = [];
  for (const p of paths) for (const ch of p.attribution.keys()) if (!channels.includes(ch)) channels.push(ch);
  const rows = paths.map((p) => {
    const row: Record<string, string | number | null> = { revenue: p.revenue, conversions: p.conversions, non_conversions: p.non_conversions, transformed_path: p.transformed_path };
    for (const ch of channels) row[ch] = p.attribution.has(ch) ? p.attribution.get(ch)! : null;
    return row;
  });
  return { channels, rows };
}

// ---------------------------------------------------------------- presets

/** A model-configuration preset (models/presets/*.json), e.g. snowplow-fractribution. */
export interface FractributionPreset {
  format: 'attribution-model-preset/1';
  id: string;
  label: string;
  description?: string;
  pipeline: 'fractribution';
  /** Import options: the column preset of the export (and the columns to keep, from source_fields). */
  import: { preset?: string; keepColumns?: string[] };
  /** Session fields shown verbatim from these file columns (see {@link SourceFields}). */
  source_fields?: SourceFields;
  /** Rule file name, beside the preset. */
  rules: string;
  attribution_models: FractributionModel[];
  params: Record<string, string | number | boolean>;
  default_spend: number | null;
}

/** Validates a parsed preset file; throws `bad_parameter` naming the file. */
export function validateFractributionPreset(x: unknown, file = 'preset'): FractributionPreset {
  const fail = (msg: string) => new AttribError('bad_parameter', `${file}: ${msg}`);
  const p = x as FractributionPreset;
  if (!p || typeof p !== 'object' || p.format !== 'attribution-model-preset/1') throw fail('not an attribution-model-preset/1 file');
  if (typeof p.id !== 'string' || typeof p.label !== 'string' || typeof p.rules !== 'string') throw fail('needs "id", "label" and "rules"');
  if (p.pipeline !== 'fractribution') throw fail(`unknown pipeline '${String(p.pipeline)}'`);
  if (!Array.isArray(p.attribution_models) || !p.attribution_models.every((m) => (FRACTRIBUTION_MODELS as readonly string[]).includes(m))) {
    throw fail(`"attribution_models" must list models of ${FRACTRIBUTION_MODELS.join(', ')}`);
  }
  if (!p.params || typeof p.params !== 'object') throw fail('"params" must be an object');
  if (p.default_spend !== null && (typeof p.default_spend !== 'number' || p.default_spend < 0)) throw fail('"default_spend" must be a number >= 0 or null');
  parsePathTransforms(String(p.params.path_transforms ?? ''));
  const fields = p.source_fields ?? {};
  for (const [k, v] of Object.entries(fields)) {
    if (!(SOURCE_FIELDS as readonly string[]).includes(k) || typeof v !== 'string' || !v.trim()) {
      throw fail(`"source_fields" maps ${SOURCE_FIELDS.join(', ')} to column names; got ${k}: ${JSON.stringify(v)}`);
    }
  }
  // The columns the source fields need are kept by the import.
  const keepColumns = [...new Set([...(p.import?.keepColumns ?? []), ...Object.values(fields) as string[]])];
  return { ...p, source_fields: fields, import: { ...(p.import ?? {}), keepColumns } };
}
