import type { AnyRoute } from '../http/route.ts';
import { accountsRoutes } from './accounts.ts';
import { assessmentsRoutes } from './assessments.ts';
import { assignmentsRoutes } from './assignments.ts';
import { auditRoutes } from './audit.ts';
import { bulletinsRoutes } from './bulletins.ts';
import { directReportsRoutes } from './direct-reports.ts';
import { dispatchesRoutes } from './dispatches.ts';
import { hqRecordsRoutes } from './hq-records.ts';
import { inspectionsRoutes } from './inspections.ts';
import { issuerSettingsRoutes } from './issuer-settings.ts';
import { jobsRoutes } from './jobs.ts';
import { majorFailuresRoutes } from './major-failures.ts';
import { healthRoute, openApiRoute } from './meta.ts';
import { noticesRoutes } from './notices.ts';
import { notificationsRoutes } from './notifications.ts';
import { organisationRoutes } from './organisation.ts';
import { photosRoutes } from './photos.ts';
import { problemsRoutes } from './problems.ts';
import { recipientsRoutes } from './recipients.ts';
import { resourcesRoutes } from './resources.ts';
import { rosterRoutes } from './roster.ts';
import { rulesRoutes } from './rules.ts';
import { selfCriticismRoutes } from './self-criticism.ts';
import { talksRoutes } from './talks.ts';
import { teamsRoutes } from './teams.ts';
import { trainingsRoutes } from './trainings.ts';
import { visitsRoutes } from './visits.ts';

/**
 * Route groups: one Lambda per group (entry files under functions/api/), and the local gateway
 * routes to the same handlers. The CDK stack reads this list to wire the HTTP API.
 */
export interface RouteGroup {
  name: string;
  /** Entry file for the Lambda bundle, relative to the repository root. */
  entry: string;
  routes: AnyRoute[];
  /**
   * Served by the local runtime only, never deployed to AWS (the CDK app takes `cloudRouteGroups`):
   * county-mode accounts, which Cognito stands for on AWS.
   */
  localOnly?: boolean;
}

const apiRoutes: RouteGroup[] = [
  { name: 'roster', entry: 'functions/api/roster.ts', routes: rosterRoutes },
  { name: 'organisation', entry: 'functions/api/organisation.ts', routes: organisationRoutes },
  // Village teams (team roles, a village's team) belong with the assignments they read.
  {
    name: 'assignments',
    entry: 'functions/api/assignments.ts',
    routes: [...assignmentsRoutes, ...teamsRoutes],
  },
  { name: 'dispatches', entry: 'functions/api/dispatches.ts', routes: dispatchesRoutes },
  { name: 'inspections', entry: 'functions/api/inspections.ts', routes: inspectionsRoutes },
  { name: 'problems', entry: 'functions/api/problems.ts', routes: problemsRoutes },
  { name: 'records', entry: 'functions/api/records.ts', routes: hqRecordsRoutes },
  { name: 'direct-reports', entry: 'functions/api/direct-reports.ts', routes: directReportsRoutes },
  { name: 'audit', entry: 'functions/api/audit.ts', routes: auditRoutes },
  { name: 'major-failures', entry: 'functions/api/major-failures.ts', routes: majorFailuresRoutes },
  // The team leader's powers (seed 000): resource kinds, allocations, the quota ledger, sanctions.
  { name: 'resources', entry: 'functions/api/resources.ts', routes: resourcesRoutes },
  // The issuer settings (GET/PUT /settings/issuer) are county configuration like the rules.
  {
    name: 'rules',
    entry: 'functions/api/rules.ts',
    routes: [...rulesRoutes, ...issuerSettingsRoutes],
  },
  { name: 'bulletins', entry: 'functions/api/bulletins.ts', routes: bulletinsRoutes },
  { name: 'notices', entry: 'functions/api/notices.ts', routes: noticesRoutes },
  { name: 'recipients', entry: 'functions/api/recipients.ts', routes: recipientsRoutes },
  { name: 'notifications', entry: 'functions/api/notifications.ts', routes: notificationsRoutes },
  { name: 'photos', entry: 'functions/api/photos.ts', routes: photosRoutes },
  { name: 'visits', entry: 'functions/api/visits.ts', routes: visitsRoutes },
  { name: 'talks', entry: 'functions/api/talks.ts', routes: talksRoutes },
  {
    name: 'self-criticism',
    entry: 'functions/api/self-criticism.ts',
    routes: selfCriticismRoutes,
  },
  { name: 'trainings', entry: 'functions/api/trainings.ts', routes: trainingsRoutes },
  { name: 'assessments', entry: 'functions/api/assessments.ts', routes: assessmentsRoutes },
  { name: 'jobs', entry: 'functions/api/jobs.ts', routes: jobsRoutes },
  { name: 'accounts', entry: 'functions/api/accounts.ts', routes: accountsRoutes, localOnly: true },
];

export const routeGroups: RouteGroup[] = [
  ...apiRoutes,
  { name: 'meta', entry: 'functions/api/meta.ts', routes: [healthRoute, openApiRoute] },
];

/** The groups the CDK stack deploys: every group but the local-only ones. */
export const cloudRouteGroups: RouteGroup[] = routeGroups.filter((g) => !g.localOnly);

/** Every route, local-only ones included (the OpenAPI document, the local gateway, the tests). */
export function allRoutes(): AnyRoute[] {
  return routeGroups.flatMap((g) => g.routes);
}

/** The routes deployed to AWS. */
export function cloudRoutes(): AnyRoute[] {
  return cloudRouteGroups.flatMap((g) => g.routes);
}
