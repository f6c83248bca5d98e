import * as z from 'zod/mini';
import { page, pageQuery } from './common.ts';

/**
 * The audit query: either one entity's history (entityType + entityId) or one actor's actions
 * (actor = the caller's `sub`), never both and never neither.
 */
const token = (max: number) =>
  z
    .string()
    .check(
      z.minLength(1, '不能为空'),
      z.maxLength(max, `不能超过 ${max} 个字符`),
      z.regex(/^[\x21-\x7e]+$/, '只能包含英文字母、数字和常用符号'),
    );

export const auditQuery = z.lazy(() =>
  z
    .strictObject({
      ...pageQuery,
      entityType: z
        .optional(token(40))
        .check(z.describe('实体类型，如 township、village、cadre、directReport')),
      entityId: z.optional(token(200)).check(z.describe('实体编号')),
      actor: z.optional(token(200)).check(z.describe('操作人（登录用户的 sub）')),
    })
    .check(
      z.superRefine((q, ctx) => {
        const byEntity = q.entityType !== undefined || q.entityId !== undefined;
        const byActor = q.actor !== undefined;
        const form = (path: string, message: string) =>
          ctx.addIssue({ code: 'custom', path: [path], message, params: { code: 'AUDIT_QUERY_FORM' } });
        if (byEntity && byActor) {
          form('actor', '按记录查询与按操作人查询只能二选一');
        } else if (!byEntity && !byActor) {
          form('entityType', '请指明要查看的记录（类型和编号），或指明操作人');
        } else if (byEntity) {
          if (q.entityType === undefined) form('entityType', '按记录查询时须同时指明记录类型');
          if (q.entityId === undefined) form('entityId', '按记录查询时须同时指明记录编号');
        }
      }),
    ),
);

export const auditItem = z.lazy(() =>
  z.object({
    at: z.string().check(z.describe('操作时间（UTC）')),
    actor: z.string().check(z.describe('操作人 sub')),
    actorName: z.optional(z.string().check(z.describe('操作人姓名（登录时的姓名；程序调用没有）'))),
    roles: z.array(z.string()),
    routeKey: z.string().check(z.describe('接口，如 POST /townships')),
    requestId: z.string(),
    entityType: z.string(),
    entityId: z.string(),
    action: z.string(),
    changes: z.record(z.string(), z.unknown()).check(z.describe('变更内容（不含电话、邮箱等个人信息）')),
  }),
);

export const auditPage = z.lazy(() => page(auditItem));

export type AuditQuery = z.output<typeof auditQuery>;
export type AuditItem = z.output<typeof auditItem>;
