/**
 * electron-builder configuration (`npm run dist`, scripts/dist.mjs). The
 * name is electron-builder's default, so a bare `npx electron-builder` finds
 * it too. CommonJS, as package.json says "type": "module" and a plain
 * .js would be taken for ESM.
 *
 * Checked without an Electron binary by test/unit/packaging.test.ts (schema,
 * fuses, targets, what `files` takes from a real build, extra resources) and
 * packaged for real against a stub Electron (test/unit/packaging-build.test.ts).
 */
const fs = require('node:fs');
const path = require('node:path');

/**
 * @duckdb/node-api and every package it needs at run time (dependencies and
 * the optional platform binding this machine installed), as hoisted in
 * node_modules: what the engine utility process loads.
 */
function engineModules(root = __dirname) {
  const found = new Set();
  const todo = ['@duckdb/node-api'];
  while (todo.length) {
    const name = todo.pop();
    if (found.has(name)) continue;
    let pkg;
    try {
      pkg = JSON.parse(fs.readFileSync(path.join(root, 'node_modules', name, 'package.json'), 'utf8'));
    } catch {
      continue; // an optional binding for another platform: not installed here
    }
    found.add(name);
    todo.push(...Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies }));
  }
  return [...found].sort();
}

/** @type {import('electron-builder').Configuration} */
module.exports = {
  appId: 'dev.attribution-workbench.app',
  productName: 'Attribution Workbench',
  copyright: 'Copyright © Attribution Workbench contributors',
  directories: {
    // Not the default "dist": that is where our own build goes (dist/main,
    // dist/renderer), and electron-builder excludes its output folder from the app.
    output: 'release',
    buildResources: 'build',
  },
  // Only the built app. electron-builder adds node_modules from the production
  // dependencies, filtered by these same patterns: the renderer libraries
  // listed as dependencies are bundled into dist/renderer by vite (their
  // node_modules copies would be dead weight: duckdb-wasm alone is ~100 MB),
  // so only the engine host's runtime modules are let in (scripts/build-main.mjs
  // allows it Node built-ins and @duckdb/* only).
  files: [
    'package.json',
    'dist/main/**/*',
    '!dist/main/**/*.map',
    'dist/renderer/**/*',
    '!**/node_modules/**/*',
    ...engineModules().map((m) => `node_modules/${m}/**/*`),
  ],
  extraResources: [
    // main/main.ts: packaged, the engine gets --models-dir=<resourcesPath>/models.
    // Outside app.asar so the utility process reads the SQL with plain fs.
    { from: 'models', to: 'models', filter: ['**/*'] },
    // main/main.ts: the window icon on Linux (<resourcesPath>/icon.png).
    { from: 'build/icons/512x512.png', to: 'icon.png' },
  ],
  asar: true,
  // The platform binding (duckdb.node and the libduckdb it links beside it):
  // a native library cannot be dlopen()ed from inside an asar archive.
  asarUnpack: ['node_modules/@duckdb/node-bindings-*/**/*'],
  // DuckDB ships N-API prebuilt binaries per platform (ABI-stable across Node
  // and Electron): nothing to rebuild, and a rebuild would download headers.
  npmRebuild: false,
  nodeGypRebuild: false,
  // No network: nothing is published and there is no auto-update.
  publish: null,
  // trust.md §1.2 (S11). wasmTrapHandlers is not set, so it stays on (duckdb-wasm needs it).
  electronFuses: {
    runAsNode: false,
    enableNodeOptionsEnvironmentVariable: false,
    enableNodeCliInspectArguments: false,
    enableEmbeddedAsarIntegrityValidation: true,
    onlyLoadAppFromAsar: true,
    enableCookieEncryption: true,
    grantFileProtocolExtraPrivileges: false,
  },
  // Reads the fuses back from every packaged binary and fails the build if one differs.
  afterAllArtifactBuild: './scripts/check-fuses.mjs',
  linux: {
    target: ['AppImage', 'deb'],
    // Known name, so scripts/check-fuses.mjs finds the binary in linux-unpacked.
    executableName: 'attribution-workbench',
    icon: 'build/icons',
    category: 'Office',
    synopsis: 'Offline marketing attribution notebooks',
  },
  deb: {
    // The .deb's maintainer field; package.json "author" is used for the rest.
    maintainer: 'Attribution Workbench contributors <attribution-workbench@localhost>',
  },
  mac: {
    target: ['dmg'],
    icon: 'build/icons/1024x1024.png',
    category: 'public.app-category.business',
  },
  win: {
    target: ['nsis'],
    icon: 'build/icons/1024x1024.png',
  },
  nsis: {
    oneClick: false,
    perMachine: false,
    allowToChangeInstallationDirectory: true,
  },
};
