import type { FormRegistry } from './registry.ts';

/** The inspector's forms. */
export const inspectorForms = {} satisfies FormRegistry;
