import { randomUUID } from 'node:crypto';
import { countyMode } from '../accounts/sessions.ts';
import { ApiCallError, ApiClient, type ApiInvoker, ListTooLongError } from '../client/api-client.ts';
import type { ApiEvent, ApiResult } from '../http/api-handler.ts';
import { createLogger, type LogContext, type Logger } from '../http/logger.ts';
import { assetEntries } from './assets.generated.ts';
import { type AuthProvider, authProvider } from './auth/provider.ts';
import { BodyError, parseBody } from './form-body.ts';
import { SECURITY_HEADERS, toResult } from './respond.ts';
import type { PageContext, PageDef, PageInput, PageResult, PageView } from './route.ts';
import {
  CONSOLE_ROLES,
  clearCookie,
  parseCookies,
  REFRESH_COOKIE,
  SESSION_COOKIE,
  type Session,
  serializeCookie,
  sessionFromPayload,
} from './session.ts';
import { renderPage } from './templates.ts';

/**
 * The web Lambda: one handler for every page under /app. Per request: match the page → read and
 * verify the session cookie (renewing it through Cognito when it has expired) → check the role →
 * refuse cross-site posts → parse the form → run the page → lay it out, compress, answer. Reads and
 * writes go through the API's own handlers in-process (functions/client/api-client.ts).
 */
const DEFAULT_MAX_BODY = 256 * 1024;

interface CompiledPage extends PageDef {
  pattern: RegExp;
  names: string[];
}

function compile(page: PageDef): CompiledPage {
  const names: string[] = [];
  const source = page.path
    .split('/')
    .map((part) => {
      const m = /^\{(\w+)\}$/.exec(part);
      if (!m) return part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(m[1]!);
      return '([^/]+)';
    })
    .join('/');
  return { ...page, names, pattern: new RegExp(`^${source}/?$`) };
}

function headerMap(event: ApiEvent): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(event.headers ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  // Payload 2.0 moves the Cookie header into `event.cookies` (API Gateway and the local gateway alike);
  // pages read cookies from the headers (the sign-in callback, sign-out), so it is put back here.
  if (event.cookies?.length) {
    out.cookie = [...event.cookies, ...(out.cookie ? [out.cookie] : [])].join('; ');
  }
  return out;
}

/**
 * The site as the browser addressed it. Host, not X-Forwarded-Host: API Gateway sets Host to the
 * domain actually used (its own or a custom one), while X-Forwarded-Host would be whatever a client
 * sent. X-Forwarded-Proto is API Gateway's own; the local gateway sets it from its listener (http or
 * https), overwriting what a client sent unless TRUST_PROXY=1, so pages served over plain http on a
 * LAN check posts against their real origin and set cookies without Secure.
 */
export function originOf(headers: Record<string, string>): string {
  const host = headers.host ?? 'localhost';
  const proto = headers['x-forwarded-proto'] ?? (/^(localhost|127\.|\[::1\])/.test(host) ? 'http' : 'https');
  return `${proto.split(',')[0]!.trim()}://${host}`;
}

/** A post must come from our own pages: Origin (or Fetch Metadata) names this site. */
function sameOrigin(headers: Record<string, string>, origin: string): boolean {
  const site = headers['sec-fetch-site'];
  if (site && site !== 'same-origin' && site !== 'none') return false;
  const from = headers.origin;
  if (from) return from === origin;
  const referer = headers.referer;
  if (referer) return referer.startsWith(`${origin}/`);
  // Neither header: not a browser (tests, scripts). Browsers always send Origin on POST.
  return site === undefined;
}

/**
 * The body limit of the page a request goes to, and whether it is public: the local gateway reads
 * no more of a body than that before the page runs (undefined: no such page, the default limit).
 */
export function pageBodyLimits(
  pageDefs: PageDef[],
): (method: string, path: string) => { maxBytes: number; public: boolean } | undefined {
  const compiled = pageDefs.map(compile);
  return (method, path) => {
    const lookup = method.toUpperCase() === 'HEAD' ? 'GET' : method.toUpperCase();
    const page = compiled.find((p) => p.method === lookup && p.pattern.test(path));
    return page
      ? { maxBytes: page.maxBodyBytes ?? DEFAULT_MAX_BODY, public: page.roles === 'public' }
      : undefined;
  };
}

