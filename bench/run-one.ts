/**
 * One benchmark configuration in its own process (so peak memory is its own):
 * prints one JSON line with per-step wall time and peak RSS.
 * Usage: tsx bench/run-one.ts --engine native|wasm --file F [--steps import|core|all] [--memory-limit 4GB]
 * (the floor: bench/floor.mjs). `--steps import` stops after the import, `core`
 * after the four outputs (no data-driven models, no sweep).
 */
import { parseArgs } from 'node:util';
import { Engine } from '../common/engine.ts';
import { RULE_BASED_MODELS } from '../common/pipeline.ts';
import { buildJourneys, runCreditModels } from '../common/pipeline.ts';
import { runDataDrivenModels } from '../common/dataDriven.ts';
import { runSweep, DEFAULT_HALF_LIVES, DEFAULT_LOOKBACKS } from '../common/sweep.ts';
import { loadModelLibrary, loadRules } from '../worker/node/library.ts';
import { openDatabase } from '../worker/node/open.ts';
import { fileSourceFromPath } from '../worker/native/source.ts';

const { values } = parseArgs({ options: { engine: { type: 'string' }, file: { type: 'string' }, steps: { type: 'string' }, 'memory-limit': { type: 'string' } } });
const upTo = values.steps ?? 'all';
const steps: { step: string; seconds: number; peakRssMb: number }[] = [];
const peak = () => Math.round(process.resourceUsage().maxRSS / 1024);
async function step<T>(name: string, fn: () => Promise<T>): Promise<T> {
  const t = performance.now();
  const r = await fn();
  steps.push({ step: name, seconds: (performance.now() - t) / 1000, peakRssMb: peak() });
  return r;
}

const file = values.file!;
let extra: Record<string, unknown> = {};
const lib = loadModelLibrary();
const engine = new Engine(await openDatabase(values.engine, { memoryLimit: values['memory-limit'] }), lib);
/** What DuckDB has written to its spill folder now (native; the wasm engine has none). */
const spilledMb = async () =>
  engine.db.kind === 'native' ? Math.round(Number((await engine.db.all('SELECT coalesce(sum(size), 0) AS b FROM duckdb_temporary_files()'))[0].b) / 2 ** 20) : 0;
const opts = { models: RULE_BASED_MODELS, rules: loadRules(), params: {} };
const report = await step('import', () => engine.openFile(fileSourceFromPath(file)));
let spill = await spilledMb();
const reportOf = () => ({ reader: report.reader, rowsRead: report.rowsRead, rowsLoaded: report.rowsLoaded, rejects: report.rejectsByReason, spilledMb: spill });
if (upTo === 'import') {
  await engine.close();
  console.log(JSON.stringify({ engine: values.engine, file, steps, summary: [], ...reportOf() }));
  process.exit(0);
}
await step('journeys (identity, rules, sessions, windows)', () => buildJourneys(engine.db, lib, opts));
await step('credits (9 rule-based models)', () => runCreditModels(engine.db, lib, opts));
let dd: Record<string, unknown> = {};
if (upTo === 'all') await step('data-driven (markov, shapley, fractribution)', async () => {
  const r = await runDataDrivenModels(engine.db, lib, { ...opts, models: ['markov', 'shapley', 'fractribution'] });
  dd = { paths: r?.paths.length, channels: r?.markov?.channels.length };
  await engine.db.run(`DELETE FROM credits WHERE model IN ('markov', 'shapley', 'fractribution')`);
});
const summary = await step('channel summary', () =>
  engine.query(`SELECT c.model, c.channel, sum(c.credit) AS attributed_conversions, sum(c.credit * v.value) AS attributed_revenue
                FROM credits c JOIN conversions v USING (conversion_id) GROUP BY 1, 2`),
);
const out = await step('all four outputs read', () => engine.recredit(opts).then(() => engine.query('SELECT count(*) AS n FROM credits')));
spill = Math.max(spill, await spilledMb());
// Last, since it rebuilds the journeys for the widest window: 5 lookbacks x 4 half-lives of time_decay.
if (upTo === 'all') await step('sweep (20 cells, journeys once for 90 days)', () =>
  runSweep(engine.db, lib, { rules: opts.rules, params: {}, lookbacks: DEFAULT_LOOKBACKS, halfLives: DEFAULT_HALF_LIVES }));
extra = { ...dd, ...reportOf(), creditRows: out[0].n };
await engine.close();
console.log(JSON.stringify({ engine: values.engine, file, steps, summary, ...extra }));
