import { randomUUID } from 'node:crypto';
import { AppError } from '../../errors.ts';
import { createLogger, errorDetails, type Logger } from '../logger.ts';
import { jsonResult } from './respond.ts';
import type { ApiMiddleware, ApiRequest, ApiResult } from './types.ts';

/**
 * The one place where errors become HTTP responses. A typed refusal (AppError below 500) becomes its
 * status, stable code, Chinese message and field issues; anything else is logged in full and answered
 * with the fallback, so nothing internal reaches the client.
 */
export interface ErrorResponseOptions {
  fallback: { code: string; message: string };
}

const defaults: ErrorResponseOptions = {
  fallback: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' },
};

function errorResult(
  error: unknown,
  requestId: string,
  log: Logger,
  fallback: ErrorResponseOptions['fallback'] = defaults.fallback,
): ApiResult {
  if (error instanceof AppError && error.status < 500) {
    log.info('request refused', { status: error.status, code: error.code });
    const { code, message, fields } = error;
    return jsonResult(
      error.status,
      { error: { code, message, ...(fields ? { fields } : {}) }, requestId },
      requestId,
    );
  }
  log.error('request failed', { error: errorDetails(error) });
  return jsonResult(500, { error: fallback, requestId }, requestId);
}

export function errorResponse(opts: Partial<ErrorResponseOptions> = {}): ApiMiddleware {
  const options = { ...defaults, ...opts };

  const errorResponseOnError = (request: ApiRequest): void => {
    // Without state the first middleware itself failed: still answer in the API's shape.
    const state = request.context?.api ?? {
      requestId: randomUUID(),
      log: createLogger({ routeKey: request.event?.routeKey }),
    };
    request.response = errorResult(request.error, state.requestId, state.log, options.fallback);
  };

  return { onError: errorResponseOnError };
}
