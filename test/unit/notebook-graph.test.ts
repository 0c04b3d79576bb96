/**
 * Notebook reactivity: what SQL refers to (strings and comments skipped),
 * what each cell defines and uses, run order, cycles, duplicates, unknown
 * parameters, and exactly which cells re-run after a change.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { sqlReferences } from '../../common/notebook/sqlRefs.ts';
import { buildGraph, dependents, MODEL_OUTPUT_TABLES, resolveParamRefs, upstreamOf, type CellGraph } from '../../common/notebook/graph.ts';
import type { Cell } from '../../common/notebook/types.ts';

const sql = (id: string, name: string, source: string): Cell => ({ id, kind: 'sql', name, source });
const md = (id: string): Cell => ({ id, kind: 'markdown', source: '# x' });
const chart = (id: string, from: string): Cell => ({ id, kind: 'chart', from });
const param = (id: string, name: string, value = 1): Cell => ({ id, kind: 'param', name, control: 'number', value });

/** The errors of a graph as [cell, message] pairs, for exact comparison. */
const errorList = (g: CellGraph) => [...g.errors].flatMap(([id, es]) => es.map((e) => [id, e.message]));

describe('sql references', () => {
  it('tables after FROM, JOIN and commas of a FROM list; qualified names by their last part', () => {
    const r = sqlReferences('SELECT a FROM t1, t2 AS x JOIN main.t3 ON x.id = t3.id, t4 WHERE b IN (SELECT c FROM t5) ORDER BY 1');
    assert.deepEqual(r.tables, ['t1', 't2', 't3', 't4', 't5']);
    assert.deepEqual(sqlReferences('FROM events SELECT count(*)').tables, ['events']);
    assert.deepEqual(sqlReferences('select * from Channel_Summary c left join "Odd ""Name""" o using (channel)').tables, ['channel_summary', 'odd "name"']);
    assert.deepEqual(sqlReferences('SELECT * FROM (SELECT * FROM a) s, b; SELECT 1 FROM c').tables, ['a', 'b', 'c']);
  });

  it('skips strings, quoted words, comments and dollar-quoted text', () => {
    const r = sqlReferences(
      "SELECT 'FROM fake1 $p1', \"FROM\", $p FROM real -- FROM fake2 $p2\n" +
        "/* FROM fake3 $p3 */ WHERE x = E'it\\'s FROM fake4 $p4' AND y = $$FROM fake5 $p5$$ AND z = $tag$ FROM fake6 $p6 $tag$ AND w = 'a''b FROM fake7' AND v = $q",
    );
    assert.deepEqual(r.tables, ['real']);
    assert.deepEqual(r.params, ['p', 'q']);
    assert.ok(!r.identifiers.some((i) => i.startsWith('fake')), r.identifiers.join(','));
  });

  it('CTE names, calls and table functions are not tables', () => {
    const r = sqlReferences('WITH RECURSIVE a AS (SELECT 1), b(x) AS (SELECT * FROM a) SELECT extract(year FROM ts), substring(s FROM 2) FROM b JOIN credits USING (conversion_id), read_parquet(\'x.parquet\')');
    assert.deepEqual(r.tables, ['credits']);
  });

  it('parameters: $name with its case, not $1; identifiers after a dot are columns', () => {
    const r = sqlReferences('SELECT t.credits, $Model, $1, $lookback_days * 2 FROM x t WHERE a = $lookback_days');
    assert.deepEqual(r.params, ['Model', 'lookback_days']);
    assert.ok(!r.identifiers.includes('credits'));
    assert.deepEqual(r.tables, ['x']);
  });
});

