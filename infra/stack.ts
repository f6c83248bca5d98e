import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import { webApiRoutes } from '../functions/client/api-routes.ts';
import { type RouteGroup, routeGroups } from '../functions/routes/index.ts';
import { ApiFunction } from './constructs/api-function.ts';
import { Auth } from './constructs/auth.ts';
import { Delivery } from './constructs/delivery.ts';
import { News, smsEnvironment } from './constructs/news.ts';
import {
  JOBS_ASYNC_INVOKE,
  NEWS_ASYNC_INVOKE,
  Operations,
  WORKER_ASYNC_INVOKE,
} from './constructs/operations.ts';
import { Photos } from './constructs/photos.ts';
import { DataTable, type TableAccess } from './constructs/table.ts';
import { Web } from './constructs/web.ts';
import { pascal } from './logical-ids.ts';
import { resourcePrefixFor } from './stage.ts';

/** Repository root: entries in `routeGroups` are relative to it. */
export const PROJECT_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Route groups whose writes make news told at once (docs/news.md): they invoke the news function. */
export const NEWS_GROUPS = ['inspections', 'problems', 'dispatches', 'direct-reports', 'talks'] as const;

/** Route groups that claim or serve photos (docs/photos.md): the sharp layer and the bucket's photos/. */
export const PHOTO_GROUPS = ['photos', 'inspections', 'problems', 'visits'] as const;

/** Route groups that never touch the table (health check, API description). */
const GROUPS_WITHOUT_TABLE = new Set(['meta']);
const ROUTES_WITHOUT_TABLE = new Set<unknown>(
  routeGroups.filter((g) => GROUPS_WITHOUT_TABLE.has(g.name)).flatMap((g) => g.routes),
);

/**
 * Least privilege per function, from the routes it serves: only GETs read; any write route also
 * writes (its use cases, the audit trail and the idempotency records all live in the table); routes
 * that never touch the table (meta) add nothing.
 */
export function tableAccessForRoutes(routes: readonly { method: string }[]): TableAccess {
  const touching = routes.filter((r) => !ROUTES_WITHOUT_TABLE.has(r));
  if (touching.length === 0) return 'none';
  return touching.every((r) => r.method === 'GET') ? 'read' : 'readwrite';
}

export function tableAccessFor(group: RouteGroup): TableAccess {
  return tableAccessForRoutes(group.routes);
}

/** A context value given as a list: a JSON array, or comma-separated (`-c webBaseUrls=https://a,https://b`). */
export function contextList(value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  const text = String(value).trim();
  if (text.startsWith('[')) return contextList(JSON.parse(text) as unknown);
  return text
    .split(',')
    .map((part) => part.trim())
    .filter(Boolean);
}

/**
 * A base URL the pages are served from: an origin only (the pages link to absolute `/app/…` paths, so
 * an API mapping with a path could not serve them), https except http://localhost (Cognito's rule).
 */
export function webBaseUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`webBaseUrls: "${value}" is not a URL`);
  }
  const local = url.protocol === 'http:' && url.hostname === 'localhost';
  if (url.protocol !== 'https:' && !local) throw new Error(`webBaseUrls: "${value}" must be https`);
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password) {
    throw new Error(`webBaseUrls: "${value}" must be an origin such as https://baocun.example.cn (no path)`);
  }
  return url.origin;
}

export interface BaocunStackProps extends StackProps {
  /** The API's route groups (functions/routes/index.ts); one Lambda per group that has routes. */
  routeGroups: RouteGroup[];
  /** `-c stage=<name>` (stage.ts): goes into the names that must be unique in the account. */
  stage: string;
}

/**
 * Everything Baocun runs on in AWS: one table, one user pool, one HTTP API with one Lambda per
 * route group. The local runtime (`npm start`) serves the same route groups with the same handlers.
 */
export class BaocunStack extends Stack {
  readonly data: DataTable;
  readonly auth: Auth;
  readonly api: HttpApi;
  readonly delivery: Delivery;
  readonly web: Web;
  readonly news: News;
  readonly photos: Photos;
  readonly operations: Operations;
  readonly stage: string;
  readonly functions = new Map<string, ApiFunction>();
  /** Where the pages are reached: the API's endpoint, then the custom domains of `webBaseUrls`. */
  readonly webBaseUrls: string[];

