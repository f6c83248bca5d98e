import * as z from 'zod/mini';
import { defineRoute, ok } from '../http/route.ts';
import openApi from './openapi.generated.json' with { type: 'json' };

/**
 * Health and the API description; public. The OpenAPI document is generated from the routes' zod
 * schemas at build time (`npm run generate`, run before every start, test, bench and synth), so this
 * Lambda carries a JSON file instead of every route group's code and schemas.
 */
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
    return ok(openApi);
  },
});
