/**
 * The weekly evaluation job: read what one ISO week needs, run the rules engine, store the result.
 *
 *  - A finished week is evaluated as of its end (Sunday 24:00 Beijing), by when things happened, so a
 *    re-run on the same facts gives the same fingerprint and returns the stored evaluation unchanged.
 *    A late record dated inside the week (an offline inspection synced later) changes the fingerprint:
 *    the week gets revision + 1, marked revised, and every later stored week is evaluated again in
 *    turn, since its circle movement and carried-over matters depend on the week before.
 *  - The current week is evaluated provisionally as of now (revision 0, replaced on each run).
 *  - A week that has not begun is refused (RangeError).
 *
 * Reads (no Scan): the week's GSI4 partition, the roster (GSI1 `CADRS`), and the carry-over stored
 * with the previous week's final evaluation: the problems, dispatch rows and direct reports still open
 * at its end, with last week's standings. When there is none, the gap is filled from the latest
 * evaluated week (up to MAX_GAP_WEEKS), or else the open matters are bootstrapped from the status
 * indexes (GSI3) and corrected with the matters closed since the week began.
 *
 * Writes: a final revision's chunks and head (evaluations.ts) and, before the head, one small item
 * per cadre (`CADR#<id>` / `EVAL#<week>`, cadre-evaluations.ts) that the cadre's standing reads.
 */
import { createHash } from 'node:crypto';
import { cadreWeekRevision, putCadreWeekRecords } from '../adapters/dynamo/cadre-evaluations.ts';
import {
  getFinalHead,
  getProvisionalHead,
  latestFinalBefore,
  putFinalRevision,
  putProvisional,
  readCarry,
  readEvaluation,
} from '../adapters/dynamo/evaluations.ts';
import { listRuleSets } from '../adapters/dynamo/rule-sets.ts';
import { inParallel } from '../adapters/dynamo/table.ts';
import { cadreCompletions } from '../adapters/dynamo/trainings.ts';
import {
  newReadMeter,
  problemFact,
  type ReadMeter,
  readCadres,
  readClosingsOfWeek,
  readDispatchRows,
  readOpenMatters,
  readProblemEvents,
  readProblems,
  readVisitDuties,
  readWeekItems,
} from '../adapters/dynamo/week-facts.ts';
import {
  beijingDateOfMs,
  byString,
  type DirectReportFact,
  type DispatchAssigneeFact,
  dispatchDoneAt,
  evaluateWeek,
  evaluationFingerprint,
  type PreviousWeek,
  type ProblemEvent,
  type ProblemFact,
  previousIsoWeek,
  problemStateAt,
  type RuleSet,
  ruleSetForWeek,
  visitMinimumOn,
  type WeeklyEvaluation,
  weekBounds,
  weekEndInstant,
} from '../core/rules/index.ts';
import { trainingRequiredToLeaveCircle } from '../core/rules/training-rules.ts';
import { addDays, isoWeekOf, isoWeekOfInstant } from '../core/time.ts';
import type { StoredEvaluation } from '../schemas/bulletins.ts';

/** Weeks missing between the latest evaluated one and this one that are filled in first. */
const MAX_GAP_WEEKS = 12;
/** How many later weeks a bootstrap reads for matters closed since (bounds a first run on old data). */
const MAX_BOOTSTRAP_WEEKS = 26;

/** Open matters at a week's end and that week's standings: what the next week starts from. */
export interface CarryOver {
  week: string;
  asOf: string;
  problems: ProblemFact[];
  dispatches: DispatchAssigneeFact[];
  directReports: DirectReportFact[];
  standing: PreviousWeek;
}

export interface ReadStats {
  /** Read capacity units consumed (ReturnConsumedCapacity TOTAL), summed over every request. */
  capacityUnits: number;
  items: number;
  requests: number;
  /** week: the GSI4 partition; cadres: the roster; carry: last week's carry-over; bootstrap/late: repairs. */
  bySource: Record<string, { capacityUnits: number; items: number; requests: number }>;
}

export type EvaluationRun = StoredEvaluation & { reads: ReadStats };

export const nextIsoWeek = (week: string) => isoWeekOf(addDays(weekBounds(week).monday, 7));

