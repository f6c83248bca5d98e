import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type CryptoKey, decodeJwt, exportJWK, generateKeyPair, type JWK, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dynamoApiPorts } from '../../functions/adapters/dynamo/api-ports.ts';
import { webApiRoutes } from '../../functions/client/api-routes.ts';
import { type ApiEvent, type ApiResult, createApiHandler } from '../../functions/http/api-handler.ts';
import { createWebHandler } from '../../functions/web/handler.ts';
import { webPages } from '../../functions/web/pages/index.ts';
import { startTestStack, type TestStack, uid } from '../support/local-stack.ts';

/**
 * The pages' Cognito sign-in, end to end but for the browser: the web handler exactly as the web
 * Lambda builds it (functions/api/web.ts), driven with API Gateway payload 2.0 events (cookies in
 * `event.cookies`, as API Gateway sends them), against a local HTTP server that plays the user pool's
 * managed login endpoints (authorize, token, revoke, logout) and its JWKS, with an RS256 key made here.
 * The JSON API the pages call in-process runs on the local stack's table.
 */
type Json = Record<string, any>;

const POOL_ID = 'cn-northwest-1_Tst0Pool1';
const CLIENT_ID = '5ue3example0client0id0web';
const API_HOST = 'a1b2c3d4e5.execute-api.cn-northwest-1.amazonaws.com.cn';
const ORIGIN = `https://${API_HOST}`;
const CALLBACK = `${ORIGIN}/app/auth/callback`;
const LOGOUT_TARGET = `${ORIGIN}/app/login`;
const KID = 'test-key-1';

interface PoolUser {
  sub: string;
  username: string;
  groups: string[];
  cadreId?: string;
  name?: string;
  email?: string;
}

interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  form: Record<string, string>;
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('base64url');

/** Cognito's hosted endpoints as the pages use them, with the checks Cognito makes on each. */
class FakeCognito {
  url = '';
  issuer = '';
  readonly requests: RecordedRequest[] = [];
  /** The person who completes the managed-login form when the browser reaches /oauth2/authorize. */
  signedIn: PoolUser | undefined;
  private server: Server | undefined;
  private privateKey!: CryptoKey;
  private jwk!: JWK;
  private readonly codes = new Map<
    string,
    { user: PoolUser; redirectUri: string; challenge: string; used: boolean }
  >();
  private readonly refreshTokens = new Map<string, { user: PoolUser; revoked: boolean }>();

  async start(): Promise<void> {
    const { privateKey, publicKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
    this.privateKey = privateKey;
    this.jwk = { ...(await exportJWK(publicKey)), kid: KID, alg: 'RS256', use: 'sig' };
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((error) => {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: 'server_error', message: String(error) }));
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    // Cognito's issuer is cognito-idp.<region>.amazonaws.com(.cn)/<pool id>; its JWKS sits under it.
    this.issuer = `${this.url}/${POOL_ID}`;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** An ID token as the pool issues it, with overrides for the tests of what is not a session. */
  async idToken(
    user: PoolUser,
    options: {
      expiresIn?: number;
      audience?: string;
      issuer?: string;
      tokenUse?: 'id' | 'access';
      key?: CryptoKey;
      kid?: string;
    } = {},
  ): Promise<string> {
    const now = Math.floor(Date.now() / 1000);
    const expiresIn = options.expiresIn ?? 3600;
    const claims: Json = {
      'cognito:groups': user.groups,
      'cognito:username': user.username,
      token_use: options.tokenUse ?? 'id',
      auth_time: now - 5,
      event_id: randomUUID(),
      origin_jti: randomUUID(),
      jti: randomUUID(),
    };
    if (user.cadreId) claims['custom:cadreId'] = user.cadreId;
    if (user.name) claims.name = user.name;
    if (user.email) {
      claims.email = user.email;
      claims.email_verified = true;
    }
    if (options.tokenUse === 'access') {
      claims.client_id = CLIENT_ID;
      claims.scope = 'openid email profile';
    }
    return new SignJWT(claims)
      .setProtectedHeader({ alg: 'RS256', kid: options.kid ?? KID })
      .setSubject(user.sub)
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? CLIENT_ID)
      .setIssuedAt(now - (expiresIn < 0 ? 3600 : 0))
      .setExpirationTime(now + expiresIn)
      .sign(options.key ?? this.privateKey);
  }

