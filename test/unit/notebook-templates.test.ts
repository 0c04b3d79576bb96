/**
 * The template notebooks: canonical files that round-trip byte for byte, the
 * string constants in sync with the files (and the demo with the overview),
 * a graph without errors, and only real model names, parameter names and
 * columns. test/engine/notebook-templates.test.ts runs their SQL.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNotebook, serializeNotebook } from '../../common/notebook/format.ts';
import { buildGraph, dependents } from '../../common/notebook/graph.ts';
import { templateNotebook, TEMPLATES, OVERVIEW_TEMPLATE, MODEL_COMPARISON_TEMPLATE, DATA_AUDIT_TEMPLATE } from '../../common/notebook/templates.ts';
import { DATA_DRIVEN_MODELS, RULE_BASED_MODELS } from '../../common/pipeline.ts';
import { loadModelLibrary } from '../../worker/node/library.ts';
import type { Cell, ModelCell, ParamCell } from '../../common/notebook/types.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const read = (p: string) => readFileSync(path.join(root, p), 'utf8');
const byId = (cells: Cell[], id: string) => cells.find((c) => c.id === id)!;

describe('notebook templates', () => {
  it('the constants are the files, and the demo is the overview', () => {
    assert.equal(OVERVIEW_TEMPLATE, read('common/notebook/templates/overview.attrib.md'), 'run node scripts/notebook-templates.mjs');
    assert.equal(MODEL_COMPARISON_TEMPLATE, read('common/notebook/templates/model-comparison.attrib.md'), 'run node scripts/notebook-templates.mjs');
    assert.equal(DATA_AUDIT_TEMPLATE, read('common/notebook/templates/data-audit.attrib.md'), 'run node scripts/notebook-templates.mjs');
    assert.equal(read('samples/demo.attrib.md'), OVERVIEW_TEMPLATE);
  });

  for (const t of TEMPLATES) {
    it(`${t.id}: canonical (byte-for-byte round trip), no warnings, a graph without errors`, () => {
      const { notebook, readOnly, warnings } = parseNotebook(t.text, `${t.id}.attrib.md`);
      assert.equal(readOnly, false);
      assert.deepEqual(warnings, []);
      assert.equal(notebook.title, t.title);
      assert.equal(serializeNotebook(notebook), t.text);
      assert.deepEqual(templateNotebook(t.id), notebook);
      const g = buildGraph(notebook.cells);
      assert.deepEqual([...g.errors], []);
      // Position order is already a run order: a reader can follow the notebook top to bottom.
      assert.deepEqual(g.order, notebook.cells.map((c) => c.id));
      // Every chart shows an SQL cell's result of this notebook.
      const results = new Set(notebook.cells.flatMap((c) => (c.kind === 'sql' ? [c.name] : [])));
      for (const c of notebook.cells) if (c.kind === 'chart') assert.ok(results.has(c.from), `${c.id} charts ${c.from}`);
    });

    it(`${t.id}: real model names and parameters`, () => {
      const lib = loadModelLibrary();
      const known = new Set<string>([...RULE_BASED_MODELS, ...DATA_DRIVEN_MODELS]);
      const declared = new Set([...lib.values()].flatMap((m) => m.params.map((p) => p.name)));
      const cells = templateNotebook(t.id).cells;
      const params = new Map(cells.flatMap((c) => (c.kind === 'param' ? [[c.name, c] as const] : [])));
      for (const c of cells) {
        if (c.kind !== 'model') continue;
        for (const m of c.models) assert.ok(known.has(m), `unknown model ${m}`);
        if (c.compare) assert.ok(c.models.includes(c.compare), `baseline ${c.compare} is run`);
        for (const [k, v] of Object.entries(c.params)) {
          assert.ok(declared.has(k), `no model declares the parameter ${k}`);
          // A "$name" value follows a param cell of the same name whose range fits the model's.
          assert.equal(v, `$${k}`);
          const p = params.get(k)!;
          const spec = [...lib.values()].flatMap((m) => m.params).find((s) => s.name === k)!;
          assert.ok(p.min! >= (spec.min ?? -Infinity) && p.max! <= (spec.max ?? Infinity), `${k}: ${p.min}-${p.max} within ${spec.min}-${spec.max}`);
        }
      }
    });
  }

  it('overview: the cells the brief asks for, with real names', () => {
    const cells = templateNotebook('overview').cells;
    assert.deepEqual(byId(cells, 'c2'), { id: 'c2', kind: 'data', name: 'events', path: 'sample.parquet', options: {} });
    assert.deepEqual(byId(cells, 'c3'), { id: 'c3', kind: 'param', name: 'lookback_days', label: 'Lookback window', control: 'slider', value: 30, min: 1, max: 90, step: 1, unit: 'days' });
    const half = byId(cells, 'c4') as ParamCell;
    assert.deepEqual([half.name, half.control, half.min, half.max, half.step, half.value], ['half_life_days', 'slider', 0.5, 30, 0.5, 7]);
    const model = byId(cells, 'c5') as ParamCell;
    assert.deepEqual([model.name, model.control, model.options], ['model', 'select', ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based']]);
    assert.ok(model.options!.includes(model.value as string));
    const run = byId(cells, 'c6') as ModelCell;
    assert.deepEqual(run.models, ['first_touch', 'last_touch', 'linear', 'time_decay', 'position_based', 'markov']);
    assert.deepEqual(run.params, { lookback_days: '$lookback_days', half_life_days: '$half_life_days' });
    assert.deepEqual(byId(cells, 'c8'), {
      id: 'c8',
      kind: 'chart',
      from: 'credit_by_channel',
      title: 'Attributed conversions by channel and model',
      builder: { mark: 'bar', x: 'channel', y: 'attributed_conversions', color: 'model', aggregate: 'sum' },
    });
    // Picking another model re-runs the top-channels table only; the lookback re-runs the model and all it feeds.
    const g = buildGraph(cells);
    assert.deepEqual(dependents(g, ['c5']), ['c5', 'c9']);
    assert.deepEqual(dependents(g, ['c3']), ['c3', 'c6', 'c7', 'c8', 'c9', 'c11', 'c12']);
  });

  it('model comparison compares against a baseline through model_comparison', () => {
    const cells = templateNotebook('model-comparison').cells;
    const run = cells.find((c): c is ModelCell => c.kind === 'model')!;
    assert.equal(run.compare, 'last_touch');
    const g = buildGraph(cells);
    assert.ok(cells.some((c) => c.kind === 'sql' && g.uses.get(c.id)!.includes('model_comparison')));
  });

  it('data audit: the import checks, then a model cell that runs the audit and cells on its tables', () => {
    const cells = templateNotebook('data-audit').cells;
    const models = cells.filter((c) => c.kind === 'model');
    assert.equal(models.length, 1);
    assert.equal(models[0].kind === 'model' && models[0].audit, true);
    const g = buildGraph(cells);
    const tables = new Set(cells.flatMap((c) => (c.kind === 'sql' ? g.uses.get(c.id)! : [])));
    assert.deepEqual([...tables].sort(), ['events', 'health_daily', 'health_xmr', 'pipeline_trace', 'rejects', 'unattributable']);
    // the import checks do not wait for the model run
    const first = cells.findIndex((c) => c.kind === 'model');
    for (const c of cells.slice(0, first)) assert.ok(!(g.uses.get(c.id) ?? []).some((u) => u === models[0].id || u === 'pipeline'), `${c.id} runs before the model cell`);
  });
});