  constructor(scope: Construct, id: string, props: BaocunStackProps) {
    super(scope, id, props);
    this.stage = props.stage;
    const namePrefix = resourcePrefixFor(props.stage);

    this.data = new DataTable(this, 'Data');

    this.operations = new Operations(this, 'Operations', {
      stage: props.stage,
      namePrefix,
      alarmEmail: (this.node.tryGetContext('alarmEmail') as string | undefined) || undefined,
    });

    this.api = new HttpApi(this, 'Api', {
      apiName: namePrefix,
      description: '包村 Baocun API',
      // The stage is declared below so it can carry access logging and throttling.
      createDefaultStage: false,
    });

    // The app client's callback and logout URLs name the API's endpoint: the client depends on the API,
    // the authorizer and the web function on the client, and nothing on them, so there is no cycle.
    const customDomains = contextList(this.node.tryGetContext('webBaseUrls')).map(webBaseUrl);
    this.webBaseUrls = [this.api.apiEndpoint, ...customDomains];
    this.auth = new Auth(this, 'Auth', {
      webBaseUrls: this.webBaseUrls,
      // Prefix domains are unique per region across all of AWS: the account id makes the default so,
      // the stage keeps two stages of one account apart.
      domainPrefix:
        (this.node.tryGetContext('authDomainPrefix') as string | undefined) ??
        `${namePrefix}-${this.account}`,
    });
    // Links in emails and task results point at the first custom domain when there is one.
    const publicBaseUrl = customDomains[0] ?? this.api.apiEndpoint;

    const accessLogs = new LogGroup(this, 'ApiAccessLogs', { retention: RetentionDays.ONE_YEAR });
    new HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        // No claims beyond `sub` and no request bodies: personal data stays out of the logs.
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            time: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            sourceIp: '$context.identity.sourceIp',
            userAgent: '$context.identity.userAgent',
            sub: '$context.authorizer.claims.sub',
            authorizerError: '$context.authorizer.error',
            integrationError: '$context.integrationErrorMessage',
            integrationLatency: '$context.integrationLatency',
            responseLatency: '$context.responseLatency',
            responseLength: '$context.responseLength',
          }),
        ),
      },
    });

    // The authorizer only proves the token is ours and current; the handlers enforce the groups.
    // Callers send the ID token: it carries `custom:cadreId`, which the access token does not.
    const jwt = new HttpJwtAuthorizer('CognitoJwt', this.auth.issuer, {
      jwtAudience: [this.auth.client.userPoolClientId],
    });

    for (const group of props.routeGroups) {
      if (group.routes.length === 0) continue;
      this.addRouteGroup(group, jwt);
    }

    // Documents, email and the schedules; the API's jobs and notices groups get what they use of it:
    // the jobs group only starts runs (POST /jobs/{name} invokes the scheduled-jobs function).
    this.delivery = new Delivery(this, 'Delivery', {
      data: this.data,
      projectRoot: PROJECT_ROOT,
      mailFrom: (this.node.tryGetContext('mailFrom') as string | undefined) ?? 'noreply@baocun.example.cn',
      publicBaseUrl,
    });
    const jobsApi = this.functions.get('jobs');
    if (jobsApi) this.delivery.bindJobStarter(jobsApi);
    // Voiding an inspection (POST /inspections/{id}/void, HQ's records function) re-evaluates its
    // week: it starts a run too.
    const recordsApi = this.functions.get('records');
    if (recordsApi) this.delivery.bindJobStarter(recordsApi);
    const noticesApi = this.functions.get('notices');
    if (noticesApi) this.delivery.bindDocumentReader(noticesApi);
    // Talks (docs/talks.md): approving renders the notice and recording the talk its record, so the
    // group writes documents: the HTML in the request, the PDF printed by the scheduled-jobs function
    // (the only one with Chromium in its layer), invoked asynchronously with the document's id.
    // Inspections (POST /inspections) issue the rectification notice when problems are recorded, the
    // same way: the HTML in the request, the PDF printed by the scheduled-jobs function.
    const inspectionsApi = this.functions.get('inspections');
    if (inspectionsApi) {
      this.delivery.bindDocumentWriter(inspectionsApi);
      this.delivery.bindDocumentPrinter(inspectionsApi);
    }
    const talksApi = this.functions.get('talks');
    if (talksApi) {
      this.delivery.bindDocumentWriter(talksApi);
      this.delivery.bindDocumentPrinter(talksApi);
    }
    // Assessments (docs/assessments.md): POST /assessments/{period}/notice issues the 考核结果通报 the
    // same way (HTML in the request, the PDF printed apart).
    const assessmentsApi = this.functions.get('assessments');
    if (assessmentsApi) {
      this.delivery.bindDocumentWriter(assessmentsApi);
      this.delivery.bindDocumentPrinter(assessmentsApi);
    }

    // The pages (GET /, ANY /app, ANY /app/{proxy+}) and the background worker they start.
    this.web = new Web(this, 'Web', {
      api: this.api,
      data: this.data,
      delivery: this.delivery,
      auth: this.auth,
      projectRoot: PROJECT_ROOT,
      publicBaseUrl,
      // Both serve the API routes in-process (the worker as the task's creator): their union.
      pagesTableAccess: tableAccessForRoutes(webApiRoutes),
      workerTableAccess: tableAccessForRoutes(webApiRoutes),
    });

    // News at once (docs/news.md): the functions serving the writes that make news start its delivery.
    const sms = smsEnvironment(this.node.tryGetContext('sms'));
    this.news = new News(this, 'News', {
      data: this.data,
      delivery: this.delivery,
      projectRoot: PROJECT_ROOT,
      sms,
    });
    for (const group of NEWS_GROUPS) {
      const fn = this.functions.get(group);
      if (fn) this.news.bindAnnouncer(fn);
    }
    this.news.bindAnnouncer(this.web.pages);
    this.news.bindAnnouncer(this.web.worker);
    // The daily sweep resends failed texts; the weekly job texts talk notices.
    for (const [name, value] of Object.entries(sms)) this.delivery.jobs.fn.addEnvironment(name, value);

    // Photos: the groups that claim or serve them, and the pages (which call those routes in-process).
    this.photos = new Photos(this, 'Photos', { bucket: this.delivery.bucket, webOrigins: this.webBaseUrls });
    for (const group of PHOTO_GROUPS) {
      const fn = this.functions.get(group);
      if (fn) this.photos.bind(fn);
    }
    this.photos.bind(this.web.pages);

    // Failed asynchronous invokes go to one queue; alarms to one topic. The HTTP API has no X-Ray
    // (API Gateway traces REST APIs only): traces start at each function, which all trace actively.
    this.operations.configureAsyncInvoke(this.delivery.jobs, JOBS_ASYNC_INVOKE);
    this.operations.configureAsyncInvoke(this.web.worker, WORKER_ASYNC_INVOKE);
    this.operations.configureAsyncInvoke(this.news.fn, NEWS_ASYNC_INVOKE);
    this.operations.watch({
      api: this.api,
      functions: [
        ...this.functions.values(),
        this.delivery.jobs,
        this.web.pages,
        this.web.worker,
        this.news.fn,
      ],
      jobs: this.delivery.jobs,
      worker: this.web.worker,
      scheduleDeadLetters: this.delivery.deadLetterQueue,
    });

    new CfnOutput(this, 'Stage', { value: props.stage });
    new CfnOutput(this, 'AlarmsTopic', { value: this.operations.topic.topicArn });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
    new CfnOutput(this, 'WebUrl', { value: `${this.api.apiEndpoint}/app/` });
    new CfnOutput(this, 'CognitoDomainUrl', {
      description: 'Base of the Cognito managed login pages and OAuth endpoints the web pages use',
      value: this.auth.hostedUiUrl,
    });
    new CfnOutput(this, 'UserPoolId', { value: this.auth.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.auth.client.userPoolClientId });
    new CfnOutput(this, 'TableName', { value: this.data.table.tableName });
    new CfnOutput(this, 'DocumentsBucket', { value: this.delivery.bucket.bucketName });
  }

  private addRouteGroup(group: RouteGroup, jwt: IHttpRouteAuthorizer): void {
    const id = pascal(group.name);
    const access = tableAccessFor(group);
    const fn = new ApiFunction(this, `${id}Api`, {
      entry: join(PROJECT_ROOT, group.entry),
      projectRoot: PROJECT_ROOT,
      description:
        `Baocun ${group.name}: ${group.routes.map((r) => `${r.method} ${r.path}`).join(', ')}`.slice(0, 256),
      // Every handler reads its configuration at cold start, including those that never query.
      environment: { TABLE_NAME: this.data.table.tableName, LOG_LEVEL: 'info' },
    });
    this.data.grant(fn.role, access);
    this.functions.set(group.name, fn);

    // Payload format 2.0 (the default), the shape the handlers and the local gateway speak.
    const integration = new HttpLambdaIntegration(`${id}Integration`, fn.fn);
    for (const route of group.routes) {
      const isPublic = route.roles === 'public';
      const [httpRoute] = this.api.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        ...(isPublic ? {} : { authorizer: jwt }),
      });
      if (isPublic && httpRoute) {
        Validations.of(httpRoute).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${route.method} ${route.path} is declared roles: 'public' in functions/routes (health check, API description): no caller identity is needed.`,
        });
      }
    }
  }
}
