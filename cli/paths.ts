/**
 * `attrib paths` (spec section 8): the models on aggregated paths in
 * ChannelAttribution's layout instead of events. Writes channel_summary.csv
 * plus the Markov chain's transitions and removal effects for inspection.
 */
import { mkdirSync } from 'node:fs';
import { AttribError } from '../common/errors.ts';
import { parseCommand } from './args.ts';
import { formatFromName } from '../common/import/source.ts';
import {
  checkPathModels,
  formatTransform,
  parseTransforms,
  readPaths,
  runPathModels,
  DEFAULT_PATH_COLUMNS,
  PATH_MODELS,
  type MarkovResult,
  type PathColumns,
  type PathRun,
  type PathTable,
} from '../common/paths/index.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';
import { writeCsv } from './output.ts';

/** `attrib paths --help`. */
export const PATHS_HELP = `attrib paths --paths FILE --out DIR [options]

Runs the models on aggregated paths, one row per path in ChannelAttribution's
layout (${Object.values(DEFAULT_PATH_COLUMNS).join(', ')}), e.g.
  path,total_conversions,total_conversion_value,total_null
  search > email,3,30,2
and writes into DIR:
  channel_summary.csv     model, channel, attributed_conversions, attributed_revenue
  markov_transitions.csv  order, from, to, weight, probability (header only without markov)
  removal_effects.csv     order, channel, removal_effect, conversion_probability,
                          conversion_probability_without, value_removal_effect,
                          attributed_conversions, attributed_revenue
Rows are sorted by model (in --models order), then channel; the same input
gives byte-identical files. Paths are used as given: no direct rule unless
--exclude-direct. Equal paths (after transforms) are summed.

Options:
  --paths FILE            the path file (.csv or .tsv)
  --out DIR               where to write the files (created if missing)
  --models m1,m2          ${PATH_MODELS.join(', ')} (default all).
                          Rule-based models credit every occurrence of a channel.
                          time_decay needs touch times, which paths lack.
  --order K               Markov order 1, 2 or 3 (default 1): states are the last K channels
  --transforms t1,t2      applied in order (default none): exposure, first, unique,
                          frequency, remove_if_not_all(c1,c2), remove_if_last_and_not_all(c1),
                          lookback_steps(N); as in Snowplow's attribution package
  --sep S                 step separator (default '>'; spaces around steps are trimmed)
  --path-col NAME         column names, when they differ from ChannelAttribution's;
  --conversions-col NAME  a file without the value or null column reads it as 0
  --value-col NAME        (unless its name is given here)
  --null-col NAME
  --exclude-direct        drop 'direct' steps; a direct-only path becomes 'direct'
  --delimiter C           CSV delimiter (default: sniffed among , ; tab |)
  --quiet                 no summary on stdout

Exit codes: 0 done, 1 the file cannot be used (the message names line and
column), 2 a bad option.`;

/** Output files and their columns. */
const FILES = {
  channel_summary: ['model', 'channel', 'attributed_conversions', 'attributed_revenue'],
  markov_transitions: ['order', 'from', 'to', 'weight', 'probability'],
  removal_effects: [
    'order',
    'channel',
    'removal_effect',
    'conversion_probability',
    'conversion_probability_without',
    'value_removal_effect',
    'attributed_conversions',
    'attributed_revenue',
  ],
} as const;

