/**
 * Column mapping: which source column feeds each canonical field.
 *
 * Spec section 1 defines the canonical events table and its common aliases;
 * presets recognise the usual exports (GA4, Segment, PostHog, Mixpanel,
 * Snowplow) by their columns. `--map target=source` overrides both.
 */
import { AttribError } from './errors.ts';

/** The canonical fields of the events table (spec section 1). */
export const CANONICAL_FIELDS = [
  'event_id', 'event_ts', 'event_name', 'user_id', 'anon_id', 'session_id', 'channel',
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer', 'page_url',
  'gclid', 'msclkid', 'fbclid', 'ttclid', 'li_fat_id', 'rdt_cid', 'click_token', 'revenue', 'currency',
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
  /** Candidate source columns per field, first present wins (lower-case). */
  fields: Partial<Record<CanonicalField, string[]>>;
  /** Unit of a numeric time column, when the export fixes it. */
  timeUnit?: TimeUnit;
}

/** Aliases of spec section 1, the generic preset. Order matters: the first present wins. */
const GENERIC: Preset['fields'] = {
  event_id: ['event_id', 'id', 'message_id', 'messageid', 'uuid', '$insert_id', 'insert_id'],
  event_ts: ['event_ts', 'event_time', 'timestamp', 'event_timestamp', 'ts', 'time', 'datetime', 'date_time', 'received_at', 'sent_at', 'collector_tstamp'],
  event_name: ['event_name', 'event_type', 'event', 'name', 'action'],
  user_id: ['user_id', 'userid', 'customer_id', '$user_id', 'person_id'],
  anon_id: ['anon_id', 'anonymous_id', 'anonymousid', 'client_id', 'distinct_id', 'domain_userid', 'device_id', '$device_id', 'user_pseudo_id', 'cookie_id', 'visitor_id'],
  session_id: ['session_id', 'sessionid', '$session_id', 'domain_sessionid', 'ga_session_id', 'visit_id'],
  channel: ['channel', 'default_channel_group', 'channel_group'],
  utm_source: ['utm_source', 'source', 'traffic_source', 'mkt_source', 'context_campaign_source'],
  utm_medium: ['utm_medium', 'medium', 'mkt_medium', 'context_campaign_medium'],
  utm_campaign: ['utm_campaign', 'campaign', 'campaign_name', 'mkt_campaign', 'context_campaign_name'],
  utm_content: ['utm_content', 'content', 'mkt_content', 'context_campaign_content'],
  utm_term: ['utm_term', 'term', 'keyword', 'mkt_term', 'context_campaign_term'],
  referrer: ['referrer', 'referer', 'page_referrer', 'page_referer', '$referrer', 'context_page_referrer', 'refr_url'],
  page_url: ['page_url', 'url', 'page_location', 'landing_page', '$current_url', 'context_page_url'],
  gclid: ['gclid'],
  msclkid: ['msclkid'],
  fbclid: ['fbclid'],
  ttclid: ['ttclid'],
  li_fat_id: ['li_fat_id'],
  rdt_cid: ['rdt_cid'],
  click_token: ['click_token', 'click_id'],
  revenue: ['revenue', 'value', 'amount', 'order_value', 'total', 'purchase_revenue', 'tr_total'],
  currency: ['currency', 'currency_code', 'tr_currency'],
};

