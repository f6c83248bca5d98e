import * as z from 'zod/mini';
import {
  built,
  calendarDate,
  entityId,
  freeText,
  LIMITS,
  orList,
  page,
  pageQuery,
  requiredText,
} from './common.ts';
import { queryFlag } from './search.ts';

/** Direct reports (信息直报): a cadre tells HQ about the village straight away, skipping levels if needed. */
export const DIRECT_REPORT_KINDS = ['situation', 'resource_request', 'violation', 'emergency'] as const;
export const DIRECT_REPORT_KIND_LABELS = {
  situation: '村情反映',
  resource_request: '需求报告',
  violation: '违规举报',
  emergency: '紧急情况',
} as const;
/**
 * received (`new`) → acknowledged / triaged → handed_off (转办) → replied → closed (办结). Acknowledging
 * stays as it was; triage, hand-off and closure go on from either.
 */
export const DIRECT_REPORT_STATUSES = [
  'new',
  'acknowledged',
  'triaged',
  'handed_off',
  'replied',
  'closed',
] as const;
export const DIRECT_REPORT_STATUS_LABELS = {
  new: '待签收',
  acknowledged: '已签收',
  triaged: '已研判',
  handed_off: '已转办',
  replied: '单位已回复',
  closed: '已办结',
} as const;
/** Who handles a report (研判层级): the village, the township, or the county. */
export const DIRECT_REPORT_LEVELS = ['village', 'township', 'county'] as const;
export const DIRECT_REPORT_LEVEL_LABELS = {
  village: '村级办理',
  township: '乡镇办理',
  county: '县级办理',
} as const;

export const createDirectReport = z.lazy(() =>
  z.strictObject({
    villageId: entityId.check(z.describe('所报告的村（须为本人在包的村）')),
    kind: z.enum(DIRECT_REPORT_KINDS, {
      message: `请选择报告类型：${orList(DIRECT_REPORT_KINDS.map((k) => DIRECT_REPORT_KIND_LABELS[k]))}`,
    }),
    summary: requiredText(LIMITS.shortText).check(z.describe('摘要')),
    details: z.optional(freeText(LIMITS.text)).check(z.describe('详细情况')),
    skipLevels: z.optional(z.boolean({ message: '请选择是否越级直报' })).check(z.describe('是否越级直报')),
  }),
);

export const acknowledgeDirectReport = z.lazy(() =>
  z.strictObject({
    note: z.optional(freeText(LIMITS.text)).check(z.describe('指挥部回复')),
  }),
);

export const triageDirectReport = z.lazy(() =>
  z.strictObject({
    level: z
      .enum(DIRECT_REPORT_LEVELS, {
        message: `请选择办理层级：${orList(DIRECT_REPORT_LEVELS.map((l) => DIRECT_REPORT_LEVEL_LABELS[l]))}`,
      })
      .check(z.describe('办理层级：村级、乡镇、县级')),
    note: z.optional(freeText(LIMITS.text)).check(z.describe('研判意见')),
  }),
);

export const createHandoff = z.lazy(() =>
  z.strictObject({
    unitId: entityId.check(z.describe('承办单位（单位名册中的单位）')),
    deadline: calendarDate.check(z.describe('办理期限（北京时间日期，不早于今天）')),
    note: requiredText(LIMITS.text).check(z.describe('转办要求')),
  }),
);

export const replyHandoff = z.lazy(() =>
  z.strictObject({
    reply: requiredText(LIMITS.text).check(z.describe('承办单位的办理情况')),
  }),
);

export const closeDirectReport = z.lazy(() =>
  z.strictObject({
    resolution: requiredText(LIMITS.text).check(z.describe('办结情况（告知报告人）')),
  }),
);

export const handoffParams = z.lazy(() => z.strictObject({ id: entityId, handoffId: entityId }));

