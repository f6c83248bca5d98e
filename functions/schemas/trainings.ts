import * as z from 'zod/mini';
import {
  built,
  calendarDate,
  entityId,
  freeText,
  isoWeek,
  LIMITS,
  nameText,
  page,
  pageQuery,
} from './common.ts';

/**
 * Remedial training (干部营养餐): sessions whose roster is proposed from the circle's training
 * candidates (干部营养餐培训拟定对象) of an evaluated week, with each person's attendance and
 * completion. A rule set may make completing a session a condition for leaving the circle.
 */
export const createTraining = z.lazy(() =>
  z.strictObject({
    title: nameText(100).check(z.describe('培训名称')),
    date: calendarDate.check(z.describe('培训日期（北京时间）')),
    place: z.optional(freeText(LIMITS.shortText)).check(z.describe('地点')),
    week: z.optional(isoWeek).check(z.describe('名单所依据的考评周次；默认培训日期之前最近一个已考评的周')),
  }),
);

export const markAttendance = z.lazy(() =>
  z
    .strictObject({
      cadreId: entityId.check(z.describe('干部')),
      attended: z.boolean({ message: '请选择是否参加' }).check(z.describe('是否参加')),
      completed: z.boolean({ message: '请选择是否结业' }).check(z.describe('是否完成培训（结业）')),
    })
    .check(
      z.refine((b) => b.attended || !b.completed, {
        message: '未参加培训的不能记为结业',
        path: ['completed'],
        params: { code: 'COMPLETED_WITHOUT_ATTENDANCE' },
      }),
    ),
);

export const rosterRow = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    name: z.string().check(z.describe('干部姓名（按当前名单）')),
    proposed: z.boolean().check(z.describe('由考评周的培训拟定对象名单带入')),
    reasons: z
      .array(z.enum(['tier', 'consecutiveWeeks', 'trainingIncomplete']))
      .check(z.describe('列为培训对象的原因（名单带入时）')),
    attended: z.nullable(z.boolean()).check(z.describe('是否参加；null 为尚未登记')),
    completed: z.boolean(),
    markedAt: z.nullable(z.string()),
    markedBy: z.nullable(z.string()),
  }),
);

export const training = z.lazy(() =>
  z.object({
    id: z.string(),
    title: z.string(),
    date: z.string(),
    place: z.nullable(z.string()),
    week: z.nullable(z.string()).check(z.describe('名单所依据的考评周次；null 为尚无考评')),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);

export const trainingDetail = z.lazy(() =>
  z.extend(built(training), {
    roster: z.array(rosterRow),
    counts: z.object({ roster: z.number(), attended: z.number(), completed: z.number() }),
  }),
);

/** A session as listed for one cadre: their own row of its roster. */
export const trainingListItem = z.lazy(() =>
  z.extend(built(training), {
    attendance: z.optional(rosterRow).check(z.describe('按干部查询时，该干部的登记')),
  }),
);

export const trainingListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      cadreId: z.optional(entityId).check(z.describe('名单上的干部（干部本人只能查本人的）')),
      from: z.optional(calendarDate).check(z.describe('培训日期起（含）')),
      to: z.optional(calendarDate).check(z.describe('培训日期止（含）')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export const trainingPage = z.lazy(() => page(trainingListItem));
export const attendanceParams = z.lazy(() => z.strictObject({ id: entityId }));

export type CreateTraining = z.output<typeof createTraining>;
export type Training = z.output<typeof training>;
export type TrainingDetail = z.output<typeof trainingDetail>;
export type RosterRow = z.output<typeof rosterRow>;
export type MarkAttendance = z.output<typeof markAttendance>;
