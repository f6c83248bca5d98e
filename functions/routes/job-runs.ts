import {
  deadRunError,
  getJobRun,
  type JobRunRecord,
  leaseExpired,
  listJobRuns,
} from '../adapters/dynamo/job-runs.ts';
import { cronExpression, nextFireTime, SCHEDULE_TIME_ZONE } from '../core/schedule.ts';
import { isoWeekOfInstant } from '../core/time.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { defineRoute, ok } from '../http/route.ts';
import {
  isJobName,
  JOB_CATALOGUE,
  JOB_NAMES,
  type JobInfo,
  parseRunId,
  RUN_LEASE_MS,
  runIdOf,
} from '../jobs/catalogue.ts';
import { errorBody } from '../schemas/common.ts';
import {
  type JobRunState,
  jobList,
  jobParams,
  jobRunPage,
  jobRunParams,
  jobRunState,
  jobRunsQuery,
} from '../schemas/jobs.ts';

/**
 * The scheduled jobs as the pages read them: the catalogue with next run times, the run ledger and
 * one run's state. None imports a job's implementation (catalogue only), so the web function, which
 * serves them in-process, carries no Chromium or mailer. Starting a run is `POST /jobs/{name}`
 * (routes/jobs.ts), which only queues it.
 */
const TAGS = ['jobs'];

export function catalogueEntry(name: string): JobInfo {
  if (!isJobName(name))
    throw new NotFoundError(
      `没有这个定时任务：可用的有${JOB_NAMES.map((n) => JOB_CATALOGUE[n].title).join('、')}`,
    );
  return JOB_CATALOGUE[name];
}

function weekIssue(message: string, code: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path: 'body.week', code, message }],
  });
}

/** The week rules of POST /jobs/{name}: only a weekly job takes one, and not a week yet to start. */
export function checkWeek(job: JobInfo, week: string | undefined, now: Date): void {
  if (week === undefined) return;
  if (!job.takesWeek) throw weekIssue(`任务 ${job.name} 不按周运行，不能指定周次`, 'NOT_ALLOWED');
  if (week > isoWeekOfInstant(now)) throw weekIssue('不能考评尚未开始的周', 'FUTURE_WEEK');
}

export const jobListRoute = defineRoute({
  method: 'GET',
  path: '/jobs',
  summary: '定时任务列表（含下次运行时间）',
  tags: TAGS,
  roles: ['admin'],
  responses: { 200: jobList },
  async handle(_input, ctx) {
    return ok({
      items: JOB_NAMES.map((name) => {
        const job = JOB_CATALOGUE[name];
        return {
          name,
          description: job.description,
          takesWeek: job.takesWeek,
          schedule: {
            cron: cronExpression(job.schedule),
            timeZone: SCHEDULE_TIME_ZONE,
            next: nextFireTime(job.schedule, ctx.now).toISOString(),
          },
        };
      }),
    });
  },
});

export const jobRunsRoute = defineRoute({
  method: 'GET',
  path: '/jobs/{name}/runs',
  summary: '任务运行记录（最新在前）',
  tags: TAGS,
  roles: ['admin'],
  params: jobParams,
  query: jobRunsQuery,
  responses: { 200: jobRunPage, 404: errorBody },
  async handle({ params, query }) {
    const job = catalogueEntry(params.name);
    return ok(await listJobRuns(job.name, query.limit, query.next));
  },
});

/** The numbers a run's summary reports, flattened one level: `emails.sent`, `documents.notices`, `cadres`. */
function countsOf(summary: Record<string, unknown> | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const [key, value] of Object.entries(summary ?? {})) {
    if (typeof value === 'number') counts[key] = value;
    else if (value && typeof value === 'object' && !Array.isArray(value)) {
      for (const [part, n] of Object.entries(value)) if (typeof n === 'number') counts[`${key}.${part}`] = n;
    }
  }
  return counts;
}

/**
 * A run as GET /jobs/runs/{runId} reports it. A run past its lease (its process died, or its start
 * was lost) is reported failed from then on, before the next start of the job records it so.
 */
export function jobRunStateOf(run: JobRunRecord, now: Date): JobRunState {
  const dead = leaseExpired(run, now, RUN_LEASE_MS);
  const counts = countsOf(run.summary);
  const failedCounts = Object.entries(counts)
    .filter(([key]) => key.endsWith('.failed'))
    .reduce((sum, [, n]) => sum + n, 0);
  const error = dead ? deadRunError(run) : run.error;
  return {
    runId: runIdOf(run.job, run.runKey),
    name: run.job,
    runKey: run.runKey,
    trigger: run.trigger,
    status: dead ? 'failed' : run.status,
    ...(run.week ? { week: run.week } : {}),
    ...(run.scheduledFor ? { scheduledFor: run.scheduledFor } : {}),
    ...(run.requestedBy ? { requestedBy: run.requestedBy } : {}),
    ...(run.queuedAt ? { queuedAt: run.queuedAt } : {}),
    ...(run.startedAt ? { startedAt: run.startedAt } : {}),
    ...(run.finishedAt ? { finishedAt: run.finishedAt } : {}),
    attempts: run.attempts,
    counts,
    failures: run.failures ?? failedCounts,
    errors: error ? [error] : [],
    ...(run.summary ? { summary: run.summary } : {}),
  };
}

export const jobRunRoute = defineRoute({
  method: 'GET',
  path: '/jobs/runs/{runId}',
  summary: '一次任务运行的状态（queued 排队、running 运行中、succeeded 成功、failed 失败）、时间、计数和错误',
  tags: TAGS,
  roles: ['admin'],
  params: jobRunParams,
  responses: { 200: jobRunState, 404: errorBody },
  async handle({ params }, ctx) {
    const id = parseRunId(params.runId);
    const run = id ? await getJobRun(id.job, id.runKey) : undefined;
    if (!run) throw new NotFoundError('没有这次任务运行');
    return ok(jobRunStateOf(run, ctx.now));
  },
});
