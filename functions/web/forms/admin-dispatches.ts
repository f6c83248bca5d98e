import type { FormRegistry } from './registry.ts';

/** HQ's forms: dispatch forms and direct-report acknowledgements. */
export const dispatchForms = {} satisfies FormRegistry;
