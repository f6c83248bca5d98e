/**
 * The accountability rule set as data. An admin reads and replaces it through the API; the product ships
 * a default (core/rules/rule-set.ts). Each version applies from a Monday and never rewrites earlier weeks.
 * `ruleSetInput` is what an admin sends (the server assigns `version`); `ruleSet` is what is stored.
 */

import * as z from 'zod/mini';
import { isMonday } from '../core/rules/calendar.ts';
import type { MajorFailureType, RuleSet, RuleSetInput } from '../core/rules/rule-set.ts';
import {
  CONSEQUENCE_LABELS,
  CONSEQUENCE_RANK,
  CONSEQUENCES,
  PENALTY_TIERS,
  type PenaltyTier,
  SEVERITIES,
  SEVERITY_LABELS,
  TIER_LABELS,
} from '../core/rules/terms.ts';
import { calendarDate, freeText, LIMITS, nameText, orList } from './common.ts';

const int = (what: string, min: number, max: number) =>
  z
    .number({ message: `${what}须为数字` })
    .check(
      z.int(`${what}须为整数`),
      z.gte(min, `${what}不能小于 ${min}`),
      z.lte(max, `${what}不能大于 ${max}`),
    );

const severity = z.enum(SEVERITIES, {
  message: `请选择严重程度：${orList(SEVERITIES.map((s) => SEVERITY_LABELS[s]))}`,
});
const penaltyTier = z.enum(PENALTY_TIERS, {
  message: `请选择档次：${orList(PENALTY_TIERS.map((t) => TIER_LABELS[t]))}`,
});
const consequence = z.enum(CONSEQUENCES, {
  message: `请选择处理方式：${orList(CONSEQUENCES.map((c) => CONSEQUENCE_LABELS[c]))}`,
});

const MAX_COUNT = 1000;
/** A closed band of weighted problem counts, e.g. 1–2. */
const band = z.strictObject({
  min: int('下限', 1, MAX_COUNT).check(z.describe('加权问题数下限（含）')),
  max: int('上限', 1, MAX_COUNT).check(z.describe('加权问题数上限（含）')),
});
/** The heaviest tier has no upper bound: "5 or more". */
const openBand = z.strictObject({
  min: int('下限', 1, MAX_COUNT).check(z.describe('加权问题数下限（含），无上限')),
});

export const majorFailureType = z.lazy(() =>
  z.strictObject({
    code: z
      .string({ message: '代码须为文字' })
      .check(
        z.regex(/^[a-z][a-z0-9_]{1,39}$/, '代码只能包含小写字母、数字和下划线，以字母开头，2–40 个字符'),
      ),
    name: nameText(40).check(z.describe('失误类型名称，如“人畜饮水中断”')),
    description: z.optional(freeText(LIMITS.shortText)),
    consequence: consequence.check(z.describe('一般情形的处理')),
    seriousConsequence: z.optional(consequence).check(z.describe('情节严重时的处理；不填则与一般情形相同')),
  }),
);

