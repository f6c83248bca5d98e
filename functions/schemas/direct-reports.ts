import * as z from 'zod/mini';
import { calendarDate, entityId, freeText, LIMITS, orList, page, pageQuery, requiredText } from './common.ts';

/** Direct reports (信息直报): a cadre tells HQ about the village straight away, skipping levels if needed. */
export const DIRECT_REPORT_KINDS = ['situation', 'resource_request', 'violation', 'emergency'] as const;
export const DIRECT_REPORT_KIND_LABELS = {
  situation: '村情反映',
  resource_request: '需求报告',
  violation: '违规举报',
  emergency: '紧急情况',
} as const;
export const DIRECT_REPORT_STATUSES = ['new', 'acknowledged'] as const;

export const createDirectReport = z.strictObject({
  villageId: entityId.check(z.describe('所报告的村（须为本人在包的村）')),
  kind: z.enum(DIRECT_REPORT_KINDS, {
    message: `请选择报告类型：${orList(DIRECT_REPORT_KINDS.map((k) => DIRECT_REPORT_KIND_LABELS[k]))}`,
  }),
  summary: requiredText(LIMITS.shortText).check(z.describe('摘要')),
  details: z.optional(freeText(LIMITS.text)).check(z.describe('详细情况')),
  skipLevels: z.optional(z.boolean({ message: '请选择是否越级直报' })).check(z.describe('是否越级直报')),
});

export const acknowledgeDirectReport = z.strictObject({
  note: z.optional(freeText(LIMITS.text)).check(z.describe('指挥部回复')),
});

export const directReport = z.object({
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
});

export const directReportListQuery = z
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
  );

export const directReportPage = page(directReport);

export type CreateDirectReport = z.output<typeof createDirectReport>;
export type DirectReport = z.output<typeof directReport>;
export type DirectReportKind = (typeof DIRECT_REPORT_KINDS)[number];
export type DirectReportStatus = (typeof DIRECT_REPORT_STATUSES)[number];
export type DirectReportListQuery = z.output<typeof directReportListQuery>;
