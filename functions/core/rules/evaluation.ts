/**
 * The weekly evaluation: a pure function of the week, an `asOf` instant, the rule set in force and the
 * facts. A finished week is evaluated as of its end (Sunday 24:00 Beijing, `weekEndInstant(week)`); the
 * current week as of now, marked provisional. Only facts dated on or before `asOf` count, every list is
 * sorted, and figures are rounded once, so running it again on the same facts gives the same result —
 * and a late record dated inside a finished week shows up as a different result (a revision) rather
 * than a silent change. `evaluationFingerprint` gives a short digest to detect that.
 *
 * What the caller passes (reading only what the week needs):
 *  - cadres: everyone to place this week; cadre-level outputs (tiers, circle, training, talk notices,
 *    absences) cover only them. Matter-level outputs (problem and dispatch lists, colours, major
 *    failures, effectiveness) cover every fact passed.
 *  - problems: those open at the week's start, plus those found or closed during the week (problems
 *    closed before the week began are ignored if passed). Duplicates by id are merged.
 *  - findings: the week's inspection findings (others are ignored).
 *  - dispatches: assignee rows not done at the week's start, plus those done during the week.
 *  - directReports: created in the week, acknowledged in the week, or still unacknowledged.
 *  - majorFailures: incidents dated in the week.
 *  - previous: last week's evaluation (for circle movement and figures beside last week), or null.
 *
 * Absence at an on-site headcount (a finding whose presence is 不在岗; 未点名 is not absence) is, when the rule set says so, a
 * problem by itself: a derived fact (not stored as a problem record) of the rule's severity that counts
 * once toward the cadre's tier in the week of the headcount. It has no rectification to verify, so it is
 * listed under `absences`, not in the problem colour counts, and does not carry over to later weeks.
 */
import { createHash } from 'node:crypto';
import { beijingDayStart } from '../time.ts';
import type { WeekBounds } from './calendar.ts';
import { beijingDateOfMs, byString, instantMs, previousIsoWeek, weekBounds } from './calendar.ts';
import type { CircleStanding, PreviousCadreStanding, RemedialReason } from './circle.ts';
import { circleStanding, remedialTrainingReasons, talkNoticeDue } from './circle.ts';
import type { ColorCounts, ColorReason } from './colors.ts';
import { addColor, dispatchColoring, emptyColorCounts, problemColoring } from './colors.ts';
import type { Effectiveness, EffectivenessSamples, PreviousEffectiveness } from './effectiveness.ts';
import { summarizeEffectiveness } from './effectiveness.ts';
import type {
  CadreRef,
  DirectReportFact,
  DispatchAssigneeFact,
  FindingFact,
  MajorFailureFact,
  ProblemEvent,
  ProblemFact,
  ProblemState,
} from './facts.ts';
import { dispatchDoneAt, presenceOf, problemStateAt } from './facts.ts';
import type { RuleSet } from './rule-set.ts';
import type { Color, Consequence, PenaltyTier, Severity } from './terms.ts';
import { CONSEQUENCE_LABELS } from './terms.ts';
import type { AbsenceFact, CommendationFact, OpenProblemFact, TierDecision } from './tiers.ts';
import { decideTier } from './tiers.ts';
import type { TrainingCompletionFact } from './training-rules.ts';
import { circleHold, circleHoldSentence } from './training-rules.ts';
import type { VisitDutyFact, VisitFact } from './visit-rules.ts';
import { visitShortfalls } from './visit-rules.ts';

/** What this week needs from last week's evaluation; a stored WeeklyEvaluation fits as it is. */
export interface PreviousWeek {
  week: string;
  cadres: readonly PreviousCadreStanding[];
  effectiveness: PreviousEffectiveness;
}

