/**
 * Self-criticism meetings (检讨发言会) and training rosters: the checks that need no store. A meeting
 * answers for one evaluated week; whoever speaks must have been placed in the self-criticism tier
 * (检讨发言) in that week, so a meeting can never become a record that someone spoke who was not due.
 */
import type { FieldIssue } from './field-issue.ts';
import type { Tier } from './rules/terms.ts';
import { TIER_LABELS } from './rules/terms.ts';
import { weekWords } from './week-words.ts';

/** Attendees with the speakers added (a speaker attends), in the order given, each once. */
export function meetingAttendees(attendeeIds: readonly string[], speakerIds: readonly string[]): string[] {
  return [...new Set([...attendeeIds, ...speakerIds])];
}

/**
 * Field issues for speakers not in the self-criticism tier of `week`; `tiers` holds each speaker's
 * tier that week (absent: not evaluated that week, or not on the roster then).
 */
export function speakerIssues(
  speakerIds: readonly string[],
  tiers: ReadonlyMap<string, Tier>,
  week: string,
  names: ReadonlyMap<string, string>,
): FieldIssue[] {
  return speakerIds.flatMap((id, i): FieldIssue[] => {
    const tier = tiers.get(id);
    if (tier === 'selfCriticism') return [];
    const who = names.get(id) ?? id;
    return [
      {
        path: `body.speakerIds.${i}`,
        code: 'NOT_IN_SELF_CRITICISM_TIER',
        message: tier
          ? `${who}${weekWords(week)}的档次为${TIER_LABELS[tier]}，不是检讨发言`
          : `${who}${weekWords(week)}没有考评结果，不能列为检讨发言人`,
      },
    ];
  });
}
