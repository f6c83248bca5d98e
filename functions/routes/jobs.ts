import { listJobRuns } from '../adapters/dynamo/job-runs.ts';
import { cronExpression, nextFireTime, SCHEDULE_TIME_ZONE } from '../core/schedule.ts';
import { isoWeekOfInstant } from '../core/time.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { defineRoute, ok } from '../http/route.ts';
import { isJobName, JOB_NAMES, JOBS, JobFailedError, runJob } from '../jobs/registry.ts';
import { errorBody } from '../schemas/common.ts';
import { jobList, jobParams, jobRun, jobRunPage, jobRunsQuery, runJobBody } from '../schemas/jobs.ts';

/**
 * The scheduled jobs, run by hand (admin): `POST /jobs/{name}` runs one now and answers when it has
 * finished, with the run record and its summary. Repeating it is safe: the jobs send each email and
 * write each notice once.
 */
const TAGS = ['jobs'];

function jobOf(name: string) {
  if (!isJobName(name)) throw new NotFoundError(`没有这个任务：可用的任务有 ${JOB_NAMES.join('、')}`);
  return JOBS[name];
}

function weekIssue(message: string, code: string): ValidationError {
  return new ValidationError('请求内容有误，请按提示修改', {
    fields: [{ path: 'body.week', code, message }],
  });
}

export const jobsRoutes = [
  defineRoute({
    method: 'GET',
    path: '/jobs',
    summary: '定时任务列表（含下次运行时间）',
    tags: TAGS,
    roles: ['admin'],
    responses: { 200: jobList },
    async handle(_input, ctx) {
      return ok({
        items: JOB_NAMES.map((name) => {
          const job = JOBS[name];
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
  }),
  defineRoute({
    method: 'POST',
    path: '/jobs/{name}',
    summary: '立即运行一个定时任务（weekly-bulletin 可指定 week），完成后返回运行记录',
    tags: TAGS,
    roles: ['admin'],
    params: jobParams,
    body: runJobBody,
    optionalBody: true,
    responses: { 200: jobRun, 400: errorBody, 404: errorBody },
    async handle({ params, body }, ctx) {
      const job = jobOf(params.name);
      if (body.week !== undefined) {
        if (!job.takesWeek) throw weekIssue(`任务 ${job.name} 不按周运行，不能指定周次`, 'NOT_ALLOWED');
        if (body.week > isoWeekOfInstant(ctx.now)) throw weekIssue('不能考评尚未开始的周', 'FUTURE_WEEK');
      }
      let run: Awaited<ReturnType<typeof runJob>>['run'];
      try {
        ({ run } = await runJob(job.name, {
          trigger: 'api',
          now: ctx.now,
          week: body.week,
          requestedBy: ctx.actor.sub,
        }));
      } catch (error) {
        // The run record says what failed; the job's own errors are not the caller's mistake.
        if (!(error instanceof JobFailedError)) throw error;
        run = error.run;
        ctx.log.error('job failed', { job: job.name, runKey: run.runKey, error: run.error });
      }
      await ctx.audit({
        entityType: 'job',
        entityId: job.name,
        action: 'run',
        changes: { runKey: run.runKey, status: run.status, ...(body.week ? { week: body.week } : {}) },
      });
      return ok(run);
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/jobs/{name}/runs',
    summary: '任务运行记录（最新在前）',
    tags: TAGS,
    roles: ['admin'],
    params: jobParams,
    query: jobRunsQuery,
    responses: { 200: jobRunPage, 404: errorBody },
    async handle({ params, query }) {
      const job = jobOf(params.name);
      return ok(await listJobRuns(job.name, query.limit, query.next));
    },
  }),
];
