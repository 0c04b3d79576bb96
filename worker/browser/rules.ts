/**
 * The default channel rules (models/channel_rules.json), bundled at build
 * time. Kept apart from library.ts so the page can take the rules without
 * pulling every model's SQL into its own bundle.
 */
import { validateRules, type RuleSet } from '../../common/rules.ts';
import rules from '../../models/channel_rules.json';

/** The default rule set, validated (a fresh copy on every call: callers may edit it). */
export function defaultRules(): RuleSet {
  return validateRules(structuredClone(rules));
}
