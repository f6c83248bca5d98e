import type { FormEntries } from '../../client/form-data.ts';
import {
  acknowledgeDirectReport,
  closeDirectReport,
  createHandoff,
  replyHandoff,
  triageDirectReport,
} from '../../schemas/direct-reports.ts';
import { createDispatch } from '../../schemas/dispatches.ts';
import type { FormRegistry } from './registry.ts';

/**
 * Each assignee checkbox carries `cadreId|villageId` under the name `assignees`; the API wants
 * `assignees: [{ cadreId, villageId }]`. With nothing ticked a blank row stands in, so the body holds
 * an empty list and the API's own "至少指定一名派遣对象" is what the person reads.
 */
export function assigneeEntries(entries: FormEntries): FormEntries {
  const out: Array<readonly [string, string]> = [];
  let index = 0;
  for (const [name, value] of entries) {
    if (name !== 'assignees') {
      out.push([name, value]);
      continue;
    }
    if (value.trim() === '') continue;
    const cut = value.indexOf('|');
    const cadreId = cut < 0 ? value : value.slice(0, cut);
    const villageId = cut < 0 ? '' : value.slice(cut + 1);
    out.push([`assignees.${index}.cadreId`, cadreId], [`assignees.${index}.villageId`, villageId]);
    index++;
  }
  if (index === 0) out.push(['assignees.0.cadreId', ''], ['assignees.0.villageId', '']);
  return out;
}

/** HQ's forms: dispatch forms and direct-report acknowledgements. */
export const dispatchForms = {
  'dispatch-new': { schema: createDispatch, prepare: assigneeEntries },
  'direct-report-ack': { schema: acknowledgeDirectReport },
  'direct-report-triage': { schema: triageDirectReport },
  'direct-report-handoff': { schema: createHandoff },
  'direct-report-close': { schema: closeDirectReport },
  'direct-report-reply': { schema: replyHandoff },
} satisfies FormRegistry;
