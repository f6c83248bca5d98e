import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/http/route.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import { generatedOpenApi, OPENAPI_FILE } from '../../infra/openapi.ts';

describe('the OpenAPI document', () => {
  it('served by the meta Lambda is the one the current schemas generate (run `npm run openapi` if not)', () => {
    expect(readFileSync(OPENAPI_FILE, 'utf8')).toBe(generatedOpenApi());
  });

  it('is OpenAPI 3.1 and describes every route with its roles and request schema', () => {
    const doc = JSON.parse(generatedOpenApi());
    expect(doc.openapi).toBe('3.1.0');
    for (const route of allRoutes()) {
      const operation = doc.paths[route.path]?.[route.method.toLowerCase()];
      expect(operation, routeKey(route)).toBeDefined();
      if (route.body) expect(operation.requestBody.content['application/json'].schema).toBeTypeOf('object');
      if (route.roles !== 'public') expect(operation['x-roles']).toEqual(route.roles);
    }
  });
});
