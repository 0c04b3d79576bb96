/**
 * The layout line (common/import/layoutLine.ts): the detected layout in
 * words, as the data cell and the CLI summary show it. GA4's daily and
 * intraday shard names are counted with their dates and the days missing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { layoutLine, shapeOf, shardOf } from '../../common/import/layoutLine.ts';
import { PRESETS } from '../../common/import/columns.ts';

const preset = (id: string) => PRESETS.find((p) => p.id === id)!;
const ga4 = 'GA4 BigQuery export, nested NDJSON';

describe('layout line', () => {
  it('GA4 shard names: daily and intraday, with the day; other names are not shards', () => {
    assert.deepEqual(shardOf('events_20260301.ndjson'), { kind: 'daily', day: '2026-03-01' });
    assert.deepEqual(shardOf('exports/ga4/events_intraday_20260302.csv.gz'), { kind: 'intraday', day: '2026-03-02' });
    assert.deepEqual(shardOf('bq_events_20260303.parquet'), { kind: 'daily', day: '2026-03-03' });
    for (const name of ['events.csv', 'events_2026030.csv', 'events_202603011.csv', 'events_20260230.csv', 'myevents_20260301.csv']) assert.equal(shardOf(name), undefined, name);
  });

  it('one file, several files, daily shards with their range, a missing day, intraday ones', () => {
    assert.equal(layoutLine([{ file: 'mixpanel.ndjson', shape: 'Mixpanel raw export' }]), 'Mixpanel raw export');
    assert.equal(layoutLine(['a', 'b', 'c'].map((f) => ({ file: `${f}.ndjson`, shape: 'Mixpanel raw export' }))), 'Mixpanel raw export, 3 files');
    const march = Array.from({ length: 31 }, (_, i) => ({ file: `events_202603${String(i + 1).padStart(2, '0')}.ndjson`, shape: ga4 }));
    assert.equal(layoutLine(march), `${ga4}, 31 daily files (2026-03-01 to 2026-03-31)`);
    assert.equal(layoutLine(march.filter((_, i) => i !== 9 && i !== 10)), `${ga4}, 29 daily files (2026-03-01 to 2026-03-31, 2 days missing)`);
    assert.equal(layoutLine([march[0]]), `${ga4}, 1 daily file (2026-03-01)`);
    assert.equal(layoutLine([...march.slice(0, 2), { file: 'events_intraday_20260303.ndjson', shape: ga4 }]), `${ga4}, 2 daily files (2026-03-01 to 2026-03-02) and 1 intraday file (2026-03-03)`);
    assert.equal(layoutLine([...march.slice(0, 2), { file: 'late.ndjson', shape: ga4 }]), `${ga4}, 2 daily files (2026-03-01 to 2026-03-02) and 1 other file`);
    // files of two layouts: each with its own count, in the order first seen
    assert.equal(layoutLine([march[0], { file: 'x.csv', shape: 'Generic (spec aliases)' }, { file: 'y.csv', shape: 'Generic (spec aliases)' }]), `${ga4}, 1 daily file (2026-03-01); Generic (spec aliases), 2 files`);
  });

  it('a file\'s shape: GA4 nested, as CSV with JSON cells, or flattened; a vendor\'s export shapes by their columns', () => {
    assert.equal(shapeOf(preset('ga4'), 'ndjson', ['event_timestamp', 'user_pseudo_id', 'event_params'], true), ga4);
    assert.equal(shapeOf(preset('ga4'), 'parquet', ['event_timestamp', 'user_pseudo_id', 'event_params'], true), 'GA4 BigQuery export, nested Parquet');
    assert.equal(shapeOf(preset('ga4'), 'csv', ['event_timestamp', 'user_pseudo_id', 'event_params'], true), 'GA4 BigQuery export, CSV with JSON cells');
    assert.equal(shapeOf(preset('ga4'), 'csv', ['event_timestamp', 'user_pseudo_id', 'ga_session_id'], false), 'GA4 BigQuery export, flattened CSV');
    assert.equal(shapeOf(preset('mixpanel'), 'ndjson', ['event', 'properties.time', 'properties.distinct_id'], false), 'Mixpanel raw export');
    assert.equal(shapeOf(preset('mixpanel'), 'csv', ['name', 'time', 'distinct_id', 'insert_id'], false), "Fivetran's Mixpanel event table");
    assert.equal(shapeOf(preset('segment'), 'ndjson', ['messageId', 'type', 'anonymousId'], false), 'Segment JSON messages');
    assert.equal(shapeOf(preset('generic'), 'csv', ['event_ts', 'user_id'], false), 'Generic (spec aliases)');
  });
});
