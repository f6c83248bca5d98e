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
 * One item per job run, keyed by job name and run key. A scheduled run's key is its scheduled time,
 * so EventBridge Scheduler's at-least-once delivery (or a retry) finds the run already claimed and
 * does not run it twice; a failed run, or one that has been "running" past its lease (its process
 * died), may be claimed again. Manual runs get a key of their own.
 *
 * A run started through POST /jobs/{name} is written `queued` first (by the API, before it invokes
 * the jobs function asynchronously); the jobs function claims it (`queued` → `running`).
 */
export type JobRunStatus = 'queued' | 'running' | 'succeeded' | 'failed';
/**
 * `api`: POST /jobs/{name} (also the jobs page, which calls it in-process); `console`: runs the jobs
 * page started before it did (older records, and events still in flight during an upgrade).
 */
export type JobTrigger = 'schedule' | 'api' | 'cli' | 'local-scheduler' | 'console';

export interface JobRunRecord {
  job: string;
  runKey: string;
  trigger: JobTrigger;
  scheduledFor?: string;
  week?: string;
  status: JobRunStatus;
  /** 0 while queued; each claim adds one. */
  attempts: number;
  /** When POST /jobs/{name} queued it (queued runs only). */
  queuedAt?: string;
  /** When the current attempt started; absent while queued. */
  startedAt?: string;
  finishedAt?: string;
  requestedBy?: string;
  /** The name of the person who asked for the run, what people read. */
  requestedByName?: string;
  summary?: Record<string, unknown>;
  /** Items the run could not do (emails not sent, documents not rendered), summed from its summary. */
  failures?: number;
  error?: string;
}

const toRecord = (item: Item) => withoutKeys(item) as unknown as JobRunRecord;

export type RunClaim = { claimed: true; run: JobRunRecord } | { claimed: false; run: JobRunRecord };

/**
 * Whether a run's process is taken to have died: `running` past its lease since it started, or
 * `queued` past it since it was queued (its asynchronous start never arrived).
 */
export function leaseExpired(run: JobRunRecord, now: Date, leaseMs: number): boolean {
  const since = run.status === 'running' ? run.startedAt : run.status === 'queued' ? run.queuedAt : undefined;
  return since !== undefined && Date.parse(since) + leaseMs < now.getTime();
}

/** Why a run past its lease is taken to have failed. */
export function deadRunError(run: JobRunRecord): string {
  return run.status === 'queued'
    ? 'lease expired: the run never started (its start was lost); start it again'
    : 'lease expired: the run stopped without recording an end (its process died); run it again';
}

/**
 * Writes a run `queued` (POST /jobs/{name}, before the asynchronous start). With the same key again
 * (a retried request) it returns the run as it is now, and `created: false`.
 */
export async function queueJobRun(
  run: Pick<JobRunRecord, 'job' | 'runKey' | 'trigger' | 'week' | 'requestedBy' | 'requestedByName'> & {
    queuedAt: string;
  },
): Promise<{ created: boolean; run: JobRunRecord }> {
  const key = keys.jobRun(run.job, run.runKey);
  const fresh: JobRunRecord = { ...run, status: 'queued', attempts: 0 };
  if (await putIfAbsent({ ...key, entity: 'jobRun', ...fresh })) return { created: true, run: fresh };
  const existing = await getItem<Item>(key);
  if (!existing) throw new Error('job run vanished');
  return { created: false, run: toRecord(existing) };
}

export async function getJobRun(job: string, runKey: string): Promise<JobRunRecord | undefined> {
  const item = await getItem<Item>(keys.jobRun(job, runKey));
  return item ? toRecord(item) : undefined;
}

export async function claimJobRun(
  run: Omit<JobRunRecord, 'status' | 'attempts' | 'startedAt'> & { startedAt: string },
  leaseMs: number,
): Promise<RunClaim> {
  const key = keys.jobRun(run.job, run.runKey);
  const fresh: JobRunRecord = { ...run, status: 'running', attempts: 1 };
  if (await putIfAbsent({ ...key, entity: 'jobRun', ...fresh })) return { claimed: true, run: fresh };
  const existing = await getItem<Item>(key);
  if (!existing) throw new Error('job run claim vanished');
  const current = toRecord(existing);
  // Queued: waiting for exactly this start. Running past its lease: its process died, take it over.
  const stale = current.status === 'running' && leaseExpired(current, new Date(run.startedAt), leaseMs);
  if (current.status !== 'failed' && current.status !== 'queued' && !stale) {
    return { claimed: false, run: current };
  }
  try {
    const updated = await updateItem<Item>({
      Key: key,
      UpdateExpression:
        'SET #status = :running, attempts = :next, startedAt = :now, #trigger = :trigger REMOVE finishedAt, #error, failures',
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

export interface RunOutcome {
  status: 'succeeded' | 'failed';
  at: Date;
  summary?: Record<string, unknown>;
  failures?: number;
  error?: string;
}

/**
 * Records the end of the attempt that claimed the run. Only that attempt, and only while it is still
 * `running`: a run already recorded failed (cut at its deadline, released at shutdown, or found past
 * its lease) keeps that outcome, whatever its abandoned work does later (ConditionFailed).
 */
export async function finishJobRun(run: JobRunRecord, outcome: RunOutcome): Promise<JobRunRecord> {
  const item = await updateItem<Item>({
    Key: keys.jobRun(run.job, run.runKey),
    UpdateExpression: `SET #status = :status, finishedAt = :at${outcome.summary ? ', summary = :summary' : ''}${
      outcome.error ? ', #error = :error' : ''
    }${outcome.failures !== undefined ? ', failures = :failures' : ''}`,
    ConditionExpression: 'attempts = :attempt AND #status = :running',
    ExpressionAttributeNames: { '#status': 'status', ...(outcome.error ? { '#error': 'error' } : {}) },
    ExpressionAttributeValues: {
      ':status': outcome.status,
      ':running': 'running',
      ':at': outcome.at.toISOString(),
      ':attempt': run.attempts,
      ...(outcome.summary ? { ':summary': outcome.summary } : {}),
      ...(outcome.failures !== undefined ? { ':failures': outcome.failures } : {}),
      ...(outcome.error ? { ':error': outcome.error.slice(0, 1000) } : {}),
    },
  });
  return toRecord(item);
}

/**
 * Records a run whose lease ran out as failed (`queued` or `running` as last seen, same attempt), so
 * the ledger stops showing it under way. Undefined when it moved on meanwhile.
 */
export async function expireJobRun(
  run: JobRunRecord,
  at: Date,
  error: string,
): Promise<JobRunRecord | undefined> {
  try {
    const item = await updateItem<Item>({
      Key: keys.jobRun(run.job, run.runKey),
      UpdateExpression: 'SET #status = :failed, finishedAt = :at, #error = :error',
      ConditionExpression: 'attempts = :attempt AND #status = :seen',
      ExpressionAttributeNames: { '#status': 'status', '#error': 'error' },
      ExpressionAttributeValues: {
        ':failed': 'failed',
        ':at': at.toISOString(),
        ':error': error,
        ':attempt': run.attempts,
        ':seen': run.status,
      },
    });
    return toRecord(item);
  } catch (e) {
    if (e instanceof ConditionFailed) return undefined;
    throw e;
  }
}

export async function listJobRuns(job: string, limit: number, next?: string): Promise<Page<JobRunRecord>> {
  const page = await queryPage<Item>({ partition: keys.jobRuns(job), descending: true }, limit, next);
  return mapPage(page, toRecord);
}
