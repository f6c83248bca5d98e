import type { AnyRoute } from '../http/route.ts';
import { accountsRoutes } from '../routes/accounts.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';
import { auditRoutes } from '../routes/audit.ts';
import { bulletinsRoutes } from '../routes/bulletins.ts';
import { directReportsRoutes } from '../routes/direct-reports.ts';
import { dispatchesRoutes } from '../routes/dispatches.ts';
import { inspectionsRoutes } from '../routes/inspections.ts';
import { jobListRoute, jobRunsRoute } from '../routes/job-runs.ts';
import { majorFailuresRoutes } from '../routes/major-failures.ts';
import { noticesRoutes } from '../routes/notices.ts';
import { notificationsRoutes } from '../routes/notifications.ts';
import { problemsRoutes } from '../routes/problems.ts';
import { recipientsRoutes } from '../routes/recipients.ts';
import { rosterRoutes } from '../routes/roster.ts';
import { rulesRoutes } from '../routes/rules.ts';
import { backgroundRoutes } from '../routes/tasks.ts';

/**
 * The API routes the pages call in-process. Of the jobs group only the reads (catalogue, run ledger)
 * are here: running a job belongs to the scheduled-jobs function (Chromium, SMTP), which the pages
 * start asynchronously instead (backgroundRoutes: POST /jobs/{name}/runs, and the import/export tasks
 * the worker runs).
 */
export const webApiRoutes: AnyRoute[] = [
  ...rosterRoutes,
  ...assignmentsRoutes,
  ...dispatchesRoutes,
  ...inspectionsRoutes,
  ...problemsRoutes,
  ...directReportsRoutes,
  ...auditRoutes,
  ...majorFailuresRoutes,
  ...rulesRoutes,
  ...bulletinsRoutes,
  ...noticesRoutes,
  ...recipientsRoutes,
  ...notificationsRoutes,
  jobListRoute,
  jobRunsRoute,
  ...backgroundRoutes,
  // County mode only (they answer 404 elsewhere): HQ's account pages.
  ...accountsRoutes,
];
