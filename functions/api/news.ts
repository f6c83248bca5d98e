import { instrumentDynamoClient } from '../adapters/dynamo/client.ts';
import { config } from '../config.ts';
import { createLogger, type LogContext } from '../http/logger.ts';
import { publishMetrics } from '../http/metrics.ts';
import { traced, tracedClient } from '../http/tracing.ts';
import { deliverNews } from '../jobs/news.ts';

/**
 * The news function: sends the emails and text messages of one piece of news (a new problem, a
 * rejected rectification, a new dispatch, an emergency report), invoked asynchronously with
 * `{ key }` by the request that recorded it (docs/news.md). Every send goes through the delivery
 * ledger, so a repeated event (Lambda delivers at least once, and retries) sends nothing twice. A
 * failed send is not thrown: the event stays pending and the daily sweep sends it.
 */
export interface NewsEvent {
  key: string;
}

instrumentDynamoClient(tracedClient);

export async function handler(event: NewsEvent, context?: LogContext) {
  try {
    return await tracedRun(event, context);
  } finally {
    publishMetrics();
  }
}

const tracedRun = traced('news', run);

async function run(event: NewsEvent, context: LogContext | undefined) {
  const log = createLogger(
    { requestId: context?.awsRequestId, newsKey: event?.key },
    config().logLevel,
    context,
  );
  if (!event || typeof event.key !== 'string' || !/^[^\s#]{1,300}$/.test(event.key)) {
    log.error('news event without a key', {});
    return { key: String(event?.key), status: 'invalid' };
  }
  const result = await deliverNews(event.key, { log });
  if (!result) {
    log.warn('news event not found', {});
    return { key: event.key, status: 'missing' };
  }
  if (!result.done) log.warn('news not all delivered; the daily sweep retries', { ...result });
  else log.info('news delivered', { ...result });
  return { ...result, status: result.done ? 'done' : 'pending' };
}
