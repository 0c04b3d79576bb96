/** Chart cell specs: the builder's output, defaults from column types, and the sanitiser that keeps specs offline. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs are deep JSON; the tests read into them
type J = any;
import { builderToSpec, defaultBuilder, sanitizeSpec, withData } from '../../common/charts.ts';

const cols = [
  { name: 'model', type: 'VARCHAR' },
  { name: 'channel', type: 'VARCHAR' },
  { name: 'attributed_conversions', type: 'DOUBLE' },
  { name: 'n', type: 'BIGINT' },
];

describe('chart specs', () => {
  it('defaults: first text on x, first number on y, second text as colour; a date makes a line', () => {
    assert.deepEqual(defaultBuilder(cols), { mark: 'bar', x: 'model', y: 'attributed_conversions', color: 'channel', aggregate: 'none' });
    const daily = defaultBuilder([{ name: 'day', type: 'DATE' }, { name: 'events', type: 'BIGINT' }]);
    assert.equal(daily.mark, 'line');
    assert.equal(daily.x, 'day');
    assert.equal(daily.y, 'events');
  });

  it('grouped bars: colour offsets bars side by side; types follow the columns', () => {
    const s = builderToSpec({ mark: 'bar', x: 'channel', y: 'attributed_conversions', color: 'model' }, cols, 'Credit') as Record<string, J>;
    // the legend is inside the width the cell gives the chart
    assert.deepEqual(s.autosize, { type: 'fit-x', contains: 'padding' });
    assert.equal(s.title, 'Credit');
    assert.deepEqual(s.encoding.x.field, 'channel');
    assert.equal(s.encoding.x.type, 'nominal');
    assert.equal(s.encoding.y.type, 'quantitative');
    assert.deepEqual(s.encoding.xOffset, { field: 'model', type: 'nominal' });
    assert.equal(s.data, undefined, 'no data in a built spec');
    const h = builderToSpec({ mark: 'bar', x: 'channel', y: 'n', aggregate: 'sum', horizontal: true }, cols) as Record<string, J>;
    assert.equal((h.encoding as Record<string, Record<string, J>>).y.sort, '-x', 'a horizontal ranking reads largest first, top down');
    assert.equal(h.encoding.y.field, 'channel');
    assert.equal(h.encoding.x.aggregate, 'sum');
    assert.equal(h.encoding.x.title, 'sum of n');
  });

  it('removes every data source, URL and link, at any depth, and image marks', () => {
    const { spec, removed } = sanitizeSpec({
      data: { url: 'https://evil.example/x.csv' },
      layer: [{ mark: { type: 'image' }, encoding: { url: { field: 'u' }, href: { field: 'h' } } }, { data: { values: [] }, mark: 'bar' }],
      datasets: { a: [] },
      transform: [{ lookup: 'k', from: { data: { url: 'file:///etc/passwd' }, key: 'k' } }],
    });
    assert.equal(JSON.stringify(spec).includes('evil'), false);
    assert.equal(JSON.stringify(spec).includes('passwd'), false);
    assert.deepEqual(removed.sort(), ['data', 'datasets', 'layer[0].encoding.href', 'layer[0].encoding.url', 'layer[0].mark (image)', 'layer[1].data', 'transform[0].from.data'].sort());
    assert.equal((spec.layer as J[])[0].mark, 'point');
  });

  it('inline data: numbers from BigInt and DECIMAL text become numbers; the spec keeps no other source', () => {
    const s = withData({ mark: 'bar', data: { url: 'x.csv' } }, [{ model: 'linear', channel: 'email', attributed_conversions: '1.5', n: 3n }] as never, cols) as Record<string, J>;
    assert.deepEqual(s.data, { values: [{ model: 'linear', channel: 'email', attributed_conversions: 1.5, n: 3 }] });
  });
});
