/**
 * The bundled models in the page: models/*.sql parsed from their headers
 * (the model cell builds its controls from them) and the default channel
 * rules. Bundled by Vite at build time; nothing is fetched.
 */
import { parseModel, type ModelSpec } from '../../common/modelHeader.ts';
import { validateRules, type RuleSet } from '../../common/rules.ts';
import defaultRulesJson from '../../models/channel_rules.json';

const files = import.meta.glob('../../models/*.sql', { query: '?raw', import: 'default', eager: true }) as Record<string, string>;

/** Every bundled model and stage, by name. */
export const LIBRARY: Map<string, ModelSpec> = new Map(
  Object.entries(files).map(([path, text]) => {
    const spec = parseModel(text, path.split('/').pop()!);
    return [spec.name, spec];
  }),
);

/** The default channel rules (models/channel_rules.json). */
export const DEFAULT_RULES: RuleSet = validateRules(defaultRulesJson);

/** The model of a new baseline's diff (common/ruleDiff.ts DEFAULT_DIFF_MODEL: every touch carries credit, so any rule change shows). */
export const DEFAULT_DIFF_MODEL = 'linear';

/** Data-driven models (run in TypeScript by the engine, not SQL credit files). */
export const DATA_DRIVEN = ['markov', 'shapley', 'fractribution'];

/**
 * Models a model cell can choose: the credit SQL files, then the data-driven
 * ones. A vendor's own figure (ga4_reported) is no choice: the engine adds it
 * whenever the data carries it (common/pipeline.ts withReported).
 */
export const MODEL_CHOICES: string[] = [
  ...[...LIBRARY.values()].filter((m) => m.kind === 'credit' && !m.reported).map((m) => m.name),
  ...DATA_DRIVEN,
];

/** Stages whose parameters change the journeys (a change there re-runs everything, not just credits). */
export const JOURNEY_STAGES = ['identity', 'touches', 'conversions'];

/** A parameter a model cell can show, with where it comes from. */
export interface ParamInfo {
  name: string;
  type: string;
  default: unknown;
  min?: number;
  max?: number;
  unit?: string;
  description?: string;
  /** Changes the journeys (a full run) rather than only the credits. */
  journeys: boolean;
}

/** The parameters of the stages and of the chosen models, each once. */
export function paramsFor(models: string[]): ParamInfo[] {
  const out = new Map<string, ParamInfo>();
  const add = (specName: string, journeys: boolean) => {
    const spec = LIBRARY.get(specName);
    for (const p of spec?.params ?? []) {
      if (out.has(p.name)) continue;
      out.set(p.name, { name: p.name, type: p.type, default: p.default, min: p.min, max: p.max, unit: p.unit, description: p.doc, journeys });
    }
  };
  for (const s of JOURNEY_STAGES) add(s, true);
  for (const m of models) add(DATA_DRIVEN.includes(m) ? 'paths' : m, false);
  return [...out.values()];
}
