/**
 * One cadre's tier (对号入座): the weighted count of their open problems decides it, whatever their
 * rank (不论职务大小). The decision carries the facts and the rule-set version behind it, so any tier
 * can be explained later ("why is this cadre here") without re-reading the store.
 */
import { byString } from './calendar.ts';
import { problemWeight, repeatRuleOf } from './repeats.ts';
import type { RuleSet } from './rule-set.ts';
import { tierBand, tierForCount } from './rule-set.ts';
import type { Severity, Tier } from './terms.ts';
import { SEVERITY_LABELS, TIER_LABELS } from './terms.ts';

export interface OpenProblemFact {
  problemId: string;
  severity: Severity;
  /** Rejected rectifications so far (虚假整改); any makes the problem weigh falseRectificationWeight. */
  falseRectifications: number;
  /** Earlier problems of the same category that make this one a repeat (repeats.ts); absent: none. */
  repeatOf?: readonly string[] | undefined;
}

/** Absence at an on-site headcount, counted as a problem of its own when the rules say so. */
export interface AbsenceFact {
  inspectionId: string;
  date: string;
}

/** An inspector's commendation (肯定) at an inspection. */
export interface CommendationFact {
  inspectionId: string;
  date: string;
}

/** A village the cadre visited fewer times in the week than the rule set's minimum for its class. */
export interface VisitShortfallFact {
  villageId: string;
  required: number;
  made: number;
}

export interface CadreFacts {
  cadreId: string;
  openProblems: readonly OpenProblemFact[];
  absences: readonly AbsenceFact[];
  commendations: readonly CommendationFact[];
  /** Only when the rule set sets a weekly visit minimum; each counts as one problem. */
  visitShortfalls?: readonly VisitShortfallFact[] | undefined;
}

export type TierReason =
  | {
      kind: 'openProblem';
      problemId: string;
      severity: Severity;
      falseRectification: boolean;
      falseRectifications: number;
      /** A repeat of these earlier problems of the same category (屡查屡犯). */
      repeatOf?: string[] | undefined;
      weight: number;
    }
  | { kind: 'absence'; inspectionId: string; date: string; severity: Severity; weight: number }
  | { kind: 'commendation'; inspectionId: string; date: string }
  | { kind: 'visitShortfall'; villageId: string; required: number; made: number; weight: number };

export interface TierDecision {
  cadreId: string;
  tier: Tier;
  weightedCount: number;
  ruleSetVersion: number;
  /** The band of the rule set that placed the cadre; null for commended / none. */
  band: { min: number; max: number | null } | null;
  reasons: TierReason[];
  /** The decision in one Chinese sentence, for bulletins and the cadre's page. */
  explanation: string;
}

const byDateThenIds = (
  a: { date: string; inspectionId: string },
  b: { date: string; inspectionId: string },
) => byString(a.date, b.date) || byString(a.inspectionId, b.inspectionId);

export function decideTier(facts: CadreFacts, ruleSet: RuleSet): TierDecision {
  const problems = [...facts.openProblems]
    .sort((a, b) => byString(a.problemId, b.problemId))
    .map(
      (p): TierReason => ({
        kind: 'openProblem',
        problemId: p.problemId,
        severity: p.severity,
        falseRectification: p.falseRectifications > 0,
        falseRectifications: p.falseRectifications,
        ...(p.repeatOf?.length ? { repeatOf: [...p.repeatOf] } : {}),
        weight: problemWeight(ruleSet, p.falseRectifications, (p.repeatOf?.length ?? 0) > 0),
      }),
    );
  const absences: TierReason[] = ruleSet.absenceIsProblem.enabled
    ? [...facts.absences].sort(byDateThenIds).map((a) => ({
        kind: 'absence',
        inspectionId: a.inspectionId,
        date: a.date,
        severity: ruleSet.absenceIsProblem.severity,
        weight: 1,
      }))
    : [];
  const commendations: TierReason[] = [...facts.commendations].sort(byDateThenIds).map((c) => ({
    kind: 'commendation',
    inspectionId: c.inspectionId,
    date: c.date,
  }));

  const shortfalls: TierReason[] = [...(facts.visitShortfalls ?? [])]
    .sort((a, b) => byString(a.villageId, b.villageId))
    .map((v) => ({
      kind: 'visitShortfall',
      villageId: v.villageId,
      required: v.required,
      made: v.made,
      weight: 1,
    }));

  const weightedCount = [...problems, ...absences, ...shortfalls].reduce(
    (sum, r) => sum + ('weight' in r ? r.weight : 0),
    0,
  );
  const penalty = tierForCount(ruleSet, weightedCount);
  let tier: Tier;
  if (penalty) tier = penalty;
  else if (
    weightedCount === 0 &&
    ruleSet.commendation.enabled &&
    commendations.length >= ruleSet.commendation.minCommendations
  )
    tier = 'commended';
  else tier = 'none';

  const band = penalty ? tierBand(ruleSet, penalty) : null;
  return {
    cadreId: facts.cadreId,
    tier,
    weightedCount,
    ruleSetVersion: ruleSet.version,
    band,
    reasons: [...problems, ...absences, ...shortfalls, ...commendations],
    explanation: explain(
      tier,
      weightedCount,
      band,
      problems,
      absences,
      commendations.length,
      ruleSet,
      shortfalls,
    ),
  };
}

