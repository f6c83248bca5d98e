import { randomUUID } from 'node:crypto';
import { config } from '../../config.ts';
import { createLogger } from '../logger.ts';
import type { ApiMiddleware, ApiRequest } from './types.ts';

/**
 * First middleware: the request id (API Gateway's, else the invocation's, else a new one), a logger
 * that stamps it on every line, and the start time, as the request's state (types.ts ApiState).
 */
export interface RequestContextOptions {
  /** Read per request: the local runtime resets the configuration between stacks. */
  logLevel: () => 'debug' | 'info' | 'warn' | 'error';
  now: () => number;
}

const defaults: RequestContextOptions = {
  logLevel: () => config().logLevel,
  now: Date.now,
};

export function requestContext(opts: Partial<RequestContextOptions> = {}): ApiMiddleware {
  const options = { ...defaults, ...opts };

  const requestContextBefore = (request: ApiRequest): void => {
    const requestId =
      request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? randomUUID();
    const log = createLogger(
      { requestId, routeKey: request.event.routeKey },
      options.logLevel(),
      // The invocation's own id for the context fields; an in-process call gives its caller's.
      { ...request.context, awsRequestId: request.context?.awsRequestId ?? requestId },
    );
    // A context object of the request's own: a caller may hand the same one to concurrent calls.
    request.context = { ...request.context, api: { requestId, log, startedAt: options.now() } };
  };

  return { before: requestContextBefore };
}

/**
 * One line per answered request, with its status and duration. A middy plugin hook rather than an
 * `after`, because it must also see answers that skip the after phase: errors (mapped in onError)
 * and idempotent replays (an early response from a before).
 */
export function logRequestDone(request: ApiRequest, now: () => number = Date.now): void {
  const state = request.context?.api;
  state?.log.info('request done', {
    status: request.response?.statusCode,
    ms: now() - state.startedAt,
  });
}
