import type { $ZodType, input, output } from 'zod/v4/core';
import type { ApiEvent, ApiResult } from '../http/api-handler.ts';
import type { WebApiRoute } from './api-routes.ts';

/**
 * The pages and the background tasks read and write through the JSON API's own handlers, called
 * in-process with the signed-in person's claims: the same validation, per-role and per-record
 * authorisation, idempotency and audit trail as an API client, and no data path of their own.
 *
 * Typed by the route table (functions/client/api-routes.ts): a call names a route by method and path
 * template, `api.get('/villages/{id}', { params: { id } })`, and its params, query and body are the
 * route's schemas' inputs and its answer the route's success schema's output. A path that is no route
 * does not compile.
 */
export type ApiInvoker = (event: ApiEvent, context: { awsRequestId: string }) => Promise<ApiResult>;

export interface ApiError {
  code: string;
  message: string;
  fields?: Array<{ path: string; code: string; message: string }>;
}

type Routes = WebApiRoute;
export type ApiMethod = Routes['method'];
/** The path templates of the routes with this method. */
export type ApiPath<M extends ApiMethod> = Extract<Routes, { method: M }>['path'];
/** The route definition a method and path template name. */
export type RouteAt<M extends ApiMethod, P extends string> = Extract<Routes, { method: M; path: P }>;

type SuccessStatus = 200 | 201 | 202;
type ResponsesOf<R> = R extends { responses: infer X } ? X : never;
type Out<S> = S extends $ZodType ? output<S> : undefined;
/** A route's answer on success: its 2xx schemas' output (`undefined` for an answer that is a file). */
export type Success<R> = {
  [S in keyof ResponsesOf<R> & SuccessStatus]: Out<ResponsesOf<R>[S]>;
}[keyof ResponsesOf<R> & SuccessStatus];
/** The success answer of `GET path`. */
export type GetAnswer<P extends ApiPath<'GET'>> = Success<RouteAt<'GET', P>>;

type Schema<R, K extends 'params' | 'query' | 'body'> = R extends { [k in K]?: infer S }
  ? Exclude<S, undefined>
  : never;
type Values<S> = [S] extends [never] ? never : S extends $ZodType ? input<S> : never;
type PartOf<R, K extends 'params' | 'query' | 'body'> = [Values<Schema<R, K>>] extends [never]
  ? { [k in K]?: never }
  : // A query, or a body whose every field may be left out, may be left out.
    K extends 'query'
    ? { [k in K]?: Values<Schema<R, K>> }
    : object extends Values<Schema<R, K>>
      ? { [k in K]?: Values<Schema<R, K>> }
      : { [k in K]: Values<Schema<R, K>> };

/** What a call to route R sends: the route's path parameters, query and body as its schemas take them. */
export type CallOptions<R> = PartOf<R, 'params'> &
  PartOf<R, 'query'> &
  PartOf<R, 'body'> & {
    idempotencyKey?: string | undefined;
    /** The version read, for routes that change a versioned record (If-Match). */
    ifMatch?: string | undefined;
  };
/** A read sends no body and no key. */
export type ReadOptions<R> = PartOf<R, 'params'> & PartOf<R, 'query'>;
/** Options may be left out when nothing in them is required. */
type OptionalIfEmpty<T> = object extends T ? [options?: T] : [options: T];

export type ApiAnswer<R> = AnswerOf<Success<R>>;
type AnswerOf<T> = (
  | { ok: true; body: T }
  | {
      ok: false;
      /** Parsed JSON of the refusal, if any. */
      body: unknown;
      /** The API's error, or a stand-in when the answer carried none. */
      error: ApiError;
    }
) & {
  status: number;
  headers: Record<string, string>;
  /** The response as the handler gave it, for files that are relayed as they are. */
  raw: ApiResult;
};

