import { randomUUID } from 'node:crypto';
import middy from '@middy/core';
import type { APIGatewayProxyEventV2WithJWTAuthorizer, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { writeAudit } from '../adapters/dynamo/audit.ts';
import { config } from '../config.ts';
import { AppError, BadRequestError, NotFoundError } from '../errors.ts';
import { type Actor, actorFromClaims, requireRole } from './auth.ts';
import { parseJsonBody } from './body.ts';
import { requestFingerprint, runIdempotent, validateIdempotencyKey } from './idempotent.ts';
import { createLogger, type Logger } from './logger.ts';
import { type AnyRoute, type RequestContext, routeKey } from './route.ts';
import { parseOrThrow } from './validation.ts';

/**
 * Builds the Lambda handler for a group of routes: middleware first (logging, the one
 * error-to-response mapping), then parse → authorise → use case → respond.
 */
export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

interface State {
  requestId: string;
  log: Logger;
  startedAt: number;
}

const JSON_HEADERS = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store' };

function jsonResult(
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

export function errorResult(error: unknown, requestId: string, log: Logger): ApiResult {
  if (error instanceof AppError && error.status < 500) {
    log.info('request refused', { status: error.status, code: error.code });
    return jsonResult(
      error.status,
      {
        error: {
          code: error.code,
          message: error.message,
          ...(error.fields ? { fields: error.fields } : {}),
        },
        requestId,
      },
      requestId,
    );
  }
  log.error('request failed', {
    error:
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : String(error),
  });
  return jsonResult(
    500,
    { error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' }, requestId },
    requestId,
  );
}

function header(event: ApiEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const found = Object.keys(headers).find((h) => h.toLowerCase() === name);
  return found ? headers[found] : undefined;
}

export function createApiHandler(routes: AnyRoute[], options: { clock?: () => Date } = {}) {
  const byKey = new Map(routes.map((r) => [routeKey(r), r]));
  const clock = options.clock ?? (() => new Date());
  const states = new WeakMap<object, State>();

  const core = async (event: ApiEvent): Promise<ApiResult> => {
    const state = states.get(event) as State;
    const { requestId, log } = state;
    const route = byKey.get(event.routeKey);
    if (!route) throw new NotFoundError('没有这个接口');

    let actor: Actor = { sub: 'anonymous', roles: [], cadreId: '' };
    if (route.roles !== 'public') {
      actor = actorFromClaims(
        event.requestContext?.authorizer?.jwt?.claims as Record<string, unknown> | undefined,
      );
      requireRole(actor, route.roles);
    }

    const params = route.params
      ? parseOrThrow(route.params, event.pathParameters ?? {}, 'params')
      : undefined;
    const query = route.query
      ? parseOrThrow(route.query, event.queryStringParameters ?? {}, 'query')
      : undefined;
    let rawBody: unknown;
    if (route.body) {
      rawBody = parseJsonBody(
        event.body,
        event.isBase64Encoded,
        header(event, 'content-type'),
        route.maxBodyBytes ?? config().maxBodyBytes,
      );
      if (rawBody === undefined && !route.optionalBody) {
        throw new BadRequestError('EMPTY_BODY', '请求内容不能为空');
      }
    }
    const body = route.body
      ? parseOrThrow(route.body, rawBody === undefined ? {} : rawBody, 'body')
      : undefined;

    const idempotencyKey =
      route.method === 'GET' || route.secret ? undefined : header(event, 'idempotency-key');
    if (idempotencyKey !== undefined) validateIdempotencyKey(idempotencyKey);

    const ctx: RequestContext = {
      actor,
      requestId,
      routeKey: event.routeKey,
      now: clock(),
      log,
      idempotencyKey,
      firstAttempt: true,
      auditRecord: (entry) => ({
        ...entry,
        at: ctx.now.toISOString(),
        actor: actor.sub,
        roles: actor.roles,
        routeKey: event.routeKey,
        requestId,
      }),
      audit: (entry) => writeAudit(ctx.auditRecord(entry)),
    };

    const execute = async () => {
      try {
        const out = await route.handle({ body, query, params }, ctx);
        if ('raw' in out) {
          return {
            statusCode: out.statusCode,
            headers: { 'x-request-id': requestId, ...out.headers },
            body: out.body,
            isBase64Encoded: out.isBase64Encoded ?? false,
          };
        }
        return {
          statusCode: out.status,
          headers: { ...JSON_HEADERS, 'x-request-id': requestId, ...out.headers },
          body: JSON.stringify(out.body),
        };
      } catch (error) {
        if (error instanceof AppError && error.status < 500) {
          return errorResult(error, requestId, log) as {
            statusCode: number;
            headers: Record<string, string>;
            body: string;
          };
        }
        throw error;
      }
    };

    if (idempotencyKey === undefined) return execute();
    const result = await runIdempotent(
      {
        sub: actor.sub,
        key: idempotencyKey,
        fingerprint: requestFingerprint(event.routeKey, event.pathParameters, rawBody),
        routeKey: event.routeKey,
        clock,
      },
      async ({ fresh }) => {
        ctx.firstAttempt = fresh;
        const r = await execute();
        return { statusCode: r.statusCode, headers: r.headers ?? {}, body: r.body ?? '' };
      },
    );
    return {
      statusCode: result.statusCode,
      headers: {
        ...result.headers,
        'x-request-id': requestId,
        ...(result.replayed ? { 'idempotent-replayed': 'true' } : {}),
      },
      body: result.body,
    };
  };

  return middy<ApiEvent, ApiResult>()
    .use({
      before: (request) => {
        const requestId =
          request.event.requestContext?.requestId ?? request.context?.awsRequestId ?? randomUUID();
        const log = createLogger({ requestId, routeKey: request.event.routeKey }, config().logLevel);
        states.set(request.event, { requestId, log, startedAt: Date.now() });
      },
      after: (request) => {
        const state = states.get(request.event);
        state?.log.info('request done', {
          status: request.response?.statusCode,
          ms: Date.now() - state.startedAt,
        });
      },
      onError: (request) => {
        const state = states.get(request.event) ?? {
          requestId: randomUUID(),
          log: createLogger({ routeKey: request.event?.routeKey }),
          startedAt: Date.now(),
        };
        request.response = errorResult(request.error, state.requestId, state.log);
      },
    })
    .handler(core);
}
