import { spawnSync } from 'node:child_process';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import type { $ZodType } from 'zod/v4/core';
import { allRoutes } from '../../functions/routes/index.ts';
import { schemaModules } from '../../functions/schemas/index.ts';

/**
 * Schemas are declared `z.lazy(() => …)` (functions/schemas/common.ts, `built`): a response schema is
 * never read by a Lambda and a request schema only by its own route, so each is built on first use
 * (the route's first request, the OpenAPI generator, the tests' response checks) instead of every
 * schema of every module a function imports at each cold start (docs/deploy.md §9).
 */
const ROOT = resolve(import.meta.dirname, '../..');
const isSchema = (value: unknown): value is $ZodType =>
  typeof value === 'object' && value !== null && '_zod' in value;
const isLazy = (schema: $ZodType) => schema._zod.def.type === 'lazy';

/** Every schema reachable from `roots` (through objects, arrays, wrappers, lazies, refinements). */
function reachable(roots: unknown[]): Set<$ZodType> {
  const seen = new Set<$ZodType>();
  const walk = (value: unknown): void => {
    if (isSchema(value)) {
      if (seen.has(value)) return;
      seen.add(value);
      walk(Object.values(value._zod.def));
      if (isLazy(value)) walk((value._zod as unknown as { innerType: unknown }).innerType);
      walk(value._zod.parent);
    } else if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype)
      Object.values(value).forEach(walk);
  };
  roots.forEach(walk);
  return seen;
}

function exportedSchemas(): Array<[string, $ZodType]> {
  return Object.entries(schemaModules).flatMap(([file, module]) =>
    Object.entries(module)
      .filter((entry): entry is [string, $ZodType] => isSchema(entry[1]))
      .map(([name, schema]) => [`schemas/${file}.ts ${name}`, schema] as [string, $ZodType]),
  );
}

/** Composite schemas (objects, unions, arrays…) cost the most to build; fields (strings, enums, the text pipes) are cheap. */
const COMPOSITE = new Set(['object', 'union', 'array', 'record', 'intersection']);

describe('schemas are built on first use', () => {
  it('every exported composite schema, request or response, is declared lazily', () => {
    const routes = allRoutes();
    const requests = reachable(routes.flatMap((r) => [r.body, r.query, r.params]));
    const responses = reachable(routes.flatMap((r) => Object.values(r.responses)));
    const eager = exportedSchemas()
      .filter(([, s]) => (requests.has(s) || responses.has(s)) && COMPOSITE.has(s._zod.def.type))
      .map(([name]) => name);
    expect(eager).toEqual([]);
    // Both sides are covered: lazies that requests read and lazies that only answers read.
    const lazies = exportedSchemas().filter(([, s]) => isLazy(s));
    expect(lazies.filter(([, s]) => requests.has(s)).length).toBeGreaterThan(100);
    expect(lazies.filter(([, s]) => responses.has(s) && !requests.has(s)).length).toBeGreaterThan(100);
  });

  it('a route still validates through a lazy request schema (field messages at the field)', () => {
    const route = allRoutes().find((r) => r.method === 'POST' && r.path === '/townships')!;
    expect(isLazy(route.body)).toBe(true);
    const result = route.body.safeParse({ id: 'ok-id' });
    expect(result.success).toBe(false);
    expect(result.error.issues.map((i: { path: unknown[] }) => i.path.join('.'))).toContain('name');
  });

  it('are not built when the routes load (a Lambda cold start), only when something reads them', () => {
    // A fresh process: in this one the tests' response checks may have built them already.
    const url = (path: string) => pathToFileURL(resolve(ROOT, path)).href;
    const script = `
      const { routeGroups } = await import(${JSON.stringify(url('functions/routes/index.ts'))});
      const { schemaModules } = await import(${JSON.stringify(url('functions/schemas/index.ts'))});
      const lazies = Object.entries(schemaModules).flatMap(([file, m]) =>
        Object.entries(m).filter(([, v]) => v?._zod?.def?.type === 'lazy').map(([n, v]) => [file + '.ts ' + n, v]));
      const built = () => lazies.filter(([, v]) => v._zod.def._cachedInner !== undefined).map(([n]) => n);
      const atLoad = built();
      // Reading one (as the OpenAPI generator does) builds it and what it refers to.
      const bulletin = lazies.find(([n]) => n === 'bulletins.ts bulletinDetail')[1];
      const parsed = bulletin.safeParse({});
      process.stdout.write(JSON.stringify({ groups: routeGroups.length, lazies: lazies.length, atLoad, afterRead: built(), parsed: parsed.success }));
    `;
    const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: ROOT,
      encoding: 'utf8',
    });
    expect(child.status, child.stderr).toBe(0);
    const result = JSON.parse(child.stdout) as {
      groups: number;
      lazies: number;
      atLoad: string[];
      afterRead: string[];
      parsed: boolean;
    };
    expect(result.groups).toBeGreaterThan(20);
    expect(result.lazies).toBeGreaterThan(100);
    expect(result.atLoad).toEqual([]);
    expect(result.parsed).toBe(false);
    expect(result.afterRead).toEqual(
      expect.arrayContaining(['bulletins.ts bulletinDetail', 'bulletins.ts bulletinSummary']),
    );
  });
});
