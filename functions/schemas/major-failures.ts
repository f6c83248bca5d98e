import * as z from 'zod/mini';
import { calendarDate, entityId, LIMITS, page, pageQuery, requiredText } from './common.ts';

/**
 * Major failures (重大失误): incidents of a type the rule set defines in advance (e.g. 人畜饮水中断),
 * recorded by HQ or an inspector against the cadres held responsible. The type is checked against the
 * rule set in force on the incident's date, so the code list is not fixed here.
 */
export const MAX_RESPONSIBLE_CADRES = 50;

export const createMajorFailure = z.lazy(() =>
  z.strictObject({
    type: z
      .string({ message: '失误类型须为文字' })
      .check(
        z.minLength(1, '不能为空'),
        z.maxLength(40, '不能超过 40 个字符'),
        z.describe('规则中事先界定的重大失误类型代码'),
      ),
    villageId: entityId.check(z.describe('发生失误的村')),
    cadreIds: z
      .array(entityId)
      .check(
        z.minLength(1, '至少指明一名责任干部'),
        z.maxLength(MAX_RESPONSIBLE_CADRES, `责任干部不能超过 ${MAX_RESPONSIBLE_CADRES} 人`),
        z.describe('负有责任的干部'),
      ),
    date: calendarDate.check(z.describe('发生日期（北京时间），不能晚于今天')),
    description: requiredText(LIMITS.text).check(z.describe('经过与情况')),
    serious: z.optional(z.boolean({ message: '请选择是否情节严重' })).check(z.describe('是否情节严重')),
  }),
);

export const majorFailure = z.lazy(() =>
  z.object({
    id: z.string(),
    type: z.string(),
    typeName: z.string(),
    consequence: z.string().check(z.describe('依规则的处理方式')),
    consequenceLabel: z.string(),
    ruleSetVersion: z.number(),
    villageId: z.string(),
    townshipId: z.string(),
    cadreIds: z.array(z.string()),
    date: z.string(),
    week: z.string(),
    description: z.string(),
    serious: z.boolean(),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);

export const majorFailureListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      villageId: z.optional(entityId),
      cadreId: z.optional(entityId),
      type: z.optional(z.string().check(z.maxLength(40, '不能超过 40 个字符'))),
      from: z.optional(calendarDate).check(z.describe('发生日期起（北京时间，含）')),
      to: z.optional(calendarDate).check(z.describe('发生日期止（北京时间，含）')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export const majorFailurePage = z.lazy(() => page(majorFailure));

export type CreateMajorFailure = z.output<typeof createMajorFailure>;
export type MajorFailure = z.output<typeof majorFailure>;
export type MajorFailureListQuery = z.output<typeof majorFailureListQuery>;
