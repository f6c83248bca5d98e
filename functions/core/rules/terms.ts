/**
 * The vocabulary of the accountability rules: tiers, severities, consequences, with the Chinese words
 * people read in bulletins and notices. Kept apart from the schema so the schema and the engine share
 * one list without the engine importing zod.
 */

/** Tiers from best to worst; `none` is "nothing to report" (no problems and no commendation). */
export const TIERS = ['commended', 'none', 'selfCriticism', 'reminderTalk', 'admonishmentTalk'] as const;
export type Tier = (typeof TIERS)[number];

/** The tiers a count of problems can put a cadre in, lightest first. */
export const PENALTY_TIERS = ['selfCriticism', 'reminderTalk', 'admonishmentTalk'] as const;
export type PenaltyTier = (typeof PENALTY_TIERS)[number];

export const TIER_LABELS: Record<Tier, string> = {
  commended: '充分肯定',
  none: '未列档次',
  selfCriticism: '检讨发言',
  reminderTalk: '提醒谈话',
  admonishmentTalk: '诫勉谈话',
};

/** Rank for comparing tiers: higher is heavier. `commended` and `none` are both outside any penalty. */
export const TIER_RANK: Record<Tier, number> = {
  commended: 0,
  none: 0,
  selfCriticism: 1,
  reminderTalk: 2,
  admonishmentTalk: 3,
};

// One list of severities for intake and rules alike.
export { PROBLEM_SEVERITIES as SEVERITIES, SEVERITY_LABELS, type Severity } from '../problems.ts';

export const CONSEQUENCES = ['notice_of_criticism', 'disciplinary_recommendation'] as const;
export type Consequence = (typeof CONSEQUENCES)[number];
export const CONSEQUENCE_LABELS: Record<Consequence, string> = {
  notice_of_criticism: '通报批评',
  disciplinary_recommendation: '纪律处分建议',
};
/** Heavier consequences rank higher; a "serious" escalation may never be lighter than the base. */
export const CONSEQUENCE_RANK: Record<Consequence, number> = {
  notice_of_criticism: 1,
  disciplinary_recommendation: 2,
};

export const COLORS = ['red', 'yellow', 'green'] as const;
export type Color = (typeof COLORS)[number];
export const COLOR_LABELS: Record<Color, string> = { red: '红色', yellow: '黄色', green: '绿色' };

export function isPenaltyTier(tier: Tier): tier is PenaltyTier {
  return (PENALTY_TIERS as readonly string[]).includes(tier);
}
