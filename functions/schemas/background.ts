import * as z from 'zod/mini';
import { entityId, noControlCharacters, page, pageQuery } from './common.ts';

/**
 * Background tasks (后台任务): a roster import from a workbook or CSV file, or a list exported to an
 * .xlsx file. A task is created by a request and run by the worker function afterwards; its record
 * says how far it got and, at the end, what happened row by row.
 */
export const TASK_KINDS = ['import', 'export'] as const;
export type TaskKind = (typeof TASK_KINDS)[number];

/** queued → validating → writing → succeeded; validating → refused (bad rows, nothing written); any → failed. */
export const TASK_STATUSES = ['queued', 'validating', 'writing', 'succeeded', 'failed', 'refused'] as const;
export type TaskStatus = (typeof TASK_STATUSES)[number];
export const RUNNING_STATUSES: readonly TaskStatus[] = ['queued', 'validating', 'writing'];

/** What one import file (or one sheet of a workbook) holds, in dependency order. */
export const IMPORT_KINDS = [
  'townships',
  'units',
  'villages',
  'cadres',
  'assignments',
  'districts',
  'leaders',
] as const;
export type ImportKind = (typeof IMPORT_KINDS)[number];
/** The sheet names of an import workbook (and of the template). */
export const IMPORT_SHEET_NAMES: Record<ImportKind, string> = {
  townships: '乡镇',
  units: '单位',
  villages: '村',
  cadres: '干部',
  assignments: '包村关系',
  districts: '片区',
  leaders: '包镇领导',
};

export const EXPORT_LISTS = [
  'townships',
  'units',
  'villages',
  'cadres',
  'assignments',
  'dispatches',
  'problems',
  'direct-reports',
  'notices',
  'board',
  'visits',
  'districts',
  'leaders',
] as const;
export type ExportList = (typeof EXPORT_LISTS)[number];
export const EXPORT_LIST_LABELS: Record<ExportList, string> = {
  townships: '乡镇名单',
  villages: '村名单',
  cadres: '干部名单',
  assignments: '包村关系',
  dispatches: '任务派遣单',
  problems: '问题清单',
  'direct-reports': '信息直报',
  notices: '文书',
  board: '红黄绿清单',
  visits: '驻村记录',
  units: '单位名单',
  districts: '片区名单',
  leaders: '包镇领导',
};

/** Largest upload: a county's whole roster is a few hundred KB; Lambda takes 6 MB per request, base64 included. */
export const MAX_IMPORT_BYTES = 4 * 1024 * 1024;
const MAX_BASE64 = Math.ceil(MAX_IMPORT_BYTES / 3) * 4;
/** Rows (data rows of all sheets) one import may hold. */
export const MAX_IMPORT_ROWS = 50_000;

const importKind = z.enum(IMPORT_KINDS, {
  message: '请选择 CSV 文件的内容：乡镇、单位、村、干部、包村关系、片区或包镇领导',
});

/** The fields of the import form besides the file itself (validated inline in the browser). */
export const importOptions = z.lazy(() =>
  z.strictObject({
    csvKind: z.optional(importKind).check(z.describe('CSV 文件的内容（工作簿按工作表名区分，不用选）')),
  }),
);

export const createImportTask = z.lazy(() =>
  z
    .strictObject({
      fileName: z
        .string()
        .check(
          z.trim(),
          z.minLength(1, '请选择要导入的文件'),
          z.maxLength(200, '文件名不能超过 200 个字符'),
          noControlCharacters(),
          z.regex(
            /\.(xlsx|csv)$/i,
            '只能导入 .xlsx（Excel 工作簿）或 .csv 文件；.xls 请在 Excel 中另存为 .xlsx',
          ),
        ),
      content: z
        .string()
        .check(
          z.minLength(1, '文件是空的'),
          z.maxLength(MAX_BASE64, `文件过大（不能超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB）`),
          z.regex(/^[A-Za-z0-9+/]*={0,2}$/, '文件内容须为 base64 编码'),
          z.describe('文件内容（base64）'),
        ),
      csvKind: z.optional(importKind).check(z.describe('CSV 文件的内容；工作簿不用填')),
    })
    .check(
      z.superRefine((v, ctx) => {
        if (/\.csv$/i.test(v.fileName) && !v.csvKind) {
          ctx.addIssue({
            code: 'custom',
            path: ['csvKind'],
            message: '导入 CSV 文件时请选择文件的内容（乡镇、单位、村、干部、包村关系、片区或包镇领导）',
            params: { code: 'REQUIRED' },
            input: v.csvKind,
          });
        }
      }),
    ),
);

