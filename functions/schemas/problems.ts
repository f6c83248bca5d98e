import * as z from 'zod/mini';
import { PROBLEM_SOURCE_LABELS, PROBLEM_SOURCES } from '../core/problem-categories.ts';
import { REJECTION_KINDS, VERIFICATION_OUTCOMES } from '../core/problems.ts';
import { PENALTY_TIERS, TIERS } from '../core/rules/terms.ts';
import {
  built,
  calendarDate,
  dateRangeQuery,
  entityId,
  freeText,
  LIMITS,
  page,
  pageQuery,
  requiredText,
} from './common.ts';
import { photoIds, photoRef } from './photos.ts';
import { problemStatus, severity, tierReason } from './problem-terms.ts';
import { nameSearch, queryFlag } from './search.ts';

/** Problems (问题), their rectifications (整改) and verifications (复核), and a cadre's standing. */
export { problemStatus, severity, tierReason };
export const PROBLEM_DESCRIPTION_MAX = 500;

export const problemSource = z.enum(PROBLEM_SOURCES, {
  message: `请选择问题来源：${Object.values(PROBLEM_SOURCE_LABELS).join('、')}`,
});
/** A category name; which names are allowed is the rule set's (checked against it at intake). */
export const problemCategory = requiredText(20);

/** A problem as submitted inside an inspection finding. */
export const newProblem = z.lazy(() =>
  z.strictObject({
    description: requiredText(PROBLEM_DESCRIPTION_MAX).check(z.describe('问题描述')),
    severity,
    category: z
      .optional(problemCategory)
      .check(
        z.describe('问题类别，须为督查日期当时规则所列之一（GET /rules：problemCategories，不填为默认类别）'),
      ),
    source: z
      .optional(problemSource)
      .check(
        z.describe('问题来源：inspection 督查发现、patrol 巡视巡察反馈、complaint 群众举报、self_check 自查'),
      ),
    absence: z
      .optional(z.boolean({ message: '请选择是否为缺岗问题' }))
      .check(z.describe('该问题记录的就是本次点名不在岗：与点名缺岗合并为一个问题，只计一次')),
    rectifyBy: z
      .optional(calendarDate)
      .check(z.describe('整改期限（北京日期，不早于督查日期；不填按问题等级默认）')),
    photoIds: z.optional(photoIds),
  }),
);

export const createRectification = z.lazy(() =>
  z.strictObject({
    note: requiredText(LIMITS.text).check(z.describe('整改情况说明')),
    photoIds: z.optional(photoIds),
  }),
);

export const rejectionKind = z.enum(REJECTION_KINDS, {
  message: '请选择不通过的类型：整改不到位或虚假整改',
});

const verificationFields = {
  outcome: z.enum(VERIFICATION_OUTCOMES, {
    message: '请选择复核结论：整改到位或不通过',
  }),
  kind: z
    .optional(rejectionKind)
    .check(
      z.describe(
        '不通过的类型（仅 rejected）：incomplete 整改不到位（给新的整改期限，按一般未销号问题计一次）；false 虚假整改（按规则加权）。不填按 false',
      ),
    ),
  rectifyBy: z
    .optional(calendarDate)
    .check(z.describe('整改不到位时的新整改期限（北京日期，不早于今天）；不填按问题等级的整改天数从今天算')),
  note: z
    ._default(freeText(LIMITS.text), '')
    .check(z.describe('复核意见；不通过时必填（否则 400 NOTE_REQUIRED）')),
};

/** Kind and a new deadline belong to a rejection; a deadline only to 整改不到位. */
function verificationConsistency(
  v: { outcome: string; kind?: string | undefined; rectifyBy?: string | undefined },
  ctx: z.core.$RefinementCtx<{ outcome: string; kind?: string | undefined; rectifyBy?: string | undefined }>,
) {
  if (v.outcome === 'accepted' && v.kind !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['kind'],
      message: '整改到位的不需要选择不通过的类型',
      params: { code: 'KIND_NOT_ALLOWED' },
    });
  }
  if (v.rectifyBy !== undefined && !(v.outcome === 'rejected' && v.kind === 'incomplete')) {
    ctx.addIssue({
      code: 'custom',
      path: ['rectifyBy'],
      message: '只有认定为整改不到位时才能重新规定整改期限',
      params: { code: 'RECTIFY_BY_NOT_ALLOWED' },
    });
  }
}