/** A read that did not succeed; pages turn 403/404 into their own error pages. */
export class ApiCallError extends Error {
  override name = 'ApiCallError';
  constructor(
    readonly status: number,
    readonly error: ApiError,
    readonly routeKey: string,
  ) {
    super(`${routeKey} → ${status} ${error.code}: ${error.message}`);
  }
}

/**
 * A list longer than the caller's cap. Nothing is cut short silently: the caller shows `message`
 * (plain Chinese, for people) or asks again with a higher cap.
 */
export class ListTooLongError extends Error {
  override name = 'ListTooLongError';
  readonly code = 'LIST_TOO_LONG';
  constructor(
    readonly routeKey: string,
    readonly max: number,
  ) {
    super(`列表超过 ${max} 条，无法一次显示；请缩小筛选范围后再试`);
  }
}

/** One answer as a call saw it (see `observeAnswers`). */
export interface ObservedAnswer {
  routeKey: string;
  method: string;
  path: string;
  status: number;
  contentType: string | undefined;
  body: unknown;
}

const observers = new Set<(answer: ObservedAnswer) => void>();

/**
 * Sees every answer of every in-process call; the integration tests hold each against its route's
 * declared schemas (test/support/response-contract.ts). Returns the function that stops observing.
 */
export function observeAnswers(observer: (answer: ObservedAnswer) => void): () => void {
  observers.add(observer);
  return () => observers.delete(observer);
}

type Loose = {
  params?: Record<string, string> | undefined;
  query?: object | undefined;
  body?: unknown;
  idempotencyKey?: string | undefined;
  ifMatch?: string | undefined;
};

/** The largest page the API gives (LIMITS.listMax). */
const PAGE = 100;
/** Items `all` reads before it refuses (ListTooLongError), unless the caller says otherwise. */
export const LIST_MAX = 2000;

export class ApiClient {
  private seq = 0;
  constructor(
    private readonly invoke: ApiInvoker,
    private readonly claims: Record<string, string> | undefined,
    private readonly requestId: string,
    private readonly sourceIp = '127.0.0.1',
  ) {}

  /** Any route; the answer says whether it succeeded (`ok`) and carries the API's error when not. */
  async call<M extends ApiMethod, P extends ApiPath<M>>(
    method: M,
    path: P,
    ...[options]: OptionalIfEmpty<CallOptions<RouteAt<M, P>>>
  ): Promise<ApiAnswer<RouteAt<M, P>>> {
    return this.send(method, path, (options ?? {}) as Loose) as Promise<ApiAnswer<RouteAt<M, P>>>;
  }

  /**
   * A request with the values a person typed (a form post, filters from the address bar), passed on
   * as they are: the route's own schemas check them and the refusal goes back beside the fields, so
   * only the route and its answer are typed here.
   */
  async relay<M extends ApiMethod, P extends ApiPath<M>>(
    method: M,
    path: P,
    options: {
      params?: Record<string, string>;
      query?: Record<string, string | number | undefined>;
      body?: unknown;
      idempotencyKey?: string | undefined;
      ifMatch?: string | undefined;
    },
  ): Promise<ApiAnswer<RouteAt<M, P>>> {
    return this.send(method, path, options as Loose) as Promise<ApiAnswer<RouteAt<M, P>>>;
  }

  /** One page of a list route, with filters as typed (see `relay`); `limit` and `next` may be among them. */
  async page<P extends ListPath>(
    path: P,
    options?: { params?: Record<string, string>; query?: Record<string, string | number | undefined> },
  ): Promise<AnswerOf<{ items: Array<ItemOf<P>>; next?: string | undefined }>> {
    return this.send('GET', path, (options ?? {}) as Loose) as Promise<
      AnswerOf<{ items: Array<ItemOf<P>>; next?: string | undefined }>
    >;
  }

  /** A read that must succeed: anything else throws ApiCallError. */
  async get<P extends ApiPath<'GET'>>(
    path: P,
    ...[options]: OptionalIfEmpty<ReadOptions<RouteAt<'GET', P>>>
  ): Promise<GetAnswer<P>> {
    const res = await this.send('GET', path, (options ?? {}) as Loose);
    if (!res.ok) throw new ApiCallError(res.status, res.error, `GET ${path}`);
    return res.body as GetAnswer<P>;
  }

