import type { IncomingMessage } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseGroupsClaim } from '../../functions/core/roles.ts';
import type { ApiEvent, ApiResult } from '../../functions/http/api-handler.ts';
import { API_GATEWAY_TIMEOUT_MS, buildEvent, startGateway } from '../../infra/local/gateway.ts';
import { issueLocalToken, toGatewayClaims, verifyLocalToken } from '../../infra/local/local-auth.ts';

/**
 * The local gateway must hand handlers the same API Gateway HTTP API payload v2.0 event that AWS
 * does: these tests pin its shape, through real HTTP and through buildEvent directly.
 */
const CLAIMS = toGatewayClaims({
  sub: 'u-1',
  'cognito:groups': ['admin', 'inspector'],
  'custom:cadreId': 'C001',
  exp: 1_900_000_000,
  email_verified: true,
});

let gateway: { url: string; close(): Promise<void> };
const seen: ApiEvent[] = [];

const capture = async (event: ApiEvent): Promise<ApiResult> => {
  seen.push(event);
  return { statusCode: 200, headers: { 'content-type': 'application/json' }, body: '{"ok":true}' };
};

beforeAll(async () => {
  gateway = await startGateway({
    port: 0,
    routes: [
      { method: 'POST', path: '/things/{id}/notes', authorized: true, functionName: 'f', handler: capture },
      { method: 'GET', path: '/things/{id}', authorized: true, functionName: 'f', handler: capture },
      { method: 'GET', path: '/open', authorized: false, functionName: 'f', handler: capture },
    ],
    verifyToken: async (token) => (token === 'good' ? CLAIMS : undefined),
  });
});
afterAll(async () => {
  await gateway.close();
});

async function eventFor(path: string, init: RequestInit = {}): Promise<ApiEvent> {
  const before = seen.length;
  const res = await fetch(`${gateway.url}${path}`, {
    ...init,
    headers: { authorization: 'Bearer good', ...(init.headers as Record<string, string>) },
  });
  expect(res.status).toBe(200);
  expect(seen.length).toBe(before + 1);
  return seen[seen.length - 1]!;
}