const shape = {
  effectiveFrom: calendarDate.check(
    z.refine(isMonday, { message: '生效日期须为星期一：规则按整周生效', params: { code: 'NOT_MONDAY' } }),
    z.describe('生效日期（北京时间，星期一）；此前各周仍按原规则'),
  ),
  note: z.optional(freeText(LIMITS.shortText)).check(z.describe('本版规则说明')),
  tiers: z
    .strictObject({
      selfCriticism: band.check(z.describe('检讨发言')),
      reminderTalk: band.check(z.describe('提醒谈话')),
      admonishmentTalk: openBand.check(z.describe('诫勉谈话')),
    })
    .check(z.describe('按干部名下未销号问题的加权个数对号入座')),
  falseRectificationWeight: int('虚假整改权重', 1, 10).check(z.describe('一个虚假整改的问题按几个问题计')),
  commendation: z.strictObject({
    enabled: z.boolean({ message: '请选择是否启用' }),
    minCommendations: int('肯定次数', 1, 20).check(z.describe('本周督查组肯定至少几次（且无未销号问题）')),
  }),
  colors: z.strictObject({
    yellowWithinDays: int('黄色预警天数', 0, 60).check(z.describe('未完成且距期限不超过几天为黄色')),
    redSeverities: z
      .array(severity)
      .check(z.maxLength(SEVERITIES.length, '严重程度最多 3 项'), z.describe('未销号即为红色的严重程度')),
  }),
  rectificationDays: z
    .strictObject({
      minor: int('一般问题整改天数', 1, 365),
      major: int('较重问题整改天数', 1, 365),
      severe: int('严重问题整改天数', 1, 365),
    })
    .check(z.describe('未指定整改期限时，自发现之日起的整改天数')),
  absenceIsProblem: z
    .strictObject({ enabled: z.boolean({ message: '请选择是否启用' }), severity })
    .check(z.describe('点名（数人头）不在岗是否本身即计为一个问题')),
  majorFailures: z
    .array(majorFailureType)
    .check(
      z.minLength(1, '至少定义一种重大失误'),
      z.maxLength(50, '重大失误类型不能超过 50 种'),
      z.describe('事先界定的重大失误类型及处理'),
    ),
  circle: z.strictObject({
    tiers: z
      .array(penaltyTier)
      .check(z.minLength(1, '至少一个档次'), z.maxLength(PENALTY_TIERS.length, '档次最多 3 个')),
  }),
  remedialTraining: z
    .strictObject({
      tiers: z
        .array(penaltyTier)
        .check(z.maxLength(PENALTY_TIERS.length, '档次最多 3 个'), z.describe('处于这些档次即列为培训对象')),
      minConsecutiveCircleWeeks: int('连续在圈周数', 1, 52).check(
        z.describe('连续在圈达到该周数即列为培训对象'),
      ),
      completionRequiredToLeave: z
        .optional(z.boolean({ message: '请选择是否要求培训完成方可出圈' }))
        .check(
          z.describe('培训对象须完成一次干部营养餐培训方可出圈；不填或 false 为不要求（第 1 版不要求）'),
        ),
    })
    .check(z.describe('“干部营养餐”教育培训拟定对象')),
  visitMinimum: z
    .optional(
      z.nullable(
        z.strictObject({
          deep: int('深度贫困村每周驻村次数', 0, 14),
          general: int('一般贫困村每周驻村次数', 0, 14),
          non: int('非贫困村每周驻村次数', 0, 14),
        }),
      ),
    )
    .check(
      z.describe(
        '每周驻村最低次数（按村类别，每个干部每个所包村）；不足的每村计 1 个问题。不填、null 或 0 为不要求',
      ),
    ),
  articles: z
    .optional(
      z.strictObject({
        rectification: z.optional(int('整改期限条款序号', 1, 200)),
        tiers: z.optional(int('对号入座条款序号', 1, 200)),
        falseRectification: z.optional(int('虚假整改条款序号', 1, 200)),
        colors: z.optional(int('三色清单条款序号', 1, 200)),
        majorFailures: z.optional(int('重大失误条款序号', 1, 200)),
        commendation: z.optional(int('充分肯定条款序号', 1, 200)),
      }),
    )
    .check(z.describe('各项规则在问责办法中的条款序号（第X条），文书据此引用；不填的用默认条款')),
  problemCategories: z
    .optional(
      z
        .array(nameText(20))
        .check(z.minLength(1, '至少一个问题类别'), z.maxLength(30, '问题类别不能超过 30 个')),
    )
    .check(
      z.describe(
        '问题类别（督查录入问题时选择）；不填为默认：档案资料、项目推进、产业覆盖、政策落实、作风纪律、其他',
      ),
    ),
  repeats: z
    .optional(
      z.strictObject({
        withinWeeks: int('重复发生的周数', 0, 52).check(
          z.describe('同一干部同类问题在几周内再次发现即为重复发生；0 为不标记'),
        ),
        weight: int('重复发生权重', 1, 10).check(z.describe('重复发生的问题按几个问题计；1 为不加权')),
      }),
    )
    .check(z.describe('同类问题重复发生（屡查屡犯）；不填为 8 周内、按 1 个计')),
  villageColors: z
    .optional(
      z.strictObject({
        redItems: int('红色村的红色事项数', 1, 100).check(z.describe('红色事项达到几项，村为红色')),
        yellowItems: int('黄色村的黄色事项数', 1, 100).check(z.describe('黄色事项达到几项，村为黄色')),
        redOpenItems: z
          .nullable(int('红色村的未办结事项数', 1, 1000))
          .check(z.describe('未办结事项达到几项即为红色；null 为不按总数')),
      }),
    )
    .check(z.describe('村级红黄绿：按村内未办结事项的颜色定村的颜色；不填为有 1 项红色即红、1 项黄色即黄')),
};

type Body = z.output<z.ZodMiniObject<typeof shape>>;

function issue(ctx: z.core.$RefinementCtx, path: (string | number)[], code: string, message: string) {
  ctx.addIssue({ code: 'custom', path, message, params: { code } });
}

function duplicates<T>(items: readonly T[]): Set<number> {
  const seen = new Set<T>();
  const out = new Set<number>();
  items.forEach((item, i) => {
    if (seen.has(item)) out.add(i);
    seen.add(item);
  });
  return out;
}

