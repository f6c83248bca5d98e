import type { $ZodType } from 'zod/v4/core';
import { toJSONSchema } from 'zod/v4/core';
import type { AnyRoute } from './route.ts';

/** The OpenAPI 3.1 document, generated from the routes' zod schemas (the one source of truth). */
function schemaOf(schema: $ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const json = toJSONSchema(schema, { target: 'draft-2020-12', io, unrepresentable: 'any' }) as Record<
    string,
    unknown
  >;
  delete json.$schema;
  return json;
}

function parameters(route: AnyRoute): unknown[] {
  const out: unknown[] = [];
  for (const [location, schema] of [
    ['path', route.params],
    ['query', route.query],
  ] as const) {
    if (!schema) continue;
    const json = schemaOf(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({
        name,
        in: location,
        required: location === 'path' || (json.required ?? []).includes(name),
        schema: property,
      });
    }
  }
  if (route.method !== 'GET' && route.roles !== 'public') {
    out.push({
      name: 'Idempotency-Key',
      in: 'header',
      required: false,
      description: '重试安全：同一调用者 24 小时内重复提交同一键，返回首次结果且不重复写入',
      schema: { type: 'string', minLength: 8, maxLength: 128 },
    });
  }
  return out;
}

export function openApiDocument(routes: AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.responses)) {
      responses[status] = !('_zod' in schema)
        ? { description: schema.description }
        : {
            description: Number(status) < 400 ? '成功' : '错误',
            content: { 'application/json': { schema: schemaOf(schema, 'output') } },
          };
    }
    if (route.roles !== 'public') {
      responses['401'] ??= { description: '未登录' };
      responses['403'] ??= { description: '无权限' };
    }
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      tags: route.tags,
      operationId: `${route.method.toLowerCase()}${route.path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`,
      ...(route.roles === 'public' ? { security: [] } : { 'x-roles': route.roles }),
      parameters: parameters(route),
      ...(route.body
        ? {
            requestBody: {
              required: !route.optionalBody,
              content: { 'application/json': { schema: schemaOf(route.body, 'input') } },
            },
          }
        : {}),
      responses,
    };
  }
  return {
    openapi: '3.1.0',
    info,
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
    security: [{ bearer: [] }],
    paths,
  };
}

/** What the served document says about itself. */
export const OPENAPI_INFO = { title: '包村 Baocun API', version: '1' } as const;