export const createVerification = z.lazy(() =>
  z.strictObject(verificationFields).check(z.superRefine(verificationConsistency)),
);

/**
 * The inspector's verification form: the same body, but a rejection must say its kind and why (the
 * API takes a rejection without a kind as 虚假整改, as before kinds; the form always asks).
 */
export const verificationForm = z.lazy(() =>
  z.strictObject(verificationFields).check(
    z.superRefine(verificationConsistency),
    z.superRefine((v, ctx) => {
      if (v.outcome !== 'rejected') return;
      if (v.kind === undefined) {
        ctx.addIssue({
          code: 'custom',
          path: ['kind'],
          message: '请选择不通过的类型：整改不到位或虚假整改',
          params: { code: 'KIND_REQUIRED' },
        });
      }
      if (v.note.trim() === '') {
        ctx.addIssue({
          code: 'custom',
          path: ['note'],
          message: NOTE_REQUIRED_MESSAGE,
          params: { code: 'NOTE_REQUIRED' },
        });
      }
    }),
  ),
);

export const NOTE_REQUIRED_MESSAGE = '不通过的，请在复核意见中写明整改哪里不到位或不实';

/** POST /problems/{id}/extensions: HQ moves a deadline (延期). */
export const EXTENSION_REASON_MAX = 500;
export const createExtension = z.lazy(() =>
  z.strictObject({
    rectifyBy: calendarDate.check(z.describe('新的整改期限（北京日期）：须晚于原期限，且不早于今天')),
    reason: requiredText(EXTENSION_REASON_MAX).check(z.describe('延期原因')),
  }),
);

export const problemExtension = z.lazy(() =>
  z.object({
    id: z.string(),
    problemId: z.string(),
    at: z.string(),
    by: z.string(),
    byName: z.optional(z.string()),
    from: z.string().check(z.describe('原整改期限')),
    rectifyBy: z.string().check(z.describe('新整改期限')),
    reason: z.string(),
  }),
);

export const problemVoid = z.lazy(() =>
  z.object({
    at: z.string(),
    by: z.string(),
    reason: z.string(),
    inspectionId: z.string(),
  }),
);

export const problem = z.lazy(() =>
  z.object({
    id: z.string(),
    inspectionId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    cadreId: z.string(),
    dispatchId: z.optional(z.string()),
    description: z.string(),
    severity,
    category: z.optional(z.string().check(z.describe('问题类别'))),
    source: z.optional(problemSource),
    sourceLabel: z.optional(z.string().check(z.describe('问题来源（中文）'))),
    absence: z.optional(z.boolean().check(z.describe('记录本次点名不在岗的问题（与缺岗只计一次）'))),
    repeat: z.optional(
      z
        .object({
          of: z.array(z.string()).check(z.describe('此前同一干部的同类问题')),
          weeks: z.number().check(z.int(), z.describe('规则规定的周数')),
        })
        .check(z.describe('同类问题在规定周数内重复发生（屡查屡犯）')),
    ),
    foundOn: z.string().check(z.describe('发现日期（北京日期）')),
    rectifyBy: z.string().check(z.describe('整改期限（北京日期）')),
    status: problemStatus,
    falseRectifications: z.number().check(z.int(), z.describe('虚假整改次数')),
    incompleteRectifications: z.optional(
      z.number().check(z.int(), z.describe('复核认定整改不到位的次数（不计虚假整改）')),
    ),
    initialRectifyBy: z.optional(z.string().check(z.describe('最初的整改期限（期限改过才有）'))),
    voided: z.optional(problemVoid).check(z.describe('所属督查已作废：不再计入考评，记录保留')),
    photoIds: z.optional(z.array(z.string()).check(z.describe('发现问题时拍的照片（GET /photos/{id}）'))),
    rectifiedAt: z.optional(z.string()),
    verifiedAt: z.optional(z.string()),
    closedAt: z.optional(z.string()),
    lastEventId: z.string(),
    lastEventAt: z.optional(z.string()),
    createdAt: z.string(),
    updatedAt: z.string(),
  }),
);

