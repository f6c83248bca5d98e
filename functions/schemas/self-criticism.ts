import * as z from 'zod/mini';
import { calendarDate, entityId, freeText, isoWeek, LIMITS, page, pageQuery } from './common.ts';

/**
 * Self-criticism meetings (检讨发言会): the meeting at which cadres placed in the self-criticism tier
 * (检讨发言) of an evaluated week speak. Who attended and who spoke are recorded; every speaker must
 * have been in that tier in the week the meeting answers for (by default the latest finished week
 * before the meeting's date). Speakers are attendees too.
 */
export const MAX_MEETING_PEOPLE = 200;

const cadreIds = (what: string, min: number) =>
  z.array(entityId).check(
    z.minLength(min, `请至少选择 ${min} 名${what}`),
    z.maxLength(MAX_MEETING_PEOPLE, `${what}不能超过 ${MAX_MEETING_PEOPLE} 人`),
    z.refine((ids) => new Set(ids).size === ids.length, {
      message: `${what}有重复`,
      params: { code: 'DUPLICATE' },
    }),
  );

export const createSelfCriticismMeeting = z.lazy(() =>
  z.strictObject({
    date: calendarDate.check(z.describe('会议日期（北京时间）')),
    place: z.optional(freeText(LIMITS.shortText)).check(z.describe('地点')),
    attendeeIds: cadreIds('参会干部', 0).check(z.describe('参会干部（发言人自动计入）')),
    speakerIds: cadreIds('发言人', 1).check(z.describe('作检讨发言的干部：须为该周检讨发言档次')),
    notes: z.optional(freeText(LIMITS.text)).check(z.describe('会议记录')),
    week: z.optional(isoWeek).check(z.describe('所依据的考评周次；默认会议日期之前最近一个已考评的周')),
  }),
);

export const meetingPerson = z.lazy(() =>
  z.object({
    cadreId: z.string(),
    name: z.string().check(z.describe('干部姓名（按当前名单）')),
    spoke: z.boolean().check(z.describe('是否作检讨发言')),
  }),
);

export const selfCriticismMeeting = z.lazy(() =>
  z.object({
    id: z.string(),
    date: z.string(),
    week: z.string().check(z.describe('所依据的考评周次')),
    place: z.nullable(z.string()),
    attendeeIds: z.array(z.string()),
    speakerIds: z.array(z.string()),
    attendees: z.array(meetingPerson),
    notes: z.nullable(z.string()),
    createdAt: z.string(),
    createdBy: z.string(),
  }),
);

export const selfCriticismListQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      cadreId: z.optional(entityId).check(z.describe('参会干部（干部本人只能查本人的）')),
      week: z.optional(isoWeek).check(z.describe('所依据的考评周次')),
      from: z.optional(calendarDate).check(z.describe('会议日期起（含）')),
      to: z.optional(calendarDate).check(z.describe('会议日期止（含）')),
    })
    .check(
      z.refine((q) => !q.from || !q.to || q.from <= q.to, {
        message: '起始日期不能晚于结束日期',
        path: ['from'],
        params: { code: 'INVALID_RANGE' },
      }),
    ),
);

export const selfCriticismPage = z.lazy(() => page(selfCriticismMeeting));

export type CreateSelfCriticismMeeting = z.output<typeof createSelfCriticismMeeting>;
export type SelfCriticismMeeting = z.output<typeof selfCriticismMeeting>;
export type StoredSelfCriticismMeeting = Omit<SelfCriticismMeeting, 'attendees'>;
