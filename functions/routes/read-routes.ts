import type { $ZodType, output } from 'zod/v4/core';
import type { Role } from '../core/roles.ts';
import { ForbiddenError, NotFoundError } from '../errors.ts';
import type { Actor } from '../http/auth.ts';
import { defineRoute, ok, type RequestContext, type RouteDef } from '../http/route.ts';
import { errorBody, idParams } from '../schemas/common.ts';

/**
 * The two read shapes most route groups repeat: a list (GET with a list query, one page back) and a
 * record by id (GET /…/{id}, 404 when absent). The factories fill in the method, the error responses
 * and the handler's plumbing; what differs (path, roles, schemas, the store call) stays at the call
 * site. Method, path and responses keep their literal types, so the in-process client still reads a
 * route's response type from its definition.
 */
type ErrorStatus = 400 | 403 | 404;
type Errors<E extends ErrorStatus> = { [S in E]: typeof errorBody };

interface ReadRoute<Path extends string> {
  path: Path;
  summary: string;
  tags: string[];
  roles: readonly Role[];
}

function errorResponses<E extends ErrorStatus>(errors: readonly E[]): Errors<E> {
  return Object.fromEntries(errors.map((status) => [status, errorBody])) as Errors<E>;
}

/** A list route: the query checked by its schema (400 otherwise), the page the store answers. */
export function listRoute<
  Q extends $ZodType,
  S extends $ZodType,
  const Path extends string,
  const E extends ErrorStatus = 400,
>(
  def: ReadRoute<Path> & {
    query: Q;
    page: S;
    /** Error statuses besides the page (default 400: a query the schema refuses). */
    errors?: readonly E[];
    list(query: output<Q>, ctx: RequestContext): Promise<output<S>>;
  },
): RouteDef<undefined, Q, undefined, 'GET', Path, { 200: S } & Errors<E>> {
  const { page, errors = [400 as E], list, ...route } = def;
  return defineRoute({
    ...route,
    method: 'GET',
    responses: { 200: page, ...errorResponses(errors) },
    async handle({ query }, ctx) {
      return ok(await list(query as output<Q>, ctx));
    },
  });
}

/** A record by its id: 404 with `notFound` when the store has none. */
export function detailRoute<S extends $ZodType, const Path extends string, const E extends ErrorStatus = 404>(
  def: ReadRoute<Path> & {
    record: S;
    /** Error statuses besides the record (default 404). */
    errors?: readonly E[];
    notFound: string;
    find(id: string, ctx: RequestContext): Promise<output<S> | undefined>;
    /** Per-record authorisation once the record is found (throws ForbiddenError). */
    check?(found: output<S>, ctx: RequestContext): void | Promise<void>;
    /** Response headers for the record (a versioned record's ETag). */
    headers?(found: output<S>): Record<string, string>;
  },
): RouteDef<undefined, undefined, typeof idParams, 'GET', Path, { 200: S } & Errors<E>> {
  const { record, errors = [404 as E], notFound, find, check, headers, ...route } = def;
  return defineRoute({
    ...route,
    method: 'GET',
    params: idParams,
    responses: { 200: record, ...errorResponses(errors) },
    async handle({ params }, ctx) {
      const found = await find(params.id, ctx);
      if (!found) throw new NotFoundError(notFound);
      await check?.(found, ctx);
      return headers ? { ...ok(found), headers: headers(found) } : ok(found);
    },
  });
}

/**
 * The cadre a list is read for: a reader who may see everyone's gets what they asked (anyone, or
 * no one); a cadre only themself, and themself when they name no one.
 */
export function listedCadre(
  actor: Actor,
  requested: string | undefined,
  mayReadAll: boolean,
  refusal: string,
): string | undefined {
  if (mayReadAll) return requested;
  if (requested !== undefined && requested !== actor.cadreId) throw new ForbiddenError(refusal);
  return actor.cadreId;
}