  /** A refresh token the pool would have handed out at an earlier sign-in. */
  issueRefreshToken(user: PoolUser): string {
    const token = `rt.${randomUUID()}.${randomUUID()}`;
    this.refreshTokens.set(token, { user, revoked: false });
    return token;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const form = Object.fromEntries(new URLSearchParams(body));
    this.requests.push({ method: req.method ?? '', path: url.pathname, headers: req.headers, form });
    const json = (status: number, payload: unknown) => {
      res.writeHead(status, {
        'content-type': 'application/json;charset=UTF-8',
        'cache-control': 'no-store',
      });
      res.end(JSON.stringify(payload));
    };
    const redirect = (location: string) => {
      res.writeHead(302, { location });
      res.end();
    };

    if (req.method === 'GET' && url.pathname.endsWith('/.well-known/jwks.json')) {
      return json(200, { keys: [this.jwk] });
    }

    if (req.method === 'GET' && url.pathname === '/oauth2/authorize') {
      const q = url.searchParams;
      const redirectUri = q.get('redirect_uri') ?? '';
      // Cognito shows an error page (no redirect) for an unknown client or an unregistered redirect URI.
      if (q.get('client_id') !== CLIENT_ID) return json(400, { error: 'invalid_client' });
      if (redirectUri !== CALLBACK) return json(400, { error: 'redirect_mismatch' });
      if (q.get('response_type') !== 'code') return json(400, { error: 'unauthorized_client' });
      const scopes = (q.get('scope') ?? '').split(' ');
      if (!scopes.includes('openid') || scopes.some((s) => !['openid', 'email', 'profile'].includes(s))) {
        return json(400, { error: 'invalid_scope' });
      }
      const challenge = q.get('code_challenge') ?? '';
      if (q.get('code_challenge_method') !== 'S256' || !/^[A-Za-z0-9_-]{43}$/.test(challenge)) {
        return json(400, { error: 'invalid_request' });
      }
      if (!this.signedIn) return json(400, { error: 'nobody is signing in' });
      const code = randomUUID();
      this.codes.set(code, { user: this.signedIn, redirectUri, challenge, used: false });
      const back = new URL(redirectUri);
      back.searchParams.set('code', code);
      const state = q.get('state');
      if (state !== null) back.searchParams.set('state', state);
      return redirect(back.toString());
    }

    if (req.method === 'POST' && url.pathname === '/oauth2/token') {
      if (!/^application\/x-www-form-urlencoded\b/.test(req.headers['content-type'] ?? '')) {
        return json(400, { error: 'invalid_request' });
      }
      // A public client: no secret, so no Authorization header and client_id in the body.
      if (req.headers.authorization || form.client_id !== CLIENT_ID)
        return json(400, { error: 'invalid_client' });
      if (form.grant_type === 'authorization_code') {
        const entry = this.codes.get(form.code ?? '');
        if (!entry || entry.used || entry.redirectUri !== form.redirect_uri) {
          return json(400, { error: 'invalid_grant' });
        }
        if (!form.code_verifier || sha256(form.code_verifier) !== entry.challenge) {
          return json(400, { error: 'invalid_grant' });
        }
        entry.used = true;
        return json(200, {
          id_token: await this.idToken(entry.user),
          access_token: await this.idToken(entry.user, { tokenUse: 'access' }),
          refresh_token: this.issueRefreshToken(entry.user),
          expires_in: 3600,
          token_type: 'Bearer',
        });
      }
      if (form.grant_type === 'refresh_token') {
        const entry = this.refreshTokens.get(form.refresh_token ?? '');
        if (!entry || entry.revoked) return json(400, { error: 'invalid_grant' });
        // Without refresh token rotation Cognito answers with new ID and access tokens only.
        return json(200, {
          id_token: await this.idToken(entry.user),
          access_token: await this.idToken(entry.user, { tokenUse: 'access' }),
          expires_in: 3600,
          token_type: 'Bearer',
        });
      }
      return json(400, { error: 'unsupported_grant_type' });
    }

    if (req.method === 'POST' && url.pathname === '/oauth2/revoke') {
      if (req.headers.authorization || form.client_id !== CLIENT_ID)
        return json(400, { error: 'invalid_client' });
      const entry = this.refreshTokens.get(form.token ?? '');
      if (entry) entry.revoked = true;
      res.writeHead(200);
      res.end();
      return;
    }

    if (req.method === 'GET' && url.pathname === '/logout') {
      const target = url.searchParams.get('logout_uri');
      if (url.searchParams.get('client_id') !== CLIENT_ID || target !== LOGOUT_TARGET) {
        return json(400, { error: 'invalid_request' });
      }
      return redirect(target);
    }

    json(404, { error: 'not_found' });
  }
}

