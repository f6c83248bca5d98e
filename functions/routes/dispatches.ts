import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the dispatches work. */
export const dispatchesRoutes: AnyRoute[] = [];
