/**
 * The facts a weekly evaluation reads, and their state "as of" an instant. Everything is derived from
 * what is dated on or before `asOf` (an inspection's date, the instant a rectification was verified),
 * so records that arrive or happen later never change an earlier answer.
 *
 * Instants are UTC ISO strings; dates are Beijing calendar dates (YYYY-MM-DD).
 */

import type { AssigneeStatus } from '../dispatches.ts';
import type { ProblemStatus, RejectionKind } from '../problems.ts';
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

/**
 * A rectification or verification, in the shape the intake stores (problem events): extra fields are
 * welcome, so stored events can be passed as they are.
 */
export interface ProblemEvent {
  /** `deadline`: HQ moved the deadline (延期) to `rectifyBy`. */
  kind: 'rectification' | 'verification' | 'deadline';
  /** For verifications: accepted closes the problem, rejected sends it back (see rejectionKind). */
  outcome?: 'accepted' | 'rejected' | undefined;
  /**
   * For rejections: `false` (虚假整改, also when missing: the contract before kinds) counts as a false
   * rectification; `incomplete` (整改不到位) only reopens the problem, with a new deadline.
   */
  rejectionKind?: RejectionKind | undefined;
  /** The deadline from this event on (an incomplete rejection's new deadline, an extension's date). */
  rectifyBy?: string | undefined;
  /** When it happened (UTC ISO). */
  at: string;
  /** The event's id, for explanations and a stable order. */
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
  /** The inspection that found it was voided (作废): the problem never counts, in any week. */
  voided?: boolean | undefined;
  /** Earlier problems of the same category that make this one a repeat (flagged at intake, repeats.ts). */
  repeatOf?: readonly string[] | undefined;
  /**
   * The problem records the cadre's absence at this inspection's headcount: with an absent finding of
   * the same cadre at the same inspection it is one finding, counted once (as this problem).
   */
  absence?: boolean | undefined;
}

/** One cadre at one inspection (a stored finding fits); (inspectionId, cadreId) identifies it. */
export interface FindingFact {
  inspectionId: string;
  cadreId: string;
  villageId: string;
  townshipId: string;
  /** The inspection's date (Beijing). */
  date: string;
  /** On site at the headcount (数人头). */
  present: boolean;
  /**
   * The headcount in three states: 在岗, 不在岗, 未点名. Only `absent` counts as an absence; a finding
   * stored before the three states (no presence) is absent when `present` is false.
   */
  presence?: 'present' | 'absent' | 'unchecked' | undefined;
  commend?: boolean | undefined;
  /** Its inspection was voided (作废): it counts nowhere. */
  voided?: boolean | undefined;
}

/** A finding's headcount state, reading findings stored before the three states too. */
export function presenceOf(f: Pick<FindingFact, 'present' | 'presence'>): 'present' | 'absent' | 'unchecked' {
  return f.presence ?? (f.present ? 'present' : 'absent');
}

/** One assignee row of a task dispatch form (a stored assignee record fits). */
export interface DispatchAssigneeFact {
  dispatchId: string;
  /** The form's number, e.g. 派〔2026〕12号, for bulletins. */
  number?: string | undefined;
  title?: string | undefined;
  cadreId: string;
  villageId: string;
  townshipId?: string | undefined;
  /** When the form was issued (UTC ISO): a form issued after asOf did not exist yet. */
  createdAt: string;
  /** The deadline instant (UTC ISO); a date-only deadline is stored as the end of that Beijing day. */
  deadline: string;
  status: AssigneeStatus;
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
  /** When it was closed (办结), for the resolution time. */
  closedAt?: string | undefined;
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

/** The intake's own status words: open (待整改), awaiting_verification (待复核), closed (已销号). */
export type ProblemState = ProblemStatus;

export interface ProblemStateAt {
  state: ProblemState;
  /** Rejections of kind `false` on or before asOf: each is a false rectification (虚假整改). */
  falseRectifications: number;
  rejectionIds: string[];
  /** Rejections of kind `incomplete` (整改不到位) on or before asOf: not false rectifications. */
  incompleteRectifications: number;
  /** When the accepted verification happened, for closed problems. */
  closedAt: string | null;
  /** The latest submission not yet judged, for pending problems. */
  pendingSince: string | null;
  rectifyBy: string;
}

/** Same instant: a submission comes before its verdict, a rejection before an acceptance. */
function eventRank(e: ProblemEvent): number {
  if (e.kind === 'deadline') return 0;
  if (e.kind === 'rectification') return 1;
  return e.outcome === 'rejected' ? 2 : 3;
}

/** Events in the order they happened; ties broken by kind and id so every run sees the same sequence. */
export function orderedEvents(events: readonly ProblemEvent[]): ProblemEvent[] {
  return [...events].sort(
    (a, b) =>
      instantMs(a.at, 'problem event') - instantMs(b.at, 'problem event') ||
      eventRank(a) - eventRank(b) ||
      byString(a.id ?? '', b.id ?? ''),
  );
}

/**
 * A problem's state at `asOfMs`, from its events dated on or before it: closed by the first accepted
 * verification; awaiting verification while a rectification waits for its verdict; open when none was
 * handed in or the last one was rejected. The stored status is not read: it may be newer than asOf.
 */
export function problemStateAt(problem: ProblemFact, asOfMs: number, ruleSet: RuleSet): ProblemStateAt {
  let state: ProblemState = 'open';
  let falseRectifications = 0;
  let incompleteRectifications = 0;
  const rejectionIds: string[] = [];
  let closedAt: string | null = null;
  let pendingSince: string | null = null;
  let rectifyBy = problem.rectifyBy ?? rectificationDeadline(ruleSet, problem.foundOn, problem.severity);
  for (const event of orderedEvents(problem.events)) {
    if (instantMs(event.at, 'problem event') > asOfMs) break;
    if (event.rectifyBy) rectifyBy = event.rectifyBy;
    if (event.kind === 'deadline') continue;
    if (event.kind === 'rectification') {
      state = 'awaiting_verification';
      pendingSince = event.at;
    } else if (event.outcome === 'rejected') {
      state = 'open';
      pendingSince = null;
      if (event.rejectionKind === 'incomplete') incompleteRectifications += 1;
      else {
        falseRectifications += 1;
        if (event.id) rejectionIds.push(event.id);
      }
    } else if (event.outcome === 'accepted') {
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
    incompleteRectifications,
    closedAt,
    pendingSince,
    rectifyBy,
  };
}

/** A dispatch row is done at asOf only if it was reported done on or before asOf. */
export function dispatchDoneAt(row: DispatchAssigneeFact, asOfMs: number): string | null {
  if (row.status !== 'done' || !row.doneAt) return null;
  return instantMs(row.doneAt, 'dispatch doneAt') <= asOfMs ? row.doneAt : null;
}