export const handoff = z.lazy(() =>
  z.object({
    id: z.string(),
    unitId: z.string(),
    unitName: z.string(),
    deadline: z.string().check(z.describe('办理期限（北京时间日期）')),
    note: z.string(),
    createdAt: z.string(),
    createdBy: z.string(),
    createdByName: z.optional(z.string()),
    reply: z.optional(z.string()),
    repliedAt: z.optional(z.string()),
    repliedBy: z.optional(z.string()),
    repliedByName: z.optional(z.string()),
  }),
);

export const directReport = z.lazy(() =>
  z.object({
    id: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    kind: z.enum(DIRECT_REPORT_KINDS),
    kindLabel: z.string(),
    summary: z.string(),
    details: z.nullable(z.string()),
    skipLevels: z.boolean(),
    status: z.enum(DIRECT_REPORT_STATUSES),
    createdAt: z.string(),
    acknowledgedAt: z.optional(z.string()),
    acknowledgedBy: z.optional(z.string()),
    acknowledgedByName: z.optional(z.string().check(z.describe('签收人姓名'))),
    acknowledgementNote: z.optional(z.nullable(z.string())),
    responseMinutes: z.optional(z.number()).check(z.describe('指挥部响应用时（分钟）')),
    level: z.optional(z.enum(DIRECT_REPORT_LEVELS)),
    levelLabel: z.optional(z.string()),
    triagedAt: z.optional(z.string()),
    triagedBy: z.optional(z.string()),
    triagedByName: z.optional(z.string()),
    triageNote: z.optional(z.nullable(z.string())),
    handoffs: z.optional(z.array(handoff)).check(z.describe('转办记录，先转的在前')),
    closedAt: z.optional(z.string()),
    closedBy: z.optional(z.string()),
    closedByName: z.optional(z.string()),
    resolution: z.optional(z.string()).check(z.describe('办结情况')),
    resolutionMinutes: z.optional(z.number()).check(z.describe('办结用时（分钟，自报告起）')),
  }),
);

/** A hand-off as a unit's queue and the board read it: the hand-off with its report's facts. */
export const handoffListItem = z.lazy(() =>
  z.object({
    ...built(handoff).shape,
    directReportId: z.string(),
    summary: z.string(),
    kindLabel: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    overdue: z.boolean().check(z.describe('期限已过仍未回复')),
  }),
);

export const handoffListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    unitId: z.optional(entityId).check(z.describe('承办单位（干部默认为本人所在单位）')),
    townshipId: z.optional(entityId).check(z.describe('只看该乡镇各村直报的转办')),
    overdue: z.optional(queryFlag('请选择是否只看逾期未回复的')).check(z.describe('只看期限已过仍未回复的')),
  }),
);

export const handoffPage = z.lazy(() => page(handoffListItem));

export const directReportListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      kind: z.optional(z.enum(DIRECT_REPORT_KINDS)),
      status: z.optional(z.enum(DIRECT_REPORT_STATUSES)),
      villageId: z.optional(entityId),
      cadreId: z.optional(entityId),
      townshipId: z.optional(entityId).check(z.describe('只看该乡镇各村的直报（不能与干部同用）')),
      from: z.optional(calendarDate).check(z.describe('报告日期起（北京时间，含）')),
      to: z.optional(calendarDate).check(z.describe('报告日期止（北京时间，含）')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export const directReportPage = z.lazy(() => page(directReport));

export type CreateDirectReport = z.output<typeof createDirectReport>;
export type DirectReport = z.output<typeof directReport>;
export type DirectReportKind = (typeof DIRECT_REPORT_KINDS)[number];
export type DirectReportStatus = (typeof DIRECT_REPORT_STATUSES)[number];
export type DirectReportLevel = (typeof DIRECT_REPORT_LEVELS)[number];
export type Handoff = z.output<typeof handoff>;
export type HandoffListItem = z.output<typeof handoffListItem>;
export type DirectReportListQuery = z.output<typeof directReportListQuery>;
