import { addColor, type ColorCounts, emptyColorCounts } from './rules/colors.ts';
import type { WeeklyEvaluation } from './rules/evaluation.ts';

/**
 * A week's evaluation cut to part of the county: one township (what its staff and its county leader
 * read) or one district (片区: some villages of a township). The matters — problems, dispatch rows,
 * absences, major failures — are kept by their village; the cadres are those who work in the part
 * (`cadreIds`: their running assignments there), those of its townships (`townshipIds`: a cadre's own
 * township) and anyone a kept matter names. Tiers, the circle, training and talks follow the kept
 * cadres; colours are counted again from the kept matters; effectiveness keeps the county's figures
 * (to compare with) and the part's townships.
 */
export interface BulletinCut {
  villageIds: ReadonlySet<string>;
  cadreIds: ReadonlySet<string>;
  townshipIds: ReadonlySet<string>;
  /** A whole township: its own cadres (by their township) belong too; a district keeps only its workers. */
  cadresOfTownships: boolean;
}

export function cutEvaluation(e: WeeklyEvaluation, cut: BulletinCut): WeeklyEvaluation {
  const inPart = (row: { villageId: string }) => cut.villageIds.has(row.villageId);
  const problems = e.problems.filter(inPart);
  const dispatches = e.dispatches.filter(inPart);
  const absences = e.absences.filter(inPart);
  const majorFailures = e.majorFailures.filter(inPart);
  const named = new Set<string>([
    ...problems.map((p) => p.cadreId),
    ...dispatches.map((d) => d.cadreId),
    ...absences.map((a) => a.cadreId),
    ...majorFailures.flatMap((m) => m.cadreIds),
  ]);
  const cadres = e.cadres.filter(
    (c) =>
      cut.cadreIds.has(c.cadreId) ||
      named.has(c.cadreId) ||
      (cut.cadresOfTownships && c.townshipId !== null && cut.townshipIds.has(c.townshipId)),
  );
  const kept = new Set(cadres.map((c) => c.cadreId));
  const only = (ids: readonly string[]) => ids.filter((id) => kept.has(id));
  const colors = {
    problems: countColors(problems),
    dispatches: countColors(dispatches),
    total: emptyColorCounts(),
  };
  for (const counts of [colors.problems, colors.dispatches])
    for (const k of Object.keys(counts) as (keyof ColorCounts)[]) colors.total[k] += counts[k];
  return {
    ...e,
    cadres,
    tiers: {
      commended: only(e.tiers.commended),
      selfCriticism: only(e.tiers.selfCriticism),
      reminderTalk: only(e.tiers.reminderTalk),
      admonishmentTalk: only(e.tiers.admonishmentTalk),
    },
    circle: {
      members: only(e.circle.members),
      entered: only(e.circle.entered),
      stayed: only(e.circle.stayed),
      deepened: only(e.circle.deepened),
      exited: only(e.circle.exited),
    },
    remedialTraining: only(e.remedialTraining),
    talkNotices: e.talkNotices.filter((t) => kept.has(t.cadreId)),
    problems,
    absences,
    dispatches,
    overdueDispatches: e.overdueDispatches.filter(inPart),
    colors,
    majorFailures,
    unrecognizedMajorFailures: [],
    effectiveness: {
      county: e.effectiveness.county,
      townships: e.effectiveness.townships.filter((t) => cut.townshipIds.has(t.townshipId)),
    },
  };
}

function countColors(rows: readonly { color: 'red' | 'yellow' | 'green' | null }[]): ColorCounts {
  const counts = emptyColorCounts();
  for (const row of rows)
    addColor(counts, { color: row.color, reason: 'onTrack', daysLeft: 0, daysOverdue: 0 });
  return counts;
}
