/**
 * Path transforms (spec section 7), as Snowplow's dbt attribution package
 * (dbt-snowplow-fractribution) defines them, applied in the order given:
 *
 * - `exposure`: collapse consecutive repeats       A A B A -> A B A
 * - `first`: keep the first occurrence of each     A A B A -> A B
 * - `unique`: identity, as in Snowplow             A A B A -> A A B A
 * - `frequency`: each channel once with its count  A A B A -> A(3) B(1)
 * - `remove_if_not_all(c...)`: drop steps in c unless every step is in c
 * - `remove_if_last_and_not_all(c...)`: drop trailing steps in c unless every step is in c
 * - `lookback_steps(N)`: keep the last N steps (Snowplow's trim_long_path)
 *
 * The spec's words for `unique` ("distinct channels in first-seen order")
 * would make it the same as `first`; Snowplow's package and its test
 * expectations (test/fixtures/peers/fractribution) make it the identity,
 * and the package is what the spec points to, so that is what runs.
 * Snowplow's two `remove_*` transforms take one channel; here they take a
 * list, a step being removable when its channel is any of them.
 */
import { AttribError } from '../errors.ts';
import { mergePaths, type AggregatedPath } from './types.ts';

/** One path transform with its parameters. */
export type PathTransform =
  | { kind: 'exposure' | 'first' | 'unique' | 'frequency' }
  | { kind: 'remove_if_not_all' | 'remove_if_last_and_not_all'; channels: string[] }
  | { kind: 'lookback_steps'; steps: number };

/** Transform names, with Snowplow's spellings accepted as aliases. */
const ALIASES: Record<string, PathTransform['kind']> = {
  exposure: 'exposure',
  exposure_path: 'exposure',
  first: 'first',
  first_path: 'first',
  unique: 'unique',
  unique_path: 'unique',
  frequency: 'frequency',
  frequency_path: 'frequency',
  remove_if_not_all: 'remove_if_not_all',
  remove_if_last_and_not_all: 'remove_if_last_and_not_all',
  lookback_steps: 'lookback_steps',
  trim_long_path: 'lookback_steps',
};

const SYNTAX = 'exposure, first, unique, frequency, remove_if_not_all(c1,c2), remove_if_last_and_not_all(c1), lookback_steps(N)';

/**
 * Parses a transform list such as `exposure,remove_if_not_all(direct),lookback_steps(4)`.
 * Commas inside parentheses separate a transform's channels.
 *
 * @throws AttribError `bad_parameter` naming the faulty item.
 */
export function parseTransforms(text: string): PathTransform[] {
  const items: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i <= text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if ((c === ',' && depth === 0) || i === text.length) {
      items.push(text.slice(start, i).trim());
      start = i + 1;
    }
    if (depth < 0) break;
  }
  if (depth !== 0) throw new AttribError('bad_parameter', `--transforms '${text}': unbalanced parentheses`);
  return items.filter((s) => s !== '').map(parseOne);
}

function parseOne(item: string): PathTransform {
  const m = /^([a-z_]+)\s*(?:\((.*)\))?$/s.exec(item);
  const kind = m ? ALIASES[m[1]!] : undefined;
  if (!m || !kind) throw new AttribError('bad_parameter', `unknown path transform '${item}'; use ${SYNTAX}`);
  const arg = m[2];
  switch (kind) {
    case 'remove_if_not_all':
    case 'remove_if_last_and_not_all': {
      const channels = (arg ?? '').split(',').map((s) => s.trim()).filter(Boolean);
      if (channels.length === 0) throw new AttribError('bad_parameter', `${kind} needs the channels to remove, e.g. ${kind}(direct)`);
      return { kind, channels };
    }
    case 'lookback_steps': {
      const n = Number(arg);
      if (arg === undefined || !Number.isInteger(n) || n < 1) {
        throw new AttribError('bad_parameter', `lookback_steps needs a whole number of steps >= 1, e.g. lookback_steps(4), got '${item}'`);
      }
      return { kind, steps: n };
    }
    default:
      if (arg !== undefined) throw new AttribError('bad_parameter', `${kind} takes no parameters, got '${item}'`);
      return { kind };
  }
}

/** Writes a transform back in the syntax {@link parseTransforms} reads. */
export function formatTransform(t: PathTransform): string {
  if ('channels' in t) return `${t.kind}(${t.channels.join(',')})`;
  if ('steps' in t) return `${t.kind}(${t.steps})`;
  return t.kind;
}

/** Applies one transform to one step sequence (a new array; the input is not changed). */
export function transformSteps(steps: readonly string[], t: PathTransform): string[] {
  switch (t.kind) {
    case 'unique':
      return [...steps];
    case 'exposure':
      return steps.filter((s, i) => i === 0 || s !== steps[i - 1]);
    case 'first':
      return [...new Set(steps)];
    case 'frequency': {
      // A Map keeps first-seen order, which is the order Snowplow writes.
      const counts = new Map<string, number>();
      for (const s of steps) counts.set(s, (counts.get(s) ?? 0) + 1);
      return [...counts].map(([s, n]) => `${s}(${n})`);
    }
    case 'remove_if_not_all': {
      const drop = new Set(t.channels);
      const kept = steps.filter((s) => !drop.has(s));
      return kept.length > 0 ? kept : [...steps];
    }
    case 'remove_if_last_and_not_all': {
      const drop = new Set(t.channels);
      let end = steps.length;
      while (end > 0 && drop.has(steps[end - 1]!)) end--;
      return end > 0 ? steps.slice(0, end) : [...steps];
    }
    case 'lookback_steps':
      return steps.slice(Math.max(0, steps.length - t.steps));
  }
}

/**
 * Applies the transforms in order to every path, then sums paths that have
 * become equal. No transform empties a non-empty path.
 */
export function applyTransforms(paths: readonly AggregatedPath[], transforms: readonly PathTransform[]): AggregatedPath[] {
  if (transforms.length === 0) return mergePaths(paths);
  return mergePaths(
    paths.map((p) => {
      let steps: readonly string[] = p.steps;
      for (const t of transforms) steps = transformSteps(steps, t);
      return { ...p, steps };
    }),
  );
}

/**
 * The direct rule of spec section 5 on paths (`--exclude-direct`): `direct`
 * steps (any letter case, as the engine compares channels) are dropped, and
 * a path of only `direct` becomes the one-step path `direct`, which gives
 * direct full credit in every model.
 */
export function applyDirectRule(paths: readonly AggregatedPath[], direct = 'direct'): AggregatedPath[] {
  const d = direct.toLowerCase();
  return mergePaths(
    paths.map((p) => {
      const kept = p.steps.filter((s) => s.toLowerCase() !== d);
      return { ...p, steps: kept.length > 0 ? kept : [direct] };
    }),
  );
}
