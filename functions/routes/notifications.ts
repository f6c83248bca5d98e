import { listNotifications, markNotificationRead } from '../adapters/dynamo/notifications.ts';
import { NotFoundError } from '../errors.ts';
import { requireSelfOrStaff } from '../http/auth.ts';
import { defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  notification,
  notificationPage,
  notificationParams,
  notificationQuery,
} from '../schemas/notifications.ts';

/** What the jobs tell a cadre, on their page: the cadre reads their own; staff read anyone's. */
const TAGS = ['notifications'];

export const notificationsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/cadres/{id}/notifications',
    summary: '干部的通知（谈话通知、整改通知、复核未通过、逾期提醒），最新在前',
    tags: TAGS,
    roles: ['admin', 'inspector', 'cadre'],
    params: idParams,
    query: notificationQuery,
    responses: { 200: notificationPage, 400: errorBody, 403: errorBody },
    async handle({ params, query }, ctx) {
      requireSelfOrStaff(ctx.actor, params.id);
      return ok(
        await listNotifications(
          params.id,
          { unread: query.unread === 'true', kind: query.kind },
          query.limit,
          query.next,
        ),
      );
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/cadres/{id}/notifications/{notificationId}/read',
    summary: '标记通知为已读（仅本人）',
    tags: TAGS,
    roles: ['cadre'],
    params: notificationParams,
    responses: { 200: notification, 403: errorBody, 404: errorBody },
    async handle({ params }, ctx) {
      requireSelfOrStaff({ ...ctx.actor, roles: [] }, params.id);
      const updated = await markNotificationRead(params.id, params.notificationId, ctx.now);
      if (!updated) throw new NotFoundError('通知不存在');
      await ctx.audit({ entityType: 'notification', entityId: params.notificationId, action: 'read' });
      return ok(updated);
    },
  }),
];
