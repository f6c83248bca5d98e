import { documentStore } from '../adapters/documents/store.ts';
import { dynamoApiPorts } from '../adapters/dynamo/api-ports.ts';
import type { TaskRecord } from '../adapters/dynamo/background.ts';
import { instrumentDynamoClient } from '../adapters/dynamo/client.ts';
import { runTask } from '../background/runner.ts';
import { ApiClient } from '../client/api-client.ts';
import { webApiRoutes } from '../client/api-routes.ts';
import { config } from '../config.ts';
import { createApiHandler } from '../http/api-handler.ts';
import { createLogger, type LogContext } from '../http/logger.ts';
import { publishMetrics } from '../http/metrics.ts';
import { traced, tracedClient } from '../http/tracing.ts';

/**
 * The background worker Lambda: runs one background task (roster import, list export) by id, invoked
 * asynchronously by the web function (InvocationType Event) with `{ taskId }`. Up to 15 minutes.
 * It reads and writes through the JSON API's own handlers in-process, as the person who created the
 * task (their sub and roles), exactly like the pages do: validation, authorisation, idempotency and
 * the audit trail are the API's. A repeated event (Lambda delivers at least once) finds the task
 * claimed or finished and does nothing.
 */
export interface WorkerEvent {
  taskId: string;
}

const api = createApiHandler(webApiRoutes, dynamoApiPorts);
// An import writes a row at a time: each table call is a subsegment of its trace (functions/http/tracing.ts).
instrumentDynamoClient(tracedClient);

/** Claims as API Gateway's JWT authorizer would forward them for the task's creator. */
export function creatorClaims(task: Pick<TaskRecord, 'createdBy'>): Record<string, string> {
  const { sub, roles, name } = task.createdBy;
  return { sub, 'cognito:groups': `[${roles.join(' ')}]`, token_use: 'id', ...(name ? { name } : {}) };
}

export async function handler(
  event: WorkerEvent,
  context?: LogContext,
): Promise<{ taskId: string; status: string }> {
  try {
    return await tracedRun(event, context);
  } finally {
    // The API calls made in-process write their own; this catches anything the task recorded itself.
    publishMetrics();
  }
}

const tracedRun = traced('background task', runWorker);

async function runWorker(
  event: WorkerEvent,
  context: LogContext | undefined,
): Promise<{ taskId: string; status: string }> {
  const requestId = context?.awsRequestId ?? `worker-${Date.now().toString(36)}`;
  const log = createLogger({ requestId, taskId: event?.taskId }, config().logLevel, {
    ...context,
    awsRequestId: requestId,
  });
  if (!event || typeof event.taskId !== 'string' || !/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/.test(event.taskId)) {
    // Retrying cannot fix a malformed event.
    log.error('worker event without a task id', {});
    return { taskId: String(event?.taskId), status: 'invalid' };
  }
  const result = await runTask(event.taskId, {
    apiAs: (task) => new ApiClient(api, creatorClaims(task), `${requestId}-${task.attempt}`),
    documents: documentStore(),
    clock: () => new Date(),
    log,
    requestId,
  });
  log.info('task finished', result);
  return result;
}
