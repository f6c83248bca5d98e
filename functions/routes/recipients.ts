import * as store from '../adapters/dynamo/recipients.ts';
import { getTownship } from '../adapters/dynamo/roster.ts';
import { derivedId, newId } from '../core/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { RequestContext } from '../http/route.ts';
import { created, defineRoute, ok } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import {
  createRecipient,
  type Recipient,
  recipient,
  recipientListQuery,
  recipientPage,
  updateRecipient,
} from '../schemas/recipients.ts';
import { detailRoute, listRoute } from './read-routes.ts';

/**
 * Who receives the weekly bulletin: county-wide recipients and recipients per township (admin only:
 * the list holds email addresses). Audit entries note that an address was set, never its value.
 */
const TAGS = ['recipients'];

type RecipientInput = Omit<Recipient, 'id' | 'createdAt' | 'updatedAt'>;

async function checkReferences(body: RecipientInput, id: string): Promise<void> {
  if (body.townshipId && !(await getTownship(body.townshipId))) {
    throw new ValidationError('请求内容有误，请按提示修改', {
      fields: [{ path: 'body.townshipId', code: 'UNKNOWN_REFERENCE', message: '乡镇不存在' }],
    });
  }
  if (
    await store.emailTakenInScope({ id, email: body.email, scope: body.scope, townshipId: body.townshipId })
  ) {
    throw new ConflictError('DUPLICATE_EMAIL', '同一范围内已有使用该邮箱的接收人', {
      fields: [{ path: 'body.email', code: 'DUPLICATE_EMAIL', message: '该范围内已有此邮箱' }],
    });
  }
}

function auditChanges(body: RecipientInput): Record<string, unknown> {
  const { email: _email, ...rest } = body;
  return { ...rest, email: '[set]' };
}

function recipientId(ctx: RequestContext): string {
  // A retried create with the same Idempotency-Key lands on the same id.
  return ctx.idempotencyKey
    ? `R${derivedId(ctx.actor.sub, ctx.idempotencyKey, 'recipient')}`
    : `R${newId(ctx.now)}`;
}

export const recipientsRoutes = [
  defineRoute({
    method: 'POST',
    path: '/recipients',
    summary: '新增周通报接收人（全县或乡镇）',
    tags: TAGS,
    roles: ['admin'],
    body: createRecipient,
    responses: { 201: recipient, 400: errorBody, 409: errorBody },
    async handle({ body }, ctx) {
      const id = recipientId(ctx);
      await checkReferences(body, id);
      const now = ctx.now.toISOString();
      const record: Recipient = { id, ...body, createdAt: now, updatedAt: now };
      if (!(await store.createRecipient(record))) {
        // A retry of a create that already landed (its Idempotency-Key record has expired): 200, as the roster does.
        const existing = await store.getRecipient(id);
        if (existing) return ok(existing);
      }
      await ctx.audit({
        entityType: 'recipient',
        entityId: id,
        action: 'create',
        changes: auditChanges(body),
      });
      return created(record);
    },
  }),
  listRoute({
    path: '/recipients',
    summary: '周通报接收人列表（可按范围、乡镇筛选）',
    tags: TAGS,
    roles: ['admin'],
    query: recipientListQuery,
    page: recipientPage,
    list: (query) => store.listRecipients(query, query.limit, query.next),
  }),
  detailRoute({
    path: '/recipients/{id}',
    summary: '接收人详情',
    tags: TAGS,
    roles: ['admin'],
    record: recipient,
    notFound: '接收人不存在',
    find: store.getRecipient,
  }),
  defineRoute({
    method: 'PUT',
    path: '/recipients/{id}',
    summary: '修改接收人（整体替换）',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    body: updateRecipient,
    responses: { 200: recipient, 400: errorBody, 404: errorBody, 409: errorBody },
    async handle({ params, body }, ctx) {
      const existing = await store.getRecipient(params.id);
      if (!existing) throw new NotFoundError('接收人不存在');
      await checkReferences(body, params.id);
      const record: Recipient = {
        id: params.id,
        ...body,
        createdAt: existing.createdAt,
        updatedAt: ctx.now.toISOString(),
      };
      if (!(await store.replaceRecipient(record))) throw new NotFoundError('接收人不存在');
      await ctx.audit({
        entityType: 'recipient',
        entityId: params.id,
        action: 'update',
        changes: auditChanges(body),
      });
      return ok(record);
    },
  }),
  defineRoute({
    method: 'DELETE',
    path: '/recipients/{id}',
    summary: '删除接收人',
    tags: TAGS,
    roles: ['admin'],
    params: idParams,
    responses: { 204: { description: '已删除' }, 404: errorBody },
    async handle({ params }, ctx) {
      if (!(await store.deleteRecipient(params.id))) throw new NotFoundError('接收人不存在');
      await ctx.audit({ entityType: 'recipient', entityId: params.id, action: 'delete' });
      return { raw: true, statusCode: 204, body: '' };
    },
  }),
];
