import type { ApiClient } from '../client/api-client.ts';
import type { FormEntries } from '../client/form-data.ts';
import type { Role } from '../core/roles.ts';
import type { ApiResult } from '../http/api-handler.ts';
import type { Logger } from '../http/logger.ts';
import type { Session } from './session.ts';
import type { PageTemplateName } from './templates.ts';

/**
 * A page is data like an API route: method, path, who may open it, and a handler that reads through
 * the API client and answers with a template and its view model (or a redirect). The web handler
 * (handler.ts) does sessions, origin checks, body parsing, layout, compression and error pages.
 */
export type PageMethod = 'GET' | 'POST';

export interface UploadedFile {
  field: string;
  fileName: string;
  contentType: string;
  body: Buffer;
}

export interface PageInput {
  params: Record<string, string>;
  query: URLSearchParams;
  /** Form fields of a POST (urlencoded or multipart), in order. */
  form: FormEntries;
  files: UploadedFile[];
  /** The client is the page's script (or the offline queue) and wants JSON, not a redirect. */
  wantsJson: boolean;
  /** Idempotency-Key header (made on the device) or the form's `_key` field. */
  idempotencyKey: string | undefined;
  headers: Record<string, string>;
}

export interface PageContext {
  /** Present on every page but the public ones. */
  session: Session | undefined;
  api: ApiClient;
  /** The API client as the system itself (local sign-in page only: lists the demo users). */
  systemApi: () => ApiClient;
  now: Date;
  requestId: string;
  log: Logger;
  /** Scheme + host the browser used, e.g. `http://127.0.0.1:3000`. */
  origin: string;
  /** The client's address as the gateway saw it (the sign-in lockout counts failures per address). */
  sourceIp: string;
}

export interface PageView {
  type: 'page';
  template: PageTemplateName;
  /** Page title (the layout adds the product name). */
  title: string;
  view: Record<string, unknown>;
  status?: number;
  /** Kept by the service worker for offline use (default: true for GET pages of cadres and inspectors). */
  offline?: boolean;
  /** Extra links the service worker fetches ahead so they open offline (forms linked from a list). */
  warm?: string[];
  /** The main tab of the navigation this page belongs to. */
  nav?: string;
  cookies?: string[];
  /** Never stored by the browser (`Cache-Control: no-store`): the page shows a password. */
  noStore?: boolean;
}

export interface Redirect {
  type: 'redirect';
  location: string;
  status?: 302 | 303;
  cookies?: string[];
}

export interface JsonResult {
  type: 'json';
  status: number;
  body: unknown;
  cookies?: string[];
}

export interface RawResult {
  type: 'raw';
  result: ApiResult;
}

export type PageResult = PageView | Redirect | JsonResult | RawResult;

export interface PageDef {
  method: PageMethod;
  /** Under /app, with `{name}` segments. */
  path: string;
  /** `public`: no sign-in needed; otherwise the roles allowed. Per-record checks are the API's. */
  roles: readonly Role[] | 'public';
  /** Largest body accepted (default 256 KB; file uploads say more). */
  maxBodyBytes?: number;
  /**
   * POST pages: the page holding the form, with the same `{name}` segments, where a GET on this
   * address is sent (303) — a reload after a refusal, a shared or bookmarked address. Default: the
   * nearest GET page up the path (`/app/cadre/problems/{id}/rectify` → `/app/cadre/problems/{id}`).
   */
  formPage?: string;
  handle(input: PageInput, ctx: PageContext): Promise<PageResult>;
}

export function definePage(def: PageDef): PageDef {
  return def;
}

export const page = (
  template: PageTemplateName,
  title: string,
  view: Record<string, unknown>,
  extra: Partial<Omit<PageView, 'type' | 'template' | 'title' | 'view'>> = {},
): PageView => ({ type: 'page', template, title, view, ...extra });

/** The error page for an API call that was refused (its status, code and plain message). */
export const refusedPage = (
  status: number,
  error: { code: string; message: string },
  nav: string,
  options: { notFound?: boolean } = {},
): PageView =>
  page(
    'error',
    error.message,
    {
      status,
      code: error.code,
      message: error.message,
      isNotFound: options.notFound ?? status === 404,
      isForbidden: status === 403,
    },
    { status, nav },
  );

export const redirect = (location: string, cookies?: string[]): Redirect => ({
  type: 'redirect',
  location,
  status: 303,
  ...(cookies ? { cookies } : {}),
});
