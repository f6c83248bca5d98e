import { config } from '../config.ts';
import { createLogger } from '../http/logger.ts';
import { isJobName, JobFailedError, runJob } from '../jobs/registry.ts';

/**
 * The Lambda EventBridge Scheduler invokes. Each schedule's input names the job and carries the
 * scheduled time (`<aws.scheduler.scheduled-time>`), which keys the run: a second delivery of the
 * same event finds the run done and returns. A failed run throws, so Scheduler retries it (its retry
 * policy) and finally leaves the event in the dead-letter queue.
 */
export interface ScheduledEvent {
  job: string;
  scheduledTime?: string;
  week?: string;
}

export async function handler(event: ScheduledEvent, context?: { awsRequestId?: string }) {
  const log = createLogger({ requestId: context?.awsRequestId, job: event?.job }, config().logLevel);
  if (!event || typeof event.job !== 'string' || !isJobName(event.job)) {
    // Retrying cannot fix a malformed schedule input: say so and let it go to the DLQ once.
    log.error('unknown job in schedule input', { job: event?.job });
    throw new Error(`unknown job: ${String(event?.job)}`);
  }
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
