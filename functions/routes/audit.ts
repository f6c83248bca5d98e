import { type AuditRecord, listAuditForActor, listAuditForEntity } from '../adapters/dynamo/audit.ts';
import { defineRoute, ok } from '../http/route.ts';
import { type AuditItem, auditPage, auditQuery } from '../schemas/audit.ts';
import { errorBody } from '../schemas/common.ts';

/** The audit trail, for HQ: one entity's history or one person's actions, newest first. */
function toItem(r: AuditRecord): AuditItem {
  return {
    at: r.at,
    actor: r.actor,
    ...(r.actorName ? { actorName: r.actorName } : {}),
    roles: r.roles ?? [],
    routeKey: r.routeKey,
    requestId: r.requestId,
    entityType: r.entityType,
    entityId: r.entityId,
    action: r.action,
    changes: r.changes ?? {},
  };
}

export const auditRoutes = [
  defineRoute({
    method: 'GET',
    path: '/audit',
    summary: '审计记录（按实体或按操作人查询，最新在前）',
    tags: ['audit'],
    roles: ['admin'],
    query: auditQuery,
    responses: { 200: auditPage, 400: errorBody },
    async handle({ query }) {
      const page =
        query.actor !== undefined
          ? await listAuditForActor(query.actor, query.limit, query.next)
          : await listAuditForEntity(
              query.entityType as string,
              query.entityId as string,
              query.limit,
              query.next,
            );
      return ok({ items: page.items.map(toItem), ...(page.next ? { next: page.next } : {}) });
    },
  }),
];
