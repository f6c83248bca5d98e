import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent, ApiResult } from '../../functions/http/api-handler.ts';
import type { AuthProvider } from '../../functions/web/auth/provider.ts';
import { createWebHandler } from '../../functions/web/handler.ts';
import { webPages } from '../../functions/web/pages/index.ts';
import { startGateway } from '../../infra/local/gateway.ts';

/**
 * A path that is not valid percent-encoding (`%E0%A4%A`, a bare `%`) is a 400, never a 500: refused
 * by the local gateway before any handler runs, and by the pages' handler itself should one reach it
 * (API Gateway is not the only way in: the handler is a plain function).
 */
describe('the local gateway', () => {
  const calls: ApiEvent[] = [];
  let gateway: { url: string; close(): Promise<void> };
  beforeAll(async () => {
    gateway = await startGateway({
      port: 0,
      routes: [
        {
          method: 'GET',
          path: '/things/{id}',
          authorized: false,
          functionName: 'f',
          handler: async (event): Promise<ApiResult> => {
            calls.push(event);
            return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{}' };
          },
        },
      ],
      verifyToken: async () => undefined,
    });
  });
  afterAll(async () => {
    await gateway.close();
  });

  it.each(['/things/%E0%A4%A', '/things/%', '/things/%ZZ', '/things/%C0%AF%'])(
    'answers GET %s with 400 Bad Request and never calls the handler',
    async (path) => {
      calls.length = 0;
      const res = await fetch(`${gateway.url}${path}`);
      expect(res.status).toBe(400);
      expect(await res.json()).toEqual({ message: 'Bad Request' });
      expect(calls).toEqual([]);
    },
  );

  it('still decodes a valid encoding for the handler', async () => {
    calls.length = 0;
    const res = await fetch(`${gateway.url}/things/%E6%9D%91-1`);
    expect(res.status).toBe(200);
    expect(calls[0]?.pathParameters).toEqual({ id: '村-1' });
  });
});

/** The body as text (the pages' handler answers base64 when it compressed or chose bytes). */
const text = (res: ApiResult) =>
  res.isBase64Encoded ? Buffer.from(res.body ?? '', 'base64').toString('utf8') : (res.body ?? '');

describe('the pages handler, called directly', () => {
  const noSession = { kind: 'local', verify: async () => undefined } as unknown as AuthProvider;
  const web = createWebHandler({
    pages: webPages,
    api: async () => {
      throw new Error('no API call expected');
    },
    auth: () => noSession,
  });
  const event = (rawPath: string, accept = 'text/html'): ApiEvent =>
    ({
      version: '2.0',
      routeKey: 'ANY /app/{proxy+}',
      rawPath,
      rawQueryString: '',
      headers: { host: 'localhost:3000', accept },
      requestContext: { http: { method: 'GET', path: rawPath }, requestId: 'r-1' },
      isBase64Encoded: false,
    }) as unknown as ApiEvent;

  it.each(['/app/static/%E0%A4%A', '/app/static/%', '/app/cadre/dispatches/%E0%A4%A'])(
    'answers %s with a 400 page',
    async (path) => {
      const res = await web(event(path));
      expect(res.statusCode).toBe(400);
      expect(text(res)).toContain('网址有误');
    },
  );

  it('answers a JSON caller with a JSON 400', async () => {
    const res = await web(event('/app/static/%E0%A4%A', 'application/json'));
    expect(res.statusCode).toBe(400);
    expect(JSON.parse(text(res))).toMatchObject({ ok: false, error: { code: 'BAD_PATH' } });
  });

  it.each(['__proto__', 'constructor', 'toString'])('answers /app/static/%s with 404', async (name) => {
    expect((await web(event(`/app/static/${name}`))).statusCode).toBe(404);
  });
});
