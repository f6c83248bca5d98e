import type { DocumentStore } from '../adapters/documents/store.ts';
import { writeAudit } from '../adapters/dynamo/audit.ts';
import {
  claimTask,
  finishTask,
  getTask,
  markWriting,
  recordProgress,
  type TaskRecord,
  type TaskResult,
} from '../adapters/dynamo/background.ts';
import type { ApiClient } from '../client/api-client.ts';
import { beijingDateTime } from '../core/time.ts';
import type { Logger } from '../http/logger.ts';
import type { RowIssue } from '../schemas/background.ts';
import { runExport } from './export.ts';
import { type ImportOutcome, runImport } from './import.ts';
import { exportKey, XLSX_TYPE } from './paths.ts';
import { writeWorkbook } from './xlsx-writer.ts';

/**
 * Runs one background task to its end: claims it (a repeated event, or one for a task another
 * attempt holds, does nothing), runs the import or export as the person who created it, keeps the
 * progress and heartbeat fresh, stores the output file and records the outcome, with an audit entry
 * for the start and the end. Used by the worker Lambda and, in-process, by the local runtime.
 */
export interface RunnerDeps {
  /** The JSON API as the task's creator (their sub and roles). */
  apiAs(task: TaskRecord): ApiClient;
  documents: DocumentStore;
  clock: () => Date;
  log: Logger;
  requestId: string;
  /** How often progress is written at most (ms). */
  progressEveryMs?: number;
}

/** Issues kept on the task item itself (DynamoDB items stop at 400 KB); the rest go in the report file. */
export const ISSUES_ON_TASK = 200;

/** The attempt lost the task to another (its heartbeat went stale and someone took over). */
class LostTaskError extends Error {
  override readonly name = 'LostTaskError';
}

async function audit(task: TaskRecord, action: string, deps: RunnerDeps, changes: Record<string, unknown>) {
  await writeAudit({
    entityType: 'task',
    entityId: task.id,
    action,
    changes,
    at: deps.clock().toISOString(),
    actor: task.createdBy.sub,
    roles: task.createdBy.roles,
    routeKey: 'worker',
    requestId: deps.requestId,
  });
}

/** Progress writes, at most one per interval (and always the last), each also the heartbeat. */
function progressWriter(
  holder: { task: TaskRecord; progress?: { done: number; total: number } },
  deps: RunnerDeps,
) {
  const every = deps.progressEveryMs ?? 1000;
  let last = 0;
  return async (done: number, total: number) => {
    // Kept even when not written, so the outcome records how far the attempt got.
    holder.progress = { done, total };
    const now = deps.clock();
    if (now.getTime() - last < every && done !== total) return;
    last = now.getTime();
    if (!(await recordProgress(holder.task, { done, total }, now))) throw new LostTaskError(holder.task.id);
  };
}

const ISSUE_COLUMNS = [
  { header: '工作表', width: 12 },
  { header: '行号', width: 8 },
  { header: '列', width: 16 },
  { header: '问题', width: 80 },
];

async function issueReport(
  task: TaskRecord,
  issues: RowIssue[],
  deps: RunnerDeps,
): Promise<Pick<TaskResult, 'fileKey' | 'fileName'>> {
  const body = writeWorkbook(
    [
      {
        name: '导入问题清单',
        columns: ISSUE_COLUMNS,
        rows: issues.map((i) => [i.sheet, i.row || '', i.column, i.message]),
      },
    ],
    { creator: '包村', created: deps.clock() },
  );
  const fileKey = exportKey(task.id, 'import-issues.xlsx');
  await deps.documents.put(fileKey, body, XLSX_TYPE);
  const stamp = beijingDateTime(deps.clock()).replace(/[-:]/g, '').replace(' ', '-');
  return { fileKey, fileName: `导入问题清单-${stamp}.xlsx` };
}

