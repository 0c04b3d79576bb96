/**
 * A file of conversions kept apart from the touches: orders from a shop or
 * a CRM beside sessions from analytics (the layout of dbt's attribution
 * playbook and of most shops). Used for `--conversions FILE`, never
 * detected for an events file (no signature): every row is a conversion,
 * joined to the people of the events by user_id or anon_id, deduplicated by
 * its order id (a repeat is a `duplicate_event_id` reject). Shopify's order
 * export (`Id`, `Email`, `Created at`, `Total`, `Currency`, one row per line
 * item, so an order's later rows are such repeats) maps with no --map.
 */
import type { Preset } from '../columns.ts';

/** The orders layout: where each canonical field comes from in a file of conversions. */
export const orders: Preset = {
  id: 'orders',
  label: 'Orders / conversions file',
  signature: [],
  fields: {
    event_id: ['order_id', 'transaction_id', 'conversion_id', 'order_number', 'id'],
    event_ts: ['ordered_at', 'order_date', 'created_at', 'created at', 'converted_at', 'processed_at', 'paid at'],
    // customer_id before user_id: in a shop's order table (Shopify's, as Fivetran syncs it) user_id is the
    // staff member who keyed the order in (empty online), the buyer is customer_id
    user_id: ['customer_id', 'user_id', 'customer.id', 'email'],
    anon_id: ['anon_id', 'anonymous_id', 'client_id', 'user_pseudo_id', 'distinct_id'],
    revenue: ['revenue', 'total_price', 'order_total', 'total', 'amount', 'value'],
    currency: ['currency', 'currency_code'],
  },
};
