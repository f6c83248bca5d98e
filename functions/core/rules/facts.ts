/**
 * The facts a weekly evaluation reads, and their state "as of" an instant. Everything is derived from
 * what is dated on or before `asOf` (an inspection's date, the instant a rectification was verified),
 * so records that arrive or happen later never change an earlier answer.
 *
 * Instants are UTC ISO strings; dates are Beijing calendar dates (YYYY-MM-DD).
 */
import { beijingDayEnd } from '../time.ts';
import { byString, instantMs } from './calendar.ts';
import type { RuleSet } from './rule-set.ts';
import { rectificationDeadline } from './rule-set.ts';
import type { Severity } from './terms.ts';

export interface CadreRef {
  id: string;
  name: string;
  /** The township the cadre works in (their village's); per-township figures group by it. */
  townshipId?: string | undefined;
}

export const PROBLEM_EVENT_TYPES = [
  'rectification_submitted',
  'verification_accepted',
  'verification_rejected',
] as const;
export type ProblemEventType = (typeof PROBLEM_EVENT_TYPES)[number];

export interface ProblemEvent {
  type: ProblemEventType;
  /** When it happened (UTC ISO). */
  at: string;
  /** The rectification or verification record's id, for explanations. */
  id?: string | undefined;
}

export interface ProblemFact {
  id: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  severity: Severity;
  /** The inspection's date (Beijing). */
  foundOn: string;
  /** Deadline (Beijing date, end of day); when missing, foundOn + the rule set's days for the severity. */
  rectifyBy?: string | undefined;
  inspectionId?: string | undefined;
  events: readonly ProblemEvent[];
}

export interface FindingFact {
  /** The finding's id (one cadre at one inspection). */
  id: string;
  inspectionId: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  /** The inspection's date (Beijing). */
  date: string;
  /** On site at the headcount (数人头). */
  present: boolean;
  commend?: boolean | undefined;
}

export const DISPATCH_STATUSES = ['pending', 'in_progress', 'done'] as const;
export type DispatchStatus = (typeof DISPATCH_STATUSES)[number];

/** One assignee row of a task dispatch form. */
export interface DispatchAssigneeFact {
  dispatchId: string;
  /** The form's number, e.g. 派〔2026〕12号, for bulletins. */
  number?: string | undefined;
  title?: string | undefined;
  cadreId: string;
  villageId: string;
  townshipId?: string | undefined;
  /** When the form was issued (UTC ISO): a form issued after asOf did not exist yet. */
  issuedAt: string;
  /** Beijing date; due by the end of that day. */
  deadline: string;
  status: DispatchStatus;
  /** When the assignee reported it done (UTC ISO), required for status done. */
  doneAt?: string | undefined;
}

export interface DirectReportFact {
  id: string;
  cadreId: string;
  villageId?: string | undefined;
  townshipId?: string | undefined;
  createdAt: string;
  acknowledgedAt?: string | undefined;
}

export interface MajorFailureFact {
  id: string;
  /** A code from the rule set's majorFailures; other codes are not major failures for that week. */
  type: string;
  /** Beijing date it happened. */
  occurredOn: string;
  villageId: string;
  townshipId: string;
  /** The cadres held responsible. */
  cadreIds: readonly string[];
  /** Serious circumstances (情节严重) escalate to the type's seriousConsequence. */
  serious?: boolean | undefined;
  summary?: string | undefined;
}

// ---------- problem state as of an instant ----------

export type ProblemState = 'open' | 'pending_verification' | 'closed';

export interface ProblemStatus {
  state: ProblemState;
  /** Rejected verifications on or before asOf: each is a false rectification (虚假整改). */
  falseRectifications: number;
  rejectionIds: string[];
  /** When the accepted verification happened, for closed problems. */
  closedAt: string | null;
  /** The latest submission not yet judged, for pending problems. */
  pendingSince: string | null;
  rectifyBy: string;
}

const EVENT_ORDER: Record<ProblemEventType, number> = {
  rectification_submitted: 0,
  verification_rejected: 1,
  verification_accepted: 2,
};

/** Events in the order they happened; ties broken by kind and id so every run sees the same sequence. */
export function orderedEvents(events: readonly ProblemEvent[]): ProblemEvent[] {
  return [...events].sort(
    (a, b) =>
      instantMs(a.at, 'problem event') - instantMs(b.at, 'problem event') ||
      EVENT_ORDER[a.type] - EVENT_ORDER[b.type] ||
      byString(a.id ?? '', b.id ?? ''),
  );
}

/**
 * A problem's state at `asOfMs`: closed by the first accepted verification; otherwise pending while a
 * rectification awaits verification, open when none was submitted or the last one was rejected.
 */
export function problemStatusAt(problem: ProblemFact, asOfMs: number, ruleSet: RuleSet): ProblemStatus {
  let state: ProblemState = 'open';
  let falseRectifications = 0;
  const rejectionIds: string[] = [];
  let closedAt: string | null = null;
  let pendingSince: string | null = null;
  for (const event of orderedEvents(problem.events)) {
    if (instantMs(event.at, 'problem event') > asOfMs) break;
    if (event.type === 'rectification_submitted') {
      state = 'pending_verification';
      pendingSince = event.at;
    } else if (event.type === 'verification_rejected') {
      state = 'open';
      pendingSince = null;
      falseRectifications += 1;
      if (event.id) rejectionIds.push(event.id);
    } else {
      state = 'closed';
      closedAt = event.at;
      pendingSince = null;
      break;
    }
  }
  return {
    state,
    falseRectifications,
    rejectionIds,
    closedAt,
    pendingSince,
    rectifyBy: problem.rectifyBy ?? rectificationDeadline(ruleSet, problem.foundOn, problem.severity),
  };
}

/** Whether a dated deadline (end of that Beijing day) has passed at `asOfMs`. */
export function isPastDeadline(deadline: string, asOfMs: number): boolean {
  return asOfMs > beijingDayEnd(deadline).getTime();
}

/** A dispatch row is done at asOf only if it was reported done on or before asOf. */
export function dispatchDoneAt(row: DispatchAssigneeFact, asOfMs: number): string | null {
  if (row.status !== 'done' || !row.doneAt) return null;
  return instantMs(row.doneAt, 'dispatch doneAt') <= asOfMs ? row.doneAt : null;
}