/** The overview notebook's shape, by hand. */
const OVERVIEW: Cell[] = [
  md('intro'),
  { id: 'data', kind: 'data', name: 'events', path: 'sample.parquet', options: {} },
  param('lookback', 'lookback_days', 30),
  param('half', 'half_life_days', 7),
  { id: 'model_p', kind: 'param', name: 'model', control: 'select', value: 'linear', options: ['linear'] },
  { id: 'run', kind: 'model', name: 'attribution', models: ['linear', 'time_decay'], params: { lookback_days: '$lookback_days', half_life_days: '$half_life_days', note: 'not $a ref' } },
  sql('credit', 'credit_by_channel', 'SELECT model, channel, attributed_conversions FROM channel_summary ORDER BY model, channel'),
  chart('credit_chart', 'credit_by_channel'),
  sql('top', 'top_channels', 'SELECT channel, sum(attributed_conversions) AS conversions FROM channel_summary WHERE model = $model GROUP BY 1'),
  chart('top_chart', 'top_channels'),
  sql('rej', 'rejects_by_reason', 'SELECT reason, count(*) AS n FROM rejects GROUP BY 1'),
];

describe('notebook graph', () => {
  it('defines and uses, by kind', () => {
    const g = buildGraph(OVERVIEW);
    assert.deepEqual(g.defines.get('data'), ['events', 'rejects']);
    assert.deepEqual(g.defines.get('lookback'), ['$lookback_days']);
    assert.deepEqual(g.defines.get('run'), [...MODEL_OUTPUT_TABLES, 'attribution']);
    assert.deepEqual(g.defines.get('credit'), ['credit_by_channel']);
    assert.deepEqual(g.defines.get('intro'), []);
    assert.deepEqual(g.uses.get('run'), ['events', '$lookback_days', '$half_life_days']);
    // `model` the column is not `$model` the parameter; the alias `conversions` names a model output
    // table, which counts (generous: an extra dependency only re-runs, a missed one shows stale results).
    assert.deepEqual(g.uses.get('top'), ['channel_summary', 'conversions', '$model']);
    assert.deepEqual(g.uses.get('credit_chart'), ['credit_by_channel']);
    assert.deepEqual(g.uses.get('data'), []);
    assert.deepEqual(g.errors.size, 0);
    assert.deepEqual(
      g.edges.filter((e) => e.to === 'run'),
      [
        { from: 'data', to: 'run', name: 'events' },
        { from: 'lookback', to: 'run', name: '$lookback_days' },
        { from: 'half', to: 'run', name: '$half_life_days' },
      ],
    );
    assert.deepEqual(g.order, OVERVIEW.map((c) => c.id));
  });

  it('a param change re-runs exactly its dependents, in order', () => {
    const g = buildGraph(OVERVIEW);
    assert.deepEqual(dependents(g, ['lookback']), ['lookback', 'run', 'credit', 'credit_chart', 'top', 'top_chart']);
    assert.deepEqual(dependents(g, ['model_p']), ['model_p', 'top', 'top_chart']);
    assert.deepEqual(dependents(g, ['data']), ['data', 'run', 'credit', 'credit_chart', 'top', 'top_chart', 'rej']);
    assert.deepEqual(dependents(g, ['intro']), ['intro']);
    assert.deepEqual(dependents(g, ['credit_chart', 'rej', 'no-such-cell']), ['credit_chart', 'rej']);
    assert.deepEqual(upstreamOf(g, 'top_chart'), ['data', 'lookback', 'half', 'model_p', 'run', 'top']);
    assert.deepEqual(upstreamOf(g, 'intro'), []);
  });

  it('runs definers before users, otherwise in notebook order', () => {
    // A reads q (defined below it); C is independent.
    const g = buildGraph([sql('A', 'a', 'SELECT * FROM q'), sql('B', 'q', 'SELECT 1'), md('C')]);
    assert.deepEqual(g.order, ['B', 'A', 'C']);
    assert.deepEqual(dependents(g, ['B']), ['B', 'A']);
  });

  it('counts any identifier naming a defined table, but not one in a string, nor its own name', () => {
    const g = buildGraph([
      sql('q', 'q1', 'SELECT 1 AS v'),
      sql('s', 'stats', 'SUMMARIZE q1'),
      sql('t', 'text', "SELECT 'q1' AS label"),
      sql('self', 'again', 'SELECT * FROM again'),
    ]);
    assert.deepEqual(g.uses.get('s'), ['q1']);
    assert.deepEqual(g.uses.get('t'), []);
    assert.deepEqual(g.uses.get('self'), []);
    assert.deepEqual(dependents(g, ['q']), ['q', 's']);
    assert.equal(g.errors.size, 0);
  });

  it('reports a cycle on each cell in it, with the path from that cell', () => {
    const g = buildGraph([
      sql('a', 'ta', 'SELECT * FROM tb'),
      sql('b', 'tb', 'SELECT * FROM tc'),
      sql('c', 'tc', 'SELECT * FROM ta'),
      sql('d', 'td', 'SELECT * FROM ta'),
      sql('e', 'te', 'SELECT 1'),
    ]);
    // edges: tb->a, tc->b, ta->c: a -> c -> b -> a
    assert.deepEqual(errorList(g), [
      ['a', 'is in a cycle: a -> c -> b -> a'],
      ['b', 'is in a cycle: b -> a -> c -> b'],
      ['c', 'is in a cycle: c -> b -> a -> c'],
    ]);
    assert.deepEqual(g.errors.get('a')![0].cycle, ['a', 'c', 'b', 'a']);
    // The cycle is one step of the order (its cells together); d, which reads it, comes after it.
    assert.deepEqual(g.order, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(dependents(g, ['e']), ['e']);
  });

  it('reports a name defined twice on every definer', () => {
    const g = buildGraph([
      { id: 'd1', kind: 'data', name: 'events', path: 'a.csv', options: {} },
      { id: 'd2', kind: 'data', name: 'events', path: 'b.csv', options: {} },
      { id: 'm', kind: 'model', name: 'attribution', models: ['linear'], params: {} },
      sql('s', 'credits', 'SELECT 1'),
      param('p1', 'x'),
      param('p2', 'x'),
    ]);
    assert.deepEqual(errorList(g), [
      ['d1', "'events' is also defined by cell d2"],
      ['d1', "'rejects' is also defined by cell d2"],
      ['d2', "'events' is also defined by cell d1"],
      ['d2', "'rejects' is also defined by cell d1"],
      ['m', "'credits' is also defined by cell s"],
      ['s', "'credits' is also defined by cell m"],
      ['p1', 'parameter $x is also defined by cell p2'],
      ['p2', 'parameter $x is also defined by cell p1'],
    ]);
    // The model depends on both data cells: either one changing re-runs it.
    assert.deepEqual(dependents(g, ['d2']), ['d2', 'm']);
  });

  it('reports unknown parameters (sql and model) and charts of nothing', () => {
    const g = buildGraph([
      sql('s', 'q', 'SELECT $nope, $known FROM t'),
      param('k', 'known'),
      { id: 'm', kind: 'model', name: 'attribution', models: ['linear'], params: { lookback_days: '$missing' } },
      chart('c', 'nowhere'),
      chart('empty', ''),
    ]);
    assert.deepEqual(errorList(g), [
      ['s', 'uses $nope, which no param cell defines'],
      ['m', 'uses $missing, which no param cell defines'],
      ['c', "charts 'nowhere', which no cell defines"],
    ]);
    // An unknown table in SQL is no error: it may be a table the engine has (staged, path_steps...).
    assert.deepEqual(g.uses.get('s'), ['t', '$nope', '$known']);
  });
});

/** mulberry32: a small seeded PRNG so failures reproduce. */
function rng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe('notebook graph: generated notebooks', () => {
  it('dependents is exactly the closure over uses/defines; order runs definers first', () => {
    for (let seed = 1; seed <= 200; seed++) {
      const r = rng(seed);
      const n = 2 + Math.floor(r() * 9);
      // Cells t0..tn-1 (sql) and p0..p2 (params); each sql cell reads a few random tables and params.
      const cells: Cell[] = [];
      for (let i = 0; i < n; i++) {
        if (r() < 0.25) {
          cells.push(param(`p${i}`, `v${i}`));
          continue;
        }
        const reads = Array.from({ length: Math.floor(r() * 3) }, () => `t${Math.floor(r() * n)}`);
        const params = Array.from({ length: Math.floor(r() * 2) }, () => `$v${Math.floor(r() * n)}`);
        const from = reads.length ? `FROM ${reads.join(', ')}` : '';
        cells.push(sql(`s${i}`, `t${i}`, `SELECT 1 ${params.length ? ', ' + params.join(', ') : ''} ${from} -- FROM t${i + 1}`));
      }
      const g = buildGraph(cells);
      // Independent edges: definer -> user, straight from names.
      const def = new Map<string, string>();
      for (const c of cells) def.set(c.kind === 'param' ? `$${c.name}` : (c as { name: string }).name, c.id);
      const next = new Map(cells.map((c) => [c.id, new Set<string>()]));
      for (const c of cells) {
        if (c.kind !== 'sql') continue;
        for (const m of c.source.replace(/--.*$/, '').matchAll(/\$?\b[tv]\d+\b/g)) {
          const d = def.get(m[0]);
          if (d && d !== c.id) next.get(d)!.add(c.id);
        }
      }
      assert.deepEqual(new Set(g.edges.map((e) => `${e.from}>${e.to}`)), new Set([...next].flatMap(([a, bs]) => [...bs].map((b) => `${a}>${b}`))), `seed ${seed}: edges`);
      const inCycle = new Set([...g.errors].filter(([, es]) => es.some((e) => e.kind === 'cycle')).map(([id]) => id));
      assert.deepEqual([...g.order].sort(), cells.map((c) => c.id).sort(), `seed ${seed}: order is a permutation`);
      const pos = new Map(g.order.map((id, i) => [id, i]));
      for (const [a, bs] of next) for (const b of bs) if (!inCycle.has(a) && !inCycle.has(b)) assert.ok(pos.get(a)! < pos.get(b)!, `seed ${seed}: ${a} before ${b}`);
      for (const c of cells) {
        const want = new Set([c.id]);
        const queue = [c.id];
        while (queue.length) {
          for (const w of next.get(queue.shift()!)!) {
            if (!want.has(w)) {
              want.add(w);
              queue.push(w);
            }
          }
        }
        assert.deepEqual(new Set(dependents(g, [c.id])), want, `seed ${seed}: dependents of ${c.id}`);
        assert.deepEqual(dependents(g, [c.id]), g.order.filter((id) => want.has(id)), `seed ${seed}: in run order`);
      }
    }
  });
});

describe('resolveParamRefs: a model cell\'s params as a run uses them', () => {
  const values: Record<string, unknown> = { lookback_days: 14, half_life_days: 3.5 };
  it('replaces each "$name" with that parameter cell\'s value and keeps plain values', () => {
    assert.deepEqual(resolveParamRefs({ lookback_days: '$lookback_days', half_life_days: '$half_life_days', click_proof: true, baseline: 'linear' }, (n) => values[n]),
      { lookback_days: 14, half_life_days: 3.5, click_proof: true, baseline: 'linear' });
  });
  it('names the parameter when no parameter cell has the name', () => {
    assert.throws(() => resolveParamRefs({ lookback_days: '$window' }, (n) => values[n]), /parameter lookback_days follows \$window, but there is no parameter cell of that name/);
  });
  it('a string that is no reference stays text', () => {
    assert.deepEqual(resolveParamRefs({ path_transforms: '$ not a ref' }, () => 1), { path_transforms: '$ not a ref' });
  });
});
