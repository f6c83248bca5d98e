import * as z from 'zod/mini';
import { PROBLEM_SEVERITIES, PROBLEM_STATUSES, VERIFICATION_OUTCOMES } from '../core/problems.ts';
import {
  calendarDate,
  dateRangeQuery,
  entityId,
  freeText,
  LIMITS,
  page,
  pageQuery,
  requiredText,
} from './common.ts';

/** Problems (问题), their rectifications (整改) and verifications (复核), and a cadre's standing. */
export const PROBLEM_DESCRIPTION_MAX = 500;

export const severity = z.enum(PROBLEM_SEVERITIES, {
  message: '问题等级只能是：minor（一般）、major（较重）、severe（严重）',
});
export const problemStatus = z.enum(PROBLEM_STATUSES, {
  message: '问题状态只能是：open（待整改）、awaiting_verification（待复核）、closed（已销号）',
});

/** A problem as submitted inside an inspection finding. */
export const newProblem = z.strictObject({
  description: requiredText(PROBLEM_DESCRIPTION_MAX).check(z.describe('问题描述')),
  severity,
  rectifyBy: z
    .optional(calendarDate)
    .check(z.describe('整改期限（北京日期，不早于督查日期；不填按问题等级默认）')),
});

export const createRectification = z.strictObject({
  note: requiredText(LIMITS.text).check(z.describe('整改情况说明')),
});

export const createVerification = z.strictObject({
  outcome: z.enum(VERIFICATION_OUTCOMES, {
    message: '复核结论只能是：accepted（整改到位）或 rejected（虚假整改）',
  }),
  note: z._default(freeText(LIMITS.text), '').check(z.describe('复核意见')),
});

export const problem = z.object({
  id: z.string(),
  inspectionId: z.string(),
  villageId: z.string(),
  townshipId: z.string(),
  cadreId: z.string(),
  dispatchId: z.optional(z.string()),
  description: z.string(),
  severity,
  foundOn: z.string().check(z.describe('发现日期（北京日期）')),
  rectifyBy: z.string().check(z.describe('整改期限（北京日期）')),
  status: problemStatus,
  falseRectifications: z.number().check(z.int(), z.describe('虚假整改次数')),
  rectifiedAt: z.optional(z.string()),
  verifiedAt: z.optional(z.string()),
  closedAt: z.optional(z.string()),
  lastEventId: z.string(),
  lastEventAt: z.optional(z.string()),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const problemEvent = z.object({
  id: z.string(),
  problemId: z.string(),
  kind: z.enum(['rectification', 'verification']),
  note: z.string(),
  outcome: z.optional(z.enum(VERIFICATION_OUTCOMES)),
  at: z.string(),
  by: z.string(),
  fromStatus: problemStatus,
  toStatus: problemStatus,
});

export const problemDetail = z.extend(problem, { events: z.array(problemEvent) });

export const rectificationResult = z.object({
  id: z.string(),
  problemId: z.string(),
  note: z.string(),
  at: z.string(),
  status: problemStatus,
});

export const verificationResult = z.object({
  id: z.string(),
  problemId: z.string(),
  outcome: z.enum(VERIFICATION_OUTCOMES),
  note: z.string(),
  at: z.string(),
  problemStatus,
  falseRectifications: z.number().check(z.int()),
});

/** `from` after `to` is a mistake worth telling, not an empty list. */
export function orderedRange<T extends { from?: string | undefined; to?: string | undefined }>(
  v: T,
  ctx: z.core.$RefinementCtx<T>,
) {
  if (v.from && v.to && v.from > v.to) {
    ctx.addIssue({
      code: 'custom',
      path: ['to'],
      message: '结束日期不能早于开始日期',
      params: { code: 'RANGE_REVERSED' },
    });
  }
}
export const problemListQuery = z
  .strictObject({
    ...pageQuery,
    ...dateRangeQuery,
    cadreId: z.optional(entityId),
    villageId: z.optional(entityId),
    townshipId: z.optional(entityId),
    status: z.optional(problemStatus),
    severity: z.optional(severity),
  })
  .check(z.superRefine(orderedRange));

export const problemPage = page(problem);

export const standing = z.object({
  cadreId: z.string(),
  asOf: z.string().check(z.describe('计算时刻（UTC）')),
  openProblems: z.array(problem).check(z.describe('未销号的问题（含待复核）')),
  openProblemCount: z.number().check(z.int()),
  falseRectifications: z.object({
    total: z.number().check(z.int(), z.describe('累计虚假整改次数')),
    onOpenProblems: z.number().check(z.int(), z.describe('未销号问题上的虚假整改次数')),
  }),
  overdueDispatches: z.array(
    z.object({
      dispatchId: z.string(),
      number: z.string(),
      title: z.string(),
      villageId: z.string(),
      deadline: z.string(),
      status: z.string(),
    }),
  ),
  counts: z.object({
    openProblems: z.number().check(z.int()),
    awaitingVerification: z.number().check(z.int()),
    overdueProblems: z.number().check(z.int()),
    closedProblems: z.number().check(z.int()),
    totalProblems: z.number().check(z.int()),
    openBySeverity: z.object({
      minor: z.number().check(z.int()),
      major: z.number().check(z.int()),
      severe: z.number().check(z.int()),
    }),
    falseRectifications: z.number().check(z.int()),
    overdueDispatches: z.number().check(z.int()),
  }),
});

export type NewProblem = z.output<typeof newProblem>;
export type Problem = z.output<typeof problem>;
export type ProblemEvent = z.output<typeof problemEvent>;
export type ProblemListQuery = z.output<typeof problemListQuery>;
export type Standing = z.output<typeof standing>;
