import * as z from 'zod/mini';
import { PROBLEM_SEVERITIES, PROBLEM_STATUSES } from '../core/problems.ts';

/**
 * A problem's severity and status, and why a cadre stands in a tier: the parts of the problem
 * schemas that bulletins and evaluations refer to, apart from schemas/problems.ts so the bulletins
 * function does not load every problem schema with them (docs/deploy.md §9). problems.ts re-exports them.
 */
export const severity = z.enum(PROBLEM_SEVERITIES, {
  message: '请选择问题等级：一般、较重或严重',
});
export const problemStatus = z.enum(PROBLEM_STATUSES, {
  message: '请选择问题状态：待整改、待复核或已销号',
});

export const tierReason = z.lazy(() =>
  z.union([
    z.object({
      kind: z.literal('openProblem'),
      problemId: z.string(),
      severity,
      falseRectification: z.boolean().check(z.describe('是否有虚假整改（按加权计）')),
      falseRectifications: z.number().check(z.int(), z.describe('虚假整改次数')),
      repeatOf: z.optional(z.array(z.string()).check(z.describe('同类问题重复发生：此前的同类问题'))),
      weight: z.number().check(z.describe('计入档次的个数')),
    }),
    z.object({
      kind: z.literal('absence'),
      inspectionId: z.string(),
      date: z.string(),
      severity,
      weight: z.number(),
    }),
    z.object({ kind: z.literal('commendation'), inspectionId: z.string(), date: z.string() }),
    z.object({
      kind: z.literal('visitShortfall'),
      villageId: z.string(),
      required: z.number().check(z.describe('本周应驻村次数')),
      made: z.number().check(z.describe('本周实际驻村次数')),
      weight: z.number(),
    }),
  ]),
);
