/**
 * Entry point of the notebook UI (web mode and the Electron renderer): the
 * Electron host when the preload gave us `window.workbench`, else the
 * browser host (its engine native when the page's server, `attrib web`,
 * runs one; else wasm in a Web Worker). `?smoke` opens the engine smoke page instead (its e2e test).
 */
import { createElectronHost } from './host/electron.ts';
import { createBrowserHost } from './host/browser.ts';
import { serverConfig } from './host/remote.ts';

const root = document.getElementById('app')!;
if (new URLSearchParams(location.search).has('smoke')) {
  void import('./smoke.ts').then((m) => m.runSmoke(root));
} else {
  const electron = createElectronHost();
  // web mode asks its server which engine to use (`attrib web`: native); a static server has no answer: wasm
  void Promise.all([import('./boot.ts'), electron ? null : serverConfig()]).then(async ([m, config]) => {
    const host = electron ?? createBrowserHost(config);
    const app = await m.boot(root, host);
    const named = 'namedFiles' in host ? host.namedFiles() : [];
    if (named.length) app.useDataFiles(named);
  });
}