/** A browser's cookie store, enough of it: names, values, paths, Max-Age=0 deletes. */
class CookieJar {
  private readonly cookies = new Map<string, { value: string; path: string }>();

  take(setCookies: readonly string[] | undefined): void {
    for (const line of setCookies ?? []) {
      const { name, value, attributes } = parseSetCookie(line);
      if (attributes['max-age'] === '0') this.cookies.delete(name);
      else this.cookies.set(name, { value, path: attributes.path ?? '/' });
    }
  }

  set(name: string, value: string, path = '/'): void {
    this.cookies.set(name, { value: encodeURIComponent(value), path });
  }

  delete(name: string): void {
    this.cookies.delete(name);
  }

  /** What a browser sends to this path (API Gateway passes it on as `event.cookies`). */
  for(path: string): string[] {
    return [...this.cookies.entries()]
      .filter(([, c]) => path === c.path || path.startsWith(c.path.endsWith('/') ? c.path : `${c.path}/`))
      .map(([name, c]) => `${name}=${c.value}`);
  }

  has(name: string): boolean {
    return this.cookies.has(name);
  }

  clone(): CookieJar {
    const copy = new CookieJar();
    for (const [name, c] of this.cookies) copy.cookies.set(name, { ...c });
    return copy;
  }
}

function parseSetCookie(line: string): { name: string; value: string; attributes: Record<string, string> } {
  const [pair = '', ...rest] = line.split(/;\s*/);
  const eq = pair.indexOf('=');
  const attributes: Record<string, string> = {};
  for (const part of rest) {
    const i = part.indexOf('=');
    attributes[(i < 0 ? part : part.slice(0, i)).toLowerCase()] = i < 0 ? '' : part.slice(i + 1);
  }
  return { name: pair.slice(0, eq), value: pair.slice(eq + 1), attributes };
}

function setCookie(result: ApiResult, name: string) {
  const line = (result.cookies ?? []).find((c) => c.startsWith(`${name}=`));
  return line ? parseSetCookie(line) : undefined;
}

/** An HTTP API payload 2.0 event for the web routes, as API Gateway builds it for a browser. */
function apiEvent(
  method: string,
  target: string,
  cookies: string[] = [],
  headers: Record<string, string> = {},
): ApiEvent {
  const url = new URL(target, ORIGIN);
  const path = url.pathname;
  const routeKey = path === '/' ? 'GET /' : path === '/app' ? 'ANY /app' : 'ANY /app/{proxy+}';
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const now = new Date();
  return {
    version: '2.0',
    routeKey,
    rawPath: path,
    rawQueryString: url.search.slice(1),
    // API Gateway takes the Cookie header out of `headers` and passes the cookies here.
    ...(cookies.length ? { cookies } : {}),
    headers: {
      host: API_HOST,
      'x-forwarded-proto': 'https',
      'x-forwarded-port': '443',
      'x-forwarded-for': '203.0.113.7',
      'user-agent': 'Mozilla/5.0 (vitest)',
      accept: 'text/html,application/xhtml+xml',
      ...headers,
    },
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    ...(routeKey === 'ANY /app/{proxy+}' ? { pathParameters: { proxy: path.slice('/app/'.length) } } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'a1b2c3d4e5',
      domainName: API_HOST,
      domainPrefix: 'a1b2c3d4e5',
      http: {
        method,
        path,
        protocol: 'HTTP/1.1',
        sourceIp: '203.0.113.7',
        userAgent: 'Mozilla/5.0 (vitest)',
      },
      requestId: randomUUID(),
      routeKey,
      stage: '$default',
      time: now.toUTCString(),
      timeEpoch: now.getTime(),
    },
    isBase64Encoded: false,
  } as unknown as ApiEvent;
}

const ENV_KEYS = ['COGNITO_DOMAIN', 'COGNITO_CLIENT_ID', 'COGNITO_ISSUER', 'COGNITO_JWKS_URL'] as const;

let stack: TestStack;
let cognito: FakeCognito;
let web: ReturnType<typeof createWebHandler>;
let cadre: PoolUser;
let admin: PoolUser;
const savedEnv: Partial<Record<(typeof ENV_KEYS)[number], string | undefined>> = {};