function digest(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32);
}

interface Computed {
  evaluation: WeeklyEvaluation;
  carry: CarryOver;
  fingerprint: string;
  carryDigest: string;
}

const eventKey = (e: ProblemEvent) => `${e.id ?? ''}|${e.kind}|${e.outcome ?? ''}|${e.at}`;

function minimalEvent(e: ProblemEvent): ProblemEvent {
  return {
    kind: e.kind,
    ...(e.outcome ? { outcome: e.outcome } : {}),
    // Carried over too: an incomplete rejection is not 虚假整改, and deadlines move with events.
    ...(e.rejectionKind ? { rejectionKind: e.rejectionKind } : {}),
    ...(e.rectifyBy ? { rectifyBy: e.rectifyBy } : {}),
    at: e.at,
    ...(e.id ? { id: e.id } : {}),
  };
}

/** Problems, carried and new, with their events merged (by event id) and sorted. */
class ProblemSet {
  readonly byId = new Map<string, { fact: ProblemFact; events: Map<string, ProblemEvent> }>();
  add(fact: ProblemFact): void {
    const seen = this.byId.get(fact.id);
    const events = seen?.events ?? new Map<string, ProblemEvent>();
    for (const e of fact.events) events.set(eventKey(e), minimalEvent(e));
    // A void (作废) found on any read wins: the carried copy predates it.
    const kept = seen?.fact ?? fact;
    this.byId.set(fact.id, { fact: fact.voided && !kept.voided ? { ...kept, voided: true } : kept, events });
  }
  addEvent(problemId: string, e: ProblemEvent): boolean {
    const seen = this.byId.get(problemId);
    if (!seen) return false;
    seen.events.set(eventKey(e), minimalEvent(e));
    return true;
  }
  facts(): ProblemFact[] {
    return [...this.byId.values()]
      .map(({ fact, events }) => ({
        ...fact,
        events: [...events.values()].sort((a, b) => byString(a.at, b.at) || byString(a.id ?? '', b.id ?? '')),
      }))
      .sort((a, b) => byString(a.id, b.id));
  }
}

const rowKey = (r: { dispatchId: string; cadreId: string; villageId: string }) =>
  `${r.dispatchId}\u0000${r.cadreId}\u0000${r.villageId}`;

/** The open matters a week starts from when no earlier evaluation carries them over. */
async function bootstrapCarry(week: string, now: Date, meter: ReadMeter) {
  const open = await readOpenMatters(meter);
  const problems = new ProblemSet();
  for (const p of open.problems) problems.add(p);
  const rows = new Map(open.dispatches.map((r) => [rowKey(r), r]));
  // Matters open at the week's start but closed since are no longer in the open indexes: find them
  // through the verifications and done reports of this and later weeks.
  const current = isoWeekOfInstant(now);
  const closedProblems = new Set<string>();
  const doneRows: { dispatchId: string; cadreId: string; villageId: string }[] = [];
  for (let w = week, n = 0; w <= current && n < MAX_BOOTSTRAP_WEEKS; w = nextIsoWeek(w), n++) {
    const closings = await readClosingsOfWeek(w, meter);
    for (const id of closings.acceptedProblemIds) if (!problems.byId.has(id)) closedProblems.add(id);
    for (const r of closings.doneRows) if (!rows.has(rowKey(r))) doneRows.push(r);
  }
  if (closedProblems.size) {
    const ids = [...closedProblems];
    const [items, events] = await Promise.all([
      readProblems(ids, meter, 'bootstrap'),
      readProblemEvents(ids, meter, 'bootstrap'),
    ]);
    for (const item of items) problems.add(problemFact(item, events.get(String(item.id)) ?? []));
  }
  for (const r of await readDispatchRows(doneRows, meter, 'bootstrap')) rows.set(rowKey(r), r);
  return {
    problems: problems.facts(),
    dispatches: [...rows.values()],
    directReports: [] as DirectReportFact[],
  };
}

