import { DEFAULT_RULE_SET, type RuleSet } from '../../core/rules/rule-set.ts';
import { keys } from './keys.ts';
import { getItem, type Item, putIfAbsent, queryAll, withoutKeys } from './table.ts';

/**
 * Rule-set versions. The product's default is version 1 and is not stored: every later version an
 * admin publishes is one item, written once (a version is never edited; a correction is a new one).
 */
export interface StoredRuleSet extends RuleSet {
  createdAt?: string;
  createdBy?: string;
}

const strip = (item: Item) => withoutKeys(item) as unknown as StoredRuleSet;

/** Every version, the default included, in version order. */
export async function listRuleSets(): Promise<StoredRuleSet[]> {
  const items = await queryAll<Item>({
    partition: keys.ruleSetPartition(),
    sort: { beginsWith: keys.ruleSetPrefix() },
    consistent: true,
  });
  const stored = items.map(strip);
  const all = stored.some((r) => r.version === DEFAULT_RULE_SET.version)
    ? stored
    : [DEFAULT_RULE_SET, ...stored];
  return all.sort((a, b) => a.version - b.version);
}

export async function getRuleSet(version: number): Promise<StoredRuleSet | undefined> {
  if (version === DEFAULT_RULE_SET.version) {
    const item = await getItem<Item>(keys.ruleSet(version));
    return item ? strip(item) : DEFAULT_RULE_SET;
  }
  const item = await getItem<Item>(keys.ruleSet(version));
  return item && strip(item);
}

/** Writes a new version; false when that version number is already taken (a concurrent publish). */
export function putRuleSet(ruleSet: StoredRuleSet): Promise<boolean> {
  return putIfAbsent({ ...keys.ruleSet(ruleSet.version), entity: 'ruleSet', ...ruleSet });
}