export interface WeekInput {
  /** ISO week, e.g. "2026-W47" (Beijing). */
  week: string;
  /** UTC ISO instant inside the week: its end for a finished week, now for the provisional current week. */
  asOf: string;
  /** The rule set in force for the week (selectRuleSet / ruleSetForWeek). */
  ruleSet: RuleSet;
  cadres: readonly CadreRef[];
  problems: readonly ProblemFact[];
  findings: readonly FindingFact[];
  dispatches: readonly DispatchAssigneeFact[];
  directReports: readonly DirectReportFact[];
  majorFailures?: readonly MajorFailureFact[] | undefined;
  /** Visits to the village dated in the week (for the figures and the weekly minimum). */
  visits?: readonly VisitFact[] | undefined;
  /** Who answered for which village, with its class: read only when the rule set sets a visit minimum. */
  visitDuties?: readonly VisitDutyFact[] | undefined;
  previous?: PreviousWeek | null | undefined;
  /**
   * Training sessions completed (干部营养餐), read only when the rule set makes completion a condition
   * for leaving the circle: at least those of last week's circle members, dated up to the week's end.
   */
  trainingCompletions?: readonly TrainingCompletionFact[] | undefined;
}

export interface CadreEvaluation extends TierDecision {
  name: string;
  townshipId: string | null;
  circle: CircleStanding;
  /** Why the cadre is a remedial-training candidate; empty when not one. */
  remedialTraining: RemedialReason[];
  /** The talk notice to issue this week, if the cadre came into a talk tier. */
  talkNotice: PenaltyTier | null;
  overdueDispatches: number;
  majorFailureIds: string[];
}

export interface ProblemRow {
  problemId: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  inspectionId: string | null;
  severity: Severity;
  foundOn: string;
  rectifyBy: string;
  state: ProblemState;
  falseRectifications: number;
  closedAt: string | null;
  /** Found during this week: a rectification notice (整改通知书) is due. */
  isNew: boolean;
  color: Color | null;
  colorReason: ColorReason;
  daysLeft: number;
  daysOverdue: number;
}

export interface AbsenceRow {
  inspectionId: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  date: string;
  severity: Severity;
  /** The problem recorded for this absence: the absence counts once, as that problem (not again here). */
  countedAsProblemId?: string | undefined;
}

export interface DispatchRow {
  dispatchId: string;
  number: string | null;
  title: string | null;
  cadreId: string;
  villageId: string;
  townshipId: string | null;
  deadline: string;
  doneAt: string | null;
  color: Color | null;
  colorReason: ColorReason;
  daysLeft: number;
  daysOverdue: number;
}

export interface MajorFailureRow {
  id: string;
  type: string;
  name: string;
  serious: boolean;
  consequence: Consequence;
  consequenceLabel: string;
  occurredOn: string;
  villageId: string;
  townshipId: string;
  cadreIds: string[];
  summary: string | null;
}

export interface WeeklyEvaluation {
  week: string;
  monday: string;
  sunday: string;
  asOf: string;
  /** True when asOf is before the week's end: the current week, as of now. */
  provisional: boolean;
  ruleSetVersion: number;
  /** Every cadre passed, by id. */
  cadres: CadreEvaluation[];
  /** Cadre ids per tier, sorted. */
  tiers: { commended: string[]; selfCriticism: string[]; reminderTalk: string[]; admonishmentTalk: string[] };
  /** Cadre ids; `stayed` includes `deepened` (and those eased to a lighter circle tier). */
  circle: { members: string[]; entered: string[]; stayed: string[]; deepened: string[]; exited: string[] };
  remedialTraining: string[];
  talkNotices: { cadreId: string; tier: PenaltyTier }[];
  problems: ProblemRow[];
  absences: AbsenceRow[];
  dispatches: DispatchRow[];
  overdueDispatches: DispatchRow[];
  colors: { problems: ColorCounts; dispatches: ColorCounts; total: ColorCounts };
  majorFailures: MajorFailureRow[];
  /** Incidents whose type the week's rule set does not define: not major failures for that week. */
  unrecognizedMajorFailures: { id: string; type: string }[];
  effectiveness: Effectiveness;
}

const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;

