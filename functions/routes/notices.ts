import { download } from '../adapters/documents/downloads.ts';
import { downloadPath, getNotice, listNotices, type NoticeRecord } from '../adapters/dynamo/notices.ts';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors.ts';
import { defineRoute, ok, type RawResponse } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';
import { downloadQuery, noticeListQuery, noticePage } from '../schemas/notices.ts';
import { byTownship, OUTSIDE_SCOPE, requireCadre, scopeOf } from './scope.ts';

/**
 * Rendered documents: listed and downloaded by admins (notices name cadres and their failings); a
 * township's staff and county leaders read those about the cadres of their townships, cadre by cadre.
 */
const TAGS = ['notices'];

export function view(r: NoticeRecord) {
  return {
    id: r.id,
    kind: r.kind,
    ...(r.week ? { week: r.week } : {}),
    ...(r.cadreId ? { cadreId: r.cadreId } : {}),
    ...(r.subjectId ? { subjectId: r.subjectId } : {}),
    number: r.number,
    title: r.title,
    fileName: r.fileName,
    ...(r.revision !== undefined ? { revision: r.revision } : {}),
    createdAt: r.createdAt,
    formats: r.files.pdf ? (['pdf', 'html'] as const) : (['html'] as const),
    downloads: {
      html: downloadPath(r.id, 'html'),
      ...(r.files.pdf ? { pdf: downloadPath(r.id, 'pdf') } : {}),
    },
  };
}

/** RFC 5987 / 6266: an ASCII fallback plus the UTF-8 name, so 提醒谈话通知书-张三.pdf survives. */
export function contentDisposition(fileName: string, fallback: string): string {
  const encoded = encodeURIComponent(fileName).replace(
    /['()*]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`,
  );
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encoded}`;
}

/** The answers of a document download: the file locally, a short-lived link on AWS. */
export const DOCUMENT_FILE_RESPONSES = {
  200: { description: '文件内容（Content-Disposition 带中文文件名）' },
  302: { description: '跳转到短时有效的下载地址' },
  403: errorBody,
  404: errorBody,
};

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

/**
 * A rendered document's file as the download answers it: the file itself locally, a redirect to a
 * short-lived address on AWS; the Chinese file name in Content-Disposition. Shared by the routes that
 * let others than HQ download their own documents (a cadre's talk notice, routes/talks.ts).
 */
export async function noticeFile(
  record: NoticeRecord,
  requested: 'pdf' | 'html' | undefined,
): Promise<RawResponse> {
  const format = requested ?? (record.files.pdf ? 'pdf' : 'html');
  const key = format === 'pdf' ? record.files.pdf : record.files.html;
  if (!key) throw new NotFoundError('该文书没有 PDF 文件，请下载网页版');
  const contentType = format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8';
  const name = `${record.fileName}.${format}`;
  const found = await download(key, name, contentType);
  if (found.kind === 'link') {
    return {
      raw: true,
      statusCode: 302,
      headers: { location: found.url, 'cache-control': 'no-store' },
      body: '',
    };
  }
  const file = found.file;
  if (!file) throw new NotFoundError('文书文件不存在，请重新生成');
  return {
    raw: true,
    statusCode: 200,
    headers: {
      'content-type': contentType,
      'content-disposition': contentDisposition(name, `notice-${record.id}.${format}`),
      'content-length': String(file.body.length),
      'cache-control': 'private, no-store',
      'x-content-type-options': 'nosniff',
    },
    body: file.body.toString('base64'),
    isBase64Encoded: true,
  };
}
