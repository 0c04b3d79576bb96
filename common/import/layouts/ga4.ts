/**
 * GA4's BigQuery export (Google's `events_YYYYMMDD` and
 * `events_intraday_YYYYMMDD` tables), one row per event, recognised by its
 * columns in any of its forms: nested NDJSON (`bq extract
 * --destination_format NEWLINE_DELIMITED_JSON`), CSV with the nested columns
 * as JSON text, Parquet with records and lists, or already flattened to dot
 * names (`collected_traffic_source.manual_source`). Shard names do not
 * matter: nothing is read from the file name.
 *
 * What is read, and why:
 * - `event_params` (key + value.string_value / int_value / double_value /
 *   float_value) becomes `event_params.<key>` columns for the keys below; an
 *   int_value and a string_value read the same (`123` either way).
 * - The session is `user_pseudo_id.ga_session_id`: ga_session_id is the
 *   session's start second, unique per device only (sessionPerAnon).
 * - A touch's campaign is what this event collected: `collected_traffic_source`
 *   (manual_source, manual_medium, manual_campaign_name, gclid...), else the
 *   event's source/medium/campaign/term/content params, else the UTMs inside
 *   page_location (staging.sql); click ids also from page_location. A gclid
 *   outranks any UTM tag, organic included (channel rule 1, GA4's own rule).
 * - `traffic_source` is NOT a touch: it is the user's FIRST acquisition,
 *   repeated on every later event, so using it would credit the first
 *   campaign for every session. It is expanded for inspection only.
 * - `session_traffic_source_last_click` is not a touch either: it is GA4's
 *   own last non-direct click, which carries an earlier session's campaign
 *   into a direct session; using it would turn direct sessions into touches
 *   and attribute GA4's model instead of the events. Its
 *   `cross_channel_campaign` on a conversion row is GA4's own attribution of
 *   that conversion (`reported` below): shown beside our models as the
 *   `ga4_reported` column (models/ga4_reported.sql, models/reported.sql),
 *   never as a touch. `traffic_source` is not used for it: on conversion
 *   events of recent exports Google fills it with the cross-channel last
 *   click, on older ones with the user's first acquisition, and a file does
 *   not say which.
 * - A purchase's order id is `ecommerce.transaction_id` (else the
 *   transaction_id param): GA4 repeats a purchase when the thank-you page
 *   reloads; repeats are rejected as duplicate_transaction. Revenue is
 *   `ecommerce.purchase_revenue`, else the `value` param; currency the
 *   `currency` param.
 * - dclid (Display & Video 360 / Campaign Manager) is a paid display click:
 *   channel display (rule click_id_display, after a gclid), and a click
 *   proof (click_token). srsltid (Merchant Center's organic product
 *   listings) is an organic tag: organic_shopping (rule merchant_listing),
 *   below a gclid and UTM mediums. Both are read from collected_traffic_source,
 *   the params, and page_location (staging.sql); wbraid/gbraid in
 *   page_location count as gclid.
 */
import type { Preset } from '../columns.ts';
import type { Expansion } from '../expand.ts';

/** The event_params keys that become columns (`event_params.<key>`). */
const PARAM_KEYS = [
  'ga_session_id', 'ga_session_number', 'page_location', 'page_referrer', 'page_title',
  'source', 'medium', 'campaign', 'term', 'content', 'campaign_id',
  'gclid', 'dclid', 'srsltid', 'wbraid', 'gbraid', 'fbclid', 'msclkid', 'ttclid',
  'value', 'currency', 'transaction_id',
];

