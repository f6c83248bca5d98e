/**
 * A village's colour (村级红黄绿) from its open matters, each coloured as the weekly evaluation colours
 * it (colors.ts): red when at least `redItems` matters are red (overdue, or of a severity the rules mark
 * red) or, when the rules set `redOpenItems`, that many matters are open at all; yellow when at least
 * `yellowItems` are yellow (due soon, awaiting verification after the deadline) or some are red below the
 * red threshold; green otherwise. The reasons name the matters that made the colour, so "why is this
 * village red" has an answer. Only open matters count: a matter closed is no longer the village's.
 */
import { byString } from './calendar.ts';
import type { ColorReason } from './colors.ts';
import { COLOR_REASON_LABELS, dispatchColoring, problemColoring } from './colors.ts';
import type { DispatchAssigneeFact, ProblemFact } from './facts.ts';
import { dispatchDoneAt, problemStateAt } from './facts.ts';
import type { RuleSet, VillageColorRule } from './rule-set.ts';
import type { Color } from './terms.ts';
import { COLOR_LABELS } from './terms.ts';

export const DEFAULT_VILLAGE_COLOR_RULE: VillageColorRule = {
  redItems: 1,
  yellowItems: 1,
  redOpenItems: null,
};

export function villageColorRuleOf(ruleSet: Pick<RuleSet, 'villageColors'>): VillageColorRule {
  return ruleSet.villageColors ?? DEFAULT_VILLAGE_COLOR_RULE;
}

export type VillageMatterKind = 'problem' | 'dispatch' | 'handoff';

/** One open matter of the village with its colour (null: time left). */
export interface VillageMatter {
  kind: VillageMatterKind;
  id: string;
  color: Color | null;
  reason: ColorReason;
  daysOverdue: number;
}

export interface VillageColorReason {
  kind: VillageMatterKind | 'openItems';
  /** The matter's id; for `openItems` the village's open count as text. */
  id: string;
  color: 'red' | 'yellow';
  reason: ColorReason | 'openItems';
  /** In words, e.g. 已逾期 3 天. */
  label: string;
}

export interface VillageColoring {
  color: Color;
  colorLabel: string;
  reasons: VillageColorReason[];
  counts: { red: number; yellow: number; open: number };
}

const KIND_RANK: Record<VillageMatterKind, number> = { problem: 0, dispatch: 1, handoff: 2 };

function reasonOf(m: VillageMatter, color: 'red' | 'yellow'): VillageColorReason {
  const words = COLOR_REASON_LABELS[m.reason];
  return {
    kind: m.kind,
    id: m.id,
    color,
    reason: m.reason,
    label: m.reason === 'overdue' && m.daysOverdue > 0 ? `${words} ${m.daysOverdue} 天` : words,
  };
}

const byMatter = (a: VillageMatter, b: VillageMatter) =>
  b.daysOverdue - a.daysOverdue || KIND_RANK[a.kind] - KIND_RANK[b.kind] || byString(a.id, b.id);

/** The village's colour from its open matters (closed ones may be passed: they are left out). */
export function villageColor(matters: readonly VillageMatter[], rule: VillageColorRule): VillageColoring {
  const open = matters.filter((m) => m.reason !== 'closed');
  const red = open.filter((m) => m.color === 'red').sort(byMatter);
  const yellow = open.filter((m) => m.color === 'yellow').sort(byMatter);
  const counts = { red: red.length, yellow: yellow.length, open: open.length };
  const tooMany = rule.redOpenItems !== null && rule.redOpenItems > 0 && open.length >= rule.redOpenItems;
  if (red.length >= rule.redItems || tooMany) {
    const reasons = red.map((m) => reasonOf(m, 'red'));
    if (tooMany)
      reasons.push({
        kind: 'openItems',
        id: String(open.length),
        color: 'red',
        reason: 'openItems',
        label: `未办结事项 ${open.length} 项（达到 ${rule.redOpenItems} 项即为红色）`,
      });
    return { color: 'red', colorLabel: COLOR_LABELS.red, reasons, counts };
  }
  if (red.length > 0 || yellow.length >= rule.yellowItems) {
    return {
      color: 'yellow',
      colorLabel: COLOR_LABELS.yellow,
      reasons: [...red.map((m) => reasonOf(m, 'yellow')), ...yellow.map((m) => reasonOf(m, 'yellow'))],
      counts,
    };
  }
  return { color: 'green', colorLabel: COLOR_LABELS.green, reasons: [], counts };
}

