/**
 * One conversion per order: a shop's tag often sends a purchase again (GA4
 * when the thank-you page is reloaded or revisited), each repeat with the same
 * transaction id. Counting them would multiply conversions and revenue.
 */
import type { Database } from '../db.ts';

/**
 * Rejects every repeat of a conversion's transaction_id (same event name)
 * as `duplicate_transaction`, keeping the earliest (by time, then file
 * order); the detail names the kept row. Only rows still accepted count: a
 * purchase already rejected (say, for its timestamp) does not displace a
 * valid repeat. Runs after the last batch, like duplicate event ids.
 */
export async function markDuplicateTransactions(db: Database): Promise<void> {
  await db.run(`UPDATE staged SET reason = 'duplicate_transaction',
      reason_detail = 'transaction_id ' || d.transaction_id || ' first seen at row ' || CAST(d.first_row AS VARCHAR)
        || CASE WHEN d.first_file <> staged._file THEN ' of ' || d.first_file ELSE '' END,
      raw_text = coalesce(staged.raw_text, concat_ws(', ', 'transaction_id=' || staged.transaction_id,
        'event_ts=' || strftime(make_timestamp(staged.ts_us), '%Y-%m-%dT%H:%M:%S.%fZ'), 'event_name=' || staged.event_name,
        'user_id=' || staged.user_id, 'anon_id=' || staged.anon_id, 'session_id=' || staged.session_id, 'revenue=' || CAST(staged.revenue AS VARCHAR)))
    FROM (SELECT s._file, s._row, s.transaction_id,
            row_number() OVER w AS k,
            first_value(s._row) OVER w AS first_row,
            first_value(s._file) OVER w AS first_file
          FROM staged s
          WHERE s.reason IS NULL AND s.is_conversion AND s.transaction_id IS NOT NULL
          WINDOW w AS (PARTITION BY s.event_name, s.transaction_id ORDER BY s.ts_us, s._file, s._row)) d
    WHERE staged._file = d._file AND staged._row = d._row AND d.k > 1`);
}
