import { defineRoute, ok } from '../http/route.ts';
import { JOBS, JobFailedError, runJob } from '../jobs/registry.ts';
import { errorBody } from '../schemas/common.ts';
import { jobParams, jobRun, runJobBody } from '../schemas/jobs.ts';
import { catalogueEntry, checkWeek, jobListRoute, jobRunsRoute } from './job-runs.ts';

/**
 * The scheduled jobs, run by hand (admin): `POST /jobs/{name}` runs one now and answers when it has
 * finished, with the run record and its summary. Repeating it is safe: the jobs send each email and
 * write each notice once.
 */
const TAGS = ['jobs'];

function jobOf(name: string) {
  return JOBS[catalogueEntry(name).name];
}

export const jobsRoutes = [
  jobListRoute,
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
      checkWeek(job, body.week, ctx.now);
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
  jobRunsRoute,
];