/** One request from the browser holding `jar`; the response's cookies land in the jar. */
async function browse(jar: CookieJar, target: string, headers: Record<string, string> = {}) {
  const path = new URL(target, ORIGIN).pathname;
  const result = await web(apiEvent('GET', target, jar.for(path), headers));
  jar.take(result.cookies);
  return result;
}

/** The page's HTML (the handler answers base64 when the body is bytes). */
function text(result: ApiResult): string {
  const body = result.body ?? '';
  return result.isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
}

function location(result: ApiResult): URL {
  const value = result.headers?.location;
  if (typeof value !== 'string') throw new Error(`no location (status ${result.statusCode})`);
  return new URL(value, ORIGIN);
}

/** The browser's trip through managed login: /app/login → Cognito → back with code and state. */
async function signInThroughCognito(jar: CookieJar, user: PoolUser, next?: string) {
  const login = await browse(jar, `/app/login${next ? `?next=${encodeURIComponent(next)}` : ''}`);
  expect(login.statusCode).toBe(302);
  const authorize = location(login);
  cognito.signedIn = user;
  const res = await fetch(authorize, { redirect: 'manual' });
  expect(res.status, await res.clone().text()).toBe(302);
  const callback = new URL(res.headers.get('location') ?? '');
  return { authorize, callback };
}

beforeAll(async () => {
  stack = await startTestStack();
  cognito = new FakeCognito();
  await cognito.start();
  for (const key of ENV_KEYS) savedEnv[key] = process.env[key];
  // What the stack gives the web Lambda (infra/constructs/web.ts), pointed at the fake.
  process.env.COGNITO_DOMAIN = cognito.url;
  process.env.COGNITO_CLIENT_ID = CLIENT_ID;
  process.env.COGNITO_ISSUER = cognito.issuer;
  delete process.env.COGNITO_JWKS_URL;
  web = createWebHandler({ pages: webPages, api: createApiHandler(webApiRoutes, dynamoApiPorts) });

  // A cadre on the roster, so the cadre's home page has someone to show.
  const hq = await stack.as('admin');
  const townshipId = uid('T');
  const cadreId = uid('C');
  expect((await hq.post('/townships', { id: townshipId, name: '云岭乡' })).status).toBe(201);
  expect(
    (
      await hq.post('/cadres', {
        id: cadreId,
        name: '周明',
        unit: '县农业农村局',
        rank: 'section',
        townshipId,
      })
    ).status,
  ).toBe(201);
  cadre = {
    sub: randomUUID(),
    username: 'zhouming',
    groups: ['cadre'],
    cadreId,
    name: '周明',
    email: 'zhouming@example.cn',
  };
  admin = { sub: randomUUID(), username: 'hq-admin', groups: ['admin'], name: '县指挥部管理员' };
});

afterAll(async () => {
  for (const key of ENV_KEYS) {
    if (savedEnv[key] === undefined) delete process.env[key];
    else process.env[key] = savedEnv[key];
  }
  await cognito?.stop();
  await stack?.stop();
});

