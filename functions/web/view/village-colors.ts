/**
 * The board's villages (村级红黄绿): each village's colour from the evaluation's open matters, with the
 * matters that made it so and the colour of the week before (the previous week's evaluation), by the
 * thresholds of the rule set each evaluation was made under. Plain data for the template.
 */
import type { ApiClient } from '../../client/api-client.ts';
import { previousIsoWeek } from '../../core/rules/calendar.ts';
import { badgeOf } from '../../core/rules/colors.ts';
import type { RuleSet } from '../../core/rules/rule-set.ts';
import { COLOR_LABELS, type Color } from '../../core/rules/terms.ts';
import {
  COLOR_CHANGE_LABELS,
  colorChange,
  villageColor,
  villageColorRuleOf,
  villageMattersFromRows,
} from '../../core/rules/village-colors.ts';
import { type Bulletin, type Places, readBulletin } from '../lookups.ts';

const RANK: Record<Color, number> = { red: 0, yellow: 1, green: 2 };

export interface BoardVillage {
  id: string;
  name: string;
  township: string;
  href: string;
  color: Color;
  badge: string;
  colorLabel: string;
  reasons: { isProblem: boolean; isDispatch: boolean; isCount: boolean; what: string; label: string }[];
  previousLabel: string;
  change: string;
  worse: boolean;
  better: boolean;
}

function coloursOf(b: Bulletin, versions: readonly RuleSet[]): Map<string, ReturnType<typeof villageColor>> {
  const rules = versions.find((v) => v.version === b.ruleSetVersion);
  const rule = villageColorRuleOf(rules ?? {});
  const byVillage = villageMattersFromRows(b.problems, b.dispatches ?? b.overdueDispatches);
  // A village whose matters all closed this week is still on the board, green.
  for (const p of b.problems) if (!byVillage.has(p.villageId)) byVillage.set(p.villageId, []);
  return new Map([...byVillage].map(([id, matters]) => [id, villageColor(matters, rule)]));
}

export async function boardVillages(
  api: ApiClient,
  b: Bulletin,
  names: Places,
  inTownship: (townshipId: string) => boolean,
  /** A matter's words: the problem's description, the task's number and title. */
  describe: (kind: string, id: string) => string,
): Promise<BoardVillage[]> {
  const [rules, previous] = await Promise.all([
    api.get('/rules'),
    readBulletin(api, previousIsoWeek(b.week)),
  ]);
  const now = coloursOf(b, rules.versions);
  const before = previous ? coloursOf(previous, rules.versions) : new Map();
  const rows: BoardVillage[] = [];
  for (const [id, c] of now) {
    const village = names.villageOf(id);
    if (!inTownship(village?.townshipId ?? '')) continue;
    const prior: Color | null = before.get(id)?.color ?? (previous ? 'green' : null);
    const change = colorChange(prior, c.color);
    rows.push({
      id,
      name: names.village(id),
      township: names.township(village?.townshipId),
      href: `/app/admin/problems?villageId=${encodeURIComponent(id)}`,
      color: c.color,
      badge: badgeOf(c.color),
      colorLabel: c.colorLabel,
      reasons: c.reasons.map((r) => ({
        isProblem: r.kind === 'problem',
        isDispatch: r.kind === 'dispatch',
        isCount: r.kind === 'openItems',
        what: r.kind === 'openItems' ? '' : describe(r.kind, r.id),
        label: r.label,
      })),
      previousLabel: prior ? COLOR_LABELS[prior] : '',
      change: prior ? COLOR_CHANGE_LABELS[change] : '',
      worse: change === 'worse',
      better: change === 'better',
    });
  }
  return rows.sort((a, b) => RANK[a.color] - RANK[b.color] || a.name.localeCompare(b.name, 'zh-CN'));
}
