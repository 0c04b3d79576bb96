/**
 * `attrib diff`: a baseline and a proposed configuration (rules, model,
 * parameters) on the same events, compared conversion by conversion
 * (common/ruleDiff.ts). Writes diff_conversions.csv, diff_matrix.csv and
 * diff_totals.csv.
 */
import { PSEUDONYM_OPTIONS } from './pseudonymize.ts';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../common/errors.ts';
import { PRESETS } from '../common/import/columns.ts';
import { importEvents } from '../common/import/importer.ts';
import type { ModelLibrary } from '../common/pipeline.ts';
import {
  parseDiffConfig, runRuleDiff, DEFAULT_DIFF_MODEL, DIFF_CONVERSIONS_TABLE, DIFF_MATRIX_TABLE, DIFF_TOTALS_TABLE, type DiffConfig,
} from '../common/ruleDiff.ts';
import { parseCommand } from './args.ts';
import { importOptionsFrom } from './importOptions.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { openDatabase } from '../worker/node/open.ts';
import { conversionsFrom, EVENT_FILE_HELP, EVENT_FILE_OPTIONS, eventSources } from './eventFiles.ts';
import { writeTable } from './write.ts';

/** `attrib diff --help`. */
export const DIFF_HELP = `attrib diff --events FILE --baseline CONFIG.json --proposed CONFIG.json --out DIR [options]

Credits the events under a baseline and a proposed configuration and writes
into DIR what the change moves:
  diff_conversions.csv  conversion_id, channel, baseline_credit, proposed_credit, delta
                        (only the channels whose credit changed; delta = proposed - baseline)
  diff_matrix.csv       from_channel, to_channel, credit, conversions: in each conversion the
                        credit lost by channels that lost is given to the channels that gained,
                        in proportion to their gains; summed over conversions. A row sums to the
                        channel's loss, a column to its gain. '(none)': credit created or removed
                        with no channel on the other side (participation)
  diff_totals.csv       channel, baseline, proposed, delta, delta_pct (100 x delta / baseline,
                        empty when the baseline is 0), kept, lost, gained
                        (baseline = kept + lost, proposed = kept + gained)
Credits are compared rounded to 10 decimals. Rows sort by conversion_id, channel /
from_channel, to_channel / channel; the same inputs give byte-identical files.

A configuration is a JSON object with any of (missing ones take the defaults):
  "rules"    a rule set inline, or the path of a rule file relative to the configuration
             (default models/channel_rules.json)
  "model"    the model to credit with (default ${DEFAULT_DIFF_MODEL}; see 'attrib models')
  "params"   parameter values, e.g. {"lookback_days": 14, "half_life_days": 3,
             "session_timeout_minutes": 30, "first_weight": 0.5}
  "description"  free text
e.g. {"rules": "newsletter_rules.json", "params": {"lookback_days": 14}}

Options:
${EVENT_FILE_HELP}
  --baseline CONFIG.json        the configuration as it is
  --proposed CONFIG.json        the configuration as proposed
  --out DIR                     where to write the three files (created if missing)
  --conversion-events a,b       event names that are conversions (default purchase)
  --conversion-flag COLUMN      a 1/0 (true/false, yes/no) column marks conversions instead (see attrib help attribute)
  --site-domains a,b            your own domains: referrers from them are not a channel
  --engine native|wasm          DuckDB native (default) or DuckDB-wasm; same numbers
  --format, --delimiter, --encoding, --preset ID (${PRESETS.map((p) => p.id).join(', ')}),
  --map field=column, --timezone ZONE, --time-unit auto|s|ms|us   as for 'attrib attribute'
  --pseudonymize --key-file FILE                                   as for 'attrib attribute'
  --quiet                       no summary on stdout`;

/** Reads a configuration file; rule paths in it are relative to its folder. */
export function readDiffConfig(file: string, lib: ModelLibrary): DiffConfig {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AttribError('bad_parameter', 'cannot read the configuration file', { file });
  }
  return parseDiffConfig(text, file, lib, { rules: loadRules() }, (ref) => loadRules(path.resolve(path.dirname(file), ref)));
}

/** Runs `attrib diff`; returns the exit code, throws AttribError for main's one-line report. */
export async function diffCommand(args: string[]): Promise<number> {
  const o = parseCommand('diff', args, {
    ...PSEUDONYM_OPTIONS,
    ...EVENT_FILE_OPTIONS, baseline: { type: 'string' }, proposed: { type: 'string' }, out: { type: 'string' },
    'conversion-events': { type: 'string' }, 'conversion-flag': { type: 'string' }, 'site-domains': { type: 'string' }, engine: { type: 'string' }, format: { type: 'string' },
    delimiter: { type: 'string' }, encoding: { type: 'string' }, preset: { type: 'string' }, map: { type: 'string', multiple: true },
    timezone: { type: 'string' }, 'time-unit': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(DIFF_HELP);
    return 0;
  }
  for (const k of ['events', 'baseline', 'proposed', 'out'] as const) {
    if (!o[k]) throw new AttribError('bad_parameter', `diff needs --${k} ${k === 'out' ? 'DIR' : k === 'events' ? 'FILE' : 'CONFIG.json'}. Run 'attrib diff --help'`);
  }
  const lib = loadModelLibrary();
  // both configurations are read and checked before the data is
  const baseline = readDiffConfig(o.baseline!, lib);
  const proposed = readDiffConfig(o.proposed!, lib);
  const importOpts = { ...importOptionsFrom(o), ...conversionsFrom(o) };
  const db = await openDatabase(o.engine ?? 'native');
  try {
    const report = await importEvents(db, eventSources(o.events), lib.get('staging')!, importOpts);
    const d = await runRuleDiff(db, lib, baseline, proposed);
    writeTable(o.out!, DIFF_CONVERSIONS_TABLE, d.conversions);
    writeTable(o.out!, DIFF_MATRIX_TABLE, d.matrix);
    writeTable(o.out!, DIFF_TOTALS_TABLE, d.totals);
    if (!o.quiet) {
      const changed = new Set(d.conversions.map((r) => r.conversion_id)).size;
      const moved = d.matrix.reduce((a, r) => a + Number(r.credit), 0);
      console.log(`${report.file}: ${report.rowsLoaded} events, ${report.conversions} conversions, engine ${db.kind}\n` +
        `  baseline ${baseline.model}, proposed ${proposed.model}: ${changed} conversions changed, ${+moved.toFixed(6)} credit moved\n` +
        `  wrote ${o.out}/diff_conversions.csv, diff_matrix.csv, diff_totals.csv`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
