import type middy from '@middy/core';
import type {
  APIGatewayProxyEventV2WithJWTAuthorizer,
  APIGatewayProxyStructuredResultV2,
  Context,
} from 'aws-lambda';
import type { Actor } from '../auth.ts';
import type { Logger } from '../logger.ts';
import type { AnyRoute } from '../route.ts';

export type ApiEvent = APIGatewayProxyEventV2WithJWTAuthorizer;
export type ApiResult = APIGatewayProxyStructuredResultV2;

/** The route's input after validation, as its use case receives it. */
export interface RouteInput {
  body: unknown;
  query: unknown;
  params: unknown;
}

/**
 * What the middlewares learn about one request, in the order they run: each fills its own field, the
 * use case (the handler, last) reads them. It hangs on the request's Lambda context, middy's channel
 * from middlewares to the handler (the handler is called with the event and the context only); the
 * first middleware gives each request a context object of its own for it.
 */
export interface ApiState {
  readonly requestId: string;
  readonly log: Logger;
  readonly startedAt: number;
  /** routing */
  route?: AnyRoute;
  /** auth */
  actor?: Actor;
  /** body hardening: the body as plain JSON, before any schema (undefined: no body). */
  rawBody?: unknown;
  /** validation */
  input?: RouteInput;
  /** idempotency: the claim this attempt runs under, while a key was sent. */
  idempotency?: {
    sub: string;
    key: string;
    token: string;
    fresh: boolean;
    /** The claim was completed or released (or that was tried): nothing more to do. */
    settled: boolean;
  };
}

export type ApiContext = Context & { api?: ApiState };
export type ApiRequest = middy.Request<ApiEvent, ApiResult, Error, ApiContext>;
export type ApiMiddleware = middy.MiddlewareObj<ApiEvent, ApiResult, Error, ApiContext>;

/** The request's state; a middleware that needs it before it exists is wired in the wrong order. */
export function stateOf(request: { context: ApiContext }): ApiState {
  const state = request.context.api;
  if (!state) throw new Error('API state missing: requestContext() must be the first middleware');
  return state;
}

/** A field an earlier middleware sets; missing means the chain is wired in the wrong order. */
export function need<T>(value: T | undefined, what: string): T {
  if (value === undefined) throw new Error(`API state missing ${what}: middleware order is wrong`);
  return value;
}

/** Header lookup by lower-case name (API Gateway lower-cases them; direct invocations may not). */
export function header(event: ApiEvent, name: string): string | undefined {
  const headers = event.headers ?? {};
  const found = Object.keys(headers).find((h) => h.toLowerCase() === name);
  return found ? headers[found] : undefined;
}
