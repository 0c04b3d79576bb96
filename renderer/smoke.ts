/**
 * The engine smoke page (until the notebook UI replaces it; delete this file
 * then, and adapt test/e2e/smoke.test.ts): starts the browser engine, loads
 * the bundled sample (/samples/sample.parquet, same origin), runs last_touch
 * and linear with the default rules and shows the channel_summary row count
 * and timings. The end-to-end tests read `globalThis.__smoke`.
 */
import { EngineClient } from '../common/client.ts';
import type { RunOutputs } from '../common/engine.ts';
import type { ImportReport } from '../common/import/importer.ts';
import { defaultRules } from '../worker/browser/rules.ts';
import { BrowserHost } from './host/browser.ts';

/** What the smoke page exposes to tests. */
export interface SmokeState {
  state: 'starting' | 'done' | 'error';
  client: EngineClient;
  /** The browser HostBridge the engine came from (tests drive its pickers and storage). */
  host: BrowserHost;
  error?: string;
  report?: ImportReport;
  channelSummary?: RunOutputs['channel_summary'];
  /** Milliseconds from engine start: first query answered, sample imported, models run. */
  timings: { firstQuery?: number; imported?: number; ran?: number };
}

declare global {
  var __smoke: SmokeState | undefined;
}

export async function runSmoke(root: HTMLElement): Promise<void> {
  const line = (text: string, id?: string) => {
    const p = document.createElement('p');
    if (id) p.id = id;
    p.textContent = text;
    root.append(p);
    return p;
  };
  const h = document.createElement('h1');
  h.textContent = 'Attribution Workbench: engine check';
  root.append(h);
  const status = line('Starting the engine…', 'status');

  const t0 = performance.now();
  const ms = () => Math.round(performance.now() - t0);
  // As the notebook UI will: the engine's port from the host bridge, one client on it.
  const host = new BrowserHost();
  const client = new EngineClient(await host.enginePort());
  const s: SmokeState = { state: 'starting', client, host, timings: {} };
  globalThis.__smoke = s;
  try {
    const [first] = await client.call('query', { sql: 'SELECT version() AS v' }).result;
    s.timings.firstQuery = ms();
    line(`DuckDB ${String(first.v)} answered its first query after ${s.timings.firstQuery} ms.`);

    status.textContent = 'Loading samples/sample.parquet…';
    const res = await fetch('samples/sample.parquet');
    if (!res.ok) throw new Error(`samples/sample.parquet: HTTP ${res.status}`);
    const blob = await res.blob();
    s.report = await client.call('open_file', { file: { kind: 'blob', name: 'sample.parquet', blob } }).result;
    s.timings.imported = ms();
    const rejects = Object.values(s.report.rejectsByReason).reduce((a, b) => a + b, 0);
    line(`Imported ${s.report.rowsRead} rows (${s.report.rowsLoaded} loaded, ${rejects} rejected, ${s.report.conversions} conversions) after ${s.timings.imported} ms.`);

    status.textContent = 'Running last_touch and linear…';
    const out = await client.call('run', { options: { models: ['last_touch', 'linear'], rules: defaultRules(), params: {} } }).result;
    s.channelSummary = out.channel_summary;
    s.timings.ran = ms();
    line(`channel_summary: ${out.channel_summary.length} rows`, 'channel-summary-count');
    line(`Models ran after ${s.timings.ran} ms.`);
    status.textContent = 'Done.';
    s.state = 'done';
  } catch (e) {
    s.state = 'error';
    s.error = e instanceof Error ? `${e.name}: ${e.message}` : String(e);
    status.textContent = `Failed: ${s.error}`;
  }
}
