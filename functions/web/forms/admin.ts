import { taskForms } from './admin-background.ts';
import { correctionForms } from './admin-corrections.ts';
import { dispatchForms } from './admin-dispatches.ts';
import { reportForms } from './admin-reports.ts';
import { rosterForms } from './admin-roster.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's forms, one registry per area (bundled together into the admin script). */
export const adminForms: FormRegistry = {
  ...rosterForms,
  ...dispatchForms,
  ...reportForms,
  ...taskForms,
  ...correctionForms,
};
