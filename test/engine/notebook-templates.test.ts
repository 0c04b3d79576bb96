/**
 * The template notebooks run: every cell, in graph order, on tiny.parquet,
 * on both engines, through a minimal runner (params bound with bindNamed,
 * channel_summary kept as a table, model_comparison from the compare stage),
 * so a template cannot ship SQL that fails or a chart of a missing column.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseNotebook } from '../../common/notebook/format.ts';
import { buildGraph, paramRef } from '../../common/notebook/graph.ts';
import { TEMPLATES } from '../../common/notebook/templates.ts';
import { bindNamed } from '../../common/modelHeader.ts';
import { Engine } from '../../common/engine.ts';
import { runComparison } from '../../common/compare.ts';
import { OUTPUT_COLUMNS } from '../../common/pipeline.ts';
import type { Database, SqlValue } from '../../common/db.ts';
import { openNativeDatabase } from '../../worker/native/database.ts';
import { openWasmDatabaseInNode } from '../../worker/wasm/node.ts';
import { fileSourceFromPath } from '../../worker/native/source.ts';
import { loadModelLibrary, loadRules } from '../../worker/node/library.ts';

const samples = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../samples');

/** Runs a template's cells; returns each SQL result's row count and columns by name. */
async function runTemplate(text: string, openDb: () => Promise<Database>): Promise<Map<string, { rows: number; columns: string[] }>> {
  const { notebook } = parseNotebook(text, 'template.attrib.md');
  const g = buildGraph(notebook.cells);
  const lib = loadModelLibrary();
  const engine = new Engine(await openDb(), lib);
  const values: Record<string, SqlValue> = {};
  const results = new Map<string, { rows: number; columns: string[] }>();
  try {
    for (const id of g.order) {
      const c = notebook.cells.find((x) => x.id === id)!;
      if (c.kind === 'param') values[c.name] = c.value as SqlValue;
      // The templates name sample.parquet; tiny.parquet has the same columns and runs in a blink.
      else if (c.kind === 'data') await engine.openFile(fileSourceFromPath(path.join(samples, c.path.replace('sample.', 'tiny.'))), { ...c.options, pseudonymize: undefined });
      else if (c.kind === 'model') {
        const params = Object.fromEntries(Object.entries(c.params).map(([k, v]) => [k, paramRef(v) ? values[paramRef(v)!] : v]));
        const out = await engine.run({ models: c.models, rules: loadRules(), params, audit: c.audit });
        const cols = OUTPUT_COLUMNS.channel_summary;
        await engine.db.run(`CREATE OR REPLACE TABLE channel_summary (${cols.map((k) => `${k} ${k.startsWith('attributed') ? 'DOUBLE' : 'VARCHAR'}`).join(', ')})`);
        for (const r of out.channel_summary) await engine.db.run(`INSERT INTO channel_summary VALUES (${cols.map((_, i) => `$${i + 1}`).join(', ')})`, cols.map((k) => r[k]) as SqlValue[]);
        if (c.compare) await runComparison(engine.db, lib, c.models, c.compare);
      } else if (c.kind === 'sql') {
        const b = bindNamed(c.source, values);
        await engine.db.run(`CREATE OR REPLACE TABLE ${c.name} AS ${b.sql}`, b.params);
        const rows = await engine.db.all(`SELECT count(*) AS n FROM ${c.name}`);
        results.set(c.name, { rows: Number(rows[0].n), columns: (await engine.describe(c.name)).map((x) => x.name) });
      } else if (c.kind === 'chart') {
        const r = results.get(c.from)!;
        for (const k of ['x', 'y', 'color'] as const) {
          const col = c.builder?.[k];
          if (col) assert.ok(r.columns.includes(col), `chart ${c.id}: ${k} '${col}' is not a column of ${c.from} (${r.columns.join(', ')})`);
        }
      }
    }
  } finally {
    await engine.close();
  }
  return results;
}

for (const [engineName, openDb] of [['native', openNativeDatabase], ['wasm', openWasmDatabaseInNode]] as const) {
  describe(`notebook templates run (${engineName})`, () => {
    for (const t of TEMPLATES) {
      it(`${t.id}: every SQL cell runs and returns rows; charts name real columns`, async () => {
        const results = await runTemplate(t.text, openDb);
        assert.ok(results.size >= 3);
        for (const [name, r] of results) assert.ok(r.rows > 0, `${name} is empty`);
        if (t.id === 'overview') {
          assert.deepEqual(results.get('credit_by_channel')!.columns, ['model', 'channel', 'attributed_conversions', 'attributed_revenue']);
          assert.deepEqual(results.get('top_paths')!.columns, ['path', 'conversions', 'revenue']);
        }
        if (t.id === 'model-comparison') {
          assert.deepEqual(results.get('conversions_by_model')!.columns, ['channel', 'first_touch', 'last_touch', 'linear', 'markov', 'position_based', 'time_decay']);
        }
      });
    }
  });
}
