/**
 * The circle (进退严圈): cadres in the circle tiers (default reminder + admonishment talk). It moves week
 * by week: a cadre whose problems are verified as rectified drops out of those tiers and leaves; one who
 * does not stays, or goes deeper. Membership last week is taken from last week's own evaluation (under
 * its own rule set), never recomputed with this week's rules.
 *
 * Remedial-training candidates (干部营养餐 培训拟定对象): circle members who are in one of the rule set's
 * `remedialTraining.tiers` (default: admonishment talk), or who have been in the circle for at least
 * `remedialTraining.minConsecutiveCircleWeeks` weeks running (default 2). Setting the weeks to 1 makes
 * every circle member a candidate, as the seed township did.
 */
import type { RuleSet } from './rule-set.ts';
import type { PenaltyTier, Tier } from './terms.ts';
import { TIER_RANK } from './terms.ts';

export type CircleMovement = 'entered' | 'stayed' | 'deepened' | 'eased' | 'exited' | 'outside';

export const CIRCLE_MOVEMENT_LABELS: Record<CircleMovement, string> = {
  entered: '进圈',
  stayed: '留圈',
  deepened: '留圈（加重）',
  eased: '留圈（减轻）',
  exited: '出圈',
  outside: '圈外',
};

/** What this week needs to know about a cadre's last week: a stored evaluation's cadre entry fits. */
export interface PreviousCadreStanding {
  cadreId: string;
  tier: Tier;
  circle: { member: boolean; weeks: number };
}

export interface CircleStanding {
  member: boolean;
  movement: CircleMovement;
  previousTier: Tier | null;
  /** Consecutive weeks in the circle including this one; 0 when outside. */
  weeks: number;
  /**
   * Present only when the cadre stays in the circle although their tier would let them out: the rule
   * set makes completing a training session a condition for leaving (training-rules.ts).
   */
  held?: { reason: 'trainingIncomplete'; since: string };
}

/** `trainingIncomplete`: held in the circle until a training session is completed (training-rules.ts). */
export type RemedialReason = 'tier' | 'consecutiveWeeks' | 'trainingIncomplete';

export function isCircleTier(ruleSet: RuleSet, tier: Tier): boolean {
  return (ruleSet.circle.tiers as readonly Tier[]).includes(tier);
}

export function circleStanding(
  tier: Tier,
  previous: PreviousCadreStanding | undefined,
  ruleSet: RuleSet,
): CircleStanding {
  const member = isCircleTier(ruleSet, tier);
  const wasMember = previous?.circle.member ?? false;
  const previousTier = previous?.tier ?? null;
  let movement: CircleMovement;
  if (member && wasMember) {
    const delta = TIER_RANK[tier] - TIER_RANK[previousTier ?? tier];
    movement = delta > 0 ? 'deepened' : delta < 0 ? 'eased' : 'stayed';
  } else if (member) movement = 'entered';
  else if (wasMember) movement = 'exited';
  else movement = 'outside';
  return {
    member,
    movement,
    previousTier,
    weeks: member ? (wasMember ? (previous?.circle.weeks ?? 0) : 0) + 1 : 0,
  };
}

export function remedialTrainingReasons(
  tier: Tier,
  standing: CircleStanding,
  ruleSet: RuleSet,
): RemedialReason[] {
  if (!standing.member) return [];
  const reasons: RemedialReason[] = [];
  if ((ruleSet.remedialTraining.tiers as readonly Tier[]).includes(tier)) reasons.push('tier');
  if (standing.weeks >= ruleSet.remedialTraining.minConsecutiveCircleWeeks) reasons.push('consecutiveWeeks');
  return reasons;
}

/**
 * A talk notice (提醒谈话通知书 / 诫勉谈话通知书) is due when a cadre comes into a talk tier this week,
 * from outside it or from another tier; a cadre kept in the same tier has had theirs already.
 */
export function talkNoticeDue(tier: Tier, previousTier: Tier | null): PenaltyTier | null {
  if (tier !== 'reminderTalk' && tier !== 'admonishmentTalk') return null;
  return previousTier === tier ? null : tier;
}