  /**
   * Every page of a list (the API gives at most 100 items a page). More than `max` items is a
   * ListTooLongError, never a list cut short.
   */
  async all<P extends ListPath>(
    path: P,
    options?: Omit<ReadOptions<RouteAt<'GET', P>>, 'query'> & {
      query?: Omit<NonNullable<ReadOptions<RouteAt<'GET', P>>['query']>, 'limit' | 'next'>;
    },
    max = LIST_MAX,
  ): Promise<Array<ItemOf<P>>> {
    const items: Array<ItemOf<P>> = [];
    let next: string | undefined;
    do {
      const loose = options as Loose | undefined;
      const res = await this.send('GET', path, {
        ...loose,
        query: { ...loose?.query, limit: PAGE, ...(next ? { next } : {}) },
      });
      if (!res.ok) throw new ApiCallError(res.status, res.error, `GET ${path}`);
      const page = res.body as { items: Array<ItemOf<P>>; next?: string };
      items.push(...page.items);
      next = page.next;
      if (items.length > max || (next && items.length >= max)) throw new ListTooLongError(`GET ${path}`, max);
    } while (next);
    return items;
  }

  private async send(method: string, path: string, call: Loose): Promise<AnswerOf<unknown>> {
    const params = call.params ?? {};
    const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined && v !== null && v !== '') query[k] = String(v);
    const routeKey = `${method} ${path}`;
    const requestId = `${this.requestId}-${++this.seq}`;
    const now = new Date();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    if (call.ifMatch) headers['if-match'] = call.ifMatch;
    const event: ApiEvent = {
      version: '2.0',
      routeKey,
      rawPath,
      rawQueryString: new URLSearchParams(query).toString(),
      headers,
      ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
      ...(Object.keys(params).length ? { pathParameters: params } : {}),
      requestContext: {
        accountId: 'web',
        apiId: 'web',
        ...(this.claims
          ? {
              authorizer: {
                jwt: { claims: this.claims, scopes: [] },
                principalId: '',
                integrationLatency: 0,
              },
            }
          : {}),
        domainName: 'web',
        domainPrefix: 'web',
        http: {
          method,
          path: rawPath,
          protocol: 'HTTP/1.1',
          sourceIp: this.sourceIp,
          userAgent: 'baocun-web',
        },
        requestId,
        routeKey,
        stage: '$default',
        time: now.toISOString(),
        timeEpoch: now.getTime(),
      },
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
      isBase64Encoded: false,
    } as ApiEvent;
    const result = await this.invoke(event, { awsRequestId: requestId });
    const resultHeaders = (result.headers ?? {}) as Record<string, string>;
    const contentType = resultHeaders['content-type'];
    let body: unknown;
    if (/json/.test(contentType ?? '') && result.body) body = JSON.parse(result.body);
    const status = result.statusCode ?? 200;
    for (const observe of observers) observe({ routeKey, method, path: rawPath, status, contentType, body });
    const common = { status, headers: resultHeaders, raw: result };
    return status < 300
      ? { ok: true, body, ...common }
      : { ok: false, body, error: errorOf(body), ...common };
  }
}

/** GET routes that answer a page of items (`{ items, next? }`). */
export type ListPath = {
  [P in ApiPath<'GET'>]: GetAnswer<P> extends { items: unknown[]; next?: string | undefined } ? P : never;
}[ApiPath<'GET'>];
/** One item of a list route. */
export type ItemOf<P extends ApiPath<'GET'>> = GetAnswer<P> extends { items: Array<infer T> } ? T : never;

export function errorOf(body: unknown): ApiError {
  const error = (body as { error?: ApiError } | undefined)?.error;
  return error && typeof error.code === 'string' ? error : { code: 'UNKNOWN', message: '请求未成功' };
}
