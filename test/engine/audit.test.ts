/**
 * The audit (models/audit.sql, common/audit.ts) on both engines: health per
 * day and kind, the pipeline trace and the unclassified campaigns of a small
 * export checked by hand; XmR limits and signals of a known series checked
 * by hand; the trace reconciles on the bundled sample.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { fileURLToPath } from 'node:url';
import type { Database, Row } from '../../common/db.ts';
import { runAudit } from '../../common/audit.ts';
import { importEvents } from '../../common/import/importer.ts';
import { buildJourneys } from '../../common/pipeline.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { memorySource } from '../helpers.ts';

const lib = loadModelLibrary();
const rules = loadRules();

async function audit(db: Database, name: string, text: string) {
  await importEvents(db, memorySource(name, text), lib.get('staging')!, {});
  await buildJourneys(db, lib, { models: ['last_touch'], rules, params: {} });
  return runAudit(db, lib);
}

const close = (a: unknown, b: number) => Math.abs(Number(a) - b) < 1e-9;

// Two days. Day 1: a1 clicks a Google ad (gclid) then buys (attributed); a2 comes direct then buys
// (direct_only); u3 buys with no touch before (no_touch, but identified). Day 2: a4 reads an email,
// then buys logged in as u4 (the email touch is stitched to u4); a5 clicks a paid-social ad without a
// click id and buys. a6 arrives from a partner without a medium (channel other) and never buys.
// Then a row with a bad time, a repeated event_id and a row with an extra field.
const SMALL = [
  'event_id,event_ts,event_name,user_id,anon_id,utm_source,utm_medium,utm_campaign,gclid,revenue',
  'e1,2026-01-01T10:00:00Z,page_view,,a1,google,cpc,brand,G1,',
  'e2,2026-01-01T11:00:00Z,purchase,,a1,,,,,10',
  'e3,2026-01-01T09:00:00Z,page_view,,a2,,,,,',
  'e4,2026-01-01T12:00:00Z,purchase,,a2,,,,,20',
  'e5,2026-01-01T13:00:00Z,purchase,u3,a3,,,,,30',
  'e6,2026-01-02T08:00:00Z,page_view,,a4,news,email,jan,,',
  'e7,2026-01-02T09:00:00Z,purchase,u4,a4,,,,,40',
  'e8,2026-01-02T10:00:00Z,page_view,,a5,facebook,paid_social,spring,,',
  'e9,2026-01-02T11:00:00Z,purchase,,a5,,,,,50',
  'e10,2026-01-02T10:00:00Z,page_view,,a6,partner,,x,,',
  'e11,nope,page_view,,a6,,,,,',
  'e1,2026-01-01T10:00:00Z,page_view,,a1,google,cpc,brand,G1,',
  'e12,2026-01-02T12:00:00Z,page_view,,a6,,,,,,extra',
].join('\n') + '\n';

/** Purchases per day: 1 on each of days 1-9, 5 on day 10 (each by its own visitor, no touch). */
function series(): string {
  const rows = ['event_id,event_ts,event_name,anon_id'];
  const counts = [1, 1, 1, 1, 1, 1, 1, 1, 1, 5];
  counts.forEach((n, d) => {
    for (let i = 0; i < n; i++) rows.push(`d${d}_${i},2026-03-${String(d + 1).padStart(2, '0')}T12:00:00Z,purchase,v${d}_${i}`);
  });
  return rows.join('\n') + '\n';
}

