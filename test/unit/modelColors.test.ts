/** One colour per model in every chart (common/modelColors.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODEL_COLORS, withModelColors } from '../../common/modelColors.ts';

describe('withModelColors', () => {
  const spec = { mark: 'bar', encoding: { x: { field: 'channel' }, color: { field: 'model', type: 'nominal' } } };
  it('fixes the scale to each model\'s colour, the models present in the order they first appear', () => {
    const rows = [{ model: 'markov', channel: 'a' }, { model: 'linear', channel: 'a' }, { model: 'markov', channel: 'b' }];
    const out = withModelColors(spec, rows) as { encoding: { color: { scale: unknown } } };
    assert.deepEqual(out.encoding.color.scale, { domain: ['markov', 'linear'], range: ['#e45756', '#54a24b'] });
    // the same model, another chart, another order: the same colour
    const other = withModelColors(spec, [{ model: 'linear' }, { model: 'shapley' }, { model: 'markov' }]) as { encoding: { color: { scale: { domain: string[]; range: string[] } } } };
    const s = other.encoding.color.scale;
    assert.equal(s.range[s.domain.indexOf('markov')], MODEL_COLORS.markov);
  });
  it('leaves other colourings alone: values that are not models, a scale of the user\'s, a quantitative colour', () => {
    assert.equal(withModelColors(spec, [{ model: 'markov' }, { model: 'my_model' }]), spec);
    const own = { encoding: { color: { field: 'model', scale: { scheme: 'dark2' } } } };
    assert.equal(withModelColors(own, [{ model: 'markov' }]), own);
    const q = { encoding: { color: { field: 'model', type: 'quantitative' } } };
    assert.equal(withModelColors(q, [{ model: 'markov' }]), q);
    assert.equal(withModelColors({ mark: 'bar' }, [{ model: 'markov' }]).encoding, undefined);
  });
  it('every colour is distinct', () => {
    const c = Object.values(MODEL_COLORS);
    assert.equal(new Set(c).size, c.length);
  });
});
