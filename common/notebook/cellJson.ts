/**
 * The JSON bodies of chart, param, model and data cells in a notebook file:
 * the canonical key order (so a file is diffable and byte-stable) and the
 * checks that turn parsed JSON into typed cell fields with messages that
 * name the field.
 *
 * Key order (documented in docs of format.ts too):
 *   chart:  from, title, builder {mark, x, y, color, aggregate, horizontal}, spec
 *   param:  name, label, control, value, min, max, step, options, unit
 *   model:  name, models, params, rules {format, description, rules
 *           [{id, channel, all/any [{field, op, values}], enabled}], fallback, labels}, compare, audit,
 *           baseline {model, params, rules {as above}}
 *   data:   name, path, morePaths, conversionPaths, fingerprint {size, sha256, partial},
 *           options {preset, map, timezone, timeUnit, conversionEvents, conversionFlag, conversionsMap, siteDomains,
 *           delimiter, encoding, pseudonymize {keyId}}
 * Free-form maps (chart spec, model params, options.map, rules labels) keep
 * their own key order: it is the user's, and JSON keeps it.
 */
import { validateRules, type RuleSet } from '../rules.ts';
import { KEY_ID_RE } from '../pseudonym.ts';
import type { ChartBuilder, ChartCell, DataCell, DataImportOptions, Fingerprint, ModelBaseline, ModelCell, ParamCell, ParamControl, ParamValue } from './types.ts';

/** The kinds whose body is JSON. */
export type JsonCellKind = 'chart' | 'param' | 'model' | 'data';

/** Canonical key order of each JSON object the format writes. */
export const FIELD_ORDER = {
  chart: ['from', 'title', 'builder', 'spec'],
  param: ['name', 'label', 'control', 'value', 'min', 'max', 'step', 'options', 'unit'],
  model: ['name', 'models', 'params', 'rules', 'compare', 'audit', 'baseline'],
  baseline: ['model', 'params', 'rules'],
  data: ['name', 'path', 'morePaths', 'conversionPaths', 'fingerprint', 'options'],
  builder: ['mark', 'x', 'y', 'color', 'aggregate', 'horizontal'],
  fingerprint: ['size', 'sha256', 'partial'],
  options: ['preset', 'map', 'timezone', 'timeUnit', 'conversionEvents', 'conversionFlag', 'conversionsMap', 'siteDomains', 'delimiter', 'encoding', 'pseudonymize'],
  pseudonymize: ['keyId'],
  ruleSet: ['format', 'description', 'rules', 'fallback', 'labels'],
  rule: ['id', 'channel', 'all', 'any', 'enabled'],
  condition: ['field', 'op', 'values'],
} as const;

/** A table (result) name: an SQL identifier. */
export const TABLE_NAME_RE = /^[A-Za-z_][A-Za-z0-9_]*$/;
/**
 * A parameter name: lower-case, because the engine's binder (bindNamed in
 * common/modelHeader.ts) only recognises `$` followed by [a-z_][a-z0-9_]*.
 */
export const PARAM_NAME_RE = /^[a-z_][a-z0-9_]*$/;

const MARKS = ['bar', 'line', 'area', 'point', 'arc', 'rect'];
const AGGREGATES = ['none', 'sum', 'mean', 'count', 'min', 'max'];
const CONTROLS: ParamControl[] = ['slider', 'number', 'select', 'date_range', 'text', 'checkbox'];
const TIME_UNITS = ['auto', 's', 'ms', 'us'];
const ENCODINGS = ['utf-8', 'latin1', 'windows-1252', 'utf-16le'];
const DATE_RE = /^\d{4}-\d{2}-\d{2}$/;

type Obj = Record<string, unknown>;

/** A copy of `o` with the keys of `order` in that order; undefined values and other keys dropped. */
function ordered(o: object, order: readonly string[]): Obj {
  const src = o as Obj;
  const out: Obj = {};
  for (const k of order) if (src[k] !== undefined) out[k] = src[k];
  return out;
}

function orderedRules(r: RuleSet): Obj {
  const out = ordered(r, FIELD_ORDER.ruleSet);
  out.rules = r.rules.map((rule) => {
    const x = ordered(rule, FIELD_ORDER.rule);
    if (rule.all) x.all = rule.all.map((c) => ordered(c, FIELD_ORDER.condition));
    if (rule.any) x.any = rule.any.map((c) => ordered(c, FIELD_ORDER.condition));
    return x;
  });
  return out;
}

