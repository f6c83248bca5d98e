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
import * as z from 'zod';

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
  description: requiredText(PROBLEM_DESCRIPTION_MAX).describe('问题描述'),
  severity,
  rectifyBy: calendarDate.optional().describe('整改期限（北京日期，不早于督查日期；不填按问题等级默认）'),
});

export const createRectification = z.strictObject({
  note: requiredText(LIMITS.text).describe('整改情况说明'),
});

export const createVerification = z.strictObject({
  outcome: z.enum(VERIFICATION_OUTCOMES, {
    message: '复核结论只能是：accepted（整改到位）或 rejected（虚假整改）',
  }),
  note: freeText(LIMITS.text).default('').describe('复核意见'),
});

export const problem = z.object({
  id: z.string(),
  inspectionId: z.string(),
  villageId: z.string(),
  townshipId: z.string(),
  cadreId: z.string(),
  dispatchId: z.string().optional(),
  description: z.string(),
  severity,
  foundOn: z.string().describe('发现日期（北京日期）'),
  rectifyBy: z.string().describe('整改期限（北京日期）'),
  status: problemStatus,
  falseRectifications: z.number().int().describe('虚假整改次数'),
  rectifiedAt: z.string().optional(),
  verifiedAt: z.string().optional(),
  closedAt: z.string().optional(),
  lastEventId: z.string(),
  lastEventAt: z.string().optional(),
  createdAt: z.string(),
  updatedAt: z.string(),
});

export const problemEvent = z.object({
  id: z.string(),
  problemId: z.string(),
  kind: z.enum(['rectification', 'verification']),
  note: z.string(),
  outcome: z.enum(VERIFICATION_OUTCOMES).optional(),
  at: z.string(),
  by: z.string(),
  fromStatus: problemStatus,
  toStatus: problemStatus,
});

export const problemDetail = problem.extend({ events: z.array(problemEvent) });

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
  falseRectifications: z.number().int(),
});

/** `from` after `to` is a mistake worth telling, not an empty list. */
export function orderedRange<T extends { from?: string | undefined; to?: string | undefined }>(
  v: T,
  ctx: z.RefinementCtx,
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
    cadreId: entityId.optional(),
    villageId: entityId.optional(),
    townshipId: entityId.optional(),
    status: problemStatus.optional(),
    severity: severity.optional(),
  })
  .superRefine(orderedRange);

export const problemPage = page(problem);

export const standing = z.object({
  cadreId: z.string(),
  asOf: z.string().describe('计算时刻（UTC）'),
  openProblems: z.array(problem).describe('未销号的问题（含待复核）'),
  openProblemCount: z.number().int(),
  falseRectifications: z.object({
    total: z.number().int().describe('累计虚假整改次数'),
    onOpenProblems: z.number().int().describe('未销号问题上的虚假整改次数'),
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
    openProblems: z.number().int(),
    awaitingVerification: z.number().int(),
    overdueProblems: z.number().int(),
    closedProblems: z.number().int(),
    totalProblems: z.number().int(),
    openBySeverity: z.object({ minor: z.number().int(), major: z.number().int(), severe: z.number().int() }),
    falseRectifications: z.number().int(),
    overdueDispatches: z.number().int(),
  }),
});

export type NewProblem = z.output<typeof newProblem>;
export type Problem = z.output<typeof problem>;
export type ProblemEvent = z.output<typeof problemEvent>;
export type ProblemListQuery = z.output<typeof problemListQuery>;
export type Standing = z.output<typeof standing>;
