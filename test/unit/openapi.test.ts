import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { routeKey } from '../../functions/http/route.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import { schemaModules } from '../../functions/schemas/index.ts';
import { generatedOpenApi, OPENAPI_FILE } from '../../infra/openapi.ts';

describe('the OpenAPI document', () => {
  it('served by the meta Lambda is the one the current schemas generate (`npm run generate` builds it)', () => {
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

  it('names shared schemas as components, and every $ref points at one that exists', () => {
    const doc = JSON.parse(generatedOpenApi());
    const refs = new Set<string>();
    const walk = (value: unknown): void => {
      if (Array.isArray(value)) value.forEach(walk);
      else if (value && typeof value === 'object')
        for (const [k, v] of Object.entries(value)) k === '$ref' ? refs.add(v as string) : walk(v);
    };
    walk(doc);
    expect(refs.size).toBeGreaterThan(50);
    for (const ref of refs) {
      expect(ref, ref).toMatch(/^#\/components\//);
      const target = ref
        .slice(2)
        .split('/')
        .reduce<unknown>((node, key) => (node as Record<string, unknown> | undefined)?.[key], doc);
      expect(target, `${ref} resolves`).toBeTypeOf('object');
    }
    // Every component is used, and names are what OpenAPI allows.
    for (const name of Object.keys(doc.components.schemas)) {
      expect(name).toMatch(/^[A-Za-z0-9._-]+$/);
      expect(refs.has(`#/components/schemas/${name}`), name).toBe(true);
    }
    expect(doc.paths['/townships/{id}'].get.responses['200'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/Township',
    });
    expect(doc.paths['/townships/{id}'].get.responses['404'].content['application/json'].schema).toEqual({
      $ref: '#/components/schemas/ErrorBody',
    });
  });

  it('takes its component names from every schema module', () => {
    const files = readdirSync(new URL('../../functions/schemas/', import.meta.url))
      .filter((f) => f.endsWith('.ts') && !['index.ts', 'locale.ts'].includes(f))
      .map((f) => f.replace(/\.ts$/, ''));
    expect(Object.keys(schemaModules).sort()).toEqual(files.sort());
  });
});
