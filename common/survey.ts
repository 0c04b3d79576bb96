/**
 * Self-reported attribution: "how did you hear about us" answers, mapped to
 * channels and compared with each model's credits (models/survey.sql).
 * Answers come from a survey CSV (read here) or from a column of the
 * conversion events (kept at import, common/import/importer.ts keepColumns).
 */
import type { Database, Row, SqlValue } from './db.ts';
import { ident } from './db.ts';
import { AttribError } from './errors.ts';
import type { FileSource } from './import/source.ts';
import { openCsv } from './import/csv.ts';
import type { ModelSpec } from './modelHeader.ts';
import { runStage } from './pipeline.ts';

/** One entry of an answer -> channel mapping; `exact` entries must equal the answer, the others be contained in it. */
export interface SurveyMapEntry {
  pattern: string;
  exact: boolean;
  channel: string;
}

/**
 * The mapping used without --survey-map. Search answers go to organic_search:
 * respondents say "Google" whether they clicked an ad or not, and an ad answer
 * ("google ad") is the longer, more specific pattern that wins. Social networks
 * go to paid_social, where most "Instagram" buyers of a brand that advertises
 * there come from. word_of_mouth, podcast, tv, radio, print and influencer are
 * channels no model has: their credit shows where the models put those buyers.
 * A key starting with '=' is exact ('=tv': "tv" alone, not "tv" inside a word).
 */
export const DEFAULT_SURVEY_MAP: Record<string, string> = {
  google: 'organic_search', search: 'organic_search', bing: 'organic_search', duckduckgo: 'organic_search',
  'google ad': 'paid_search', 'search ad': 'paid_search', 'sponsored result': 'paid_search',
  friend: 'word_of_mouth', 'word of mouth': 'word_of_mouth', colleague: 'word_of_mouth', family: 'word_of_mouth', recommend: 'word_of_mouth', 'referred by': 'word_of_mouth',
  podcast: 'podcast',
  '=tv': 'tv', television: 'tv', 'tv ad': 'tv', 'tv commercial': 'tv',
  radio: 'radio',
  magazine: 'print', newspaper: 'print', billboard: 'print',
  influencer: 'influencer',
  facebook: 'paid_social', instagram: 'paid_social', tiktok: 'paid_social', pinterest: 'paid_social', linkedin: 'paid_social', youtube: 'paid_social', '=social media': 'paid_social',
  email: 'email', newsletter: 'email',
  blog: 'referral', article: 'referral', review: 'referral',
};

/** Lower case, trimmed, inner whitespace collapsed: how answers and patterns are compared. */
export function normaliseAnswer(s: string): string {
  return s.trim().replace(/\s+/g, ' ').toLowerCase();
}

/**
 * Checks a mapping ({"pattern": "channel"}, '=' prefix for exact) and returns
 * its entries in order. @throws AttribError `bad_parameter` naming the file and key.
 */
export function parseSurveyMap(json: unknown, file = 'survey map'): SurveyMapEntry[] {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new AttribError('bad_parameter', 'the survey map must be a JSON object {"answer pattern": "channel"}', { file });
  }
  const out: SurveyMapEntry[] = [];
  for (const [key, value] of Object.entries(json)) {
    const exact = key.startsWith('=');
    const pattern = normaliseAnswer(exact ? key.slice(1) : key);
    if (!pattern) throw new AttribError('bad_parameter', `empty pattern ${JSON.stringify(key)}`, { file });
    if (typeof value !== 'string' || !value.trim()) throw new AttribError('bad_parameter', `pattern ${JSON.stringify(key)}: the channel must be a non-empty string`, { file });
    out.push({ pattern, exact, channel: value.trim().toLowerCase() });
  }
  if (!out.length) throw new AttribError('bad_parameter', 'the survey map has no entries', { file });
  return out;
}

/** Survey CSV columns that key an answer to a conversion, then to a person. */
const CONVERSION_KEYS = ['conversion_id', 'order_id', 'event_id'];
const PERSON_KEYS = ['user_id', 'person_key'];
const ANSWER_COLUMNS = ['answer', 'response', 'survey_answer', 'how_did_you_hear'];

/** Survey answers keyed to conversions (by id) or to people (by person key). */
export interface SurveyResponses {
  keyKind: 'conversion' | 'person';
  rows: { key: string; answer: string; line: number }[];
}

/**
 * Reads a survey CSV: a key column (conversion_id / order_id / event_id, or
 * user_id / person_key) and an answer column (answer, response,
 * survey_answer, how_did_you_hear, or the only other column).
 */
