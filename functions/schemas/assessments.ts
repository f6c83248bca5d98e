/**
 * Assessment binding (考核捆绑) on the wire: periods (`2026-Q4`, `2026`), the scorecards of
 * `GET /assessments/{period}`, the village results HQ enters, and the versioned scheme (考核办法).
 */
import * as z from 'zod/mini';
import {
  ASSESSMENT_ITEM_LABELS,
  ASSESSMENT_ITEMS,
  type AssessmentItem,
  type AssessmentSchemeInput,
  EXIT_GRADE_LABELS,
  EXIT_GRADES,
  parsePeriod,
} from '../core/assessment.ts';
import { built, calendarDate, entityId, freeText, LIMITS, orList } from './common.ts';

export const assessmentPeriod = z.string({ message: '请填写考核期' }).check(
  z.refine((s) => parsePeriod(s) !== undefined, {
    message: '考核期应写成季度或年度，如 2026-Q4（2026年第四季度）或 2026（2026年度）',
    params: { code: 'INVALID_PERIOD' },
  }),
);

export const periodParams = z.lazy(() => z.strictObject({ period: assessmentPeriod }));
export const villageResultsParams = z.lazy(() =>
  z.strictObject({ period: assessmentPeriod, villageId: entityId }),
);

const exitGrade = z.enum(EXIT_GRADES, {
  message: `请选择成效考核结果：${orList(EXIT_GRADES.map((g) => EXIT_GRADE_LABELS[g]))}`,
});

export const villageResultsInput = z.lazy(() =>
  z
    .strictObject({
      exitAssessment: z
        .optional(z.nullable(exitGrade))
        .check(
          z.describe(
            '脱贫攻坚成效考核结果：good 好、fairlyGood 较好、average 一般、poor 较差；null 或不填为未录入',
          ),
        ),
      satisfaction: z
        .optional(
          z.nullable(
            z
              .number({ message: '满意度须为数字' })
              .check(z.gte(0, '满意度不能小于 0'), z.lte(100, '满意度不能大于 100')),
          ),
        )
        .check(z.describe('群众满意度测评得分（0–100）；null 或不填为未录入')),
      note: z.optional(z.nullable(freeText(LIMITS.shortText))).check(z.describe('备注')),
    })
    .check(
      z.refine((b) => (b.exitAssessment ?? null) !== null || (b.satisfaction ?? null) !== null, {
        message: '请至少录入成效考核结果或满意度中的一项',
        path: ['exitAssessment'],
        params: { code: 'RESULTS_REQUIRED' },
      }),
    ),
);

export const villageResultsView = z.lazy(() =>
  z.object({
    period: z.string(),
    villageId: z.string(),
    exitAssessment: z.nullable(z.enum(EXIT_GRADES)),
    satisfaction: z.nullable(z.number()),
    note: z.nullable(z.string()),
    updatedAt: z.string(),
    updatedBy: z.string(),
    changed: z.boolean().check(z.describe('false：与已录入的结果相同，未作修改（重试安全）')),
  }),
);

const breakdownRow = z.object({
  item: z
    .enum([...ASSESSMENT_ITEMS, 'village'])
    .check(z.describe('考核项目；village 为所在村成效（捆绑）或单位所包的村')),
  label: z.string(),
  raw: z
    .nullable(z.union([z.number(), z.string()]))
    .check(z.describe('实际数值（次数、比例 0–1、天数、等次或得分）')),
  points: z.nullable(z.number()).check(z.describe('该项得分 0–100；null 为本期不适用，不计入')),
  weight: z.number(),
  contribution: z.number().check(z.describe('该项计入总分的分值')),
  villageId: z.optional(z.string()),
});

const category = z.enum(['deep', 'general', 'non']);

export const assessmentView = z.lazy(() =>
  z.object({
    period: z.string(),
    label: z.string().check(z.describe('考核期名称，如 2026年第四季度')),
    from: z.string(),
    to: z.string(),
    provisional: z.boolean().check(z.describe('考核期尚未结束，得分随记录变化')),
    schemeVersion: z.number(),
    villages: z.array(
      z.object({
        villageId: z.string(),
        name: z.string(),
        townshipId: z.string(),
        townshipName: z.nullable(z.string()),
        category,
        score: z.number(),
        rank: z.number(),
        breakdown: z.array(breakdownRow),
        results: z.nullable(
          z.object({ exitAssessment: z.nullable(z.enum(EXIT_GRADES)), satisfaction: z.nullable(z.number()) }),
        ),
      }),
    ),
    cadres: z.array(
      z.object({
        cadreId: z.string(),
        name: z.string(),
        role: z.enum(['chief', 'member']),
        townshipId: z.nullable(z.string()),
        unitId: z.nullable(z.string()),
        unitName: z.nullable(z.string()),
        villageIds: z.array(z.string()),
        score: z.number(),
        rank: z.number(),
        breakdown: z.array(breakdownRow),
      }),
    ),
    units: z.array(
      z.object({
        unitId: z.string(),
        name: z.string(),
        cadreIds: z.array(z.string()),
        villageIds: z.array(z.string()),
        score: z.number(),
        rank: z.number(),
        breakdown: z.array(breakdownRow),
      }),
    ),
  }),
);

