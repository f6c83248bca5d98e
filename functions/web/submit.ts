import { errorOf } from './api-client.ts';
import { type FormEntries, fieldMessages, formToBody } from './form-data.ts';
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
export interface Submission {
  form: FormDef;
  method?: 'POST' | 'PUT';
  /** API route path, e.g. `/dispatches/{id}/reports`. */
  path: string;
  params?: Record<string, string>;
  /** Where to go after success; receives the API's response body. */
  success(body: unknown): string;
  /** The form again, with the refusal. */
  refused(state: FormState, status: number): Promise<PageResult> | PageResult;
}

export function entriesFor(form: FormDef, entries: FormEntries): FormEntries {
  return form.prepare ? form.prepare(entries) : entries;
}

export async function submitForm(input: PageInput, ctx: PageContext, s: Submission): Promise<PageResult> {
  const { body, paths } = formToBody(s.form.schema, entriesFor(s.form, input.form));
  const res = await ctx.api.call(s.method ?? 'POST', s.path, {
    ...(s.params ? { params: s.params } : {}),
    body,
    idempotencyKey: input.idempotencyKey,
  });
  if (res.status < 300) {
    const location = s.success(res.body);
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
  const error = errorOf(res.body);
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
