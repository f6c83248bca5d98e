import type { $ZodType } from 'zod/v4/core';
import { registry, toJSONSchema } from 'zod/v4/core';
import { errorBody } from '../schemas/common.ts';
import type { AnyRoute, Responses } from './route.ts';

/**
 * The OpenAPI 3.1 document, generated from the routes' zod schemas (the one source of truth).
 *
 * Shared schemas are named components (`#/components/schemas/…`) referenced with `$ref`: every schema a
 * schema module exports is named after its export (`townshipPage` → `TownshipPage`), and a route's body
 * or response that no module exports is named after the operation (`PostJobsNameRunsBody`,
 * `GetHealthz200`). A schema reads differently as a request (zod's `input`: defaults optional, values
 * before transforms) than as a response (`output`); where the two differ the request side gets its own
 * component, `…Input`.
 */
type Json = Record<string, unknown>;

const REF_PREFIX = '#/components/schemas/';
const pascal = (name: string) => name.replace(/^[a-z]/, (c) => c.toUpperCase());

function operationId(route: AnyRoute): string {
  const path: string = route.path;
  return `${route.method.toLowerCase()}${path.replace(/[{}]/g, '').replace(/[/-](\w)/g, (_, c: string) => c.toUpperCase())}`;
}

const isSchema = (value: unknown): value is $ZodType =>
  typeof value === 'object' && value !== null && '_zod' in value;

/** Converts every schema of one side (request or response) with the named ones as components. */
function convert(
  entries: Array<[string, $ZodType]>,
  io: 'input' | 'output',
  refName: (id: string) => string,
): Record<string, Json> {
  const reg = registry<{ id: string }>();
  const seen = new Set<$ZodType>();
  for (const [id, schema] of entries) {
    if (seen.has(schema)) continue;
    seen.add(schema);
    reg.add(schema, { id });
  }
  const { schemas } = toJSONSchema(reg, {
    target: 'draft-2020-12',
    io,
    unrepresentable: 'any',
    uri: (id) => `${REF_PREFIX}${refName(id)}`,
  });
  const out: Record<string, Json> = {};
  for (const [id, json] of Object.entries(schemas as Record<string, Json>)) {
    const { $id: _id, $schema: _schema, ...rest } = json;
    out[id] = rest;
  }
  if (out.__shared) throw new Error('OpenAPI: a schema outside the components was extracted (a cycle?)');
  return out;
}

/** Replaces `$ref`s by `rename` through a JSON value. */
function renameRefs(value: unknown, rename: (ref: string) => string): unknown {
  if (Array.isArray(value)) return value.map((v) => renameRefs(v, rename));
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] = k === '$ref' && typeof v === 'string' ? rename(v) : renameRefs(v, rename);
    }
    return out;
  }
  return value;
}

function refsIn(value: unknown, into: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const v of value) refsIn(v, into);
  else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === '$ref' && typeof v === 'string' && v.startsWith(REF_PREFIX))
        into.add(v.slice(REF_PREFIX.length));
      else refsIn(v, into);
    }
  }
  return into;
}

/** `roots` and every component they refer to, directly or through other components. */
function reachable(roots: Set<string>, components: Record<string, Json>): Set<string> {
  const reached = new Set(roots);
  for (const pending = [...roots]; pending.length; ) {
    const id = pending.pop()!;
    const json = components[id];
    if (!json) throw new Error(`OpenAPI: $ref to unknown component ${id}`);
    for (const next of refsIn(json, new Set())) {
      if (!reached.has(next)) {
        reached.add(next);
        pending.push(next);
      }
    }
  }
  return reached;
}

/**
 * @param named every schema the schema modules export, by export name; the ones routes reach become
 *   components.
 */
