import * as z from 'zod/mini';
import { calendarDate, entityId, freeText, instant, isoWeek, LIMITS, page, pageQuery } from './common.ts';
import { geoFix } from './location.ts';

/**
 * Visits to the village (驻村记录): a cadre records being in one of their villages, and whether they
 * stayed the night (吃住在村). The place the phone reported, if the person allowed it, is compared
 * with the village's point: a visit recorded far from it is flagged, not refused.
 */
export const MAX_VISIT_PHOTOS = 9;

export const createVisit = z.lazy(() =>
  z.strictObject({
    villageId: entityId.check(z.describe('所到的村（须为本人当日在包的村）')),
    at: instant.check(z.describe('到村时间（带时区，不得晚于现在，不得早于 7 天前）')),
    overnight: z.optional(z.boolean({ message: '请选择是否在村住宿' })).check(z.describe('是否在村住宿')),
    location: z.optional(geoFix).check(z.describe('手机定位（经纬度与精度，可选）')),
    note: z.optional(freeText(LIMITS.shortText)).check(z.describe('备注')),
    photoIds: z
      .optional(
        z
          .array(entityId)
          .check(
            z.maxLength(MAX_VISIT_PHOTOS, `照片最多 ${MAX_VISIT_PHOTOS} 张`),
            z.describe('已上传照片的编号'),
          ),
      )
      .check(z.describe('照片（先经 POST /uploads 上传）')),
  }),
);

export const visit = z.lazy(() =>
  z.object({
    id: z.string(),
    cadreId: z.string(),
    villageId: z.string(),
    townshipId: z.string(),
    at: z.string().check(z.describe('到村时间（UTC）')),
    date: z.string().check(z.describe('到村日期（北京时间）')),
    week: z.string().check(z.describe('ISO 周次（北京时间）')),
    overnight: z.boolean(),
    location: z.nullable(z.object({ lat: z.number(), lng: z.number(), accuracy: z.number() })),
    distanceMeters: z
      .nullable(z.number())
      .check(z.describe('记录位置距本村的距离（米）；未定位或本村未设位置为 null')),
    far: z.boolean().check(z.describe('是否远离本村（超过阈值加定位精度）')),
    note: z.nullable(z.string()),
    photoIds: z.array(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);

export const visitListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      cadreId: z.optional(entityId),
      villageId: z.optional(entityId),
      townshipId: z.optional(entityId),
      from: z.optional(calendarDate).check(z.describe('到村日期起（北京时间，含）')),
      to: z.optional(calendarDate).check(z.describe('到村日期止（北京时间，含）')),
      week: z
        .optional(isoWeek)
        .check(z.describe('到村所在的周（ISO 周，北京时间，如 2026-W47）；与起止日期同用时取两者重叠的日期')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export const visitPage = z.lazy(() => page(visit));

/** Visits and nights over a span, for one cadre or one township (the standing page, the profile). */
export const visitSummary = z.lazy(() =>
  z.object({
    from: z.string().check(z.describe('起始日期（北京时间，含）')),
    to: z.string().check(z.describe('结束日期（北京时间，含）')),
    visits: z.number().check(z.describe('驻村次数')),
    nights: z.number().check(z.describe('在村住宿晚数')),
    far: z.number().check(z.describe('远离本村的记录数')),
    villages: z.number().check(z.describe('到过的村数')),
    cadres: z.number().check(z.describe('有驻村记录的干部数')),
    cadresWithNight: z.number().check(z.describe('至少在村住宿一晚的干部数')),
  }),
);

/** At most a quarter at a time: the totals read every visit in the span. */
export const MAX_SUMMARY_DAYS = 92;

export const visitSummaryQuery = z.lazy(() =>
  z
    .strictObject({
      cadreId: z.optional(entityId),
      townshipId: z.optional(entityId),
      from: z.optional(calendarDate).check(z.describe('起始日期（北京时间，含）；默认结束日期前 27 天')),
      to: z.optional(calendarDate).check(z.describe('结束日期（北京时间，含）；默认今天')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export type CreateVisit = z.output<typeof createVisit>;
export type Visit = z.output<typeof visit>;
export type VisitListQuery = z.output<typeof visitListQuery>;
export type VisitSummary = z.output<typeof visitSummary>;
