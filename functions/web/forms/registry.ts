import type { FormEntries } from '../../client/form-data.ts';

/**
 * A web form: the API schema its fields are converted by and validated against (in the browser and
 * on the server), and an optional rewrite of the raw fields first (a checkbox value `C001|V001` → two
 * body fields). The same definitions are bundled into the role's browser script, so inline messages
 * are the API's messages.
 */
export interface FormDef {
  schema: unknown;
  prepare?(entries: FormEntries): FormEntries;
}

export type FormRegistry = Record<string, FormDef>;