/**
 * The village's matters as of an instant, from its own problems and dispatch rows: what existed then
 * (found on or before that day, issued before it) and was still open, coloured as of then. The same
 * facts as of a week earlier give last week's colour.
 */
export function villageMattersAt(
  problems: readonly ProblemFact[],
  dispatches: readonly DispatchAssigneeFact[],
  asOfMs: number,
  asOfDate: string,
  ruleSet: RuleSet,
): VillageMatter[] {
  const out: VillageMatter[] = [];
  for (const p of problems) {
    if (p.voided || p.foundOn > asOfDate) continue;
    const state = problemStateAt(p, asOfMs, ruleSet);
    if (state.state === 'closed') continue;
    const c = problemColoring(state, p.severity, asOfMs, ruleSet);
    out.push({ kind: 'problem', id: p.id, color: c.color, reason: c.reason, daysOverdue: c.daysOverdue });
  }
  for (const d of dispatches) {
    if (Date.parse(d.createdAt) > asOfMs || dispatchDoneAt(d, asOfMs)) continue;
    const c = dispatchColoring(d, asOfMs, ruleSet);
    out.push({
      kind: 'dispatch',
      id: `${d.dispatchId}/${d.cadreId}`,
      color: c.color,
      reason: c.reason,
      daysOverdue: c.daysOverdue,
    });
  }
  return out;
}

export type ColorChange = 'worse' | 'better' | 'same';
const COLOR_RANK: Record<Color, number> = { green: 0, yellow: 1, red: 2 };

/** How the colour moved since last week; `same` when last week's is unknown. */
export function colorChange(previous: Color | null, current: Color): ColorChange {
  if (previous === null || previous === current) return 'same';
  return COLOR_RANK[current] > COLOR_RANK[previous] ? 'worse' : 'better';
}

export const COLOR_CHANGE_LABELS: Record<ColorChange, string> = {
  worse: '较上周转差',
  better: '较上周好转',
  same: '与上周相同',
};

/** Evaluation rows (a stored weekly evaluation's problems and dispatches) grouped into matters per village. */
export function villageMattersFromRows(
  problems: readonly {
    problemId: string;
    villageId: string;
    state: string;
    color: Color | null;
    colorReason: ColorReason;
    daysOverdue: number;
  }[],
  dispatches: readonly {
    dispatchId: string;
    cadreId: string;
    villageId: string;
    doneAt: string | null;
    color: Color | null;
    colorReason: ColorReason;
    daysOverdue: number;
  }[],
): Map<string, VillageMatter[]> {
  const byVillage = new Map<string, VillageMatter[]>();
  const add = (villageId: string, m: VillageMatter) => {
    const list = byVillage.get(villageId);
    if (list) list.push(m);
    else byVillage.set(villageId, [m]);
  };
  for (const p of problems) {
    if (p.state === 'closed') continue;
    add(p.villageId, {
      kind: 'problem',
      id: p.problemId,
      color: p.color,
      reason: p.colorReason,
      daysOverdue: p.daysOverdue,
    });
  }
  for (const d of dispatches) {
    if (d.doneAt) continue;
    add(d.villageId, {
      kind: 'dispatch',
      id: `${d.dispatchId}/${d.cadreId}`,
      color: d.color,
      reason: d.colorReason,
      daysOverdue: d.daysOverdue,
    });
  }
  return byVillage;
}
