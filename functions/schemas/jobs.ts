import * as z from 'zod/mini';
import { isoWeek } from './bulletins.ts';
import { page, pageQuery } from './common.ts';

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

export const jobRunPage = page(jobRun);
export const jobRunsQuery = z.strictObject({ ...pageQuery });

export const jobInfo = z.object({
  name: z.string(),
  description: z.string(),
  schedule: z.object({ cron: z.string(), timeZone: z.string(), next: z.string() }),
  takesWeek: z.boolean(),
});
export const jobList = z.object({ items: z.array(jobInfo) });
