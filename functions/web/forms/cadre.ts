import * as z from 'zod/mini';
import { createDirectReport } from '../../schemas/direct-reports.ts';
import { createReport } from '../../schemas/dispatches.ts';
import { createRectification } from '../../schemas/problems.ts';
import type { FormRegistry } from './registry.ts';

/** The cadre's forms: progress on a dispatch, a rectification, a direct report, "标为已读" (no fields). */
export const cadreForms = {
  'dispatch-report': { schema: createReport },
  rectification: { schema: createRectification },
  'direct-report': { schema: createDirectReport },
  'notification-read': { schema: z.strictObject({}) },
} satisfies FormRegistry;
