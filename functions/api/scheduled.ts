import { config } from '../config.ts';
import { createLogger } from '../http/logger.ts';
import { isJobName, JobFailedError, runJob } from '../jobs/registry.ts';

/**
 * The Lambda EventBridge Scheduler invokes. Each schedule's input names the job and carries the
 * scheduled time (`<aws.scheduler.scheduled-time>`), which keys the run: a second delivery of the
 * same event finds the run done and returns. A failed run throws, so Scheduler retries it (its retry
 * policy) and finally leaves the event in the dead-letter queue.
 *
 * The jobs page also starts runs here, asynchronously (`trigger: 'console'`, with the run key the
 * page shows and who asked). Such a run is recorded like any other; when it fails it is recorded as
 * failed and not thrown, so Lambda does not run it again behind the person's back: they see the
 * failure on the page and may start it again.
 */
export interface ScheduledEvent {
  job: string;
  scheduledTime?: string;
  week?: string;
  /** Present on a run started from the jobs page; a schedule event has none. */
  trigger?: 'console';
  requestedBy?: string;
  runKey?: string;
}

const RUN_KEY = /^[\w:.-]{1,100}$/;

export async function handler(event: ScheduledEvent, context?: { awsRequestId?: string }) {
  const log = createLogger({ requestId: context?.awsRequestId, job: event?.job }, config().logLevel);
  if (!event || typeof event.job !== 'string' || !isJobName(event.job)) {
    // Retrying cannot fix a malformed schedule input: say so and let it go to the DLQ once.
    log.error('unknown job in schedule input', { job: event?.job });
    throw new Error(`unknown job: ${String(event?.job)}`);
  }
  if (event.trigger === 'console') return consoleRun(event, log);
  const scheduledFor = event.scheduledTime ? new Date(event.scheduledTime) : undefined;
  if (scheduledFor && Number.isNaN(scheduledFor.getTime())) throw new Error('scheduledTime is not a time');
  try {
    const result = await runJob(event.job, {
      trigger: 'schedule',
      now: new Date(),
      scheduledFor,
      week: event.week,
    });
    log.info(result.ran ? 'job done' : 'job already run for this schedule time', {
      runKey: result.run.runKey,
      status: result.run.status,
    });
    return {
      ran: result.ran,
      runKey: result.run.runKey,
      status: result.run.status,
      summary: result.run.summary,
    };
  } catch (error) {
    if (error instanceof JobFailedError)
      log.error('job failed', { runKey: error.run.runKey, error: error.run.error });
    throw error;
  }
}

async function consoleRun(event: ScheduledEvent, log: ReturnType<typeof createLogger>) {
  const job = event.job as Parameters<typeof runJob>[0];
  if (
    typeof event.runKey !== 'string' ||
    !RUN_KEY.test(event.runKey) ||
    typeof event.requestedBy !== 'string'
  ) {
    log.error('console run without a run key or requester', { runKey: event.runKey });
    return { ran: false, runKey: String(event.runKey), status: 'invalid' };
  }
  try {
    const result = await runJob(job, {
      trigger: 'console',
      now: new Date(),
      week: event.week,
      requestedBy: event.requestedBy,
      runKey: event.runKey,
    });
    log.info(result.ran ? 'console run done' : 'console run already under way or done', {
      runKey: result.run.runKey,
      status: result.run.status,
    });
    return {
      ran: result.ran,
      runKey: result.run.runKey,
      status: result.run.status,
      summary: result.run.summary,
    };
  } catch (error) {
    if (!(error instanceof JobFailedError)) throw error;
    log.error('console run failed', { runKey: error.run.runKey, error: error.run.error });
    return { ran: true, runKey: error.run.runKey, status: error.run.status };
  }
}
