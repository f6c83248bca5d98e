import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the inspections work. */
export const inspectionsRoutes: AnyRoute[] = [];
