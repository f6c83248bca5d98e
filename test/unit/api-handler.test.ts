import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import { resetConfig } from '../../functions/config.ts';
import type { AuditRecord } from '../../functions/core/audit.ts';
import type {
  ClaimResult,
  IdempotencyRecord,
  IdempotencyStore,
  StoredResponse,
} from '../../functions/core/idempotency.ts';
import { ConflictError } from '../../functions/errors.ts';
import { type ApiEvent, type ApiResult, createApiHandler } from '../../functions/http/api-handler.ts';
import { type AnyRoute, created, defineRoute, ok } from '../../functions/http/route.ts';

/**
 * The handler's middleware chain with its ports in memory: no table, no gateway. The HTTP suites
 * (test/integration/idempotency.test.ts, hardening.test.ts, bad-input.test.ts) run the same chain
 * against DynamoDB; these pin the order of the steps and what each port sees.
 */
class MemoryIdempotencyStore implements IdempotencyStore {
  readonly records = new Map<string, IdempotencyRecord>();
  failComplete = false;
  private seq = 0;

  async claim(
    sub: string,
    key: string,
    fingerprint: string,
    routeKey: string,
    now: Date,
  ): Promise<ClaimResult> {
    const existing = this.records.get(`${sub}#${key}`);
    if (existing) return { kind: 'existing', record: structuredClone(existing) };
    const token = `t${++this.seq}`;
    this.records.set(`${sub}#${key}`, {
      status: 'in_progress',
      fingerprint,
      routeKey,
      token,
      leaseUntil: now.getTime() + 30_000,
      expiresAt: Math.floor(now.getTime() / 1000) + 86_400,
    });
    return { kind: 'claimed', token, fresh: true };
  }
  async takeOverExpiredLease(): Promise<string | undefined> {
    return undefined;
  }
  async complete(sub: string, key: string, token: string, response: StoredResponse): Promise<void> {
    if (this.failComplete) throw new Error('store down');
    const record = this.records.get(`${sub}#${key}`);
    if (record?.token !== token) throw new Error('claim lost');
    Object.assign(record, { status: 'completed', response });
  }
  async release(sub: string, key: string, token: string): Promise<void> {
    if (this.records.get(`${sub}#${key}`)?.token === token) this.records.delete(`${sub}#${key}`);
  }
  async read(sub: string, key: string): Promise<IdempotencyRecord | undefined> {
    return this.records.get(`${sub}#${key}`);
  }
}

const ran: string[] = [];
const routes: AnyRoute[] = [
  defineRoute({
    method: 'POST',
    path: '/things',
    summary: 'create',
    tags: [],
    roles: ['admin'],
    body: z.strictObject({ name: z.string().check(z.minLength(1)) }),
    query: z.object({ dryRun: z.optional(z.enum(['yes'])) }),
    responses: {},
    async handle({ body }, ctx) {
      ran.push(`create ${body.name} first=${ctx.firstAttempt} key=${ctx.idempotencyKey}`);
      await ctx.audit({ entityType: 'thing', entityId: body.name, action: 'create' });
      if (body.name === 'taken') throw new ConflictError('TAKEN', '已存在');
      if (body.name === 'boom') throw new Error('table credentials expired at 10.0.0.7');
      return created({ name: body.name });
    },
  }),
  defineRoute({
    method: 'POST',
    path: '/secrets',
    summary: 'secret',
    tags: [],
    roles: ['admin'],
    secret: true,
    responses: {},
    async handle(_input, ctx) {
      ran.push(`secret key=${ctx.idempotencyKey}`);
      return created({ password: 'initial' });
    },
  }),
  defineRoute({
    method: 'GET',
    path: '/health',
    summary: 'health',
    tags: [],
    roles: 'public',
    responses: {},
    async handle(_input, ctx) {
      ran.push(`health ${ctx.actor.sub}`);
      return ok({ ok: true });
    },
  }),
];

const audits: AuditRecord[] = [];
let store: MemoryIdempotencyStore;
let api: ReturnType<typeof createApiHandler>;
let seq = 0;

function event(
  routeKey: string,
  init: { body?: unknown; key?: string; roles?: string; query?: Record<string, string> } = {},
): ApiEvent {
  const [method = '', path = ''] = routeKey.split(' ');
  const requestId = `req-${++seq}`;
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: '',
    headers: init.key ? { 'Idempotency-Key': init.key } : {},
    ...(init.query ? { queryStringParameters: init.query } : {}),
    ...(init.body === undefined
      ? {}
      : { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) }),
    isBase64Encoded: false,
    requestContext: {
      accountId: 'unit',
      apiId: 'unit',
      domainName: 'localhost',
      domainPrefix: 'localhost',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'unit' },
      requestId,
      routeKey,
      stage: '$default',
      time: '',
      timeEpoch: 0,
      // No roles: no verified token, so no subject either.
      authorizer: {
        principalId: '',
        integrationLatency: 0,
        jwt: {
          claims: init.roles === undefined ? {} : { sub: 'u1', 'cognito:groups': init.roles },
          scopes: [],
        },
      },
    },
  };
}

const json = (result: ApiResult) => JSON.parse(result.body ?? '') as Record<string, unknown>;
const header = (result: ApiResult, name: string) => result.headers?.[name];

beforeAll(() => {
  process.env.TABLE_NAME = 'unit';
  process.env.LOG_SILENT = '1';
  resetConfig();
});
afterAll(() => {
  resetConfig();
});
beforeEach(() => {
  ran.length = 0;
  audits.length = 0;
  store = new MemoryIdempotencyStore();
  api = createApiHandler(routes, {
    idempotency: store,
    audit: async (record) => {
      audits.push(record);
    },
    clock: () => new Date('2026-03-02T01:00:00Z'),
  });
});

