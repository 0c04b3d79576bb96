/**
 * `attrib attribute --preset snowplow-fractribution`: a model preset
 * (models/presets/ID.json) instead of an import preset. It runs the preset's
 * pipeline, dbt-snowplow-fractribution as common/fractribution.ts computes
 * it (docs/fractribution.md), and writes the package's outputs.
 */
import { mkdirSync } from 'node:fs';
import { AttribError } from '../common/errors.ts';
import type { Row } from '../common/db.ts';
import { compareStrings, parseTransforms } from '../common/paths/index.ts';
import { fractributionParams, parsePathTransforms, runFractribution, FRACTRIBUTION_MODELS, FRACTRIBUTION_TABLES as T, type FractributionModel } from '../common/fractribution.ts';
import { importEvents, type ImportOptions } from '../common/import/importer.ts';
import { resolveParams } from '../common/modelHeader.ts';
import { readRejects, type ModelLibrary } from '../common/pipeline.ts';
import { readSpend } from '../common/channelSpend.ts';
import { loadModelPreset } from '../worker/node/fractribution.ts';
import { openDatabase } from '../worker/node/open.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';
import { eventSources } from './eventFiles.ts';
import { writeCsv } from './output.ts';

/** What `attrib attribute` hands over for a model preset. */
export interface ModelPresetArgs {
  preset: string;
  events: string[];
  out: string;
  engine?: string;
  quiet?: boolean;
  importOpts: ImportOptions;
  /** `A..B`, both dates YYYY-MM-DD. */
  conversionWindow?: string;
  pathTransforms?: string;
  pathLookbackSteps?: string;
  attributionModels?: string;
  spend?: string;
  defaultSpend?: string;
  /** Common options that map onto the preset's parameters. */
  lookbackDays?: number;
  sessionTimeoutMinutes?: number;
  conversionEvents?: string[];
}

/** The files written, with their columns (the package's, lower-case). */
const FILES = {
  report_table: ['channel', 'conversion_window_start_date', 'conversion_window_end_date', 'conversions', 'revenue', 'spend', 'roas', 'attribution_type'],
  channel_attribution: ['conversion_window_start_date', 'conversion_window_end_date', 'channel', 'conversions', 'revenue', 'attribution_type'],
  path_summary: ['transformed_path', 'conversions', 'non_conversions', 'revenue'],
  paths_to_conversion: ['customer_id', 'conversion_id', 'conversion_tstamp', 'revenue', 'path', 'transformed_path'],
  paths_to_non_conversion: ['customer_id', 'path', 'transformed_path'],
  rejects: ['file', 'row_number', 'reason', 'raw', 'line', 'detail'],
} as const;

/** The options that only a model preset takes (for the error when they come without one). */
// --spend is not listed: event runs take it too (ad spend reports, cli/extras.ts)
export const MODEL_PRESET_OPTIONS = ['conversion-window', 'path-lookback-steps', 'attribution-models', 'default-spend'] as const;

/** Help text for the model preset options. */
export const MODEL_PRESET_HELP = `Model preset (--preset snowplow-fractribution, models/presets/ID.json): runs google/fractribution
as dbt-snowplow-fractribution computes it and writes report_table.csv, channel_attribution.csv,
path_summary.csv, paths_to_conversion.csv, paths_to_non_conversion.csv and rejects.csv. Options:
  --conversion-window A..B      conversion window, dates YYYY-MM-DD (default: the last
                                conversion_window_days before the last touch event's day)
  --path-transforms t1,t2       as for the models (exposure, first, unique, frequency,
                                remove_if_not_all(C), remove_if_last_and_not_all(C)) or the
                                package's form (exposure_path,remove_if_not_all:Direct); default the preset's
  --path-lookback-steps N       keep the last N channels of a path (0 = all)
  --attribution-models m1,m2    ${FRACTRIBUTION_MODELS.join(', ')} (default the preset's: shapley)
  --spend FILE                  CSV with channel,spend (channels as the report names them)
  --default-spend N|none        spend of channels not in FILE (default the preset's 10000; none = unknown)
  --lookback-days, --session-timeout-minutes, --conversion-events map to the preset's
  path_lookback_days (whole days), session_timeout_minutes and conversion_events.`;

/** Whether `id` names a model preset file rather than an import preset. */
export function modelPresetExists(id: string): boolean {
  try {
    loadModelPreset(id);
    return true;
  } catch {
    return false;
  }
}

/**
 * Turns `--path-transforms` into the package's `name,name:Channel` form.
 * Text with a colon and no parenthesis is the package's form already.
 *
 * @throws AttribError `bad_parameter` for what the package cannot do (several channels, lookback_steps).
 */
export function toPackageTransforms(text: string): string {
  if (text.includes(':') && !text.includes('(')) return text;
  return parseTransforms(text)
    .map((t) => {
      if (t.kind === 'lookback_steps') throw new AttribError('bad_parameter', `--path-transforms: use --path-lookback-steps ${t.steps} with a model preset, not lookback_steps(${t.steps})`);
      if ('channels' in t) {
        if (t.channels.length !== 1) throw new AttribError('bad_parameter', `--path-transforms: the package's ${t.kind} takes one channel, got ${t.channels.join(', ')}`);
        return `${t.kind}:${t.channels[0]}`;
      }
      return `${t.kind}_path`;
    })
    .join(',');
}