export async function readSurveyCsv(source: FileSource): Promise<SurveyResponses> {
  const reader = await openCsv(source);
  const lower = reader.header.map((h) => h.trim().toLowerCase());
  const keyCol = [...CONVERSION_KEYS, ...PERSON_KEYS].map((k) => lower.indexOf(k)).find((i) => i >= 0);
  if (keyCol === undefined) {
    throw new AttribError('bad_parameter', `no key column: name one ${[...CONVERSION_KEYS, ...PERSON_KEYS].join(', ')}`, { file: source.name, line: 1 });
  }
  const keyKind = CONVERSION_KEYS.includes(lower[keyCol]) ? 'conversion' : 'person';
  let answerCol = ANSWER_COLUMNS.map((k) => lower.indexOf(k)).find((i) => i >= 0);
  if (answerCol === undefined && lower.length === 2) answerCol = 1 - keyCol;
  if (answerCol === undefined) {
    throw new AttribError('bad_parameter', `no answer column: name one ${ANSWER_COLUMNS.join(', ')} (or keep only the key and the answer)`, { file: source.name, line: 1 });
  }
  const rows: SurveyResponses['rows'] = [];
  for await (const batch of reader.batches()) {
    const bad = batch.rejects[0];
    if (bad) throw new AttribError('bad_parameter', `${bad.reason}: ${bad.detail}`, { file: source.name, line: bad.line, column: bad.column });
    for (let i = 0; i < batch.rowCount; i++) {
      rows.push({ key: batch.columns[keyCol][i].trim(), answer: batch.columns[answerCol][i], line: batch.lines[i] });
    }
  }
  return { keyKind, rows };
}

/** Writes the survey_map table (entries in order: k breaks ties). */
async function writeMap(db: Database, map: SurveyMapEntry[]): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE survey_map (pattern VARCHAR, exact BOOLEAN, channel VARCHAR, k INTEGER)');
  await insertRows(db, 'survey_map', map.map((m, k) => [m.pattern, m.exact, m.channel, k]));
}

/** Loads answers read from a survey file into survey_responses, and the mapping. */
export async function loadSurveyResponses(db: Database, r: SurveyResponses, map: SurveyMapEntry[]): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE survey_responses (key_kind VARCHAR, key VARCHAR, answer VARCHAR, line INTEGER)');
  await insertRows(db, 'survey_responses', r.rows.map((x) => [r.keyKind, x.key, x.answer, x.line]));
  await writeMap(db, map);
}

/**
 * Loads the answers of a column of the conversion events (kept at import in
 * event_extras, lower-case name) into survey_responses, and the mapping.
 */
export async function loadSurveyColumn(db: Database, column: string, map: SurveyMapEntry[]): Promise<void> {
  await db.run(`CREATE OR REPLACE TABLE survey_responses AS
    SELECT 'conversion' AS key_kind, e.event_id AS key, x.${ident(column.toLowerCase())} AS answer, e._row AS line
    FROM events e JOIN event_extras x ON x._file = e._file AND x._row = e._row
    WHERE e.is_conversion`);
  await writeMap(db, map);
}

/** Inserts rows with bound values, a few hundred per statement. */
async function insertRows(db: Database, table: string, rows: SqlValue[][]): Promise<void> {
  for (let i = 0; i < rows.length; i += 200) {
    const part = rows.slice(i, i + 200);
    const w = part[0].length;
    const values = part.map((_, r) => `(${Array.from({ length: w }, (_, c) => `$${r * w + c + 1}`).join(', ')})`).join(', ');
    await db.run(`INSERT INTO ${ident(table)} VALUES ${values}`, part.flat());
  }
}

/** survey_agreement.csv, survey_models.csv and survey_answers.csv: their columns. */
export const SURVEY_TABLES = {
  survey_agreement: { file: 'survey_agreement', columns: ['model', 'survey_channel', 'model_channel', 'conversions_credit'] },
  survey_models: { file: 'survey_models', columns: ['model', 'surveyed_conversions', 'mapped_conversions', 'agreeing_credit', 'agreement_rate', 'mapped_agreement_rate'] },
  survey_answers: { file: 'survey_answers', columns: ['answer', 'channel', 'count', 'matched_conversions'] },
};

/** What the survey comparison found, rows in output order. */
export interface SurveyResult {
  survey_agreement: Row[];
  survey_models: Row[];
  survey_answers: Row[];
  /** Answers whose key matched no conversion (or a person without one). */
  unmatched: number;
}

/**
 * Compares the loaded answers with the credits of `models` (a finished run's
 * `credits` and `conversions`). Rows: models in the order given, then channels.
 */
export async function runSurvey(db: Database, spec: ModelSpec, models: string[]): Promise<SurveyResult> {
  await db.run('CREATE OR REPLACE TEMP TABLE model_order (model VARCHAR, k INTEGER)');
  await insertRows(db, 'model_order', models.map((m, k) => [m, k]));
  await runStage(db, spec, {});
  const order = 'JOIN model_order o USING (model) ORDER BY o.k';
  return {
    survey_agreement: await db.all(`SELECT s.* FROM survey_agreement s ${order}, s.survey_channel, s.model_channel`),
    survey_models: await db.all(`SELECT s.* FROM survey_models s ${order}`),
    survey_answers: await db.all('SELECT * FROM survey_answers ORDER BY count DESC, answer'),
    unmatched: Number((await db.all('SELECT coalesce(sum(count - matched_conversions), 0) AS n FROM survey_answers'))[0].n),
  };
}
