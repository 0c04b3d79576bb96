/**
 * `attrib`: the headless attribution command (spec section 8).
 * Every command prints one line and exits non-zero on bad input; no stack traces.
 */
import { KEYGEN_HELP, PSEUDONYM_HELP, PSEUDONYM_OPTIONS, keygenCommand } from './pseudonymize.ts';
import { mkdirSync } from 'node:fs';
import { AttribError } from '../common/errors.ts';
import type { Database } from '../common/db.ts';
import { numberOption, parseCommand } from './args.ts';
import { PRESETS, signaturesOf } from '../common/import/columns.ts';
import { importOptionsFrom, list } from './importOptions.ts';
import { importEvents, type ImportReport } from '../common/import/importer.ts';
import { buildJourneys, summarizeOutputs, validateRun, withReported, OUTPUT_ROWS_SQL, ROW_OUTPUTS, DATA_DRIVEN_MODELS, DEFAULT_MODELS, RULE_BASED_MODELS, type ModelLibrary } from '../common/pipeline.ts';
import { runModels } from '../common/dataDriven.ts';
import type { ParamSpec } from '../common/modelHeader.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { openDatabase } from '../worker/node/open.ts';
import { conversionsFrom, EVENT_FILE_HELP, EVENT_FILE_OPTIONS, eventSources } from './eventFiles.ts';
import { pathsCommand, writeMarkovFiles, PATHS_HELP } from './paths.ts';
import { modelPresetCommand, modelPresetExists, MODEL_PRESET_HELP, MODEL_PRESET_OPTIONS } from './modelPreset.ts';
import { writeCsv, writeCsvQuery } from './output.ts';
import { EXTRA_OPTIONS, EXTRAS_HELP, applyExtras, outputColumns, startExtras } from './extras.ts';
import { sweepCommand, SWEEP_HELP } from './sweep.ts';
import { auditCommand, AUDIT_HELP } from './audit.ts';
import { diffCommand, DIFF_HELP } from './diff.ts';
import { checkSurveyColumn, surveyFrom, writeSurvey, SURVEY_HELP, SURVEY_OPTIONS } from './survey.ts';

const USAGE = `attrib: offline marketing attribution

Usage:
  attrib attribute --events FILE --out DIR [options]   credit conversions to channels
  attrib paths --paths FILE --out DIR [options]        models on aggregated paths (Markov, Shapley, rule-based)
  attrib sweep --events FILE --out DIR [options]       time_decay over a grid of lookbacks and half-lives
  attrib audit --events FILE --out DIR [options]       pipeline health, trace and unclassified campaigns
  attrib diff --events FILE --baseline A.json --proposed B.json --out DIR
                                                       what a rule or parameter change moves, per conversion and channel
  attrib keygen --out FILE                             make a pseudonymisation key (for --pseudonymize --key-file)
  attrib web [--engine native|wasm] [--data FILE]      the workbench page on 127.0.0.1, the engine in this process
  attrib models                                        list the bundled models and their parameters
  attrib presets                                       list the import presets
  attrib help [COMMAND]                                this text, or a command's options

Run 'attrib attribute --help' for the options.`;

function paramLine(p: ParamSpec): string {
  const range = p.min !== undefined || p.max !== undefined ? ` [${p.min ?? ''}..${p.max ?? ''}]` : '';
  return `${p.name} (${p.type}, default ${p.default}${p.unit ? ' ' + p.unit : ''}${range})${p.doc ? ': ' + p.doc : ''}`;
}

