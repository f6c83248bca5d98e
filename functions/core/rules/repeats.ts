/**
 * Repeats (屡查屡犯, seed 001: "多次错误被诫勉谈话"): a problem whose category was already found for the
 * same cadre at an earlier inspection within the rule set's number of weeks is flagged as a repeat, and
 * weighs `weight` problems toward the tier while it stays open. The intake flags a problem when it is
 * recorded (the earlier ones are the cadre's own, read by key) and stores the flag with it, so the
 * weekly evaluation and every list read the same answer.
 */
import { addDays } from '../time.ts';
import { byString } from './calendar.ts';
import type { RepeatRule, RuleSet } from './rule-set.ts';

/** Eight weeks, weight 1: repeats are flagged but weigh no more than any problem (version 1's numbers). */
export const DEFAULT_REPEAT_RULE: RepeatRule = { withinWeeks: 8, weight: 1 };

export function repeatRuleOf(ruleSet: Pick<RuleSet, 'repeats'>): RepeatRule {
  return ruleSet.repeats ?? DEFAULT_REPEAT_RULE;
}

/** A problem as far as repeats go (a stored problem fits). */
export interface CategorizedProblem {
  id: string;
  cadreId: string;
  category?: string | undefined;
  /** The inspection's date (Beijing). */
  foundOn: string;
  inspectionId?: string | undefined;
  /** Recorded (UTC ISO): of two inspections on the same day, the one recorded first came first. */
  createdAt?: string | undefined;
  voided?: unknown;
}

/** The flag stored on a repeat: the earlier problems of the category, and the window in weeks. */
export interface Repeat {
  of: string[];
  weeks: number;
}

/** The first day of the window a problem found on `foundOn` looks back to. */
export function repeatWindowStart(foundOn: string, rule: RepeatRule): string {
  return addDays(foundOn, -7 * rule.withinWeeks);
}

function cameBefore(earlier: CategorizedProblem, problem: CategorizedProblem): boolean {
  if (earlier.foundOn !== problem.foundOn) return earlier.foundOn < problem.foundOn;
  if (earlier.createdAt && problem.createdAt) return earlier.createdAt < problem.createdAt;
  // The same day with no recording order known: earlier ones are those already stored.
  return problem.createdAt === undefined;
}

/**
 * The repeat flag of `problem` given the cadre's other problems, or null. Only problems of the same
 * category, the same cadre, another inspection (one visit is one occasion), not voided, found within the
 * window and before it count; a problem without a category is never a repeat.
 */
export function findRepeat(
  problem: CategorizedProblem,
  others: readonly CategorizedProblem[],
  rule: RepeatRule,
): Repeat | null {
  if (!problem.category || rule.withinWeeks <= 0) return null;
  const from = repeatWindowStart(problem.foundOn, rule);
  const of = others
    .filter(
      (e) =>
        e.id !== problem.id &&
        !e.voided &&
        e.cadreId === problem.cadreId &&
        e.category === problem.category &&
        (e.inspectionId === undefined || e.inspectionId !== problem.inspectionId) &&
        e.foundOn >= from &&
        cameBefore(e, problem),
    )
    .sort((a, b) => byString(a.foundOn, b.foundOn) || byString(a.id, b.id))
    .map((e) => e.id);
  return of.length ? { of, weeks: rule.withinWeeks } : null;
}

/**
 * Flags for a batch recorded together (one inspection): each against the cadre's stored problems
 * only, never against another of the same batch.
 */
export function flagRepeats<P extends CategorizedProblem>(
  batch: readonly P[],
  stored: readonly CategorizedProblem[],
  rule: RepeatRule,
): Map<string, Repeat> {
  const out = new Map<string, Repeat>();
  for (const p of batch) {
    const repeat = findRepeat(p, stored, rule);
    if (repeat) out.set(p.id, repeat);
  }
  return out;
}

/** The weight of an open problem: the heavier of a false rectification's and a repeat's, at least 1. */
export function problemWeight(
  ruleSet: Pick<RuleSet, 'falseRectificationWeight' | 'repeats'>,
  falseRectifications: number,
  repeat: boolean,
): number {
  return Math.max(
    1,
    falseRectifications > 0 ? ruleSet.falseRectificationWeight : 1,
    repeat ? repeatRuleOf(ruleSet).weight : 1,
  );
}
