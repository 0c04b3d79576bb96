/**
 * Conversion kinds: several conversion event names, each with its own
 * lookback window and value rule, e.g. a 7-day window for `checkout` valued
 * at its revenue and a 30-day window for `signup` valued at nothing.
 *
 * Written as `name[:setting=value,...]` items separated by `;`
 * (`checkout:lookback=7,value=revenue;signup:lookback=30,value=none`) or as
 * a JSON object `{ "checkout": { "lookback": 7, "value": "revenue" } }`.
 * models/conversions.sql joins the `conversion_kinds` table these become;
 * a kind without a lookback takes the run's lookback_days.
 */
import type { Database } from './db.ts';
import { AttribError } from './errors.ts';
import { resolveParams, type ModelSpec } from './modelHeader.ts';

/** How a conversion's value is read. Only revenue is kept by the importer, so other columns cannot be chosen. */
export type ValueRule = { rule: 'revenue' } | { rule: 'none' } | { rule: 'constant'; amount: number };

/** One conversion event name with its own window and value. */
export interface ConversionKind {
  /** The event name (compared lower-case, like every event name). */
  name: string;
  /** Journey window in days; undefined = the run's lookback_days. */
  lookbackDays?: number;
  value: ValueRule;
}

const SYNTAX = "use NAME[:lookback=DAYS,value=revenue|none|constant:N] items separated by ';'";

/** Parses the `--conversion-kinds` text; throws one-line `bad_parameter` errors naming the item. */
export function parseConversionKinds(text: string, option = '--conversion-kinds'): ConversionKind[] {
  const items = text.split(';').map((s) => s.trim()).filter(Boolean);
  if (!items.length) throw new AttribError('bad_parameter', `${option}: no kinds given (${SYNTAX})`);
  return checkUnique(
    items.map((item) => {
      const colon = item.indexOf(':');
      const name = (colon < 0 ? item : item.slice(0, colon)).trim();
      const settings: Record<string, string> = {};
      const rest = colon < 0 ? '' : item.slice(colon + 1);
      for (const part of rest.split(',').map((s) => s.trim()).filter(Boolean)) {
        const eq = part.indexOf('=');
        if (eq < 0) throw new AttribError('bad_parameter', `${option}: '${item}': '${part}' is not setting=value (${SYNTAX})`);
        settings[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
      }
      return toKind(name, settings, `${option}: '${item}'`);
    }),
    option,
  );
}

/** Reads the JSON form: an object of kind name -> { lookback?: days, value?: 'revenue' | 'none' | 'constant:N' | number }. */
export function conversionKindsFromJson(json: unknown, file: string): ConversionKind[] {
  if (!json || typeof json !== 'object' || Array.isArray(json)) {
    throw new AttribError('bad_parameter', 'expected an object of kind name -> { "lookback": days, "value": "revenue" | "none" | "constant:N" }', { file });
  }
  const entries = Object.entries(json as Record<string, unknown>);
  if (!entries.length) throw new AttribError('bad_parameter', 'no kinds given', { file });
  return checkUnique(
    entries.map(([name, v]) => {
      if (!v || typeof v !== 'object' || Array.isArray(v)) throw new AttribError('bad_parameter', `kind '${name}': expected an object like { "lookback": 7, "value": "revenue" }`, { file });
      const settings: Record<string, string> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        // a bare number as value means a constant
        settings[k] = k === 'value' && typeof x === 'number' ? `constant:${x}` : String(x);
      }
      return toKind(name, settings, `${file}: kind '${name}'`);
    }),
    file,
  );
}

function toKind(rawName: string, settings: Record<string, string>, where: string): ConversionKind {
  const name = rawName.trim().toLowerCase();
  if (!name) throw new AttribError('bad_parameter', `${where}: the kind needs an event name (${SYNTAX})`);
  const kind: ConversionKind = { name, value: { rule: 'revenue' } };
  for (const [key, v] of Object.entries(settings)) {
    if (key === 'lookback') {
      const n = Number(v);
      if (v === '' || !Number.isFinite(n)) throw new AttribError('bad_parameter', `${where}: lookback must be a number of days, got '${v}'`);
      kind.lookbackDays = n;
    } else if (key === 'value') {
      kind.value = parseValueRule(v, where);
    } else {
      throw new AttribError('bad_parameter', `${where}: unknown setting '${key}' (use lookback=DAYS, value=revenue|none|constant:N)`);
    }
  }
  return kind;
}

function parseValueRule(v: string, where: string): ValueRule {
  const s = v.trim().toLowerCase();
  if (s === 'revenue' || s === 'none') return { rule: s };
  const m = /^constant:(.*)$/.exec(s);
  const amount = m ? Number(m[1]) : NaN;
  if (m && m[1].trim() !== '' && Number.isFinite(amount) && amount >= 0) return { rule: 'constant', amount };
  if (m) throw new AttribError('bad_parameter', `${where}: constant:N needs a number >= 0, got '${m[1]}'`);
  throw new AttribError(
    'bad_parameter',
    `${where}: value must be revenue, none or constant:N, got '${v}' (the importer keeps only the revenue column of an event, so no other column can be a value)`,
  );
}

function checkUnique(kinds: ConversionKind[], where: string): ConversionKind[] {
  const seen = new Set<string>();
  for (const k of kinds) {
    if (seen.has(k.name)) throw new AttribError('bad_parameter', `${where}: kind '${k.name}' is given twice`);
    seen.add(k.name);
  }
  return kinds;
}

/**
 * Checks each kind's window against the conversions stage's own range for
 * lookback_days (so the message matches --lookback-days).
 */
export function checkConversionKinds(conversions: ModelSpec, kinds: ConversionKind[]): void {
  for (const k of kinds) {
    if (k.lookbackDays !== undefined) resolveParams(conversions.params, { lookback_days: k.lookbackDays }, [], `conversion kind ${k.name}`);
  }
}

/**
 * Writes the `conversion_kinds` table models/conversions.sql joins. An empty
 * table (the default) leaves every conversion on lookback_days and revenue.
 * The window is converted to microseconds by the same SQL expression as
 * lookback_days, so a kind with lookback=30 and the default agree to the µs.
 */
export async function writeConversionKinds(db: Database, kinds: ConversionKind[]): Promise<void> {
  await db.run('CREATE OR REPLACE TABLE conversion_kinds (kind VARCHAR PRIMARY KEY, lookback_us BIGINT, value_rule VARCHAR, value_constant DOUBLE)');
  for (const k of kinds) {
    await db.run('INSERT INTO conversion_kinds VALUES ($1, CAST(round(CAST($2 AS DOUBLE) * 86400000000) AS BIGINT), $3, $4)', [
      k.name,
      k.lookbackDays ?? null,
      k.value.rule,
      k.value.rule === 'constant' ? k.value.amount : null,
    ]);
  }
}

/** The event names that must be conversions at import: the kinds' names plus any others asked for. */
export function conversionEventsFor(kinds: ConversionKind[], others: string[] | undefined): string[] {
  return [...new Set([...kinds.map((k) => k.name), ...(others ?? []).map((x) => x.trim().toLowerCase())])];
}
