/**
 * Red / yellow / green lists (红黄绿三色清单) for problems and dispatched tasks, as of an instant.
 *
 *  - red:    open and overdue (a problem's rectifyBy day has ended; a dispatch's deadline instant has
 *            passed), or a problem open with a severity the rules mark red (default: severe);
 *  - yellow: open and due within `yellowWithinDays` Beijing calendar days (default 3: due today up to
 *            three days ahead), or a rectification handed in on time that still awaits verification
 *            after the deadline (the backlog is the inspectors', so the cadre is not red for it);
 *  - green:  closed (a verified rectification / a task reported done) within the evaluated week;
 *  - onTrack: open with more time left — in no list, counted so that red + yellow + onTrack = open.
 *
 * Matters closed before the week began are out of scope (not green again every week).
 */
import type { AssigneeStatus } from '../dispatches.ts';
import type { ProblemStatus } from '../problems.ts';
import { beijingDayEnd } from '../time.ts';
import { beijingDateOfMs, daysBetween, instantMs } from './calendar.ts';
import type { DispatchAssigneeFact, ProblemStateAt } from './facts.ts';
import { dispatchDoneAt } from './facts.ts';
import type { RuleSet } from './rule-set.ts';
import type { Color, Severity } from './terms.ts';

export type ColorReason = 'closed' | 'overdue' | 'severe' | 'dueSoon' | 'awaitingVerification' | 'onTrack';

export const COLOR_REASON_LABELS: Record<ColorReason, string> = {
  closed: '已销号',
  overdue: '已逾期',
  severe: '问题严重',
  dueSoon: '临近期限',
  awaitingVerification: '已按期整改，待复核',
  onTrack: '在期限内',
};

export interface Coloring {
  color: Color | null;
  reason: ColorReason;
  /** Whole Beijing days from asOf's date to the deadline; negative once past. */
  daysLeft: number;
  /** Whole days past the deadline, 0 if not overdue. */
  daysOverdue: number;
}

export interface ColorCounts {
  red: number;
  yellow: number;
  green: number;
  onTrack: number;
}

export const emptyColorCounts = (): ColorCounts => ({ red: 0, yellow: 0, green: 0, onTrack: 0 });

export function addColor(counts: ColorCounts, coloring: Coloring): void {
  if (coloring.color) counts[coloring.color] += 1;
  else counts.onTrack += 1;
}

/** deadlineMs: the last instant that is still on time; deadlineDate: its Beijing date. */
function openColoring(
  deadlineMs: number,
  deadlineDate: string,
  asOfMs: number,
  ruleSet: RuleSet,
  redBySeverity: boolean,
  handedInOnTime: boolean,
): Coloring {
  const daysLeft = daysBetween(beijingDateOfMs(asOfMs), deadlineDate);
  const past = asOfMs > deadlineMs;
  // A deadline earlier the same day has passed although no calendar day separates them: one day over.
  if (past && !handedInOnTime)
    return { color: 'red', reason: 'overdue', daysLeft, daysOverdue: Math.max(1, -daysLeft) };
  if (redBySeverity) return { color: 'red', reason: 'severe', daysLeft, daysOverdue: 0 };
  if (past) return { color: 'yellow', reason: 'awaitingVerification', daysLeft, daysOverdue: 0 };
  if (daysLeft <= ruleSet.colors.yellowWithinDays)
    return { color: 'yellow', reason: 'dueSoon', daysLeft, daysOverdue: 0 };
  return { color: null, reason: 'onTrack', daysLeft, daysOverdue: 0 };
}

export function problemColoring(
  status: ProblemStateAt,
  severity: Severity,
  asOfMs: number,
  ruleSet: RuleSet,
): Coloring {
  if (status.state === 'closed') return { color: 'green', reason: 'closed', daysLeft: 0, daysOverdue: 0 };
  const deadlineMs = beijingDayEnd(status.rectifyBy).getTime();
  const handedInOnTime =
    status.state === 'awaiting_verification' &&
    status.pendingSince !== null &&
    Date.parse(status.pendingSince) <= deadlineMs;
  return openColoring(
    deadlineMs,
    status.rectifyBy,
    asOfMs,
    ruleSet,
    (ruleSet.colors.redSeverities as readonly Severity[]).includes(severity),
    handedInOnTime,
  );
}

export function dispatchColoring(row: DispatchAssigneeFact, asOfMs: number, ruleSet: RuleSet): Coloring {
  if (dispatchDoneAt(row, asOfMs)) return { color: 'green', reason: 'closed', daysLeft: 0, daysOverdue: 0 };
  const deadlineMs = instantMs(row.deadline, 'dispatch deadline');
  return openColoring(deadlineMs, beijingDateOfMs(deadlineMs), asOfMs, ruleSet, false, false);
}

// ---------------------------------------------------------------------------------------------------
// One matter as of now, from the fields the API lists: what the pages and the board export show. The
// same functions the weekly evaluation colours with, so a cadre's page, HQ's board and the export agree.

/** The badge a colour gets: red/yellow/green, or grey for matters with time left. */
export function badgeOf(color: string | null | undefined): string {
  return color === 'red' || color === 'yellow' || color === 'green' ? color : 'grey';
}

/** A coloring as the pages show it: badge class and the reason in words. */
function colorView(c: Coloring): ColorView {
  return {
    color: c.color ?? '',
    badge: badgeOf(c.color),
    reason: COLOR_REASON_LABELS[c.reason],
    daysLeft: c.daysLeft,
    daysOverdue: c.daysOverdue,
  };
}

export interface ColorView {
  color: string;
  badge: string;
  reason: string;
  daysLeft: number;
  daysOverdue: number;
}

export function dispatchColor(
  row: {
    id: string;
    cadreId?: string | undefined;
    villageId?: string | undefined;
    createdAt: string;
    deadline: string;
    assigneeStatus?: AssigneeStatus | undefined;
    doneAt?: string | null | undefined;
  },
  now: Date,
  ruleSet: RuleSet,
): ColorView {
  const c = dispatchColoring(
    {
      dispatchId: row.id,
      cadreId: row.cadreId ?? '',
      villageId: row.villageId ?? '',
      createdAt: row.createdAt,
      deadline: row.deadline,
      status: row.assigneeStatus ?? 'pending',
      ...(row.doneAt ? { doneAt: row.doneAt } : {}),
    },
    now.getTime(),
    ruleSet,
  );
  return colorView(c);
}

export function problemColor(
  p: {
    status: ProblemStatus;
    severity: 'minor' | 'major' | 'severe';
    rectifyBy: string;
    falseRectifications: number;
    rectifiedAt?: string | undefined;
    closedAt?: string | undefined;
  },
  now: Date,
  ruleSet: RuleSet,
): ColorView {
  const c = problemColoring(
    {
      state: p.status,
      falseRectifications: p.falseRectifications,
      rejectionIds: [],
      incompleteRectifications: 0,
      closedAt: p.closedAt ?? null,
      pendingSince: p.status === 'awaiting_verification' ? (p.rectifiedAt ?? null) : null,
      rectifyBy: p.rectifyBy,
    } as Parameters<typeof problemColoring>[0],
    p.severity,
    now.getTime(),
    ruleSet,
  );
  return colorView(c);
}
