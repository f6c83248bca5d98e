import { randomUUID } from 'node:crypto';
import {
  claimJobRun,
  finishJobRun,
  type JobRunRecord,
  type JobTrigger,
} from '../adapters/dynamo/job-runs.ts';
import {
  isJobName,
  JOB_CATALOGUE,
  JOB_NAMES,
  type JobInfo,
  type JobName,
  RUN_LEASE_MS,
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

export interface JobDefinition extends JobInfo {
  run(input: { week?: string | undefined }, deps: { now: Date }): Promise<Record<string, unknown>>;
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
 * Claims the run, runs the job, records the outcome. A run whose emails partly failed is recorded as
 * failed (and throws), so a scheduled run is retried: the ledger then sends only what is missing.
 */
export async function runJob(name: JobName, request: RunRequest): Promise<RunResult> {
  const job = JOBS[name];
  const week = job.takesWeek ? request.week : undefined;
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
  const finish = async (): Promise<RunResult> => {
    let summary: Record<string, unknown>;
    try {
      summary = await job.run({ week }, { now: asOf });
    } catch (error) {
      const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
      const run = await finishJobRun(claim.run, { status: 'failed', at: new Date(), error: message });
      throw new JobFailedError(run, { cause: error });
    }
    const failedEmails = countFailed(summary);
    const run = await finishJobRun(claim.run, {
      status: failedEmails ? 'failed' : 'succeeded',
      at: new Date(),
      summary,
      ...(failedEmails ? { error: `${failedEmails} email(s) not sent; a re-run retries them` } : {}),
    });
    if (failedEmails) throw new JobFailedError(run, { cause: new Error('emails failed') });
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
    } catch {
      // Its attempt was superseded, or it finished just now: nothing of ours to release.
    }
  }
  return released;
}

function countFailed(summary: Record<string, unknown>): number {
  let failed = 0;
  for (const value of Object.values(summary)) {
    if (value && typeof value === 'object' && 'failed' in value && typeof value.failed === 'number') {
      failed += value.failed;
    }
  }
  return failed;
}
