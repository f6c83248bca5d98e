import { Tracer } from '@aws-lambda-powertools/tracer';
import { METRICS_SERVICE } from '../core/metric-names.ts';

/**
 * Powertools Tracer for the two long-running functions only: the scheduled jobs and the background
 * worker. Active X-Ray tracing (set on every function by infra/constructs/api-function.ts) already
 * records each invocation; Tracer adds, inside it, the handler's subsegment with the cold start and
 * service as annotations, and one subsegment per DynamoDB call (the table client is captured through
 * functions/adapters/dynamo/client.ts), which is where a 15-minute run's time goes. The API functions go without: Tracer and the X-Ray SDK it
 * brings cost a third of the SDK-only bundle's import time (docs/deploy.md), over their budget.
 *
 * Off outside Lambda (Tracer's own rule) and with POWERTOOLS_TRACE_ENABLED=false.
 */
let shared: Tracer | undefined;

function tracer(): Tracer {
  shared ??= new Tracer({ serviceName: process.env.POWERTOOLS_SERVICE_NAME || METRICS_SERVICE });
  return shared;
}

/**
 * An AWS SDK client whose calls become subsegments (service, operation, time, retries, error).
 * Tracer's patching of node:http does not cover the SDK: the SDK stamps its requests with the trace
 * header, and the X-Ray SDK skips requests that carry one; so each client is captured itself.
 * Unchanged when tracing is off.
 */
export function tracedClient<C>(client: C): C {
  return tracer().captureAWSv3Client(client);
}

/**
 * The handler inside a `## name` subsegment of the invocation's segment (Powertools' manual
 * instrumentation; the same as its middy `captureLambdaHandler`, for entries that are not middy).
 * The answer is not stored as metadata: it can name people (a task's rows, a job's recipients).
 */
export function traced<E, C, R>(
  name: string,
  handler: (event: E, context: C) => Promise<R>,
): (event: E, context: C) => Promise<R> {
  return async (event, context) => {
    const t = tracer();
    const segment = t.isTracingEnabled() ? t.getSegment() : undefined;
    if (!segment) return handler(event, context);
    const subsegment = segment.addNewSubsegment(`## ${name}`);
    t.setSegment(subsegment);
    t.annotateColdStart();
    t.addServiceNameAnnotation();
    try {
      return await handler(event, context);
    } catch (error) {
      t.addErrorAsMetadata(error as Error);
      throw error;
    } finally {
      subsegment.close();
      t.setSegment(segment);
    }
  };
}
