import { XLSX_TYPE } from '../../../background/paths.ts';
import { importTemplate, TEMPLATE_FILE_NAME } from '../../../background/template.ts';
import { errorOf } from '../../../client/api-client.ts';
import { fieldMessages } from '../../../client/form-data.ts';
import { contentDisposition } from '../../../routes/document-files.ts';
import {
  EXPORT_LIST_LABELS,
  EXPORT_LISTS,
  IMPORT_KINDS,
  IMPORT_SHEET_NAMES,
  MAX_IMPORT_BYTES,
  RUNNING_STATUSES,
  type TaskView,
} from '../../../schemas/background.ts';
import { exportBody } from '../../forms/admin-background.ts';
import { choices, type FormState, field, formView, freshForm, refusedForm } from '../../forms/state.ts';
import { SECURITY_HEADERS } from '../../respond.ts';
import {
  definePage,
  type PageContext,
  type PageInput,
  type PageResult,
  page,
  refusedPage,
} from '../../route.ts';
import { shortDateTime } from '../../view/format.ts';

/**
 * HQ: 后台任务（导入、导出）. The list of recent tasks (mine or everyone's), the import form (a
 * workbook or a CSV file, with the template to fill in), the export button's target, and a task's
 * page: status and progress (refreshing itself every 2 s while it runs, by a meta refresh: no
 * script, nothing for the CSP to refuse), the row-by-row report of a refused import, the download
 * and, for a failed task, the retry button. Every read and write goes through the API's task routes;
 * the work itself is done by the worker function in the background.
 */
const ROLES = ['admin'] as const;
const BASE = '/app/admin/tasks';
/** The multipart body around a file of the largest size the API takes. */
const UPLOAD_MAX_BYTES = MAX_IMPORT_BYTES + 64 * 1024;
const REFRESH_SECONDS = 2;

export const STATUS_LABELS: Record<TaskView['status'], string> = {
  queued: '排队中',
  validating: '正在校验',
  writing: '正在写入',
  succeeded: '已完成',
  failed: '失败',
  refused: '未导入：数据有误',
};

const STATUS_BADGES: Record<TaskView['status'], string> = {
  queued: 'grey',
  validating: 'yellow',
  writing: 'yellow',
  succeeded: 'green',
  failed: 'red',
  refused: 'red',
};

const taskHref = (id: string) => `${BASE}/${encodeURIComponent(id)}`;

function running(t: TaskView): boolean {
  return RUNNING_STATUSES.includes(t.status) && !t.stale;
}

function what(t: TaskView): string {
  if (t.kind === 'export') return EXPORT_LIST_LABELS[t.input.list ?? 'townships'] ?? '';
  return t.input.fileName ?? '';
}

function summaryRow(t: TaskView) {
  const { done, total } = t.progress;
  return {
    id: t.id,
    href: taskHref(t.id),
    isImport: t.kind === 'import',
    what: what(t),
    status: t.stale ? '已中断' : STATUS_LABELS[t.status],
    badge: t.stale ? 'red' : STATUS_BADGES[t.status],
    running: running(t),
    progress: total ? `${done} / ${total}` : t.kind === 'export' && done ? `${done} 行` : '',
    createdAt: shortDateTime(t.createdAt),
    createdBy: t.createdBy.name ?? t.createdBy.sub,
    issues: t.result?.issueCount ?? 0,
    rows: t.result?.rows,
  };
}

const exportChoices = EXPORT_LISTS.map((value) => ({ value, label: EXPORT_LIST_LABELS[value] }));

async function listPage(
  input: PageInput,
  ctx: PageContext,
  refusal?: { message: string; fields: string[] },
  status?: number,
) {
  const mine = input.query.get('who') !== 'all';
  const tasks = await ctx.api.get('/tasks', { query: { mine: mine ? 'true' : 'false', limit: 50 } });
  const rows = tasks.items.map(summaryRow);
  const form = freshForm({ list: 'cadres' });
  return page(
    'admin/tasks/index',
    '导入导出',
    {
      mine,
      rows,
      anyRunning: rows.some((r) => r.running),
      refreshSeconds: REFRESH_SECONDS,
      refreshUrl: mine ? BASE : `${BASE}?who=all`,
      refusal: refusal ?? null,
      exportForm: {
        form: formView(form),
        list: choices(form, 'list', exportChoices),
        listField: field(form, 'list'),
      },
    },
    { nav: 'tasks', ...(status ? { status } : {}) },
  );
}

const csvChoices = IMPORT_KINDS.map((value) => ({ value, label: IMPORT_SHEET_NAMES[value] }));

