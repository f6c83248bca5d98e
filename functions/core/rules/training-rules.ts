/**
 * Remedial training (干部营养餐) in the weekly evaluation. A rule set may make completing a training
 * session a condition for leaving the circle (`remedialTraining.completionRequiredToLeave`; off in
 * version 1): a cadre who was in the circle last week as a training candidate, and whose tier this
 * week would take them out, stays in the circle until they have completed a session dated on or after
 * the Monday their current run in the circle began (and not after the evaluated instant). The hold
 * ends by itself once such a completion is recorded; a late completion dated inside a finished week
 * revises that week like any late fact.
 */
import { addDays } from '../time.ts';
import type { PreviousCadreStanding } from './circle.ts';
import { isCircleTier, remedialTrainingReasons } from './circle.ts';
import type { RuleSet } from './rule-set.ts';
import type { Tier } from './terms.ts';

/** A training session a cadre attended and completed (a stored attendance row fits). */
export interface TrainingCompletionFact {
  cadreId: string;
  trainingId: string;
  /** The session's Beijing date. */
  date: string;
}

/** Why a cadre stays in the circle although their tier would let them out. */
export interface CircleHold {
  reason: 'trainingIncomplete';
  /** The Monday the cadre's current run in the circle began: completions from then on count. */
  since: string;
}

export function trainingRequiredToLeaveCircle(ruleSet: RuleSet): boolean {
  return ruleSet.remedialTraining.completionRequiredToLeave === true;
}

/**
 * Whether last week's standing made the cadre a training candidate: a circle member in a candidate
 * tier or long enough in the circle, or one already held for training (a member whose tier is outside
 * the circle tiers can only be there by a hold).
 */
export function wasTrainingCandidate(previous: PreviousCadreStanding, ruleSet: RuleSet): boolean {
  if (!previous.circle.member) return false;
  if (!isCircleTier(ruleSet, previous.tier)) return true;
  return (
    remedialTrainingReasons(
      previous.tier,
      { member: true, movement: 'stayed', previousTier: null, weeks: previous.circle.weeks },
      ruleSet,
    ).length > 0
  );
}

/**
 * The hold on leaving the circle this week, or null. `monday` is the evaluated week's Monday,
 * `asOfDate` the last Beijing date that counts; `completions` may hold anyone's (filtered here).
 */
export function circleHold(
  cadreId: string,
  tier: Tier,
  previous: PreviousCadreStanding | undefined,
  ruleSet: RuleSet,
  monday: string,
  asOfDate: string,
  completions: readonly TrainingCompletionFact[],
): CircleHold | null {
  if (!trainingRequiredToLeaveCircle(ruleSet) || !previous) return null;
  if (isCircleTier(ruleSet, tier) || !wasTrainingCandidate(previous, ruleSet)) return null;
  const since = addDays(monday, -7 * previous.circle.weeks);
  const done = completions.some((c) => c.cadreId === cadreId && c.date >= since && c.date <= asOfDate);
  return done ? null : { reason: 'trainingIncomplete', since };
}

/** The sentence added to the explanation of a held cadre's tier. */
export function circleHoldSentence(hold: CircleHold, ruleSet: RuleSet): string {
  return `依第 ${ruleSet.version} 版规则，须完成“干部营养餐”培训方可出圈；自 ${hold.since} 进圈以来尚未完成培训，仍留严圈。`;
}
