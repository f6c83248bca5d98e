import type { FieldIssue } from './field-issue.ts';
import { PROBLEM_SOURCE_LABELS, type ProblemSource } from './problem-categories.ts';
import { DEFAULT_RECTIFY_DAYS, defaultRectifyBy, type RectifyDays, type Severity } from './problems.ts';

/**
 * An inspection (督查): an inspector's visit to one village on one day, open (明查), covert (暗访) or a
 * spot check (抽查), with one finding per cadre (on site or not, commended or not) and the problems
 * found. Pure rules: what a submission must satisfy and how it becomes stored facts.
 */
export const INSPECTION_MODES = ['open', 'covert', 'spot'] as const;
export type InspectionMode = (typeof INSPECTION_MODES)[number];
export const INSPECTION_MODE_LABELS: Record<InspectionMode, string> = {
  open: '明查',
  covert: '暗访',
  spot: '抽查',
};

/**
 * The headcount (数人头) per cadre in three states: 在岗, 不在岗, 未点名. Nothing is absent by default: a
 * cadre the inspector did not mark is 未点名 and never counts as absent.
 */
export const PRESENCE_STATES = ['present', 'absent', 'unchecked'] as const;
export type Presence = (typeof PRESENCE_STATES)[number];
export const PRESENCE_LABELS: Record<Presence, string> = {
  present: '在岗',
  absent: '不在岗',
  unchecked: '未点名',
};

/**
 * One finding's presence from what a client sent: `presence` when given, else the older boolean
 * `present` (true 在岗, false 不在岗), else 未点名.
 */
export function presenceFrom(f: {
  present?: boolean | undefined;
  presence?: Presence | undefined;
}): Presence {
  if (f.presence !== undefined) return f.presence;
  if (f.present === undefined) return 'unchecked';
  return f.present ? 'present' : 'absent';
}

export interface ProblemInput {
  description: string;
  severity: Severity;
  rectifyBy?: string | undefined;
  category?: string | undefined;
  source?: ProblemSource | undefined;
  absence?: boolean | undefined;
}

export interface FindingInput {
  cadreId: string;
  present?: boolean | undefined;
  presence?: Presence | undefined;
  dispatchId?: string | undefined;
  commend: boolean;
  note?: string | undefined;
  problems: ProblemInput[];
}

export interface InspectionInput {
  villageId: string;
  date: string;
  mode: InspectionMode;
  note?: string | undefined;
  findings: FindingInput[];
}

export interface PlannedProblem {
  id: string;
  cadreId: string;
  dispatchId?: string;
  description: string;
  severity: Severity;
  category?: string;
  source?: ProblemSource;
  sourceLabel?: string;
  absence?: boolean;
  foundOn: string;
  rectifyBy: string;
}

export interface PlannedFinding {
  cadreId: string;
  /** True only for 在岗: kept for readers of the older two-state field. */
  present: boolean;
  presence: Presence;
  commend: boolean;
  dispatchId?: string;
  note?: string;
  problemIds: string[];
  problems: PlannedProblem[];
}

export interface InspectionPlan {
  id: string;
  findings: PlannedFinding[];
  problems: PlannedProblem[];
  problemIds: string[];
  presentCount: number;
  absentCount: number;
  uncheckedCount: number;
  commendCount: number;
}

/** An inspection cannot be recorded for a day that has not yet begun in Beijing. */
export function inspectionDateIssues(date: string, today: string): FieldIssue[] {
  return date > today
    ? [{ path: 'body.date', code: 'DATE_IN_FUTURE', message: `督查日期不能晚于今天（${today}）` }]
    : [];
}

/** Indexes of findings whose cadre already appeared earlier in the list (one finding per cadre). */
export function duplicateCadreIndexes(findings: { cadreId: string }[]): number[] {
  const seen = new Set<string>();
  const dupes: number[] = [];
  findings.forEach((f, i) => {
    if (seen.has(f.cadreId)) dupes.push(i);
    seen.add(f.cadreId);
  });
  return dupes;
}

/** Every id the submission names that is not on record, as field issues at the place it was named. */
export function referenceIssues(
  input: Pick<InspectionInput, 'findings'>,
  known: { village: boolean; cadreIds: ReadonlySet<string>; dispatchIds: ReadonlySet<string> },
): FieldIssue[] {
  const issues: FieldIssue[] = [];
  if (!known.village) issues.push({ path: 'body.villageId', code: 'UNKNOWN_REFERENCE', message: '村不存在' });
  input.findings.forEach((f, i) => {
    if (!known.cadreIds.has(f.cadreId)) {
      issues.push({ path: `body.findings.${i}.cadreId`, code: 'UNKNOWN_REFERENCE', message: '干部不存在' });
    }
    if (f.dispatchId !== undefined && !known.dispatchIds.has(f.dispatchId)) {
      issues.push({
        path: `body.findings.${i}.dispatchId`,
        code: 'UNKNOWN_REFERENCE',
        message: '任务派遣单不存在',
      });
    }
  });
  return issues;
}

/**
 * Turns a valid submission into the facts to store. Ids come from the caller so a retry of the same
 * request (same Idempotency-Key) derives the same ids and lands on the same items.
 */
export function planInspection(
  input: InspectionInput,
  ids: { inspectionId: string; problemId: (findingIndex: number, problemIndex: number) => string },
  rectifyDays: RectifyDays = DEFAULT_RECTIFY_DAYS,
): InspectionPlan {
  const problems: PlannedProblem[] = [];
  const findings = input.findings.map((f, i): PlannedFinding => {
    const own = f.problems.map(
      (p, j): PlannedProblem => ({
        id: ids.problemId(i, j),
        cadreId: f.cadreId,
        ...(f.dispatchId !== undefined ? { dispatchId: f.dispatchId } : {}),
        description: p.description,
        severity: p.severity,
        ...(p.category !== undefined ? { category: p.category } : {}),
        ...(p.source !== undefined ? { source: p.source, sourceLabel: PROBLEM_SOURCE_LABELS[p.source] } : {}),
        ...(p.absence ? { absence: true } : {}),
        foundOn: input.date,
        rectifyBy: p.rectifyBy ?? defaultRectifyBy(input.date, p.severity, rectifyDays),
      }),
    );
    problems.push(...own);
    const presence = presenceFrom(f);
    return {
      cadreId: f.cadreId,
      present: presence === 'present',
      presence,
      commend: f.commend,
      ...(f.dispatchId !== undefined ? { dispatchId: f.dispatchId } : {}),
      ...(f.note ? { note: f.note } : {}),
      problemIds: own.map((p) => p.id),
      problems: own,
    };
  });
  return {
    id: ids.inspectionId,
    findings,
    problems,
    problemIds: problems.map((p) => p.id),
    presentCount: findings.filter((f) => f.presence === 'present').length,
    absentCount: findings.filter((f) => f.presence === 'absent').length,
    uncheckedCount: findings.filter((f) => f.presence === 'unchecked').length,
    commendCount: findings.filter((f) => f.commend).length,
  };
}