export function openApiDocument(
  routes: AnyRoute[],
  info: { title: string; version: string },
  named: Record<string, unknown>,
) {
  const names = new Map<$ZodType, string>();
  for (const [name, value] of Object.entries(named)) {
    if (isSchema(value) && !names.has(value)) names.set(value, pascal(name));
  }
  const idOf = (schema: $ZodType, fallback: string) => names.get(schema) ?? fallback;

  // Named schemas first, so that a schema a module exports keeps its name wherever a route uses it.
  // Query and path parameters are converted as throwaway components (so that their properties can
  // refer to the named ones) and spread into `parameters` below.
  const outputs: Array<[string, $ZodType]> = [...names].map(([schema, name]) => [name, schema]);
  const inputs: Array<[string, $ZodType]> = [...outputs];
  outputs.push(['ErrorBody', errorBody]);
  for (const route of routes) {
    const op = pascal(operationId(route));
    if (route.body) inputs.push([idOf(route.body, `${op}Body`), route.body]);
    if (route.params) inputs.push([`__params_${op}`, route.params]);
    if (route.query) inputs.push([`__query_${op}`, route.query]);
    for (const [status, schema] of Object.entries(route.responses as Responses)) {
      if (isSchema(schema)) outputs.push([idOf(schema, `${op}${status}`), schema]);
    }
  }
  const firstIds = (entries: Array<[string, $ZodType]>) => {
    const ids = new Map<$ZodType, string>();
    for (const [id, schema] of entries) if (!ids.has(schema)) ids.set(schema, id);
    return ids;
  };
  const inputIds = firstIds(inputs);
  const outputIds = firstIds(outputs);

  // Response side: only the components the responses reach, so that a request-only schema keeps its
  // plain name on the request side.
  const allOutput = convert(outputs, 'output', (id) => id);
  const errorId = outputIds.get(errorBody)!;
  const responseIds = routes.flatMap((r) =>
    Object.values(r.responses as Responses)
      .filter(isSchema)
      .map((s) => outputIds.get(s)!),
  );
  responseIds.push(errorId);
  const output = Object.fromEntries(
    [...reachable(new Set(responseIds), allOutput)].map((id) => [id, allOutput[id]!]),
  );
  // The request side of a schema that is also a response component is `…Input` (or `…Request` when
  // an exported schema already has that name).
  const taken = new Set([...Object.keys(output), ...inputIds.values()]);
  const requestNames = new Map<string, string>();
  for (const id of inputIds.values()) {
    if (!(id in output)) continue;
    const name = [`${id}Input`, `${id}Request`].find((n) => !taken.has(n));
    if (!name) throw new Error(`OpenAPI: no free component name for the request side of ${id}`);
    requestNames.set(id, name);
  }
  const inputName = (id: string) => requestNames.get(id) ?? id;
  const requestIdOf = new Map([...requestNames].map(([id, name]) => [name, id]));
  const input = convert(inputs, 'input', inputName);

  // A request-side schema identical to its response-side namesake (once its own references are
  // folded the same way) is the same component: fold until nothing more folds.
  const folded = new Set<string>();
  const foldRef = (ref: string) => {
    const base = requestIdOf.get(ref.slice(REF_PREFIX.length));
    return base && folded.has(base) ? `${REF_PREFIX}${base}` : ref;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const id of Object.keys(input)) {
      if (!(id in output) || folded.has(id)) continue;
      if (JSON.stringify(renameRefs(input[id], foldRef)) === JSON.stringify(output[id])) {
        folded.add(id);
        changed = true;
      }
    }
  }
  const requestSide: Record<string, Json> = {};
  for (const [id, json] of Object.entries(input)) requestSide[id] = renameRefs(json, foldRef) as Json;
  const components: Record<string, Json> = { ...output };
  for (const [id, json] of Object.entries(requestSide)) {
    if (!id.startsWith('__') && !folded.has(id)) components[inputName(id)] = json;
  }
  const requestJson = (schema: $ZodType | undefined) =>
    schema ? requestSide[inputIds.get(schema)!] : undefined;
  const ref = (id: string) => ({ $ref: `${REF_PREFIX}${id}` });
  const requestRef = (schema: $ZodType) => {
    const id = inputIds.get(schema)!;
    return ref(folded.has(id) ? id : inputName(id));
  };

  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const responses: Record<string, unknown> = {};
    for (const [status, schema] of Object.entries(route.responses as Responses)) {
      responses[status] = !isSchema(schema)
        ? { description: schema.description }
        : {
            description: Number(status) < 400 ? '成功' : '错误',
            content: { 'application/json': { schema: ref(outputIds.get(schema)!) } },
          };
    }
    // 401 comes from the gateway's JWT authorizer (`{"message"}`, API Gateway's own shape); every
    // other answer the routes do not list is an error in the one error shape.
    if (route.roles !== 'public') {
      responses['401'] ??= { description: '未登录' };
      responses['403'] ??= { $ref: '#/components/responses/Forbidden' };
    }
    responses.default = { $ref: '#/components/responses/Error' };
    paths[route.path] ??= {};
    paths[route.path]![route.method.toLowerCase()] = {
      summary: route.summary,
      tags: route.tags,
      operationId: operationId(route),
      ...(route.roles === 'public' ? { security: [] } : { 'x-roles': route.roles }),
      parameters: parameters(route, requestJson(route.params), requestJson(route.query)),
      ...(route.body
        ? {
            requestBody: {
              required: !route.optionalBody,
              content: { 'application/json': { schema: requestRef(route.body) } },
            },
          }
        : {}),
      responses,
    };
  }

  // Only the components the paths reach (directly or through other components), in name order.
  const reached = reachable(refsIn(paths, new Set()), components);
  const schemas = Object.fromEntries([...reached].sort().map((id) => [id, components[id]!]));

  return {
    openapi: '3.1.0',
    info,
    components: {
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } },
      responses: {
        Forbidden: { description: '无权限', content: { 'application/json': { schema: ref(errorId) } } },
        Error: { description: '错误', content: { 'application/json': { schema: ref(errorId) } } },
      },
      parameters: {
        IdempotencyKey: {
          name: 'Idempotency-Key',
          in: 'header',
          required: false,
          description: '重试安全：同一调用者 24 小时内重复提交同一键，返回首次结果且不重复写入',
          schema: { type: 'string', minLength: 8, maxLength: 128 },
        },
        IfMatch: {
          name: 'If-Match',
          in: 'header',
          required: true,
          description:
            '乐观并发：读取记录时 ETag 头（或 version 字段）给出的版本，如 "3"（也接受 3、W/"3"）；缺少为 428，已被他人修改为 412',
          schema: { type: 'string', maxLength: 40 },
        },
      },
      schemas,
    },
    security: [{ bearer: [] }],
    paths,
  };
}

function parameters(route: AnyRoute, params: Json | undefined, query: Json | undefined): unknown[] {
  const out: unknown[] = [];
  for (const [location, json] of [
    ['path', params],
    ['query', query],
  ] as const) {
    if (!json) continue;
    const { properties = {}, required = [] } = json as { properties?: Json; required?: string[] };
    for (const [name, property] of Object.entries(properties)) {
      out.push({
        name,
        in: location,
        required: location === 'path' || required.includes(name),
        schema: property,
      });
    }
  }
  if (route.method !== 'GET' && route.roles !== 'public')
    out.push({ $ref: '#/components/parameters/IdempotencyKey' });
  if (route.ifMatch) out.push({ $ref: '#/components/parameters/IfMatch' });
  return out;
}

/** What the served document says about itself. */
export const OPENAPI_INFO = { title: '包村 Baocun API', version: '1' } as const;
