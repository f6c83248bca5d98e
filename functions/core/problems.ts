import { addDays } from './time.ts';

/**
 * The problem lifecycle: found by an inspection → rectified by its cadre → verified by an inspector.
 * A rectification that does not hold up on re-check is a false rectification (虚假整改): it is
 * counted against the cadre and the problem goes back to open. Pure rules; the adapter applies a
 * transition with one conditional update guarded by the `from` status these functions return.
 */
export const PROBLEM_SEVERITIES = ['minor', 'major', 'severe'] as const;
export type Severity = (typeof PROBLEM_SEVERITIES)[number];
export const SEVERITY_LABELS: Record<Severity, string> = { minor: '一般', major: '较重', severe: '严重' };

export const PROBLEM_STATUSES = ['open', 'awaiting_verification', 'closed'] as const;
export type ProblemStatus = (typeof PROBLEM_STATUSES)[number];
export const STATUS_LABELS: Record<ProblemStatus, string> = {
  open: '待整改',
  awaiting_verification: '待复核',
  closed: '已销号',
};

export const VERIFICATION_OUTCOMES = ['accepted', 'rejected'] as const;
export type VerificationOutcome = (typeof VERIFICATION_OUTCOMES)[number];

/**
 * Why a rectification was rejected: `incomplete` (整改不到位) sends the problem back with a new deadline
 * and counts once, like any open problem; `false` (虚假整改) is a false rectification and counts as the
 * rule set says. A rejection sent without a kind is `false` (the contract before kinds existed).
 */
export const REJECTION_KINDS = ['incomplete', 'false'] as const;
export type RejectionKind = (typeof REJECTION_KINDS)[number];
export const REJECTION_KIND_LABELS: Record<RejectionKind, string> = {
  incomplete: '整改不到位',
  false: '虚假整改',
};

/** Days allowed for rectification when the inspector sets no date; the rules engine may supply its own table. */
export type RectifyDays = Readonly<Record<Severity, number>>;
export const DEFAULT_RECTIFY_DAYS: RectifyDays = { minor: 14, major: 7, severe: 3 };

export function defaultRectifyBy(
  foundOn: string,
  severity: Severity,
  days: RectifyDays = DEFAULT_RECTIFY_DAYS,
): string {
  return addDays(foundOn, days[severity]);
}

/** "Open" in the accountability sense: not yet verified as fixed, so a rectification awaiting check still counts. */
export function isUnresolved(status: ProblemStatus): boolean {
  return status !== 'closed';
}

export type ProblemAction =
  | { kind: 'rectify' }
  | { kind: 'verify'; outcome: VerificationOutcome; rejection?: RejectionKind | undefined };

export type TransitionRefusal = 'NOT_OPEN' | 'NOTHING_TO_VERIFY';

export type Transition =
  | {
      ok: true;
      from: ProblemStatus;
      to: ProblemStatus;
      /** A rejection of kind `false` (the default): counted as 虚假整改. */
      falseRectification: boolean;
      /** A rejection of kind `incomplete` (整改不到位): back to open with a new deadline, not 虚假整改. */
      incompleteRectification: boolean;
      /** The problem leaves the cadre's open list. */
      closes: boolean;
    }
  | { ok: false; code: TransitionRefusal; message: string };

export function transition(status: ProblemStatus, action: ProblemAction): Transition {
  if (action.kind === 'rectify') {
    if (status !== 'open') {
      return {
        ok: false,
        code: 'NOT_OPEN',
        message: status === 'closed' ? '该问题已销号，无需整改' : '该问题已报整改，正在等待复核',
      };
    }
    return {
      ok: true,
      from: 'open',
      to: 'awaiting_verification',
      falseRectification: false,
      incompleteRectification: false,
      closes: false,
    };
  }
  if (status !== 'awaiting_verification') {
    return {
      ok: false,
      code: 'NOTHING_TO_VERIFY',
      message: status === 'closed' ? '该问题已销号，无需复核' : '该问题尚未报整改，没有可复核的整改',
    };
  }
  if (action.outcome === 'accepted') {
    return {
      ok: true,
      from: 'awaiting_verification',
      to: 'closed',
      falseRectification: false,
      incompleteRectification: false,
      closes: true,
    };
  }
  const incomplete = action.rejection === 'incomplete';
  return {
    ok: true,
    from: 'awaiting_verification',
    to: 'open',
    falseRectification: !incomplete,
    incompleteRectification: incomplete,
    closes: false,
  };
}

/**
 * The status an action starts from. Lets a retry of an already-applied event rebuild what that event
 * did without knowing the status at the time.
 */
export function sourceStatus(action: ProblemAction): ProblemStatus {
  return action.kind === 'rectify' ? 'open' : 'awaiting_verification';
}

/** Past its rectification date and still unresolved; dates are Beijing calendar dates. */
export function isOverdue(problem: { status: ProblemStatus; rectifyBy: string }, today: string): boolean {
  return isUnresolved(problem.status) && problem.rectifyBy < today;
}

export interface StandingProblem {
  status: ProblemStatus;
  severity: Severity;
  rectifyBy: string;
  falseRectifications: number;
}

export interface StandingCounts {
  openProblems: number;
  awaitingVerification: number;
  overdueProblems: number;
  closedProblems: number;
  totalProblems: number;
  openBySeverity: Record<Severity, number>;
  falseRectifications: number;
  overdueDispatches: number;
}

/** The figures shown beside a cadre's open problems: what the weekly evaluation will weigh. */
export function summarizeStanding(
  unresolved: StandingProblem[],
  closed: StandingProblem[],
  overdueDispatches: number,
  today: string,
): StandingCounts {
  const openBySeverity: Record<Severity, number> = { minor: 0, major: 0, severe: 0 };
  for (const p of unresolved) openBySeverity[p.severity] += 1;
  const sum = (list: StandingProblem[]) => list.reduce((n, p) => n + (p.falseRectifications || 0), 0);
  return {
    openProblems: unresolved.length,
    awaitingVerification: unresolved.filter((p) => p.status === 'awaiting_verification').length,
    overdueProblems: unresolved.filter((p) => isOverdue(p, today)).length,
    closedProblems: closed.length,
    totalProblems: unresolved.length + closed.length,
    openBySeverity,
    falseRectifications: sum(unresolved) + sum(closed),
    overdueDispatches,
  };
}

/**
 * A deadline extension (延期) by HQ: the new date must move the deadline later and may not lie before
 * today (Beijing); a closed or voided problem has no deadline left to move. Pure; field paths are the
 * request's.
 */
export function extensionIssues(
  problem: { status: ProblemStatus; rectifyBy: string },
  rectifyBy: string,
  today: string,
): { path: string; code: string; message: string }[] {
  if (rectifyBy <= problem.rectifyBy) {
    return [
      {
        path: 'body.rectifyBy',
        code: 'NOT_LATER',
        message: `延期后的整改期限须晚于原期限（${problem.rectifyBy}）`,
      },
    ];
  }
  if (rectifyBy < today) {
    return [{ path: 'body.rectifyBy', code: 'DATE_IN_PAST', message: `整改期限不能早于今天（${today}）` }];
  }
  return [];
}
