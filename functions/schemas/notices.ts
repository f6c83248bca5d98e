import * as z from 'zod/mini';
import { DOCUMENT_KIND_LABELS, DOCUMENT_KINDS } from '../core/document-kinds.ts';
import { entityId, isoWeek, orList, page, pageQuery } from './common.ts';

/** Rendered documents (notices and bulletins) as the API lists them, and their downloads. */
const week = isoWeek;

const kind = z.enum(DOCUMENT_KINDS, {
  message: `请选择文书类别：${orList(DOCUMENT_KINDS.map((k) => DOCUMENT_KIND_LABELS[k]))}`,
});

export const noticeListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    cadreId: z.optional(entityId),
    kind: z.optional(kind),
    week: z.optional(week),
  }),
);

export const downloadQuery = z.lazy(() =>
  z.strictObject({
    format: z.optional(z.enum(['pdf', 'html'], { message: '请选择文件格式：PDF 或网页' })),
  }),
);

export const notice = z.lazy(() =>
  z.object({
    id: z.string(),
    kind,
    week: z.optional(z.string()),
    cadreId: z.optional(z.string()),
    subjectId: z.optional(z.string()),
    number: z.string().check(z.describe('文号（如 指谈〔2026〕3号）或期号（2026年第12期）')),
    title: z.string(),
    fileName: z.string(),
    revision: z.optional(z.number()),
    createdAt: z.string(),
    formats: z.array(z.enum(['pdf', 'html'])),
    downloads: z.object({ html: z.string(), pdf: z.optional(z.string()) }),
  }),
);

export const noticePage = z.lazy(() => page(notice));
export type NoticeListQuery = z.output<typeof noticeListQuery>;