function attributeHelp(lib: ModelLibrary): string {
  const stage = (n: string) => lib.get(n)!.params.map((p) => '    ' + paramLine(p)).join('\n');
  return `attrib attribute --events FILE --out DIR [options]

Reads a CSV, TSV, Parquet or NDJSON export and writes into DIR:
  channel_summary.csv  model, channel, attributed_conversions, attributed_revenue
  credits.csv          conversion_id, person_key, model, channel, credit, attributed_revenue
  conversions.csv      conversion_id, person_key, conversion_ts, value, touch_status, touches
  rejects.csv          file, row_number, reason, raw, line, detail
The first three end with conversion_kind (channel_summary is grouped by it too).
Same inputs give byte-identical outputs, with either engine.

Options:
${EVENT_FILE_HELP}
  --out DIR                     where to write the four files (created if missing)
  --models m1,m2                models to run (default ${DEFAULT_MODELS.join(',')}; 'all' = ${RULE_BASED_MODELS.join(',')});
                                the data-driven ${DATA_DRIVEN_MODELS.join(', ')} are added by name
  --markov-order K              past channels in a Markov state, 1..3 (default 1)
  --path-transforms t1,t2       path transforms for the data-driven models, applied in order (default none):
                                exposure, first, unique, frequency, remove_if_not_all(c1,c2),
                                remove_if_last_and_not_all(c1), lookback_steps(N)
  --lookback-days N             journey window before each conversion (default 30, 1..365)
  --half-life-days H            time_decay half-life (default 7)
  --session-timeout-minutes M   gap that starts a new derived session (default 30)
  --conversion-events a,b       event names that are conversions (default purchase)
  --conversion-flag COLUMN      a column saying per row whether it is a conversion: 1/true/yes are,
                                0/false/no/empty are not, other values are rejected (bad_conversion_flag);
                                the default purchase then does not apply (--conversion-events still adds)
  --param model.name=value      any model parameter, e.g. custom.first_weight=0.5 (repeatable)
  --rules FILE                  channel rule file (default models/channel_rules.json)
  --site-domains a,b            your own domains: referrers from them are not a channel
  --engine native|wasm          DuckDB native (default) or DuckDB-wasm; same numbers
  --memory-limit SIZE           native: DuckDB's memory ceiling, e.g. 8GB (default half the RAM, at most
                                4 GB); past it tables spill to a private folder on disk, removed at exit
  --format csv|tsv|parquet|ndjson   override the file type taken from the extension
  --delimiter C                 CSV delimiter (default: sniffed among , ; tab |)
  --encoding E                  utf-8 (default), latin1, windows-1252, utf-16le
  --csv-reader auto|typescript  who splits CSV rows: auto (default) DuckDB's reader where it gives
                                the same rows as ours, else ours; typescript: always ours
  --preset ID                   import preset (default: detected): ${PRESETS.map((p) => p.id).join(', ')};
                                or a model preset: snowplow-fractribution (below)
  --map field=column            use this column for a field (repeatable), e.g. --map anon_id=visitor
  --timezone ZONE               zone of timestamps without an offset (default UTC)
  --time-unit auto|s|ms|us      unit of numeric timestamps (default auto: by magnitude)
${PSEUDONYM_HELP}
  --quiet                       no summary on stdout
${EXTRAS_HELP}
${SURVEY_HELP}

With markov, DIR also gets markov_transitions.csv and removal_effects.csv (as 'attrib paths' writes them).

${MODEL_PRESET_HELP}

Stage parameters:
${stage('touches')}
${stage('conversions')}`;
}

