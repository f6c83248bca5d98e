import { getNotice, listNotices } from '../adapters/dynamo/notices.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { defineRoute, ok, type RawResponse } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { downloadQuery, noticeListQuery, noticePage } from '../schemas/notices.ts';
import { DOCUMENT_FILE_RESPONSES, noticeFile, view } from './document-files.ts';
import { byTownship, OUTSIDE_SCOPE, requireCadre, scopeOf } from './scope.ts';

/**
 * Rendered documents: listed and downloaded by admins (notices name cadres and their failings); a
 * township's staff and county leaders read those about the cadres of their townships, cadre by cadre.
 */
const TAGS = ['notices'];

export const noticesRoutes = [
  defineRoute({
    method: 'GET',
    path: '/notices',
    summary:
      '文书列表（周通报、谈话通知书、整改通知书、通报批评、任命书；可按干部、类别、周次筛选；乡镇和县级领导须按所辖乡镇的干部查看）',
    tags: TAGS,
    roles: ['admin', 'township', 'leader'],
    query: noticeListQuery,
    responses: { 200: noticePage, 400: errorBody, 403: errorBody },
    async handle({ query }, ctx) {
      const scope = await scopeOf(ctx.actor, ctx.now);
      if (byTownship(scope)) {
        // Read per cadre (the cadre's own index): documents naming no cadre are county-wide, HQ's.
        if (!query.cadreId)
          throw new ValidationError('请求内容有误，请按提示修改', {
            fields: [
              { path: 'query.cadreId', code: 'CADRE_REQUIRED', message: '请选择所辖乡镇的干部后查看文书' },
            ],
          });
        await requireCadre(scope, ctx.actor, query.cadreId, ctx.now);
      }
      const page = await listNotices(
        { cadreId: query.cadreId, kind: query.kind, week: query.week },
        query.limit,
        query.next,
      );
      return ok({ items: page.items.map(view), ...(page.next ? { next: page.next } : {}) });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/notices/{id}/download',
    summary: '下载文书（format=pdf 或 html；本地直接返回文件，云上 302 跳转到短时有效的下载地址）',
    tags: TAGS,
    roles: ['admin', 'township', 'leader'],
    params: idParams,
    query: downloadQuery,
    responses: DOCUMENT_FILE_RESPONSES,
    async handle({ params, query }, ctx): Promise<RawResponse> {
      const record = await getNotice(params.id);
      if (!record) throw new NotFoundError('文书不存在');
      const scope = await scopeOf(ctx.actor, ctx.now);
      // A township's staff or a leader: documents about a cadre of their townships only.
      if (byTownship(scope)) {
        if (!record.cadreId) throw new ForbiddenError(OUTSIDE_SCOPE);
        await requireCadre(scope, ctx.actor, record.cadreId, ctx.now);
      }
      return noticeFile(record, query.format);
    },
  }),
];
