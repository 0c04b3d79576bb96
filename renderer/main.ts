/**
 * Entry point of the notebook UI (web mode and the Electron renderer): the
 * Electron host when the preload gave us `window.workbench`, else the
 * browser host. `?smoke` opens the engine smoke page instead (its e2e test).
 */
import { createElectronHost } from './host/electron.ts';
import { createBrowserHost } from './host/browser.ts';

const root = document.getElementById('app')!;
performance.mark('aw main');
if (new URLSearchParams(location.search).has('smoke')) {
  void import('./smoke.ts').then((m) => m.runSmoke(root));
} else {
  const host = createElectronHost() ?? createBrowserHost();
  // The engine starts now, while the page's own code (boot.ts and what it imports, megabytes of
  // monaco and vega) is still loading: duckdb-wasm's download and compile run beside it.
  void host.enginePort().catch(() => undefined);
  void import('./boot.ts').then((m) => m.boot(root, host));
}