describe('sign-in through Cognito managed login', () => {
  it('/app/login sends the browser to /oauth2/authorize with the code flow, PKCE (S256) and a state, in a short cookie', async () => {
    const jar = new CookieJar();
    const result = await browse(jar, '/app/login?next=%2Fapp%2Fcadre%2Fproblems');
    expect(result.statusCode).toBe(302);
    const url = location(result);
    expect(`${url.origin}${url.pathname}`).toBe(`${cognito.url}/oauth2/authorize`);
    const q = url.searchParams;
    expect(q.get('response_type')).toBe('code');
    expect(q.get('client_id')).toBe(CLIENT_ID);
    expect(q.get('redirect_uri')).toBe(CALLBACK);
    expect(q.get('scope')?.split(' ').sort()).toEqual(['email', 'openid', 'profile']);
    expect(q.get('code_challenge_method')).toBe('S256');
    expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    const state = q.get('state') ?? '';
    expect(state.length).toBeGreaterThanOrEqual(16);

    const cookie = setCookie(result, 'bc_login');
    expect(cookie).toBeDefined();
    expect(cookie!.attributes).toMatchObject({ path: '/app/auth', 'max-age': '600', samesite: 'Lax' });
    expect(cookie!.attributes).toHaveProperty('httponly');
    expect(cookie!.attributes).toHaveProperty('secure');
    const pending = JSON.parse(decodeURIComponent(cookie!.value));
    expect(pending.state).toBe(state);
    expect(pending.next).toBe('/app/cadre/problems');
    // The verifier stays in the cookie; only its S256 hash travels, and the state gives none of it away.
    expect(sha256(pending.verifier)).toBe(q.get('code_challenge'));
    expect(url.toString()).not.toContain(pending.verifier);
    expect(pending.verifier).not.toContain(state.slice(0, 8));

    // A second attempt gets a fresh state and verifier.
    const again = location(await browse(new CookieJar(), '/app/login'));
    expect(again.searchParams.get('state')).not.toBe(state);
    expect(again.searchParams.get('code_challenge')).not.toBe(q.get('code_challenge'));
  });

  it('the callback with the right state exchanges the code with the verifier, sets the session cookies and lands on the role’s home', async () => {
    const jar = new CookieJar();
    const { authorize, callback } = await signInThroughCognito(jar, cadre);
    expect(callback.origin + callback.pathname).toBe(CALLBACK);
    expect(callback.searchParams.get('state')).toBe(authorize.searchParams.get('state'));
    const before = cognito.requestsTo('/oauth2/token').length;

    const result = await browse(jar, callback.pathname + callback.search);
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/app/cadre');

    const tokenRequests = cognito.requestsTo('/oauth2/token').slice(before);
    expect(tokenRequests).toHaveLength(1);
    const [request] = tokenRequests as [RecordedRequest];
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBeUndefined();
    expect(Object.keys(request.form).sort()).toEqual(
      ['client_id', 'code', 'code_verifier', 'grant_type', 'redirect_uri'].sort(),
    );
    expect(request.form).toMatchObject({
      grant_type: 'authorization_code',
      client_id: CLIENT_ID,
      code: callback.searchParams.get('code'),
      redirect_uri: CALLBACK,
    });
    expect(sha256(request.form.code_verifier!)).toBe(authorize.searchParams.get('code_challenge'));

    const session = setCookie(result, 'bc_session');
    const refresh = setCookie(result, 'bc_refresh');
    expect(session?.attributes).toMatchObject({ path: '/', samesite: 'Lax', 'max-age': '3600' });
    expect(refresh?.attributes).toMatchObject({
      path: '/app',
      samesite: 'Lax',
      'max-age': String(30 * 86400),
    });
    for (const cookie of [session!, refresh!]) {
      expect(cookie.attributes).toHaveProperty('httponly');
      expect(cookie.attributes).toHaveProperty('secure');
    }
    expect(decodeJwt(decodeURIComponent(session!.value))).toMatchObject({
      sub: cadre.sub,
      aud: CLIENT_ID,
      token_use: 'id',
      'custom:cadreId': cadre.cadreId,
    });
    expect(setCookie(result, 'bc_login')?.attributes['max-age']).toBe('0');

    // The cookie is the session: the cadre's home opens, and /app/login now goes straight home.
    const home = await browse(jar, '/app/cadre');
    expect(home.statusCode, text(home).slice(0, 300)).toBe(200);
    expect(home.headers?.['content-type']).toMatch(/^text\/html/);
    expect(text(home)).toContain('周明');
    const login = await browse(jar, '/app/login');
    expect(login.statusCode).toBe(302);
    expect(login.headers?.location).toBe('/app/cadre');
  });

  it('lands on the page the person asked for (next), and an administrator on the admin home', async () => {
    const jar = new CookieJar();
    const { callback } = await signInThroughCognito(jar, cadre, '/app/cadre/problems');
    expect((await browse(jar, callback.pathname + callback.search)).headers?.location).toBe(
      '/app/cadre/problems',
    );

    const adminJar = new CookieJar();
    const admins = await signInThroughCognito(adminJar, admin, 'https://evil.example.com/app/admin');
    const result = await browse(adminJar, admins.callback.pathname + admins.callback.search);
    expect(result.statusCode).toBe(303);
    expect(result.headers?.location).toBe('/app/admin');
  });

  it('refuses a callback with a wrong or missing state, or without the login cookie, and never redeems the code', async () => {
    const before = cognito.requestsTo('/oauth2/token').length;
    const jar = new CookieJar();
    const { callback } = await signInThroughCognito(jar, cadre);
    const code = callback.searchParams.get('code')!;

    for (const query of [`?code=${code}&state=forged-state-value`, `?code=${code}`, '?error=access_denied']) {
      const result = await browse(jar.clone(), `/app/auth/callback${query}`);
      expect(result.statusCode, query).toBe(400);
      expect(text(result), query).toContain('LOGIN_FAILED');
      expect(setCookie(result, 'bc_session'), query).toBeUndefined();
    }
    const noCookie = await browse(new CookieJar(), callback.pathname + callback.search);
    expect(noCookie.statusCode).toBe(400);
    expect(setCookie(noCookie, 'bc_session')).toBeUndefined();
    expect(cognito.requestsTo('/oauth2/token').length).toBe(before);
  });

  it('answers a code that was already used (reload of the callback) with the sign-in-again page, not a server error', async () => {
    const jar = new CookieJar();
    const { callback } = await signInThroughCognito(jar, cadre);
    const replay = jar.clone();
    expect((await browse(jar, callback.pathname + callback.search)).statusCode).toBe(303);
    const again = await browse(replay, callback.pathname + callback.search);
    expect(again.statusCode).toBe(400);
    expect(text(again)).toContain('LOGIN_FAILED');
    expect(setCookie(again, 'bc_session')).toBeUndefined();
  });

  it('signs in nobody whose account has no role group', async () => {
    const jar = new CookieJar();
    const nobody: PoolUser = { sub: randomUUID(), username: 'new-user', groups: ['cadre-observers'] };
    const { callback } = await signInThroughCognito(jar, nobody);
    const result = await browse(jar, callback.pathname + callback.search);
    expect(result.statusCode).toBe(403);
    expect(text(result)).toContain('NO_ROLE');
    expect(setCookie(result, 'bc_session')).toBeUndefined();
    expect(jar.has('bc_refresh')).toBe(false);
  });
});

