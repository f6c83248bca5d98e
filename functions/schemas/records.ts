import * as z from 'zod/mini';
import { TIERS } from '../core/rules/terms.ts';
import { assignment } from './assignments.ts';
import { built } from './common.ts';
import { inspectionMode } from './inspections.ts';
import { notice } from './notices.ts';
import { problem, problemDetail } from './problems.ts';
import { cadre } from './roster.ts';
import { visit } from './visits.ts';

/**
 * HQ's view of whole records: a problem with everything that happened to it, and a cadre's profile.
 * What a record adds here is optional on the wire shapes it extends, so other work on the same
 * records (photos, extensions) adds beside it.
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

/** One finished week of a cadre, from the stored evaluation. */
export const profileWeek = z.lazy(() =>
  z.object({
    week: z.string(),
    monday: z.string(),
    sunday: z.string(),
    revision: z.number().check(z.int()),
    tier: z.enum(TIERS),
    tierLabel: z.string(),
    weightedCount: z.number(),
    explanation: z.string(),
    inCircle: z.boolean(),
    movementLabel: z.string(),
  }),
);

export const PROFILE_WEEKS = 26;
export const PROFILE_PROBLEMS = 50;
export const PROFILE_VISITS = 50;
export const PROFILE_NOTICES = 50;

export const cadreProfile = z.lazy(() =>
  z.object({
    cadre,
    assignments: z.array(assignment).check(z.describe('包村关系的全部历史（开始日期在先）')),
    weeks: z.array(profileWeek).check(z.describe(`最近 ${PROFILE_WEEKS} 个已考评周的档次，新的在前`)),
    problems: z
      .array(problem)
      .check(z.describe(`问题：未销号的在前，各按发现日期新的在前，至多 ${PROFILE_PROBLEMS} 个`)),
    moreProblems: z.boolean().check(z.describe('还有更多问题（用 GET /problems?cadreId= 翻页）')),
    visits: z.array(visit).check(z.describe(`最近的下村记录，至多 ${PROFILE_VISITS} 条`)),
    nights: z.number().check(z.int(), z.describe('上述下村记录中住村的夜数')),
    notices: z.array(noticeSummary).check(z.describe(`文书，新的在前，至多 ${PROFILE_NOTICES} 份`)),
  }),
);

export type ProblemRecord = z.output<typeof problemRecord>;
export type CadreProfile = z.output<typeof cadreProfile>;
