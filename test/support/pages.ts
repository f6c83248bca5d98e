import type { Role } from '../../functions/core/roles.ts';

/**
 * A browser-like client for the pages over real HTTP without a browser: signs in through the local
 * sign-in route (form post → session cookie), keeps the cookie, posts forms from the site's own
 * origin, and does not follow redirects (tests assert them).
 */
export interface PageResponse {
  status: number;
  headers: Headers;
  text: string;
  location: string | null;
}

export interface PageClient {
  cookie: string;
  get(path: string, headers?: Record<string, string>): Promise<PageResponse>;
  post(
    path: string,
    fields: Array<[string, string]> | Record<string, string>,
    headers?: Record<string, string>,
  ): Promise<PageResponse>;
}

async function read(res: Response): Promise<PageResponse> {
  return {
    status: res.status,
    headers: res.headers,
    text: await res.text(),
    location: res.headers.get('location'),
  };
}

export function pageClient(baseUrl: string, cookie = ''): PageClient {
  const client: PageClient = {
    cookie,
    async get(path, headers = {}) {
      return read(
        await fetch(`${baseUrl}${path}`, {
          redirect: 'manual',
          headers: { ...(client.cookie ? { cookie: client.cookie } : {}), ...headers },
        }),
      );
    },
    async post(path, fields, headers = {}) {
      const body = new URLSearchParams(Array.isArray(fields) ? fields : Object.entries(fields)).toString();
      return read(
        await fetch(`${baseUrl}${path}`, {
          method: 'POST',
          redirect: 'manual',
          headers: {
            'content-type': 'application/x-www-form-urlencoded',
            origin: baseUrl,
            ...(client.cookie ? { cookie: client.cookie } : {}),
            ...headers,
          },
          body,
        }),
      );
    },
  };
  return client;
}

/** Signs in as `sub` with `role` the way the local sign-in page does; returns a client holding the cookie. */
export async function signInPages(baseUrl: string, sub: string, role: Role): Promise<PageClient> {
  const res = await fetch(`${baseUrl}/local/token`, {
    method: 'POST',
    redirect: 'manual',
    headers: { 'content-type': 'application/x-www-form-urlencoded', origin: baseUrl },
    body: new URLSearchParams({ sub, role }).toString(),
  });
  const setCookie = res.headers.get('set-cookie') ?? '';
  const cookie = /bc_session=[^;]+/.exec(setCookie)?.[0];
  if (res.status !== 303 || !cookie) throw new Error(`sign-in as ${sub} failed: ${res.status}`);
  return pageClient(baseUrl, cookie);
}

/** The text of the element with this id (or data-error-for name), tags stripped: for asserting messages. */
export function textOf(html: string, selector: { errorFor: string }): string {
  const re = new RegExp(
    `data-error-for="${selector.errorFor.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}"[^>]*>([^<]*)<`,
  );
  return re.exec(html)?.[1]?.trim() ?? '';
}
