import { countyMode } from '../../accounts/sessions.ts';
import type { ApiResult } from '../../http/api-handler.ts';
import { ASSETS_VERSION, assetEntries, assetFiles, serviceWorkerScript } from '../assets.generated.ts';
import { authProvider, CognitoTokenError, pkcePair, randomState } from '../auth/provider.ts';
import { compress, type Encoding, SECURITY_HEADERS, toResult } from '../respond.ts';
import { definePage, type PageContext, type PageResult, page, redirect } from '../route.ts';
import {
  clearCookie,
  homeOf,
  LOGIN_COOKIE,
  parseCookies,
  REFRESH_COOKIE,
  SESSION_COOKIE,
  safeNext,
  serializeCookie,
  sessionFromPayload,
} from '../session.ts';
import { countyLoginPage } from './sign-in.ts';

/**
 * Pages every visitor meets: the way in (local demo sign-in, or Cognito's hosted UI on AWS), the way
 * out, the offline page, and the static files (assets, service worker, manifest).
 */

interface LocalUser {
  sub: string;
  role: string;
  name: string;
}

/** Demo admins and inspectors the local runtime announces (LOCAL_USERS); cadres come from the roster. */
function localUsers(): LocalUser[] {
  try {
    const parsed = JSON.parse(process.env.LOCAL_USERS ?? '[]') as LocalUser[];
    return Array.isArray(parsed) ? parsed : [];
  } catch {
    return [];
  }
}

async function localLogin(ctx: PageContext, next: string | undefined): Promise<PageResult> {
  const api = ctx.systemApi();
  // The one-tap list shows the first roster cadres only (a test county may import thousands); anyone
  // else signs in through the "other user" form below it.
  const [townships, firstCadres, countyLeaders] = await Promise.all([
    api.all('/townships'),
    api.page('/cadres', { query: { limit: 100 } }),
    api.page('/cadres', { query: { rank: 'county', limit: 20 } }),
  ]);
  const cadres = firstCadres.ok ? firstCadres.body.items : [];
  const groups = new Map<string, { name: string; cadres: typeof cadres }>();
  for (const c of cadres) {
    const key = c.townshipId ?? '';
    const name = townships.find((t) => t.id === key)?.name ?? '县直单位';
    const group = groups.get(key) ?? { name, cadres: [] };
    group.cadres.push(c);
    groups.set(key, group);
  }
  const users = localUsers();
  return page(
    'login',
    '登录',
    {
      local: true,
      county: false,
      next: next ?? '',
      admins: users.filter((u) => u.role === 'admin'),
      inspectors: users.filter((u) => u.role === 'inspector'),
      // One staff member per township (乡镇工作人员), and the county leaders (县级领导) of the roster.
      townshipUsers: townships.map((t) => ({
        sub: `${t.id.toLowerCase()}-staff`,
        townshipId: t.id,
        name: t.name,
      })),
      leaders: countyLeaders.ok ? countyLeaders.body.items : [],
      townships: [...groups.values()],
      hasCadres: cadres.length > 0,
    },
    { offline: false },
  );
}

const LOGIN_TTL_SECONDS = 600;

/** The answer to a sign-in that cannot be completed: say so, and forget the pending attempt. */
function loginFailed(secure: boolean): PageResult {
  return page(
    'error',
    '登录未完成',
    {
      status: 400,
      code: 'LOGIN_FAILED',
      message: '登录未完成或已过期，请重新登录',
      isNotFound: false,
      isForbidden: false,
    },
    { status: 400, offline: false, cookies: [clearCookie(LOGIN_COOKIE, secure, '/app/auth')] },
  );
}

