import * as z from 'zod/mini';
import { defineRoute, ok } from '../http/route.ts';

/** Health and the API description; public. The OpenAPI route is added by routes/index.ts. */
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