function check(input: WeekInput): { bounds: WeekBounds; asOfMs: number } {
  const bounds = weekBounds(input.week);
  const asOfMs = instantMs(input.asOf, 'asOf');
  if (asOfMs < bounds.startMs || asOfMs > bounds.endMs)
    throw new RangeError(`asOf ${input.asOf} is outside ${input.week}`);
  if (input.ruleSet.effectiveFrom > bounds.monday)
    throw new RangeError(`rule set ${input.ruleSet.version} is not in force in ${input.week}`);
  if (input.previous && input.previous.week !== previousIsoWeek(input.week))
    throw new RangeError(
      `previous evaluation is for ${input.previous.week}, not the week before ${input.week}`,
    );
  const ids = new Set<string>();
  for (const c of input.cadres) {
    if (ids.has(c.id)) throw new RangeError(`cadre ${c.id} listed twice`);
    ids.add(c.id);
  }
  return { bounds, asOfMs };
}

/** Problems read by two queries (open ones, the week's ones) may arrive twice: one record, all events. */
function mergeProblems(problems: readonly ProblemFact[]): ProblemFact[] {
  const byId = new Map<string, ProblemFact>();
  for (const p of problems) {
    const seen = byId.get(p.id);
    if (!seen) {
      byId.set(p.id, p);
      continue;
    }
    const key = (e: ProblemEvent) =>
      `${e.kind}|${e.outcome ?? ''}|${e.at}|${e.id ?? ''}|${e.rectifyBy ?? ''}`;
    const events = new Map<string, ProblemEvent>();
    for (const e of [...seen.events, ...p.events]) events.set(key(e), e);
    byId.set(p.id, { ...seen, events: [...events.values()], ...(p.voided ? { voided: true } : {}) });
  }
  return [...byId.values()].sort((a, b) => byString(a.id, b.id));
}