export const createExportTask = z.lazy(() =>
  z.strictObject({
    list: z.enum(EXPORT_LISTS, {
      message: `请选择要导出的名单：${EXPORT_LISTS.map((l) => EXPORT_LIST_LABELS[l]).join('、')}`,
    }),
    filters: z
      ._default(z.record(z.string().check(z.maxLength(40)), z.string().check(z.maxLength(200))), {})
      .check(z.describe('筛选条件：与该名单的列表接口的查询参数相同（不含 limit、next）')),
  }),
);

export const taskParams = z.lazy(() => z.strictObject({ id: entityId }));

export const taskListQuery = z.lazy(() =>
  z.strictObject({
    ...pageQuery,
    mine: z.optional(
      z.pipe(
        z.enum(['true', 'false'], { message: '请选择是否只看本人的任务' }),
        z.transform((v: 'true' | 'false') => v === 'true'),
      ),
    ),
  }),
);

export const rowIssue = z.lazy(() =>
  z.object({
    sheet: z.string().check(z.describe('工作表（CSV 文件为其内容）')),
    row: z.number().check(z.int(), z.describe('行号，与 Excel 中的行号一致（表头为第 1 行）；0 为整个文件')),
    column: z.string().check(z.describe('列名；空为整行')),
    code: z.string(),
    message: z.string(),
  }),
);

export const sheetCount = z.lazy(() =>
  z.object({
    kind: z.enum(IMPORT_KINDS),
    sheet: z.string(),
    rows: z.number().check(z.int()),
    created: z.number().check(z.int(), z.describe('本任务新写入的条数')),
    present: z.number().check(z.int(), z.describe('系统中已有且内容相同的条数（未重复写入）')),
  }),
);

export const task = z.lazy(() =>
  z.object({
    id: z.string(),
    kind: z.enum(TASK_KINDS),
    status: z.enum(TASK_STATUSES),
    attempt: z.number().check(z.int(), z.describe('已开始运行的次数')),
    retries: z.number().check(z.int(), z.describe('手动重试的次数')),
    createdAt: z.string(),
    updatedAt: z.string(),
    startedAt: z.optional(z.string()),
    heartbeatAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    createdBy: z.object({ sub: z.string(), roles: z.array(z.string()), name: z.optional(z.string()) }),
    input: z.object({
      fileName: z.optional(z.string()),
      fileKey: z.optional(z.string()),
      format: z.optional(z.enum(['xlsx', 'csv'])),
      csvKind: z.optional(z.enum(IMPORT_KINDS)),
      list: z.optional(z.enum(EXPORT_LISTS)),
      filters: z.optional(z.record(z.string(), z.string())),
    }),
    progress: z.object({ done: z.number().check(z.int()), total: z.number().check(z.int()) }),
    result: z.optional(
      z.object({
        sheets: z.optional(z.array(sheetCount)),
        issues: z.optional(z.array(rowIssue).check(z.describe('前 200 处问题；其余见错误清单文件'))),
        issueCount: z.optional(z.number().check(z.int())),
        notes: z.optional(z.array(z.string())),
        rows: z.optional(z.number().check(z.int(), z.describe('导出的行数'))),
        fileKey: z.optional(z.string()),
        fileName: z.optional(z.string()),
      }),
    ),
    error: z.optional(z.string()),
    stale: z.boolean().check(z.describe('运行中但已超过 90 秒没有进展（其进程已中断），可以重试')),
    canRetry: z.boolean(),
    hasFile: z.boolean().check(z.describe('有可下载的文件（导出结果或错误清单）')),
  }),
);

export const taskPage = page(task);

export type CreateImportTask = z.output<typeof createImportTask>;
export type CreateExportTask = z.output<typeof createExportTask>;
export type RowIssue = z.output<typeof rowIssue>;
export type SheetCount = z.output<typeof sheetCount>;
export type TaskView = z.output<typeof task>;
