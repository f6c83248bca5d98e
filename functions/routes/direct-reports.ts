import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the direct-reports work. */
export const directReportsRoutes: AnyRoute[] = [];
