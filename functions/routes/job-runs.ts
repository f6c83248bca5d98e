import { listJobRuns } from '../adapters/dynamo/job-runs.ts';
import { cronExpression, nextFireTime, SCHEDULE_TIME_ZONE } from '../core/schedule.ts';
import { isoWeekOfInstant } from '../core/time.ts';
import { NotFoundError, ValidationError } from '../errors.ts';
import { defineRoute, ok } from '../http/route.ts';
import { isJobName, JOB_CATALOGUE, JOB_NAMES, type JobInfo } from '../jobs/catalogue.ts';
import { errorBody } from '../schemas/common.ts';
import { jobList, jobParams, jobRunPage, jobRunsQuery } from '../schemas/jobs.ts';

/**
 * The scheduled jobs as the pages read them: the catalogue with next run times, and the run ledger.
 * Neither imports a job's implementation (catalogue only), so the web function, which serves them
 * in-process, carries no Chromium or mailer. Running a job and waiting for it stays `POST
 * /jobs/{name}` (routes/jobs.ts); starting one in the background is routes/tasks.ts.
 */
const TAGS = ['jobs'];

export function catalogueEntry(name: string): JobInfo {
  if (!isJobName(name)) throw new NotFoundError(`没有这个任务：可用的任务有 ${JOB_NAMES.join('、')}`);
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
