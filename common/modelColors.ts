/**
 * One colour per attribution model, the same in every chart: a reader who
 * learns that Markov is purple in one chart finds it purple in the next
 * (vega-lite's own scale gives colours in the order the data lists them,
 * so a model changed colour between charts).
 */
import type { VegaLiteSpec } from './charts.ts';

/** The colour of each model the app has (Tableau 10, then two of its light shades for the rarer ones). */
export const MODEL_COLORS: Readonly<Record<string, string>> = {
  first_touch: '#4c78a8',
  last_touch: '#f58518',
  linear: '#54a24b',
  time_decay: '#b279a2',
  position_based: '#72b7b2',
  markov: '#e45756',
  shapley: '#eeca3b',
  fractribution: '#9d755d',
  participation: '#bab0ac',
  j_curve: '#ff9da6',
  inverse_j: '#9ecae9',
  custom: '#79706e',
  ga4_reported: '#17becf',
};

/**
 * The spec with its colour scale fixed to {@link MODEL_COLORS} when the
 * colour channel's values (in `rows`) are all model names; otherwise as it
 * was. The domain is the models present, in the first order they appear, so
 * the legend lists only those.
 */
export function withModelColors(spec: VegaLiteSpec, rows: readonly Record<string, unknown>[]): VegaLiteSpec {
  const enc = spec.encoding as Record<string, Record<string, unknown> | undefined> | undefined;
  const color = enc?.color;
  const field = typeof color?.field === 'string' ? color.field : undefined;
  if (!enc || !color || !field || color.scale !== undefined || color.type === 'quantitative') return spec;
  const present: string[] = [];
  for (const r of rows) {
    const v = r[field];
    if (typeof v !== 'string' || !(v in MODEL_COLORS)) return spec;
    if (!present.includes(v)) present.push(v);
  }
  if (!present.length) return spec;
  return { ...spec, encoding: { ...enc, color: { ...color, scale: { domain: present, range: present.map((m) => MODEL_COLORS[m]) } } } };
}