/** Runs a model preset; returns the exit code (errors are thrown for main's one-line report). */
export async function modelPresetCommand(a: ModelPresetArgs, lib: ModelLibrary): Promise<number> {
  const preset = loadModelPreset(a.preset);
  // Every option is checked before the events are read.
  const params: Record<string, unknown> = { ...preset.params };
  if (a.conversionWindow !== undefined) {
    const m = /^\s*(\S+)\s*\.\.\s*(\S+)\s*$/.exec(a.conversionWindow);
    if (!m) throw new AttribError('bad_parameter', `--conversion-window must be START..END (dates YYYY-MM-DD), got '${a.conversionWindow}'`);
    params.conversion_window_start_date = m[1];
    params.conversion_window_end_date = m[2];
  }
  if (a.pathTransforms !== undefined) params.path_transforms = toPackageTransforms(a.pathTransforms);
  if (a.pathLookbackSteps !== undefined) params.path_lookback_steps = a.pathLookbackSteps;
  if (a.lookbackDays !== undefined) params.path_lookback_days = a.lookbackDays;
  if (a.sessionTimeoutMinutes !== undefined) params.session_timeout_minutes = a.sessionTimeoutMinutes;
  if (a.conversionEvents !== undefined) params.conversion_events = a.conversionEvents.join(',');
  parsePathTransforms(String(resolveParams(fractributionParams(preset.models), params, [], preset.id).path_transforms));
  const models = (a.attributionModels?.split(',').map((s) => s.trim()).filter(Boolean) ?? preset.attribution_models) as FractributionModel[];
  for (const m of models) {
    if (!(FRACTRIBUTION_MODELS as readonly string[]).includes(m)) throw new AttribError('bad_parameter', `--attribution-models: unknown model '${m}' (one of ${FRACTRIBUTION_MODELS.join(', ')})`);
  }
  if (!models.length) throw new AttribError('bad_parameter', '--attribution-models: choose at least one');
  let defaultSpend = preset.default_spend;
  if (a.defaultSpend !== undefined) {
    const n = Number(a.defaultSpend);
    if (a.defaultSpend === 'none') defaultSpend = null;
    else if (a.defaultSpend.trim() === '' || !Number.isFinite(n) || n < 0) throw new AttribError('bad_parameter', `--default-spend must be a number >= 0 or none, got '${a.defaultSpend}'`);
    else defaultSpend = n;
  }
  const spend = a.spend === undefined ? undefined : await readSpend(fileSourceFromPath(a.spend));

  const db = await openDatabase(a.engine ?? 'native');
  try {
    const report = await importEvents(db, eventSources(a.events), lib.get('staging')!, { ...a.importOpts, preset: preset.import.preset, keepColumns: preset.import.keepColumns });
    const r = await runFractribution(db, { models: preset.models, rules: preset.ruleSet, sourceFields: preset.source_fields, params, attributionModels: models, spend, defaultSpend });
    // Sorted by model (in the order asked), then channel: the package leaves its tables unordered.
    const byModel = <R extends { attribution_type: string; channel: string }>(rows: R[]) =>
      [...rows].sort((x, y) => models.indexOf(x.attribution_type as FractributionModel) - models.indexOf(y.attribution_type as FractributionModel) || compareStrings(x.channel, y.channel));
    mkdirSync(a.out, { recursive: true });
    writeCsv(a.out, 'report_table', FILES.report_table, byModel(r.report) as unknown as Row[]);
    writeCsv(a.out, 'channel_attribution', FILES.channel_attribution, byModel(r.channelAttribution) as unknown as Row[]);
    writeCsv(a.out, 'path_summary', FILES.path_summary, await db.all(`SELECT * FROM ${T.pathSummary} ORDER BY transformed_path`));
    writeCsv(a.out, 'paths_to_conversion', FILES.paths_to_conversion, await db.all(`SELECT * FROM ${T.pathsToConversion} ORDER BY conversion_us, conversion_id`));
    writeCsv(a.out, 'paths_to_non_conversion', FILES.paths_to_non_conversion, await db.all(`SELECT * FROM ${T.pathsToNonConversion} ORDER BY customer_id`));
    writeCsv(a.out, 'rejects', FILES.rejects, await readRejects(db));
    if (!a.quiet) {
      const rejected = Object.values(report.rejectsByReason).reduce((s, n) => s + n, 0);
      console.log([
        `${report.file}: ${report.format}, preset ${preset.id} (import ${report.preset}), engine ${db.kind}`,
        `  rows read ${report.rowsRead}, loaded ${report.rowsLoaded}, rejected ${rejected}`,
        `  conversion window ${r.window.start}..${r.window.end}${r.window.automatic ? ' (automatic)' : ''}, sessions from ${r.window.sessionsFrom}`,
        `  paths ${r.pathSummary.length}, models ${models.join(', ')}${r.transforms.length ? ', transforms ' + r.transforms.map((t) => t.name + (t.channel ? ':' + t.channel : '')).join(',') : ''}`,
        ...r.warnings.map((w) => `  warning: ${w}`),
        `  wrote ${a.out}/${Object.keys(FILES).map((f) => f + '.csv').join(', ')}`,
      ].join('\n'));
    }
    return 0;
  } finally {
    await db.close();
  }
}