function bandText(band: { min: number; max: number | null }): string {
  if (band.max === null) return `${band.min} 个及以上`;
  return band.min === band.max ? `${band.min} 个` : `${band.min}–${band.max} 个`;
}

function explain(
  tier: Tier,
  weightedCount: number,
  band: { min: number; max: number | null } | null,
  problems: TierReason[],
  absences: TierReason[],
  commendations: number,
  ruleSet: RuleSet,
  shortfalls: TierReason[] = [],
): string {
  const rules = `依第 ${ruleSet.version} 版规则`;
  const parts: string[] = [];
  if (problems.length > 0) {
    const falseOnes = problems.filter((p) => p.kind === 'openProblem' && p.falseRectification).length;
    const repeats = problems.filter((p) => p.kind === 'openProblem' && p.repeatOf?.length).length;
    const notes: string[] = [];
    if (falseOnes > 0)
      notes.push(`其中虚假整改 ${falseOnes} 个，每个按 ${ruleSet.falseRectificationWeight} 个计`);
    if (repeats > 0) {
      const rule = repeatRuleOf(ruleSet);
      notes.push(
        rule.weight > 1
          ? `同类问题 ${rule.withinWeeks} 周内重复发生 ${repeats} 个，每个按 ${rule.weight} 个计`
          : `同类问题 ${rule.withinWeeks} 周内重复发生 ${repeats} 个`,
      );
    }
    parts.push(
      notes.length > 0
        ? `未销号问题 ${problems.length} 个（${notes.join('；')}）`
        : `未销号问题 ${problems.length} 个`,
    );
  }
  if (absences.length > 0)
    parts.push(
      `点名不在岗 ${absences.length} 次（每次按 1 个${SEVERITY_LABELS[ruleSet.absenceIsProblem.severity]}问题计）`,
    );
  if (shortfalls.length > 0)
    parts.push(`驻村次数未达每周要求 ${shortfalls.length} 个村（每个村按 1 个问题计）`);
  if (band) {
    return `${parts.join('、')}，加权合计 ${weightedCount} 个；${rules}（${bandText(band)}：${TIER_LABELS[tier]}），定为${TIER_LABELS[tier]}。`;
  }
  if (tier === 'commended')
    return `无未销号问题，本周获督查组肯定 ${commendations} 次；${rules}，予以${TIER_LABELS.commended}。`;
  if (weightedCount > 0)
    return `${parts.join('、')}，加权合计 ${weightedCount} 个，未达检讨发言起点（${ruleSet.tiers.selfCriticism.min} 个）；${rules}，不列档次。`;
  return commendations > 0
    ? `无未销号问题，本周获督查组肯定 ${commendations} 次，未达肯定所需次数（${ruleSet.commendation.minCommendations} 次）或本版规则未启用肯定；${rules}，不列档次。`
    : `无未销号问题，本周未获督查组肯定；${rules}，不列档次。`;
}