describe('sessions from Cognito tokens', () => {
  it('renews an expired ID token with the refresh token (refresh_token grant) and shows the page', async () => {
    const jar = new CookieJar();
    const refreshToken = cognito.issueRefreshToken(cadre);
    jar.set('bc_session', await cognito.idToken(cadre, { expiresIn: -120 }));
    jar.set('bc_refresh', refreshToken, '/app');
    const before = cognito.requestsTo('/oauth2/token').length;

    const result = await browse(jar, '/app/cadre');
    expect(result.statusCode, text(result).slice(0, 300)).toBe(200);
    expect(text(result)).toContain('周明');

    const requests = cognito.requestsTo('/oauth2/token').slice(before);
    expect(requests).toHaveLength(1);
    const [request] = requests as [RecordedRequest];
    expect(request.headers['content-type']).toMatch(/^application\/x-www-form-urlencoded/);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.form).toEqual({
      grant_type: 'refresh_token',
      client_id: CLIENT_ID,
      refresh_token: refreshToken,
    });

    const renewed = setCookie(result, 'bc_session');
    expect(renewed?.attributes).toMatchObject({ path: '/', samesite: 'Lax', 'max-age': '3600' });
    expect(renewed?.attributes).toHaveProperty('httponly');
    expect(renewed?.attributes).toHaveProperty('secure');
    const payload = decodeJwt(decodeURIComponent(renewed!.value));
    expect(payload.sub).toBe(cadre.sub);
    expect(payload.exp! * 1000).toBeGreaterThan(Date.now());
    // The refresh cookie stays as it was (Cognito sends no new refresh token without rotation).
    expect(setCookie(result, 'bc_refresh')).toBeUndefined();

    // The next page uses the renewed cookie without going back to Cognito.
    const next = await browse(jar, '/app/cadre');
    expect(next.statusCode).toBe(200);
    expect(cognito.requestsTo('/oauth2/token').length).toBe(before + 1);
  });

  it('renews when the browser has already dropped the expired session cookie and only the refresh cookie is left', async () => {
    const jar = new CookieJar();
    jar.set('bc_refresh', cognito.issueRefreshToken(cadre), '/app');
    const result = await browse(jar, '/app/cadre');
    expect(result.statusCode).toBe(200);
    expect(setCookie(result, 'bc_session')?.value).toBeTruthy();
  });

  it('sends the person to sign in when the refresh token is refused, and forgets both cookies', async () => {
    const jar = new CookieJar();
    jar.set('bc_session', await cognito.idToken(cadre, { expiresIn: -120 }));
    jar.set('bc_refresh', 'rt.not-issued-by-this-pool', '/app');
    const result = await browse(jar, '/app/cadre');
    expect(result.statusCode).toBe(302);
    expect(result.headers?.location).toBe('/app/login?next=%2Fapp%2Fcadre');
    expect(setCookie(result, 'bc_refresh')?.attributes).toMatchObject({ 'max-age': '0', path: '/app' });
    expect(setCookie(result, 'bc_session')?.attributes).toMatchObject({ 'max-age': '0', path: '/' });
  });

  it.each([
    [
      'signed by another key under the pool’s key id',
      async () => {
        const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
        return cognito.idToken(cadre, { key: privateKey });
      },
    ],
    [
      'signed by another key with an unknown key id',
      async () => {
        const { privateKey } = await generateKeyPair('RS256', { modulusLength: 2048 });
        return cognito.idToken(cadre, { key: privateKey, kid: 'someone-elses-key' });
      },
    ],
    ['for another app client (audience)', () => cognito.idToken(cadre, { audience: 'another-client-id' })],
    [
      'from another issuer',
      () => cognito.idToken(cadre, { issuer: `${cognito.url}/cn-northwest-1_OtherPool` }),
    ],
    [
      'an access token (token_use=access), even with our client as audience',
      () => cognito.idToken(cadre, { tokenUse: 'access' }),
    ],
  ])('does not take a token %s as a session', async (_label, make) => {
    const token = await make();
    const jar = new CookieJar();
    jar.set('bc_session', token);
    const page = await browse(jar, '/app/cadre');
    expect(page.statusCode).toBe(302);
    expect(page.headers?.location).toBe('/app/login?next=%2Fapp%2Fcadre');
    expect(setCookie(page, 'bc_session')?.attributes['max-age']).toBe('0');

    const jsonJar = new CookieJar();
    jsonJar.set('bc_session', token);
    const api = await browse(jsonJar, '/app/cadre', { accept: 'application/json' });
    expect(api.statusCode).toBe(401);
  });

  it('takes a current ID token of the pool as a session (the control for the refusals above)', async () => {
    const jar = new CookieJar();
    jar.set('bc_session', await cognito.idToken(cadre));
    expect((await browse(jar, '/app/cadre')).statusCode).toBe(200);
  });
});

