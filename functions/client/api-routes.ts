import { accountsRoutes } from '../routes/accounts.ts';
import { assessmentsRoutes } from '../routes/assessments.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';
import { auditRoutes } from '../routes/audit.ts';
import { backgroundRoutes } from '../routes/background.ts';
import { bulletinsRoutes } from '../routes/bulletins.ts';
import { directReportsRoutes } from '../routes/direct-reports.ts';
import { dispatchesRoutes } from '../routes/dispatches.ts';
import { hqRecordsRoutes } from '../routes/hq-records.ts';
import { inspectionsRoutes } from '../routes/inspections.ts';
import { issuerSettingsRoutes } from '../routes/issuer-settings.ts';
import { jobsRoutes } from '../routes/jobs.ts';
import { majorFailuresRoutes } from '../routes/major-failures.ts';
import { noticesRoutes } from '../routes/notices.ts';
import { notificationsRoutes } from '../routes/notifications.ts';
import { organisationRoutes } from '../routes/organisation.ts';
import { photosRoutes } from '../routes/photos.ts';
import { problemsRoutes } from '../routes/problems.ts';
import { recipientsRoutes } from '../routes/recipients.ts';
import { resourcesRoutes } from '../routes/resources.ts';
import { rosterRoutes } from '../routes/roster.ts';
import { rulesRoutes } from '../routes/rules.ts';
import { selfCriticismRoutes } from '../routes/self-criticism.ts';
import { talksRoutes } from '../routes/talks.ts';
import { teamsRoutes } from '../routes/teams.ts';
import { trainingsRoutes } from '../routes/trainings.ts';
import { visitsRoutes } from '../routes/visits.ts';

/**
 * The API routes the pages call in-process. The jobs group is whole: POST /jobs/{name} only queues a
 * run and starts the scheduled-jobs function (Chromium, SMTP) asynchronously, so none of the jobs'
 * code comes into the pages' bundle; backgroundRoutes are the import/export tasks the worker runs.
 */
export const webApiRoutes = [
  ...rosterRoutes,
  ...organisationRoutes,
  ...assignmentsRoutes,
  ...teamsRoutes,
  ...dispatchesRoutes,
  ...inspectionsRoutes,
  ...problemsRoutes,
  ...hqRecordsRoutes,
  ...directReportsRoutes,
  ...auditRoutes,
  ...majorFailuresRoutes,
  ...rulesRoutes,
  ...issuerSettingsRoutes,
  ...bulletinsRoutes,
  ...noticesRoutes,
  ...recipientsRoutes,
  ...notificationsRoutes,
  ...visitsRoutes,
  ...talksRoutes,
  ...selfCriticismRoutes,
  ...trainingsRoutes,
  ...assessmentsRoutes,
  ...resourcesRoutes,
  // The page script's uploads (POST /app/uploads) and the photo links of the pages (/app/photos/{id}).
  ...photosRoutes,
  ...jobsRoutes,
  ...backgroundRoutes,
  // County mode only (they answer 404 elsewhere): HQ's account pages.
  ...accountsRoutes,
];

/** One route the pages and the worker may call, with its literal method, path and schemas. */
export type WebApiRoute = (typeof webApiRoutes)[number];
