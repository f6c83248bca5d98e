import type { AnyRoute } from '../http/route.ts';

/** Placeholder: filled in by the audit work. */
export const auditRoutes: AnyRoute[] = [];
