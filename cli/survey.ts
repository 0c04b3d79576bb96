/**
 * `attrib attribute --survey FILE | --survey-column NAME [--survey-map FILE]`:
 * self-reported attribution compared with every model of the run
 * (common/survey.ts). The survey and its map are read and checked before the
 * events, so a bad one costs nothing.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../common/errors.ts';
import type { Database } from '../common/db.ts';
import type { ImportOptions, ImportReport } from '../common/import/importer.ts';
import type { ModelLibrary } from '../common/pipeline.ts';
import { DEFAULT_SURVEY_MAP, loadSurveyColumn, loadSurveyResponses, parseSurveyMap, readSurveyCsv, runSurvey, SURVEY_TABLES, type SurveyMapEntry, type SurveyResponses } from '../common/survey.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';
import { writeTable } from './write.ts';

/** The survey options, for parseArgs. */
export const SURVEY_OPTIONS = {
  survey: { type: 'string' },
  'survey-column': { type: 'string' },
  'survey-map': { type: 'string' },
} as const;

/** Help lines for the survey options. */
export const SURVEY_HELP = `  --survey FILE                 "how did you hear about us" answers (CSV): a key column (conversion_id, order_id or
                                event_id: that conversion; user_id or person_key: the person's earliest conversion)
                                and an answer column (answer, response, survey_answer, how_did_you_hear, or the other one);
                                writes survey_agreement.csv, survey_models.csv (agreement rate per model), survey_answers.csv
  --survey-column NAME          the answers are this column of the conversion events instead
  --survey-map FILE             answer -> channel JSON, {"podcast": "podcast", "=tv": "tv"}: case-insensitive substring,
                                '=' for exact; exact first, then the longest pattern; no match -> 'unmapped'
                                (default: the built-in map, see the README)`;

/** The survey to compare, read and checked. */
export interface SurveyPlan {
  responses?: SurveyResponses;
  column?: string;
  map: SurveyMapEntry[];
  quiet: boolean;
}

type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Reads --survey and --survey-map (or notes --survey-column, kept at import); undefined without a survey. */
export async function surveyFrom(o: Values, imp: ImportOptions): Promise<SurveyPlan | undefined> {
  const file = o.survey as string | undefined;
  const column = o['survey-column'] as string | undefined;
  const mapFile = o['survey-map'] as string | undefined;
  if (file !== undefined && column !== undefined) throw new AttribError('bad_parameter', '--survey and --survey-column: give one of them');
  if (file === undefined && column === undefined) {
    if (mapFile !== undefined) throw new AttribError('bad_parameter', '--survey-map needs --survey FILE or --survey-column NAME');
    return undefined;
  }
  if (column !== undefined && !column.trim()) throw new AttribError('bad_parameter', '--survey-column needs a column name');
  const map = mapFile === undefined ? parseSurveyMap(DEFAULT_SURVEY_MAP) : readMap(mapFile);
  if (column !== undefined) imp.keepColumns = [...(imp.keepColumns ?? []), column.trim()];
  const responses = file === undefined ? undefined : await readSurveyCsv(fileSourceFromPath(file));
  return { responses, column: column?.trim(), map, quiet: o.quiet === true };
}

function readMap(file: string): SurveyMapEntry[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AttribError('bad_parameter', 'cannot read the survey map', { file });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new AttribError('bad_parameter', `not valid JSON (${(e as Error).message})`, { file });
  }
  return parseSurveyMap(json, path.basename(file));
}

/** --survey-column must name a column of the events file (the importer would keep it as empty values). */
export function checkSurveyColumn(plan: SurveyPlan, report: ImportReport): void {
  if (plan.column === undefined) return;
  const cols = [...report.unusedColumns, ...Object.values(report.mapping)].filter((c): c is string => typeof c === 'string').map((c) => c.toLowerCase());
  if (!cols.includes(plan.column.toLowerCase())) throw new AttribError('bad_parameter', `--survey-column ${plan.column}: the events file has no such column`, { file: report.file });
}

/** Compares the survey with the run's credits and writes the three files into `out`. */
export async function writeSurvey(db: Database, lib: ModelLibrary, plan: SurveyPlan, models: string[], out: string): Promise<void> {
  if (plan.responses) await loadSurveyResponses(db, plan.responses, plan.map);
  else await loadSurveyColumn(db, plan.column!, plan.map);
  const r = await runSurvey(db, lib.get('survey')!, models);
  for (const t of Object.values(SURVEY_TABLES)) writeTable(out, t, r[t.file as keyof typeof SURVEY_TABLES]);
  if (plan.quiet) return;
  const surveyed = Number(r.survey_models[0]?.surveyed_conversions ?? 0);
  const unmapped = r.survey_answers.filter((a) => a.channel === 'unmapped').reduce((n, a) => n + Number(a.matched_conversions), 0);
  const rates = r.survey_models.map((m) => `${m.model} ${m.agreement_rate === null ? '-' : +(Number(m.agreement_rate) * 100).toFixed(1) + '%'}`);
  console.log([
    `  survey: ${surveyed} surveyed conversions (${unmapped} with an unmapped answer)${r.unmatched ? `, ${r.unmatched} answer(s) matched no conversion or repeated one` : ''}`,
    `  survey agreement: ${rates.join(', ')}`,
    `  wrote ${out}/survey_agreement.csv, survey_models.csv, survey_answers.csv`,
  ].join('\n'));
}
