/**
 * Self-describing model SQL files.
 *
 * Each file in models/ starts with `--` header lines:
 *   -- name: time_decay
 *   -- version: 1
 *   -- kind: credit | stage
 *   -- description: ...
 *   -- param half_life_days: double = 7, min 0.01, max 365, unit days, doc text
 *   -- output: credits(conversion_id, channel, credit)
 *   -- reported: GA4 (only on a vendor's own figure shown beside the models)
 * The CLI's --help, the notebook's controls and the range checks all come
 * from the parsed header; parameters are bound as `$name`, never pasted.
 */
import { AttribError } from './errors.ts';
import type { SqlValue } from './db.ts';

/** A typed, range-checked parameter of a model. */
export interface ParamSpec {
  name: string;
  type: 'integer' | 'double' | 'string' | 'boolean';
  default: number | string | boolean;
  min?: number;
  max?: number;
  unit?: string;
  doc?: string;
}

/** The parsed header plus the SQL body. */
export interface ModelSpec {
  name: string;
  version: number;
  kind: 'credit' | 'stage';
  description: string;
  params: ParamSpec[];
  outputs: string[];
  /** Constraints like `first_weight + middle_weight + last_weight = 1`. */
  checks: string[];
  /**
   * Set (`-- reported: <whose figure>`) on a credit file that is no model of
   * ours but a vendor's own figure read from the export (models/ga4_reported.sql):
   * it gives every conversion its credit itself (no direct rule), runs only
   * when the import found that figure, and is never offered as a model to choose.
   */
  reported?: string;
  sql: string;
}

const PARAM_RE = /^param\s+([a-z_][a-z0-9_]*)\s*:\s*(integer|double|string|boolean)\s*=\s*([^,]+?)\s*(?:,(.*))?$/;

/** Parses a model file's text; throws `bad_model_header` naming the line. */
export function parseModel(text: string, file = 'model'): ModelSpec {
  const lines = text.split(/\r?\n/);
  const spec: Partial<ModelSpec> & { params: ParamSpec[]; outputs: string[]; checks: string[] } = { params: [], outputs: [], checks: [] };
  let i = 0;
  for (; i < lines.length; i++) {
    const m = /^--\s?(.*)$/.exec(lines[i]);
    if (!m) break;
    const body = m[1].trim();
    if (!body) continue;
    const fail = (msg: string) => new AttribError('bad_model_header', msg, { file, line: i + 1 });
    const kv = /^([a-z]+)\s*:\s*(.*)$/.exec(body);
    if (body.startsWith('param ')) {
      const p = PARAM_RE.exec(body);
      if (!p) throw fail(`cannot read parameter line: ${body}`);
      const [, name, type, def, rest] = p;
      const param: ParamSpec = { name, type: type as ParamSpec['type'], default: parseDefault(type, def, fail) };
      for (const part of (rest ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
        const mm = /^(min|max|unit)\s+(.+)$/.exec(part);
        if (mm?.[1] === 'min') param.min = Number(mm[2]);
        else if (mm?.[1] === 'max') param.max = Number(mm[2]);
        else if (mm?.[1] === 'unit') param.unit = mm[2];
        else param.doc = param.doc ? `${param.doc}, ${part}` : part;
      }
      spec.params.push(param);
    } else if (kv) {
      const [, key, value] = kv;
      if (key === 'name') spec.name = value;
      else if (key === 'version') spec.version = Number(value);
      else if (key === 'kind') spec.kind = value as ModelSpec['kind'];
      else if (key === 'description') spec.description = spec.description ? `${spec.description} ${value}` : value;
      else if (key === 'output') spec.outputs.push(value);
      else if (key === 'check') spec.checks.push(value);
      else if (key === 'reported') spec.reported = value;
      else if (key === 'input') continue;
      else throw fail(`unknown header key '${key}'`);
    }
  }
  if (!spec.name || !spec.version || !spec.kind) {
    throw new AttribError('bad_model_header', 'the header needs name, version and kind', { file, line: 1 });
  }
  return { description: '', ...spec, sql: lines.slice(i).join('\n') } as ModelSpec;
}

function parseDefault(type: string, raw: string, fail: (m: string) => Error): number | string | boolean {
  if (type === 'integer' || type === 'double') {
    const n = Number(raw);
    if (!Number.isFinite(n)) throw fail(`default '${raw}' is not a number`);
    return n;
  }
  if (type === 'boolean') return raw === 'true';
  return raw.replace(/^'(.*)'$/, '$1');
}

/** A plain decimal number as text: no hex/octal/binary, no Infinity, no unicode digits (JS `Number` takes the first ones). */
const DECIMAL_RE = /^[+-]?(\d+\.?\d*|\.\d+)(e[+-]?\d+)?$/i;
/** The range of DuckDB's INTEGER, which integer parameters are bound as. */
const INT32_MAX = 2147483647;

/** A parameter value as a finite number, or undefined when it is not one (text must be a plain decimal). */
function asNumber(v: unknown): number | undefined {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'string' && DECIMAL_RE.test(v.trim())) n = Number(v.trim());
  else return undefined;
  return Number.isFinite(n) ? n : undefined;
}

