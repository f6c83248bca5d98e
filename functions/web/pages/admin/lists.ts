import { ApiCallError, type ApiClient, type ItemOf, type ListPath } from '../../../client/api-client.ts';
import type { FieldMessage } from '../../../client/form-data.ts';
import { type FormState, freshForm } from '../../forms/state.ts';

/**
 * What HQ's list pages (roster, dispatches, direct reports) share: one page of an API list with the
 * filters' messages, the filter form's state, cursor links, the export button's fields.
 */
export const ADMIN = ['admin'] as const;
/** Pages a township's staff and county leaders read too, cut to their townships by the API. */
export const CONSOLE = ['admin', 'township', 'leader'] as const;
/** Pages a township's staff also write from (dispatch within the township, acknowledge its reports). */
export const TOWNSHIP_WRITES = ['admin', 'township'] as const;
/** The import page (built by the background-tasks work). */
export const IMPORT_PAGE = '/app/admin/tasks/import';

export interface ListResult<T> {
  items: T[];
  next: string | undefined;
  /** The API refused the filters: messages per filter field, and the refusal as a whole. */
  errors: FieldMessage[];
  error: string;
}

/** The query string names a list page passes on to the API (empty values left out). */
export function queryOf(query: URLSearchParams, names: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of names) {
    const value = query.get(name)?.trim();
    if (value) out[name] = value;
  }
  return out;
}

/**
 * One page of an API list. Filters the API refuses (a date range the wrong way round, an unknown
 * status typed into the address bar) come back as messages beside the filter fields, not as an error
 * page: the person fixes the filter where they typed it.
 */
export async function listPage<P extends ListPath>(
  api: ApiClient,
  path: P,
  filters: Record<string, string>,
  next: string | null,
  limit = 50,
): Promise<ListResult<ItemOf<P>>> {
  const res = await api.page(path, { query: { ...filters, limit, ...(next ? { next } : {}) } });
  if (res.ok) return { items: res.body.items, next: res.body.next, errors: [], error: '' };
  if (res.status === 400) {
    const errors = (res.error.fields ?? []).map((f) => ({
      name: f.path.replace(/^query\.?/, ''),
      code: f.code,
      message: f.message,
    }));
    return { items: [], next: undefined, errors, error: res.error.message };
  }
  // Anything else is the error page's business (403/404), as for every other read.
  throw new ApiCallError(res.status, res.error, `GET ${path}`);
}

/** The filter form's state: values from the address, messages from the API's refusal. */
export function filterState(filters: Record<string, string>, errors: FieldMessage[]): FormState {
  const state = freshForm(filters);
  state.errors = errors;
  return state;
}

/** Links of the cursor pagination: the next page, and back to the first once past it. */
export function pager(
  base: string,
  filters: Record<string, string>,
  next: string | undefined,
  query: URLSearchParams,
) {
  const href = (extra: Record<string, string>) => {
    const qs = new URLSearchParams({ ...filters, ...extra }).toString();
    return qs ? `${base}?${qs}` : base;
  };
  return {
    next: next ? href({ next }) : '',
    first: query.get('next') ? href({}) : '',
    show: Boolean(next) || Boolean(query.get('next')),
  };
}

/** The export button's hidden fields: the filters in force. */
export function exportFilters(filters: Record<string, string>): Array<{ name: string; value: string }> {
  return Object.entries(filters).map(([name, value]) => ({ name, value }));
}

/** `?done=` after a redirect → the flag its confirmation is shown by (wording is in the template). */
export function doneFlags(query: URLSearchParams, known: readonly string[]): Record<string, boolean> {
  const done = query.get('done') ?? '';
  return known.includes(done) ? { [done]: true } : {};
}

export const statusOf = (status?: number) => (status ? { status } : {});
