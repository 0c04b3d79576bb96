/**
 * Channel rules are data; this small compiler turns them into one SQL CASE
 * expression over the staged event columns. Rule values are compiled as
 * escaped string literals (they are configuration, not user parameters), and
 * every rule is validated first so a bad rule file gets a clear message.
 */
import { AttribError } from './errors.ts';
import { sqlString } from './db.ts';

/** Fields a condition may test (already trimmed, lower-cased, null-normalised in staging). */
export const RULE_FIELDS = [
  'utm_source', 'utm_medium', 'utm_campaign', 'utm_content', 'utm_term', 'referrer_host', 'page_url',
  'gclid', 'msclkid', 'fbclid', 'ttclid', 'li_fat_id', 'rdt_cid', 'click_token', 'dclid', 'srsltid', 'event_name',
] as const;

/** One condition of a rule. */
export interface RuleCondition {
  field: (typeof RULE_FIELDS)[number];
  op: 'present' | 'absent' | 'in' | 'equals' | 'contains' | 'starts_with' | 'regex' | 'host_in' | 'internal';
  values?: string[];
}

/** One rule: `all` conditions must hold and, when given, at least one of `any`. */
export interface ChannelRule {
  id: string;
  channel: string;
  all?: RuleCondition[];
  any?: RuleCondition[];
  enabled?: boolean;
}

/** A rule file. */
export interface RuleSet {
  format: 'attribution-channel-rules/1';
  description?: string;
  rules: ChannelRule[];
  /** Channel when no rule matches (default `direct`). */
  fallback?: string;
  /** Display names of channels for reports, e.g. { organic_search: 'Organic_Search' }; ids stay lower-case. */
  labels?: Record<string, string>;
}

const VALUE_OPS = new Set(['in', 'equals', 'contains', 'starts_with', 'regex', 'host_in']);

/** Validates a parsed rule file; throws `bad_rules` naming the rule. */
export function validateRules(x: unknown): RuleSet {
  const fail = (msg: string) => new AttribError('bad_rules', msg);
  if (!x || typeof x !== 'object') throw fail('the rule file must be a JSON object');
  const set = x as RuleSet;
  if (set.format !== 'attribution-channel-rules/1') throw fail(`unknown rule file format '${String(set.format)}' (expected attribution-channel-rules/1)`);
  if (!Array.isArray(set.rules)) throw fail('the rule file needs a "rules" list');
  const CHANNEL_RE = /^[a-z0-9_]+$/;
  if (set.fallback !== undefined && (typeof set.fallback !== 'string' || !CHANNEL_RE.test(set.fallback))) {
    throw fail('"fallback" must be a channel id: lower-case letters, digits or _');
  }
  if (set.labels !== undefined) {
    if (!set.labels || typeof set.labels !== 'object' || Array.isArray(set.labels)) throw fail('"labels" must be an object of channel id -> display name');
    for (const [k, v] of Object.entries(set.labels)) {
      if (!CHANNEL_RE.test(k)) throw fail(`labels: '${k}' is not a channel id (lower-case letters, digits or _)`);
      if (typeof v !== 'string' || !v.trim()) throw fail(`labels: the name of '${k}' must be a non-empty string`);
    }
  }
  const ids = new Set<string>();
  set.rules.forEach((r, i) => {
    const name = `rule ${i + 1}${r?.id ? ` (${r.id})` : ''}`;
    if (!r || typeof r.id !== 'string' || !r.id) throw fail(`${name}: needs an "id"`);
    if (ids.has(r.id)) throw fail(`${name}: the id is used twice`);
    ids.add(r.id);
    if (typeof r.channel !== 'string' || !CHANNEL_RE.test(r.channel)) throw fail(`${name}: "channel" must be lower-case letters, digits or _`);
    const conds = [...(r.all ?? []), ...(r.any ?? [])];
    if (!conds.length) throw fail(`${name}: needs at least one condition in "all" or "any"`);
    for (const c of conds) {
      if (!(RULE_FIELDS as readonly string[]).includes(c.field)) throw fail(`${name}: unknown field '${c.field}' (one of ${RULE_FIELDS.join(', ')})`);
      if (VALUE_OPS.has(c.op)) {
        if (!Array.isArray(c.values) || !c.values.length || c.values.some((v) => typeof v !== 'string')) throw fail(`${name}: op '${c.op}' needs a non-empty "values" list of strings`);
        if (c.op === 'regex') for (const v of c.values) checkRegex(v, name, fail);
      } else if (c.op === 'internal') {
        if (c.field !== 'referrer_host') throw fail(`${name}: op 'internal' applies to referrer_host only`);
      } else if (c.op !== 'present' && c.op !== 'absent') {
        throw fail(`${name}: unknown op '${String(c.op)}'`);
      }
    }
  });
  return set;
}