function uniqueBy<T>(items: readonly T[], key: (item: T) => string): T[] {
  const map = new Map<string, T>();
  for (const item of items) if (!map.has(key(item))) map.set(key(item), item);
  return [...map.entries()].sort(([a], [b]) => byString(a, b)).map(([, item]) => item);
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

export function evaluateWeek(input: WeekInput): WeeklyEvaluation {
  const { bounds, asOfMs } = check(input);
  const { ruleSet } = input;
  const asOfDate = beijingDateOfMs(asOfMs);
  // asOf lies inside the week, so its Beijing date is the last day that counts.
  const inWeekDate = (d: string) => d >= bounds.monday && d <= asOfDate;
  const inWeekMs = (ms: number) => ms >= bounds.startMs && ms <= asOfMs;
  const cadreById = new Map(input.cadres.map((c) => [c.id, c]));
  const townshipOfCadre = (cadreId: string, fallback: string | undefined) =>
    cadreById.get(cadreId)?.townshipId ?? fallback;

  const samples: { [K in keyof EffectivenessSamples]: EffectivenessSamples[K][number][] } = {
    cadres: input.cadres.map((c) => ({ townshipId: c.townshipId })),
    presence: [],
    rectificationHours: [],
    directReports: [],
    acknowledgementMinutes: [],
    pendingAcknowledgements: [],
    resolutionMinutes: [],
    visits: [],
  };

  // 1. Problems: state as of asOf, colour, and each cadre's open ones.
  const openByCadre = new Map<string, OpenProblemFact[]>();
  const problemRows: ProblemRow[] = [];
  const problemColors = emptyColorCounts();
  // A problem that records a cadre's absence at an inspection: that headcount absence is this problem.
  const absenceProblems = new Map<string, string>();
  for (const p of mergeProblems(input.problems)) {
    // A voided inspection's problems never count (作废): not in any week, whenever the void came.
    if (p.foundOn > asOfDate || p.voided) continue;
    if (p.absence && p.inspectionId) {
      const key = `${p.inspectionId}\u0000${p.cadreId}`;
      if (!absenceProblems.has(key)) absenceProblems.set(key, p.id);
    }
    const status = problemStateAt(p, asOfMs, ruleSet);
    const closedMs = status.closedAt === null ? null : Date.parse(status.closedAt);
    if (closedMs !== null && closedMs < bounds.startMs) continue;
    const coloring = problemColoring(status, p.severity, asOfMs, ruleSet);
    addColor(problemColors, coloring);
    problemRows.push({
      problemId: p.id,
      cadreId: p.cadreId,
      villageId: p.villageId,
      townshipId: p.townshipId,
      inspectionId: p.inspectionId ?? null,
      severity: p.severity,
      foundOn: p.foundOn,
      rectifyBy: status.rectifyBy,
      state: status.state,
      falseRectifications: status.falseRectifications,
      closedAt: status.closedAt,
      isNew: inWeekDate(p.foundOn),
      color: coloring.color,
      colorReason: coloring.reason,
      daysLeft: coloring.daysLeft,
      daysOverdue: coloring.daysOverdue,
    });
    if (status.state === 'closed') {
      if (closedMs !== null && inWeekMs(closedMs))
        samples.rectificationHours.push({
          townshipId: p.townshipId,
          hours: (closedMs - beijingDayStart(p.foundOn).getTime()) / HOUR_MS,
        });
    } else if (cadreById.has(p.cadreId)) {
      push(openByCadre, p.cadreId, {
        problemId: p.id,
        severity: p.severity,
        falseRectifications: status.falseRectifications,
        ...(p.repeatOf?.length ? { repeatOf: p.repeatOf } : {}),
      });
    }
  }

  // 2. Findings of the week: headcount presence, derived absences, commendations.
  const absencesByCadre = new Map<string, AbsenceFact[]>();
  const commendationsByCadre = new Map<string, CommendationFact[]>();
  const absenceRows: AbsenceRow[] = [];
  for (const f of uniqueBy(input.findings, (f) => `${f.inspectionId}\u0000${f.cadreId}`)) {
    if (!inWeekDate(f.date) || f.voided) continue;
    // Only a headcount that was taken counts: 未点名 is neither present nor absent.
    const presence = presenceOf(f);
    if (presence !== 'unchecked')
      samples.presence.push({
        townshipId: townshipOfCadre(f.cadreId, f.townshipId),
        present: presence === 'present',
      });
    if (!cadreById.has(f.cadreId)) continue;
    const ref = { inspectionId: f.inspectionId, date: f.date };
    if (presence === 'absent' && ruleSet.absenceIsProblem.enabled) {
      // Absence counted once: a problem recorded for this absence is the finding, the headcount not again.
      const problemId = absenceProblems.get(`${f.inspectionId}\u0000${f.cadreId}`);
      if (problemId === undefined) push(absencesByCadre, f.cadreId, ref);
      absenceRows.push({
        ...ref,
        cadreId: f.cadreId,
        villageId: f.villageId,
        townshipId: f.townshipId,
        severity: ruleSet.absenceIsProblem.severity,
        ...(problemId !== undefined ? { countedAsProblemId: problemId } : {}),
      });
    }
    if (f.commend) push(commendationsByCadre, f.cadreId, ref);
  }

  // 3. Dispatch assignee rows: done or not as of asOf, colour, overdue.
  const dispatchRows: DispatchRow[] = [];
  const dispatchColors = emptyColorCounts();
  const overdueByCadre = new Map<string, number>();
  for (const d of uniqueBy(
    input.dispatches,
    (d) => `${d.dispatchId}\u0000${d.cadreId}\u0000${d.villageId}`,
  )) {
    if (instantMs(d.createdAt, 'dispatch createdAt') > asOfMs) continue;
    const doneAt = dispatchDoneAt(d, asOfMs);
    if (doneAt !== null && Date.parse(doneAt) < bounds.startMs) continue;
    const coloring = dispatchColoring(d, asOfMs, ruleSet);
    addColor(dispatchColors, coloring);
    if (coloring.reason === 'overdue')
      overdueByCadre.set(d.cadreId, (overdueByCadre.get(d.cadreId) ?? 0) + 1);
    dispatchRows.push({
      dispatchId: d.dispatchId,
      number: d.number ?? null,
      title: d.title ?? null,
      cadreId: d.cadreId,
      villageId: d.villageId,
      townshipId: d.townshipId ?? null,
      deadline: d.deadline,
      doneAt,
      color: coloring.color,
      colorReason: coloring.reason,
      daysLeft: coloring.daysLeft,
      daysOverdue: coloring.daysOverdue,
    });
  }

  // 4. Direct reports: sent this week, HQ's acknowledgement time, still waiting.
  for (const r of uniqueBy(input.directReports, (r) => r.id)) {
    const createdMs = instantMs(r.createdAt, 'direct report createdAt');
    if (createdMs > asOfMs) continue;
    const townshipId = townshipOfCadre(r.cadreId, r.townshipId);
    if (createdMs >= bounds.startMs) samples.directReports.push({ townshipId });
    const ackMs = r.acknowledgedAt ? instantMs(r.acknowledgedAt, 'direct report acknowledgedAt') : null;
    if (ackMs === null || ackMs > asOfMs) samples.pendingAcknowledgements.push({ townshipId });
    else if (inWeekMs(ackMs))
      samples.acknowledgementMinutes.push({
        townshipId,
        minutes: Math.max(0, ackMs - createdMs) / MINUTE_MS,
      });
    // Closed (办结) in the week: the time from the report to its closure.
    const closedMs = r.closedAt ? instantMs(r.closedAt, 'direct report closedAt') : null;
    if (closedMs !== null && closedMs <= asOfMs && inWeekMs(closedMs))
      samples.resolutionMinutes.push({ townshipId, minutes: Math.max(0, closedMs - createdMs) / MINUTE_MS });
  }

  // 5. Major failures: only the types defined in advance by the week's rule set.
  const failureTypes = new Map(ruleSet.majorFailures.map((t) => [t.code, t]));
  const majorFailures: MajorFailureRow[] = [];
  const unrecognizedMajorFailures: { id: string; type: string }[] = [];
  const failuresByCadre = new Map<string, string[]>();
  for (const m of uniqueBy(input.majorFailures ?? [], (m) => m.id)) {
    if (!inWeekDate(m.occurredOn)) continue;
    const type = failureTypes.get(m.type);
    if (!type) {
      unrecognizedMajorFailures.push({ id: m.id, type: m.type });
      continue;
    }
    const consequence = (m.serious && type.seriousConsequence) || type.consequence;
    const cadreIds = [...new Set(m.cadreIds)].sort(byString);
    for (const c of cadreIds) push(failuresByCadre, c, m.id);
    majorFailures.push({
      id: m.id,
      type: type.code,
      name: type.name,
      serious: m.serious === true,
      consequence,
      consequenceLabel: CONSEQUENCE_LABELS[consequence],
      occurredOn: m.occurredOn,
      villageId: m.villageId,
      townshipId: m.townshipId,
      cadreIds,
      summary: m.summary ?? null,
    });
  }

  // 5b. Visits to the village: figures, and (final weeks only, when the rules set a minimum) shortfalls.
  const weekVisits = uniqueBy(input.visits ?? [], (v) => v.id).filter(
    (v) => inWeekDate(v.date) && instantMs(v.at, 'visit at') <= asOfMs,
  );
  for (const v of weekVisits)
    samples.visits.push({
      townshipId: townshipOfCadre(v.cadreId, v.townshipId),
      cadreId: v.cadreId,
      overnight: v.overnight,
      far: v.far,
    });
  // A week still under way is not short yet: the minimum is judged once the week has ended.
  const shortfallsByCadre =
    asOfMs >= bounds.endMs
      ? visitShortfalls(ruleSet, bounds.monday, asOfDate, input.visitDuties ?? [], weekVisits)
      : new Map();

  // 6. Each cadre: tier, circle movement, training, notices.
  const previousById = new Map((input.previous?.cadres ?? []).map((c) => [c.cadreId, c]));
  const cadres: CadreEvaluation[] = [...input.cadres]
    .sort((a, b) => byString(a.id, b.id))
    .map((c) => {
      const decision = decideTier(
        {
          cadreId: c.id,
          openProblems: openByCadre.get(c.id) ?? [],
          absences: absencesByCadre.get(c.id) ?? [],
          commendations: commendationsByCadre.get(c.id) ?? [],
          visitShortfalls: shortfallsByCadre.get(c.id),
        },
        ruleSet,
      );
      const previous = previousById.get(c.id);
      const hold = circleHold(
        c.id,
        decision.tier,
        previous,
        ruleSet,
        bounds.monday,
        asOfDate,
        input.trainingCompletions ?? [],
      );
      // Held for training: still in the circle, one more week running, whatever the tier says.
      const circle = hold
        ? {
            member: true,
            movement: 'stayed' as const,
            previousTier: previous?.tier ?? null,
            weeks: (previous?.circle.weeks ?? 0) + 1,
            held: hold,
          }
        : circleStanding(decision.tier, previous, ruleSet);
      const remedial = remedialTrainingReasons(decision.tier, circle, ruleSet);
      return {
        ...decision,
        name: c.name,
        townshipId: c.townshipId ?? null,
        circle,
        ...(hold ? { explanation: `${decision.explanation}${circleHoldSentence(hold, ruleSet)}` } : {}),
        remedialTraining: hold ? [...remedial, 'trainingIncomplete' as const] : remedial,
        talkNotice: talkNoticeDue(decision.tier, previous?.tier ?? null),
        overdueDispatches: overdueByCadre.get(c.id) ?? 0,
        majorFailureIds: failuresByCadre.get(c.id) ?? [],
      };
    });

  const ids = (keep: (c: CadreEvaluation) => boolean) => cadres.filter(keep).map((c) => c.cadreId);
  const total = emptyColorCounts();
  for (const counts of [problemColors, dispatchColors])
    for (const k of Object.keys(total) as (keyof ColorCounts)[]) total[k] += counts[k];

  return {
    week: input.week,
    monday: bounds.monday,
    sunday: bounds.sunday,
    asOf: new Date(asOfMs).toISOString(),
    provisional: asOfMs < bounds.endMs,
    ruleSetVersion: ruleSet.version,
    cadres,
    tiers: {
      commended: ids((c) => c.tier === 'commended'),
      selfCriticism: ids((c) => c.tier === 'selfCriticism'),
      reminderTalk: ids((c) => c.tier === 'reminderTalk'),
      admonishmentTalk: ids((c) => c.tier === 'admonishmentTalk'),
    },
    circle: {
      members: ids((c) => c.circle.member),
      entered: ids((c) => c.circle.movement === 'entered'),
      stayed: ids((c) => c.circle.member && c.circle.movement !== 'entered'),
      deepened: ids((c) => c.circle.movement === 'deepened'),
      exited: ids((c) => c.circle.movement === 'exited'),
    },
    remedialTraining: ids((c) => c.remedialTraining.length > 0),
    talkNotices: cadres.flatMap((c) => (c.talkNotice ? [{ cadreId: c.cadreId, tier: c.talkNotice }] : [])),
    problems: problemRows,
    absences: absenceRows.sort(
      (a, b) =>
        byString(a.date, b.date) ||
        byString(a.inspectionId, b.inspectionId) ||
        byString(a.cadreId, b.cadreId),
    ),
    dispatches: dispatchRows,
    overdueDispatches: dispatchRows.filter((d) => d.colorReason === 'overdue'),
    colors: { problems: problemColors, dispatches: dispatchColors, total },
    majorFailures,
    unrecognizedMajorFailures,
    effectiveness: summarizeEffectiveness(samples, input.previous?.effectiveness ?? null),
  };
}

/** Stable JSON: object keys sorted, so equal evaluations serialise identically. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object')
    return `{${Object.keys(value)
      .sort(byString)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`)
      .join(',')}}`;
  return JSON.stringify(value);
}

/**
 * A digest of what an evaluation decided (everything but `asOf`), to tell a revision of a finished week
 * (a late record dated inside it) from a harmless re-run that changed nothing.
 */
export function evaluationFingerprint(evaluation: WeeklyEvaluation): string {
  const { asOf: _asOf, ...decided } = evaluation;
  return createHash('sha256').update(canonical(decided)).digest('hex').slice(0, 32);
}