function carryOver(
  week: string,
  asOf: string,
  ruleSet: RuleSet,
  evaluation: WeeklyEvaluation,
  problems: readonly ProblemFact[],
  dispatches: readonly DispatchAssigneeFact[],
  directReports: readonly DirectReportFact[],
): CarryOver {
  const asOfMs = Date.parse(asOf);
  const asOfDate = beijingDateOfMs(asOfMs);
  return {
    week,
    asOf,
    problems: problems
      .filter(
        (p) => !p.voided && p.foundOn <= asOfDate && problemStateAt(p, asOfMs, ruleSet).state !== 'closed',
      )
      .map((p) => ({
        id: p.id,
        cadreId: p.cadreId,
        villageId: p.villageId,
        townshipId: p.townshipId,
        severity: p.severity,
        foundOn: p.foundOn,
        // The deadline as decided when found; a later rule set must not move it.
        rectifyBy: problemStateAt(p, asOfMs, ruleSet).rectifyBy,
        ...(p.inspectionId ? { inspectionId: p.inspectionId } : {}),
        events: p.events.filter((e) => Date.parse(e.at) <= asOfMs).map(minimalEvent),
      })),
    dispatches: dispatches
      .filter((d) => Date.parse(d.createdAt) <= asOfMs && dispatchDoneAt(d, asOfMs) === null)
      .map((d) => ({
        dispatchId: d.dispatchId,
        ...(d.number ? { number: d.number } : {}),
        ...(d.title ? { title: d.title } : {}),
        cadreId: d.cadreId,
        villageId: d.villageId,
        ...(d.townshipId ? { townshipId: d.townshipId } : {}),
        createdAt: d.createdAt,
        deadline: d.deadline,
        status: 'pending' as const,
      }))
      .sort((a, b) => byString(rowKey(a), rowKey(b))),
    directReports: directReports
      .filter(
        (r) =>
          Date.parse(r.createdAt) <= asOfMs && (!r.acknowledgedAt || Date.parse(r.acknowledgedAt) > asOfMs),
      )
      .map((r) => ({
        id: r.id,
        cadreId: r.cadreId,
        ...(r.villageId ? { villageId: r.villageId } : {}),
        ...(r.townshipId ? { townshipId: r.townshipId } : {}),
        createdAt: r.createdAt,
      }))
      .sort((a, b) => byString(a.id, b.id)),
    standing: {
      week,
      cadres: evaluation.cadres.map((c) => ({
        cadreId: c.cadreId,
        tier: c.tier,
        circle: { member: c.circle.member, weeks: c.circle.weeks },
      })),
      effectiveness: {
        county: { current: evaluation.effectiveness.county.current },
        townships: evaluation.effectiveness.townships.map((t) => ({
          townshipId: t.townshipId,
          current: t.current,
        })),
      },
    },
  };
}