/** The JSON object written for a chart/param/model/data cell: its fields but id and kind, in canonical order. */
export function cellJsonObject(cell: ChartCell | ParamCell | ModelCell | DataCell): Obj {
  switch (cell.kind) {
    case 'chart': {
      const o = ordered(cell, FIELD_ORDER.chart);
      if (cell.builder) o.builder = ordered(cell.builder, FIELD_ORDER.builder);
      return o;
    }
    case 'param':
      return ordered(cell, FIELD_ORDER.param);
    case 'model': {
      const o = ordered(cell, FIELD_ORDER.model);
      if (cell.rules) o.rules = orderedRules(cell.rules);
      if (cell.baseline) {
        const b = ordered(cell.baseline, FIELD_ORDER.baseline);
        b.rules = orderedRules(cell.baseline.rules);
        o.baseline = b;
      }
      return o;
    }
    case 'data': {
      const o = ordered(cell, FIELD_ORDER.data);
      if (cell.fingerprint) o.fingerprint = ordered(cell.fingerprint, FIELD_ORDER.fingerprint);
      o.options = ordered(cell.options ?? {}, FIELD_ORDER.options);
      // only the key's id is ever written: any other field (a key by mistake) is dropped here
      if (cell.options?.pseudonymize) (o.options as Obj).pseudonymize = ordered(cell.options.pseudonymize, FIELD_ORDER.pseudonymize);
      return o;
    }
  }
}

/** Where a check failed: a message and, when known, the key it is about (the parser finds its line). */
export class FieldError extends Error {
  constructor(message: string, readonly key?: string) {
    super(message);
  }
}

/** Reads typed fields out of one parsed JSON object, collecting warnings for keys it does not know. */
class Reader {
  constructor(
    private readonly o: Obj,
    private readonly where: string,
    private readonly warnings: string[],
    known: readonly string[],
  ) {
    for (const k of Object.keys(o)) if (!known.includes(k)) warnings.push(`${where}: unknown field '${k}' is ignored`);
  }
  private fail(key: string, what: string): never {
    throw new FieldError(`${this.where}: "${key}" ${what}`, key);
  }
  has(key: string): boolean {
    return this.o[key] !== undefined;
  }
  raw(key: string): unknown {
    return this.o[key];
  }
  str(key: string, required: true, re?: RegExp, reDoc?: string): string;
  str(key: string, required?: false, re?: RegExp, reDoc?: string): string | undefined;
  str(key: string, required = false, re?: RegExp, reDoc = ''): string | undefined {
    const v = this.o[key];
    if (v === undefined) return required ? this.fail(key, 'is required') : undefined;
    if (typeof v !== 'string') this.fail(key, 'must be a string');
    if (re && !re.test(v)) this.fail(key, `must be ${reDoc}, got '${v}'`);
    return v;
  }
  num(key: string): number | undefined {
    const v = this.o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(key, 'must be a number');
    return v;
  }
  bool(key: string): boolean | undefined {
    const v = this.o[key];
    if (v === undefined) return undefined;
    if (typeof v !== 'boolean') this.fail(key, 'must be true or false');
    return v;
  }
  oneOf<T extends string>(key: string, choices: readonly string[], required = false): T | undefined {
    const v = this.str(key, required as false);
    if (v !== undefined && !choices.includes(v)) this.fail(key, `must be one of ${choices.join(', ')}, got '${v}'`);
    return v as T | undefined;
  }
  strList(key: string): string[] | undefined {
    const v = this.o[key];
    if (v === undefined) return undefined;
    if (!Array.isArray(v) || v.some((x) => typeof x !== 'string')) this.fail(key, 'must be a list of strings');
    return v as string[];
  }
  object(key: string): Obj | undefined {
    const v = this.o[key];
    if (v === undefined) return undefined;
    if (!isObject(v)) this.fail(key, 'must be an object');
    return v as Obj;
  }
}

