import type { JsonResponse, RawResponse } from '../route.ts';
import type { ApiResult } from './types.ts';

/** Every answer names its request (`x-request-id`); JSON answers are never cached. */
const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

export function jsonResult(
  statusCode: number,
  body: unknown,
  requestId: string,
  extra?: Record<string, string>,
): ApiResult {
  return {
    statusCode,
    headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...extra },
    body: JSON.stringify(body),
  };
}

/** A use case's answer as the Lambda result: JSON, or a file relayed as it is. */
export function routeResult(out: JsonResponse<unknown> | RawResponse, requestId: string): ApiResult {
  if ('raw' in out) {
    return {
      statusCode: out.statusCode,
      headers: { 'x-request-id': requestId, ...out.headers },
      body: out.body,
      isBase64Encoded: out.isBase64Encoded ?? false,
    };
  }
  return jsonResult(out.status, out.body, requestId, out.headers);
}
