import type { $ZodType, output } from 'zod/v4/core';
import type { AuditEntry, AuditRecord } from '../core/audit.ts';
import type { Role } from '../core/roles.ts';
import type { Actor } from './auth.ts';
import type { Logger } from './logger.ts';

/**
 * A route is data: method, path, who may call it, its schemas and its use case. The same definition
 * drives the Lambda handler, the local gateway's routing and the OpenAPI document.
 */
export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export type { AuditEntry, AuditRecord };

export interface RequestContext {
  actor: Actor;
  requestId: string;
  routeKey: string;
  now: Date;
  log: Logger;
  /** Records who did what to which entity; every write calls it. */
  audit(entry: AuditEntry): Promise<void>;
  /** The full audit record for an entry, for use cases that write it in a batch with their items. */
  auditRecord(entry: AuditEntry): AuditRecord;
  /**
   * True when no earlier attempt of this request can have written anything (no Idempotency-Key, so
   * ids are fresh, or a fresh claim of the key). Use cases may then skip their crash-recovery reads
   * and write unconditionally in one batch.
   */
  firstAttempt: boolean;
  /** Idempotency key of this request, if the caller sent one (used to derive stable ids). */
  idempotencyKey: string | undefined;
  /** The If-Match header as sent (routes with `ifMatch` read the version the caller last saw). */
  ifMatch?: string | undefined;
}

export interface RawResponse {
  raw: true;
  statusCode: number;
  headers?: Record<string, string>;
  body: string;
  isBase64Encoded?: boolean;
}

export interface JsonResponse<T> {
  status: number;
  body: T;
  headers?: Record<string, string>;
}

type Out<S> = S extends $ZodType ? output<S> : undefined;

/** Response schemas by status (a description alone for an answer that is not JSON). */
export type Responses = Record<number, $ZodType | { description: string }>;

/**
 * Method, path and responses are kept as literal types, so that the in-process client
 * (functions/client/api-client.ts) can name a route and get its response type.
 */
export interface RouteDef<
  B extends $ZodType | undefined = $ZodType | undefined,
  Q extends $ZodType | undefined = $ZodType | undefined,
  P extends $ZodType | undefined = $ZodType | undefined,
  M extends Method = Method,
  Path extends string = string,
  R extends Responses = Responses,
> {
  method: M;
  path: Path;
  summary: string;
  tags: string[];
  /** Roles allowed to call; `public` needs no token. Per-resource checks live in the use case. */
  roles: readonly Role[] | 'public';
  body?: B;
  /** The body may be left out entirely (every field optional); it is then parsed as `{}`. */
  optionalBody?: boolean;
  /**
   * The answer carries a secret (an initial password): it is never stored for Idempotency-Key replays
   * (the header is ignored), so the route must be safe to repeat on its own.
   */
  secret?: boolean;
  /**
   * The route changes a versioned record: it requires `If-Match` with the version the caller read
   * (the OpenAPI document lists the header; the use case answers 428 without it, 412 when stale).
   */
  ifMatch?: boolean;
  /** Largest JSON body this route takes, in bytes (default: the MAX_BODY_BYTES setting, 256 KB). */
  maxBodyBytes?: number;
  query?: Q;
  params?: P;
  /**
   * Response schemas by status: the OpenAPI document, the client's types, the tests' response checks.
   * A Lambda never reads them: declare them `z.lazy(() => …)` so a cold start does not build them
   * (functions/schemas/common.ts, `built`).
   */
  responses: R;
  handle(
    input: { body: Out<B>; query: Out<Q>; params: Out<P> },
    ctx: RequestContext,
  ): Promise<JsonResponse<unknown> | RawResponse>;
}

// biome-ignore lint/suspicious/noExplicitAny: a heterogeneous list of routes
export type AnyRoute = RouteDef<any, any, any, Method, string, Responses>;

export function defineRoute<
  B extends $ZodType | undefined = undefined,
  Q extends $ZodType | undefined = undefined,
  P extends $ZodType | undefined = undefined,
  const M extends Method = Method,
  const Path extends string = string,
  const R extends Responses = Responses,
>(route: RouteDef<B, Q, P, M, Path, R>): RouteDef<B, Q, P, M, Path, R> {
  return route;
}

export function routeKey(route: { method: string; path: string }): string {
  return `${route.method} ${route.path}`;
}

export const ok = <T>(body: T, status = 200): JsonResponse<T> => ({ status, body });
export const created = <T>(body: T): JsonResponse<T> => ({ status: 201, body });
