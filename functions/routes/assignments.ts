import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the assignments work. */
export const assignmentsRoutes: AnyRoute[] = [];