describe('sign-out', () => {
  it('clears the cookies, revokes the refresh token and sends the browser to Cognito’s /logout', async () => {
    const jar = new CookieJar();
    const { callback } = await signInThroughCognito(jar, cadre);
    await browse(jar, callback.pathname + callback.search);
    expect(jar.has('bc_session') && jar.has('bc_refresh')).toBe(true);
    const refreshToken = decodeURIComponent(
      jar
        .for('/app')
        .find((c) => c.startsWith('bc_refresh='))!
        .slice(11),
    );

    const result = await browse(jar, '/app/logout');
    expect(result.statusCode).toBe(302);
    const url = location(result);
    expect(`${url.origin}${url.pathname}`).toBe(`${cognito.url}/logout`);
    expect(Object.fromEntries(url.searchParams)).toEqual({ client_id: CLIENT_ID, logout_uri: LOGOUT_TARGET });
    expect(setCookie(result, 'bc_session')?.attributes).toMatchObject({ 'max-age': '0', path: '/' });
    expect(setCookie(result, 'bc_refresh')?.attributes).toMatchObject({ 'max-age': '0', path: '/app' });
    expect(jar.has('bc_session') || jar.has('bc_refresh')).toBe(false);

    const [revoke] = cognito.requestsTo('/oauth2/revoke').slice(-1) as [RecordedRequest];
    expect(revoke.form).toEqual({ token: refreshToken, client_id: CLIENT_ID });
    expect(revoke.headers.authorization).toBeUndefined();

    // Cognito accepts the logout URI (it is registered) and sends the browser back to the sign-in page.
    const back = await fetch(url, { redirect: 'manual' });
    expect(back.status).toBe(302);
    expect(back.headers.get('location')).toBe(LOGOUT_TARGET);

    // The revoked refresh token renews nothing any more.
    const stale = new CookieJar();
    stale.set('bc_refresh', refreshToken, '/app');
    const after = await browse(stale, '/app/cadre');
    expect(after.statusCode).toBe(302);
    expect(after.headers?.location).toBe('/app/login?next=%2Fapp%2Fcadre');
  });
});
