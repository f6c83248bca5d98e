import { randomUUID } from 'node:crypto';
import { type JobRunRecord, listJobRuns, queueJobRun } from '../adapters/dynamo/job-runs.ts';
import { invokeAsync } from '../adapters/invoke/index.ts';
import { derivedId } from '../core/ids.ts';
import { defineRoute, type RequestContext } from '../http/route.ts';
import type { JobName } from '../jobs/catalogue.ts';
import { errorBody } from '../schemas/common.ts';
import { jobParams, jobRunState, runJobBody } from '../schemas/jobs.ts';
import {
  catalogueEntry,
  checkWeek,
  jobListRoute,
  jobRunRoute,
  jobRunStateOf,
  jobRunsRoute,
} from './job-runs.ts';

/**
 * The scheduled jobs, run by hand (admin): `POST /jobs/{name}` queues a run and starts it in the
 * jobs function with an asynchronous invoke (on AWS a Lambda Event invoke of the scheduled-jobs
 * function; locally the in-process invoker, under the same 15-minute limit), then answers 202 at
 * once: a job takes longer than API Gateway's 29 s. `GET /jobs/runs/{runId}` follows the run. The
 * jobs page starts runs through this same route, in-process. Nothing here imports a job's code.
 */
const TAGS = ['jobs'];

/** Earlier runs a retried request looks through for the one its first attempt queued. */
const RETRY_LOOKBACK = 50;

/**
 * The run a request queues. With an Idempotency-Key the key's tail derives from it, so a retry whose
 * first attempt died after queueing (its answer never stored) finds that run instead of a second one.
 */
function runKeyTail(ctx: RequestContext): string {
  return ctx.idempotencyKey
    ? derivedId(ctx.actor.sub, ctx.idempotencyKey, 'job-run').slice(0, 10).toLowerCase()
    : randomUUID().replace(/-/g, '').slice(0, 10);
}

async function queuedEarlier(job: JobName, tail: string): Promise<JobRunRecord | undefined> {
  const { items } = await listJobRuns(job, RETRY_LOOKBACK);
  return items.find((r) => r.trigger === 'api' && r.runKey.endsWith(`-api-${tail}`));
}

export const runJobRoute = defineRoute({
  method: 'POST',
  path: '/jobs/{name}',
  summary:
    '立即运行一个定时任务（weekly-bulletin 可指定 week）：排队后在后台运行，立即返回 202 和运行编号 runId',
  tags: TAGS,
  roles: ['admin'],
  params: jobParams,
  body: runJobBody,
  optionalBody: true,
  responses: { 202: jobRunState, 400: errorBody, 404: errorBody },
  async handle({ params, body }, ctx) {
    const job = catalogueEntry(params.name);
    checkWeek(job, body.week, ctx.now);
    const week = job.takesWeek ? body.week : undefined;
    const run = await startJobRun(job.name, week, ctx);
    return { status: 202, body: jobRunStateOf(run, ctx.now) };
  },
});

/**
 * Queues a run of `job` (for `week`) and starts it in the jobs function, once per request: a retry
 * with the same Idempotency-Key finds the run its first attempt queued. Also used by routes whose
 * write needs a job to follow (voiding an inspection re-evaluates its week as a revision); a caller
 * outside the jobs group needs the same invoke permission on AWS (Delivery.bindJobStarter).
 */
export async function startJobRun(
  name: JobName,
  week: string | undefined,
  ctx: RequestContext,
): Promise<JobRunRecord> {
  const job = catalogueEntry(name);
  const tail = runKeyTail(ctx);
  const earlier = ctx.firstAttempt ? undefined : await queuedEarlier(job.name, tail);
  // The same shape as the keys of other manual runs, so the ledger lists it in time order.
  const { created, run } = earlier
    ? { created: false, run: earlier }
    : await queueJobRun({
        job: job.name,
        runKey: `${ctx.now.toISOString()}-api-${tail}`,
        trigger: 'api',
        queuedAt: ctx.now.toISOString(),
        ...(week ? { week } : {}),
        requestedBy: ctx.actor.sub,
        ...(ctx.actor.name ? { requestedByName: ctx.actor.name } : {}),
      });
  if (created) {
    await ctx.audit({
      entityType: 'job',
      entityId: job.name,
      action: 'start',
      changes: { runKey: run.runKey, trigger: 'api', ...(week ? { week } : {}) },
    });
  }
  // A run still queued is started (again): its start may be what the first attempt lost. Starting
  // it twice is harmless, only one delivery claims it.
  if (run.status === 'queued') {
    await invokeAsync('jobs', {
      job: job.name,
      ...(week ? { week } : {}),
      trigger: 'api',
      requestedBy: ctx.actor.sub,
      runKey: run.runKey,
    });
  }
  return run;
}

export const jobsRoutes = [jobListRoute, runJobRoute, jobRunsRoute, jobRunRoute];