describe('the API handler', () => {
  it('runs the use case with the actor, and writes the audit record through the audit port', async () => {
    const result = await api(event('POST /things', { roles: '[admin]', body: { name: 'a' } }));

    expect(result.statusCode).toBe(201);
    expect(json(result)).toEqual({ name: 'a' });
    expect(header(result, 'x-request-id')).toBe(`req-${seq}`);
    expect(ran).toEqual(['create a first=true key=undefined']);
    expect(audits).toEqual([
      {
        entityType: 'thing',
        entityId: 'a',
        action: 'create',
        at: '2026-03-02T01:00:00.000Z',
        actor: 'u1',
        roles: ['admin'],
        routeKey: 'POST /things',
        requestId: `req-${seq}`,
      },
    ]);
  });

  it.each([
    ['an unknown route', event('GET /nowhere', { roles: '[admin]' }), 404, 'NOT_FOUND'],
    ['no token, even with a broken body', event('POST /things', { body: '{' }), 401, 'UNAUTHORIZED'],
    ['the wrong role', event('POST /things', { roles: '[cadre]', body: '{' }), 403, 'FORBIDDEN'],
    ['a body that is not JSON', event('POST /things', { roles: '[admin]', body: '{' }), 400, 'INVALID_JSON'],
    ['no body', event('POST /things', { roles: '[admin]' }), 400, 'EMPTY_BODY'],
    [
      'a body the schema refuses',
      event('POST /things', { roles: '[admin]', body: { name: '' } }),
      400,
      'VALIDATION_FAILED',
    ],
    [
      'a malformed key after an otherwise valid request',
      event('POST /things', { roles: '[admin]', body: { name: 'a' }, key: 'short' }),
      400,
      'INVALID_IDEMPOTENCY_KEY',
    ],
  ])('refuses %s before the use case runs', async (_what, input, status, code) => {
    const result = await api(input);

    expect(result.statusCode).toBe(status);
    expect(json(result)).toMatchObject({ error: { code }, requestId: input.requestContext.requestId });
    expect(ran).toEqual([]);
    expect(store.records.size).toBe(0);
  });

  it('answers a repeat with the first answer, marked as replayed, and runs the use case once', async () => {
    const first = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'a' }, key: 'key-00001' }),
    );
    const again = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'a' }, key: 'key-00001' }),
    );

    expect(ran).toEqual(['create a first=true key=key-00001']);
    expect(audits).toHaveLength(1);
    expect([again.statusCode, again.body]).toEqual([first.statusCode, first.body]);
    expect(header(first, 'idempotent-replayed')).toBeUndefined();
    expect(header(again, 'idempotent-replayed')).toBe('true');
    // Each answer names its own request.
    expect(header(again, 'x-request-id')).toBe(`req-${seq}`);
    expect(header(first, 'x-request-id')).toBe(`req-${seq - 1}`);
  });

  it('keeps a refusal the use case throws and replays it', async () => {
    const first = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'taken' }, key: 'key-00002' }),
    );
    const again = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'taken' }, key: 'key-00002' }),
    );

    expect(first.statusCode).toBe(409);
    expect(json(first)).toMatchObject({ error: { code: 'TAKEN', message: '已存在' } });
    expect([again.statusCode, again.body]).toEqual([first.statusCode, first.body]);
    expect(header(again, 'idempotent-replayed')).toBe('true');
    expect(ran).toHaveLength(1);
  });

  it('answers a failure with the fallback message only, and releases the key so a retry runs again', async () => {
    const first = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'boom' }, key: 'key-00003' }),
    );

    expect(first.statusCode).toBe(500);
    expect(json(first)).toEqual({
      error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' },
      requestId: `req-${seq}`,
    });
    expect(first.body).not.toContain('10.0.0.7');
    expect(store.records.size).toBe(0);

    const retry = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'boom' }, key: 'key-00003' }),
    );
    expect(retry.statusCode).toBe(500);
    expect(ran).toHaveLength(2);
  });

  it('refuses the same key with a different request (422) without running it', async () => {
    await api(event('POST /things', { roles: '[admin]', body: { name: 'a' }, key: 'key-00004' }));
    const other = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'b' }, key: 'key-00004' }),
    );

    expect(other.statusCode).toBe(422);
    expect(ran).toEqual(['create a first=true key=key-00004']);
  });

  it('still answers a refusal when keeping it for replays fails', async () => {
    store.failComplete = true;
    const result = await api(
      event('POST /things', { roles: '[admin]', body: { name: 'taken' }, key: 'key-00005' }),
    );

    expect(result.statusCode).toBe(409);
  });

  it('ignores the key on a route whose answer carries a secret, so the answer is never stored', async () => {
    await api(event('POST /secrets', { roles: '[admin]', key: 'key-00006' }));
    const again = await api(event('POST /secrets', { roles: '[admin]', key: 'key-00006' }));

    expect(again.statusCode).toBe(201);
    expect(header(again, 'idempotent-replayed')).toBeUndefined();
    expect(ran).toEqual(['secret key=undefined', 'secret key=undefined']);
    expect(store.records.size).toBe(0);
  });

  it('runs a public route as the anonymous actor, and keeps concurrent requests on one context apart', async () => {
    const shared = { awsRequestId: 'shared' };
    const results = await Promise.all(
      Array.from({ length: 5 }, () => {
        const input = event('GET /health');
        return api(input, shared).then((r) => [header(r, 'x-request-id'), input.requestContext.requestId]);
      }),
    );

    for (const [answered, sent] of results) expect(answered).toBe(sent);
    expect(ran).toEqual(Array(5).fill('health anonymous'));
  });
});
