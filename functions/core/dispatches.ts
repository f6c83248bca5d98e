import { DISPATCH_SERIES, formatDocumentNumber } from './document-number.ts';
import { beijingDate } from './time.ts';

/**
 * Task dispatch forms (任务派遣单): the rules, free of storage. A dispatch names (cadre, village)
 * pairs; each pair is an assignee row with its own progress. Rows move pending → in_progress → done
 * (or straight to done); done is final, so a completed task cannot be reopened by a late report.
 */
export const ASSIGNEE_STATUSES = ['pending', 'in_progress', 'done'] as const;
export type AssigneeStatus = (typeof ASSIGNEE_STATUSES)[number];

export const REPORT_STATUSES = ['in_progress', 'done'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/** What a list filters on: unfinished and still in time, unfinished and past the deadline, finished. */
export const DISPATCH_STATES = ['open', 'overdue', 'done'] as const;
export type DispatchState = (typeof DISPATCH_STATES)[number];

export interface AssigneeRef {
  cadreId: string;
  villageId: string;
}

export type Transition = { ok: true; next: AssigneeStatus } | { ok: false; reason: 'ALREADY_DONE' };

/** The status an assignee row takes after a report, or why the report is refused. */
export function transition(current: AssigneeStatus, reported: ReportStatus): Transition {
  if (current === 'done') return { ok: false, reason: 'ALREADY_DONE' };
  // pending → in_progress | done; in_progress → in_progress (another progress note) | done.
  return { ok: true, next: reported };
}

/** Past its deadline and not finished. A task finished late is not overdue; its report says `late`. */
export function overdue(deadline: string, now: Date, status: AssigneeStatus): boolean {
  return status !== 'done' && now.getTime() > Date.parse(deadline);
}

/** A report made after the deadline. */
export function isLate(deadline: string, at: Date): boolean {
  return at.getTime() > Date.parse(deadline);
}

/** A deadline must lie ahead of the moment the dispatch is issued. */
export function deadlineHasPassed(deadline: string, now: Date): boolean {
  return Date.parse(deadline) <= now.getTime();
}

/** The state of one assignee row in the vocabulary lists filter by. */
export function rowState(deadline: string, now: Date, status: AssigneeStatus): DispatchState {
  if (status === 'done') return 'done';
  return overdue(deadline, now, status) ? 'overdue' : 'open';
}

/** The state of a whole dispatch: done when every row is done, else overdue once past the deadline. */
export function dispatchState(deadline: string, now: Date, openCount: number): DispatchState {
  if (openCount <= 0) return 'done';
  return now.getTime() > Date.parse(deadline) ? 'overdue' : 'open';
}

/** Dispatches are numbered per Beijing calendar year of issue. */
export function dispatchYear(now: Date): number {
  return Number(beijingDate(now).slice(0, 4));
}

export function dispatchNumber(year: number, sequence: number): string {
  return formatDocumentNumber(DISPATCH_SERIES.prefix, year, sequence);
}

/** Indexes of pairs that repeat an earlier pair (the first occurrence is not reported). */
export function duplicatePairs(assignees: readonly AssigneeRef[]): number[] {
  const seen = new Set<string>();
  const out: number[] = [];
  assignees.forEach((a, i) => {
    const key = `${a.cadreId}\u0000${a.villageId}`;
    if (seen.has(key)) out.push(i);
    else seen.add(key);
  });
  return out;
}

export type RowChoice<R> =
  | { kind: 'row'; row: R }
  | { kind: 'not_assignee' }
  | { kind: 'village_not_assigned' }
  | { kind: 'village_required'; villageIds: string[] };

/**
 * Which of the caller's rows on a dispatch a report is about. A cadre with one village need not
 * name it; with several they must, so a report never lands on the wrong village.
 */
export function chooseRow<R extends { villageId: string }>(
  ownRows: readonly R[],
  villageId?: string,
): RowChoice<R> {
  if (ownRows.length === 0) return { kind: 'not_assignee' };
  if (villageId !== undefined) {
    const row = ownRows.find((r) => r.villageId === villageId);
    return row ? { kind: 'row', row } : { kind: 'village_not_assigned' };
  }
  const [only] = ownRows;
  if (ownRows.length === 1 && only) return { kind: 'row', row: only };
  return { kind: 'village_required', villageIds: ownRows.map((r) => r.villageId) };
}

/** Whether a re-run of a create (same idempotency key) asks for the same dispatch as the stored one. */
export function sameDispatchRequest(
  stored: {
    title: string;
    category: string;
    description: string;
    deadline: string;
    assignees: readonly AssigneeRef[];
  },
  request: {
    title: string;
    category: string;
    description: string;
    deadline: string;
    assignees: readonly AssigneeRef[];
  },
): boolean {
  const pairs = (list: readonly AssigneeRef[]) => JSON.stringify(list.map((a) => [a.cadreId, a.villageId]));
  return (
    stored.title === request.title &&
    stored.category === request.category &&
    stored.description === request.description &&
    stored.deadline === request.deadline &&
    pairs(stored.assignees) === pairs(request.assignees)
  );
}
