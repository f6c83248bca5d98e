import * as z from 'zod/mini';
import { built } from './common.ts';
import { inspectionMode } from './inspections.ts';
import { notice } from './notices.ts';
import { problemDetail } from './problems.ts';

/**
 * A problem's whole record (GET /problems/{id}): apart from the cadre profile's schemas
 * (schemas/records.ts) so the problems function does not load those of assignments, visits and the
 * roster with it (docs/deploy.md §9).
 */

/** Where a problem was found: the inspection, its date and mode, and who recorded it. */
export const problemFound = z.lazy(() =>
  z.object({
    inspectionId: z.string(),
    date: z.string().check(z.describe('督查日期（北京日期）')),
    mode: inspectionMode,
    modeLabel: z.string(),
    recordedBy: z.string().check(z.describe('录入的督查人员（用户标识）')),
    recordedByName: z.optional(z.string().check(z.describe('录入人姓名'))),
    voided: z.optional(z.boolean()).check(z.describe('该次督查已作废')),
  }),
);

/** A document concerning the problem: its cadre's rectification and talk notices while it was open. */
export const noticeSummary = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: built(notice).shape.kind,
    week: z.optional(z.string()),
    number: z.string(),
    title: z.string(),
    createdAt: z.string(),
    downloads: built(notice).shape.downloads,
  }),
);

/** GET /problems/{id}: the problem, its events (rectifications, verifications, …) and where it came from. */
export const problemRecord = z.lazy(() =>
  z.extend(built(problemDetail), {
    found: z.nullable(problemFound).check(z.describe('发现该问题的督查；督查记录缺失时为 null')),
    cadreName: z.optional(z.string()),
    villageName: z.optional(z.string()),
    townshipName: z.optional(z.string()),
    notices: z.optional(z.array(noticeSummary)).check(z.describe('涉及该问题的整改通知书、谈话通知书')),
  }),
);

export type ProblemRecord = z.output<typeof problemRecord>;
