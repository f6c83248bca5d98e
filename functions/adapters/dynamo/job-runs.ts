import { keys } from './keys.ts';
import {
  ConditionFailed,
  getItem,
  type Item,
  type Page,
  putIfAbsent,
  queryPage,
  updateItem,
  withoutKeys,
} from './table.ts';

/**
 * One item per job run, keyed by job name and run key. A scheduled run's key is its scheduled time,
 * so EventBridge Scheduler's at-least-once delivery (or a retry) finds the run already claimed and
 * does not run it twice; a failed run, or one that has been "running" past its lease (its process
 * died), may be claimed again. Manual runs get a key of their own.
 */
export type JobRunStatus = 'running' | 'succeeded' | 'failed';
/** `console`: started from the jobs page, run in the background by the scheduled-jobs function. */
export type JobTrigger = 'schedule' | 'api' | 'cli' | 'local-scheduler' | 'console';

export interface JobRunRecord {
  job: string;
  runKey: string;
  trigger: JobTrigger;
  scheduledFor?: string;
  week?: string;
  status: JobRunStatus;
  attempts: number;
  startedAt: string;
  finishedAt?: string;
  requestedBy?: string;
  summary?: Record<string, unknown>;
  error?: string;
}

const toRecord = (item: Item) => withoutKeys(item) as unknown as JobRunRecord;

export type RunClaim = { claimed: true; run: JobRunRecord } | { claimed: false; run: JobRunRecord };

export async function claimJobRun(
  run: Omit<JobRunRecord, 'status' | 'attempts'>,
  leaseMs: number,
): Promise<RunClaim> {
  const key = keys.jobRun(run.job, run.runKey);
  const fresh: JobRunRecord = { ...run, status: 'running', attempts: 1 };
  if (await putIfAbsent({ ...key, entity: 'jobRun', ...fresh })) return { claimed: true, run: fresh };
  const existing = await getItem<Item>(key);
  if (!existing) throw new Error('job run claim vanished');
  const current = toRecord(existing);
  const stale =
    current.status === 'running' && Date.parse(current.startedAt) + leaseMs < Date.parse(run.startedAt);
  if (current.status !== 'failed' && !stale) return { claimed: false, run: current };
  try {
    const updated = await updateItem<Item>({
      Key: key,
      UpdateExpression:
        'SET #status = :running, attempts = :next, startedAt = :now, #trigger = :trigger REMOVE finishedAt, #error',
      ConditionExpression: 'attempts = :seen AND #status = :status',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error', '#trigger': 'trigger' },
      ExpressionAttributeValues: {
        ':running': 'running',
        ':next': current.attempts + 1,
        ':seen': current.attempts,
        ':status': current.status,
        ':now': run.startedAt,
        ':trigger': run.trigger,
      },
    });
    return { claimed: true, run: toRecord(updated) };
  } catch (error) {
    if (!(error instanceof ConditionFailed)) throw error;
    return { claimed: false, run: toRecord((await getItem<Item>(key)) ?? existing) };
  }
}

export async function finishJobRun(
  run: JobRunRecord,
  outcome: { status: 'succeeded' | 'failed'; at: Date; summary?: Record<string, unknown>; error?: string },
): Promise<JobRunRecord> {
  const item = await updateItem<Item>({
    Key: keys.jobRun(run.job, run.runKey),
    UpdateExpression: `SET #status = :status, finishedAt = :at${outcome.summary ? ', summary = :summary' : ''}${
      outcome.error ? ', #error = :error' : ''
    }`,
    // Only the attempt that claimed the run records its end.
    ConditionExpression: 'attempts = :attempt',
    ExpressionAttributeNames: { '#status': 'status', ...(outcome.error ? { '#error': 'error' } : {}) },
    ExpressionAttributeValues: {
      ':status': outcome.status,
      ':at': outcome.at.toISOString(),
      ':attempt': run.attempts,
      ...(outcome.summary ? { ':summary': outcome.summary } : {}),
      ...(outcome.error ? { ':error': outcome.error.slice(0, 1000) } : {}),
    },
  });
  return toRecord(item);
}

export async function listJobRuns(job: string, limit: number, next?: string): Promise<Page<JobRunRecord>> {
  const page = await queryPage<Item>({ partition: keys.jobRuns(job), descending: true }, limit, next);
  return { items: page.items.map(toRecord), ...(page.next ? { next: page.next } : {}) };
}
