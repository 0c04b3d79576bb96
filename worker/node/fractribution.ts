/**
 * Loads the fractribution models (models/fractribution/*.sql) and the model
 * configuration presets (models/presets/*.json) in Node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AttribError } from '../../common/errors.ts';
import { validateFractributionPreset, type FractributionPreset } from '../../common/fractribution.ts';
import type { ModelLibrary } from '../../common/pipeline.ts';
import type { RuleSet } from '../../common/rules.ts';
import { MODELS_DIR, loadModelLibrary, loadRules } from './library.ts';

/** Where the fractribution SQL and the presets live. */
export const FRACTRIBUTION_DIR = path.join(MODELS_DIR, 'fractribution');
export const PRESETS_DIR = path.join(MODELS_DIR, 'presets');

/** Parses every models/fractribution/*.sql file. */
export function loadFractributionLibrary(dir = FRACTRIBUTION_DIR): ModelLibrary {
  return loadModelLibrary(dir);
}

/** A preset with its rule file read and validated. */
export interface LoadedPreset extends FractributionPreset {
  ruleSet: RuleSet;
  models: ModelLibrary;
}

/** Reads models/presets/ID.json (e.g. snowplow-fractribution) with its rules and models. */
export function loadModelPreset(id: string): LoadedPreset {
  if (!/^[a-z0-9-]+$/.test(id)) throw new AttribError('bad_parameter', `unknown model preset '${id}'`);
  const file = path.join(PRESETS_DIR, `${id}.json`);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    throw new AttribError('bad_parameter', `unknown model preset '${id}' (models/presets/${id}.json)`);
  }
  const preset = validateFractributionPreset(JSON.parse(text), file);
  return { ...preset, ruleSet: loadRules(path.join(PRESETS_DIR, preset.rules)), models: loadFractributionLibrary() };
}
