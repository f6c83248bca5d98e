import type { FormRegistry } from './registry.ts';

/** HQ's forms: imports, exports and running a job now. */
export const taskForms = {} satisfies FormRegistry;
