/**
 * Column mapping: which source column feeds each canonical field.
 *
 * Spec section 1 defines the canonical events table and its common aliases;
 * presets recognise the usual exports (GA4, Segment, PostHog, Mixpanel,
 * Snowplow) by their columns. `--map target=source` overrides both.
 */
import { AttribError } from '../errors.ts';
import { GENERIC, PRESETS } from './layouts/index.ts';
import type { Expansion } from './expand.ts';

export { PRESETS };

/** The canonical fields of the events table (spec section 1). */
export const CANONICAL_FIELDS = [
  'event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'session_id', 'channel',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer', 'page_url',
  'gclid', 'msclkid', 'fbclid', 'ttclid', 'li_fat_id', 'rdt_cid', 'click_token',
  // Google's display click id (Campaign Manager / DV360) and Merchant Center's organic-listing tag
  'dclid', 'srsltid', 'revenue', 'currency',
  // an order id: repeats of one conversion are rejected as duplicate_transaction (transactions.ts)
  'transaction_id',
] as const;

/** One canonical field name. */
export type CanonicalField = (typeof CANONICAL_FIELDS)[number];

/** Canonical field -> source column name (absent fields are NULL). */
export type ColumnMapping = Partial<Record<CanonicalField, string>>;

/** How the time column's values are to be read. */
export type TimeUnit = 'auto' | 's' | 'ms' | 'us';

/** A preset: how one export's columns map to the canonical fields. */
export interface Preset {
  id: string;
  label: string;
  /** Columns whose presence identifies the export (lower-case). */
  signature: string[];
  /**
   * Other column sets that identify the same vendor's other shapes of export
   * (a raw NDJSON export flattened to `properties.*`, a warehouse table):
   * any one set present in full is a match, like `signature`.
   */
  altSignatures?: string[][];
  /**
   * The name of each shape in words, `signature` first then each of
   * `altSignatures` (the layout line, layoutLine.ts: "Mixpanel raw export");
   * absent: the label.
   */
  shapes?: string[];
  /** Candidate source columns per field, first present wins (lower-case). */
  fields: Partial<Record<CanonicalField, string[]>>;
  /**
   * Fields whose later present candidates (this layout's own, never the
   * generic aliases) fill the rows where the first one is empty: an export
   * that puts a value in one of two places per row (Segment's `event` on
   * track calls, `type` on page calls; Mixpanel's `$device_id`, else
   * `distinct_id`).
   */
  coalesce?: CanonicalField[];
  /**
   * The event names that are conversions in this export when the user names
   * none (no --conversion-events, no --conversion-flag): Snowplow's
   * `transaction`. Without it, `purchase`.
   */
  conversionEvents?: string[];
  /**
   * The export's anonymous id becomes the user's id once the user is
   * identified (PostHog without person_id: after `$identify`, `distinct_id`
   * is the id given to identify): rows whose anon_id some accepted row of the
   * file names as a user_id are that user's (importer.ts).
   */
  anonIdBecomesUserId?: boolean;
  /**
   * What a repeat of an event id must also share to be a duplicate, when the
   * export's id alone is not unique (Mixpanel dedupes on $insert_id together
   * with the event name, distinct_id and time). Rows that share the id but
   * not these are different events: kept, their ids told apart (importer.ts).
   */
  duplicateKey?: ('event_name' | 'user_id' | 'anon_id' | 'ts_us')[];
  /** Unit of a numeric time column, when the export fixes it. */
  timeUnit?: TimeUnit;
  /**
   * Nested cells the layout reads as flat columns (JSON text in CSV, nested
   * objects and arrays in NDJSON, structs and lists in Parquet): see expand.ts.
   * The mapping is resolved again on the expanded columns.
   */
  expand?: Expansion;
  /**
   * The export's session ids are unique per anonymous id only (GA4's
   * ga_session_id): the session is then `anon_id.session_id` (staging.sql),
   * built after pseudonymisation so no raw id reaches it.
   */
  sessionPerAnon?: boolean;
  /**
   * The vendor's own attribution of each conversion, when the export carries
   * it (GA4: session_traffic_source_last_click.cross_channel_campaign). Read
   * from conversion rows into `reported_attribution` at import and shown
   * beside our models by the credit model named here (its header says
   * `reported:`), never used as a touch. Candidates per field, first present
   * column wins (lower case, after expansion).
   */
  reported?: ReportedSpec;
}

/** Where an export keeps its vendor's per-conversion attribution (see Preset.reported). */
export interface ReportedSpec {
  /** The credit model that shows it (models/<model>.sql, header `reported:`). */
  model: string;
  /** The vendor's channel group for the conversion (GA4: default_channel_group). */
  channelGroup: string[];
  source: string[];
  medium: string[];
  campaign: string[];
}

/** The outcome of mapping: which column feeds what, and why. */
export interface ResolvedMapping {
  preset: Preset;
  mapping: ColumnMapping;
  /** Per field, the columns that fill the rows where `mapping`'s column is empty, in order (see Preset.coalesce). */
  fallbacks: Partial<Record<CanonicalField, string[]>>;
  /** Source columns that feed nothing (shown, never silently used). */
  unused: string[];
}

