import type { ApiEvent, ApiResult } from '../http/api-handler.ts';

/**
 * The pages read and write through the JSON API's own handlers, called in-process with the signed-in
 * person's claims: every page gets the same validation, per-role and per-record authorisation,
 * idempotency and audit trail as an API client, and no page has a data path of its own.
 */
export type ApiInvoker = (event: ApiEvent, context: { awsRequestId: string }) => Promise<ApiResult>;

export interface ApiError {
  code: string;
  message: string;
  fields?: Array<{ path: string; code: string; message: string }>;
}

export interface ApiCall {
  params?: Record<string, string>;
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  idempotencyKey?: string | undefined;
}

export interface ApiResponse<T = unknown> {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON for JSON responses; undefined otherwise (see `raw`). */
  body: T;
  /** The response as the handler gave it, for files that are relayed as they are. */
  raw: ApiResult;
}

/** A read that did not succeed; pages turn 403/404 into their own error pages. */
export class ApiCallError extends Error {
  constructor(
    readonly status: number,
    readonly error: ApiError,
    readonly routeKey: string,
  ) {
    super(`${routeKey} → ${status} ${error.code}: ${error.message}`);
    this.name = 'ApiCallError';
  }
}

export class ApiClient {
  private seq = 0;
  constructor(
    private readonly invoke: ApiInvoker,
    private readonly claims: Record<string, string> | undefined,
    private readonly requestId: string,
    private readonly sourceIp = '127.0.0.1',
  ) {}

  async call<T = unknown>(method: string, path: string, call: ApiCall = {}): Promise<ApiResponse<T>> {
    const params = call.params ?? {};
    const rawPath = path.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params[name] ?? ''));
    const query: Record<string, string> = {};
    for (const [k, v] of Object.entries(call.query ?? {}))
      if (v !== undefined && v !== '') query[k] = String(v);
    const routeKey = `${method} ${path}`;
    const requestId = `${this.requestId}-${++this.seq}`;
    const now = new Date();
    const headers: Record<string, string> = { accept: 'application/json' };
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    if (call.idempotencyKey) headers['idempotency-key'] = call.idempotencyKey;
    const event = {
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
    } as unknown as ApiEvent;
    const result = await this.invoke(event, { awsRequestId: requestId });
    const resultHeaders = (result.headers ?? {}) as Record<string, string>;
    const isJson = /json/.test(resultHeaders['content-type'] ?? '');
    let body: unknown;
    if (isJson && result.body) body = JSON.parse(result.body);
    return { status: result.statusCode ?? 200, headers: resultHeaders, body: body as T, raw: result };
  }

  /** A read that must succeed: anything else throws ApiCallError. */
  async get<T = unknown>(path: string, call: Omit<ApiCall, 'body' | 'idempotencyKey'> = {}): Promise<T> {
    const res = await this.call<T>('GET', path, call);
    if (res.status >= 300) throw new ApiCallError(res.status, errorOf(res.body), `GET ${path}`);
    return res.body;
  }

  /** Every page of a list (the API caps a page at 100 items); `max` guards against runaway lists. */
  async all<T>(path: string, call: Omit<ApiCall, 'body' | 'idempotencyKey'> = {}, max = 2000): Promise<T[]> {
    const items: T[] = [];
    let next: string | undefined;
    do {
      const page = await this.get<{ items: T[]; next?: string }>(path, {
        ...call,
        query: { ...call.query, limit: 100, ...(next ? { next } : {}) },
      });
      items.push(...page.items);
      next = page.next;
    } while (next && items.length < max);
    return items;
  }
}

export function errorOf(body: unknown): ApiError {
  const error = (body as { error?: ApiError } | undefined)?.error;
  return error && typeof error.code === 'string' ? error : { code: 'UNKNOWN', message: '请求未成功' };
}
