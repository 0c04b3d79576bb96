#!/usr/bin/env node
// The `attrib` command. It runs the built CLI (dist/cli, made by
// scripts/build-cli.mjs at `npm install`) when that build is newer than every
// TypeScript source it came from; otherwise (a source edited since, or no
// build) it registers tsx and runs the sources as they are, so an edit is
// never shadowed by an old build. AW_CLI_SOURCE=1 forces the sources.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBuilt } from './launch.mjs';

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const built = path.join(repo, 'dist/cli/main.mjs');

let main;
if (useBuilt(built, ['cli', 'common', 'worker'].map((d) => path.join(repo, d)))) ({ main } = await import(built));
else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ main } = await import('./main.ts'));
}
process.exitCode = await main(process.argv.slice(2));