/**
 * Regex values run in DuckDB, whose engine is RE2: linear time (no
 * catastrophic backtracking on `(a+)+$`), but without lookaround or
 * backreferences. Those are refused here with the rule's name rather than
 * failing mid-run with DuckDB's message; the rest is checked with JS's parser.
 */
function checkRegex(v: string, name: string, fail: (msg: string) => Error): void {
  try {
    new RegExp(v);
  } catch {
    throw fail(`${name}: bad regex '${v}'`);
  }
  // Lookaround (?= (?! (?<= (?<!, backreferences \1..\9 and \k<name> (an escaped backslash before them is fine).
  if (/(^|[^\\])(\\\\)*(\(\?<?[=!]|\\[1-9]|\\k<)/.test(v)) {
    throw fail(`${name}: regex '${v}' uses lookaround or a backreference, which DuckDB's regex engine (RE2) does not support`);
  }
}

/** SQL for one condition over the staged columns (aliased `e`). */
function compileCondition(c: RuleCondition): string {
  const col = `e.${c.field}`;
  const lits = (c.values ?? []).map((v) => sqlString(v.trim().toLowerCase()));
  switch (c.op) {
    case 'present':
      return `${col} IS NOT NULL`;
    case 'absent':
      return `${col} IS NULL`;
    case 'in':
    case 'equals':
      return `${col} IN (${lits.join(', ')})`;
    case 'contains':
      return '(' + lits.map((l) => `contains(${col}, ${l})`).join(' OR ') + ')';
    case 'starts_with':
      return '(' + lits.map((l) => `starts_with(${col}, ${l})`).join(' OR ') + ')';
    case 'regex':
      return '(' + (c.values ?? []).map((v) => `regexp_matches(${col}, ${sqlString(v)})`).join(' OR ') + ')';
    case 'host_in':
      // 'google.' matches a label that starts with google (www.google.co.uk);
      // 't.co' matches the host or any subdomain of it, never 'bt.com'.
      return '(' + (c.values ?? []).map((v) => {
        const t = v.trim().toLowerCase();
        return t.endsWith('.')
          ? `(starts_with(${col}, ${sqlString(t)}) OR contains(${col}, ${sqlString('.' + t)}))`
          : `(${col} = ${sqlString(t)} OR ends_with(${col}, ${sqlString('.' + t)}))`;
      }).join(' OR ') + ')';
    case 'internal':
      return `e.referrer_internal`;
  }
}

/** SQL for a rule's match condition. */
function compileRule(r: ChannelRule): string {
  const parts = (r.all ?? []).map(compileCondition);
  if (r.any?.length) parts.push('(' + r.any.map(compileCondition).join(' OR ') + ')');
  return parts.join(' AND ');
}

/**
 * Compiles the rules into two CASE expressions over `e`: the channel, and
 * the id of the rule that decided it ('explicit' for the channel column,
 * 'fallback' when nothing matched, giving the set's fallback channel,
 * `direct` unless the file says otherwise). Disabled rules are skipped.
 */
export function compileRules(set: RuleSet): { channel: string; rule: string } {
  const rules = set.rules.filter((r) => r.enabled !== false);
  const whens = rules.map((r) => `WHEN ${compileRule(r)}`);
  const channel = ['CASE WHEN e.channel_explicit IS NOT NULL THEN e.channel_explicit', ...whens.map((w, i) => `${w} THEN ${sqlString(rules[i].channel)}`), `ELSE ${sqlString(set.fallback ?? 'direct')} END`].join('\n  ');
  const rule = ["CASE WHEN e.channel_explicit IS NOT NULL THEN 'explicit'", ...whens.map((w, i) => `${w} THEN ${sqlString(rules[i].id)}`), "ELSE 'fallback' END"].join('\n  ');
  return { channel, rule };
}
