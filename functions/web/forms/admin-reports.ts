import type { FormRegistry } from './registry.ts';

/** HQ's forms: board, circle, bulletins and notices filters. */
export const reportForms = {} satisfies FormRegistry;
