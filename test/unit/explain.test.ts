/** The journey inspector's explanation maths (common/explain.ts), on hand-computed journeys. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkCredits, explainJourney, explainModel, type ExplainTouch } from '../../common/explain.ts';

const near = (a: number, b: number, tol = 1e-6) => assert.ok(Math.abs(a - b) < tol, `${a} ≈ ${b}`);

// three touches at 10, 2 and 1 days before the conversion (i by time)
const J: ExplainTouch[] = [
  { i: 1, n: 3, channel: 'paid_search', days_before: 10 },
  { i: 2, n: 3, channel: 'email', days_before: 2 },
  { i: 3, n: 3, channel: 'paid_search', days_before: 1, has_click_token: false },
];
const ctx = { params: { time_decay: { half_life_days: 7 }, position_based: { first_weight: 0.4, middle_weight: 0.2, last_weight: 0.4 } } };

describe('explain: time decay', () => {
  it('weights 2^(-d/7) at 1, 2 and 10 days: 0.905724, 0.820335, 0.371499; shares by hand', () => {
    const e = explainModel('time_decay', J, ctx);
    const byDays = Object.fromEntries(e.touches.map((t) => [t.days_before, t]));
    near(byDays[1].weight, 0.905724);
    near(byDays[2].weight, 0.820335);
    near(byDays[10].weight, 0.371499);
    // sum 2.097558: shares 0.431799, 0.391091, 0.177110
    near(byDays[1].share, 0.431799);
    near(byDays[2].share, 0.391091);
    near(byDays[10].share, 0.177110);
    // per channel as the credits table sums them
    near(e.channels.paid_search, 0.431799 + 0.177110);
    near(e.channels.email, 0.391091);
    near(e.channels.paid_search + e.channels.email, 1, 1e-12);
  });
  it('follows the half-life of the run', () => {
    const e = explainModel('time_decay', [{ i: 1, n: 2, channel: 'a', days_before: 2 }, { i: 2, n: 2, channel: 'b', days_before: 0 }], { params: { time_decay: { half_life_days: 2 } } });
    // weights 0.5 and 1: shares 1/3 and 2/3
    near(e.channels.a, 1 / 3, 1e-12);
    near(e.channels.b, 2 / 3, 1e-12);
  });
});

describe('explain: positions, linear, first and last', () => {
  it('position based 40/20/40 over three touches', () => {
    const e = explainModel('position_based', J, ctx);
    assert.deepEqual(e.touches.map((t) => [t.role, t.share]), [['first', 0.4], ['middle', 0.2], ['last', 0.4]]);
    near(e.channels.paid_search, 0.8, 1e-12);
    near(e.channels.email, 0.2, 1e-12);
  });
  it('two touches renormalise first and last (j_curve 20/60 -> 25/75); one touch gets 1', () => {
    const two = explainModel('j_curve', J.slice(0, 2).map((t) => ({ ...t, n: 2 })), { params: {} });
    near(two.touches[0].share, 0.25, 1e-15);
    near(two.touches[1].share, 0.75, 1e-15);
    const one = explainModel('position_based', [{ i: 1, n: 1, channel: 'x', days_before: 3 }], ctx);
    assert.deepEqual(one.channels, { x: 1 });
  });
  it('five touches share the middle weight equally', () => {
    const five = [1, 2, 3, 4, 5].map((i) => ({ i, n: 5, channel: `c${i}`, days_before: 6 - i }));
    const e = explainModel('position_based', five, ctx);
    near(e.channels.c2, 0.2 / 3, 1e-15);
    near(e.channels.c5, 0.4, 1e-15);
  });
  it('linear 1/n, first and last touch, last touch with click proof', () => {
    const lin = explainModel('linear', J, ctx);
    near(lin.channels.paid_search, 2 / 3, 1e-15);
    assert.deepEqual(explainModel('first_touch', J, ctx).channels, { paid_search: 1 });
    assert.deepEqual(explainModel('last_touch', J, ctx).channels, { paid_search: 1 });
    const proofJ = J.map((t) => ({ ...t, has_click_token: t.i === 2 }));
    assert.deepEqual(explainModel('last_touch', proofJ, { params: { last_touch: { click_proof: true } } }).channels, { email: 1 });
    assert.deepEqual(explainModel('last_touch', proofJ, { params: { last_touch: { click_proof: false } } }).channels, { paid_search: 1 });
  });
});

describe('explain: channel-level models and the direct rule', () => {
  it('markov: removal-effect shares of the distinct channels', () => {
    const e = explainModel('markov', J, { params: { markov: { path_transforms: '' } }, removalEffects: { paid_search: 0.3, email: 0.1, social: 0.9 } });
    assert.deepEqual(e.channelWeights.map((c) => c.channel), ['paid_search', 'email']);
    near(e.channels.paid_search, 0.75, 1e-15);
    near(e.channels.email, 0.25, 1e-15);
    // with path transforms the path is not the journey: not reproduced
    assert.equal(explainModel('markov', J, { params: { markov: { path_transforms: 'first' } }, removalEffects: {} }).reproducible, false);
  });
  it('shapley: equal shares of the distinct channels; participation: 1 each', () => {
    assert.deepEqual(explainModel('shapley', J, { params: {} }).channels, { paid_search: 0.5, email: 0.5 });
    assert.deepEqual(explainModel('participation', J, { params: {} }).channels, { paid_search: 1, email: 1 });
  });
  it('a journey without non-direct touches gives direct 1 under every model', () => {
    for (const e of explainJourney(['first_touch', 'time_decay', 'position_based', 'markov'], [], { params: {} })) assert.deepEqual(e.channels, { direct: 1 }, e.model);
  });
});

describe('checkCredits', () => {
  it('passes within 1e-9, flags a difference and a missing row', () => {
    const e = explainModel('linear', J, ctx);
    assert.equal(checkCredits(e, { paid_search: 2 / 3 + 1e-12, email: 1 / 3 }).ok, true);
    const bad = checkCredits(e, { paid_search: 0.6, email: 1 / 3 });
    assert.equal(bad.ok, false);
    near(bad.maxDiff, 2 / 3 - 0.6, 1e-12);
    assert.equal(checkCredits(e, { paid_search: 2 / 3 }).ok, false);
    // zero credits are left out of the table: a first-touch 0 matches no row
    assert.equal(checkCredits(explainModel('first_touch', J, ctx), { paid_search: 1 }).ok, true);
    assert.equal(checkCredits(explainModel('fractribution', J, ctx), { paid_search: 1 }).ok, false);
  });
});