function importPage(state: FormState, status?: number) {
  return page(
    'admin/tasks/import',
    '导入名册',
    {
      form: formView(state),
      fields: {
        file: field(state, 'file'),
        csvKind: field(state, 'csvKind'),
        csvKinds: choices(state, 'csvKind', csvChoices),
      },
      sheets: csvChoices.map((c) => c.label),
      maxMb: MAX_IMPORT_BYTES / 1024 / 1024,
      templateHref: `${BASE}/import/template`,
      action: `${BASE}/import`,
    },
    { nav: 'tasks', ...(status ? { status } : {}) },
  );
}

/** API field paths → the import form's fields: the file stands for its name and its content. */
const IMPORT_PATHS = new Map([
  ['fileName', 'file'],
  ['content', 'file'],
  ['csvKind', 'csvKind'],
]);

async function detailPage(
  ctx: PageContext,
  id: string,
  notice?: { retryRefused?: string; retried?: boolean },
) {
  const t = await ctx.api.get('/tasks/{id}', { params: { id } });
  const { done, total } = t.progress;
  const sheets = (t.result?.sheets ?? []).map((s) => ({ ...s, written: s.created + s.present }));
  const issues = (t.result?.issues ?? []).map((i) => ({ ...i, whole: i.row === 0 }));
  const isImport = t.kind === 'import';
  return page(
    'admin/tasks/detail',
    isImport ? '导入任务' : '导出任务',
    {
      task: {
        ...summaryRow(t),
        statusCode: t.status,
        queued: t.status === 'queued',
        validating: t.status === 'validating',
        writing: t.status === 'writing',
        succeeded: t.status === 'succeeded',
        failed: t.status === 'failed',
        refused: t.status === 'refused',
        stale: t.stale,
        error: t.error ?? '',
        done,
        total,
        percent: total ? Math.round((done / total) * 100) : 0,
        determinate: total > 0,
        startedAt: shortDateTime(t.startedAt),
        finishedAt: shortDateTime(t.finishedAt),
        attempt: t.attempt,
        retries: t.retries,
        fileName: t.result?.fileName ?? '',
        csvKind: t.input.csvKind ? IMPORT_SHEET_NAMES[t.input.csvKind] : '',
        filters: Object.entries(t.input.filters ?? {}).map(([name, value]) => ({ name, value })),
      },
      isImport,
      sheets,
      issues,
      issueCount: t.result?.issueCount ?? 0,
      moreIssues: (t.result?.issueCount ?? 0) > issues.length,
      notes: t.result?.notes ?? [],
      canRetry: t.canRetry,
      hasFile: t.hasFile,
      downloadHref: `${taskHref(t.id)}/download`,
      retryAction: `${taskHref(t.id)}/retry`,
      retryKey: freshForm().key,
      refresh: running(t),
      refreshSeconds: REFRESH_SECONDS,
      refreshUrl: taskHref(t.id),
      retryRefused: notice?.retryRefused ?? '',
      retried: notice?.retried ?? false,
    },
    { nav: 'tasks' },
  );
}

/** A file relayed as the API gave it (bytes locally, a redirect to a short-lived link on AWS). */
function relay(raw: {
  statusCode?: number;
  headers?: Record<string, unknown>;
  body?: string;
  isBase64Encoded?: boolean;
}): PageResult {
  const headers: Record<string, string> = { ...SECURITY_HEADERS };
  for (const [name, value] of Object.entries(raw.headers ?? {})) {
    if (name !== 'x-request-id' && value !== undefined) headers[name] = String(value);
  }
  return {
    type: 'raw',
    result: {
      statusCode: raw.statusCode ?? 200,
      headers,
      body: raw.body ?? '',
      isBase64Encoded: raw.isBase64Encoded ?? false,
    },
  };
}

