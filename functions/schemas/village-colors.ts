import * as z from 'zod/mini';
import { COLORS } from '../core/rules/terms.ts';
import { built, page } from './common.ts';
import { village, villageListQuery } from './roster.ts';
import { queryFlag } from './search.ts';

/** A village's colour (村级红黄绿) from its open matters, and why (core/rules/village-colors.ts). */
export const villageColorReason = z.lazy(() =>
  z.object({
    kind: z
      .enum(['problem', 'dispatch', 'handoff', 'openItems'])
      .check(z.describe('problem 问题、dispatch 派遣任务（编号/干部）、handoff 转办、openItems 未办结总数')),
    id: z.string().check(z.describe('事项编号；openItems 时为未办结事项数')),
    color: z.enum(['red', 'yellow']),
    reason: z.string().check(z.describe('overdue、severe、dueSoon、awaitingVerification 或 openItems')),
    label: z.string().check(z.describe('原因（中文），如“已逾期 3 天”')),
  }),
);

export const villageColorFields = {
  color: z
    .enum(COLORS)
    .check(z.describe('村的颜色：有红色事项为红，有黄色事项为黄，否则为绿（阈值见规则 villageColors）')),
  colorLabel: z.string().check(z.describe('红色、黄色或绿色')),
  colorReasons: z.array(villageColorReason).check(z.describe('使村成为该颜色的事项；绿色时为空')),
  openItems: z.number().check(z.int(), z.describe('未办结事项数（问题与派遣任务）')),
  previousColor: z.nullable(z.enum(COLORS)).check(z.describe('一周前同一时刻的颜色')),
  colorChange: z.enum(['worse', 'better', 'same']).check(z.describe('较上周：转差、好转或相同')),
  colorChangeLabel: z.string(),
  colorAsOf: z.string().check(z.describe('颜色计算时刻（UTC）')),
  colorRuleSetVersion: z.number().check(z.int(), z.describe('所用规则版本')),
};

/** GET /villages/{id}: the village with its colour. */
export const villageDetail = z.lazy(() => z.extend(built(village), villageColorFields));

export type VillageDetail = z.output<typeof villageDetail>;

/** GET /villages: `colors=true` adds each listed village's colour (a read of its matters per village). */
export const villageListQueryWithColors = z.lazy(() =>
  z.extend(built(villageListQuery), {
    colors: z
      .optional(queryFlag('请选择是否附带各村颜色'))
      .check(z.describe('true：每个村附带颜色、成因及较上周变化（每个村读取其未办结事项）')),
  }),
);

const optionalColorFields = Object.fromEntries(
  Object.entries(villageColorFields).map(([k, v]) => [k, z.optional(v)]),
) as { [K in keyof typeof villageColorFields]: z.ZodMiniOptional<(typeof villageColorFields)[K]> };

export const villageListPage = z.lazy(() => page(z.extend(built(village), optionalColorFields)));
