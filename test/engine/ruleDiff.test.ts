/**
 * Rule-change diff (common/ruleDiff.ts, models/rule_diff.sql) on both engines:
 * a rule that gives utm_medium=newsletter its own channel moves exactly the
 * hand-computed credit; the matrix's rows and columns sum to the channels'
 * losses and gains; totals reconcile; a shorter lookback moves credit to
 * direct; identical configurations move nothing.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Row } from '../../common/db.ts';
import { Engine } from '../../common/engine.ts';
import type { RuleSet } from '../../common/rules.ts';
import type { DiffConfig, RuleDiffResult } from '../../common/ruleDiff.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { memorySource } from '../helpers.ts';

// Five people, days apart (one session per event), anon ids only:
//  p1: paid_search (Jan 1), news/newsletter (Jan 3), buys c1 on Jan 4
//  p2: news/email (Jan 1), buys c2 on Jan 2
//  p3: news/newsletter (Jan 1), news/email (Jan 2), buys c3 on Jan 3
//  p4: buys c4 on Jan 5 with no touch (direct)
//  p5: paid_search (Jan 1), a direct visit (Jan 20), buys c5 on Jan 25
const CSV = [
  'event_id,event_ts,event_name,anon_id,utm_source,utm_medium,revenue',
  'a1,2026-01-01T00:00:00Z,page_view,p1,google,cpc,',
  'a2,2026-01-03T00:00:00Z,page_view,p1,news,newsletter,',
  'c1,2026-01-04T00:00:00Z,purchase,p1,,,100',
  'b1,2026-01-01T00:00:00Z,page_view,p2,news,email,',
  'c2,2026-01-02T00:00:00Z,purchase,p2,,,20',
  'd1,2026-01-01T00:00:00Z,page_view,p3,news,newsletter,',
  'd2,2026-01-02T00:00:00Z,page_view,p3,news,email,',
  'c3,2026-01-03T00:00:00Z,purchase,p3,,,30',
  'c4,2026-01-05T00:00:00Z,purchase,p4,,,40',
  'f1,2026-01-01T00:00:00Z,page_view,p5,google,cpc,',
  'f2,2026-01-20T00:00:00Z,page_view,p5,,,',
  'c5,2026-01-25T00:00:00Z,purchase,p5,,,50',
].join('\n') + '\n';
const sample = (f: string) => readFileSync(fileURLToPath(new URL(`../../samples/${f}`, import.meta.url)), 'utf8');
const tiny = sample('tiny.csv');

const rules = loadRules();
/** The default rules with a first rule that sends utm_medium=newsletter to its own channel (default: email). */
const newsletterRules: RuleSet = {
  ...rules,
  rules: [{ id: 'medium_newsletter', channel: 'newsletter', all: [{ field: 'utm_medium', op: 'in', values: ['newsletter'] }] }, ...rules.rules],
};
const cfg = (model: string, r: RuleSet = rules, params: Record<string, unknown> = {}): DiffConfig => ({ model, rules: r, params });

const close = (a: number, b: number) => Math.abs(a - b) < 1e-9;
const sumBy = (rows: Row[], key: string, value: string) => {
  const m = new Map<string, number>();
  for (const r of rows) m.set(String(r[key]), (m.get(String(r[key])) ?? 0) + Number(r[value]));
  return m;
};

/** Checks the definitions hold on any result: matrix margins = losses / gains, totals = kept + lost / gained. */
function checkInvariants(d: RuleDiffResult, conserving: boolean): void {
  const rowSums = sumBy(d.matrix, 'from_channel', 'credit');
  const colSums = sumBy(d.matrix, 'to_channel', 'credit');
  const deltas = sumBy(d.conversions, 'channel', 'delta');
  for (const t of d.totals) {
    const ch = String(t.channel);
    const [base, prop, kept, lost, gained] = [t.baseline, t.proposed, t.kept, t.lost, t.gained].map(Number);
    assert.ok(close(base, kept + lost), `${ch}: baseline = kept + lost`);
    assert.ok(close(prop, kept + gained), `${ch}: proposed = kept + gained`);
    assert.ok(close(Number(t.delta), prop - base), `${ch}: delta`);
    assert.ok(close(rowSums.get(ch) ?? 0, lost), `${ch}: matrix row sum ${rowSums.get(ch)} = loss ${lost}`);
    assert.ok(close(colSums.get(ch) ?? 0, gained), `${ch}: matrix column sum ${colSums.get(ch)} = gain ${gained}`);
    assert.ok(close(deltas.get(ch) ?? 0, prop - base), `${ch}: per-conversion deltas add up to the total delta`);
    assert.equal(t.delta_pct, base === 0 ? null : t.delta_pct);
    if (base !== 0) assert.ok(close(Number(t.delta_pct), (100 * (prop - base)) / base), `${ch}: delta_pct`);
  }
  assert.ok(d.matrix.every((m) => m.from_channel !== m.to_channel), 'nothing on the diagonal');
  if (conserving) {
    assert.ok(d.matrix.every((m) => m.from_channel !== '(none)' && m.to_channel !== '(none)'), 'credit-count models need no (none)');
    for (const [cid, s] of sumBy(d.conversions, 'conversion_id', 'delta')) assert.ok(close(s, 0), `${cid}: what one channel loses another gains`);
  }
}