export const taskPages = [
  definePage({
    method: 'GET',
    path: BASE,
    roles: ROLES,
    handle: (input, ctx) => listPage(input, ctx),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/import`,
    roles: ROLES,
    handle: async () => importPage(freshForm()),
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/import/template`,
    roles: ROLES,
    async handle(_input, ctx) {
      const body = importTemplate(ctx.now);
      return {
        type: 'raw',
        result: {
          statusCode: 200,
          headers: {
            'content-type': XLSX_TYPE,
            'content-disposition': contentDisposition(TEMPLATE_FILE_NAME, 'baocun-import-template.xlsx'),
            'cache-control': 'private, no-store',
            ...SECURITY_HEADERS,
          },
          body: body.toString('base64'),
          isBase64Encoded: true,
        },
      };
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/import`,
    roles: ROLES,
    maxBodyBytes: UPLOAD_MAX_BYTES,
    async handle(input, ctx) {
      const file = input.files.find((f) => f.field === 'file');
      const csvKind = input.form.find(([name]) => name === 'csvKind')?.[1]?.trim() || undefined;
      if (!file || file.body.length === 0) {
        const message = file ? '上传的文件是空的' : '请选择要导入的文件';
        const state = refusedForm(input.form, [{ name: 'file', code: 'REQUIRED', message }], {
          code: 'VALIDATION_FAILED',
          message: '请按提示修改后再提交。',
        });
        if (input.wantsJson) return { type: 'json', status: 400, body: { ok: false, fields: state.errors } };
        return importPage(state, 400);
      }
      const res = await ctx.api.relay('POST', '/tasks/imports', {
        body: {
          fileName: file.fileName,
          content: file.body.toString('base64'),
          ...(csvKind ? { csvKind } : {}),
        },
        idempotencyKey: input.idempotencyKey,
      });
      if (res.ok) {
        const location = taskHref(res.body.id);
        if (input.wantsJson) return { type: 'json', status: 200, body: { ok: true, location } };
        return { type: 'redirect', location, status: 303 };
      }
      if (res.status >= 500) throw new Error(`/tasks/imports answered ${res.status}`);
      const error = errorOf(res.body);
      const fields = fieldMessages(error.fields ?? [], IMPORT_PATHS);
      if (input.wantsJson) {
        return {
          type: 'json',
          status: res.status,
          body: { ok: false, error: { code: error.code, message: error.message }, fields },
        };
      }
      return importPage(
        refusedForm(input.form, fields, { code: error.code, message: error.message }),
        res.status,
      );
    },
  }),
  definePage({
    method: 'POST',
    path: '/app/admin/exports',
    formPage: '/app/admin/tasks',
    roles: ROLES,
    async handle(input, ctx) {
      const body = exportBody(input.form);
      const res = await ctx.api.relay('POST', '/tasks/exports', {
        body,
        idempotencyKey: input.idempotencyKey,
      });
      if (res.ok) {
        const location = taskHref(res.body.id);
        if (input.wantsJson) return { type: 'json', status: 200, body: { ok: true, location } };
        return { type: 'redirect', location, status: 303 };
      }
      if (res.status >= 500) throw new Error(`/tasks/exports answered ${res.status}`);
      const error = errorOf(res.body);
      if (input.wantsJson) return { type: 'json', status: res.status, body: { ok: false, error } };
      // The button sits on another area's list page: say what was wrong on ours.
      return listPage(
        input,
        ctx,
        { message: error.message, fields: (error.fields ?? []).map((f) => f.message) },
        res.status,
      );
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}`,
    roles: ROLES,
    async handle(input, ctx) {
      const id = input.params.id ?? '';
      if (input.wantsJson) {
        return {
          type: 'json',
          status: 200,
          body: await ctx.api.get('/tasks/{id}', { params: { id } }),
        };
      }
      return detailPage(ctx, id, { retried: input.query.get('retried') === '1' });
    },
  }),
  definePage({
    method: 'POST',
    path: `${BASE}/{id}/retry`,
    roles: ROLES,
    async handle(input, ctx) {
      const id = input.params.id ?? '';
      const res = await ctx.api.call('POST', '/tasks/{id}/retry', {
        params: { id },
        idempotencyKey: input.idempotencyKey,
      });
      if (res.ok) {
        const location = `${taskHref(id)}?retried=1`;
        if (input.wantsJson) return { type: 'json', status: 200, body: { ok: true, location } };
        return { type: 'redirect', location, status: 303 };
      }
      if (res.status >= 500) throw new Error(`/tasks/{id}/retry answered ${res.status}`);
      const error = errorOf(res.body);
      if (input.wantsJson) return { type: 'json', status: res.status, body: { ok: false, error } };
      if (res.status === 404) return detailPage(ctx, id);
      return detailPage(ctx, id, { retryRefused: error.message });
    },
  }),
  definePage({
    method: 'GET',
    path: `${BASE}/{id}/download`,
    roles: ROLES,
    async handle(input, ctx) {
      const res = await ctx.api.call('GET', '/tasks/{id}/download', {
        params: { id: input.params.id ?? '' },
      });
      if (res.status >= 400) {
        return refusedPage(res.status, errorOf(res.body), 'tasks');
      }
      return relay(res.raw as Parameters<typeof relay>[0]);
    },
  }),
];