describe('the v2.0 event', () => {
  it('carries the route key, raw path and raw query string', async () => {
    const event = await eventFor('/things/T1?limit=2&next=abc');
    expect(event.version).toBe('2.0');
    expect(event.routeKey).toBe('GET /things/{id}');
    expect(event.rawPath).toBe('/things/T1');
    expect(event.rawQueryString).toBe('limit=2&next=abc');
    expect(event.queryStringParameters).toEqual({ limit: '2', next: 'abc' });
    expect(event.requestContext.routeKey).toBe('GET /things/{id}');
    expect(event.requestContext.stage).toBe('$default');
  });

  it('decodes path parameters', async () => {
    const event = await eventFor('/things/%E6%A1%B6%E4%BA%95%20%E4%B9%A1');
    expect(event.pathParameters).toEqual({ id: '桶井 乡' });
    expect(event.rawPath).toBe('/things/%E6%A1%B6%E4%BA%95%20%E4%B9%A1');
  });

  it('joins a repeated query key with commas and decodes values', async () => {
    const event = await eventFor('/things/T1?kind=a&kind=b&kind=c&name=%E4%B9%A1');
    expect(event.queryStringParameters).toEqual({ kind: 'a,b,c', name: '乡' });
  });

  it('leaves queryStringParameters out when there is no query', async () => {
    const event = await eventFor('/things/T1');
    expect(event.queryStringParameters).toBeUndefined();
    expect(event.rawQueryString).toBe('');
  });

  it('lower-cases header names and moves cookies to their own array', async () => {
    const event = await eventFor('/things/T1', {
      headers: { 'X-Custom-Header': 'Value', Cookie: 'a=1; b=2' },
    });
    expect(event.headers['x-custom-header']).toBe('Value');
    expect(Object.keys(event.headers).every((h) => h === h.toLowerCase())).toBe(true);
    expect(event.cookies).toEqual(['a=1', 'b=2']);
    expect(event.headers.cookie).toBeUndefined();
  });

  it('fills requestContext.http with method, path, protocol, source IP and user agent', async () => {
    const event = await eventFor('/things/T1', { headers: { 'user-agent': 'vitest-agent' } });
    expect(event.requestContext.http).toEqual({
      method: 'GET',
      path: '/things/T1',
      protocol: 'HTTP/1.1',
      sourceIp: expect.stringMatching(/127\.0\.0\.1/),
      userAgent: 'vitest-agent',
    });
    expect(event.requestContext.requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(typeof event.requestContext.timeEpoch).toBe('number');
  });

  it('passes a JSON body as text, and a binary one base64-encoded', async () => {
    const text = await eventFor('/things/T1/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"note":"已整改"}',
    });
    expect(text.body).toBe('{"note":"已整改"}');
    expect(text.isBase64Encoded).toBe(false);

    const bytes = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]);
    const binary = await eventFor('/things/T1/notes', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: bytes,
    });
    expect(binary.isBase64Encoded).toBe(true);
    expect(Buffer.from(binary.body!, 'base64')).toEqual(bytes);

    const untyped = await eventFor('/things/T1/notes', { method: 'POST', body: bytes });
    expect(untyped.isBase64Encoded).toBe(true);
  });

  it('puts the authorizer claims in requestContext.authorizer.jwt.claims, every value a string', async () => {
    const event = await eventFor('/things/T1');
    const claims = event.requestContext.authorizer.jwt.claims;
    expect(claims).toEqual({
      sub: 'u-1',
      'cognito:groups': '[admin inspector]',
      'custom:cadreId': 'C001',
      exp: '1900000000',
      email_verified: 'true',
    });
    for (const value of Object.values(claims)) expect(typeof value).toBe('string');
    expect(event.requestContext.authorizer.jwt.scopes).toEqual([]);
  });

  it('answers 401 itself, before the function runs, without a valid bearer token', async () => {
    const before = seen.length;
    for (const authorization of [undefined, 'Bearer bad', 'good', 'Basic Z29vZA==']) {
      const res = await fetch(`${gateway.url}/things/T1`, {
        headers: authorization ? { authorization } : {},
      });
      expect(res.status).toBe(401);
    }
    expect(seen.length).toBe(before);
  });

  it('calls a public route without a token and without an authorizer context', async () => {
    const res = await fetch(`${gateway.url}/open`);
    expect(res.status).toBe(200);
    expect(seen[seen.length - 1]!.requestContext.authorizer).toBeUndefined();
  });

  it('answers 404 for a path no route matches', async () => {
    expect(
      (await fetch(`${gateway.url}/nowhere`, { headers: { authorization: 'Bearer good' } })).status,
    ).toBe(404);
  });
});

describe('buildEvent', () => {
  it('lower-cases header names and joins repeated values', () => {
    const req = {
      method: 'GET',
      httpVersion: '1.1',
      headers: { 'X-Request-Thing': 'A', Accept: ['text/html', 'application/json'], cookie: 'k=v' },
      socket: { remoteAddress: '10.0.0.1' },
    } as unknown as IncomingMessage;
    const route = {
      method: 'GET',
      path: '/things/{id}',
      authorized: true,
      functionName: 'f',
      handler: capture,
      pattern: /^\/things\/([^/]+)$/,
      names: ['id'],
      specificity: 2,
    };
    const url = new URL('http://localhost/things/a%2Fb?x=1&x=2');
    const match = route.pattern.exec(url.pathname)!;
    const event = buildEvent(req, url, route, match, Buffer.alloc(0), CLAIMS);
    // Like API Gateway, the gateway adds the scheme and client address it saw itself.
    expect(event.headers).toEqual({
      'x-request-thing': 'A',
      accept: 'text/html,application/json',
      'x-forwarded-proto': 'http',
      'x-forwarded-for': '10.0.0.1',
    });
    expect(event.cookies).toEqual(['k=v']);
    expect(event.pathParameters).toEqual({ id: 'a/b' });
    expect(event.queryStringParameters).toEqual({ x: '1,2' });
    expect(event.body).toBeUndefined();
    expect(event.isBase64Encoded).toBe(false);
    expect(event.requestContext.http.sourceIp).toBe('10.0.0.1');
  });
});