for (const [name, open] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`rule-change diff (${name})`, () => {
    const engineOn = async (text: string) => {
      const e = new Engine(await open(), loadModelLibrary());
      await e.openFile(memorySource('diff.csv', text));
      return e;
    };

    it('newsletter as its own channel moves exactly the hand-computed credit (linear)', async () => {
      const e = await engineOn(CSV);
      const d = await e.ruleDiff(cfg('linear'), cfg('linear', newsletterRules));
      // linear, baseline: c1 paid_search 1/2 + email 1/2; c2 email 1; c3 email 1/2 + 1/2 = 1; c4 direct 1 (no touch);
      // c5 paid_search 1 (the direct visit is not credited when a non-direct touch is in the window).
      // proposed: c1's and c3's newsletter touches become newsletter, c2's email stays.
      assert.deepEqual(d.conversions, [
        { conversion_id: 'c1', channel: 'email', baseline_credit: 0.5, proposed_credit: 0, delta: -0.5 },
        { conversion_id: 'c1', channel: 'newsletter', baseline_credit: 0, proposed_credit: 0.5, delta: 0.5 },
        { conversion_id: 'c3', channel: 'email', baseline_credit: 1, proposed_credit: 0.5, delta: -0.5 },
        { conversion_id: 'c3', channel: 'newsletter', baseline_credit: 0, proposed_credit: 0.5, delta: 0.5 },
      ]);
      assert.deepEqual(d.matrix, [{ from_channel: 'email', to_channel: 'newsletter', credit: 1, conversions: 2 }]);
      assert.deepEqual(d.totals, [
        { channel: 'direct', baseline: 1, proposed: 1, delta: 0, delta_pct: 0, kept: 1, lost: 0, gained: 0 },
        { channel: 'email', baseline: 2.5, proposed: 1.5, delta: -1, delta_pct: -40, kept: 1.5, lost: 1, gained: 0 },
        { channel: 'newsletter', baseline: 0, proposed: 1, delta: 1, delta_pct: null, kept: 0, lost: 0, gained: 1 },
        { channel: 'paid_search', baseline: 1.5, proposed: 1.5, delta: 0, delta_pct: 0, kept: 1.5, lost: 0, gained: 0 },
      ]);
      checkInvariants(d, true);
      // totals reconcile: one unit per conversion on each side
      const sum = (k: string) => d.totals.reduce((a, t) => a + Number(t[k]), 0);
      assert.deepEqual([sum('baseline'), sum('proposed')], [5, 5]);
      // the tables stay in the database for SQL cells
      assert.deepEqual(await e.query('SELECT from_channel, to_channel, credit, conversions FROM diff_matrix'), d.matrix);
      assert.deepEqual(await e.query('SELECT count(*) AS n FROM diff_conversions'), [{ n: 4 }]);
      await e.close();
    });

    it('last touch sees only c1 move; participation creates credit, shown as from (none)', async () => {
      const e = await engineOn(CSV);
      // last touch: c1's last touch is the newsletter (moves whole); c3's last touch is the email of Jan 2 (stays)
      let d = await e.ruleDiff(cfg('last_touch'), cfg('last_touch', newsletterRules));
      assert.deepEqual(d.conversions, [
        { conversion_id: 'c1', channel: 'email', baseline_credit: 1, proposed_credit: 0, delta: -1 },
        { conversion_id: 'c1', channel: 'newsletter', baseline_credit: 0, proposed_credit: 1, delta: 1 },
      ]);
      assert.deepEqual(d.matrix, [{ from_channel: 'email', to_channel: 'newsletter', credit: 1, conversions: 1 }]);
      checkInvariants(d, true);
      // participation gives 1 to every channel of the journey: c1 email 1 -> newsletter 1 (a move);
      // c3 email 1 -> email 1 + newsletter 1 (newsletter's 1 comes from no channel: '(none)')
      d = await e.ruleDiff(cfg('participation'), cfg('participation', newsletterRules));
      assert.deepEqual(d.conversions, [
        { conversion_id: 'c1', channel: 'email', baseline_credit: 1, proposed_credit: 0, delta: -1 },
        { conversion_id: 'c1', channel: 'newsletter', baseline_credit: 0, proposed_credit: 1, delta: 1 },
        { conversion_id: 'c3', channel: 'newsletter', baseline_credit: 0, proposed_credit: 1, delta: 1 },
      ]);
      assert.deepEqual(d.matrix, [
        { from_channel: '(none)', to_channel: 'newsletter', credit: 1, conversions: 1 },
        { from_channel: 'email', to_channel: 'newsletter', credit: 1, conversions: 1 },
      ]);
      checkInvariants(d, false);
      await e.close();
    });

    it('a shorter lookback moves credit to direct (hand-checked, and on the sample)', async () => {
      const e = await engineOn(CSV);
      // 7 days: c5's paid_search (24 days before) leaves its window, only the direct visit is left
      const d = await e.ruleDiff(cfg('linear'), cfg('linear', rules, { lookback_days: 7 }));
      assert.deepEqual(d.conversions, [
        { conversion_id: 'c5', channel: 'direct', baseline_credit: 0, proposed_credit: 1, delta: 1 },
        { conversion_id: 'c5', channel: 'paid_search', baseline_credit: 1, proposed_credit: 0, delta: -1 },
      ]);
      assert.deepEqual(d.matrix, [{ from_channel: 'paid_search', to_channel: 'direct', credit: 1, conversions: 1 }]);
      checkInvariants(d, true);
      await e.close();

      const t = await engineOn(sample('sample.csv'));
      const w = await t.ruleDiff(cfg('time_decay'), cfg('time_decay', rules, { lookback_days: 3 }));
      checkInvariants(w, true);
      const direct = w.totals.find((r) => r.channel === 'direct')!;
      // a narrower window only removes touches: direct gains a whole 1 from each journey left direct-only, never loses
      const toDirect = w.conversions.filter((r) => r.channel === 'direct');
      assert.ok(toDirect.length > 0, 'some journeys become direct-only');
      assert.ok(toDirect.every((r) => r.baseline_credit === 0 && r.proposed_credit === 1));
      assert.equal(direct.gained, toDirect.length);
      assert.equal(direct.lost, 0);
      assert.ok(w.matrix.some((m) => m.to_channel === 'direct'));
      assert.ok(w.matrix.every((m) => m.from_channel !== 'direct'));
      const [{ n }] = await t.query('SELECT count(*) AS n FROM conversions');
      const sum = (k: string) => w.totals.reduce((a, r) => a + Number(r[k]), 0);
      assert.ok(close(sum('baseline'), Number(n)) && close(sum('proposed'), Number(n)), `both sides sum to the ${n} conversions`);
      await t.close();
    });

    it('identical configurations move nothing; a half-life change moves credit but keeps the totals', async () => {
      const t = await engineOn(tiny);
      const same = await t.ruleDiff(cfg('time_decay', rules, { half_life_days: 3 }), cfg('time_decay', rules, { half_life_days: 3 }));
      assert.deepEqual([same.conversions.length, same.matrix.length], [0, 0]);
      assert.ok(same.totals.length > 1);
      for (const r of same.totals) {
        assert.deepEqual([r.delta, r.lost, r.gained, r.kept], [0, 0, 0, r.baseline], String(r.channel));
        assert.equal(r.delta_pct, Number(r.baseline) === 0 ? null : 0);
      }
      const hl = await t.ruleDiff(cfg('time_decay', rules, { half_life_days: 7 }), cfg('time_decay', rules, { half_life_days: 1 }));
      assert.ok(hl.conversions.length > 0 && hl.matrix.length > 0, 'a shorter half-life moves credit towards later touches');
      checkInvariants(hl, true);
      const [{ n }] = await t.query('SELECT count(*) AS n FROM conversions');
      assert.ok(close(hl.totals.reduce((a, r) => a + Number(r.proposed), 0), Number(n)));
      await t.close();
    });
  });
}