export const DEFAULT_PAGE_MAX_BODY = DEFAULT_MAX_BODY;

export interface WebHandlerOptions {
  pages: PageDef[];
  api: ApiInvoker;
  clock?: () => Date;
  auth?: () => AuthProvider;
}

export function createWebHandler(options: WebHandlerOptions) {
  const pages = options.pages.map(compile);
  const clock = options.clock ?? (() => new Date());
  const auth = options.auth ?? (() => authProvider());

  async function readSession(
    cookies: Map<string, string>,
    secure: boolean,
    setCookies: string[],
  ): Promise<Session | undefined> {
    const provider = auth();
    const token = cookies.get(SESSION_COOKIE);
    if (token) {
      const payload = await provider.verify(token);
      const session = payload ? sessionFromPayload(payload as Record<string, unknown>) : undefined;
      if (session) return session;
    }
    // An expired ID token is renewed with the refresh token, without a trip to the login page.
    const refreshToken = cookies.get(REFRESH_COOKIE);
    if (provider.kind === 'cognito' && refreshToken) {
      const renewed = await provider.refresh(refreshToken);
      const payload = renewed ? await provider.verify(renewed.idToken) : undefined;
      const session = payload ? sessionFromPayload(payload as Record<string, unknown>) : undefined;
      if (renewed && session) {
        setCookies.push(
          serializeCookie(SESSION_COOKIE, renewed.idToken, {
            secure,
            maxAgeSeconds: renewed.expiresInSeconds,
          }),
        );
        return session;
      }
      setCookies.push(clearCookie(REFRESH_COOKIE, secure, '/app'));
    }
    if (token) setCookies.push(clearCookie(SESSION_COOKIE, secure));
    return undefined;
  }

  function layoutOf(view: PageView, session: Session | undefined, now: Date) {
    const consoleUser = session !== undefined && CONSOLE_ROLES.some((r) => r === session.role);
    const script =
      assetEntries[consoleUser ? 'admin' : session ? session.role : 'common'] ?? assetEntries.common;
    const offline = view.offline ?? (session !== undefined && !consoleUser);
    return {
      title: view.title,
      css: `/app/static/${assetEntries.css}`,
      icon: `/app/static/${assetEntries.icon}`,
      script: `/app/static/${script}`,
      user: session
        ? {
            name: session.name ?? session.sub,
            isAdmin: session.role === 'admin',
            isInspector: session.role === 'inspector',
            isCadre: session.role === 'cadre',
            // A township's staff and county leaders: HQ's console with the pages their roles read.
            isTownship: session.role === 'township',
            isLeader: session.role === 'leader',
            isArea: session.role === 'township' || session.role === 'leader',
          }
        : null,
      userId: session?.sub ?? '',
      nav: view.nav ?? '',
      // County mode: HQ manages the accounts (/app/admin/accounts); elsewhere the sign-in is not ours.
      accounts: session?.role === 'admin' && countyMode(),
      wide: consoleUser,
      renderedAt: String(now.getTime()),
      offline: offline ? 'keep' : '',
      warm: (view.warm ?? []).join(' '),
    };
  }

  function respond(
    result: PageResult,
    session: Session | undefined,
    now: Date,
    acceptEncoding: string | undefined,
    cookies: string[],
  ): ApiResult {
    if (result.type === 'raw') {
      return {
        ...result.result,
        ...(cookies.length ? { cookies: [...(result.result.cookies ?? []), ...cookies] } : {}),
      };
    }
    const allCookies = [...cookies, ...(result.cookies ?? [])];
    if (result.type === 'redirect') {
      return {
        statusCode: result.status ?? 303,
        headers: { location: result.location, 'cache-control': 'no-store', ...SECURITY_HEADERS },
        body: '',
        ...(allCookies.length ? { cookies: allCookies } : {}),
      };
    }
    if (result.type === 'json') {
      return toResult(
        {
          status: result.status,
          headers: {
            'content-type': 'application/json; charset=utf-8',
            'cache-control': 'no-store',
            ...SECURITY_HEADERS,
          },
          body: JSON.stringify(result.body),
          cookies: allCookies,
        },
        acceptEncoding,
      );
    }
    const layout = layoutOf(result, session, now);
    const html = renderPage(result.template, { ...result.view, layout });
    return toResult(
      {
        status: result.status ?? 200,
        headers: {
          'content-type': 'text/html; charset=utf-8',
          // Personal pages: never in a shared cache; the service worker keeps its own copy.
          'cache-control': result.noStore ? 'no-store' : 'private, no-cache',
          ...(layout.offline === 'keep' && session
            ? { 'x-offline': 'keep', 'x-offline-user': session.sub }
            : {}),
          ...SECURITY_HEADERS,
        },
        body: html,
        cookies: allCookies,
      },
      acceptEncoding,
    );
  }

  function errorPage(status: number, code: string, message: string): PageView {
    return {
      type: 'page',
      template: 'error',
      title: message,
      status,
      offline: false,
      view: { status, code, message, isNotFound: status === 404, isForbidden: status === 403 },
    };
  }

  /** The form page of a POST-only address: its page's `formPage`, else the nearest GET page up the path. */
  function formPageOf(path: string): string {
    for (const page of pages) {
      const match = page.method === 'POST' && page.formPage ? page.pattern.exec(path) : null;
      if (!match) continue;
      return page.names.reduce(
        (to, name, i) => to.replace(`{${name}}`, match[i + 1] ?? ''),
        page.formPage as string,
      );
    }
    const parts = path.replace(/\/+$/, '').split('/');
    while (parts.length > 2) {
      parts.pop();
      const up = parts.join('/');
      if (pages.some((p) => p.method === 'GET' && p.pattern.test(up))) return up;
    }
    return '/app';
  }

  return async function handler(event: ApiEvent, context?: LogContext): Promise<ApiResult> {
    const requestId = event.requestContext?.requestId ?? context?.awsRequestId ?? randomUUID();
    const log: Logger = createLogger(
      { requestId, path: event.rawPath },
      (process.env.LOG_LEVEL as 'info') ?? 'info',
      context,
    );
    const now = clock();
    const headers = headerMap(event);
    const acceptEncoding = headers['accept-encoding'];
    const origin = originOf(headers);
    const secure = origin.startsWith('https:');
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    const path = event.rawPath ?? '/';
    const wantsJson = (headers.accept ?? '').includes('application/json');
    const setCookies: string[] = [];
    let session: Session | undefined;
    try {
      const lookup = method === 'HEAD' ? 'GET' : method;
      let matched: { page: CompiledPage; match: RegExpExecArray } | undefined;
      let pathKnown = false;
      for (const page of pages) {
        const match = page.pattern.exec(path);
        if (!match) continue;
        pathKnown = true;
        if (page.method === lookup) {
          matched = { page, match };
          break;
        }
      }
      const cookies = parseCookies(event.cookies, headers.cookie);
      if (!matched && lookup === 'GET' && pathKnown) {
        // A form's POST address opened by GET (reloaded, shared, bookmarked): back to the form.
        return respond(
          { type: 'redirect', location: formPageOf(path), status: 303 },
          undefined,
          now,
          acceptEncoding,
          setCookies,
        );
      }
      if (!matched) {
        session = cookies.has(SESSION_COOKIE) ? await readSession(cookies, secure, setCookies) : undefined;
        const status = pathKnown ? 405 : 404;
        return respond(
          errorPage(
            status,
            pathKnown ? 'METHOD_NOT_ALLOWED' : 'NOT_FOUND',
            pathKnown ? '不支持此操作' : '页面不存在',
          ),
          session,
          now,
          acceptEncoding,
          setCookies,
        );
      }
      const { page, match } = matched;
      const params: Record<string, string> = {};
      page.names.forEach((name, i) => {
        try {
          params[name] = decodeURIComponent(match[i + 1] ?? '');
        } catch {
          // A malformed percent-encoding (/app/static/%E0%A4%A) names no page: a 400, not a crash.
          throw new BodyError(400, 'BAD_PATH', '网址有误，无法打开此页面');
        }
      });

      session = await readSession(cookies, secure, setCookies);
      if (page.roles !== 'public') {
        if (!session) {
          if (wantsJson || method !== 'GET') {
            return respond(
              {
                type: 'json',
                status: 401,
                body: { ok: false, error: { code: 'UNAUTHORIZED', message: '登录已过期，请重新登录' } },
              },
              undefined,
              now,
              acceptEncoding,
              setCookies,
            );
          }
          const next = path + (event.rawQueryString ? `?${event.rawQueryString}` : '');
          return respond(
            { type: 'redirect', location: `/app/login?next=${encodeURIComponent(next)}`, status: 302 },
            undefined,
            now,
            acceptEncoding,
            setCookies,
          );
        }
        if (!page.roles.some((r) => session!.roles.includes(r))) {
          return respond(
            errorPage(403, 'FORBIDDEN', '您的角色无权打开此页面'),
            session,
            now,
            acceptEncoding,
            setCookies,
          );
        }
      }

      let form: PageInput['form'] = [];
      let files: PageInput['files'] = [];
      if (method === 'POST') {
        if (!sameOrigin(headers, origin)) {
          return respond(
            errorPage(403, 'CROSS_SITE', '只能从本系统的页面提交'),
            session,
            now,
            acceptEncoding,
            setCookies,
          );
        }
        const raw = event.body
          ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8')
          : Buffer.alloc(0);
        ({ form, files } = await parseBody(
          raw,
          headers['content-type'],
          page.maxBodyBytes ?? DEFAULT_MAX_BODY,
        ));
      }
      const formKey = form.find(([name]) => name === '_key')?.[1];
      const headerKey = headers['idempotency-key'];
      const input: PageInput = {
        params,
        query: new URLSearchParams(event.rawQueryString ?? ''),
        form,
        files,
        wantsJson,
        idempotencyKey: headerKey || formKey || undefined,
        headers,
      };
      const sourceIp = event.requestContext?.http?.sourceIp ?? '127.0.0.1';
      const ctx: PageContext = {
        session,
        api: new ApiClient(options.api, session?.claims, requestId, sourceIp),
        systemApi: () =>
          new ApiClient(
            options.api,
            { sub: 'system-web', 'cognito:groups': '[admin]', token_use: 'id' },
            requestId,
            sourceIp,
          ),
        now,
        requestId,
        log,
        origin,
        sourceIp,
      };
      const result = await page.handle(input, ctx);
      const response = respond(result, session, now, acceptEncoding, setCookies);
      log.info('page done', { method, status: response.statusCode });
      return response;
    } catch (error) {
      if (error instanceof BodyError) {
        return respond(
          wantsJson
            ? {
                type: 'json',
                status: error.status,
                body: { ok: false, error: { code: error.code, message: error.message } },
              }
            : errorPage(error.status, error.code, error.message),
          session,
          now,
          acceptEncoding,
          setCookies,
        );
      }
      if (error instanceof ListTooLongError) {
        // A list past the page's cap is said so, never shown cut short: the person narrows the filters.
        return respond(
          wantsJson
            ? {
                type: 'json',
                status: 422,
                body: { ok: false, error: { code: error.code, message: error.message } },
              }
            : errorPage(422, error.code, error.message),
          session,
          now,
          acceptEncoding,
          setCookies,
        );
      }
      if (error instanceof ApiCallError && error.status < 500) {
        const message = error.status === 404 ? '要找的记录不存在' : error.error.message;
        return respond(
          wantsJson
            ? { type: 'json', status: error.status, body: { ok: false, error: error.error } }
            : errorPage(error.status, error.error.code, message),
          session,
          now,
          acceptEncoding,
          setCookies,
        );
      }
      log.error('page failed', {
        error:
          error instanceof Error
            ? { name: error.name, message: error.message, stack: error.stack }
            : String(error),
      });
      return respond(
        wantsJson
          ? {
              type: 'json',
              status: 500,
              body: { ok: false, error: { code: 'INTERNAL', message: '服务器内部错误，请稍后重试' } },
            }
          : errorPage(500, 'INTERNAL', '服务器内部错误，请稍后重试'),
        session,
        now,
        acceptEncoding,
        setCookies,
      );
    }
  };
}
