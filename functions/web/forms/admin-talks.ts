import * as z from 'zod/mini';
import type { FormEntries } from '../../client/form-data.ts';
import { changeTalk, recordTalk, talkSettings, waiveTalk } from '../../schemas/talks.ts';
import type { FormRegistry } from './registry.ts';

/** A `datetime-local` value has no offset: the page asks for Beijing time, so it gets +08:00. */
function beijingTime(name: string) {
  return (entries: FormEntries): FormEntries =>
    entries.map(([n, value]) =>
      n === name && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())
        ? ([n, `${value.trim().length === 16 ? `${value.trim()}:00` : value.trim()}+08:00`] as const)
        : ([n, value] as const),
    );
}

/** HQ's talk forms (docs/talks.md): approve (no fields), change the tier, waive, record, the settings. */
export const talkForms = {
  'talk-approve': { schema: z.strictObject({}) },
  'talk-change': { schema: changeTalk },
  'talk-waive': { schema: waiveTalk },
  'talk-record': { schema: recordTalk, prepare: beijingTime('heldAt') },
  'talk-settings': {
    schema: talkSettings,
    // An unticked checkbox sends nothing: "approval needed" off.
    prepare: (entries: FormEntries): FormEntries =>
      entries.some(([n]) => n === 'approvalRequired') ? entries : [...entries, ['approvalRequired', 'false']],
  },
} satisfies FormRegistry;
