/**
 * `attrib attribute` options beyond spec section 8: conversion kinds, click
 * proof, ad spend (ROAS / CPA), model comparison and report tables. Kept
 * apart from main.ts, which only parses, applies and calls them.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../common/errors.ts';
import { numberOption } from './args.ts';
import type { Database, Row } from '../common/db.ts';
import type { ImportOptions } from '../common/import/importer.ts';
import { checkConversionKinds, conversionEventsFor, conversionKindsFromJson, parseConversionKinds, type ConversionKind } from '../common/kinds.ts';
import { OUTPUT_COLUMNS, type ModelLibrary, type RunOptions } from '../common/pipeline.ts';
import { importSpend, prepareSpendTables, readSpendRejects, SPEND_REJECT_COLUMNS, type SpendReport } from '../common/spend.ts';
import { parseSpendChannels, PLATFORM_LAYOUTS } from '../common/spendLayouts.ts';
import { runSpendReports, SPEND_TABLES } from '../common/spendReport.ts';
import { checkBaseline, runComparison, COMPARISON_TABLE } from '../common/compare.ts';
import { runReports, REPORT_TABLES } from '../common/reports.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';
import { writeTable } from './write.ts';

/** The extra options, for parseArgs. */
export const EXTRA_OPTIONS = {
  'conversion-kinds': { type: 'string' },
  'click-proof': { type: 'boolean' },
  spend: { type: 'string', multiple: true },
  'spend-channel': { type: 'string', multiple: true },
  compare: { type: 'string' },
  report: { type: 'string' },
  'fraud-max-repeats': { type: 'string' },
  'fraud-window-minutes': { type: 'string' },
} as const;

/** Help lines for the extra options and files. */
export const EXTRAS_HELP = `  --conversion-kinds SPEC       conversion event names, each with its own window and value:
                                'checkout:lookback=7,value=revenue;signup:lookback=30,value=none'
                                value = revenue | none | constant:N; a kind without lookback takes
                                --lookback-days; @FILE.json reads {"checkout": {"lookback": 7, "value": "revenue"}}
  --click-proof                 last touch: the latest touch whose session has a click_token outranks
                                later touches without one; conversions.csv gains has_click_proof
  --spend FILE                  ad spend (.csv .tsv .parquet; repeatable): date, channel, campaign, spend,
                                impressions, clicks, or a Fivetran ad report:
                                ${PLATFORM_LAYOUTS.join(', ')};
                                writes spend_report.csv, campaign_report.csv, spend_rejects.csv
  --spend-channel LAYOUT=CH     channel of a Fivetran layout's rows (repeatable), e.g. google_ads=paid_search
  --compare MODEL               writes model_comparison.csv: every model against MODEL, per channel
  --report DIR                  writes the report tables into DIR: first_touch_attribution, last_touch_attribution,
                                client_journeys, channel_performance, top_paths, time_to_convert, touches_to_convert
  --fraud-max-repeats N         fraud filter (default 0 = off): a campaign touch event (utm_campaign or a click id) that is
                                more than the N-th of its person, or of its device (anon_id), on the same campaign within
                                --fraud-window-minutes (default 10, both ends inclusive) is dropped: no touch, no channel;
                                writes fraud_dropped.csv (event_id, person_key, anon_id, campaign, event_ts, repeats_in_window)
  --fraud-window-minutes M      the fraud filter's window (needs --fraud-max-repeats)`;

/** fraud_dropped.csv: the events the fraud filter dropped (models/touches.sql), times as ISO text. */
export const FRAUD_TABLE = { file: 'fraud_dropped', columns: ['event_id', 'person_key', 'anon_id', 'campaign', 'event_ts', 'repeats_in_window'] };

/** The extra options, parsed and checked. */
export interface Extras {
  kinds?: ConversionKind[];
  clickProof: boolean;
  spend: string[];
  spendChannels: Record<string, string>;
  compare?: string;
  report?: string;
  /** The fraud filter is on (--fraud-max-repeats > 0): fraud_dropped.csv is written. */
  fraud: boolean;
  quiet: boolean;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/**
 * Reads the extra options, applies them to the run and import options and
 * checks them, before any data is read.
 */
export function applyExtras(o: Values, lib: ModelLibrary, run: RunOptions, imp: ImportOptions): Extras {
  const spec = o['conversion-kinds'] as string | undefined;
  const kinds = spec === undefined ? undefined : spec.startsWith('@') ? kindsFile(spec.slice(1)) : parseConversionKinds(spec);
  const clickProof = o['click-proof'] === true || String(run.modelParams?.last_touch?.click_proof) === 'true';
  if (kinds) {
    checkConversionKinds(lib.get('conversions')!, kinds);
    run.conversionKinds = kinds;
    imp.conversionEvents = conversionEventsFor(kinds, imp.conversionEvents);
  }
  if (o['click-proof']) run.params.click_proof = true;
  const fraudMax = o['fraud-max-repeats'] as string | undefined;
  const fraudWindow = o['fraud-window-minutes'] as string | undefined;
  if (fraudWindow !== undefined && fraudMax === undefined) throw new AttribError('bad_parameter', '--fraud-window-minutes needs --fraud-max-repeats N');
  // Passed as text: the touches stage's header checks them (whole number, range) before any data is read.
  if (fraudMax !== undefined) run.params.fraud_max_repeats = numberOption('fraud-max-repeats', fraudMax);
  if (fraudWindow !== undefined) run.params.fraud_window_minutes = numberOption('fraud-window-minutes', fraudWindow);
  const x: Extras = {
    kinds,
    clickProof,
    spend: (o.spend as string[] | undefined) ?? [],
    spendChannels: parseSpendChannels((o['spend-channel'] as string[] | undefined) ?? []),
    compare: o.compare as string | undefined,
    report: o.report as string | undefined,
    fraud: fraudMax !== undefined && Number(fraudMax) > 0,
    quiet: o.quiet === true,
  };
  if (x.compare !== undefined) checkBaseline(x.compare, run.models);
  if (x.report === '') throw new AttribError('bad_parameter', '--report needs a folder');
  return x;
}


function kindsFile(file: string): ConversionKind[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AttribError('bad_parameter', 'cannot read the conversion kinds file', { file });
  }
  try {
    return conversionKindsFromJson(JSON.parse(text), path.basename(file));
  } catch (e) {
    if (e instanceof AttribError) throw e;
    throw new AttribError('bad_parameter', `not valid JSON (${(e as Error).message})`, { file });
  }
}

