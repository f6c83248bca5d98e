/**
 * Talks (提醒谈话 / 诫勉谈话) as decisions rather than automatic consequences (issue 12, seed 001):
 * the weekly evaluation proposes a talk for each cadre coming into a talk tier; HQ (or the township's
 * county leader) approves it, which numbers and sends the notice; the talk is held and recorded, and
 * the cadre acknowledges it with a statement (表态). Pure: no I/O.
 *
 *   proposed → approved → notified → held → closed
 *   proposed → waived (with a reason)
 *
 * `approved` is the decision taken and numbered; `notified` once the notice is rendered and sent.
 */
import type { PenaltyTier } from './rules/terms.ts';
import { addDays } from './time.ts';

export const TALK_TIERS = ['reminderTalk', 'admonishmentTalk'] as const;
export type TalkTier = (typeof TALK_TIERS)[number] & PenaltyTier;

export const TALK_TIER_LABELS: Record<TalkTier, string> = {
  reminderTalk: '提醒谈话',
  admonishmentTalk: '诫勉谈话',
};

export const TALK_STATUSES = ['proposed', 'approved', 'notified', 'held', 'closed', 'waived'] as const;
export type TalkStatus = (typeof TALK_STATUSES)[number];

export const TALK_STATUS_LABELS: Record<TalkStatus, string> = {
  proposed: '待审批',
  approved: '已批准',
  notified: '已通知',
  held: '已谈话',
  closed: '已表态',
  waived: '不予谈话',
};

export type TalkAction = 'approve' | 'change' | 'waive' | 'record' | 'acknowledge';

/** The statuses each step may start from. Approve also resumes one stopped between its own writes. */
export const TALK_STEP_FROM: Record<TalkAction, readonly TalkStatus[]> = {
  approve: ['proposed', 'approved'],
  change: ['proposed'],
  waive: ['proposed'],
  record: ['notified'],
  acknowledge: ['held'],
};

/** Why a step is refused in the talk's current status, for a 409 people read. */
export function talkStepRefusal(action: TalkAction, status: TalkStatus): string | null {
  if (TALK_STEP_FROM[action].includes(status)) return null;
  const now = TALK_STATUS_LABELS[status];
  switch (action) {
    case 'approve':
      return `该谈话${now}，不能再批准`;
    case 'change':
      return `该谈话${now}，只有待审批的谈话可以调整档次`;
    case 'waive':
      return `该谈话${now}，只有待审批的谈话可以决定不予谈话`;
    case 'record':
      return status === 'proposed' || status === 'approved'
        ? '谈话通知尚未送达，请先批准并发出通知书'
        : `该谈话${now}，不能再记录`;
    case 'acknowledge':
      return status === 'closed' ? '您已表态，无需重复提交' : '谈话尚未记录，暂不能表态';
  }
}

/** Where county settings for talks start: approval needed, and seven days to hold a talk once notified. */
export const DEFAULT_TALK_SETTINGS = { approvalRequired: true, holdWithinDays: 7 } as const;

/** The Beijing date by which a notified talk must be held. */
export function talkDueBy(notifiedOn: string, holdWithinDays: number): string {
  return addDays(notifiedOn, holdWithinDays);
}

/** A notified talk not held by its date is overdue (red on the board) from the day after. */
export function talkOverdue(talk: { status: TalkStatus; dueBy?: string | null }, today: string): boolean {
  return (talk.status === 'notified' || talk.status === 'approved') && !!talk.dueBy && talk.dueBy < today;
}
