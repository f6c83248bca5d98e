import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the problems work. */
export const problemsRoutes: AnyRoute[] = [];
