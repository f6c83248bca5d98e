import * as z from 'zod/mini';
import { defineRoute, ok } from '../http/route.ts';
import { OPENAPI_JSON } from './openapi-text.generated.ts';

/**
 * Health and the API description; public. The OpenAPI document is generated from the routes' zod
 * schemas at build time (`npm run generate`, run before every start, test, bench and synth), so this
 * Lambda carries the document instead of every route group's code and schemas. It comes as one
 * string (openapi-text.generated.ts), parsed on the first request: a bundled JSON import is an object
 * literal that every cold start compiles, the costliest part of this function (docs/deploy.md §9).
 */
let openApi: unknown;

export const healthRoute = defineRoute({
  method: 'GET',
  path: '/healthz',
  summary: '健康检查',
  tags: ['meta'],
  roles: 'public',
  responses: { 200: z.object({ status: z.literal('ok'), time: z.string() }) },
  async handle(_input, ctx) {
    return ok({ status: 'ok' as const, time: ctx.now.toISOString() });
  },
});

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  summary: 'OpenAPI 3.1 接口文档',
  tags: ['meta'],
  roles: 'public',
  responses: { 200: z.looseObject({ openapi: z.string() }) },
  async handle() {
    openApi ??= JSON.parse(OPENAPI_JSON);
    return ok(openApi);
  },
});
