import * as z from 'zod/mini';
import { entityId, page, pageQuery } from './common.ts';

/** A cadre's notifications (talk notices, problems to rectify, rejections, overdue reminders). */
export const NOTIFICATION_KIND_VALUES = [
  'talk_notice',
  'rectification_notice',
  'rectification_rejected',
  'overdue_dispatch',
  'overdue_rectification',
  'new_problem',
  'new_dispatch',
  'report_closed',
] as const;

export const notification = z.lazy(() =>
  z.object({
    id: z.string(),
    cadreId: z.string(),
    kind: z.enum(NOTIFICATION_KIND_VALUES),
    title: z.string(),
    body: z.string(),
    deadline: z.optional(z.string()),
    week: z.optional(z.string()),
    problemIds: z.optional(z.array(z.string())),
    dispatchId: z.optional(z.string()),
    noticeId: z.optional(z.string()),
    /** The subject's page on the web pages (`/app/cadre/problems/…`, `/app/cadre/dispatches/…`). */
    link: z.optional(z.string()),
    createdAt: z.string(),
    readAt: z.optional(z.string()),
  }),
);

export const notificationPage = z.lazy(() => page(notification));

export const notificationQuery = z.lazy(() =>
  z.strictObject({
    unread: z.optional(z.enum(['true', 'false'], { message: '请选择是否只看未读' })),
    kind: z.optional(z.enum(NOTIFICATION_KIND_VALUES, { message: '通知类型不正确' })),
    ...pageQuery,
  }),
);

export const notificationParams = z.lazy(() =>
  z.strictObject({
    id: entityId,
    notificationId: z.string().check(z.minLength(1, '不能为空'), z.maxLength(64, '不能超过 64 个字符')),
  }),
);
