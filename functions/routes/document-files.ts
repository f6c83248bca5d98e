import { download } from '../adapters/documents/downloads.ts';
import { downloadPath, type NoticeRecord } from '../adapters/dynamo/notices.ts';
import { NotFoundError } from '../errors.ts';
import type { RawResponse } from '../http/route.ts';
import { errorBody } from '../schemas/common.ts';

/**
 * A rendered document as the API shows and serves it: its listing view and its download answer.
 * Apart from routes/notices.ts so the route modules that serve their own documents (talks,
 * assessments, records) do not load the notices routes with it (docs/deploy.md §9).
 */
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
