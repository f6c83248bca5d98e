import { observePdfRenders } from '../adapters/documents/chromium.ts';
import { instrumentDynamoClient } from '../adapters/dynamo/client.ts';
import { config } from '../config.ts';
import { createLogger } from '../http/logger.ts';
import { pdfRenderMetrics, publishMetrics } from '../http/metrics.ts';
import { traced, tracedClient } from '../http/tracing.ts';
import { printAndTell } from '../jobs/print-document.ts';
import { isJobName, JobFailedError, runJob } from '../jobs/registry.ts';

/**
 * The Lambda EventBridge Scheduler invokes. Each schedule's input names the job and carries the
 * scheduled time (`<aws.scheduler.scheduled-time>`), which keys the run: a second delivery of the
 * same event finds the run done and returns. A failed run throws, so Scheduler retries it (its retry
 * policy) and finally leaves the event in the dead-letter queue.
 *
 * POST /jobs/{name} (also the jobs page) starts runs here too, asynchronously (`trigger: 'api'`,
 * with the run key it queued and who asked; `console` from before the page used that route). Such a
 * run is recorded like any other; when it fails it is recorded as failed and not thrown, so Lambda
 * does not run it again behind the person's back: they see the failure and may start it again.
 *
 * Every run stops at the invocation's deadline (Lambda's timeout, locally the in-process invoker's
 * same 15 minutes) less a margin, and is then recorded failed instead of being left `running`.
 *
 * It also prints documents written by requests in functions without Chromium (the `documents`
 * invoke: `{ documentId, newsKey? }`, functions/jobs/print-document.ts): a failed print throws, so
 * Lambda tries it again (its retries, then the failure queue).
 */
export interface DocumentsEvent {
  documentId: string;
  newsKey?: string;
}

const DOCUMENT_ID = /^[\w:.-]{1,200}$/;
const NEWS_KEY = /^[^\s#]{1,300}$/;

function isDocumentsEvent(event: unknown): event is DocumentsEvent {
  const e = event as Partial<DocumentsEvent> | undefined;
  return !!e && typeof e === 'object' && typeof e.documentId === 'string' && !('job' in e);
}

export interface ScheduledEvent {
  job: string;
  scheduledTime?: string;
  week?: string;
  /** Present on a run started through the API; a schedule event has none. */
  trigger?: 'api' | 'console';
  requestedBy?: string;
  runKey?: string;
}

export interface InvocationContext {
  awsRequestId?: string;
  functionName?: string;
  getRemainingTimeInMillis?: () => number;
}

const RUN_KEY = /^[\w:.-]{1,100}$/;
/** Time kept back from the deadline to record the cut run (a tenth of it when it is short: tests). */
const DEADLINE_MARGIN_MS = 10_000;

/** When the run must stop: the invocation's end less the margin; none outside Lambda and the invoker. */
export function runDeadline(context: InvocationContext | undefined): number | undefined {
  const remaining = context?.getRemainingTimeInMillis?.();
  if (remaining === undefined || !Number.isFinite(remaining)) return undefined;
  return Date.now() + remaining - Math.min(DEADLINE_MARGIN_MS, remaining / 10);
}

// This function prints the notices and bulletins: their render times and failures are its metrics.
observePdfRenders(pdfRenderMetrics);
// A run makes thousands of table calls: each is a subsegment of its trace (functions/http/tracing.ts).
instrumentDynamoClient(tracedClient);

export async function handler(event: ScheduledEvent | DocumentsEvent, context?: InvocationContext) {
  try {
    if (isDocumentsEvent(event)) return await tracedPrint(event, context);
    return await tracedRun(event, context);
  } finally {
    // Lambda may freeze the process once the handler returns: write the metrics before.
    publishMetrics();
  }
}

const tracedRun = traced('scheduled job', runScheduled);
const tracedPrint = traced('print document', printRequested);

async function printRequested(event: DocumentsEvent, context: InvocationContext | undefined) {
  const log = createLogger(
    { requestId: context?.awsRequestId, documentId: event.documentId },
    config().logLevel,
    context,
  );
  if (!DOCUMENT_ID.test(event.documentId) || (event.newsKey !== undefined && !NEWS_KEY.test(event.newsKey))) {
    // Retrying cannot fix a malformed event: say so and drop it.
    log.error('document event with a malformed id or news key', {});
    return { documentId: event.documentId, outcome: 'invalid' };
  }
  return printAndTell(
    { documentId: event.documentId, ...(event.newsKey ? { newsKey: event.newsKey } : {}) },
    log,
  );
}

async function runScheduled(event: ScheduledEvent, context: InvocationContext | undefined) {
  const log = createLogger({ requestId: context?.awsRequestId, job: event?.job }, config().logLevel, context);
  if (!event || typeof event.job !== 'string' || !isJobName(event.job)) {
    // Retrying cannot fix a malformed schedule input: say so and let it go to the DLQ once.
    log.error('unknown job in schedule input', { job: event?.job });
    throw new Error(`unknown job: ${String(event?.job)}`);
  }
  const deadline = runDeadline(context);
  if (event.trigger === 'api' || event.trigger === 'console') return requestedRun(event, deadline, log);
  const scheduledFor = event.scheduledTime ? new Date(event.scheduledTime) : undefined;
  if (scheduledFor && Number.isNaN(scheduledFor.getTime())) throw new Error('scheduledTime is not a time');
  // A failed run throws (JobFailedError, already logged as `job run failed`): Scheduler retries it.
  const result = await runJob(event.job, {
    trigger: 'schedule',
    now: new Date(),
    scheduledFor,
    week: event.week,
    deadline,
    log,
  });
  return outcome(result, log, result.ran ? 'job done' : 'job already run for this schedule time');
}

/** What a run tells its invoker (and the log). */
function outcome(
  result: Awaited<ReturnType<typeof runJob>>,
  log: ReturnType<typeof createLogger>,
  message: string,
) {
  log.info(message, { runKey: result.run.runKey, status: result.run.status });
  return {
    ran: result.ran,
    runKey: result.run.runKey,
    status: result.run.status,
    summary: result.run.summary,
  };
}

async function requestedRun(
  event: ScheduledEvent,
  deadline: number | undefined,
  log: ReturnType<typeof createLogger>,
) {
  const job = event.job as Parameters<typeof runJob>[0];
  if (
    typeof event.runKey !== 'string' ||
    !RUN_KEY.test(event.runKey) ||
    typeof event.requestedBy !== 'string'
  ) {
    log.error('requested run without a run key or requester', { runKey: event.runKey });
    return { ran: false, runKey: String(event.runKey), status: 'invalid' };
  }
  try {
    const result = await runJob(job, {
      trigger: event.trigger ?? 'api',
      now: new Date(),
      week: event.week,
      requestedBy: event.requestedBy,
      runKey: event.runKey,
      deadline,
      log,
    });
    return outcome(
      result,
      log,
      result.ran ? 'requested run done' : 'requested run already under way or done',
    );
  } catch (error) {
    // Recorded and logged (`job run failed`) by runJob; not thrown, so Lambda does not retry it.
    if (!(error instanceof JobFailedError)) throw error;
    return { ran: true, runKey: error.run.runKey, status: error.run.status };
  }
}
