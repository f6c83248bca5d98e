import type { ApiPath, RouteAt, Success } from '../client/api-client.ts';
import { type FormEntries, fieldMessages, formToBody } from '../client/form-data.ts';
import type { FormDef } from './forms/registry.ts';
import { type FormState, refusedForm } from './forms/state.ts';
import type { PageContext, PageInput, PageResult } from './route.ts';

/**
 * Sends a form to its API route and answers the way the caller can take it:
 * - the page's script or the offline queue (Accept: application/json): `{ ok, location }` or
 *   `{ ok: false, error, fields }` with the API's status, field messages already on form field names;
 * - a plain form post: 303 to `location` on success (so reloading does not post again), or the form
 *   again with the values typed and every message beside its field.
 * The idempotency key comes from the device (header) or the form's `_key`, so a double tap, a resend
 * after a lost answer or a queued retry is applied once.
 */
/** A route a form posts to, and its success answer. */
export type FormPath = ApiPath<'POST'> | ApiPath<'PUT'> | ApiPath<'PATCH'>;
type FormAnswer<P extends FormPath> = Success<RouteAt<'POST', P> | RouteAt<'PUT', P> | RouteAt<'PATCH', P>>;

export interface Submission<P extends FormPath> {
  form: FormDef;
  method?: 'POST' | 'PUT' | 'PATCH';
  /** The version the form was filled from (a correction form's hidden `_version`), sent as If-Match. */
  ifMatch?: string | undefined;
  /**
   * What a correction form sends for a field (or a group of fields under one name) left empty: `null`
   * clears an optional value, `''` has the API say the field may not be empty. An empty optional
   * field is otherwise left out, which leaves the stored value as it is.
   */
  whenEmpty?: Readonly<Record<string, null | ''>>;
  /** API route path, e.g. `/dispatches/{id}/reports`. */
  path: P;
  params?: Record<string, string>;
  /** Where to go after success; receives the API's response body. */
  success(body: FormAnswer<P>): string;
  /** The form again, with the refusal. */
  refused(state: FormState, status: number): Promise<PageResult> | PageResult;
}

export function entriesFor(form: FormDef, entries: FormEntries): FormEntries {
  return form.prepare ? form.prepare(entries) : entries;
}

export async function submitForm<P extends FormPath>(
  input: PageInput,
  ctx: PageContext,
  s: Submission<P>,
): Promise<PageResult> {
  const entries = entriesFor(s.form, input.form);
  const { body, paths } = formToBody(s.form.schema, entries);
  for (const [name, empty] of Object.entries(s.whenEmpty ?? {})) {
    // A field, or a group of fields (`location` for `location.lat` and `location.lng`), all sent empty
    // (as the form sent them: `prepare` may already have left an empty group out).
    const sent = input.form.filter(([n]) => n === name || n.startsWith(`${name}.`));
    if (sent.length && sent.every(([, v]) => v.trim() === '')) body[name] = empty;
  }
  // The method and path are one of the form routes; the client is typed per method, so one is named.
  const res = await ctx.api.relay(s.method ?? 'POST', s.path as ApiPath<'POST'>, {
    ...(s.params ? { params: s.params } : {}),
    body,
    idempotencyKey: input.idempotencyKey,
    ...(s.ifMatch ? { ifMatch: s.ifMatch } : {}),
  });
  if (res.ok) {
    const location = s.success(res.body as FormAnswer<P>);
    if (input.wantsJson) {
      return {
        type: 'json',
        status: 200,
        body: { ok: true, location, replayed: res.headers['idempotent-replayed'] === 'true' },
      };
    }
    return { type: 'redirect', location, status: 303 };
  }
  if (res.status >= 500) throw new Error(`${s.path} answered ${res.status}`);
  const error = res.error;
  const fields = fieldMessages(error.fields ?? [], paths);
  if (input.wantsJson) {
    return {
      type: 'json',
      status: res.status,
      body: { ok: false, error: { code: error.code, message: error.message }, fields },
    };
  }
  return s.refused(refusedForm(input.form, fields, { code: error.code, message: error.message }), res.status);
}
