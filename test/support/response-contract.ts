import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import * as z from 'zod/mini';
import type { $ZodType } from 'zod/v4/core';
import { observeAnswers } from '../../functions/client/api-client.ts';
import { webApiRoutes } from '../../functions/client/api-routes.ts';
import { OPENAPI_INFO, openApiDocument } from '../../functions/http/openapi.ts';
import { type AnyRoute, routeKey } from '../../functions/http/route.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import { errorBody } from '../../functions/schemas/common.ts';
import { namedSchemas } from '../../functions/schemas/index.ts';
import { contractViolations } from './contract-violations.ts';

/**
 * Every JSON answer the integration tests receive is held against what the API declares for its route
 * and status: the route's zod schema (the contract in code) and the OpenAPI document generated from it
 * (the contract as published, which is stricter on one point: it closes objects, so a field a handler
 * adds without declaring it shows up here). A status the route does not list must be an error in the
 * one error shape. Answers of the gateway itself (`{"message"}`, as API Gateway gives them: unknown
 * path, missing token, body too large) and of paths that are no route (pages, sign-in) are not checked.
 */
export interface ObservedResponse {
  method: string;
  /** The request path, without the query string. */
  path: string;
  status: number;
  contentType: string | null | undefined;
  body: unknown;
}

export class ResponseContractError extends Error {
  override name = 'ResponseContractError';
}

interface Matcher {
  route: AnyRoute;
  pattern: RegExp;
  params: number;
}

let state:
  | {
      matchers: Matcher[];
      byKey: Map<string, AnyRoute>;
      doc: ReturnType<typeof openApiDocument>;
      ajv: Ajv2020;
    }
  | undefined;
const validators = new Map<string, ValidateFunction>();

function init() {
  if (state) return state;
  const byKey = new Map<string, AnyRoute>();
  for (const route of [...allRoutes(), ...webApiRoutes]) byKey.set(routeKey(route), route);
  const routes = [...byKey.values()];
  const matchers = routes
    .map((route) => ({
      route,
      pattern: new RegExp(`^${route.path.replace(/[.]/g, '\\.').replace(/\{\w+\}/g, '[^/]+')}$`),
      params: (route.path.match(/\{/g) ?? []).length,
    }))
    // A literal segment wins over a parameter (`/tasks/imports` before `/tasks/{id}`), as API Gateway does.
    .sort((a, b) => a.params - b.params);
  // The document over every route the API serves, the in-process-only ones included.
  const doc = openApiDocument(routes, OPENAPI_INFO, namedSchemas());
  // Formats are zod's to check (the zod pass below); ajv checks shapes, bounds and closed objects.
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: false });
  ajv.addSchema(doc, 'openapi.json');
  state = { matchers, byKey, doc, ajv };
  return state;
}

const isSchema = (value: unknown): value is $ZodType =>
  typeof value === 'object' && value !== null && '_zod' in value;

const isGatewayAnswer = (body: unknown) =>
  typeof body === 'object' &&
  body !== null &&
  Object.keys(body).length === 1 &&
  typeof (body as { message?: unknown }).message === 'string';

/** The route an answer belongs to, by method and path template. */
export function routeFor(method: string, path: string, key?: string): AnyRoute | undefined {
  const { matchers, byKey } = init();
  if (key) return byKey.get(key);
  return matchers.find((m) => m.route.method === method && m.pattern.test(path))?.route;
}

/** The JSON Schema pointer into the document for a route's answer at `status`, or undefined for none. */
function documentSchema(route: AnyRoute, status: number): ValidateFunction | undefined {
  const { doc, ajv } = init();
  const op = (doc.paths[route.path] as Record<string, { responses: Record<string, unknown> }>)[
    route.method.toLowerCase()
  ];
  let response = op?.responses[String(status)] ?? op?.responses.default;
  if (response && typeof response === 'object' && '$ref' in response)
    response = (doc.components.responses as Record<string, unknown>)[String(response.$ref).split('/').pop()!];
  const ref = (response as { content?: { 'application/json'?: { schema?: { $ref?: string } } } } | undefined)
    ?.content?.['application/json']?.schema?.$ref;
  if (!ref) return undefined;
  const key = `openapi.json${ref}`;
  let validate = validators.get(key);
  if (!validate) {
    validate = ajv.getSchema(key);
    if (!validate) throw new ResponseContractError(`the OpenAPI document has no schema at ${ref}`);
    validators.set(key, validate);
  }
  return validate;
}

/**
 * Throws ResponseContractError when a JSON answer does not match what its route declares for the
 * status. `key` names the route when the caller knows it (the pages' in-process client).
 */
export function checkResponse(observed: ObservedResponse, key?: string): void {
  const route = routeFor(observed.method, observed.path, key);
  if (route) checkAgainst(route, observed);
}

/** Checks an answer against one route's declared schemas (and, for a route of the API, the document). */
export function checkAgainst(route: AnyRoute, observed: ObservedResponse): void {
  if (!/json/.test(observed.contentType ?? '') || observed.body === undefined) return;
  const where = `${observed.method} ${observed.path} → ${observed.status} (route ${routeKey(route)})`;
  if (observed.status >= 400 && isGatewayAnswer(observed.body)) return;
  const declared = declaredSchema(route, observed.status);
  if (declared === undefined) {
    throw new ResponseContractError(
      `${where}: the route declares no JSON answer for status ${observed.status}; body ${preview(observed.body)}`,
    );
  }
  const parsed = z.safeParse(declared, observed.body);
  if (!parsed.success) {
    throw new ResponseContractError(
      `${where} does not match its declared zod schema:\n${z.prettifyError(parsed.error)}\nbody ${preview(observed.body)}`,
    );
  }
  if (init().byKey.get(routeKey(route)) !== route) return;
  const validate = documentSchema(route, observed.status);
  if (validate && !validate(observed.body)) {
    const problems = (validate.errors ?? [])
      .map((e) => `  ${e.instancePath || '/'} ${e.message}${e.params ? ` ${JSON.stringify(e.params)}` : ''}`)
      .join('\n');
    throw new ResponseContractError(
      `${where} does not match the OpenAPI document:\n${problems}\nbody ${preview(observed.body)}`,
    );
  }
}

/** The zod schema a route declares for a status; any error status it does not list is the error shape. */
function declaredSchema(route: AnyRoute, status: number): $ZodType | undefined {
  const declared = route.responses[status];
  if (isSchema(declared)) return declared;
  if (declared) return undefined;
  return status >= 400 ? errorBody : undefined;
}

function preview(body: unknown): string {
  const text = JSON.stringify(body);
  return text.length > 600 ? `${text.slice(0, 600)}…` : text;
}

/**
 * Holds the in-process calls (pages, background tasks) to the same contract as the HTTP ones. A
 * mismatch is kept, not thrown, so that the page still answers; contract-setup.ts fails the test.
 */
export function checkInProcessAnswers(): () => void {
  return observeAnswers((answer) => {
    try {
      checkResponse(answer, answer.routeKey);
    } catch (error) {
      contractViolations.push(error as Error);
    }
  });
}
