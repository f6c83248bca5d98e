import { randomUUID } from 'node:crypto';
import {
  claimJobRun,
  deadRunError,
  expireJobRun,
  finishJobRun,
  getJobRun,
  type JobRunRecord,
  type JobTrigger,
  leaseExpired,
  listJobRuns,
  type RunOutcome,
} from '../adapters/dynamo/job-runs.ts';
import { ConditionFailed } from '../adapters/dynamo/table.ts';
import { config } from '../config.ts';
import { createLogger, type Logger } from '../http/logger.ts';
import { countJobRun } from '../http/metrics.ts';
import {
  isJobName,
  JOB_CATALOGUE,
  JOB_NAMES,
  type JobInfo,
  type JobName,
  RUN_LEASE_MS,
  runIdOf,
} from './catalogue.ts';
import { runDailySweep } from './daily-sweep.ts';
import { runWeeklyBulletin } from './weekly-bulletin.ts';

/**
 * The scheduled jobs by name, with their schedules (Beijing time) and one way to run them that every
 * trigger shares: EventBridge Scheduler (functions/api/scheduled.ts), POST /jobs/{name}, `npm run
 * job` and the local scheduler. Each run is recorded in the job-run ledger; a scheduled run is keyed
 * by its scheduled time, so a second delivery of the same schedule event does not run it again.
 */
// Names, schedules and descriptions live in catalogue.ts (no job code), re-exported for the callers here.
export { isJobName, JOB_NAMES, type JobName, RUN_LEASE_MS };

export interface JobDeps {
  now: Date;
  /** Where a job logs the items it could not do (each is also counted as `failed` in its summary). */
  log: Logger;
}

export interface JobDefinition extends JobInfo {
  run(input: { week?: string | undefined }, deps: JobDeps): Promise<Record<string, unknown>>;
}

export const JOBS: Record<JobName, JobDefinition> = {
  'weekly-bulletin': {
    ...JOB_CATALOGUE['weekly-bulletin'],
    run: async (input, deps) => ({ ...(await runWeeklyBulletin(input, deps)) }),
  },
  'daily-sweep': {
    ...JOB_CATALOGUE['daily-sweep'],
    run: async (_input, deps) => ({ ...(await runDailySweep(deps)) }),
  },
};

export interface RunRequest {
  trigger: JobTrigger;
  now: Date;
  /** The schedule's fire time: present for scheduled runs, which it keys. */
  scheduledFor?: Date | undefined;
  week?: string | undefined;
  requestedBy?: string | undefined;
  /**
   * The run's key, chosen by whoever started it (a run started from the console in the background:
   * the page already knows which run to show). Default: the scheduled time, else a fresh key.
   */
  runKey?: string | undefined;
  /**
   * When the run must stop (epoch ms): the jobs function passes Lambda's deadline (locally the
   * in-process invoker's 15-minute limit) less a margin. Past it the run is recorded failed and its
   * work abandoned (on Lambda the process is about to be stopped anyway). None: no limit (CLI).
   */
  deadline?: number | undefined;
  log?: Logger | undefined;
}

export interface RunResult {
  /** False when the run was already done or under way (a repeated delivery of a scheduled event). */
  ran: boolean;
  run: JobRunRecord;
}

/** Job failures carry the run record, so callers can still report it. */
export class JobFailedError extends Error {
  constructor(
    readonly run: JobRunRecord,
    options: { cause: unknown },
  ) {
    super(`job ${run.job} failed: ${run.error ?? 'unknown error'}`, options);
  }
}

function runKeyOf(request: RunRequest): string {
  if (request.runKey) return request.runKey;
  if (request.scheduledFor) return request.scheduledFor.toISOString();
  return `${request.now.toISOString()}-${request.trigger}-${randomUUID().slice(0, 8)}`;
}

/**
 * Claims the run, runs the job, records the outcome. A run with items it could not do (an email the
 * transport refused, a document that did not render) does the rest, then is recorded **failed**, with
 * `failures` counting those items, and throws: a scheduled run is then retried by Scheduler, and the
 * ledgers make the retry do only what is missing. Every failed run logs one line `job run failed`
 * (level error), the signal to alarm on.
 */