/** What GA4 nests, and the per-row choices among its places (first non-empty wins). */
const expand: Expansion = {
  keyValue: [{ column: 'event_params', keys: PARAM_KEYS, valueFields: ['string_value', 'int_value', 'double_value', 'float_value'] }],
  objects: [
    {
      column: 'collected_traffic_source',
      paths: ['manual_source', 'manual_medium', 'manual_campaign_name', 'manual_campaign_id', 'manual_term', 'manual_content', 'manual_source_platform', 'gclid', 'dclid', 'srsltid'],
    },
    { column: 'ecommerce', paths: ['transaction_id', 'purchase_revenue', 'purchase_revenue_in_usd', 'total_item_quantity'] },
    { column: 'traffic_source', paths: ['source', 'medium', 'name'] },
    {
      column: 'session_traffic_source_last_click',
      paths: [
        'manual_campaign.source', 'manual_campaign.medium', 'manual_campaign.campaign_name',
        'cross_channel_campaign.source', 'cross_channel_campaign.medium', 'cross_channel_campaign.campaign_name',
        'cross_channel_campaign.default_channel_group', 'cross_channel_campaign.primary_channel_group',
      ],
    },
  ],
  firstOf: [
    { name: 'ga4:session_id', from: ['event_params.ga_session_id', 'ga_session_id'] },
    { name: 'ga4:source', from: ['collected_traffic_source.manual_source', 'event_params.source'] },
    { name: 'ga4:medium', from: ['collected_traffic_source.manual_medium', 'event_params.medium'] },
    { name: 'ga4:campaign', from: ['collected_traffic_source.manual_campaign_name', 'event_params.campaign'] },
    { name: 'ga4:term', from: ['collected_traffic_source.manual_term', 'event_params.term'] },
    { name: 'ga4:content', from: ['collected_traffic_source.manual_content', 'event_params.content'] },
    { name: 'ga4:gclid', from: ['collected_traffic_source.gclid', 'event_params.gclid', 'event_params.wbraid', 'event_params.gbraid', 'gclid'] },
    { name: 'ga4:click_token', from: ['collected_traffic_source.dclid', 'event_params.dclid'] },
    { name: 'ga4:dclid', from: ['collected_traffic_source.dclid', 'event_params.dclid'] },
    { name: 'ga4:srsltid', from: ['collected_traffic_source.srsltid', 'event_params.srsltid'] },
    { name: 'ga4:page_url', from: ['event_params.page_location', 'page_location'] },
    { name: 'ga4:referrer', from: ['event_params.page_referrer', 'page_referrer'] },
    { name: 'ga4:revenue', from: ['ecommerce.purchase_revenue', 'event_params.value', 'purchase_revenue'] },
    { name: 'ga4:currency', from: ['event_params.currency', 'currency'] },
    { name: 'ga4:transaction_id', from: ['ecommerce.transaction_id', 'event_params.transaction_id', 'transaction_id'] },
  ],
};

/**
 * The ga4 layout. Fields name the expanded `ga4:` columns first; the flat
 * names after them serve a mapping made before expansion (and `--map`).
 */
export const ga4: Preset = {
  id: 'ga4',
  label: 'GA4 BigQuery export',
  signature: ['event_timestamp', 'user_pseudo_id'],
  timeUnit: 'us',
  sessionPerAnon: true,
  expand,
  // GA4's own attribution of a conversion: the session's last non-direct click, cross-channel
  reported: {
    model: 'ga4_reported',
    channelGroup: ['session_traffic_source_last_click.cross_channel_campaign.default_channel_group'],
    source: ['session_traffic_source_last_click.cross_channel_campaign.source'],
    medium: ['session_traffic_source_last_click.cross_channel_campaign.medium'],
    campaign: ['session_traffic_source_last_click.cross_channel_campaign.campaign_name'],
  },
  fields: {
    event_ts: ['event_timestamp'],
    event_name: ['event_name'],
    user_id: ['user_id'],
    anon_id: ['user_pseudo_id'],
    session_id: ['ga4:session_id', 'ga_session_id', 'event_params.ga_session_id'],
    utm_source: ['ga4:source', 'collected_traffic_source.manual_source'],
    utm_medium: ['ga4:medium', 'collected_traffic_source.manual_medium'],
    utm_campaign: ['ga4:campaign', 'collected_traffic_source.manual_campaign_name'],
    utm_content: ['ga4:content', 'collected_traffic_source.manual_content'],
    utm_term: ['ga4:term', 'collected_traffic_source.manual_term'],
    gclid: ['ga4:gclid', 'collected_traffic_source.gclid'],
    click_token: ['ga4:click_token', 'collected_traffic_source.dclid'],
    dclid: ['ga4:dclid'],
    srsltid: ['ga4:srsltid'],
    referrer: ['ga4:referrer', 'page_referrer', 'event_params.page_referrer'],
    page_url: ['ga4:page_url', 'page_location', 'event_params.page_location'],
    revenue: ['ga4:revenue', 'ecommerce.purchase_revenue', 'purchase_revenue'],
    currency: ['ga4:currency', 'currency'],
    transaction_id: ['ga4:transaction_id', 'ecommerce.transaction_id', 'transaction_id'],
  },
};
