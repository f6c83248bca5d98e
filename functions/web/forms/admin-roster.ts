import type { FormEntries } from '../../client/form-data.ts';
import { createAssignment, endAssignment, moveAssignment } from '../../schemas/assignments.ts';
import {
  createCadre,
  createTownship,
  createVillage,
  patchCadre,
  patchTownship,
  patchVillage,
} from '../../schemas/roster.ts';
import type { FormRegistry } from './registry.ts';

/** A village's position left empty (both fields) is no position: leave the group out of the body. */
function withoutEmptyLocation(entries: FormEntries): FormEntries {
  const location = entries.filter(([name]) => name.startsWith('location.'));
  return location.every(([, value]) => value.trim() === '')
    ? entries.filter(([name]) => !name.startsWith('location.'))
    : entries;
}

/** HQ's forms: roster (townships, villages, cadres, assignments). */
export const rosterForms = {
  'roster-township': { schema: createTownship },
  'roster-village': { schema: createVillage, prepare: withoutEmptyLocation },
  'roster-cadre': { schema: createCadre },
  'roster-assignment': { schema: createAssignment },
  'roster-assignment-end': { schema: endAssignment },
  // Corrections: the record's version travels in the hidden `_version` field (sent as If-Match).
  'roster-township-edit': { schema: patchTownship },
  'roster-village-edit': { schema: patchVillage, prepare: withoutEmptyLocation },
  'roster-cadre-edit': { schema: patchCadre },
  'roster-assignment-move': { schema: moveAssignment },
} satisfies FormRegistry;