/** Columns of one of the four files: the spec's, plus has_click_proof on conversions with --click-proof. */
export function outputColumns(name: keyof typeof OUTPUT_COLUMNS, x: Extras): string[] {
  const cols: string[] = [...OUTPUT_COLUMNS[name]];
  return name === 'conversions' && x.clickProof ? [...cols, 'has_click_proof'] : cols;
}

/**
 * Reads the spend files first (a bad one fails before the long part) and
 * returns the step that writes every extra file once the run is done.
 */
export async function startExtras(db: Database, lib: ModelLibrary, x: Extras) {
  const spendReports: SpendReport[] = [];
  if (x.spend.length) {
    await prepareSpendTables(db);
    for (const f of x.spend) spendReports.push(await importSpend(db, fileSourceFromPath(f), lib.get('spend')!, { channels: x.spendChannels }));
  }
  return {
    /** Writes the extra files into `out` (and --report's folder) and prints what was written. */
    async finish(run: RunOptions, out: string): Promise<void> {
      const lines: string[] = [];
      if (x.spend.length) {
        const r = await runSpendReports(db, lib, run);
        writeTable(out, SPEND_TABLES.spend_report, r.spend_report);
        writeTable(out, SPEND_TABLES.campaign_report, r.campaign_report);
        writeTable(out, { file: 'spend_rejects', columns: SPEND_REJECT_COLUMNS }, await readSpendRejects(db));
        lines.push(...spendSummary(spendReports, await conversionSpan(db)));
        if (r.skippedForCampaigns.length) lines.push(`  campaign_report.csv leaves out ${r.skippedForCampaigns.join(', ')} (no per-touch credits to split by campaign)`);
        lines.push(`  wrote ${out}/spend_report.csv, campaign_report.csv, spend_rejects.csv`);
      }
      if (x.fraud) {
        const rows = await db.all(`SELECT event_id, person_key, anon_id, campaign,
          strftime(make_timestamp(event_ts_us), '%Y-%m-%dT%H:%M:%S.%fZ') AS event_ts, repeats_in_window
          FROM fraud_dropped ORDER BY event_ts_us, event_id`);
        writeTable(out, FRAUD_TABLE, rows);
        lines.push(`  fraud filter: dropped ${rows.length} campaign touch event(s); wrote ${out}/fraud_dropped.csv`);
      }
      if (x.compare !== undefined) {
        writeTable(out, COMPARISON_TABLE, await runComparison(db, lib, run.models, x.compare));
        lines.push(`  wrote ${out}/model_comparison.csv (baseline ${x.compare})`);
      }
      if (x.report !== undefined) {
        const rows = await runReports(db, lib, { clickProof: x.clickProof });
        for (const t of REPORT_TABLES) writeTable(x.report, t, rows[t.file]);
        lines.push(`  wrote ${x.report}/${REPORT_TABLES.map((t) => t.file + '.csv').join(', ')}`);
      }
      if (!x.quiet && lines.length) console.log(lines.join('\n'));
    },
  };
}

async function conversionSpan(db: Database): Promise<Row> {
  return (await db.all(`SELECT strftime(make_timestamp(min(conversion_us)), '%Y-%m-%d') AS d0, strftime(make_timestamp(max(conversion_us)), '%Y-%m-%d') AS d1 FROM conversions`))[0];
}

function spendSummary(reports: SpendReport[], span: Row): string[] {
  const lines: string[] = [];
  for (const r of reports) {
    const rejected = Object.entries(r.rejectsByReason);
    lines.push(
      `  spend ${r.file}: ${r.layoutLabel}, rows read ${r.rowsRead}, loaded ${r.rowsLoaded}, rejected ${rejected.reduce((a, [, n]) => a + n, 0)}` +
        `${rejected.length ? ' (' + rejected.map(([k, n]) => `${k} ${n}`).join(', ') + ')' : ''}, total ${+r.spend.toFixed(2)}${r.from ? `, ${r.from} to ${r.to}` : ''}`,
    );
    // spend is summed over the whole file: say so when it and the conversions do not even overlap
    if (r.from && span.d0 && (r.to! < String(span.d0) || r.from > String(span.d1))) {
      lines.push(`  warning: ${r.file} covers ${r.from} to ${r.to}, the conversions ${span.d0} to ${span.d1}: ROAS and CPA compare different periods`);
    }
  }
  return lines;
}
