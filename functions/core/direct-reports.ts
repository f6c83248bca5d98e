/**
 * Direct-report rules. HQ's response time is what the seeds measure (problems used to take weeks to
 * travel village → township → county), so it is computed once, here, in whole minutes.
 */
const MINUTE_MS = 60_000;

export function responseMinutes(createdAt: string, acknowledgedAt: string): number {
  const ms = Date.parse(acknowledgedAt) - Date.parse(createdAt);
  // A clock slightly behind the one that stamped the report must not yield a negative response time.
  return Math.max(0, Math.round(ms / MINUTE_MS));
}

/**
 * The hand-off path (转办): received (`new`) → acknowledged / triaged → handed_off → replied → closed.
 * Triage sets who handles the report (village, township or county) and may be changed until the first
 * hand-off; a hand-off goes to a unit with a deadline; the report is `replied` once every hand-off has
 * its reply; it is closed (办结) when no hand-off waits for a reply.
 */
export type ReportStatus = 'new' | 'acknowledged' | 'triaged' | 'handed_off' | 'replied' | 'closed';
export type ReportLevel = 'village' | 'township' | 'county';

export const TRIAGE_FROM: readonly ReportStatus[] = ['new', 'acknowledged', 'triaged'];
export const HANDOFF_FROM: readonly ReportStatus[] = ['triaged', 'handed_off', 'replied'];

/** Why a step is refused in this status (a stable code for the 409), or null when it may go ahead. */
export type StepRefusal = 'ALREADY_CLOSED' | 'ALREADY_HANDED_OFF' | 'NOT_TRIAGED' | 'HANDOFF_OPEN' | null;

export function triageRefusal(status: ReportStatus): StepRefusal {
  if (status === 'closed') return 'ALREADY_CLOSED';
  return TRIAGE_FROM.includes(status) ? null : 'ALREADY_HANDED_OFF';
}

export function handoffRefusal(status: ReportStatus): StepRefusal {
  if (status === 'closed') return 'ALREADY_CLOSED';
  return HANDOFF_FROM.includes(status) ? null : 'NOT_TRIAGED';
}

export function closeRefusal(status: ReportStatus, openHandoffs: number): StepRefusal {
  if (status === 'closed') return 'ALREADY_CLOSED';
  return openHandoffs > 0 ? 'HANDOFF_OPEN' : null;
}

/** The status once a reply leaves `open` hand-offs without one. */
export function statusAfterReply(status: ReportStatus, open: number): ReportStatus {
  return status === 'handed_off' && open === 0 ? 'replied' : status;
}

/**
 * A township's staff see a report from their township unless it was sent past them (越级直报) and the
 * county has not handed it down (triaged to the village or township level).
 */
export function townshipMaySee(report: { skipLevels: boolean; level?: ReportLevel | undefined }): boolean {
  return !report.skipLevels || report.level === 'village' || report.level === 'township';
}

/** …and act on it (triage, hand off, close) while it is not the county's to handle. */
export function townshipMayAct(report: { skipLevels: boolean; level?: ReportLevel | undefined }): boolean {
  return townshipMaySee(report) && report.level !== 'county';
}

/** A hand-off is overdue the day after its deadline (Beijing dates) while it has no reply. */
export function handoffOverdue(
  h: { deadline: string; repliedAt?: string | undefined },
  today: string,
): boolean {
  return h.repliedAt === undefined && h.deadline < today;
}
