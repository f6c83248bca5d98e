import type { AnyRoute } from '../http/route.ts';
import { assignmentsRoutes } from '../routes/assignments.ts';
import { auditRoutes } from '../routes/audit.ts';
import { bulletinsRoutes } from '../routes/bulletins.ts';
import { directReportsRoutes } from '../routes/direct-reports.ts';
import { dispatchesRoutes } from '../routes/dispatches.ts';
import { inspectionsRoutes } from '../routes/inspections.ts';
import { majorFailuresRoutes } from '../routes/major-failures.ts';
import { noticesRoutes } from '../routes/notices.ts';
import { notificationsRoutes } from '../routes/notifications.ts';
import { problemsRoutes } from '../routes/problems.ts';
import { recipientsRoutes } from '../routes/recipients.ts';
import { rosterRoutes } from '../routes/roster.ts';
import { rulesRoutes } from '../routes/rules.ts';

/**
 * The API routes the pages call in-process. The jobs group is left out: running a job belongs to the
 * scheduled-jobs function (Chromium, SMTP), which the pages start asynchronously instead.
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
];
