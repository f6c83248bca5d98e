import * as z from 'zod/mini';
import { isoWeek, page, pageQuery } from './common.ts';

/** Running the scheduled jobs by hand, and their run records. */
export const jobParams = z.strictObject({
  name: z.string().check(z.minLength(1, '不能为空'), z.maxLength(64, '不能超过 64 个字符')),
});

export const runJobBody = z.strictObject({
  week: z.optional(isoWeek),
});

export const jobRun = z.object({
  job: z.string(),
  runKey: z.string(),
  trigger: z.enum(['schedule', 'api', 'cli', 'local-scheduler']),
  scheduledFor: z.optional(z.string()),
  week: z.optional(z.string()),
  status: z.enum(['running', 'succeeded', 'failed']),
  attempts: z.number(),
  startedAt: z.string(),
  finishedAt: z.optional(z.string()),
  requestedBy: z.optional(z.string()),
  summary: z.optional(z.record(z.string(), z.unknown())),
  error: z.optional(z.string()),
});

/**
 * A run as the ledger lists it: also those started from the jobs page (`console`), which
 * POST /jobs/{name} never answers with (its own response stays `jobRun`).
 */
export const JOB_TRIGGERS = ['schedule', 'api', 'cli', 'local-scheduler', 'console'] as const;
export const recordedJobRun = z.extend(jobRun, { trigger: z.enum(JOB_TRIGGERS) });
export const jobRunPage = page(recordedJobRun);

/** Starting a run in the background (from the jobs page): answered at once, before the job runs. */
export const startJobRun = runJobBody;
export const startedJobRun = z.object({
  job: z.string(),
  runKey: z.string().check(z.describe('运行记录的键：GET /jobs/{name}/runs 中出现后即开始运行')),
  week: z.optional(z.string()),
  requestedBy: z.string(),
  requestedAt: z.string(),
});
export const jobRunsQuery = z.strictObject({ ...pageQuery });

export const jobInfo = z.object({
  name: z.string(),
  description: z.string(),
  schedule: z.object({ cron: z.string(), timeZone: z.string(), next: z.string() }),
  takesWeek: z.boolean(),
});
export const jobList = z.object({ items: z.array(jobInfo) });