function isObject(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const TABLE_DOC = 'an identifier (letters, digits, _; not starting with a digit)';
const PARAM_DOC = 'a lower-case identifier (a-z, 0-9, _; not starting with a digit)';

/**
 * Turns a parsed JSON body into the fields of a cell of `kind` (all but id
 * and kind). Throws {@link FieldError}; unknown keys become warnings.
 * `where` prefixes messages, e.g. "chart cell c4".
 */
export function readCellJson(kind: JsonCellKind, json: unknown, where: string, warnings: string[]): Obj {
  if (!isObject(json)) throw new FieldError(`${where}: the body must be a JSON object`);
  const r = new Reader(json, where, warnings, FIELD_ORDER[kind]);
  switch (kind) {
    case 'chart': {
      const builder = r.object('builder');
      const spec = r.object('spec');
      return {
        // Empty: a chart whose result is not chosen yet.
        from: r.str('from', true, /^$|^[A-Za-z_][A-Za-z0-9_]*$/, `empty or ${TABLE_DOC}`),
        title: r.str('title'),
        builder: builder && readBuilder(builder, `${where} builder`, warnings),
        spec,
      };
    }
    case 'param':
      return readParam(r, where, warnings);
    case 'model': {
      const params = readScalarParams(r.object('params') ?? {}, where, 'params');
      let rules: RuleSet | undefined;
      if (r.has('rules')) rules = readRules(r.raw('rules'), where, 'rules');
      const models = r.strList('models');
      if (!models) throw new FieldError(`${where}: "models" is required`, 'models');
      const baseline = r.object('baseline');
      return {
        name: r.str('name', true, TABLE_NAME_RE, TABLE_DOC), models, params, rules, compare: r.str('compare'), audit: r.bool('audit'),
        baseline: baseline && readBaseline(baseline, where, warnings),
      };
    }
    case 'data': {
      const fp = r.object('fingerprint');
      const options = r.object('options') ?? {};
      return {
        name: r.str('name', true, TABLE_NAME_RE, TABLE_DOC),
        path: r.str('path', true),
        morePaths: nonEmpty(r.strList('morePaths')),
        conversionPaths: nonEmpty(r.strList('conversionPaths')),
        fingerprint: fp && readFingerprint(fp, `${where} fingerprint`, warnings),
        options: readOptions(options, `${where} options`, warnings),
      };
    }
  }
}

/** A list, or undefined when it is empty (so a notebook without one writes no key). */
const nonEmpty = (xs: string[] | undefined) => (xs && xs.length ? xs : undefined);

/** A params object: name -> number, string or true/false (`key` is the field it is reported under). */
function readScalarParams(params: Obj, where: string, label: string, key = label): Record<string, number | string | boolean> {
  for (const [k, v] of Object.entries(params)) {
    if (!['number', 'string', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v))) {
      throw new FieldError(`${where}: ${label}.${k} must be a number, a string or true/false`, key);
    }
  }
  return params as Record<string, number | string | boolean>;
}

function readRules(x: unknown, where: string, label: string, key = label): RuleSet {
  try {
    return validateRules(x);
  } catch (e) {
    throw new FieldError(`${where}: ${label}: ${(e as Error).message}`, key);
  }
}

/** A model cell's baseline {model, params, rules}: every field required (it is a frozen configuration). Errors point at "baseline". */
function readBaseline(o: Obj, where: string, warnings: string[]): ModelBaseline {
  const r = new Reader(o, `${where} baseline`, warnings, FIELD_ORDER.baseline);
  const need = (k: string) => {
    if (!r.has(k)) throw new FieldError(`${where}: baseline: "${k}" is required`, 'baseline');
  };
  need('model');
  need('params');
  need('rules');
  if (typeof o.model !== 'string' || !o.model) throw new FieldError(`${where}: baseline: "model" must be a model name`, 'baseline');
  if (!isObject(r.raw('params'))) throw new FieldError(`${where}: baseline: "params" must be an object`, 'baseline');
  return { model: o.model, params: readScalarParams(o.params as Obj, where, 'baseline.params', 'baseline'), rules: readRules(o.rules, where, 'baseline.rules', 'baseline') };
}

function readBuilder(o: Obj, where: string, warnings: string[]): ChartBuilder {
  const r = new Reader(o, where, warnings, FIELD_ORDER.builder);
  return {
    mark: r.oneOf<ChartBuilder['mark']>('mark', MARKS, true)!,
    x: r.str('x'),
    y: r.str('y'),
    color: r.str('color'),
    aggregate: r.oneOf<NonNullable<ChartBuilder['aggregate']>>('aggregate', AGGREGATES),
    horizontal: r.bool('horizontal'),
  };
}

