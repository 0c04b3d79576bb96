/**
 * Snowplow's atomic events table (`domain_userid`, `domain_sessionid`,
 * `mkt_*`), with its entities in any of the loaders' shapes:
 *
 * - `contexts` and `unstruct_event` as self-describing JSON text (the
 *   enriched TSV's columns, as a Postgres or Redshift table keeps them):
 *   `{"schema": "iglu:com.snowplowanalytics.snowplow/contexts/jsonschema/1-0-0",
 *   "data": [{"schema": "iglu:<vendor>/<name>/jsonschema/<version>", "data": {...}}]}`;
 * - one column per entity schema (the BigQuery and Snowflake loaders:
 *   `contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1`, an
 *   array of records, and `unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1`,
 *   a record), as JSON text in CSV, nested in NDJSON, lists and structs in
 *   Parquet. Older loaders end the names with the full version (`_1_0_0`).
 *
 * Conversions: Snowplow's ecommerce plugin sends a `snowplow_ecommerce_action`
 * event of type `transaction` with a transaction entity
 * (iglu:com.snowplowanalytics.snowplow.ecommerce/transaction/jsonschema/1-0-0:
 * `transaction_id`, `revenue`, `currency`, `payment_method`...); the event's
 * name is the action's type (`transaction`, `add_to_cart`, `product_view`...).
 * The legacy ecommerce tracker's `transaction` event (`tr_orderid`,
 * `tr_total`, `tr_currency`; its `transaction_item` rows are items, not
 * orders) has the same name, so `transaction` is this layout's conversion
 * when none is named. A transaction sent again (a reloaded thank-you page)
 * is a `duplicate_transaction` reject, by `transaction_id` else `tr_orderid`.
 *
 * Not read: other entities (product, cart, checkout_step, web_page...),
 * `derived_contexts`, the `ti_*` item rows, `refund` actions (a refund is
 * no negative conversion here). In Parquet, entities stored as JSON text are
 * refused with a message (both engines read nested Parquet columns, not
 * JSON text).
 */
import type { Preset } from '../columns.ts';
import type { Expansion, PickExpansion } from '../expand.ts';

const ECOMMERCE = 'iglu:com.snowplowanalytics.snowplow.ecommerce/';
const TX_PATHS = ['transaction_id', 'revenue', 'currency', 'payment_method'];
const TX_COLUMN = 'contexts_com_snowplowanalytics_snowplow_ecommerce_transaction_1';
const ACTION_COLUMN = 'unstruct_event_com_snowplowanalytics_snowplow_ecommerce_snowplow_ecommerce_action_1';

/** The transaction entity and the action, in each of the loaders' places (first non-empty wins). */
const picks: PickExpansion[] = [
  { column: 'contexts', at: 'data', where: { field: 'schema', prefix: `${ECOMMERCE}transaction/` }, name: 'snowplow:tx_json', paths: TX_PATHS.map((p) => `data.${p}`) },
  { column: 'unstruct_event', at: 'data', where: { field: 'schema', prefix: `${ECOMMERCE}snowplow_ecommerce_action/` }, name: 'snowplow:action_json', paths: ['data.type'] },
  ...['', '_0_0'].flatMap((v): PickExpansion[] => [
    { column: `${TX_COLUMN}${v}`, name: `snowplow:tx${v}`, paths: TX_PATHS },
    { column: `${ACTION_COLUMN}${v}`, name: `snowplow:action${v}`, paths: ['type'] },
  ]),
];

const first = (path: string, json: string) => [`snowplow:${json}.data.${path}`, `snowplow:${json.replace('_json', '')}.${path}`, `snowplow:${json.replace('_json', '')}_0_0.${path}`];

const expand: Expansion = {
  picks,
  firstOf: [
    { name: 'snowplow:event_name', from: [...first('type', 'action_json'), 'event_name', 'event'] },
    { name: 'snowplow:transaction_id', from: [...first('transaction_id', 'tx_json'), 'tr_orderid'] },
    { name: 'snowplow:revenue', from: [...first('revenue', 'tx_json'), 'tr_total'] },
    { name: 'snowplow:currency', from: [...first('currency', 'tx_json'), 'tr_currency'] },
  ],
};

/** The snowplow layout: its signature columns and where each canonical field comes from. */
export const snowplow: Preset = {
  id: 'snowplow',
  label: 'Snowplow (atomic events)',
  signature: ['domain_userid', 'domain_sessionid'],
  expand,
  conversionEvents: ['transaction'],
  fields: {
    event_id: ['event_id'],
    event_ts: ['derived_tstamp', 'collector_tstamp', 'dvce_created_tstamp'],
    event_name: ['snowplow:event_name', 'event_name', 'event'],
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
    revenue: ['snowplow:revenue', 'tr_total', 'revenue'],
    currency: ['snowplow:currency', 'tr_currency'],
    transaction_id: ['snowplow:transaction_id', 'tr_orderid'],
  },
};
