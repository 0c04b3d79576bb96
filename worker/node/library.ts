/** Loads the bundled model SQL files and default channel rules from models/ (Node). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseModel } from '../../common/modelHeader.ts';
import type { ModelLibrary } from '../../common/pipeline.ts';
import { validateRules, type RuleSet } from '../../common/rules.ts';
import { AttribError } from '../../common/errors.ts';

/**
 * The models/ folder of this checkout: the nearest folder above this module
 * holding models/ and package.json. Searched, not fixed at '../../models':
 * the built CLI (dist/cli, see scripts/build-cli.mjs) runs this code from
 * another depth than the source does.
 */
export const MODELS_DIR = findModels(path.dirname(fileURLToPath(import.meta.url)));

function findModels(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'models')) && existsSync(path.join(dir, 'package.json'))) return path.join(dir, 'models');
    if (path.dirname(dir) === dir) return path.resolve(from, '../../models');
  }
}

/** Parses every models/*.sql file. */
export function loadModelLibrary(dir = MODELS_DIR): ModelLibrary {
  const lib: ModelLibrary = new Map();
  for (const f of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const spec = parseModel(readFileSync(path.join(dir, f), 'utf8'), f);
    lib.set(spec.name, spec);
  }
  return lib;
}

/** Reads and validates a rule file (the default one when no path is given). */
export function loadRules(file = path.join(MODELS_DIR, 'channel_rules.json')): RuleSet {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AttribError('bad_rules', 'cannot read the rule file', { file });
  }
  try {
    return validateRules(JSON.parse(text));
  } catch (e) {
    if (e instanceof AttribError) throw new AttribError('bad_rules', e.message, { file });
    throw new AttribError('bad_rules', `not valid JSON (${(e as Error).message})`, { file });
  }
}
