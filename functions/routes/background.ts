import { download } from '../adapters/documents/downloads.ts';
import { documentStore } from '../adapters/documents/store.ts';
import {
  createTask,
  getTask,
  HEARTBEAT_LEASE_MS,
  isStale,
  listTasks,
  type NewTask,
  requeueTask,
  type TaskRecord,
} from '../adapters/dynamo/background.ts';
import { invokeAsync } from '../adapters/invoke/index.ts';
import { filterIssues } from '../background/lists.ts';
import { importKey, XLSX_TYPE } from '../background/paths.ts';
import { looksLikeXlsx } from '../background/xlsx-writer.ts';
import { derivedId, newId } from '../core/ids.ts';
import { ConflictError, NotFoundError, ValidationError } from '../errors.ts';
import type { Actor } from '../http/auth.ts';
import { defineRoute, ok, type RawResponse, type RequestContext } from '../http/route.ts';
import {
  createExportTask,
  createImportTask,
  MAX_IMPORT_BYTES,
  type TaskView,
  task,
  taskListQuery,
  taskPage,
  taskParams,
} from '../schemas/background.ts';
import { errorBody } from '../schemas/common.ts';
import { contentDisposition } from './document-files.ts';

/**
 * Background work, started by a request and done afterwards by another function (API Gateway ends a
 * request at 29 s): roster imports and list exports run by the worker (functions/api/worker.ts).
 * (Scheduled jobs run now are POST /jobs/{name}, routes/jobs.ts, the same way.) Each route writes the
 * task record first, then invokes asynchronously and answers 202 at once; the record says how it
 * goes. Served in-process by the web function (and the worker).
 */
const TAGS = ['tasks'];
const ADMIN = ['admin'] as const;

export function taskView(t: TaskRecord, now: Date): TaskView {
  const stale = isStale(t, now);
  const stuckInQueue = t.status === 'queued' && Date.parse(t.updatedAt) + HEARTBEAT_LEASE_MS < now.getTime();
  return {
    ...t,
    stale,
    canRetry: t.status === 'failed' || stale || stuckInQueue,
    hasFile: Boolean(t.result?.fileKey),
  };
}

/** With an Idempotency-Key a retried request lands on the same task (and its upload on the same key). */
function taskId(ctx: RequestContext): string {
  return ctx.idempotencyKey ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'task') : newId(ctx.now);
}

function creator(actor: Actor) {
  return { sub: actor.sub, roles: [...actor.roles], ...(actor.name ? { name: actor.name } : {}) };
}

function invalid(path: string, code: string, message: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', { fields: [{ path, code, message }] });
}

/**
 * Records a task (once per id: a retried request finds it made), audits its creation and hands it to
 * the worker; a repeat answers with the task as it stands.
 */
async function openTask(
  ctx: RequestContext,
  id: string,
  task: Pick<NewTask, 'kind' | 'input'>,
  changes: Record<string, unknown>,
): Promise<TaskRecord> {
  const { created, task: record } = await createTask({
    id,
    ...task,
    createdAt: ctx.now.toISOString(),
    createdBy: creator(ctx.actor),
  });
  if (created) {
    await ctx.audit({ entityType: 'task', entityId: id, action: 'create', changes });
    await invokeAsync('worker', { taskId: record.id });
  }
  return record;
}

