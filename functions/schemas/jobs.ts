import * as z from 'zod/mini';
import { isoWeek, page, pageQuery } from './common.ts';

/** Running the scheduled jobs by hand, and their run records. */
export const jobParams = z.lazy(() =>
  z.strictObject({
    name: z.string().check(z.minLength(1, '不能为空'), z.maxLength(64, '不能超过 64 个字符')),
  }),
);

export const runJobBody = z.lazy(() =>
  z.strictObject({
    week: z.optional(isoWeek),
  }),
);

/** The form of the jobs page posts the same body (one way to start a run). */
export const startJobRun = runJobBody;

/**
 * `console`: runs the jobs page started before it went through POST /jobs/{name} (older records).
 * `queued`: written by POST /jobs/{name}, not yet picked up by the jobs function.
 */
export const JOB_TRIGGERS = ['schedule', 'api', 'cli', 'local-scheduler', 'console'] as const;
export const JOB_RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;

/** A run as the ledger keeps it (GET /jobs/{name}/runs). */
export const recordedJobRun = z.lazy(() =>
  z.object({
    job: z.string(),
    runKey: z.string(),
    trigger: z.enum(JOB_TRIGGERS),
    scheduledFor: z.optional(z.string()),
    week: z.optional(z.string()),
    status: z.enum(JOB_RUN_STATUSES),
    attempts: z.number(),
    queuedAt: z.optional(z.string()),
    startedAt: z.optional(z.string()).check(z.describe('本次尝试开始的时间；排队中的运行没有')),
    finishedAt: z.optional(z.string()),
    requestedBy: z.optional(z.string()),
    requestedByName: z.optional(z.string().check(z.describe('发起人姓名'))),
    summary: z.optional(z.record(z.string(), z.unknown())),
    failures: z.optional(z.number()),
    error: z.optional(z.string()),
  }),
);
export const jobRunPage = z.lazy(() => page(recordedJobRun));

export const jobRunParams = z.lazy(() =>
  z.strictObject({
    runId: z.string().check(z.minLength(1, '不能为空'), z.maxLength(200, '不能超过 200 个字符')),
  }),
);

/**
 * One run's state (POST /jobs/{name} answers with it, status `queued`; GET /jobs/runs/{runId}).
 * `counts` flattens the numbers the job's summary reports (`emails.sent`, `emails.failed`,
 * `documents.notices`, `appointmentLetters.rendered`, …); `failures` is the items that failed (a run
 * with any is `failed`); `errors` says why a run failed.
 */
export const jobRunState = z.lazy(() =>
  z.object({
    runId: z.string().check(z.describe('运行编号：GET /jobs/runs/{runId} 查询进度')),
    name: z.string(),
    runKey: z.string(),
    trigger: z.enum(JOB_TRIGGERS),
    status: z.enum(JOB_RUN_STATUSES),
    week: z.optional(z.string()),
    scheduledFor: z.optional(z.string()),
    requestedBy: z.optional(z.string()),
    requestedByName: z.optional(z.string().check(z.describe('发起人姓名'))),
    queuedAt: z.optional(z.string()),
    startedAt: z.optional(z.string()),
    finishedAt: z.optional(z.string()),
    attempts: z.number(),
    counts: z.record(z.string(), z.number()),
    failures: z.number(),
    errors: z.array(z.string()),
    summary: z.optional(z.record(z.string(), z.unknown())),
  }),
);
export type JobRunState = z.infer<typeof jobRunState>;
export const jobRunsQuery = z.lazy(() => z.strictObject({ ...pageQuery }));

export const jobInfo = z.lazy(() =>
  z.object({
    name: z.string(),
    description: z.string(),
    schedule: z.object({ cron: z.string(), timeZone: z.string(), next: z.string() }),
    takesWeek: z.boolean(),
  }),
);
export const jobList = z.lazy(() => z.object({ items: z.array(jobInfo) }));
