import type {
  ExportList,
  ImportKind,
  RowIssue,
  SheetCount,
  TaskKind,
  TaskStatus,
} from '../../schemas/background.ts';
import { keys } from './keys.ts';
import {
  ConditionFailed,
  getItem,
  type Item,
  mapPage,
  type Page,
  putIfAbsent,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * Background tasks, one item each (`TASK#<id>` / `A`), listed newest first for everyone (GSI1
 * `TASKS`) and per creator (GSI2 `TASKS#BY#<sub>`). Every status change is one conditional
 * UpdateItem on the status it expects and on the attempt that holds the task, so a second delivery of
 * the worker's event, a retry button pressed twice or a worker that lost its lease cannot both run.
 * A running attempt refreshes `heartbeatAt`; one that has not for HEARTBEAT_LEASE_MS has died (Lambda
 * timeout, crash) and may be taken over.
 */
export const HEARTBEAT_LEASE_MS = 90_000;
/** Tasks (and their personal data) are kept this long; DynamoDB TTL removes them after. */
export const TASK_TTL_DAYS = 90;

export interface TaskCreator {
  sub: string;
  roles: string[];
  name?: string | undefined;
}

export interface TaskInput {
  fileName?: string;
  fileKey?: string;
  format?: 'xlsx' | 'csv';
  csvKind?: ImportKind;
  list?: ExportList;
  filters?: Record<string, string>;
}

export interface TaskResult {
  sheets?: SheetCount[];
  issues?: RowIssue[];
  issueCount?: number;
  notes?: string[];
  rows?: number;
  fileKey?: string;
  fileName?: string;
}

export interface TaskRecord {
  id: string;
  kind: TaskKind;
  status: TaskStatus;
  attempt: number;
  retries: number;
  createdAt: string;
  updatedAt: string;
  startedAt?: string;
  heartbeatAt?: string;
  finishedAt?: string;
  createdBy: TaskCreator;
  input: TaskInput;
  progress: { done: number; total: number };
  result?: TaskResult;
  error?: string;
}

const toRecord = (item: Item) => withoutKeys(item) as unknown as TaskRecord;

export type NewTask = Pick<TaskRecord, 'id' | 'kind' | 'createdAt' | 'createdBy' | 'input'>;

/** Writes a queued task; a second create with the same id (a retried request) returns the first. */
export async function createTask(task: NewTask): Promise<{ created: boolean; task: TaskRecord }> {
  const record: TaskRecord = {
    ...task,
    status: 'queued',
    attempt: 0,
    retries: 0,
    updatedAt: task.createdAt,
    progress: { done: 0, total: 0 },
  };
  const sort = `${task.createdAt}#${task.id}`;
  const created = await putIfAbsent({
    ...keys.task(task.id),
    GSI1PK: keys.taskList(),
    GSI1SK: sort,
    GSI2PK: keys.creatorTasks(task.createdBy.sub),
    GSI2SK: sort,
    entity: 'task',
    expiresAt: Math.floor(Date.parse(task.createdAt) / 1000) + TASK_TTL_DAYS * 86_400,
    ...record,
  });
  if (created) return { created: true, task: record };
  const existing = await getTask(task.id);
  if (!existing) throw new Error('task vanished after a conflicting create');
  return { created: false, task: existing };
}

export async function getTask(id: string): Promise<TaskRecord | undefined> {
  const item = await getItem<Item>(keys.task(id));
  return item ? toRecord(item) : undefined;
}

export async function listTasks(
  filter: { createdBy?: string | undefined },
  limit: number,
  next?: string,
): Promise<Page<TaskRecord>> {
  const page = await queryPage<Item>(
    filter.createdBy
      ? { index: 'GSI2', partition: keys.creatorTasks(filter.createdBy), descending: true }
      : { index: 'GSI1', partition: keys.taskList(), descending: true },
    limit,
    next,
  );
  return mapPage(page, toRecord);
}

/** A running task whose attempt has stopped refreshing its heartbeat: its process is gone. */
export function isStale(task: TaskRecord, now: Date): boolean {
  if (task.status !== 'validating' && task.status !== 'writing') return false;
  const beat = Date.parse(task.heartbeatAt ?? task.startedAt ?? task.updatedAt);
  return beat + HEARTBEAT_LEASE_MS < now.getTime();
}

async function conditional(
  id: string,
  update: string,
  condition: string,
  names: Record<string, string>,
  values: Record<string, unknown>,
): Promise<TaskRecord | undefined> {
  try {
    return toRecord(
      await updateItem<Item>({
        Key: keys.task(id),
        UpdateExpression: update,
        ConditionExpression: `attribute_exists(PK) AND (${condition})`,
        ExpressionAttributeNames: { '#status': 'status', ...names },
        ExpressionAttributeValues: values,
      }),
    );
  } catch (error) {
    if (error instanceof ConditionFailed) return undefined;
    throw error;
  }
}

/**
 * The worker takes the task: queued → validating with the next attempt number, or a running task
 * whose heartbeat is older than the lease (its attempt died). Undefined when someone else holds it or
 * it has finished (a repeated event), so the caller does nothing.
 */
export function claimTask(id: string, now: Date): Promise<TaskRecord | undefined> {
  const at = now.toISOString();
  return conditional(
    id,
    'SET #status = :validating, attempt = attempt + :one, startedAt = :now, heartbeatAt = :now, updatedAt = :now, progress = :zero REMOVE #error, finishedAt',
    '#status = :queued OR ((#status = :validating OR #status = :writing) AND heartbeatAt < :staleBefore)',
    { '#error': 'error' },
    {
      ':validating': 'validating',
      ':writing': 'writing',
      ':queued': 'queued',
      ':one': 1,
      ':now': at,
      ':zero': { done: 0, total: 0 },
      ':staleBefore': new Date(now.getTime() - HEARTBEAT_LEASE_MS).toISOString(),
    },
  );
}

/** Only the attempt that holds the task may change it. */
const held = '#status = :expected AND attempt = :attempt';

/** Validation passed: from here on the attempt writes. */
export function markWriting(task: TaskRecord, total: number, now: Date): Promise<TaskRecord | undefined> {
  const at = now.toISOString();
  return conditional(
    task.id,
    'SET #status = :writing, progress = :progress, heartbeatAt = :now, updatedAt = :now',
    held,
    {},
    {
      ':writing': 'writing',
      ':expected': 'validating',
      ':attempt': task.attempt,
      ':progress': { done: 0, total },
      ':now': at,
    },
  );
}

/** Progress and heartbeat in one write; false when the attempt no longer holds the task. */
export async function recordProgress(
  task: TaskRecord,
  progress: { done: number; total: number },
  now: Date,
): Promise<boolean> {
  const at = now.toISOString();
  const updated = await conditional(
    task.id,
    'SET progress = :progress, heartbeatAt = :now, updatedAt = :now',
    held,
    {},
    { ':expected': task.status, ':attempt': task.attempt, ':progress': progress, ':now': at },
  );
  return updated !== undefined;
}

/** The attempt's outcome: succeeded, refused (bad rows, nothing written) or failed. */
export function finishTask(
  task: TaskRecord,
  outcome: {
    status: 'succeeded' | 'failed' | 'refused';
    now: Date;
    result?: TaskResult;
    error?: string;
    /** The last progress, when it is newer than the last written one. */
    progress?: { done: number; total: number };
  },
): Promise<TaskRecord | undefined> {
  const at = outcome.now.toISOString();
  return conditional(
    task.id,
    `SET #status = :status, finishedAt = :now, updatedAt = :now, heartbeatAt = :now${
      outcome.result ? ', #result = :result' : ''
    }${outcome.error ? ', #error = :error' : ''}${outcome.progress ? ', progress = :progress' : ''}`,
    held,
    { ...(outcome.result ? { '#result': 'result' } : {}), ...(outcome.error ? { '#error': 'error' } : {}) },
    {
      ':status': outcome.status,
      ':expected': task.status,
      ':attempt': task.attempt,
      ':now': at,
      ...(outcome.result ? { ':result': outcome.result } : {}),
      ...(outcome.error ? { ':error': outcome.error.slice(0, 1000) } : {}),
      ...(outcome.progress ? { ':progress': outcome.progress } : {}),
    },
  );
}

/**
 * The retry button: a failed task (or a running one whose attempt died) goes back to the queue, to
 * be claimed by the next worker event. Undefined when the task is in any other state.
 */
export function requeueTask(id: string, now: Date): Promise<TaskRecord | undefined> {
  const at = now.toISOString();
  return conditional(
    id,
    'SET #status = :queued, retries = retries + :one, updatedAt = :now REMOVE #error, finishedAt, #result',
    '#status = :failed OR ((#status = :validating OR #status = :writing) AND heartbeatAt < :staleBefore)',
    { '#error': 'error', '#result': 'result' },
    {
      ':queued': 'queued',
      ':failed': 'failed',
      ':validating': 'validating',
      ':writing': 'writing',
      ':one': 1,
      ':now': at,
      ':staleBefore': new Date(now.getTime() - HEARTBEAT_LEASE_MS).toISOString(),
    },
  );
}