/** How a value is quoted in a message: short, and control characters visible. */
function shown(v: unknown): string {
  const s = typeof v === 'string' ? v : String(v);
  return `'${(s.length > 40 ? s.slice(0, 40) + '...' : s).replace(/[\u0000-\u001f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`)}'`;
}

/**
 * Checks user values against the specs and fills in defaults. Throws
 * `bad_parameter` with a message that names the parameter and says the
 * allowed range. Numbers must be finite plain decimals (as numbers or text),
 * integers whole and within DuckDB's INTEGER, booleans true/false: values
 * that would bind but compute nonsense (0 or negative half-lives, NaN) are
 * refused here, before any SQL.
 */
export function resolveParams(specs: ParamSpec[], values: Record<string, unknown>, checks: string[] = [], model = ''): Record<string, SqlValue> {
  const out: Record<string, SqlValue> = {};
  for (const p of specs) {
    const v = values[p.name] ?? p.default;
    const where = model ? `${model}: ` : '';
    if (p.type === 'integer' || p.type === 'double') {
      const n = asNumber(v);
      if (n === undefined) throw new AttribError('bad_parameter', `${where}${p.name} must be a number, got ${shown(v)}`);
      if (p.type === 'integer' && !Number.isInteger(n)) throw new AttribError('bad_parameter', `${where}${p.name} must be a whole number, got ${n}`);
      const unit = p.unit ? ' ' + p.unit : '';
      if ((p.min !== undefined && n < p.min) || (p.max !== undefined && n > p.max)) {
        const range = p.min !== undefined && p.max !== undefined ? `between ${p.min} and ${p.max}` : p.min !== undefined ? `at least ${p.min}` : `at most ${p.max}`;
        throw new AttribError('bad_parameter', `${where}${p.name} must be ${range}${unit}, got ${n}`);
      }
      if (p.type === 'integer' && Math.abs(n) > INT32_MAX) throw new AttribError('bad_parameter', `${where}${p.name} must be at most ${INT32_MAX} in size, got ${n}`);
      out[p.name] = n;
    } else if (p.type === 'boolean') {
      if (v !== true && v !== false && v !== 'true' && v !== 'false') throw new AttribError('bad_parameter', `${where}${p.name} must be true or false, got ${shown(v)}`);
      out[p.name] = v === true || v === 'true';
    } else {
      if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') throw new AttribError('bad_parameter', `${where}${p.name} must be text, got ${shown(v)}`);
      out[p.name] = String(v);
    }
  }
  for (const c of checks) {
    const m = /^(.+?)\s*=\s*([0-9.]+)$/.exec(c);
    if (!m) continue;
    const names = m[1].split('+').map((s) => s.trim());
    const sum = names.reduce((a, n) => a + Number(out[n] ?? 0), 0);
    if (Math.abs(sum - Number(m[2])) > 1e-9) {
      throw new AttribError('bad_parameter', `${model ? model + ': ' : ''}${names.join(' + ')} must sum to ${m[2]}, got ${+sum.toFixed(12)}`);
    }
  }
  return out;
}

/**
 * Rewrites `$name` placeholders to positional `$1, $2...` and returns the
 * values in order, skipping string literals (dollar-quoted ones too), quoted
 * identifiers and comments.
 * Both engines bind positional parameters; neither sees a pasted value.
 */
export function bindNamed(sql: string, values: Record<string, SqlValue>): { sql: string; params: SqlValue[] } {
  const order: string[] = [];
  let out = '';
  for (let i = 0; i < sql.length; ) {
    const ch = sql[i];
    if (ch === "'" || ch === '"') {
      const end = sql.indexOf(ch, i + 1);
      const stop = end < 0 ? sql.length : end + 1;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '-' && sql[i + 1] === '-') {
      const end = sql.indexOf('\n', i);
      const stop = end < 0 ? sql.length : end;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '/' && sql[i + 1] === '*') {
      const end = sql.indexOf('*/', i + 2);
      const stop = end < 0 ? sql.length : end + 2;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /^\$([a-z_][a-z0-9_]*)?\$/i.test(sql.slice(i, i + 66))) {
      // A dollar-quoted string ($$...$$ or $tag$...$tag$): text, like '...'.
      const tag = /^\$([a-z_][a-z0-9_]*)?\$/i.exec(sql.slice(i, i + 66))![0];
      const end = sql.indexOf(tag, i + tag.length);
      const stop = end < 0 ? sql.length : end + tag.length;
      out += sql.slice(i, stop);
      i = stop;
    } else if (ch === '$' && /[a-z_]/.test(sql[i + 1] ?? '')) {
      const m = /^[a-z_][a-z0-9_]*/.exec(sql.slice(i + 1))!;
      const name = m[0];
      if (!(name in values)) throw new AttribError('bad_parameter', `the SQL uses $${name}, which has no value`);
      let k = order.indexOf(name);
      if (k < 0) k = order.push(name) - 1;
      out += '$' + (k + 1);
      i += 1 + name.length;
    } else {
      out += ch;
      i++;
    }
  }
  return { sql: out, params: order.map((n) => values[n]) };
}