/**
 * Picks the preset whose signature columns are all present (most specific
 * first) and maps every canonical field to a source column: `overrides`
 * first (an empty one: none), then the preset's candidates, then the generic aliases.
 */
export function resolveMapping(
  header: string[],
  opts: { presetId?: string; overrides?: ColumnMapping; file?: string; mapFlag?: string } = {},
): ResolvedMapping {
  const byLower = new Map<string, string>();
  for (const h of header) if (!byLower.has(h.toLowerCase())) byLower.set(h.toLowerCase(), h);
  let preset: Preset | undefined;
  if (opts.presetId) {
    preset = PRESETS.find((p) => p.id === opts.presetId);
    if (!preset) {
      throw new AttribError('bad_parameter', `unknown preset '${opts.presetId}' (one of ${PRESETS.map((p) => p.id).join(', ')})`);
    }
  } else {
    preset = PRESETS.find((p) => signaturesOf(p).some((sig) => sig.length > 0 && sig.every((s) => byLower.has(s)))) ?? PRESETS[PRESETS.length - 1];
  }
  const mapping: ColumnMapping = {};
  const fallbacks: ResolvedMapping['fallbacks'] = {};
  const used = new Set<string>();
  for (const field of CANONICAL_FIELDS) {
    const override = opts.overrides?.[field];
    // an empty override is "no column" (a mapping step's "(none)"): the field stays empty, no alias fills it
    if (override === '') continue;
    if (override !== undefined) {
      const src = byLower.get(override.toLowerCase());
      if (!src) {
        throw new AttribError('file_missing_column', `${opts.mapFlag ?? '--map'} ${field}=${override}: the file has no column '${override}' (columns: ${header.join(', ')})`, { file: opts.file });
      }
      mapping[field] = src;
      used.add(src);
      continue;
    }
    const candidates = [...(preset.fields[field] ?? []), ...(GENERIC[field] ?? [])];
    for (const c of candidates) {
      const src = byLower.get(c);
      if (src && !used.has(src)) {
        mapping[field] = src;
        used.add(src);
        break;
      }
    }
    if (mapping[field] && preset.coalesce?.includes(field)) {
      const more = (preset.fields[field] ?? []).map((c) => byLower.get(c)).filter((src): src is string => !!src && !used.has(src));
      for (const src of more) used.add(src);
      if (more.length) fallbacks[field] = more;
    }
  }
  return { preset, mapping, fallbacks, unused: header.filter((h) => !used.has(h)) };
}

/** Every column set that identifies a layout: its signature and its alternatives. */
export function signaturesOf(p: Preset): string[][] {
  return [p.signature, ...(p.altSignatures ?? [])];
}

/**
 * The header's column named by `--conversion-flag` (matched
 * case-insensitively), or undefined when no flag was asked for.
 * @throws AttribError `file_missing_column` when the file has no such column.
 */
export function resolveFlagColumn(header: string[], flag: string | undefined, file: string): string | undefined {
  if (flag === undefined) return undefined;
  const src = header.find((h) => h.toLowerCase() === flag.trim().toLowerCase());
  if (!src) {
    throw new AttribError('file_missing_column', `--conversion-flag ${flag}: the file has no column '${flag}' (columns: ${header.join(', ')})`, { file, line: 1 });
  }
  return src;
}

/** Parses `--map target=source` pairs. */
export function parseMapOption(values: string[]): ColumnMapping {
  const out: ColumnMapping = {};
  for (const v of values) {
    for (const pair of v.split(',')) {
      const m = /^\s*([a-z_]+)\s*=\s*(.+?)\s*$/.exec(pair);
      if (!m || !(CANONICAL_FIELDS as readonly string[]).includes(m[1])) {
        throw new AttribError('bad_parameter', `--map ${pair}: expected field=column with field one of ${CANONICAL_FIELDS.join(', ')}`);
      }
      out[m[1] as CanonicalField] = m[2];
    }
  }
  return out;
}

/**
 * Checks that a mapping can feed the pipeline at all (a time and an identity
 * column). The expected names are the usual events' names, or those of a
 * layout only chosen by name (the orders layout of a conversions file).
 */
export function requireCoreColumns(r: ResolvedMapping, header: string[], file: string, mapFlag = '--map'): void {
  const own = r.preset.signature.length === 0 && r.preset.id !== 'generic';
  if (!r.mapping.event_ts) {
    const names = own ? (r.preset.fields.event_ts ?? []).slice(0, 4) : ['event_ts', 'event_time', 'timestamp', 'event_timestamp'];
    throw new AttribError(
      'file_missing_column',
      `no time column: expected one of ${names.join(', ')} (columns: ${header.join(', ') || 'none'}); map one with ${mapFlag} event_ts=COLUMN`,
      { file, line: 1 },
    );
  }
  if (!r.mapping.user_id && !r.mapping.anon_id) {
    const names = own ? [...(r.preset.fields.user_id ?? []), ...(r.preset.fields.anon_id ?? [])].slice(0, 5).join(', ') : 'user_id or an anonymous id such as anon_id, client_id, distinct_id';
    throw new AttribError(
      'file_missing_column',
      `no identity column: expected ${own ? `one of ${names}` : names} (columns: ${header.join(', ')}); map one with ${mapFlag} anon_id=COLUMN`,
      { file, line: 1 },
    );
  }
}
