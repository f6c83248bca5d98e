import * as z from 'zod/mini';
import { TIERS } from '../core/rules/terms.ts';
import { assignment } from './assignments.ts';
import { noticeSummary } from './problem-record.ts';
import { problem } from './problems.ts';
import { cadre } from './roster.ts';
import { visit } from './visits.ts';

/**
 * HQ's view of whole records: a problem with everything that happened to it, and a cadre's profile.
 * What a record adds here is optional on the wire shapes it extends, so other work on the same
 * records (photos, extensions) adds beside it.
 */

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

export type CadreProfile = z.output<typeof cadreProfile>;
