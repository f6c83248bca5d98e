import * as z from 'zod/mini';
import { createDirectReport, replyHandoff } from '../../schemas/direct-reports.ts';
import { createDispatch, createReport } from '../../schemas/dispatches.ts';
import { createRectification } from '../../schemas/problems.ts';
import { createAllocation, createSanction } from '../../schemas/resources.ts';
import { acknowledgeTalk } from '../../schemas/talks.ts';
import { createVisit } from '../../schemas/visits.ts';
import { assigneeEntries } from './admin-dispatches.ts';
import type { FormRegistry } from './registry.ts';

/** The cadre's forms: progress on a dispatch, a rectification, a direct report, "标为已读" (no fields). */
export const cadreForms = {
  'dispatch-report': { schema: createReport },
  rectification: { schema: createRectification },
  'direct-report': { schema: createDirectReport },
  /** A unit's reply to a direct report handed to it (转办). */
  'handoff-reply': { schema: replyHandoff },
  'notification-read': { schema: z.strictObject({}) },
  /** 表态: the cadre acknowledges a talk record, with an optional statement. */
  'talk-acknowledge': { schema: acknowledgeTalk },
  /** A chief's order to their team (下达指令): ticked members `cadreId|villageId`, as on HQ's form. */
  'team-dispatch': { schema: createDispatch, prepare: assigneeEntries },
  /** A chief's proposal of a village's priority for a resource (资源协调建议, docs/quotas.md). */
  'allocation-propose': { schema: createAllocation },
  /** A chief's proposal to cut or suspend a led village's quota (约束, docs/quotas.md); HQ approves. */
  'sanction-propose': { schema: createSanction },
  visit: {
    schema: createVisit,
    prepare: (entries) => {
      // No location (no script, no permission): its three hidden fields are empty, and left out.
      const located = entries.some(([name, value]) => name.startsWith('location.') && value.trim() !== '');
      return entries
        .filter(([name]) => located || !name.startsWith('location.'))
        .map(([name, value]) =>
          // A datetime-local field has no offset: the page asks for Beijing time, so it gets +08:00.
          name === 'at' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(value.trim())
            ? ([name, `${value.trim().length === 16 ? `${value.trim()}:00` : value.trim()}+08:00`] as const)
            : ([name, value] as const),
        );
    },
  },
} satisfies FormRegistry;
