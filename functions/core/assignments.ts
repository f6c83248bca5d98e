/**
 * An assignment's role in its village team. Kept here, not beside the schemas, so the data-access
 * module that reads assignments (which every route's scope check uses) does not load the schema
 * modules with it (docs/deploy.md §9).
 */
export const ASSIGNMENT_ROLES = ['chief', 'member'] as const;
export const ASSIGNMENT_ROLE_LABELS = { chief: '总队长', member: '工作队员' } as const;

/**
 * Assignment rules (包村关系), pure: effective dates, the one-chief history rule, reading a slot's
 * holder, and the coverage report. Dates are Beijing calendar dates (YYYY-MM-DD), which compare
 * correctly as strings.
 *
 * A period is half-open: `from` is the first day a cadre is responsible, `to` the first day they no
 * longer are (absent while the assignment runs). A handover where the old `to` equals the new `from`
 * therefore leaves exactly one chief responsible on every day, so "who answered for this village on
 * the day the problem was found" always has one answer.
 */

export interface Period {
  from: string;
  /** First day no longer responsible; null/absent while the assignment has not been ended. */
  to?: string | null | undefined;
}

export interface AssignmentFacts extends Period {
  id: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  role: 'chief' | 'member';
  createdAt?: string;
}

/** Whether the assignment made its cadre responsible on `date`. */
export function effectiveOn(assignment: Period, date: string): boolean {
  return assignment.from <= date && (assignment.to == null || date < assignment.to);
}

/** A period with `to` = `from` never took effect (an assignment cancelled before it began). */
export function isEmptyPeriod(period: Period): boolean {
  return period.to != null && period.to <= period.from;
}

/**
 * The end date used when the caller gives none: today, or the start date for an assignment that
 * has not begun yet (so cancelling a planned assignment never needs a date before its start).
 */
export function defaultEndDate(assignment: Period, today: string): string {
  return today < assignment.from ? assignment.from : today;
}

/** Why `to` cannot end this assignment, or undefined when it can. */
export function endDateProblem(assignment: Period, to: string): string | undefined {
  if (to < assignment.from) return `结束日期不能早于开始日期（${assignment.from}）`;
  return undefined;
}

export interface PeriodClash {
  kind: 'chief' | 'cadre';
  with: AssignmentFacts;
}

/**
 * A new open-ended assignment starting `candidate.from` may not overlap, in the village's history,
 * another chief's period (when it is a chief) or the same cadre's earlier period in that village.
 * Active ones are guarded by the slots; this catches back-dated starts into ended periods.
 */
export function findPeriodClash(
  history: readonly AssignmentFacts[],
  candidate: Pick<AssignmentFacts, 'id' | 'cadreId' | 'villageId' | 'role' | 'from'>,
): PeriodClash | undefined {
  const overlaps = (other: AssignmentFacts) =>
    !isEmptyPeriod(other) && (other.to == null || candidate.from < other.to);
  const relevant = history.filter((a) => a.id !== candidate.id && a.villageId === candidate.villageId);
  if (candidate.role === 'chief') {
    const chief = relevant.find((a) => a.role === 'chief' && overlaps(a));
    if (chief) return { kind: 'chief', with: chief };
  }
  const same = relevant.find((a) => a.cadreId === candidate.cadreId && overlaps(a));
  return same ? { kind: 'cadre', with: same } : undefined;
}

/** The assignments effective on a date, and among them the chief. */
export function assignmentsEffectiveOn<T extends Period>(assignments: readonly T[], date: string): T[] {
  return assignments.filter((a) => effectiveOn(a, date));
}

/**
 * The chief on a date. The history rule admits one; should old data hold more, the one who started
 * last took over (then the later-created), which is what a handover means.
 */
export function chiefAmong<T extends Period & { role: string; createdAt?: string }>(
  assignments: readonly T[],
  date: string,
): T | undefined {
  return assignmentsEffectiveOn(assignments, date)
    .filter((a) => a.role === 'chief')
    .sort((a, b) =>
      b.from === a.from ? (b.createdAt ?? '').localeCompare(a.createdAt ?? '') : b.from.localeCompare(a.from),
    )[0];
}

/**
 * What a slot item's holder means for a new claim:
 * - `live`: the holder is an assignment still running: the slot is rightly taken;
 * - `pending`: no assignment item yet but the claim is recent: a concurrent create is between its
 *   two writes, so the slot counts as taken;
 * - `stale`: the holder ended (or was voided) but the slot was not released (a crash after the end):
 *   the slot may be cleared;
 * - `orphan`: no assignment item long after the claim (a crash between the two writes): the slot
 *   may be cleared once the holder id has been voided so the crashed writer cannot complete late.
 */
