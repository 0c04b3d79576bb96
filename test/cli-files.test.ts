/**
 * Many files in one import (issue 12, steps 3 and 4), through the real
 * `attrib` command on both engines:
 *  - the sample split into three shards gives the whole file's numbers,
 *    whether the shards are given as a folder, a glob or repeated --events;
 *    every reject names its shard;
 *  - sessions in one file and orders in another (`--conversions`): every
 *    order is a conversion of the sessions' people, deduplicated by its id,
 *    with credits worked out by hand below;
 *  - a glob that matches nothing, two files of one name, and
 *    --conversions-map without --conversions are one-line errors.
 */
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../', import.meta.url));
const attrib = (...args: string[]) => spawnSync(process.execPath, [path.join(root, 'cli/attrib.mjs'), ...args], { encoding: 'utf8', cwd: root });
const tmp = mkdtempSync(path.join(tmpdir(), 'aw-cli-files-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

// the sample, in three shards of rows (each with the header), named as GA4's daily tables are
const lines = readFileSync(path.join(root, 'samples/tiny.csv'), 'utf8').trimEnd().split('\n');
const [header, ...body] = lines;
const shards = path.join(tmp, 'shards');
mkdirSync(shards);
const cut = [0, 300, 700, body.length];
for (let i = 0; i < 3; i++) writeFileSync(path.join(shards, `events_2026010${i + 1}.csv`), [header, ...body.slice(cut[i], cut[i + 1])].join('\n') + '\n');
writeFileSync(path.join(shards, 'README.txt.bak'), 'not data');

// sessions from analytics, orders from the shop (Shopify's order export: Id, Email, Created at, Total; one row per line item)
const sessions = path.join(tmp, 'sessions.csv');
writeFileSync(sessions, `session_id,user_id,started_at,utm_source,utm_medium,utm_campaign
s1,u1,2026-03-01T10:00:00Z,google,cpc,brand
s2,u1,2026-03-03T10:00:00Z,newsletter,email,march
s3,u2,2026-03-02T09:00:00Z,facebook,paid_social,retarget
`);
const orders = path.join(tmp, 'orders.csv');
writeFileSync(orders, `Id,Email,Created at,Total,Currency
1001,u1,2026-03-04T12:00:00Z,100.00,EUR
1001,u1,2026-03-04T12:00:00Z,100.00,EUR
1002,u3,2026-03-05T12:00:00Z,50.00,EUR
1003,u2,2026-03-02T08:00:00Z,20.00,EUR
`);

const read = (dir: string, f: string) => readFileSync(path.join(dir, f), 'utf8');

for (const engine of ['native', 'wasm']) {
  describe(`several files in one import (${engine})`, () => {
    it('three shards as a folder, a glob, or repeated --events give the whole file\'s numbers', () => {
      const whole = path.join(tmp, `whole-${engine}`);
      assert.equal(attrib('attribute', '--events', 'samples/tiny.csv', '--out', whole, '--engine', engine, '--quiet').status, 0);
      const ways: Record<string, string[]> = {
        folder: ['--events', shards],
        glob: ['--events', path.join(shards, 'events_2026*.csv')],
        repeated: ['--events', path.join(shards, 'events_20260101.csv'), '--events', path.join(shards, 'events_20260102.csv'), '--events', path.join(shards, 'events_20260103.csv')],
      };
      for (const [way, args] of Object.entries(ways)) {
        const out = path.join(tmp, `${way}-${engine}`);
        const r = attrib('attribute', ...args, '--out', out, '--engine', engine);
        assert.equal(r.status, 0, r.stderr);
        assert.match(r.stdout, /^3 files, engine /m, way);
        // the layout in words: the shards' names are GA4's daily tables
        assert.match(r.stdout, /^ {2}layout: Generic \(spec aliases\), 3 daily files \(2026-01-01 to 2026-01-03\)$/m, way);
        assert.match(r.stdout, /events_20260102\.csv: csv, Generic \(spec aliases\), read 400, loaded \d+/);
        assert.equal(read(out, 'channel_summary.csv'), read(whole, 'channel_summary.csv'), `${way}: channel_summary`);
        assert.equal(read(out, 'credits.csv'), read(whole, 'credits.csv'), `${way}: credits`);
        // the same rejects, each naming its shard (the whole file's 5, now spread over the shards)
        const rejects = read(out, 'rejects.csv').trim().split('\n').slice(1);
        assert.equal(rejects.length, read(whole, 'rejects.csv').trim().split('\n').length - 1);
        assert.ok(rejects.every((l) => /^events_2026010[123]\.csv,/.test(l)), rejects.join('\n'));
      }
    });

    it('sessions in one file, orders in another (--conversions): credits by hand', () => {
      const out = path.join(tmp, `orders-${engine}`);
      const r = attrib('attribute', '--events', sessions, '--conversions', orders, '--out', out, '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout, /orders\.csv \(conversions\): csv, Orders \/ conversions file, read 4, loaded 3, rejected 1, conversions 3/);
      // Order 1001 (u1, 4 Mar 12:00, 100): u1's sessions s1 (google/cpc -> paid_search, 3 d 2 h before) and s2
      // (email, 1 d 2 h before) are both inside the 30-day lookback. first_touch: paid_search 1; last_touch:
      // email 1; linear and position_based (two touches: 50/50): 0.5 each; time_decay (half-life 7 d):
      // 2^(-26/168) = 0.89836 and 2^(-74/168) = 0.73708, so email 0.89836 / 1.63544 = 0.549349.
      // Order 1002 (u3) has no sessions; order 1003 (u2, 2 Mar 08:00) precedes u2's only session (09:00):
      // both no_touch, credited to direct (spec), 50 + 20 = 70. Its second line-item row is a duplicate.
      const summary = read(out, 'channel_summary.csv');
      for (const row of [
        'first_touch,direct,2,70,purchase', 'first_touch,paid_search,1,100,purchase',
        'last_touch,direct,2,70,purchase', 'last_touch,email,1,100,purchase',
        'linear,email,0.5,50,purchase', 'linear,paid_search,0.5,50,purchase',
        'time_decay,email,0.5493493255,54.9349325496,purchase', 'time_decay,paid_search,0.4506506745,45.0650674504,purchase',
      ]) assert.ok(summary.includes(`${row}\n`), `${row} in\n${summary}`);
      assert.equal(read(out, 'conversions.csv'), `conversion_id,person_key,conversion_ts,value,touch_status,touches,conversion_kind
1001,u1,2026-03-04T12:00:00.000000Z,100,attributed,2,purchase
1002,u3,2026-03-05T12:00:00.000000Z,50,no_touch,0,purchase
1003,u2,2026-03-02T08:00:00.000000Z,20,no_touch,0,purchase
`);
      assert.match(read(out, 'rejects.csv'), /^orders\.csv,2,duplicate_event_id,.*,3,event_id 1001 first seen at row 1$/m);
    });

    it('events that are conversions too, beside a file of orders: one transaction counts once, the rest twice, with a warning', () => {
      // v2 is the shop's order 1001 as the site's tag saw it (its transaction_id is the order id), 5 s
      // after the order: the order (earliest) counts, v2 is a duplicate_transaction. v3 carries no
      // transaction id: a fourth conversion beside orders 1001, 1002 and 1003, and the warning says so.
      const events = path.join(tmp, `events-and-orders-${engine}.csv`);
      writeFileSync(events, `event_id,event_ts,event_name,user_id,utm_source,utm_medium,transaction_id,revenue
v1,2026-03-01T10:00:00Z,page_view,u1,google,cpc,,
v2,2026-03-04T12:00:05Z,purchase,u1,,,1001,100
v3,2026-03-06T12:00:00Z,purchase,u2,,,,30
`);
      const out = path.join(tmp, `both-${engine}`);
      const r = attrib('attribute', '--events', events, '--map', 'transaction_id=transaction_id', '--conversions', orders, '--out', out, '--engine', engine);
      assert.equal(r.status, 0, r.stderr);
      assert.match(r.stdout + r.stderr, /1 event of the event files is a conversion too \(named purchase\) and counts beside the orders of orders\.csv: an event and an order count once only when they carry the same transaction id \(the order id\)/);
      const conv = read(out, 'conversions.csv').trim().split('\n').slice(1).map((l) => l.split(',').slice(0, 4).join(','));
      assert.deepEqual(conv.sort(), ['1001,u1,2026-03-04T12:00:00.000000Z,100', '1002,u3,2026-03-05T12:00:00.000000Z,50', '1003,u2,2026-03-02T08:00:00.000000Z,20', 'v3,u2,2026-03-06T12:00:00.000000Z,30']);
      assert.match(read(out, 'rejects.csv'), new RegExp(`^events-and-orders-${engine}\\.csv,2,duplicate_transaction,.*transaction_id 1001 first seen at row 1 of orders\\.csv$`, 'm'));
    });
  });
}

describe('several files: one-line errors', () => {
  it('a glob matching nothing, two files of one name, --conversions-map alone', () => {
    const none = attrib('attribute', '--events', path.join(shards, 'events_1999*.csv'), '--out', path.join(tmp, 'x'));
    assert.equal(none.status, 1);
    assert.match(none.stderr.trim(), /^attrib: .*events_1999\*\.csv: no file matches --events .*events_1999\*\.csv$/);
    const other = path.join(tmp, 'other');
    mkdirSync(other);
    writeFileSync(path.join(other, 'events_20260101.csv'), [header, body[0]].join('\n') + '\n');
    // two files of one base name are told apart by the paths given
    const two = attrib('attribute', '--events', path.join(shards, 'events_20260101.csv'), '--events', path.join(other, 'events_20260101.csv'), '--out', path.join(tmp, 'y'), '--quiet');
    assert.equal(two.status, 0, two.stderr);
    assert.match(read(path.join(tmp, 'y'), 'rejects.csv'), new RegExp(`^${path.join(shards, 'events_20260101.csv').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')},`, 'm'));
    const map = attrib('attribute', '--events', sessions, '--conversions-map', 'event_id=Id', '--out', path.join(tmp, 'z'));
    assert.equal(map.status, 2, 'a usage error');
    assert.match(map.stderr.trim(), /^attrib: --conversions-map needs --conversions FILE$/);
  });
});
