import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../functions/core/roles.ts';
import type { AnyRoute } from '../../functions/http/route.ts';
import { allRoutes } from '../../functions/routes/index.ts';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../infra/local/local-auth.ts';
import { type Caller, startTestStack, type TestStack } from '../support/local-stack.ts';

/**
 * The authorisation matrix, generic over the route table: every route (including those added later)
 * × no token, bad tokens and each role. 401 comes from the gateway (the JWT authorizer); 403 from
 * the handler's role check, which runs before any validation, so placeholder params and bodies do.
 */
const ROLE_REFUSAL = '您的角色无权执行此操作';
/** Path parameters are filled with this id; cadres sign in as it, so "own record" checks pass. */
const DUMMY = 'AUTHZ-DUMMY-1';

const routes = allRoutes();
const guarded = routes.filter((r) => r.roles !== 'public');
const name = (r: AnyRoute) => `${r.method} ${r.path}`;
const pathOf = (r: AnyRoute) => r.path.replace(/\{[^}]+\}/g, DUMMY);

let t: TestStack;
const callers = new Map<Role, Caller>();

beforeAll(async () => {
  t = await startTestStack();
  // A township's staff need their township (claim custom:townshipId): without one the role does not count.
  for (const role of ROLES)
    callers.set(role, await t.as(role, DUMMY, role === 'township' ? { townshipId: DUMMY } : {}));
});
afterAll(async () => {
  await t.stop();
});

async function call(caller: Caller, route: AnyRoute, headers: Record<string, string> = {}) {
  return route.method === 'GET' || route.method === 'DELETE'
    ? caller.send(route.method, pathOf(route), undefined, headers)
    : caller.send(route.method, pathOf(route), '{}', { 'content-type': 'application/json', ...headers });
}

describe('the route table', () => {
  it('guards every route except the health check and the API document', () => {
    expect(
      routes
        .filter((r) => r.roles === 'public')
        .map(name)
        .sort(),
    ).toEqual(['GET /healthz', 'GET /openapi.json']);
  });

  it('has no local-only route in it (the CDK app is built from it)', () => {
    expect(routes.map((r) => r.path)).not.toContain('/local/token');
  });

  it('gives every guarded route at least one role', () => {
    for (const r of guarded) expect((r.roles as Role[]).length, name(r)).toBeGreaterThan(0);
  });

  it('opens the reads of township-kept records to township staff and county leaders (scoped per record)', () => {
    // Per-record checks for these: test/integration/roles-reach.test.ts.
    const reads = [
      'GET /photos/{id}',
      'GET /photos/{id}/thumbnail',
      'GET /inspections',
      'GET /inspections/{id}',
      'GET /visits',
      'GET /visits/summary',
      'GET /notices',
      'GET /notices/{id}/download',
      'GET /self-criticism-meetings',
      'GET /self-criticism-meetings/{id}',
      'GET /trainings',
      'GET /trainings/{id}',
      'GET /talks',
      'GET /talks/{id}',
      'GET /cadres/{id}/profile',
      'GET /assessments/{period}',
      'GET /assessments/{period}/export',
      'GET /settings/issuer',
    ];
    for (const read of reads) {
      const route = routes.find((r) => name(r) === read);
      expect(route, read).toBeDefined();
      expect(route?.roles, read).toEqual(expect.arrayContaining(['township', 'leader']));
    }
  });
});

describe('without a valid token', () => {
  it.each(guarded.map((r) => [name(r), r] as const))(
    '%s answers 401 without a token',
    async (_name, route) => {
      const res = await call(t.anonymous(), route);
      expect(res.status).toBe(401);
    },
  );

  it.each(guarded.map((r) => [name(r), r] as const))(
    '%s answers 401 for garbage and forged tokens',
    async (_name, route) => {
      const forged = await new SignJWT({ 'cognito:groups': ['admin'] })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject('intruder')
        .setIssuer(LOCAL_ISSUER)
        .setAudience(LOCAL_AUDIENCE)
        .setExpirationTime('1h')
        .sign(new TextEncoder().encode('not-the-local-signing-key-at-all!'));
      const [header, payload] = forged.split('.');
      const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const valid = await t.stack.token('someone', 'admin');
      for (const authorization of [
        'Bearer garbage',
        'Bearer ',
        `Basic ${Buffer.from('admin:admin').toString('base64')}`,
        valid, // without the Bearer scheme
        `Bearer ${forged}`,
        `Bearer ${unsigned}`,
        `Bearer ${header}.${payload}.${valid.split('.')[2]}`,
      ]) {
        const res = await call(t.anonymous(), route, { authorization });
        expect(res.status, authorization).toBe(401);
      }
    },
  );
});

describe('roles', () => {
  const matrix = guarded.flatMap((r) =>
    ROLES.map((role) => [name(r), role, (r.roles as Role[]).includes(role), r] as const),
  );

  it.each(matrix.filter(([, , allowed]) => !allowed))(
    '%s refuses %s (403)',
    async (_name, role, _allowed, route) => {
      const res = await call(callers.get(role)!, route);
      expect(res.status, JSON.stringify(res.body)).toBe(403);
      expect(res.body.error).toMatchObject({ code: 'FORBIDDEN', message: ROLE_REFUSAL });
    },
  );

  it.each(matrix.filter(([, , allowed]) => allowed))(
    '%s lets %s past the role check',
    async (_name, role, _allowed, route) => {
      const res = await call(callers.get(role)!, route);
      expect(res.status, JSON.stringify(res.body)).not.toBe(401);
      expect(res.status, JSON.stringify(res.body)).toBeLessThan(500);
      if (res.status === 403) expect(res.body.error.message).not.toBe(ROLE_REFUSAL);
    },
  );

  it('serves the public routes without a token', async () => {
    expect((await t.anonymous().get('/healthz')).status).toBe(200);
    expect((await t.anonymous().get('/openapi.json')).status).toBe(200);
  });
});