for (const [engine, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`audit (${engine})`, () => {
    it('health per day and kind, checked by hand', async () => {
      const db = await open();
      try {
        const { health_daily: h } = await audit(db, 'small.csv', SMALL);
        assert.equal(h.length, 2);
        const [d1, d2] = h;
        assert.deepEqual([d1.date, d1.conversion_kind, d1.conversions, d1.attributed, d1.direct_only, d1.no_touch], ['2026-01-01', 'purchase', 3, 1, 1, 1]);
        assert.ok(close(d1.coverage_rate, 1 / 3) && close(d1.direct_only_rate, 1 / 3));
        assert.ok(close(d1.click_id_rate, 1), "a1's paid_search touch carries its gclid");
        assert.ok(close(d1.identified_rate, 1 / 3), 'only u3 bought logged in');
        assert.deepEqual([d2.date, d2.conversions, d2.attributed, d2.direct_only, d2.no_touch], ['2026-01-02', 2, 2, 0, 0]);
        assert.ok(close(d2.coverage_rate, 1) && close(d2.direct_only_rate, 0));
        assert.ok(close(d2.click_id_rate, 0), "a5's paid_social touch has no click id; a4's email is not paid");
        assert.ok(close(d2.identified_rate, 0.5), 'u4 yes, a5 no');
      } finally {
        await db.close();
      }
    });

    it('the trace: every step, each drop labelled, rows out of one step into the next', async () => {
      const db = await open();
      try {
        const { pipeline_trace: t, unattributable: u } = await audit(db, 'small.csv', SMALL);
        const steps = t.map((r) => [r.lane, r.step, r.rows_in, r.rows_out, r.dropped, r.kind]);
        assert.deepEqual(steps, [
          ['events', 'read', 13, 13, 0, 'kept'],
          ['events', 'parsed', 13, 12, 1, 'data loss'],
          ['events', 'rejected: invalid_timestamp', 12, 11, 1, 'data loss'],
          ['events', 'rejected: duplicate_event_id', 11, 10, 1, 'expected filter'],
          ['events', 'staged', 10, 10, 0, 'kept'],
          ['events', 'stitched', 10, 10, 0, 'kept'],
          ['events', 'conversions set aside', 10, 5, 5, 'expected filter'],
          ['events', 'fraud filter', 5, 5, 0, 'kept'],
          ['events', 'sessions', 5, 5, 0, 'kept'],
          // a6's touch precedes no conversion; of the four left, a2's is direct
          ['events', 'in a lookback window', 5, 4, 1, 'expected filter'],
          ['events', 'credited', 4, 3, 1, 'expected filter'],
          ['conversions', 'conversions', 5, 5, 0, 'kept'],
          ['conversions', 'journeys in window', 5, 4, 1, 'expected filter'],
          ['conversions', 'attributed', 4, 3, 1, 'expected filter'],
        ]);
        assert.match(String(t[1].reason), /ragged_row 1/);
        assert.match(String(t[5].reason), /^1 anonymous events joined/, "a4's email visit");
        // the unclassified: a6's partner visit fell to other
        assert.deepEqual(u.map((r) => [r.field, r.value, r.channel, r.events, r.people, r.first_seen]), [
          ['utm_campaign', 'x', 'other', 1, 1, '2026-01-02T10:00:00.000000Z'],
          ['utm_source', 'partner', 'other', 1, 1, '2026-01-02T10:00:00.000000Z'],
        ]);
      } finally {
        await db.close();
      }
    });

    it('the fraud filter is a step of the trace: the dropped clicks, labelled an expected filter', async () => {
      const db = await open();
      try {
        // a bot clicks one campaign 8 times in 2 minutes, then buys: with at most 5 repeats, 3 clicks go
        const rows = ['event_id,event_ts,event_name,anon_id,utm_source,utm_medium,utm_campaign,revenue'];
        for (let i = 0; i < 8; i++) rows.push(`b${i},2026-01-01T10:0${Math.floor(i / 4)}:${String((i % 4) * 15).padStart(2, '0')}Z,page_view,bot,fb,paid_social,spring,`);
        rows.push('b9,2026-01-01T11:00:00Z,purchase,bot,,,,5');
        await importEvents(db, memorySource('bot.csv', rows.join('\n') + '\n'), lib.get('staging')!, {});
        await buildJourneys(db, lib, { models: ['last_touch'], rules, params: { fraud_max_repeats: 5 } });
        const { pipeline_trace: t } = await runAudit(db, lib);
        const fraud = t.find((r) => r.step === 'fraud filter')!;
        assert.deepEqual([fraud.rows_in, fraud.rows_out, fraud.dropped, fraud.kind], [8, 5, 3, 'expected filter']);
        assert.match(String(fraud.reason), /repeated clicks/);
        assert.equal(t.find((r) => r.step === 'sessions')!.rows_in, 5, 'the next step starts from what the filter kept');
      } finally {
        await db.close();
      }
    });

    it('XmR: limits from the mean moving range, a point beyond them and 8 in a row flagged (by hand)', async () => {
      const db = await open();
      try {
        const { health_xmr: x } = await audit(db, 'series.csv', series());
        const conv = x.filter((r) => r.metric === 'conversions');
        assert.equal(conv.length, 10);
        // mean 14/10 = 1.4; moving ranges 0 (x8) and 4: mean 4/9
        const mr = 4 / 9;
        for (const r of conv) {
          assert.ok(close(r.centre, 1.4));
          assert.ok(close(r.upper, 1.4 + 2.66 * mr) && close(r.lower, 1.4 - 2.66 * mr));
          assert.ok(close(r.mr_upper, 3.268 * mr));
        }
        assert.equal(conv[0].moving_range, null, 'the first point has no moving range');
        assert.ok(close(conv[9].moving_range, 4));
        assert.deepEqual(conv.map((r) => r.signal), [null, null, null, null, null, null, null, '8 in a row below centre', '8 in a row below centre', 'above upper limit']);
        // every conversion here has no touch: coverage 0 every day, no spread, no signal
        const cov = x.filter((r) => r.metric === 'coverage_rate');
        assert.deepEqual(cov.map((r) => r.signal), Array(10).fill(null));
        assert.equal(x.filter((r) => r.metric === 'click_id_rate').length, 0, 'no paid touches: no points');
      } finally {
        await db.close();
      }
    });

    it('on the sample, the trace reconciles and health adds up to the conversions', async () => {
      const db = await open();
      try {
        const sample = fileURLToPath(new URL('../../samples/sample.parquet', import.meta.url));
        const report = await importEvents(db, fileSourceFromPath(sample), lib.get('staging')!, {});
        await buildJourneys(db, lib, { models: ['last_touch'], rules, params: {} });
        const { pipeline_trace: t, health_daily: h } = await runAudit(db, lib);
        for (const lane of ['events', 'conversions']) {
          const steps = t.filter((r) => r.lane === lane);
          steps.forEach((r, i) => {
            assert.equal(Number(r.dropped), Number(r.rows_in) - Number(r.rows_out), `${r.step}: dropped = in - out`);
            if (i > 0) assert.equal(r.rows_in, steps[i - 1].rows_out, `${r.step} takes what ${steps[i - 1].step} gave`);
          });
        }
        assert.equal(t[0].rows_in, report.rowsRead);
        const lost = t.filter((r) => String(r.step).startsWith('rejected') || r.step === 'parsed').reduce((a, r) => a + Number(r.dropped), 0);
        assert.equal(lost, Object.values(report.rejectsByReason).reduce((a, b) => a + b, 0), 'every reject is a drop of the trace');
        const setAside = t.find((r) => r.step === 'conversions set aside')!;
        assert.equal(t.find((r) => r.step === 'conversions')!.rows_in, setAside.dropped, 'the conversions lane starts with what the events lane set aside');
        const conv = Number((await db.all('SELECT count(*) AS n FROM conversions'))[0].n);
        const sum = (k: string, rows: Row[]) => rows.reduce((a, r) => a + Number(r[k]), 0);
        assert.equal(sum('conversions', h), conv);
        assert.equal(sum('attributed', h) + sum('direct_only', h) + sum('no_touch', h), conv);
        assert.equal(sum('attributed', h), t.find((r) => r.step === 'attributed')!.rows_out);
      } finally {
        await db.close();
      }
    });
  });
}
