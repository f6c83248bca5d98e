/**
 * A village's colour now and a week ago (core/rules/village-colors.ts), read from the village's own
 * items by key: its problems not closed before a week ago (with their histories) and its task rows not
 * done before then. Bounded by the village's open matters, never a scan.
 */
import { villageRowsOpenSince } from '../adapters/dynamo/dispatches.ts';
import { problemHistoryItems, villageProblemsOpenSince } from '../adapters/dynamo/problems.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import type { Item } from '../adapters/dynamo/table.ts';
import { eventOf, problemFact } from '../adapters/dynamo/week-facts.ts';
import { beijingDateOfMs } from '../core/rules/calendar.ts';
import { DEFAULT_RULE_SET, selectRuleSet } from '../core/rules/rule-set.ts';
import {
  COLOR_CHANGE_LABELS,
  colorChange,
  villageColor,
  villageColorRuleOf,
  villageMattersAt,
} from '../core/rules/village-colors.ts';

const WEEK_MS = 7 * 24 * 3_600_000;

export async function villageColorNow(villageId: string, now: Date) {
  const nowMs = now.getTime();
  const weekAgoMs = nowMs - WEEK_MS;
  const weekAgo = new Date(weekAgoMs).toISOString();
  const [problems, rows, ruleSets] = await Promise.all([
    villageProblemsOpenSince(villageId, weekAgo),
    villageRowsOpenSince(villageId, weekAgo),
    listRuleSets(),
  ]);
  const histories = await Promise.all(problems.map((p) => problemHistoryItems(p.id)));
  const facts = problems.map((p, i) => problemFact(p as unknown as Item, (histories[i] ?? []).map(eventOf)));
  const today = beijingDateOfMs(nowMs);
  const lastWeek = beijingDateOfMs(weekAgoMs);
  const rules = selectRuleSet(ruleSets, today) ?? DEFAULT_RULE_SET;
  const previousRules = selectRuleSet(ruleSets, lastWeek) ?? DEFAULT_RULE_SET;
  const current = villageColor(villageMattersAt(facts, rows, nowMs, today, rules), villageColorRuleOf(rules));
  const previous = villageColor(
    villageMattersAt(facts, rows, weekAgoMs, lastWeek, previousRules),
    villageColorRuleOf(previousRules),
  );
  const change = colorChange(previous.color, current.color);
  return {
    color: current.color,
    colorLabel: current.colorLabel,
    colorReasons: current.reasons,
    openItems: current.counts.open,
    previousColor: previous.color,
    colorChange: change,
    colorChangeLabel: COLOR_CHANGE_LABELS[change],
    colorAsOf: now.toISOString(),
    colorRuleSetVersion: rules.version,
  };
}
