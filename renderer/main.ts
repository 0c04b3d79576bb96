/**
 * Entry point of the notebook UI (web mode and the Electron renderer): the
 * Electron host when the preload gave us `window.workbench`, else the
 * browser host (its engine native when the page's server, `attrib web`,
 * runs one; else wasm in a Web Worker). `?smoke` opens the engine smoke page instead (its e2e test).
 */
import { createElectronHost } from './host/electron.ts';
import { createBrowserHost } from './host/browser.ts';
import { namedFiles, pageEngine, serverConfig } from './host/remote.ts';

const root = document.getElementById('app')!;
performance.mark('aw main');
if (new URLSearchParams(location.search).has('smoke')) {
  void import('./smoke.ts').then((m) => m.runSmoke(root));
} else {
  const electron = createElectronHost();
  // `attrib web` marks the page it serves with its engine (native); a static page runs wasm
  const host = electron ?? createBrowserHost(pageEngine());
  // The engine starts now, while the page's own code (boot.ts and what it imports, megabytes of
  // monaco and vega) is still loading: duckdb-wasm's download and compile run beside it.
  void host.enginePort().catch(() => undefined);
  void Promise.all([import('./boot.ts'), electron ? null : serverConfig()]).then(async ([m, config]) => {
    const app = await m.boot(root, host);
    // files named on the server's command line (`attrib web --data`) open at once
    const named = config ? namedFiles(config) : [];
    if (named.length) app.useDataFiles(named);
  });
}
