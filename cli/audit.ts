/**
 * `attrib audit`: can these numbers be trusted, and what changed? Imports the
 * events, builds the journeys as `attrib attribute` does (same options, same
 * conversions) and writes the audit's tables (common/audit.ts).
 */
import { PSEUDONYM_OPTIONS } from './pseudonymize.ts';
import { mkdirSync } from 'node:fs';
import { AttribError } from '../common/errors.ts';
import { AUDIT_TABLES, runAudit } from '../common/audit.ts';
import { importEvents } from '../common/import/importer.ts';
import { buildJourneys, validateRun } from '../common/pipeline.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { openDatabase } from '../worker/node/open.ts';
import { conversionsFrom, EVENT_FILE_HELP, EVENT_FILE_OPTIONS, eventSources } from './eventFiles.ts';
import { numberOption, parseCommand } from './args.ts';
import { importOptionsFrom } from './importOptions.ts';
import { writeCsv } from './output.ts';

/** `attrib audit --help`. */
export const AUDIT_HELP = `attrib audit --events FILE --out DIR [options]

Measures the attribution pipeline itself and writes into DIR:
  health_daily.csv        date, conversion_kind, conversions, attributed, direct_only,
                          no_touch, coverage_rate, direct_only_rate, click_id_rate,
                          identified_rate (UTC day of the conversion)
  pipeline_trace.csv      step, rows_in, rows_out, dropped, reason, kind, lane: rows in
                          and out of every step (read, parsed, rejected by reason,
                          staged, stitched, sessions, touches in a window, credited;
                          conversions, journeys in window, attributed), each drop
                          labelled 'expected filter' or 'data loss'
  unattributable.csv      field, value, channel, events, people, first_seen, last_seen:
                          utm_campaign / utm_source values and click ids of touches
                          no rule classifies (they fall to other or direct)
  health_xmr.csv          XmR limits of each daily metric with signals (beyond the
                          limits; 8 in a row on one side of the centre line)
  health_inputs_daily.csv date, events, touch_events, utm_touch_events,
                          utm_complete_rate, rejected (UTC day of the event)
Rates are NULL (empty) where nothing was there to count. The conversions are
those 'attrib attribute' writes with the same options; the same input gives
byte-identical files.

Options:
${EVENT_FILE_HELP}
  --out DIR                  where to write the files (created if missing)
  --lookback-days N          default 30
  --session-timeout-minutes N  default 30
  --conversion-events a,b    event names that are conversions (default purchase)
  --conversion-flag COLUMN   a 1/0 (true/false, yes/no) column marks conversions instead (see attrib help attribute)
  --rules FILE               channel rules (default models/channel_rules.json)
  --site-domains a,b         the site's own domains (internal referrers)
  --fraud-max-repeats N      drop campaign touch events repeated more than N times
  --fraud-window-minutes M   within M minutes (default 10), as 'attrib attribute' does;
                             the trace counts them at its 'fraud filter' step
  --engine native|wasm       default native
  --format, --delimiter, --encoding, --preset, --map, --timezone, --time-unit
                             reading options, as for 'attrib attribute'
  --pseudonymize --key-file FILE  pseudonymise ids at import, as for 'attrib attribute'
  --quiet                    no summary on stdout

Exit codes: 0 done, 1 the file cannot be used, 2 a bad option.`;

/** Runs `attrib audit`; returns the exit code, throws AttribError for main's one-line report. */
export async function auditCommand(args: string[]): Promise<number> {
  const o = parseCommand('audit', args, {
    ...PSEUDONYM_OPTIONS,
    ...EVENT_FILE_OPTIONS, out: { type: 'string' }, 'lookback-days': { type: 'string' },
    'session-timeout-minutes': { type: 'string' }, 'conversion-events': { type: 'string' }, 'conversion-flag': { type: 'string' }, rules: { type: 'string' },
    'site-domains': { type: 'string' }, engine: { type: 'string' }, format: { type: 'string' }, delimiter: { type: 'string' },
    encoding: { type: 'string' }, preset: { type: 'string' }, map: { type: 'string', multiple: true }, timezone: { type: 'string' },
    'time-unit': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    'fraud-max-repeats': { type: 'string' }, 'fraud-window-minutes': { type: 'string' },
  });
  if (o.help) {
    console.log(AUDIT_HELP);
    return 0;
  }
  if (!o.events?.length) throw new AttribError('bad_parameter', 'audit needs --events FILE');
  if (!o.out) throw new AttribError('bad_parameter', 'audit needs --out DIR');
  const lib = loadModelLibrary();
  const params: Record<string, unknown> = {};
  const numeric = [
    ['lookback-days', 'lookback_days'], ['session-timeout-minutes', 'session_timeout_minutes'],
    ['fraud-max-repeats', 'fraud_max_repeats'], ['fraud-window-minutes', 'fraud_window_minutes'],
  ] as const;
  for (const [flag, name] of numeric) {
    const v = numberOption(flag, o[flag]);
    if (v !== undefined) params[name] = v;
  }
  // no model runs; validateRun wants one, and last_touch checks the stage parameters as attribute would
  const runOpts = { models: ['last_touch'], rules: loadRules(o.rules), params };
  validateRun(lib, runOpts);
  const importOpts = { ...importOptionsFrom(o), ...conversionsFrom(o) };
  const source = eventSources(o.events);
  const db = await openDatabase(o.engine ?? 'native');
  try {
    const report = await importEvents(db, source, lib.get('staging')!, importOpts);
    await buildJourneys(db, lib, runOpts);
    const out = await runAudit(db, lib);
    mkdirSync(o.out, { recursive: true });
    for (const [k, t] of Object.entries(AUDIT_TABLES)) writeCsv(o.out, t.file, t.columns, out[k as keyof typeof AUDIT_TABLES]);
    if (!o.quiet) {
      const lost = out.pipeline_trace.filter((r) => r.kind === 'data loss').reduce((a, r) => a + Number(r.dropped), 0);
      const conv = out.health_daily.reduce((a, r) => a + Number(r.conversions), 0);
      const attributed = out.health_daily.reduce((a, r) => a + Number(r.attributed), 0);
      const signals = out.health_xmr.filter((r) => r.signal !== null).length;
      console.log([
        `${report.file}: ${report.rowsRead} rows read, ${lost} lost to bad data (see pipeline_trace.csv)`,
        `  conversions ${conv}, attributed ${attributed} (coverage ${conv ? ((attributed / conv) * 100).toFixed(1) : '-'}%)`,
        `  ${out.unattributable.length} campaign values or click ids no rule classifies; ${signals} XmR signals`,
        `  wrote ${o.out}/${Object.values(AUDIT_TABLES).map((t) => `${t.file}.csv`).join(', ')}`,
      ].join('\n'));
    }
    return 0;
  } finally {
    await db.close();
  }
}
