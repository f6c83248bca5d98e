import { createInspection } from '../../schemas/inspections.ts';
import { createVerification } from '../../schemas/problems.ts';
import type { FormRegistry } from './registry.ts';

/** The inspector's forms: one inspection of a village (findings and problems per cadre), a verification. */
export const inspectorForms = {
  inspection: { schema: createInspection },
  verification: { schema: createVerification },
} satisfies FormRegistry;