async function importResult(task: TaskRecord, outcome: ImportOutcome, deps: RunnerDeps): Promise<TaskResult> {
  const result: TaskResult = { sheets: outcome.sheets, notes: outcome.notes };
  if (outcome.status === 'succeeded') return result;
  return {
    ...result,
    issues: outcome.issues.slice(0, ISSUES_ON_TASK),
    issueCount: outcome.issues.length,
    ...(outcome.issues.length ? await issueReport(task, outcome.issues, deps) : {}),
  };
}

export async function runTask(taskId: string, deps: RunnerDeps): Promise<{ taskId: string; status: string }> {
  const claimed = await claimTask(taskId, deps.clock());
  if (!claimed) {
    const current = await getTask(taskId);
    deps.log.info('task not claimed', { taskId, status: current?.status ?? 'missing' });
    return { taskId, status: current?.status ?? 'missing' };
  }
  const holder: { task: TaskRecord; progress?: { done: number; total: number } } = { task: claimed };
  await audit(claimed, 'start', deps, { attempt: claimed.attempt, kind: claimed.kind });
  const progress = progressWriter(holder, deps);
  const finish = async (status: 'succeeded' | 'failed' | 'refused', result?: TaskResult, error?: string) => {
    const done = await finishTask(holder.task, {
      status,
      now: deps.clock(),
      ...(result ? { result } : {}),
      ...(error ? { error } : {}),
      ...(holder.progress ? { progress: holder.progress } : {}),
    });
    if (!done) throw new LostTaskError(taskId);
    await audit(done, status, deps, {
      attempt: done.attempt,
      ...(result?.rows !== undefined ? { rows: result.rows } : {}),
      ...(result?.issueCount ? { issues: result.issueCount } : {}),
      ...(result?.sheets
        ? { sheets: result.sheets.map((s) => ({ kind: s.kind, created: s.created, present: s.present })) }
        : {}),
    });
    return { taskId, status };
  };
  try {
    const api = deps.apiAs(claimed);
    if (claimed.kind === 'export') {
      const { list, filters } = claimed.input;
      if (!list) return await finish('failed', undefined, '任务缺少要导出的名单');
      const out = await runExport(
        { list, filters: filters ?? {} },
        {
          api,
          now: deps.clock(),
          progress: (done) => progress(done, 0),
          baseUrl: process.env.PUBLIC_BASE_URL,
        },
      );
      const fileKey = exportKey(taskId, `${list}.xlsx`);
      await deps.documents.put(fileKey, out.body, XLSX_TYPE);
      return await finish('succeeded', { rows: out.rows, fileKey, fileName: out.fileName });
    }
    const { fileKey, fileName, format, csvKind } = claimed.input;
    const file = fileKey ? await deps.documents.get(fileKey) : undefined;
    if (!file || !fileName || !format)
      return await finish('failed', undefined, '上传的文件已不在（可能已过期），请重新上传');
    const outcome = await runImport(
      { bytes: file.body, fileName, format, csvKind },
      {
        api,
        taskId,
        progress: (done, total) => progress(done, total),
        async startWriting(total) {
          const writing = await markWriting(holder.task, total, deps.clock());
          if (!writing) throw new LostTaskError(taskId);
          holder.task = writing;
        },
      },
    );
    const result = await importResult(holder.task, outcome, deps);
    return await finish(
      outcome.status,
      result,
      outcome.status === 'failed'
        ? '写入时有记录被系统拒绝（见下方清单）；已写入的记录保留，修正后可重试'
        : undefined,
    );
  } catch (error) {
    if (error instanceof LostTaskError) {
      deps.log.warn('task taken over by another attempt', { taskId, attempt: holder.task.attempt });
      return { taskId, status: 'lost' };
    }
    deps.log.error('task failed', {
      taskId,
      error:
        error instanceof Error
          ? { name: error.name, message: error.message, stack: error.stack }
          : String(error),
    });
    try {
      return await finish(
        'failed',
        undefined,
        '后台任务运行出错，可点击「重试」继续：已写入的记录不会重复写入',
      );
    } catch (inner) {
      if (inner instanceof LostTaskError) return { taskId, status: 'lost' };
      throw inner;
    }
  }
}