/** Reads the week and evaluates it as of `asOf`; pure apart from the reads. */
async function compute(week: string, asOf: string, now: Date, meter: ReadMeter): Promise<Computed> {
  const previousWeek = previousIsoWeek(week);
  const previousHead = await getFinalHead(previousWeek);
  const [ruleSets, roster, items, carried] = await Promise.all([
    listRuleSets(),
    readCadres(meter),
    readWeekItems(week, meter),
    previousHead ? readCarry<CarryOver>(previousHead, meter) : Promise.resolve(undefined),
  ]);
  const start = carried ?? (await bootstrapCarry(week, now, meter));
  const ruleSet = ruleSetForWeek(ruleSets, week);
  if (!ruleSet) throw new RangeError(`no rule set is in force in ${week}`);
  const asOfMs = Date.parse(asOf);

  const problems = new ProblemSet();
  for (const p of start.problems) problems.add(p);
  for (const p of items.problems) problems.add(p);
  // A rectification or verification of a problem this week does not know (found in an earlier week
  // that was never evaluated with it, e.g. before a revision): read that problem and its history.
  const unknown = new Set<string>();
  for (const e of items.events) if (!problems.addEvent(e.problemId, e)) unknown.add(e.problemId);
  if (unknown.size) {
    const ids = [...unknown];
    const [found, events] = await Promise.all([
      readProblems(ids, meter, 'late'),
      readProblemEvents(ids, meter, 'late'),
    ]);
    for (const item of found) problems.add(problemFact(item, events.get(String(item.id)) ?? []));
  }

  const rows = new Map<string, DispatchAssigneeFact>();
  for (const r of [...start.dispatches, ...items.dispatches])
    if (!rows.has(rowKey(r))) rows.set(rowKey(r), r);
  for (const report of [...items.reports].sort((a, b) => byString(a.at, b.at))) {
    const row = rows.get(rowKey(report));
    if (!row || row.status === 'done' || Date.parse(report.at) > asOfMs) continue;
    rows.set(
      rowKey(report),
      report.status === 'done'
        ? { ...row, status: 'done', doneAt: report.at }
        : { ...row, status: 'in_progress' },
    );
  }

  const reports = new Map<string, DirectReportFact>();
  for (const r of [...start.directReports, ...items.directReports]) {
    const seen = reports.get(r.id);
    reports.set(r.id, seen ? { ...seen, ...r, acknowledgedAt: r.acknowledgedAt ?? seen.acknowledgedAt } : r);
  }

  const problemFacts = problems.facts();
  const dispatchFacts = [...rows.values()].sort((a, b) => byString(rowKey(a), rowKey(b)));
  const reportFacts = [...reports.values()].sort((a, b) => byString(a.id, b.id));

  // Cadres on the roster by the week's end, and anyone a fact of the week names (a roster loaded
  // after the records it covers): a cadre added later with nothing to show does not revise old weeks.
  const named = new Set<string>([
    ...items.findings.map((f) => f.cadreId),
    ...problemFacts.map((p) => p.cadreId),
    ...dispatchFacts.map((d) => d.cadreId),
    ...reportFacts.map((r) => r.cadreId),
    ...items.majorFailures.flatMap((m) => m.cadreIds),
    ...items.visits.map((v) => v.cadreId),
  ]);
  const cadres = roster
    .filter((c) => !c.createdAt || Date.parse(c.createdAt) <= asOfMs || named.has(c.id))
    .map((c) => ({ id: c.id, name: c.name, ...(c.townshipId ? { townshipId: c.townshipId } : {}) }));
  const previous = carried && carried.standing.week === previousWeek ? carried.standing : null;
  const evaluation = evaluateWeek({
    week,
    asOf,
    ruleSet,
    cadres,
    problems: problemFacts,
    findings: items.findings,
    dispatches: dispatchFacts,
    directReports: reportFacts,
    majorFailures: items.majorFailures,
    visits: items.visits,
    visitDuties: visitMinimumOn(ruleSet) ? await readVisitDuties(meter) : undefined,
    previous,
    trainingCompletions: await readTrainingCompletions(ruleSet, previous, asOf),
  });
  const carry = carryOver(
    week,
    evaluation.asOf,
    ruleSet,
    evaluation,
    problemFacts,
    dispatchFacts,
    reportFacts,
  );
  return { evaluation, carry, fingerprint: evaluationFingerprint(evaluation), carryDigest: digest(carry) };
}

/**
 * Completed training sessions of last week's circle members, up to the week's end: read only when the
 * rule set makes completion a condition for leaving the circle (one Query per member, no Scan).
 */
async function readTrainingCompletions(ruleSet: RuleSet, previous: PreviousWeek | null, asOf: string) {
  if (!trainingRequiredToLeaveCircle(ruleSet) || !previous) return undefined;
  const to = beijingDateOfMs(Date.parse(asOf));
  const members = previous.cadres.filter((c) => c.circle.member).map((c) => c.cadreId);
  const found: Awaited<ReturnType<typeof cadreCompletions>> = [];
  await inParallel(members, 8, async (id) => {
    found.push(...(await cadreCompletions(id, to)));
  });
  return found;
}

function stored(
  head: {
    week: string;
    revision: number;
    provisional: boolean;
    ruleSetVersion: number;
    evaluatedAt: string;
    fingerprint: string;
  },
  evaluation: WeeklyEvaluation,
  revised: boolean,
): StoredEvaluation {
  return {
    week: head.week,
    revision: head.revision,
    revised,
    provisional: head.provisional,
    ruleSetVersion: head.ruleSetVersion,
    evaluatedAt: head.evaluatedAt,
    fingerprint: head.fingerprint,
    evaluation,
  };
}

