/**
 * Fivetran's Google Analytics 4 Export connector: GA4's BigQuery export
 * synced to a warehouse `EVENT` table, flat. In its default Columns sync
 * mode every event parameter is its own `param_<key>` column
 * (`param_ga_session_id`, `param_page_location`, `param_source`...), user
 * properties `user_property_<key>`, and the records are flattened to
 * `<record>_<field>` (`ecommerce_transaction_id`, `traffic_source_source`,
 * `collected_traffic_source_manual_source` where the connector writes it).
 * Recognised by `event_timestamp`, `user_pseudo_id` and a `param_` column,
 * before the nested GA4 layout (whose signature it shares). The connector's
 * own table names the event `name` and its time `timestamp` (a timestamp,
 * not GA4's microseconds), and may carry only the `*_in_usd` revenue: so its
 * own seed (fivetran/dbt_ga4_export integration_tests/seeds/event.csv, and
 * the package's get_event_columns macro) has them; both names are read.
 *
 * Read as in the nested export (ga4.ts): the session is
 * `user_pseudo_id.param_ga_session_id`; a touch's campaign is
 * `collected_traffic_source_manual_*`, else `param_source` / `param_medium`
 * / `param_campaign` / `param_term` / `param_content`, else the UTMs in
 * `param_page_location` (staging.sql), whose gclid, wbraid, dclid and
 * srsltid count too; the order id is `ecommerce_transaction_id`, else
 * `param_transaction_id` (repeats: duplicate_transaction); revenue
 * `ecommerce_purchase_revenue`, else `param_value`; currency `param_currency`.
 * Each per row: the first non-empty (Preset.coalesce), so the engine's CSV
 * reader keeps reading these files.
 * Not read: `traffic_source_*` (the user's first acquisition, repeated on
 * every event: no touch), `session_traffic_source_last_click` (GA4's own
 * model), `user_property_*`, the JSON sync mode's `event_params` text (use
 * the Columns mode, or Google's own export with ga4.ts). dclid is not a click
 * proof here (click_token), unlike in the nested export.
 */
import type { Preset } from '../columns.ts';

const cts = (f: string) => `collected_traffic_source_${f}`;

/** The Fivetran GA4 Export layout: its signature columns and where each canonical field comes from. */
export const ga4Fivetran: Preset = {
  id: 'ga4_fivetran',
  label: 'GA4 Export via Fivetran (flattened param_* columns)',
  signature: ['event_timestamp', 'user_pseudo_id', 'param_ga_session_id'],
  altSignatures: [
    ['event_timestamp', 'user_pseudo_id', 'param_page_location'],
    // the connector's own column names (Fivetran's seed): `timestamp`, `name`
    ['timestamp', 'user_pseudo_id', 'param_ga_session_id'],
    ['timestamp', 'user_pseudo_id', 'param_page_location'],
  ],
  sessionPerAnon: true,
  fields: {
    event_ts: ['event_timestamp', 'timestamp'],
    event_name: ['event_name', 'name'],
    user_id: ['user_id'],
    anon_id: ['user_pseudo_id'],
    session_id: ['param_ga_session_id'],
    utm_source: [cts('manual_source'), 'param_source'],
    utm_medium: [cts('manual_medium'), 'param_medium'],
    utm_campaign: [cts('manual_campaign_name'), 'param_campaign'],
    utm_content: [cts('manual_content'), 'param_content'],
    utm_term: [cts('manual_term'), 'param_term'],
    gclid: [cts('gclid'), 'param_gclid'],
    dclid: [cts('dclid'), 'param_dclid'],
    srsltid: [cts('srsltid'), 'param_srsltid'],
    referrer: ['param_page_referrer'],
    page_url: ['param_page_location'],
    // in the property's currency first; the USD copies where only they are synced
    revenue: ['ecommerce_purchase_revenue', 'param_value', 'ecommerce_purchase_revenue_in_usd', 'value_in_usd'],
    currency: ['param_currency'],
    transaction_id: ['ecommerce_transaction_id', 'param_transaction_id'],
  },
  coalesce: ['utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'gclid', 'dclid', 'srsltid', 'revenue', 'transaction_id'],
};