function readParam(r: Reader, where: string, warnings: string[]): Obj {
  const control = r.oneOf<ParamControl>('control', CONTROLS, true)!;
  const min = r.num('min');
  const max = r.num('max');
  const step = r.num('step');
  const options = r.strList('options');
  const v = r.raw('value');
  let value: ParamValue;
  if (v === undefined) throw new FieldError(`${where}: "value" is required`, 'value');
  if (control === 'slider' || control === 'number') {
    value = r.num('value')!;
    if (control === 'slider' && (min === undefined || max === undefined)) throw new FieldError(`${where}: a slider needs "min" and "max"`, 'control');
  } else if (control === 'checkbox') {
    value = r.bool('value')!;
  } else if (control === 'date_range') {
    if (!Array.isArray(v) || v.length !== 2 || v.some((d) => typeof d !== 'string' || !DATE_RE.test(d))) {
      throw new FieldError(`${where}: "value" of a date_range must be ["YYYY-MM-DD", "YYYY-MM-DD"]`, 'value');
    }
    value = [v[0], v[1]] as [string, string];
  } else {
    value = r.str('value', true);
    if (control === 'select' && options && !options.includes(value)) warnings.push(`${where}: value '${value}' is not one of its options`);
  }
  if (min !== undefined && max !== undefined && min > max) throw new FieldError(`${where}: "min" is above "max"`, 'min');
  if (step !== undefined && step <= 0) throw new FieldError(`${where}: "step" must be above 0`, 'step');
  return { name: r.str('name', true, PARAM_NAME_RE, PARAM_DOC), label: r.str('label'), control, value, min, max, step, options, unit: r.str('unit') };
}

function readFingerprint(o: Obj, where: string, warnings: string[]): Fingerprint {
  const r = new Reader(o, where, warnings, FIELD_ORDER.fingerprint);
  const size = r.num('size');
  if (size === undefined || size < 0 || !Number.isInteger(size)) throw new FieldError(`${where}: "size" must be a whole number of bytes`, 'size');
  return { size, sha256: r.str('sha256', true, /^[0-9a-f]{64}$/, '64 lower-case hex digits'), partial: r.bool('partial') };
}

function readOptions(o: Obj, where: string, warnings: string[]): DataImportOptions {
  const r = new Reader(o, where, warnings, FIELD_ORDER.options);
  const map = r.object('map');
  const conversionsMap = r.object('conversionsMap');
  const p = r.object('pseudonymize');
  let pseudonymize: DataImportOptions['pseudonymize'];
  if (p) {
    const pr = new Reader(p, `${where}: pseudonymize`, warnings, FIELD_ORDER.pseudonymize);
    pseudonymize = { keyId: pr.str('keyId', true, KEY_ID_RE, '16 lower-case hex digits (a key id, never the key)') };
  }
  for (const [key, m] of [['map', map], ['conversionsMap', conversionsMap]] as const) {
    if (m) for (const [k, v] of Object.entries(m)) if (typeof v !== 'string') throw new FieldError(`${where}: ${key}.${k} must be a column name (string)`, key);
  }
  return {
    preset: r.str('preset'),
    map: map as Record<string, string> | undefined,
    timezone: r.str('timezone'),
    timeUnit: r.oneOf<NonNullable<DataImportOptions['timeUnit']>>('timeUnit', TIME_UNITS),
    conversionEvents: r.strList('conversionEvents'),
    conversionFlag: r.str('conversionFlag'),
    conversionsMap: conversionsMap as Record<string, string> | undefined,
    siteDomains: r.strList('siteDomains'),
    delimiter: r.str('delimiter'),
    encoding: r.oneOf<NonNullable<DataImportOptions['encoding']>>('encoding', ENCODINGS),
    pseudonymize,
  };
}

/** Removes keys whose value is undefined (the typed readers return them), so parsed cells deep-equal built ones. */
export function dropUndefined<T extends object>(o: T): T {
  const src = o as Obj;
  for (const k of Object.keys(src)) {
    if (src[k] === undefined) delete src[k];
    else if (isObject(src[k])) dropUndefined(src[k] as object);
  }
  return o;
}
