import * as z from 'zod/mini';
import { PROBLEM_SEVERITIES, PROBLEM_STATUSES, VERIFICATION_OUTCOMES } from '../core/problems.ts';
import { PENALTY_TIERS, TIERS } from '../core/rules/terms.ts';
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
  // Copied from the problem when the event is written, for the weekly evaluation's reads by week.
  cadreId: z.string(),
  villageId: z.string(),
  townshipId: z.string(),
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

const weekTier = z.enum(TIERS);
const penaltyTier = z.enum(PENALTY_TIERS);

/** One reason behind a cadre's tier: an open problem (a false rectification weighs more), an absence, a commendation. */
export const tierReason = z.union([
  z.object({
    kind: z.literal('openProblem'),
    problemId: z.string(),
    severity,
    falseRectification: z.boolean().check(z.describe('是否有虚假整改（按加权计）')),
    falseRectifications: z.number().check(z.int(), z.describe('虚假整改次数')),
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
]);

/** A cadre's result in the latest finished week, as the weekly evaluation decided it. */
export const cadreWeekEvaluation = z.object({
  cadreId: z.string(),
  week: z.string().check(z.describe('ISO 周次（北京时间），如 2026-W47')),
  monday: z.string(),
  sunday: z.string(),
  asOf: z.string().check(z.describe('评定截至时刻（该周周日 24:00 北京时间，UTC）')),
  revision: z.number().check(z.int(), z.describe('修订号：1 为首次评定，之后每次修订加 1')),
  provisional: z.literal(false),
  ruleSetVersion: z.number().check(z.int()),
  evaluatedAt: z.string(),
  tier: weekTier,
  tierLabel: z.string().check(z.describe('档次（充分肯定、未列档次、检讨发言、提醒谈话、诫勉谈话）')),
  weightedCount: z.number().check(z.describe('加权问题数（虚假整改按规则加权）')),
  band: z.nullable(z.object({ min: z.number(), max: z.nullable(z.number()) })),
  explanation: z.string().check(z.describe('定档理由（一句话）')),
  reasons: z.array(tierReason),
  reasonsOmitted: z.number().check(z.int(), z.describe('超出上限未列出的理由条数')),
  circle: z.object({
    member: z.boolean().check(z.describe('是否在严圈内（进退严圈）')),
    movement: z.enum(['entered', 'stayed', 'deepened', 'eased', 'exited', 'outside']),
    movementLabel: z.string(),
    weeks: z.number().check(z.int(), z.describe('连续在圈周数（含本周）')),
    previousTier: z.nullable(weekTier),
    previousTierLabel: z.nullable(z.string()),
  }),
  remedialTraining: z
    .array(z.enum(['tier', 'consecutiveWeeks']))
    .check(z.describe('列为干部营养餐培训对象的原因')),
  talkNotice: z.nullable(penaltyTier),
  overdueDispatches: z.number().check(z.int()),
  majorFailureIds: z.array(z.string()),
});

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
  evaluation: z
    .nullable(cadreWeekEvaluation)
    .check(z.describe('最近一个已结束周的考评（档次、进退严圈及理由）；尚无考评时为 null')),
});

export type NewProblem = z.output<typeof newProblem>;
export type Problem = z.output<typeof problem>;
export type ProblemEvent = z.output<typeof problemEvent>;
export type ProblemListQuery = z.output<typeof problemListQuery>;
export type Standing = z.output<typeof standing>;
export type CadreWeekEvaluation = z.output<typeof cadreWeekEvaluation>;