export const taskRoutes = [
  defineRoute({
    method: 'POST',
    path: '/tasks/imports',
    summary: '导入名册（.xlsx 工作簿或 .csv 文件，base64）：先校验全部行，有误则整份不导入',
    tags: TAGS,
    roles: ADMIN,
    body: createImportTask,
    // The file travels base64 inside the JSON body: 4 MB of file is about 5.6 MB of body.
    maxBodyBytes: Math.ceil(MAX_IMPORT_BYTES / 3) * 4 + 64 * 1024,
    responses: { 202: task, 400: errorBody, 413: errorBody },
    async handle({ body }, ctx) {
      const bytes = Buffer.from(body.content, 'base64');
      const format = /\.xlsx$/i.test(body.fileName) ? 'xlsx' : 'csv';
      if (bytes.length > MAX_IMPORT_BYTES) {
        throw invalid(
          'body.content',
          'TOO_LARGE',
          `文件过大（不能超过 ${MAX_IMPORT_BYTES / 1024 / 1024} MB）`,
        );
      }
      if (format === 'xlsx' && !looksLikeXlsx(bytes)) {
        throw invalid(
          'body.content',
          'NOT_XLSX',
          '文件不是有效的 .xlsx 工作簿（.xls 或 .et 文件请在 Excel/WPS 中另存为 .xlsx）',
        );
      }
      const id = taskId(ctx);
      const fileKey = importKey(id, `source.${format}`);
      const existing = await getTask(id);
      if (existing) return { status: 202, body: taskView(existing, ctx.now) };
      await documentStore().put(fileKey, bytes, format === 'xlsx' ? XLSX_TYPE : 'text/csv');
      const record = await openTask(
        ctx,
        id,
        {
          kind: 'import',
          input: {
            fileKey,
            fileName: body.fileName,
            format,
            ...(format === 'csv' && body.csvKind ? { csvKind: body.csvKind } : {}),
          },
        },
        { kind: 'import', fileName: body.fileName, format, bytes: bytes.length, csvKind: body.csvKind },
      );
      return { status: 202, body: taskView(record, ctx.now) };
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tasks/exports',
    summary: '导出名单为 .xlsx（筛选条件与该名单的列表接口相同）',
    tags: TAGS,
    roles: ADMIN,
    body: createExportTask,
    responses: { 202: task, 400: errorBody },
    async handle({ body }, ctx) {
      const issues = filterIssues(body.list, body.filters);
      if (issues.length) throw new ValidationError('筛选条件有误，请按提示修改', { fields: issues });
      const id = taskId(ctx);
      const record = await openTask(
        ctx,
        id,
        { kind: 'export', input: { list: body.list, filters: body.filters } },
        { kind: 'export', list: body.list, filters: body.filters },
      );
      return { status: 202, body: taskView(record, ctx.now) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks',
    summary: '后台任务列表（最新在前；mine=true 只看本人的）',
    tags: TAGS,
    roles: ADMIN,
    query: taskListQuery,
    responses: { 200: taskPage, 400: errorBody },
    async handle({ query }, ctx) {
      const page = await listTasks(
        { createdBy: query.mine ? ctx.actor.sub : undefined },
        query.limit,
        query.next,
      );
      return ok({
        items: page.items.map((t) => taskView(t, ctx.now)),
        ...(page.next ? { next: page.next } : {}),
      });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks/{id}',
    summary: '后台任务详情：状态、进度、逐行问题清单、结果文件',
    tags: TAGS,
    roles: ADMIN,
    params: taskParams,
    responses: { 200: task, 404: errorBody },
    async handle({ params }, ctx) {
      const found = await getTask(params.id);
      if (!found) throw new NotFoundError('后台任务不存在');
      return ok(taskView(found, ctx.now));
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/tasks/{id}/retry',
    summary: '重试失败（或中断）的后台任务：从头校验，已写入的记录不会重复写入',
    tags: TAGS,
    roles: ADMIN,
    params: taskParams,
    responses: { 202: task, 404: errorBody, 409: errorBody },
    async handle({ params }, ctx) {
      const found = await getTask(params.id);
      if (!found) throw new NotFoundError('后台任务不存在');
      const view = taskView(found, ctx.now);
      if (!view.canRetry) {
        throw new ConflictError('NOT_RETRYABLE', '只有失败或已中断的任务可以重试', {
          fields: [
            { path: 'params.id', code: 'NOT_RETRYABLE', message: '这个任务正在进行或已经成功，无需重试' },
          ],
        });
      }
      // A task stuck in the queue (its start was lost) needs only a new start; others go back to it.
      const queued = found.status === 'queued' ? found : await requeueTask(found.id, ctx.now);
      if (!queued) throw new ConflictError('NOT_RETRYABLE', '任务状态刚刚发生了变化，请刷新后再试');
      await ctx.audit({
        entityType: 'task',
        entityId: found.id,
        action: 'retry',
        changes: { from: found.status, attempt: found.attempt },
      });
      await invokeAsync('worker', { taskId: queued.id });
      return { status: 202, body: taskView(queued, ctx.now) };
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/tasks/{id}/download',
    summary: '下载后台任务的结果文件（导出的名单，或导入的问题清单）',
    tags: TAGS,
    roles: ADMIN,
    params: taskParams,
    responses: {
      200: { description: '.xlsx 文件（Content-Disposition 带中文文件名）' },
      302: { description: '跳转到短时有效的下载地址' },
      404: errorBody,
    },
    async handle({ params }): Promise<RawResponse> {
      const found = await getTask(params.id);
      if (!found) throw new NotFoundError('后台任务不存在');
      const key = found.result?.fileKey;
      if (!key) throw new NotFoundError('该任务没有可下载的文件');
      const name = found.result?.fileName ?? `${found.id}.xlsx`;
      const stored = await download(key, name, XLSX_TYPE);
      if (stored.kind === 'link') {
        return {
          raw: true,
          statusCode: 302,
          headers: { location: stored.url, 'cache-control': 'no-store' },
          body: '',
        };
      }
      const file = stored.file;
      if (!file) throw new NotFoundError('文件已不存在（可能已过期）');
      return {
        raw: true,
        statusCode: 200,
        headers: {
          'content-type': XLSX_TYPE,
          'content-disposition': contentDisposition(name, `task-${found.id}.xlsx`),
          'content-length': String(file.body.length),
          'cache-control': 'private, no-store',
          'x-content-type-options': 'nosniff',
        },
        body: file.body.toString('base64'),
        isBase64Encoded: true,
      };
    },
  }),
];

/** The routes the web function serves in-process for background work. */
export const backgroundRoutes = [...taskRoutes];
