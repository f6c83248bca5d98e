import { createAssignment, endAssignment } from '../../schemas/assignments.ts';
import { createCadre, createTownship, createVillage } from '../../schemas/roster.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's forms: roster (townships, villages, cadres, assignments). */
export const rosterForms = {
  'roster-township': { schema: createTownship },
  'roster-village': { schema: createVillage },
  'roster-cadre': { schema: createCadre },
  'roster-assignment': { schema: createAssignment },
  'roster-assignment-end': { schema: endAssignment },
} satisfies FormRegistry;
