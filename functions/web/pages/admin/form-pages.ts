import { definePage, type PageContext, type PageDef, type PageInput, type PageResult } from '../../route.ts';
import { type FormPath, type Submission, submitForm } from '../../submit.ts';

/**
 * The two page routes every HQ form has: the GET that shows it and the POST that sends it to its API
 * route (through submitForm: a 303 on success, the form again with the messages on a refusal).
 */
type Roles = PageDef['roles'];

/** A GET page showing a form or a record. */
export function getPage(
  path: string,
  roles: Roles,
  handle: (input: PageInput, ctx: PageContext) => Promise<PageResult>,
): PageDef {
  return definePage({ method: 'GET', path, roles, handle });
}

/** A POST page sending its form to the API route `api` (the submission's other parts per request). */
export function formPost<P extends FormPath>(
  path: string,
  roles: Roles,
  api: P,
  submission: (input: PageInput, ctx: PageContext) => Omit<Submission<P>, 'path'>,
): PageDef {
  return definePage({
    method: 'POST',
    path,
    roles,
    handle: (input, ctx) => submitForm(input, ctx, { ...submission(input, ctx), path: api }),
  });
}
