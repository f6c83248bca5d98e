import type { FormEntries } from '../../client/form-data.ts';
import { createSelfCriticismMeeting } from '../../schemas/self-criticism.ts';
import { createTraining, markAttendance } from '../../schemas/trainings.ts';
import type { FormRegistry } from './registry.ts';

/**
 * Ticked boxes `speakerIds` / `attendeeIds` (one per cadre) and the free field `otherAttendees`
 * (cadre ids separated by commas or spaces) → indexed lists; an empty list still arrives as a list,
 * so the API's own "请至少选择 1 名发言人" is what the person reads.
 */
export function meetingEntries(entries: FormEntries): FormEntries {
  const out: Array<readonly [string, string]> = [];
  const lists: Record<'speakerIds' | 'attendeeIds', string[]> = { speakerIds: [], attendeeIds: [] };
  for (const [name, value] of entries) {
    if (name === 'speakerIds' || name === 'attendeeIds') {
      if (value.trim()) lists[name].push(value.trim());
    } else if (name === 'otherAttendees') {
      lists.attendeeIds.push(...value.split(/[\s,，、]+/).filter(Boolean));
    } else out.push([name, value]);
  }
  for (const [name, ids] of Object.entries(lists)) {
    if (ids.length === 0) out.push([`${name}.0`, '']);
    ids.forEach((id, i) => {
      out.push([`${name}.${i}`, id]);
    });
  }
  return out;
}

/** One choice `status` (未参加 / 参加 / 参加并结业) → the API's `attended` and `completed`. */
export function attendanceEntries(entries: FormEntries): FormEntries {
  const out: Array<readonly [string, string]> = [];
  for (const [name, value] of entries) {
    if (name !== 'status') {
      out.push([name, value]);
      continue;
    }
    out.push(
      [
        'attended',
        value === 'attended' || value === 'completed' ? 'true' : value === 'absent' ? 'false' : '',
      ],
      ['completed', value === 'completed' ? 'true' : value ? 'false' : ''],
    );
  }
  return out;
}

/** HQ's accountability follow-up: self-criticism meetings and remedial training. */
export const accountabilityForms = {
  'self-criticism-new': { schema: createSelfCriticismMeeting, prepare: meetingEntries },
  'training-new': { schema: createTraining },
  'training-attendance': { schema: markAttendance, prepare: attendanceEntries },
} satisfies FormRegistry;
