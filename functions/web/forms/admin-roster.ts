import type { FormRegistry } from './registry.ts';

/** HQ's forms: roster (townships, villages, cadres, assignments). */
export const rosterForms = {} satisfies FormRegistry;