/** Entry point; returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [cmd, ...rest] = argv;
  try {
    if (!cmd || cmd === 'help' || cmd === '--help' || cmd === '-h') {
      if (rest[0] === 'attribute') console.log(attributeHelp(loadModelLibrary()));
      else if (rest[0] === 'paths') console.log(PATHS_HELP);
      else if (rest[0] === 'sweep') console.log(SWEEP_HELP);
      else if (rest[0] === 'audit') console.log(AUDIT_HELP);
      else if (rest[0] === 'diff') console.log(DIFF_HELP);
      else if (rest[0] === 'keygen') console.log(KEYGEN_HELP);
      else if (rest[0] === 'web') console.log((await import('./web.ts')).WEB_HELP);
      else console.log(USAGE);
      return 0;
    }
    if (cmd === 'attribute') return await attribute(rest);
    if (cmd === 'paths') return await pathsCommand(rest);
    if (cmd === 'sweep') return await sweepCommand(rest);
    if (cmd === 'audit') return await auditCommand(rest);
    if (cmd === 'diff') return await diffCommand(rest);
    if (cmd === 'keygen') return await keygenCommand(rest);
    // imported when used: the server and its WebSocket library cost every other command nothing
    if (cmd === 'web') return await (await import('./web.ts')).webCommand(rest);
    if (cmd === 'models') {
      if (rest.includes('--help')) {
        console.log('attrib models\n\nLists every bundled model with its version, description and parameters (from the SQL file headers).');
        return 0;
      }
      for (const m of loadModelLibrary().values()) {
        console.log(`${m.name} (v${m.version}, ${m.kind}): ${m.description}`);
        for (const p of m.params) console.log('    ' + paramLine(p));
      }
      return 0;
    }
    if (cmd === 'presets') {
      if (rest.includes('--help')) {
        console.log('attrib presets\n\nLists the import presets and the columns that identify each.');
        return 0;
      }
      for (const p of PRESETS) {
        const sigs = signaturesOf(p).filter((s) => s.length).map((s) => s.join(', '));
        console.log(`${p.id.padEnd(9)} ${p.label}${sigs.length ? ' (columns ' + sigs.join('; or ') + ')' : ''}`);
      }
      return 0;
    }
    throw new AttribError('bad_parameter', `unknown command '${cmd}'. Run 'attrib help'`);
  } catch (e) {
    return fail(e);
  }
}

function fail(e: unknown): number {
  if (e instanceof AttribError) {
    console.error(`attrib: ${e.oneLine()}`);
    return e.code === 'bad_parameter' || e.code === 'bad_rules' ? 2 : 1;
  }
  const err = e as Error;
  console.error(`attrib: internal error: ${err?.message ?? String(e)}`);
  if (process.env.ATTRIB_DEBUG) console.error(err?.stack);
  return 70;
}


/** --memory-limit: a size DuckDB understands (digits and a unit), for the native engine only. */
function memoryLimitOption(v: string | undefined, engine: string | undefined): string | undefined {
  if (v === undefined) return undefined;
  if ((engine ?? 'native') !== 'native') throw new AttribError('bad_parameter', '--memory-limit applies to the native engine (wasm has its 4 GiB heap)');
  if (!/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i.test(v.trim())) throw new AttribError('bad_parameter', `--memory-limit ${v}: give a size such as 512MB or 8GB`);
  return v.trim();
}

