/**
 * `attrib sweep`: time_decay's sensitivity to the lookback window and the
 * half-life. Journeys are built once for the largest lookback; every cell is
 * computed in one SQL statement (common/sweep.ts, models/sweep.sql).
 */
import { PSEUDONYM_OPTIONS } from './pseudonymize.ts';
import { AttribError } from '../common/errors.ts';
import { parseCommand } from './args.ts';
import { PRESETS } from '../common/import/columns.ts';
import { importOptionsFrom } from './importOptions.ts';
import { importEvents } from '../common/import/importer.ts';
import { validateRun } from '../common/pipeline.ts';
import { DEFAULT_HALF_LIVES, DEFAULT_LOOKBACKS, runSweep, checkSweepGrid, SWEEP_TABLE } from '../common/sweep.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { openDatabase } from '../worker/node/open.ts';
import { conversionsFrom, EVENT_FILE_HELP, EVENT_FILE_OPTIONS, eventSources } from './eventFiles.ts';
import { writeTable } from './write.ts';

/** `attrib sweep --help`. */
export const SWEEP_HELP = `attrib sweep --events FILE --out DIR [options]

Recomputes time_decay for every lookback window and half-life of a grid and
writes DIR/sweep.csv: lookback_days, half_life_days, channel,
attributed_conversions, attributed_revenue, conversion_kind. Journeys are
built once for the largest lookback; each cell keeps the touches inside its
own window (the direct rule applies per cell). A cell equals
'attrib attribute --models time_decay' with that lookback and half-life.

Options:
${EVENT_FILE_HELP}
  --out DIR                     where to write sweep.csv (created if missing)
  --lookbacks a,b               lookback windows in days (default ${DEFAULT_LOOKBACKS.join(',')}; each 1..365)
  --half-lives a,b              half-lives in days (default ${DEFAULT_HALF_LIVES.join(',')}; each 0.01..365)
  --session-timeout-minutes M   gap that starts a new derived session (default 30)
  --conversion-events a,b       event names that are conversions (default purchase)
  --conversion-flag COLUMN      a 1/0 (true/false, yes/no) column marks conversions instead (see attrib help attribute)
  --rules FILE                  channel rule file (default models/channel_rules.json)
  --site-domains a,b            your own domains: referrers from them are not a channel
  --engine native|wasm          DuckDB native (default) or DuckDB-wasm; same numbers
  --format, --delimiter, --encoding, --preset ID (${PRESETS.map((p) => p.id).join(', ')}),
  --map field=column, --timezone ZONE, --time-unit auto|s|ms|us   as for 'attrib attribute'
  --pseudonymize --key-file FILE                                   as for 'attrib attribute'
  --quiet                       no summary on stdout`;

function numbers(name: string, v: string | undefined, dflt: number[]): number[] {
  if (v === undefined) return dflt;
  return v.split(',').map((s) => {
    const n = Number(s.trim());
    if (s.trim() === '' || !Number.isFinite(n)) throw new AttribError('bad_parameter', `--${name} must be numbers separated by commas, got '${v}'`);
    return n;
  });
}


/** Runs `attrib sweep`; returns the exit code, throws AttribError for main's one-line report. */
export async function sweepCommand(args: string[]): Promise<number> {
  const o = parseCommand('sweep', args, {
    ...PSEUDONYM_OPTIONS,
    ...EVENT_FILE_OPTIONS, out: { type: 'string' }, lookbacks: { type: 'string' }, 'half-lives': { type: 'string' },
    'session-timeout-minutes': { type: 'string' }, 'conversion-events': { type: 'string' }, 'conversion-flag': { type: 'string' }, rules: { type: 'string' },
    'site-domains': { type: 'string' }, engine: { type: 'string' }, format: { type: 'string' }, delimiter: { type: 'string' },
    encoding: { type: 'string' }, preset: { type: 'string' }, map: { type: 'string', multiple: true }, timezone: { type: 'string' },
    'time-unit': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
  });
  if (o.help) {
    console.log(SWEEP_HELP);
    return 0;
  }
  if (!o.events?.length) throw new AttribError('bad_parameter', 'sweep needs --events FILE');
  if (!o.out) throw new AttribError('bad_parameter', 'sweep needs --out DIR');
  const lib = loadModelLibrary();
  const lookbacks = numbers('lookbacks', o.lookbacks, DEFAULT_LOOKBACKS);
  const halfLives = numbers('half-lives', o['half-lives'], DEFAULT_HALF_LIVES);
  // every option is checked before the data is read
  checkSweepGrid(lib, lookbacks, halfLives);
  const params: Record<string, unknown> = {};
  if (o['session-timeout-minutes'] !== undefined) params.session_timeout_minutes = o['session-timeout-minutes'];
  const rules = loadRules(o.rules);
  validateRun(lib, { models: ['time_decay'], rules, params });
  const importOpts = { ...importOptionsFrom(o), ...conversionsFrom(o) };
  const db = await openDatabase(o.engine ?? 'native');
  try {
    const report = await importEvents(db, eventSources(o.events), lib.get('staging')!, importOpts);
    const rows = await runSweep(db, lib, { rules, params, lookbacks, halfLives });
    writeTable(o.out, SWEEP_TABLE, rows);
    if (!o.quiet) {
      console.log(`${report.file}: ${report.rowsLoaded} events, ${report.conversions} conversions, engine ${db.kind}\n` +
        `  ${new Set(lookbacks).size} lookbacks x ${new Set(halfLives).size} half-lives, journeys built once for ${Math.max(...lookbacks)} days\n` +
        `  wrote ${o.out}/sweep.csv`);
    }
    return 0;
  } finally {
    await db.close();
  }
}
