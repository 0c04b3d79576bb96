/** Chart cell specs: the builder's output, defaults from column types, and the sanitiser that keeps specs offline. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- specs are deep JSON; the tests read into them
type J = any;
import { builderToSpec, chartProblem, defaultBuilder, sanitizeSpec, withData } from '../../common/charts.ts';

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

describe('chartProblem: a chart never draws a field its result lacks', () => {
  const cols = [{ name: 'channel', type: 'VARCHAR' }, { name: 'conversions', type: 'DOUBLE' }, { name: 'model', type: 'VARCHAR' }];
  it('a builder with no X and no Y is unconfigured (empty state, not a block)', () => {
    assert.deepEqual(chartProblem({ mark: 'bar' }, undefined, cols, 'by_channel'), { kind: 'unconfigured', message: 'Choose X and Y to draw by_channel.' });
  });
  it('a builder field that is not a column names it and the columns there are', () => {
    const p = chartProblem({ mark: 'bar', x: 'channel', y: 'attributed_conversions' }, undefined, cols, 'by_channel');
    assert.deepEqual(p, {
      kind: 'missing_field', field: 'attributed_conversions', channel: 'Y',
      message: "Y uses the column 'attributed_conversions', which by_channel does not have (its columns: channel, conversions, model): choose another column",
    });
    assert.equal(chartProblem({ mark: 'bar', x: 'channel', y: 'conversions', color: 'modl' }, undefined, cols, 't')?.kind, 'missing_field');
    assert.equal(chartProblem({ mark: 'bar', x: 'channel', y: 'conversions', color: 'model' }, undefined, cols, 't'), undefined);
    // count needs no Y column
    assert.equal(chartProblem({ mark: 'bar', x: 'channel', y: 'gone', aggregate: 'count' }, undefined, cols, 't'), undefined);
  });
  it('no builder and no spec: the default builder of the columns, which always fits', () => {
    assert.equal(chartProblem(undefined, undefined, cols, 't'), undefined);
  });
  it("a spec's fields are checked in layers too; fields its transforms make count as present", () => {
    const spec = { layer: [{ mark: 'bar', encoding: { x: { field: 'channel' }, y: { field: 'credit' } } }] };
    assert.match(chartProblem(undefined, spec, cols, 'by_channel')?.message ?? '', /^the spec's y uses the column 'credit', which by_channel does not have/);
    const made = { transform: [{ calculate: 'datum.conversions * 2', as: 'credit' }], mark: 'bar', encoding: { x: { field: 'channel' }, y: { field: 'credit' } } };
    assert.equal(chartProblem(undefined, made, cols, 'by_channel'), undefined);
    const agg = { transform: [{ aggregate: [{ op: 'sum', field: 'conversions', as: 'total' }], groupby: ['channel'] }], mark: 'bar', encoding: { x: { field: 'channel' }, y: { field: 'total' } } };
    assert.equal(chartProblem(undefined, agg, cols, 'by_channel'), undefined);
    // a nested path reads the column before the dot
    assert.equal(chartProblem(undefined, { mark: 'bar', encoding: { x: { field: 'channel.name' } } }, cols, 't'), undefined);
  });
});