async function attribute(args: string[]): Promise<number> {
  const o = parseCommand('attribute', args, {
    ...EXTRA_OPTIONS,
    ...SURVEY_OPTIONS,
    ...PSEUDONYM_OPTIONS,
    ...EVENT_FILE_OPTIONS, out: { type: 'string' }, models: { type: 'string' },
    'lookback-days': { type: 'string' }, 'half-life-days': { type: 'string' }, 'session-timeout-minutes': { type: 'string' },
    'conversion-events': { type: 'string' }, 'conversion-flag': { type: 'string' }, param: { type: 'string', multiple: true }, rules: { type: 'string' },
    'site-domains': { type: 'string' }, engine: { type: 'string' }, 'memory-limit': { type: 'string' }, format: { type: 'string' }, delimiter: { type: 'string' },
    encoding: { type: 'string' }, 'csv-reader': { type: 'string' }, preset: { type: 'string' }, map: { type: 'string', multiple: true }, timezone: { type: 'string' },
    'time-unit': { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' },
    'markov-order': { type: 'string' }, 'path-transforms': { type: 'string' }, 'conversion-window': { type: 'string' },
    'path-lookback-steps': { type: 'string' }, 'attribution-models': { type: 'string' },
    'default-spend': { type: 'string' },
  });
  const lib = loadModelLibrary();
  if (o.help) {
    console.log(attributeHelp(lib));
    return 0;
  }
  if (!o.events?.length) throw new AttribError('bad_parameter', 'attribute needs --events FILE');
  if (!o.out) throw new AttribError('bad_parameter', 'attribute needs --out DIR');
  const modelPreset = o.preset !== undefined && !PRESETS.some((p) => p.id === o.preset);
  if (modelPreset && !modelPresetExists(o.preset!)) {
    throw new AttribError('bad_parameter', `--preset ${o.preset}: neither an import preset (${PRESETS.map((p) => p.id).join(', ')}) nor a model preset (models/presets/${o.preset}.json)`);
  }
  for (const k of modelPreset ? (['models', 'markov-order', 'half-life-days', 'param', 'rules', 'fraud-max-repeats', 'fraud-window-minutes', 'survey', 'survey-column', 'survey-map'] as const) : MODEL_PRESET_OPTIONS) {
    if (o[k] !== undefined) throw new AttribError('bad_parameter', modelPreset ? `--${k} does not apply to the model preset ${o.preset}` : `--${k} needs a model preset, e.g. --preset snowplow-fractribution`);
  }
  const models = o.models === 'all' ? RULE_BASED_MODELS : list(o.models) ?? DEFAULT_MODELS;
  const params: Record<string, unknown> = {};
  const setIf = (k: string, v: number | undefined) => v !== undefined && (params[k] = v);
  setIf('lookback_days', numberOption('lookback-days', o['lookback-days']));
  setIf('half_life_days', numberOption('half-life-days', o['half-life-days']));
  setIf('session_timeout_minutes', numberOption('session-timeout-minutes', o['session-timeout-minutes']));
  if (o['markov-order'] !== undefined && !models.includes('markov')) throw new AttribError('bad_parameter', '--markov-order needs markov in --models');
  if (o['path-transforms'] !== undefined && !modelPreset && !models.some((m) => (DATA_DRIVEN_MODELS as readonly string[]).includes(m))) {
    throw new AttribError('bad_parameter', `--path-transforms applies to the data-driven models: add ${DATA_DRIVEN_MODELS.join(', ')} to --models`);
  }
  setIf('markov_order', numberOption('markov-order', o['markov-order']));
  if (o['path-transforms'] !== undefined && !modelPreset) params.path_transforms = o['path-transforms'];
  const modelParams: Record<string, Record<string, unknown>> = {};
  for (const p of o.param ?? []) {
    const m = /^([a-z_]+)\.([a-z_]+)=(.+)$/.exec(p);
    if (!m) throw new AttribError('bad_parameter', `--param ${p}: expected model.name=value, e.g. custom.first_weight=0.5`);
    (modelParams[m[1]] ??= {})[m[2]] = m[3];
  }
  const importOpts = { ...importOptionsFrom(o), ...conversionsFrom(o) };
  if (modelPreset) {
    return modelPresetCommand({
      preset: o.preset!, events: o.events, out: o.out, engine: o.engine, quiet: o.quiet, importOpts,
      conversionWindow: o['conversion-window'], pathTransforms: o['path-transforms'], pathLookbackSteps: o['path-lookback-steps'],
      attributionModels: o['attribution-models'], spend: oneSpendFile(o.spend), defaultSpend: o['default-spend'],
      lookbackDays: params.lookback_days as number | undefined, sessionTimeoutMinutes: params.session_timeout_minutes as number | undefined,
      conversionEvents: importOpts.conversionEvents,
    }, lib);
  }
  const runOpts = { models, rules: loadRules(o.rules), params, modelParams };
  const extras = applyExtras(o, lib, runOpts, importOpts);
  const survey = await surveyFrom(o, importOpts);
  // Parameters (the extras' too, e.g. the fraud filter's) are checked before any data is read: a typo costs nothing.
  validateRun(lib, runOpts);
  const source = eventSources(o.events);
  const progress = progressLine();
  // The engine may write into --out (the user named it; this command runs only its own SQL): the
  // row files are written by DuckDB's COPY there, not row by row through JavaScript (cli/output.ts).
  const db = await openDatabase(o.engine ?? 'native', { memoryLimit: memoryLimitOption(o['memory-limit'], o.engine), outputDirs: [o.out] });
  try {
    const extra = await startExtras(db, lib, extras);
    const report = await importEvents(db, source, lib.get('staging')!, importOpts, progress);
    if (survey) checkSurveyColumn(survey, report);
    await buildJourneys(db, lib, runOpts, progress);
    // GA4's own attribution (ga4_reported) is written beside the models whenever the export carries it
    const shown = await withReported(db, lib, models);
    const dataDriven = await runModels(db, lib, { ...runOpts, models: shown }, progress);
    const summary = await summarizeOutputs(db, shown);
    progress.done();
    mkdirSync(o.out, { recursive: true });
    writeCsv(o.out, 'channel_summary', outputColumns('channel_summary', extras), summary);
    // streamed from the engine to the files: at 100M events the credits alone are tens of millions of rows
    for (const name of ROW_OUTPUTS) await writeCsvQuery(o.out, name, outputColumns(name, extras), db, OUTPUT_ROWS_SQL[name]);
    if (dataDriven?.markov) writeMarkovFiles(o.out, dataDriven.markov);
    if (!o.quiet) printSummary(report, await conversionStatus(db), o.out, db.kind, !!dataDriven?.markov);
    await extra.finish(runOpts, o.out);
    if (survey) await writeSurvey(db, lib, survey, models, o.out);
    return 0;
  } finally {
    progress.done();
    await db.close();
  }
}

/** The model preset's --spend is one channel,spend file (event runs take several ad reports). */
function oneSpendFile(files: string[] | undefined): string | undefined {
  if (files && files.length > 1) throw new AttribError('bad_parameter', '--spend: the model preset takes one channel,spend file');
  return files?.[0];
}

/** Conversions by touch status, in the order conversions.csv first shows each status. */
async function conversionStatus(db: Database): Promise<Record<string, number>> {
  const rows = await db.all('SELECT touch_status AS s, count(*) AS n FROM conversions GROUP BY 1 ORDER BY min(conversion_id)');
  return Object.fromEntries(rows.map((r) => [String(r.s), Number(r.n)]));
}

function printSummary(r: ImportReport, status: Record<string, number>, out: string, engine: string, markov: boolean): void {
  const total = Object.values(status).reduce((a, n) => a + n, 0);
  const rejects = Object.entries(r.rejectsByReason);
  const lines = [
    ...(r.files
      ? [`${r.files.length} files, engine ${engine}`, ...r.files.map((f) => `  ${f.file}${f.role === 'conversions' ? ' (conversions)' : ''}: ${f.format}, ${f.presetLabel}, read ${f.rowsRead}, loaded ${f.rowsLoaded}, rejected ${f.rejects}, conversions ${f.conversions}`)]
      : [`${r.file}: ${r.format}, preset ${r.preset} (${r.presetLabel}), engine ${engine}`]),
    `  layout: ${r.layout}`,
    `  rows read ${r.rowsRead}, loaded ${r.rowsLoaded}, rejected ${rejects.reduce((a, [, n]) => a + n, 0)}${rejects.length ? ' (' + rejects.map(([k, n]) => `${k} ${n}`).join(', ') + ')' : ''}`,
    `  timestamps: ${Object.entries(r.timestampKinds).map(([k, n]) => `${k} ${n}`).join(', ')}${r.timestampKinds.iso_naive ? `; naive ones read as ${r.timezone}` : ''}`,
    `  conversions ${total} (${Object.entries(status).map(([k, n]) => `${k} ${n}`).join(', ')})`,
    ...(r.reported ?? []).map((x) => `  ${x.model}: the export's own attribution, on ${x.conversions} of ${total} conversions (the rest '(not set)'), written beside the models; not a model of ours`),
    ...(r.pseudonymized ? [`  pseudonymised with key ${r.pseudonymized.keyId}: ${[...r.pseudonymized.fields, ...r.pseudonymized.keptColumns, 'e-mail addresses'].join(', ')}`] : []),
    ...r.warnings.map((w) => `  warning: ${w}`),
    `  wrote ${out}/channel_summary.csv, credits.csv, conversions.csv, rejects.csv${markov ? ', markov_transitions.csv, removal_effects.csv' : ''}`,
  ];
  console.log(lines.join('\n'));
}

/** A progress line on stderr, only when it is a terminal. */
function progressLine() {
  const tty = process.stderr.isTTY;
  let shown = false;
  const fn = (done: number, total: number, label: string) => {
    if (!tty) return;
    shown = true;
    const pct = total > 0 ? ` ${Math.round((done / total) * 100)}%` : done ? ` ${done.toLocaleString('en-US')}` : '';
    process.stderr.write(`\r\x1b[K${label}${pct}`);
  };
  fn.done = () => {
    if (shown) process.stderr.write('\r\x1b[K');
    shown = false;
  };
  return fn;
}
