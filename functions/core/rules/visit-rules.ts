/**
 * Visits to the village in the weekly evaluation: the week's visits (facts) and, when the rule set
 * sets a weekly minimum per village class, which (cadre, village) pairs fell short of it. Off in rule
 * set version 1: with no minimum nothing here changes a tier.
 */
import type { RuleSet, VisitMinimum } from './rule-set.ts';
import type { VisitShortfallFact } from './tiers.ts';

export type VillageClass = keyof VisitMinimum;

/** One visit (a stored visit fits). */
export interface VisitFact {
  id: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  /** When the cadre was there (UTC ISO). */
  at: string;
  /** Its Beijing date. */
  date: string;
  overnight: boolean;
  far: boolean;
}

/** A cadre's responsibility for a village over half-open Beijing dates [from, to). */
export interface VisitDutyFact {
  cadreId: string;
  villageId: string;
  category: VillageClass;
  from: string;
  /** First day no longer responsible; null while running. */
  to: string | null;
}

/** Whether the rule set asks for any visits at all. */
export function visitMinimumOn(ruleSet: RuleSet): boolean {
  const m = ruleSet.visitMinimum;
  return !!m && (m.deep > 0 || m.general > 0 || m.non > 0);
}

/**
 * Each (cadre, village) the cadre answered for on the week's Monday through `lastDate` (asOf's date)
 * that got fewer visits than its class asks. Only a duty that covered the whole week so far is held to
 * the minimum: a cadre who took a village over on Thursday is not short for Monday to Wednesday.
 */
export function visitShortfalls(
  ruleSet: RuleSet,
  monday: string,
  lastDate: string,
  duties: readonly VisitDutyFact[],
  visits: readonly VisitFact[],
): Map<string, VisitShortfallFact[]> {
  const out = new Map<string, VisitShortfallFact[]>();
  const minimum = ruleSet.visitMinimum;
  if (!minimum || !visitMinimumOn(ruleSet)) return out;
  const made = new Map<string, number>();
  for (const v of visits) {
    if (v.date < monday || v.date > lastDate) continue;
    const key = `${v.cadreId}\u0000${v.villageId}`;
    made.set(key, (made.get(key) ?? 0) + 1);
  }
  const seen = new Set<string>();
  for (const d of duties) {
    const key = `${d.cadreId}\u0000${d.villageId}`;
    if (seen.has(key)) continue;
    if (d.from > monday || (d.to !== null && d.to <= lastDate)) continue;
    const required = minimum[d.category] ?? 0;
    if (required <= 0) continue;
    seen.add(key);
    const count = made.get(key) ?? 0;
    if (count >= required) continue;
    const list = out.get(d.cadreId) ?? [];
    list.push({ villageId: d.villageId, required, made: count });
    out.set(d.cadreId, list);
  }
  return out;
}