export const assessmentQuery = z.lazy(() =>
  z.strictObject({
    townshipId: z.optional(entityId).check(z.describe('只看某乡镇（分管多个乡镇的县级领导须选择）')),
  }),
);

const weight = (label: string) =>
  z
    .number({ message: `${label}的权重须为数字` })
    .check(z.gte(0, `${label}的权重不能小于 0`), z.lte(100, `${label}的权重不能大于 100`));
const num = (what: string, max: number) =>
  z
    .number({ message: `${what}须为数字` })
    .check(z.gte(0, `${what}不能小于 0`), z.lte(max, `${what}不能大于 ${max}`));
const shareOf = (what: string) =>
  z
    .number({ message: `${what}须为数字` })
    .check(z.gte(0, `${what}不能小于 0`), z.lte(1, `${what}不能大于 1`));

const weights = z.strictObject(
  Object.fromEntries(ASSESSMENT_ITEMS.map((i) => [i, weight(ASSESSMENT_ITEM_LABELS[i])])) as Record<
    AssessmentItem,
    ReturnType<typeof weight>
  >,
);

export const assessmentSchemeInput = z.lazy(() =>
  z.strictObject({
    effectiveFrom: calendarDate.check(z.describe('生效日期：某季度的第一天，此后开始的考核期按本版本计分')),
    note: z.optional(freeText(LIMITS.shortText)),
    weights: weights.check(z.describe('各考核项目的权重')),
    params: z.strictObject({
      severityWeights: z.strictObject({
        minor: num('一般问题的计数', 10),
        major: num('较重问题的计数', 10),
        severe: num('严重问题的计数', 10),
      }),
      pointsPerProblem: num('每个问题扣分', 100),
      verifyTargetDays: num('整改复核目标天数', 365),
      pointsPerDayLate: num('每超一天扣分', 100),
      pointsPerFalseRectification: num('每次虚假整改扣分', 100),
      visitsPerWeek: num('每周下村次数（规则未规定时）', 7),
      nightsPerWeek: num('每周住村夜数', 7),
      directReportsPerQuarter: num('每季度信息直报条数', 100),
      reminderTalkPoints: num('每次提醒谈话扣分', 100),
      admonishmentTalkPoints: num('每次诫勉谈话扣分', 100),
      exitGradePoints: z.strictObject({
        good: num('“好”的得分', 100),
        fairlyGood: num('“较好”的得分', 100),
        average: num('“一般”的得分', 100),
        poor: num('“较差”的得分', 100),
      }),
    }),
    binding: z
      .strictObject({ chief: shareOf('总队长捆绑比例'), member: shareOf('队员捆绑比例') })
      .check(z.describe('干部得分中所在村得分所占比例（0–1）')),
  }),
);

export const assessmentScheme = z.lazy(() =>
  z.extend(built(assessmentSchemeInput), {
    version: z.number(),
    createdAt: z.optional(z.string()),
    createdBy: z.optional(z.string()),
  }),
);

export const assessmentSchemeIndex = z.lazy(() =>
  z.object({
    current: assessmentScheme,
    versions: z.array(assessmentScheme),
  }),
);

/** The assessment 通报 as issued: its notice record and where to download it. */
export const assessmentNoticeView = z.lazy(() =>
  z.object({
    id: z.string(),
    number: z.string(),
    title: z.string(),
    downloads: z.object({ html: z.string(), pdf: z.optional(z.string()) }),
  }),
);

// The compiler checks the wire and the engine agree.
type Agree<A, B> = A extends B ? (B extends A ? true : never) : never;
const _schemeAgrees: Agree<
  Omit<z.infer<typeof assessmentSchemeInput>, 'note'>,
  Omit<AssessmentSchemeInput, 'note'>
> = true;
void _schemeAgrees;
