import { CIRCLE_MOVEMENT_LABELS, type CircleMovement, type RemedialReason } from '../../core/rules/circle.ts';
import type { CadreEvaluation, WeeklyEvaluation } from '../../core/rules/evaluation.ts';
import { type PenaltyTier, TIER_LABELS, type Tier } from '../../core/rules/terms.ts';
import type { TierReason } from '../../core/rules/tiers.ts';
import { keys } from './keys.ts';
import { batchPut, getItem, type Item, queryPage, withoutKeys } from './table.ts';

/**
 * One cadre's result in one finished week, copied out of the week's evaluation when it is stored, so
 * the cadre's own page ("my standing") reads one small item instead of a province-wide evaluation:
 *   CADR#<cadreId> / EVAL#<ISO week>
 * Written with BatchWriteItem for every cadre of each final revision (a later revision of the week
 * overwrites the same items); never for the provisional view of the current week. ISO weeks sort in
 * time order, so the latest finished week is the first item of a descending Query on `EVAL#`.
 */

/** Reasons kept per item; a cadre with more still has the full count in `weightedCount` and `explanation`. */
export const MAX_REASONS = 200;

export interface CadreWeekRecord {
  cadreId: string;
  week: string;
  monday: string;
  sunday: string;
  /** The instant the week was evaluated as of (its end, Sunday 24:00 Beijing), UTC. */
  asOf: string;
  revision: number;
  provisional: false;
  ruleSetVersion: number;
  /** When this revision was computed (UTC). */
  evaluatedAt: string;
  tier: Tier;
  tierLabel: string;
  weightedCount: number;
  band: { min: number; max: number | null } | null;
  explanation: string;
  reasons: TierReason[];
  /** Reasons left out of `reasons` (over MAX_REASONS); 0 normally. */
  reasonsOmitted: number;
  circle: {
    member: boolean;
    movement: CircleMovement;
    movementLabel: string;
    weeks: number;
    previousTier: Tier | null;
    previousTierLabel: string | null;
    /** Held in the circle until a training session is completed (only when so). */
    held?: { reason: 'trainingIncomplete'; since: string };
  };
  remedialTraining: RemedialReason[];
  talkNotice: PenaltyTier | null;
  overdueDispatches: number;
  majorFailureIds: string[];
}

export interface RevisionMeta {
  revision: number;
  evaluatedAt: string;
}

export function cadreWeekRecord(
  evaluation: WeeklyEvaluation,
  c: CadreEvaluation,
  meta: RevisionMeta,
): CadreWeekRecord {
  return {
    cadreId: c.cadreId,
    week: evaluation.week,
    monday: evaluation.monday,
    sunday: evaluation.sunday,
    asOf: evaluation.asOf,
    revision: meta.revision,
    provisional: false,
    ruleSetVersion: c.ruleSetVersion,
    evaluatedAt: meta.evaluatedAt,
    tier: c.tier,
    tierLabel: TIER_LABELS[c.tier],
    weightedCount: c.weightedCount,
    band: c.band,
    explanation: c.explanation,
    reasons: c.reasons.slice(0, MAX_REASONS),
    reasonsOmitted: Math.max(0, c.reasons.length - MAX_REASONS),
    circle: {
      member: c.circle.member,
      movement: c.circle.movement,
      movementLabel: CIRCLE_MOVEMENT_LABELS[c.circle.movement],
      weeks: c.circle.weeks,
      previousTier: c.circle.previousTier,
      previousTierLabel: c.circle.previousTier ? TIER_LABELS[c.circle.previousTier] : null,
      ...(c.circle.held ? { held: c.circle.held } : {}),
    },
    remedialTraining: c.remedialTraining,
    talkNotice: c.talkNotice,
    overdueDispatches: c.overdueDispatches,
    majorFailureIds: c.majorFailureIds,
  };
}

/**
 * Writes every cadre's item of a final revision (BatchWriteItem, 25 per request). Unconditional: the
 * caller writes them before the revision's head, so a crash in between is repaired by the re-run that
 * stores the head, and a head that exists had its items written.
 */
export async function putCadreWeekRecords(evaluation: WeeklyEvaluation, meta: RevisionMeta): Promise<number> {
  if (evaluation.provisional) throw new RangeError('only finished weeks are copied to the cadres');
  const items: Item[] = evaluation.cadres.map((c) => ({
    ...keys.cadreEvaluation(c.cadreId, evaluation.week),
    entity: 'cadreEvaluation',
    ...cadreWeekRecord(evaluation, c, meta),
  }));
  await batchPut(items);
  return items.length;
}

/** The stored revision of one cadre's week item, if any (a cheap check that a week's items exist). */
export async function cadreWeekRevision(cadreId: string, week: string): Promise<number | undefined> {
  const item = await getItem<Item>(keys.cadreEvaluation(cadreId, week));
  return typeof item?.revision === 'number' ? item.revision : undefined;
}

/** The latest finished week's item of a cadre: one Query, newest first, Limit 1. */
export async function latestCadreWeekRecord(cadreId: string): Promise<CadreWeekRecord | undefined> {
  const page = await queryPage<Item>(
    {
      partition: keys.cadre(cadreId).PK,
      sort: { beginsWith: keys.cadreEvaluationPrefix() },
      descending: true,
    },
    1,
  );
  const item = page.items[0];
  return item ? (withoutKeys(item) as unknown as CadreWeekRecord) : undefined;
}

/** A cadre's finished weeks, newest first (one Query on the cadre's `EVAL#` items). */
export async function profileWeeks(cadreId: string, limit: number) {
  const page = await queryPage<Item>(
    {
      partition: keys.cadre(cadreId).PK,
      sort: { beginsWith: keys.cadreEvaluationPrefix() },
      descending: true,
    },
    limit,
  );
  return page.items.map((item) => {
    const r = withoutKeys(item) as unknown as CadreWeekRecord;
    return {
      week: r.week,
      monday: r.monday,
      sunday: r.sunday,
      revision: r.revision,
      tier: r.tier,
      tierLabel: r.tierLabel,
      weightedCount: r.weightedCount,
      explanation: r.explanation,
      inCircle: r.circle.member,
      movementLabel: r.circle.movementLabel,
    };
  });
}