/** Evaluates the missing weeks between the latest evaluated one and `week`, oldest first. */
async function fillGap(week: string, now: Date, meter: ReadMeter): Promise<void> {
  const previous = previousIsoWeek(week);
  if (await getFinalHead(previous)) return;
  const latest = await latestFinalBefore(week);
  if (!latest) return;
  const missing: string[] = [];
  for (let w = nextIsoWeek(latest); w <= previous && missing.length <= MAX_GAP_WEEKS; w = nextIsoWeek(w))
    missing.push(w);
  if (missing.length > MAX_GAP_WEEKS) return;
  for (const w of missing) await finalize(w, now, meter);
}

/**
 * A stored revision whose per-cadre items are missing (stored before they existed) gets them now: one
 * GetItem on the first cadre's item tells, so an unchanged re-run costs a single small read.
 */
async function ensureCadreRecords(
  evaluation: WeeklyEvaluation,
  head: { revision: number; evaluatedAt: string },
): Promise<void> {
  const first = evaluation.cadres[0];
  if (!first || (await cadreWeekRevision(first.cadreId, evaluation.week)) === head.revision) return;
  await putCadreWeekRecords(evaluation, { revision: head.revision, evaluatedAt: head.evaluatedAt });
}

async function finalize(week: string, now: Date, meter: ReadMeter): Promise<StoredEvaluation> {
  await fillGap(week, now, meter);
  const computed = await compute(week, weekEndInstant(week), now, meter);
  const evaluatedAt = now.toISOString();
  for (let attempt = 0; attempt < 5; attempt++) {
    const head = await getFinalHead(week);
    if (head && head.fingerprint === computed.fingerprint && head.carryDigest === computed.carryDigest) {
      await ensureCadreRecords(computed.evaluation, head);
      return stored(head, computed.evaluation, false);
    }
    // Each cadre's copy of this revision first, the head last (see putCadreWeekRecords).
    await putCadreWeekRecords(computed.evaluation, { revision: (head?.revision ?? 0) + 1, evaluatedAt });
    const written = await putFinalRevision(head, { ...computed, evaluatedAt });
    if (written) return stored(written, computed.evaluation, head !== undefined);
    // Another run stored a revision meanwhile: compare with that one.
  }
  throw new Error(`could not store the evaluation of ${week}: too many concurrent runs`);
}

/**
 * Evaluates `week` (e.g. "2026-W47") and stores it. See the module comment for the as-of and revision
 * rules. The result also says what the reads cost (`reads`), for the benchmark.
 */
export async function evaluateAndStoreWeek(week: string, options: { now: Date }): Promise<EvaluationRun> {
  const bounds = weekBounds(week);
  const nowMs = options.now.getTime();
  if (Number.isNaN(nowMs)) throw new RangeError('now is not a valid date');
  if (nowMs < bounds.startMs) throw new RangeError(`${week} has not begun yet`);
  const meter = newReadMeter();

  if (nowMs <= bounds.endMs) {
    await fillGap(week, options.now, meter);
    const computed = await compute(week, options.now.toISOString(), options.now, meter);
    const existing = await getProvisionalHead(week);
    if (
      existing &&
      existing.fingerprint === computed.fingerprint &&
      existing.carryDigest === computed.carryDigest
    ) {
      const evaluation = (await readEvaluation(existing)) ?? computed.evaluation;
      return { ...stored(existing, evaluation, false), reads: meter };
    }
    const head = await putProvisional({ ...computed, evaluatedAt: options.now.toISOString() }, options.now);
    return { ...stored(head, computed.evaluation, false), reads: meter };
  }

  const result = await finalize(week, options.now, meter);
  // A revision moves the weeks after it: re-evaluate the stored ones in turn until one is unchanged.
  if (result.revised) {
    for (let w = nextIsoWeek(week); weekBounds(w).endMs < nowMs; w = nextIsoWeek(w)) {
      if (!(await getFinalHead(w))) break;
      const later = await finalize(w, options.now, meter);
      if (!later.revised) break;
    }
  }
  return { ...result, reads: meter };
}
