/**
 * Channel-rule conditions as one line of text, for the rule table of the
 * model cell: `utm_source absent; referrer_host host_in google.,bing.`
 * (conditions separated by `;`, each `field op [value,value…]`). The text
 * is only an editing form: rules stay data (common/rules.ts validates them).
 */
import type { RuleCondition } from './rules.ts';
import { RULE_FIELDS } from './rules.ts';
import { AttribError } from './errors.ts';

const OPS = ['present', 'absent', 'in', 'equals', 'contains', 'starts_with', 'regex', 'host_in', 'internal'] as const;
const NO_VALUES = new Set(['present', 'absent', 'internal']);

/** Conditions as text. */
export function formatConditions(conds: readonly RuleCondition[] | undefined): string {
  return (conds ?? []).map((c) => (NO_VALUES.has(c.op) ? `${c.field} ${c.op}` : `${c.field} ${c.op} ${(c.values ?? []).join(',')}`)).join('; ');
}

/** Text back to conditions; throws `bad_rules` naming the condition that is wrong. */
export function parseConditions(text: string): RuleCondition[] {
  const out: RuleCondition[] = [];
  for (const raw of text.split(';')) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^([a-z_]+)\s+([a-z_]+)(?:\s+(.+))?$/.exec(part);
    if (!m) throw new AttribError('bad_rules', `'${part}': write a condition as "field op values", e.g. "utm_medium in cpc,ppc"`);
    const [, field, op, vals] = m;
    if (!(RULE_FIELDS as readonly string[]).includes(field)) throw new AttribError('bad_rules', `'${part}': unknown field ${field} (one of ${RULE_FIELDS.join(', ')})`);
    if (!(OPS as readonly string[]).includes(op)) throw new AttribError('bad_rules', `'${part}': unknown operator ${op} (one of ${OPS.join(', ')})`);
    if (NO_VALUES.has(op)) {
      if (vals) throw new AttribError('bad_rules', `'${part}': ${op} takes no values`);
      out.push({ field: field as RuleCondition['field'], op: op as RuleCondition['op'] });
    } else {
      const values = (vals ?? '').split(',').map((v) => v.trim()).filter(Boolean);
      if (!values.length) throw new AttribError('bad_rules', `'${part}': ${op} needs at least one value`);
      out.push({ field: field as RuleCondition['field'], op: op as RuleCondition['op'], values });
    }
  }
  return out;
}