/** Runs `attrib paths`; returns the exit code, throws AttribError for main's one-line report. */
export async function pathsCommand(args: string[]): Promise<number> {
  const o = parseCommand('paths', args, {
    paths: { type: 'string' }, out: { type: 'string' }, sep: { type: 'string' }, models: { type: 'string' },
    order: { type: 'string' }, transforms: { type: 'string' }, 'path-col': { type: 'string' },
    'conversions-col': { type: 'string' }, 'value-col': { type: 'string' }, 'null-col': { type: 'string' },
    'exclude-direct': { type: 'boolean' }, delimiter: { type: 'string' }, quiet: { type: 'boolean' },
    help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(PATHS_HELP);
    return 0;
  }
  if (!o.paths) throw new AttribError('bad_parameter', 'paths needs --paths FILE');
  if (!o.out) throw new AttribError('bad_parameter', 'paths needs --out DIR');
  // Every option is checked before the file is read: a typo costs nothing.
  const models = checkPathModels(o.models === undefined ? [...PATH_MODELS] : splitList(o.models));
  if (!/^[123]$/.test(o.order ?? '1')) throw new AttribError('bad_parameter', `--order must be 1, 2 or 3, got '${o.order}'`);
  const order = Number(o.order ?? '1');
  const transforms = o.transforms === undefined ? [] : parseTransforms(o.transforms);
  if (o.sep === '') throw new AttribError('bad_parameter', '--sep must not be empty');
  const columns: Partial<PathColumns> = {};
  if (o['path-col'] !== undefined) columns.path = o['path-col'];
  if (o['conversions-col'] !== undefined) columns.conversions = o['conversions-col'];
  if (o['value-col'] !== undefined) columns.value = o['value-col'];
  if (o['null-col'] !== undefined) columns.nulls = o['null-col'];
  const delimiter = o.delimiter === '\\t' || o.delimiter === 'tab' ? '\t' : o.delimiter;

  const source = fileSourceFromPath(o.paths);
  const table = await readPaths(source, { sep: o.sep, columns, delimiter, tsv: formatFromName(source.name) === 'tsv' });
  // Order 3 can take seconds: show the solves on a terminal, like 'attribute' shows its stages.
  const tty = process.stderr.isTTY;
  const onProgress = (done: number, total: number, label: string) => tty && process.stderr.write(`\r\x1b[K${label} ${done}/${total}`);
  let run: PathRun;
  try {
    run = runPathModels(table.paths, { models, order, transforms, excludeDirect: o['exclude-direct'], onProgress });
  } finally {
    if (tty) process.stderr.write('\r\x1b[K');
  }

  mkdirSync(o.out, { recursive: true });
  writeCsv(o.out, 'channel_summary', FILES.channel_summary, run.summary);
  writeMarkovFiles(o.out, run.markov);
  if (!o.quiet) console.log(summary(source.name, table, run, transforms.map(formatTransform), o.out));
  return 0;
}

/**
 * Writes markov_transitions.csv and removal_effects.csv (header only when
 * markov did not run); `attrib attribute` writes them too when markov runs.
 */
export function writeMarkovFiles(dir: string, mk: MarkovResult | undefined): void {
  const transitions = mk ? mk.transitions.map((t) => ({ order: mk.order, ...t })) : [];
  writeCsv(dir, 'markov_transitions', FILES.markov_transitions, transitions);
  const effects = mk
    ? mk.channels.map((c) => ({
        order: mk.order,
        channel: c.channel,
        removal_effect: c.removalEffect,
        conversion_probability: mk.conversionProbability,
        conversion_probability_without: c.conversionProbabilityWithout,
        value_removal_effect: c.valueRemovalEffect,
        attributed_conversions: c.conversions,
        attributed_revenue: c.value,
      }))
    : [];
  writeCsv(dir, 'removal_effects', FILES.removal_effects, effects);
}

function splitList(v: string): string[] {
  return v.split(',').map((s) => s.trim()).filter(Boolean);
}

function summary(file: string, table: PathTable, run: PathRun, transforms: string[], out: string): string {
  const t = run.totals;
  const missing = (['value', 'nulls'] as const).filter((k) => table.columns[k] === null);
  return [
    `${file}: ${table.paths.length} rows, ${run.paths.length} distinct paths${transforms.length ? ' after ' + transforms.join(', ') : ''}, ${run.channels.length} channels`,
    `  conversions ${fmt(t.conversions)}, value ${fmt(t.value)}, nulls ${fmt(t.nulls)}`,
    ...missing.map((k) => `  note: no ${DEFAULT_PATH_COLUMNS[k]} column; read as 0`),
    run.markov ? `  markov order ${run.markov.order}: ${run.markov.states.length} states, conversion probability ${fmt(run.markov.conversionProbability)}` : '',
    `  wrote ${out}/channel_summary.csv, markov_transitions.csv, removal_effects.csv`,
  ]
    .filter(Boolean)
    .join('\n');
}

function fmt(x: number): string {
  return String(Math.round(x * 1e6) / 1e6);
}
