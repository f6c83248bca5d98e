import * as z from 'zod/mini';
import { ASSIGNEE_STATUSES, DISPATCH_STATES, duplicatePairs, REPORT_STATUSES } from '../core/dispatches.ts';
import { beijingDayEnd, isValidDate } from '../core/time.ts';
import {
  calendarDate,
  DATE_RANGE_MESSAGE,
  entityId,
  instant,
  isDateInRange,
  LIMITS,
  nameText,
  page,
  pageQuery,
  requiredText,
} from './common.ts';

/** Task dispatch forms (任务派遣单) and the progress reports on them. */
export const CATEGORY_MAX = 30;
export const REPORTS_SHOWN = 50;

/**
 * A deadline is an instant with an offset, or a Beijing calendar date meaning "by the end of that
 * day" (限时完成 is usually written as a date). Either way it is stored as a UTC instant.
 */
export const deadlineInput = z.lazy(() =>
  z
    .pipe(
      z.string().check(z.maxLength(40, '截止时间格式不正确')),
      // zod/mini hands a transform the bare parse payload (no addIssue): issues are pushed onto it.
      z.transform((value: string, ctx) => {
        if (value.trim() === '') {
          ctx.issues.push({
            code: 'custom',
            message: '请填写截止时间',
            params: { code: 'REQUIRED' },
            input: value,
          });
          return z.NEVER;
        }
        const datePart = /^(\d{4}-\d{2}-\d{2})(T|$)/.exec(value)?.[1];
        if (datePart !== undefined && !isValidDate(datePart)) {
          ctx.issues.push({
            code: 'custom',
            message: '日期不存在',
            params: { code: 'INVALID_DATE' },
            input: value,
          });
          return z.NEVER;
        }
        const outOfRange = () => {
          ctx.issues.push({
            code: 'custom',
            message: DATE_RANGE_MESSAGE,
            params: { code: 'DATE_OUT_OF_RANGE' },
            input: value,
          });
          return z.NEVER;
        };
        if (datePart === value) {
          if (!isDateInRange(value)) return outOfRange();
          return beijingDayEnd(value).toISOString();
        }
        const parsed = instant.safeParse(value);
        if (parsed.success) return parsed.data;
        if (parsed.error.issues.some((i) => i.code === 'custom' && i.params?.code === 'DATE_OUT_OF_RANGE'))
          return outOfRange();
        ctx.issues.push({
          code: 'custom',
          message:
            '截止时间应为日期（如 2026-11-24，表示北京时间当天结束）或含时区的时刻（如 2026-11-24T18:00:00+08:00）',
          params: { code: 'INVALID_FORMAT' },
          input: value,
        });
        return z.NEVER;
      }),
    )
    .check(z.describe('截止时间：带时区的 ISO 8601 时间，或北京时间日期（当天 24 时前）')),
);

export const assigneeInput = z.lazy(() =>
  z.strictObject({
    cadreId: entityId.check(z.describe('干部编号')),
    villageId: entityId.check(z.describe('村编号')),
  }),
);

export const createDispatch = z.lazy(() =>
  z.strictObject({
    title: nameText(LIMITS.title).check(z.describe('标题')),
    category: nameText(CATEGORY_MAX).check(z.describe('任务类别，如“防汛抗旱”')),
    description: requiredText(LIMITS.text).check(z.describe('任务内容')),
    deadline: deadlineInput,
    assignees: z.array(assigneeInput).check(
      z.minLength(1, '至少指定一名派遣对象'),
      z.maxLength(LIMITS.assignees, `派遣对象不能超过 ${LIMITS.assignees} 个`),
      z.superRefine((list, ctx) => {
        for (const index of duplicatePairs(list)) {
          ctx.addIssue({
            code: 'custom',
            path: [index],
            message: '同一干部和村的组合重复出现',
            params: { code: 'DUPLICATE' },
            input: list[index],
          });
        }
      }),
      z.describe('派遣对象：干部与其负责的村，每对不重复'),
    ),
  }),
);

export const createReport = z.lazy(() =>
  z.strictObject({
    status: z.enum(REPORT_STATUSES, { message: '请选择状态：推进中或已完成' }),
    note: requiredText(LIMITS.text).check(z.describe('进展说明')),
    villageId: z.optional(entityId).check(z.describe('所报告的村；本派遣单中负责多个村时必填')),
  }),
);

