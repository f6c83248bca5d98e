import type { FormRegistry } from './registry.ts';

/** HQ's forms. */
export const adminForms = {} satisfies FormRegistry;
