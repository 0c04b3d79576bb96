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
  'gclid', 'msclkid', 'fbclid', 'ttclid', 'li_fat_id', 'rdt_cid', 'click_token', 'event_name',
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
}

const VALUE_OPS = new Set(['in', 'equals', 'contains', 'starts_with', 'regex', 'host_in']);

/** Validates a parsed rule file; throws `bad_rules` naming the rule. */
export function validateRules(x: unknown): RuleSet {
  const fail = (msg: string) => new AttribError('bad_rules', msg);
  if (!x || typeof x !== 'object') throw fail('the rule file must be a JSON object');
  const set = x as RuleSet;
  if (set.format !== 'attribution-channel-rules/1') throw fail(`unknown rule file format '${String(set.format)}' (expected attribution-channel-rules/1)`);
  if (!Array.isArray(set.rules)) throw fail('the rule file needs a "rules" list');
  const ids = new Set<string>();
  set.rules.forEach((r, i) => {
    const name = `rule ${i + 1}${r?.id ? ` (${r.id})` : ''}`;
    if (!r || typeof r.id !== 'string' || !r.id) throw fail(`${name}: needs an "id"`);
    if (ids.has(r.id)) throw fail(`${name}: the id is used twice`);
    ids.add(r.id);
    if (typeof r.channel !== 'string' || !/^[a-z0-9_]+$/.test(r.channel)) throw fail(`${name}: "channel" must be lower-case letters, digits or _`);
    const conds = [...(r.all ?? []), ...(r.any ?? [])];
    if (!conds.length) throw fail(`${name}: needs at least one condition in "all" or "any"`);
    for (const c of conds) {
      if (!(RULE_FIELDS as readonly string[]).includes(c.field)) throw fail(`${name}: unknown field '${c.field}' (one of ${RULE_FIELDS.join(', ')})`);
      if (VALUE_OPS.has(c.op)) {
        if (!Array.isArray(c.values) || !c.values.length || c.values.some((v) => typeof v !== 'string')) throw fail(`${name}: op '${c.op}' needs a non-empty "values" list of strings`);
        if (c.op === 'regex') for (const v of c.values) try { new RegExp(v); } catch { throw fail(`${name}: bad regex '${v}'`); }
      } else if (c.op === 'internal') {
        if (c.field !== 'referrer_host') throw fail(`${name}: op 'internal' applies to referrer_host only`);
      } else if (c.op !== 'present' && c.op !== 'absent') {
        throw fail(`${name}: unknown op '${String(c.op)}'`);
      }
    }
  });
  return set;
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
 * 'fallback' when nothing matched). Disabled rules are skipped.
 */
export function compileRules(set: RuleSet): { channel: string; rule: string } {
  const rules = set.rules.filter((r) => r.enabled !== false);
  const whens = rules.map((r) => `WHEN ${compileRule(r)}`);
  const channel = ['CASE WHEN e.channel_explicit IS NOT NULL THEN e.channel_explicit', ...whens.map((w, i) => `${w} THEN ${sqlString(rules[i].channel)}`), "ELSE 'direct' END"].join('\n  ');
  const rule = ["CASE WHEN e.channel_explicit IS NOT NULL THEN 'explicit'", ...whens.map((w, i) => `${w} THEN ${sqlString(rules[i].id)}`), "ELSE 'fallback' END"].join('\n  ');
  return { channel, rule };
}
