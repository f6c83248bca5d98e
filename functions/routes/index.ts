import { openApiDocument } from '../http/openapi.ts';
import { type AnyRoute, defineRoute, ok } from '../http/route.ts';
import * as z from 'zod';
import { healthRoute } from './meta.ts';
import { assignmentsRoutes } from './assignments.ts';
import { auditRoutes } from './audit.ts';
import { directReportsRoutes } from './direct-reports.ts';
import { dispatchesRoutes } from './dispatches.ts';
import { inspectionsRoutes } from './inspections.ts';
import { problemsRoutes } from './problems.ts';
import { rosterRoutes } from './roster.ts';

/**
 * Route groups: one Lambda per group (entry files under functions/api/), and the local gateway
 * routes to the same handlers. The CDK stack reads this list to wire the HTTP API.
 */
export interface RouteGroup {
  name: string;
  /** Entry file for the Lambda bundle, relative to the repository root. */
  entry: string;
  routes: AnyRoute[];
}

const apiRoutes: RouteGroup[] = [
  { name: 'roster', entry: 'functions/api/roster.ts', routes: rosterRoutes },
  { name: 'assignments', entry: 'functions/api/assignments.ts', routes: assignmentsRoutes },
  { name: 'dispatches', entry: 'functions/api/dispatches.ts', routes: dispatchesRoutes },
  { name: 'inspections', entry: 'functions/api/inspections.ts', routes: inspectionsRoutes },
  { name: 'problems', entry: 'functions/api/problems.ts', routes: problemsRoutes },
  { name: 'direct-reports', entry: 'functions/api/direct-reports.ts', routes: directReportsRoutes },
  { name: 'audit', entry: 'functions/api/audit.ts', routes: auditRoutes },
];

export const openApiRoute = defineRoute({
  method: 'GET',
  path: '/openapi.json',
  summary: 'OpenAPI 3.1 接口文档',
  tags: ['meta'],
  roles: 'public',
  responses: { 200: z.object({ openapi: z.string() }).loose() },
  async handle() {
    return ok(openApiDocument(allRoutes(), { title: '包村 Baocun API', version: '1' }));
  },
});

export const routeGroups: RouteGroup[] = [
  ...apiRoutes,
  { name: 'meta', entry: 'functions/api/meta.ts', routes: [healthRoute, openApiRoute] },
];

export function allRoutes(): AnyRoute[] {
  return routeGroups.flatMap((g) => g.routes);
}