describe('toGatewayClaims', () => {
  it.each([
    ['a string', 'u-1', 'u-1'],
    ['a number', 1_900_000_000, '1900000000'],
    ['a boolean', false, 'false'],
    ['an array', ['admin', 'inspector'], '[admin inspector]'],
    ['a one-element array', ['cadre'], '[cadre]'],
    ['an empty array', [], '[]'],
    ['an object', { a: 1 }, '{"a":1}'],
  ])('renders %s the way API Gateway does', (_case, value, rendered) => {
    expect(toGatewayClaims({ claim: value })).toEqual({ claim: rendered });
  });

  it('renders groups in a form parseGroupsClaim reads back', () => {
    expect(parseGroupsClaim(toGatewayClaims({ g: ['admin', 'inspector'] }).g)).toEqual([
      'admin',
      'inspector',
    ]);
  });

  it('turns a locally issued token into string claims with groups and cadre id', async () => {
    const key = new Uint8Array(32).fill(7);
    const token = await issueLocalToken(key, { sub: 'C001', role: 'cadre', name: '杨强' });
    const claims = await verifyLocalToken(key, token);
    expect(claims).toMatchObject({
      sub: 'C001',
      'cognito:groups': '[cadre]',
      'custom:cadreId': 'C001',
      name: '杨强',
      token_use: 'id',
    });
    for (const value of Object.values(claims ?? {})) expect(typeof value).toBe('string');
    expect(await verifyLocalToken(new Uint8Array(32).fill(8), token)).toBeUndefined();
  });
});

describe('what a client says about the scheme, host and its address', () => {
  const route = {
    method: 'GET',
    path: '/open',
    authorized: false,
    functionName: 'f',
    handler: capture,
    pattern: /^\/open$/,
    names: [],
    specificity: 1,
  };
  const forged = {
    method: 'GET',
    httpVersion: '1.1',
    headers: {
      host: '127.0.0.1:3000',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      'x-forwarded-for': '198.51.100.9',
    },
    socket: { remoteAddress: '::ffff:192.168.1.30' },
  } as unknown as IncomingMessage;
  const url = new URL('http://localhost/open');

  it('is ignored by default: the listener decides (a LAN page over http is http)', () => {
    const event = buildEvent(forged, url, route, route.pattern.exec('/open')!, Buffer.alloc(0), undefined, {
      scheme: 'http',
    });
    expect(event.headers['x-forwarded-proto']).toBe('http');
    expect(event.headers.host).toBe('127.0.0.1:3000');
    expect(event.headers['x-forwarded-host']).toBeUndefined();
    expect(event.requestContext.http.sourceIp).toBe('192.168.1.30');
    const https = buildEvent(forged, url, route, route.pattern.exec('/open')!, Buffer.alloc(0), undefined, {
      scheme: 'https',
    });
    expect(https.headers['x-forwarded-proto']).toBe('https');
  });

  it('is honoured behind a trusted proxy (TRUST_PROXY=1), with the address the proxy appended', () => {
    const req = {
      ...forged,
      headers: { ...forged.headers, 'x-forwarded-for': '203.0.113.1, 10.0.0.7' },
    } as unknown as IncomingMessage;
    const event = buildEvent(req, url, route, route.pattern.exec('/open')!, Buffer.alloc(0), undefined, {
      scheme: 'http',
      trustProxy: true,
    });
    expect(event.headers['x-forwarded-proto']).toBe('https');
    expect(event.headers.host).toBe('evil.example');
    expect(event.requestContext.domainName).toBe('evil.example');
    expect(event.requestContext.http.sourceIp).toBe('10.0.0.7');
  });
});

describe('the time limit', () => {
  it('is API Gateway’s 29 s for every route, the jobs routes included (jobs run in the background)', async () => {
    const remaining: number[] = [];
    const timed = await startGateway({
      port: 0,
      routes: ['/jobs/{name}', '/things/{id}'].map((path) => ({
        method: 'POST',
        path,
        authorized: false,
        functionName: 'f',
        handler: async (_event: ApiEvent, context: { getRemainingTimeInMillis(): number }) => {
          remaining.push(context.getRemainingTimeInMillis());
          return { statusCode: 202, body: '' };
        },
      })),
      verifyToken: async () => undefined,
    });
    try {
      for (const path of ['/jobs/daily-sweep', '/things/T1']) {
        expect((await fetch(`${timed.url}${path}`, { method: 'POST' })).status).toBe(202);
      }
    } finally {
      await timed.close();
    }
    expect(API_GATEWAY_TIMEOUT_MS).toBe(29_000);
    expect(remaining).toHaveLength(2);
    for (const ms of remaining) {
      expect(ms).toBeLessThanOrEqual(29_000);
      expect(ms).toBeGreaterThan(28_000);
    }
  });
});