/** Rules that span fields: contiguous increasing bands, sane deadlines, unique names, a well-formed circle. */
function checkConsistency(rs: Body, ctx: z.core.$RefinementCtx<Body>): void {
  const { selfCriticism, reminderTalk, admonishmentTalk } = rs.tiers;
  if (selfCriticism.max < selfCriticism.min)
    issue(ctx, ['tiers', 'selfCriticism', 'max'], 'BAND_INVERTED', '上限不能小于下限');
  if (reminderTalk.max < reminderTalk.min)
    issue(ctx, ['tiers', 'reminderTalk', 'max'], 'BAND_INVERTED', '上限不能小于下限');
  if (reminderTalk.min !== selfCriticism.max + 1)
    issue(
      ctx,
      ['tiers', 'reminderTalk', 'min'],
      'TIERS_NOT_CONTIGUOUS',
      `提醒谈话的下限须紧接检讨发言的上限，应为 ${selfCriticism.max + 1}`,
    );
  if (admonishmentTalk.min !== reminderTalk.max + 1)
    issue(
      ctx,
      ['tiers', 'admonishmentTalk', 'min'],
      'TIERS_NOT_CONTIGUOUS',
      `诫勉谈话的下限须紧接提醒谈话的上限，应为 ${reminderTalk.max + 1}`,
    );

  const days = rs.rectificationDays;
  if (days.major > days.minor)
    issue(ctx, ['rectificationDays', 'major'], 'DEADLINE_ORDER', '较重问题的整改期限不能长于一般问题');
  if (days.severe > days.major)
    issue(ctx, ['rectificationDays', 'severe'], 'DEADLINE_ORDER', '严重问题的整改期限不能长于较重问题');

  for (const i of duplicates(rs.colors.redSeverities))
    issue(ctx, ['colors', 'redSeverities', i], 'DUPLICATE', '重复的严重程度');

  for (const i of duplicates(rs.majorFailures.map((t) => t.code)))
    issue(ctx, ['majorFailures', i, 'code'], 'DUPLICATE', '重大失误代码重复');
  for (const i of duplicates(rs.majorFailures.map((t) => t.name)))
    issue(ctx, ['majorFailures', i, 'name'], 'DUPLICATE', '重大失误名称重复');
  rs.majorFailures.forEach((t, i) => {
    if (t.seriousConsequence && CONSEQUENCE_RANK[t.seriousConsequence] < CONSEQUENCE_RANK[t.consequence])
      issue(
        ctx,
        ['majorFailures', i, 'seriousConsequence'],
        'CONSEQUENCE_ORDER',
        '情节严重时的处理不能轻于一般情形',
      );
  });

  for (const i of duplicates(rs.problemCategories ?? []))
    issue(ctx, ['problemCategories', i], 'DUPLICATE', '问题类别重复');

  for (const i of duplicates(rs.circle.tiers)) issue(ctx, ['circle', 'tiers', i], 'DUPLICATE', '档次重复');
  // The circle is the heavy end of the scale: a cadre must not leave it by getting worse.
  const circle = new Set<PenaltyTier>(rs.circle.tiers);
  const lightest = PENALTY_TIERS.findIndex((t) => circle.has(t));
  if (lightest >= 0 && PENALTY_TIERS.slice(lightest).some((t) => !circle.has(t)))
    issue(ctx, ['circle', 'tiers'], 'CIRCLE_NOT_UPPER', '进退严圈须包含所列最轻档次以上的全部档次');

  for (const i of duplicates(rs.remedialTraining.tiers))
    issue(ctx, ['remedialTraining', 'tiers', i], 'DUPLICATE', '档次重复');
  rs.remedialTraining.tiers.forEach((t, i) => {
    if (!circle.has(t))
      issue(ctx, ['remedialTraining', 'tiers', i], 'NOT_IN_CIRCLE', '培训对象档次须在进退严圈档次之内');
  });
}

/** What an admin sends to replace the rules; the server assigns the version. */
export const ruleSetInput = z.lazy(() => z.strictObject(shape).check(z.superRefine(checkConsistency)));

const version = int('版本号', 1, 1_000_000).check(z.describe('规则版本号，自 1 递增'));

/** A rule set in force: what the engine takes. */
export const ruleSet = z.lazy(() =>
  z.strictObject({ version, ...shape }).check(z.superRefine(checkConsistency)),
);

/** A rule set as stored and answered: who published it and when (version 1 ships with the product: neither). */
export const storedRuleSet = z.lazy(() =>
  z
    .strictObject({
      version,
      ...shape,
      createdAt: z.optional(z.string()),
      createdBy: z.optional(z.string()),
    })
    .check(z.superRefine(checkConsistency)),
);

export type { MajorFailureType, RuleSet, RuleSetInput };

// The engine owns these types (the core imports no zod): a schema that drifts from them fails to compile here.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const schemasMatchCore: [
  Same<z.input<typeof ruleSetInput>, RuleSetInput>,
  Same<z.output<typeof ruleSetInput>, RuleSetInput>,
  Same<z.output<typeof ruleSet>, RuleSet>,
  Same<z.output<typeof majorFailureType>, MajorFailureType>,
] = [true, true, true, true];
void schemasMatchCore;

/** The rule sets as the rules routes answer them (moved from bulletins.ts: the rules function does not load the bulletin schemas). */
export const ruleVersionParams = z.lazy(() =>
  z.strictObject({
    version: z.coerce
      .number({ message: '版本号须为数字' })
      .check(z.int('版本号须为整数'), z.gte(1, '版本号至少为 1'), z.lte(1_000_000, '版本号过大')),
  }),
);

/** GET /rules: whole rule sets (the pages colour and explain with them), not summaries. */
export const ruleSetIndex = z.lazy(() =>
  z.object({
    current: storedRuleSet,
    upcoming: z.nullable(storedRuleSet),
    versions: z.array(storedRuleSet),
  }),
);