export type SlotVerdict = 'live' | 'pending' | 'stale' | 'orphan';
export const ORPHAN_GRACE_MS = 30_000;

export function classifySlotHolder(
  holder: 'active' | 'ended' | 'void' | undefined,
  claimedAt: string | undefined,
  now: Date,
  graceMs: number = ORPHAN_GRACE_MS,
): SlotVerdict {
  if (holder === 'active') return 'live';
  if (holder === 'ended' || holder === 'void') return 'stale';
  const claimed = claimedAt ? Date.parse(claimedAt) : Number.NaN;
  // A slot without a readable claim time is old data: treat it as abandoned.
  if (Number.isNaN(claimed)) return 'orphan';
  return now.getTime() - claimed >= graceMs ? 'orphan' : 'pending';
}

export interface CoverageVillage {
  id: string;
  name: string;
  townshipId: string;
  category: 'deep' | 'general' | 'non';
}

export type ActiveChief = Pick<AssignmentFacts, 'cadreId' | 'villageId' | 'townshipId'>;

export interface CoverageReport {
  villagesWithoutChief: CoverageVillage[];
  chiefsWithSeveralVillages: {
    cadreId: string;
    name: string;
    villages: { id: string; name: string; townshipId: string }[];
  }[];
  counts: { villages: number; villagesWithoutChief: number; chiefsWithSeveralVillages: number };
}

function villagesByChief(chiefs: readonly ActiveChief[]): Map<string, Map<string, ActiveChief>> {
  const byCadre = new Map<string, Map<string, ActiveChief>>();
  for (const c of chiefs) {
    const villages = byCadre.get(c.cadreId) ?? new Map<string, ActiveChief>();
    villages.set(c.villageId, c);
    byCadre.set(c.cadreId, villages);
  }
  return byCadre;
}

/**
 * Cadres who are chief of more than one village (one person, one village, seed 002). With a
 * township, those with at least one of their villages there; their other villages still count.
 */
export function cadresChiefOfSeveral(chiefs: readonly ActiveChief[], townshipId?: string): string[] {
  return [...villagesByChief(chiefs)]
    .filter(
      ([, villages]) =>
        villages.size > 1 && (!townshipId || [...villages.values()].some((v) => v.townshipId === townshipId)),
    )
    .map(([cadreId]) => cadreId)
    .sort();
}

/**
 * The coverage report: villages in scope without an active chief, and chiefs of several villages.
 * `activeChiefs` must hold every active chief assignment of the villages in scope, plus the other
 * active chief assignments of those chiefs (so a chief of one village here and one elsewhere counts).
 */
export function computeCoverage(
  villages: readonly CoverageVillage[],
  activeChiefs: readonly ActiveChief[],
  options: {
    townshipId?: string | undefined;
    cadreNames?: ReadonlyMap<string, string>;
    /** Names of villages outside `villages` (other townships) that appear in a chief's list. */
    villageNames?: ReadonlyMap<string, string>;
  } = {},
): CoverageReport {
  const covered = new Set(activeChiefs.map((c) => c.villageId));
  const villagesWithoutChief = villages
    .filter((v) => !covered.has(v.id))
    .map(({ id, name, townshipId, category }) => ({ id, name, townshipId, category }));
  const names = new Map(villages.map((v) => [v.id, v.name]));
  const byCadre = villagesByChief(activeChiefs);
  const chiefsWithSeveralVillages = cadresChiefOfSeveral(activeChiefs, options.townshipId).map((cadreId) => ({
    cadreId,
    name: options.cadreNames?.get(cadreId) ?? cadreId,
    villages: [...(byCadre.get(cadreId)?.values() ?? [])]
      .sort((a, b) => a.townshipId.localeCompare(b.townshipId) || a.villageId.localeCompare(b.villageId))
      .map((v) => ({
        id: v.villageId,
        name: names.get(v.villageId) ?? options.villageNames?.get(v.villageId) ?? v.villageId,
        townshipId: v.townshipId,
      })),
  }));
  return {
    villagesWithoutChief,
    chiefsWithSeveralVillages,
    counts: {
      villages: villages.length,
      villagesWithoutChief: villagesWithoutChief.length,
      chiefsWithSeveralVillages: chiefsWithSeveralVillages.length,
    },
  };
}