/** The presets, most specific first; `generic` is the fallback. */
export const PRESETS: Preset[] = [
  {
    id: 'ga4',
    label: 'GA4 BigQuery export (flattened)',
    signature: ['event_timestamp', 'user_pseudo_id'],
    timeUnit: 'us',
    fields: {
      event_id: ['event_id'],
      event_ts: ['event_timestamp'],
      event_name: ['event_name'],
      user_id: ['user_id'],
      anon_id: ['user_pseudo_id'],
      session_id: ['ga_session_id', 'event_params.ga_session_id', 'session_id'],
      utm_source: ['collected_traffic_source.manual_source', 'traffic_source.source'],
      utm_medium: ['collected_traffic_source.manual_medium', 'traffic_source.medium'],
      utm_campaign: ['collected_traffic_source.manual_campaign_name', 'traffic_source.name'],
      utm_content: ['collected_traffic_source.manual_content'],
      utm_term: ['collected_traffic_source.manual_term'],
      gclid: ['collected_traffic_source.gclid'],
      referrer: ['page_referrer', 'event_params.page_referrer'],
      page_url: ['page_location', 'event_params.page_location'],
      revenue: ['ecommerce.purchase_revenue', 'event_value_in_usd', 'purchase_revenue'],
      currency: ['ecommerce.currency', 'currency'],
    },
  },
  {
    id: 'segment',
    label: 'Segment',
    signature: ['anonymous_id', 'context_campaign_source'],
    fields: {
      event_id: ['message_id', 'id'],
      event_ts: ['timestamp', 'original_timestamp', 'received_at'],
      event_name: ['event', 'event_text', 'type'],
      user_id: ['user_id'],
      anon_id: ['anonymous_id'],
      utm_source: ['context_campaign_source'],
      utm_medium: ['context_campaign_medium'],
      utm_campaign: ['context_campaign_name'],
      utm_content: ['context_campaign_content'],
      utm_term: ['context_campaign_term'],
      referrer: ['context_page_referrer', 'referrer'],
      page_url: ['context_page_url', 'url'],
      revenue: ['revenue', 'properties_revenue', 'total', 'value'],
      currency: ['currency', 'properties_currency'],
    },
  },
  {
    id: 'posthog',
    label: 'PostHog',
    signature: ['distinct_id', '$session_id'],
    fields: {
      event_id: ['uuid'],
      event_ts: ['timestamp'],
      event_name: ['event'],
      user_id: ['person_id', '$user_id'],
      anon_id: ['distinct_id'],
      session_id: ['$session_id'],
      utm_source: ['utm_source', '$utm_source'],
      utm_medium: ['utm_medium', '$utm_medium'],
      utm_campaign: ['utm_campaign', '$utm_campaign'],
      utm_content: ['utm_content'],
      utm_term: ['utm_term'],
      referrer: ['$referrer'],
      page_url: ['$current_url'],
      gclid: ['gclid'],
      fbclid: ['fbclid'],
      revenue: ['revenue', '$revenue', 'value'],
      currency: ['currency'],
    },
  },
  {
    id: 'mixpanel',
    label: 'Mixpanel',
    signature: ['distinct_id', 'time', '$insert_id'],
    timeUnit: 's',
    fields: {
      event_id: ['$insert_id'],
      event_ts: ['time'],
      event_name: ['event'],
      user_id: ['$user_id'],
      anon_id: ['$device_id', 'distinct_id'],
      utm_source: ['utm_source'],
      utm_medium: ['utm_medium'],
      utm_campaign: ['utm_campaign'],
      utm_content: ['utm_content'],
      utm_term: ['utm_term'],
      referrer: ['$referrer', '$initial_referrer'],
      page_url: ['$current_url'],
      gclid: ['gclid'],
      fbclid: ['fbclid'],
      revenue: ['revenue', 'amount', 'value'],
      currency: ['currency'],
    },
  },
  {
    id: 'snowplow',
    label: 'Snowplow (atomic events)',
    signature: ['domain_userid', 'domain_sessionid'],
    fields: {
      event_id: ['event_id'],
      event_ts: ['derived_tstamp', 'collector_tstamp', 'dvce_created_tstamp'],
      event_name: ['event_name', 'event'],
      user_id: ['user_id'],
      anon_id: ['domain_userid', 'network_userid'],
      session_id: ['domain_sessionid'],
      utm_source: ['mkt_source'],
      utm_medium: ['mkt_medium'],
      utm_campaign: ['mkt_campaign'],
      utm_content: ['mkt_content'],
      utm_term: ['mkt_term'],
      referrer: ['page_referrer', 'refr_urlhost'],
      page_url: ['page_url'],
      click_token: ['mkt_clickid'],
      revenue: ['tr_total', 'revenue'],
      currency: ['tr_currency'],
    },
  },
  { id: 'generic', label: 'Generic (spec aliases)', signature: [], fields: GENERIC },
];

/** The outcome of mapping: which column feeds what, and why. */
export interface ResolvedMapping {
  preset: Preset;
  mapping: ColumnMapping;
  /** Source columns that feed nothing (shown, never silently used). */
  unused: string[];
}

/**
 * Picks the preset whose signature columns are all present (most specific
 * first) and maps every canonical field to a source column: `overrides`
 * first, then the preset's candidates, then the generic aliases.
 */
export function resolveMapping(
  header: string[],
  opts: { presetId?: string; overrides?: ColumnMapping; file?: string } = {},
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
    preset = PRESETS.find((p) => p.signature.length > 0 && p.signature.every((s) => byLower.has(s))) ?? PRESETS[PRESETS.length - 1];
  }
  const mapping: ColumnMapping = {};
  const used = new Set<string>();
  for (const field of CANONICAL_FIELDS) {
    const override = opts.overrides?.[field];
    if (override !== undefined) {
      const src = byLower.get(override.toLowerCase());
      if (!src) {
        throw new AttribError('file_missing_column', `--map ${field}=${override}: the file has no column '${override}' (columns: ${header.join(', ')})`, { file: opts.file });
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
  }
  return { preset, mapping, unused: header.filter((h) => !used.has(h)) };
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

/** Checks that a mapping can feed the pipeline at all (a time and an identity column). */
export function requireCoreColumns(r: ResolvedMapping, header: string[], file: string): void {
  if (!r.mapping.event_ts) {
    throw new AttribError(
      'file_missing_column',
      `no time column: expected one of event_ts, event_time, timestamp, event_timestamp (columns: ${header.join(', ') || 'none'}); map one with --map event_ts=COLUMN`,
      { file, line: 1 },
    );
  }
  if (!r.mapping.user_id && !r.mapping.anon_id) {
    throw new AttribError(
      'file_missing_column',
      `no identity column: expected user_id or an anonymous id such as anon_id, client_id, distinct_id (columns: ${header.join(', ')}); map one with --map anon_id=COLUMN`,
      { file, line: 1 },
    );
  }
}
