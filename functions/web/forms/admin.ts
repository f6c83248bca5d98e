import { accountabilityForms } from './admin-accountability.ts';
import { assessmentForms } from './admin-assessments.ts';
import { taskForms } from './admin-background.ts';
import { correctionForms } from './admin-corrections.ts';
import { dispatchForms } from './admin-dispatches.ts';
import { organisationForms } from './admin-organisation.ts';
import { reportForms } from './admin-reports.ts';
import { resourceForms } from './admin-resources.ts';
import { rosterForms } from './admin-roster.ts';
import { settingsForms } from './admin-settings.ts';
import { talkForms } from './admin-talks.ts';
import type { FormRegistry } from './registry.ts';

/** HQ's forms, one registry per area (bundled together into the admin script). */
export const adminForms: FormRegistry = {
  ...rosterForms,
  ...organisationForms,
  ...dispatchForms,
  ...reportForms,
  ...taskForms,
  ...correctionForms,
  ...accountabilityForms,
  ...talkForms,
  ...assessmentForms,
  ...settingsForms,
  ...resourceForms,
};
