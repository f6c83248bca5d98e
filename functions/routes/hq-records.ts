import { extensionRoutes } from './extensions.ts';
import { recordsRoutes } from './records.ts';
import { voidRoutes } from './voids.ts';

/**
 * HQ's work on whole records, apart from the field's intake: a cadre's profile, voiding an
 * inspection (which starts a weekly re-evaluation) and moving a problem's deadline. Their own
 * function on AWS, so the functions a phone calls on every form (inspections, problems) do not load
 * the profile's stores or the job starter at each cold start.
 */
export const hqRecordsRoutes = [...recordsRoutes, ...voidRoutes, ...extensionRoutes];