export const commonPages = [
  definePage({
    method: 'GET',
    path: '/',
    roles: 'public',
    handle: async (_input, ctx) => redirect(ctx.session ? homeOf(ctx.session.role) : '/app/login'),
  }),
  definePage({
    method: 'GET',
    path: '/app',
    roles: 'public',
    handle: async (_input, ctx) => ({
      type: 'redirect',
      location: ctx.session ? homeOf(ctx.session.role) : '/app/login',
      status: 302,
    }),
  }),
  definePage({
    method: 'GET',
    path: '/app/login',
    roles: 'public',
    async handle(input, ctx) {
      const next = safeNext(input.query.get('next'));
      if (ctx.session && input.query.get('switch') !== '1') {
        return { type: 'redirect', location: next ?? homeOf(ctx.session.role), status: 302 };
      }
      const provider = authProvider();
      // County mode: user name and password (sign-in.ts); demo and dev: the one-tap list.
      if (provider.kind === 'local') return countyMode() ? countyLoginPage(next) : localLogin(ctx, next);
      // Cognito's hosted UI, authorization code + PKCE; state and verifier wait in a short cookie.
      const { verifier, challenge } = pkcePair();
      const state = randomState();
      const secure = ctx.origin.startsWith('https:');
      const cookie = serializeCookie(LOGIN_COOKIE, JSON.stringify({ state, verifier, next: next ?? '' }), {
        secure,
        path: '/app/auth',
        maxAgeSeconds: LOGIN_TTL_SECONDS,
      });
      return {
        type: 'redirect',
        status: 302,
        location: provider.authorizeUrl({
          redirectUri: `${ctx.origin}/app/auth/callback`,
          state,
          codeChallenge: challenge,
        }),
        cookies: [cookie],
      };
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/auth/callback',
    roles: 'public',
    async handle(input, ctx) {
      const provider = authProvider();
      if (provider.kind !== 'cognito') return redirect('/app/login');
      const secure = ctx.origin.startsWith('https:');
      const cookies = parseCookies(undefined, input.headers.cookie);
      let pending: { state?: string; verifier?: string; next?: string } = {};
      try {
        pending = JSON.parse(cookies.get(LOGIN_COOKIE) ?? '{}');
      } catch {
        pending = {};
      }
      const code = input.query.get('code');
      if (!code || !pending.state || pending.state !== input.query.get('state') || !pending.verifier) {
        return loginFailed(secure);
      }
      let tokens: Awaited<ReturnType<typeof provider.exchangeCode>>;
      try {
        tokens = await provider.exchangeCode({
          code,
          redirectUri: `${ctx.origin}/app/auth/callback`,
          codeVerifier: pending.verifier,
        });
      } catch (error) {
        // A code used twice (reload, back button) or expired: sign in again. Cognito being down is a 500.
        if (error instanceof CognitoTokenError && error.status < 500) return loginFailed(secure);
        throw error;
      }
      // The same checks and the same role rule as every later request (handler.ts readSession).
      const payload = await provider.verify(tokens.idToken);
      if (!payload) {
        ctx.log.warn('token endpoint returned an ID token that does not verify');
        return loginFailed(secure);
      }
      const session = sessionFromPayload(payload as Record<string, unknown>);
      if (!session) {
        return page(
          'error',
          '账号未分配角色',
          {
            status: 403,
            code: 'NO_ROLE',
            message: '您的账号尚未分配角色，请联系管理员',
            isNotFound: false,
            isForbidden: true,
          },
          // No session cookies: a token without a role would only be refreshed and refused on every page.
          { status: 403, offline: false, cookies: [clearCookie(LOGIN_COOKIE, secure, '/app/auth')] },
        );
      }
      const out = [
        serializeCookie(SESSION_COOKIE, tokens.idToken, { secure, maxAgeSeconds: tokens.expiresInSeconds }),
        clearCookie(LOGIN_COOKIE, secure, '/app/auth'),
      ];
      if (tokens.refreshToken) {
        out.push(
          serializeCookie(REFRESH_COOKIE, tokens.refreshToken, {
            secure,
            path: '/app',
            maxAgeSeconds: 30 * 86400,
          }),
        );
      }
      return redirect(safeNext(pending.next) ?? homeOf(session.role), out);
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/logout',
    roles: 'public',
    async handle(input, ctx) {
      const secure = ctx.origin.startsWith('https:');
      const cookies = [clearCookie(SESSION_COOKIE, secure), clearCookie(REFRESH_COOKIE, secure, '/app')];
      const provider = authProvider();
      if (provider.kind === 'cognito') {
        // Cognito's /logout ends the managed-login session only; the refresh token would stay good for
        // 30 days, so it is revoked here (best effort: the cookies go either way).
        const refreshToken = parseCookies(undefined, input.headers.cookie).get(REFRESH_COOKIE);
        if (refreshToken && !(await provider.revoke(refreshToken))) {
          ctx.log.warn('refresh token revocation failed at sign-out');
        }
        return {
          type: 'redirect',
          status: 302,
          location: provider.logoutUrl(`${ctx.origin}/app/login`),
          cookies,
        };
      }
      return { type: 'redirect', status: 302, location: '/app/login', cookies };
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/offline',
    roles: 'public',
    // The service worker keeps this page at install: it must not depend on who asks.
    handle: async () => page('offline', '离线', {}, { offline: false }),
  }),
  definePage({
    method: 'GET',
    path: '/app/static/{file}',
    roles: 'public',
    async handle(input) {
      // Own keys only: `__proto__`, `constructor` or `toString` must not reach Object.prototype.
      const name = input.params.file ?? '';
      const file = Object.hasOwn(assetFiles, name) ? assetFiles[name] : undefined;
      if (!file)
        return staticResult(404, 'text/plain; charset=utf-8', 'not found', 'no-store', input.headers);
      return staticResult(
        200,
        file.type,
        file.body,
        'public, max-age=31536000, immutable',
        input.headers,
        input.params.file,
      );
    },
  }),
  definePage({
    method: 'GET',
    path: '/app/sw.js',
    roles: 'public',
    handle: async (input) =>
      staticResult(
        200,
        'text/javascript; charset=utf-8',
        serviceWorkerScript,
        'no-cache',
        input.headers,
        `sw-${ASSETS_VERSION}`,
        {
          'service-worker-allowed': '/app/',
        },
      ),
  }),
  definePage({
    method: 'GET',
    path: '/app/manifest.webmanifest',
    roles: 'public',
    handle: async (input) =>
      staticResult(
        200,
        'application/manifest+json; charset=utf-8',
        JSON.stringify({
          name: '包村 · 干部包村责任制',
          short_name: '包村',
          lang: 'zh-CN',
          start_url: '/app/',
          scope: '/app/',
          display: 'standalone',
          background_color: '#f6f8fa',
          theme_color: '#9f1d1d',
          icons: [{ src: `/app/static/${assetEntries.icon}`, sizes: 'any', type: 'image/svg+xml' }],
        }),
        'public, max-age=3600',
        input.headers,
      ),
  }),
];

/** Compressed bytes of each static file, made once per container. */
const encodedCache = new Map<string, Buffer>();

function staticResult(
  status: number,
  type: string,
  body: string,
  cacheControl: string,
  headers: Record<string, string>,
  cacheKey?: string,
  extra: Record<string, string> = {},
): PageResult {
  const result: ApiResult = toResult(
    {
      status,
      headers: { 'content-type': type, 'cache-control': cacheControl, ...SECURITY_HEADERS, ...extra },
      body,
      ...(cacheKey
        ? {
            encoded: (encoding: Encoding) => {
              const key = `${cacheKey}:${encoding}`;
              let bytes = encodedCache.get(key);
              if (!bytes) {
                bytes = compress(Buffer.from(body, 'utf8'), encoding, 'best');
                encodedCache.set(key, bytes);
              }
              return bytes;
            },
          }
        : {}),
    },
    headers['accept-encoding'],
  );
  return { type: 'raw', result };
}
