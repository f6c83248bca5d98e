import { randomUUID } from 'node:crypto';
import {
  claimJobRun,
  finishJobRun,
  type JobRunRecord,
  type JobTrigger,
} from '../adapters/dynamo/job-runs.ts';
import type { FixedSchedule } from '../core/schedule.ts';
import { runDailySweep } from './daily-sweep.ts';
import { runWeeklyBulletin } from './weekly-bulletin.ts';

/**
 * The scheduled jobs by name, with their schedules (Beijing time) and one way to run them that every
 * trigger shares: EventBridge Scheduler (functions/api/scheduled.ts), POST /jobs/{name}, `npm run
 * job` and the local scheduler. Each run is recorded in the job-run ledger; a scheduled run is keyed
 * by its scheduled time, so a second delivery of the same schedule event does not run it again.
 */
export const JOB_NAMES = ['weekly-bulletin', 'daily-sweep'] as const;
export type JobName = (typeof JOB_NAMES)[number];

export interface JobDefinition {
  name: JobName;
  description: string;
  schedule: FixedSchedule;
  /** Whether the job takes a week (`--week`, body `week`). */
  takesWeek: boolean;
  run(input: { week?: string | undefined }, deps: { now: Date }): Promise<Record<string, unknown>>;
}

export const JOBS: Record<JobName, JobDefinition> = {
  'weekly-bulletin': {
    name: 'weekly-bulletin',
    description: '每周一 08:00：上周考评、生成周通报和通知书、发送邮件和提醒',
    schedule: { weekday: 1, hour: 8, minute: 0 },
    takesWeek: true,
    run: async (input, deps) => ({ ...(await runWeeklyBulletin(input, deps)) }),
  },
  'daily-sweep': {
    name: 'daily-sweep',
    description: '每天 07:00：逾期任务和逾期整改提醒、整改复核未通过告知',
    schedule: { hour: 7, minute: 0 },
    takesWeek: false,
    run: async (_input, deps) => ({ ...(await runDailySweep(deps)) }),
  },
};

export function isJobName(name: string): name is JobName {
  return (JOB_NAMES as readonly string[]).includes(name);
}

/** A run "running" longer than this is taken to have died with its process (Lambda's limit is 15 min). */
export const RUN_LEASE_MS = 20 * 60_000;

export interface RunRequest {
  trigger: JobTrigger;
  now: Date;
  /** The schedule's fire time: present for scheduled runs, which it keys. */
  scheduledFor?: Date | undefined;
  week?: string | undefined;
  requestedBy?: string | undefined;
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