export async function runJob(name: JobName, request: RunRequest): Promise<RunResult> {
  const job = JOBS[name];
  const week = job.takesWeek ? request.week : undefined;
  const log = request.log ?? createLogger({ job: name }, config().logLevel);
  await expireDeadRuns(name, request.now, log);
  const claim = await claimJobRun(
    {
      job: name,
      runKey: runKeyOf(request),
      trigger: request.trigger,
      startedAt: request.now.toISOString(),
      ...(request.scheduledFor ? { scheduledFor: request.scheduledFor.toISOString() } : {}),
      ...(week ? { week } : {}),
      ...(request.requestedBy ? { requestedBy: request.requestedBy } : {}),
    },
    RUN_LEASE_MS,
  );
  if (!claim.claimed) return { ran: false, run: claim.run };
  // A scheduled run works as of its scheduled time (which week, which day), whenever it is delivered.
  const asOf = request.scheduledFor ?? request.now;
  const failed = (run: JobRunRecord) => reportFailedRun(run, log);
  // The end is recorded only while the run is still this attempt's and `running`: one already
  // recorded failed (released at shutdown, expired) keeps that, and the caller sees it failed.
  const record = async (outcome: RunOutcome): Promise<JobRunRecord> => {
    try {
      return await finishJobRun(claim.run, outcome);
    } catch (error) {
      if (!(error instanceof ConditionFailed)) throw error;
      const current = (await getJobRun(claim.run.job, claim.run.runKey)) ?? claim.run;
      log.warn('job run ended after it was recorded as ended; its outcome is not recorded', {
        runKey: claim.run.runKey,
        outcome: outcome.status,
        recorded: current.status,
      });
      throw new JobFailedError(current, { cause: error });
    }
  };
  const finish = async (): Promise<RunResult> => {
    let summary: Record<string, unknown>;
    try {
      summary = await withDeadline(job.run({ week }, { now: asOf, log }), request.deadline, (late) =>
        late.then(
          () =>
            log.warn('job work ended after its run was cut at the deadline', { runKey: claim.run.runKey }),
          () => {},
        ),
      );
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const run = await record({ status: 'failed', at: new Date(), error: message });
      failed(run);
      throw new JobFailedError(run, { cause: error });
    }
    const failures = failedItems(summary);
    const total = failures.reduce((sum, [, n]) => sum + n, 0);
    const run = await record({
      status: total ? 'failed' : 'succeeded',
      at: new Date(),
      summary,
      failures: total,
      ...(total
        ? {
            error: `${total} item(s) failed (${failures.map(([what, n]) => `${what}: ${n}`).join(', ')}); a re-run retries them`,
          }
        : {}),
    });
    if (total) {
      failed(run);
      throw new JobFailedError(run, { cause: new Error('items failed') });
    }
    countJobRun(name, 'succeeded');
    return { ran: true, run };
  };
  const done = finish();
  const entry = { run: claim.run, done: done.catch(() => {}) };
  RUNNING.add(entry);
  try {
    return await done;
  } finally {
    RUNNING.delete(entry);
  }
}

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * The work, or a DeadlineError at `deadline`. The work cannot be stopped from outside; `abandoned`
 * gets it, to see it end.
 */
async function withDeadline<T>(
  work: Promise<T>,
  deadline: number | undefined,
  abandoned: (work: Promise<T>) => void,
): Promise<T> {
  if (deadline === undefined) return work;
  let timer: NodeJS.Timeout | undefined;
  const cut = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(
          new DeadlineError('timed out: the run reached its time limit and was cut; a re-run completes it'),
        ),
      Math.max(0, deadline - Date.now()),
    );
  });
  try {
    return await Promise.race([work, cut]);
  } catch (error) {
    if (error instanceof DeadlineError) abandoned(work);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/** How many of the latest runs each start checks for dead ones (older ones were checked before). */
const DEAD_RUN_WINDOW = 25;

/**
 * A run whose process died (Lambda stopped it, the machine went down) stays `running`, or `queued`
 * when its start never arrived. Each start of the job records those past their lease as failed
 * (logged `job run failed`), so the ledger never shows them under way; reads show them failed from
 * the moment the lease runs out (routes/job-runs.ts). They are not run again on their own: a
 * scheduled time's next delivery takes its run over (claimJobRun), anything else is started again
 * by a person.
 */
/** The one signal of a failed run: the metric the alarm watches and one error line. */
function reportFailedRun(run: JobRunRecord, log: Logger): void {
  countJobRun(run.job, 'failed');
  log.error('job run failed', {
    job: run.job,
    runId: runIdOf(run.job, run.runKey),
    trigger: run.trigger,
    attempts: run.attempts,
    failures: run.failures ?? 0,
    error: run.error,
  });
}

async function expireDeadRuns(name: JobName, now: Date, log: Logger): Promise<void> {
  const { items } = await listJobRuns(name, DEAD_RUN_WINDOW);
  for (const run of items) {
    if (!leaseExpired(run, now, RUN_LEASE_MS)) continue;
    const expired = await expireJobRun(run, now, deadRunError(run));
    if (expired) reportFailedRun({ ...run, failures: 0, error: expired.error }, log);
  }
}

/** Runs claimed by this process and not finished yet (a server that stops gives up their leases). */
const RUNNING = new Set<{ run: JobRunRecord; done: Promise<unknown> }>();

/**
 * For a server that is stopping: waits up to `graceMs` for the runs under way here to finish, then
 * records the ones still running as failed ("interrupted"), which ends their lease at once: the next
 * trigger or a re-run claims them again instead of waiting out RUN_LEASE_MS. What an interrupted run
 * already did is kept by the ledgers (each email goes once), so a re-run completes it. Returns the
 * runs released.
 */
export async function releaseRunningJobs(graceMs: number): Promise<JobRunRecord[]> {
  if (RUNNING.size) {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all([...RUNNING].map((r) => r.done)),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, graceMs);
      }),
    ]);
    clearTimeout(timer);
  }
  const released: JobRunRecord[] = [];
  for (const entry of [...RUNNING]) {
    RUNNING.delete(entry);
    try {
      released.push(
        await finishJobRun(entry.run, {
          status: 'failed',
          at: new Date(),
          error: 'interrupted: the server stopped before the run finished; run it again',
        }),
      );
      countJobRun(entry.run.job, 'failed');
    } catch {
      // Its attempt was superseded, or it finished just now: nothing of ours to release.
    }
  }
  return released;
}

/** The summary's `failed` counts by part (`emails`, `appointmentLetters`, …), those above zero. */
function failedItems(summary: Record<string, unknown>): Array<[string, number]> {
  const out: Array<[string, number]> = [];
  for (const [key, value] of Object.entries(summary)) {
    if (value && typeof value === 'object' && 'failed' in value && typeof value.failed === 'number') {
      if (value.failed > 0) out.push([key, value.failed]);
    }
  }
  return out;
}