export const dispatchListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      status: z.optional(z.enum(DISPATCH_STATES, { message: '请选择状态：进行中、已逾期或已完成' })),
      townshipId: z.optional(entityId).check(z.describe('只看涉及该乡镇的村')),
      cadreId: z.optional(entityId),
      villageId: z.optional(entityId),
      issuedBy: z
        .optional(entityId)
        .check(z.describe('只看该干部（总队长）下达给其工作队的派遣单；干部只能查本人下达的')),
      from: z.optional(calendarDate).check(z.describe('下发日期起（北京时间，含）')),
      to: z.optional(calendarDate).check(z.describe('下发日期止（北京时间，含）')),
    })
    .check(
      z.superRefine((q, ctx) => {
        if (q.from && q.to && q.from > q.to) {
          ctx.addIssue({
            code: 'custom',
            path: ['to'],
            message: '结束日期不能早于开始日期',
            params: { code: 'INVALID_RANGE' },
            input: q.to,
          });
        }
      }),
    ),
);

const assigneeStatus = z.enum(ASSIGNEE_STATUSES);
const dispatchState = z.enum(DISPATCH_STATES);

export const assigneeView = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    cadreName: z.string(),
    villageId: z.string(),
    villageName: z.string(),
    townshipId: z.string(),
    status: assigneeStatus,
    lastReportAt: z.nullable(z.string()),
    lastNote: z.nullable(z.string()).check(z.describe('最新进展说明；干部只看到自己的，他人的为 null')),
    doneAt: z.nullable(z.string()),
    overdue: z.boolean(),
  }),
);

export const reportView = z.lazy(() =>
  z.object({
    id: z.string(),
    dispatchId: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    status: z.enum(REPORT_STATUSES),
    note: z.string(),
    at: z.string(),
    late: z.boolean(),
  }),
);

const dispatchBase = z.object({
  id: z.string(),
  number: z.string().check(z.describe('文号，如 派〔2026〕12号')),
  title: z.string(),
  category: z.string(),
  deadline: z.string().check(z.describe('UTC ISO 8601')),
  createdAt: z.string(),
  createdBy: z.string(),
  issuerCadreId: z
    .optional(z.string())
    .check(z.describe('下达指令的总队长（干部编号）；指挥部下发的没有此项')),
  issuerName: z.optional(z.string()).check(z.describe('下达指令的总队长姓名')),
  status: dispatchState,
  overdue: z.boolean(),
});

export const dispatchDetail = z.lazy(() =>
  z.extend(dispatchBase, {
    description: z.string(),
    assigneeCount: z.number().check(z.int()),
    doneCount: z.number().check(z.int()),
    assignees: z.array(assigneeView),
    reports: z
      .array(reportView)
      .check(z.describe(`最新的 ${REPORTS_SHOWN} 条进展报告，新的在前；干部只看到自己的报告`)),
  }),
);

/**
 * A list item: the whole dispatch in the HQ view; in a cadre's or village's view, one item per
 * assignee row, with that row's own progress (`assignee*` fields).
 */
export const dispatchListItem = z.lazy(() =>
  z.extend(dispatchBase, {
    assigneeCount: z.optional(z.number().check(z.int())),
    doneCount: z.optional(z.number().check(z.int())),
    cadreId: z.optional(z.string()),
    cadreName: z.optional(z.string()),
    villageId: z.optional(z.string()),
    villageName: z.optional(z.string()),
    townshipId: z.optional(z.string()),
    assigneeStatus: z.optional(assigneeStatus),
    lastReportAt: z.optional(z.nullable(z.string())),
    doneAt: z.optional(z.nullable(z.string())),
  }),
);

export const dispatchPage = z.lazy(() => page(dispatchListItem));

export type CreateDispatch = z.output<typeof createDispatch>;
export type CreateReport = z.output<typeof createReport>;
export type DispatchListQuery = z.output<typeof dispatchListQuery>;
export type AssigneeView = z.output<typeof assigneeView>;
export type ReportView = z.output<typeof reportView>;
export type DispatchDetail = z.output<typeof dispatchDetail>;
export type DispatchListItem = z.output<typeof dispatchListItem>;