export const problemEvent = z.lazy(() =>
  z.object({
    id: z.string(),
    problemId: z.string(),
    kind: z.enum(['rectification', 'verification']),
    note: z.string(),
    outcome: z.optional(z.enum(VERIFICATION_OUTCOMES)),
    rejectionKind: z
      .optional(z.enum(REJECTION_KINDS))
      .check(z.describe('不通过的类型：incomplete 整改不到位、false 虚假整改（旧记录没有此字段，即 false）')),
    rectifyBy: z.optional(z.string().check(z.describe('整改不到位时规定的新整改期限'))),
    photoIds: z.optional(z.array(z.string()).check(z.describe('整改照片'))),
    photos: z.optional(z.array(photoRef).check(z.describe('整改照片（带短时有效的链接）'))),
    at: z.string(),
    by: z.string(),
    byName: z.optional(z.string().check(z.describe('整改人或复核人的姓名'))),
    fromStatus: problemStatus,
    toStatus: problemStatus,
    // Copied from the problem when the event is written, for the weekly evaluation's reads by week.
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
  }),
);

export const problemDetail = z.lazy(() =>
  z.extend(built(problem), {
    photos: z.optional(z.array(photoRef).check(z.describe('发现问题时的照片（带短时有效的链接）'))),
    events: z.array(problemEvent),
    extensions: z.optional(z.array(problemExtension)).check(z.describe('延期记录，最早在前')),
  }),
);

export const rectificationResult = z.lazy(() =>
  z.object({
    id: z.string(),
    problemId: z.string(),
    note: z.string(),
    at: z.string(),
    status: problemStatus,
    photos: z.optional(z.array(photoRef).check(z.describe('整改照片（带短时有效的链接）'))),
  }),
);

export const verificationResult = z.lazy(() =>
  z.object({
    id: z.string(),
    problemId: z.string(),
    outcome: z.enum(VERIFICATION_OUTCOMES),
    kind: z.optional(z.enum(REJECTION_KINDS)).check(z.describe('不通过的类型（仅 rejected）')),
    rectifyBy: z.optional(z.string().check(z.describe('问题现在的整改期限（整改不到位时为新期限）'))),
    note: z.string(),
    at: z.string(),
    problemStatus,
    falseRectifications: z.number().check(z.int()),
  }),
);

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
export const problemListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      ...dateRangeQuery,
      cadreId: z.optional(entityId),
      villageId: z.optional(entityId),
      townshipId: z.optional(entityId),
      status: z.optional(problemStatus),
      severity: z.optional(severity),
      category: z.optional(problemCategory).check(z.describe('问题类别')),
      source: z.optional(problemSource),
      overdue: z
        .optional(queryFlag('请选择是否只看逾期未整改的问题'))
        .check(z.describe('true：只列出已过整改期限、尚未销号的问题')),
      q: z.optional(nameSearch),
    })
    .check(z.superRefine(orderedRange)),
);

export const problemPage = z.lazy(() => page(problem));

const weekTier = z.enum(TIERS);
const penaltyTier = z.enum(PENALTY_TIERS);

/** One reason behind a cadre's tier: an open problem (a false rectification weighs more), an absence, a commendation. */
/** A cadre's result in the latest finished week, as the weekly evaluation decided it. */
export const cadreWeekEvaluation = z.lazy(() =>
  z.object({
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
      held: z.optional(
        z
          .object({ reason: z.enum(['trainingIncomplete']), since: z.string() })
          .check(z.describe('因未完成干部营养餐培训仍留严圈；since 为本次进圈的周一')),
      ),
    }),
    remedialTraining: z
      .array(z.enum(['tier', 'consecutiveWeeks', 'trainingIncomplete']))
      .check(z.describe('列为干部营养餐培训对象的原因')),
    talkNotice: z.nullable(penaltyTier),
    overdueDispatches: z.number().check(z.int()),
    majorFailureIds: z.array(z.string()),
  }),
);

export const standing = z.lazy(() =>
  z.object({
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
  }),
);

export type NewProblem = z.output<typeof newProblem>;
export type Problem = z.output<typeof problem>;
export type ProblemEvent = z.output<typeof problemEvent>;
export type ProblemExtension = z.output<typeof problemExtension>;
export type CreateExtension = z.output<typeof createExtension>;
export type ProblemListQuery = z.output<typeof problemListQuery>;
export type Standing = z.output<typeof standing>;
export type CadreWeekEvaluation = z.output<typeof cadreWeekEvaluation>;
